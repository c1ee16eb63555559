"""The process's standard streams and its end on SIGTERM, set up once at the start of a run.

- Output that goes to a file or a pipe (`plan57 report > tonghop.md`) is UTF-8 with `\\n` line
  ends, whatever the locale's code page (cp1258, cp437 on Windows): the same bytes as `-o`.
- A console keeps its own encoding; a character it cannot show is written as near as it can
  show it (`readable`): the letter with the marks the code page has, as combining marks where it
  has those (cp1258 writes Vietnamese that way), else the bare letter, else `?`. Never a
  UnicodeEncodeError.
- An unbuffered binary layer (`PYTHONUNBUFFERED=1`, `python -u`) gets a buffered writer over it:
  a text layer straight over the file drops the rest of a short write without a word (past
  `ulimit -f`, on a full disk), where a buffered writer writes on or raises.
- SIGTERM ends the run as an interrupt does (`Terminated`, a KeyboardInterrupt), so that every
  `finally` runs: the temporary file of a write in progress is removed.
"""

from __future__ import annotations

import codecs
import io
import itertools
import os
import sys
import time
import unicodedata
from types import FrameType
from typing import TextIO

_done = False
_pid = 0


class Terminated(KeyboardInterrupt):
    """The process was asked to end (SIGTERM): it stops as on Ctrl+C, cleaning up."""


def setup() -> None:
    """Prepare stdout, stderr and SIGTERM for a run of the command line (once per process)."""
    global _done
    if _done:
        return
    _done = True
    sys.stdout = prepared(sys.stdout)
    sys.stderr = prepared(sys.stderr)
    _end_on_sigterm()


def prepared(stream: TextIO) -> TextIO:
    """The stream as the module docstring says; anything but a text layer over a file (a test's
    capture) is left as it is."""
    if not isinstance(stream, io.TextIOWrapper):
        return stream
    try:
        stream.fileno()
        tty = stream.isatty()
    except (OSError, ValueError):
        return stream
    encoding = stream.encoding if tty else "utf-8"
    try:
        errors = readable_errors(encoding) if tty else "backslashreplace"
    except LookupError:
        return stream
    newline = None if tty else "\n"
    try:
        if isinstance(stream.buffer, io.BufferedIOBase):
            stream.reconfigure(encoding=encoding, errors=errors, newline=newline)
            return stream
        stream.flush()
        raw = stream.detach()
        _kept.append(raw)  # freed, the old file object would close the descriptor
        return io.TextIOWrapper(
            WholeWrites(raw.fileno(), "wb", closefd=False),
            encoding=encoding,
            errors=errors,
            newline=newline,
            write_through=True,
        )
    except (OSError, ValueError, LookupError):
        return stream


_kept: list[io.RawIOBase] = []


def settle_stdout() -> None:
    """After a system error has been said: stdout's pending output is written now, or, when
    stdout is what failed (a full disk), sent nowhere, so that the final flush neither fails
    again nor says the same error twice."""
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        try:
            fd = os.open(os.devnull, os.O_WRONLY | getattr(os, "O_BINARY", 0))
            os.dup2(fd, sys.stdout.fileno())
            os.close(fd)
            sys.stdout.flush()
        except (OSError, ValueError):
            pass


class WholeWrites(io.FileIO):
    """An unbuffered file that writes all it is given or raises: the text layer over a plain
    file takes a short write for a whole one and loses the rest."""

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(data).cast("B")
        done = 0
        while done < len(view):
            n = super().write(view[done:])
            if n is None:  # a non-blocking descriptor that is full: wait for it
                time.sleep(0.01)
                continue
            done += n
        return done


_near: dict[tuple[str, str], str] = {}
# punctuation and signs without a compatibility form in plain letters
_SIGNS = {
    "“": '"',
    "”": '"',
    "„": '"',
    "‘": "'",
    "’": "'",
    "–": "-",
    "—": "-",
    "−": "-",
    "≥": ">=",
    "≤": "<=",
    "≠": "!=",
    "→": "->",
    "←": "<-",
    "×": "x",
    "•": "*",
    "·": ".",
    "✓": "v",
    "✗": "x",
    "…": "...",
}


def readable(ch: str, encoding: str) -> str:
    """What stands for one character a code page lacks: as much of it as the code page has."""
    key = (ch, encoding)
    found = _near.get(key)
    if found is None:
        found = _near[key] = next((c for c in _candidates(ch) if _fits(c, encoding)), "?")
    return found


def readable_errors(encoding: str) -> str:
    """The name of an error handler writing `readable` stand-ins for `encoding` (registered once;
    a handler has to know its encoding: a charmap codec's errors name only "charmap")."""
    name = codecs.lookup(encoding).name
    handler = f"plan57.readable.{name}"
    try:
        codecs.lookup_error(handler)
    except LookupError:

        def near(exc: UnicodeError) -> tuple[str, int]:
            if not isinstance(exc, UnicodeEncodeError):
                raise exc
            return "".join(readable(ch, name) for ch in exc.object[exc.start : exc.end]), exc.end

        codecs.register_error(handler, near)
    return handler


def _fits(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except (UnicodeError, LookupError):
        return False
    return True


def _candidates(ch: str) -> list[str]:
    """Stand-ins, best first: every mark kept (those the code page composes with the letter
    composed, the others combining after it), then fewer marks, then a compatibility form
    (`…` as `...`), then the Latin letter the character's name gives (đ → d)."""
    parts = unicodedata.normalize("NFD", ch)
    base = "".join(c for c in parts if not unicodedata.combining(c))
    marks = [c for c in parts if unicodedata.combining(c)]
    out: list[str] = []
    for dropped in range(len(marks) + 1):
        for kept in itertools.combinations(marks, len(marks) - dropped):
            for size in range(len(kept), -1, -1):
                for composed in itertools.combinations(range(len(kept)), size):
                    head = unicodedata.normalize("NFC", base + "".join(kept[i] for i in composed))
                    out.append(head + "".join(m for i, m in enumerate(kept) if i not in composed))
    if ch in _SIGNS:
        out.append(_SIGNS[ch])
    compat = unicodedata.normalize("NFKD", ch)
    out.append("".join(c for c in compat if not unicodedata.combining(c)))
    words = unicodedata.name(ch, "").split()
    if len(words) >= 4 and words[0] == "LATIN" and words[2] == "LETTER" and len(words[3]) == 1:
        out.append(words[3].lower() if words[1] == "SMALL" else words[3])
    return [c for c in out if c]


def _end_on_sigterm() -> None:
    import signal

    global _pid
    _pid = os.getpid()
    try:
        signal.signal(signal.SIGTERM, _on_sigterm)
    except (ValueError, OSError):  # not the main thread: the default stays
        pass


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    import signal

    if os.getpid() != _pid:  # a forked child inherited the handler: it ends as it would have
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    raise Terminated()
