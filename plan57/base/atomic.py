"""Writing output files: a temporary file beside the target, then a rename.

What `-o` names is handled deliberately:
- a regular file (or a new name) is replaced atomically: readers see the old or the new file,
  never half of one, and the temporary file is removed on every path out (an error, a full
  disk, an interrupt);
- a special file (`/dev/null`, a terminal, a named pipe) is written into directly: it is never
  replaced by a regular file;
- a symbolic link is followed: its target is written (atomically when it is a regular file)
  and the link itself stays a link;
- a folder is refused with one clear line.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from plan57.base.errors import OutputError, os_message


def _mode_for(path: Path) -> int:
    """The mode of the file being replaced, else what a plain new file would get (umask)."""
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_text(path: Path, text: str, overwrite: bool = True) -> None:
    """Write `text` to `path` (UTF-8, \\n line ends); with overwrite=False an existing file is kept."""
    write_bytes(path, text.encode("utf-8", errors="backslashreplace"), overwrite)


def write_bytes(path: Path, data: bytes, overwrite: bool = True) -> None:
    """Write `data` to `path` as the module docstring says."""
    shown = str(path)
    target = Path(os.path.realpath(path)) if os.path.islink(path) else Path(path)
    try:
        st = os.stat(target)
    except OSError:
        st = None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise OutputError(f"không ghi được '{shown}': đây là một thư mục, không phải tệp")
    if st is not None and not stat.S_ISREG(st.st_mode):
        if not overwrite:
            raise OutputError(f"tệp '{shown}' đã có; dùng --force để ghi đè")
        _write_special(target, data, shown)
        return
    _replace(target, data, overwrite, shown)


def _write_special(target: Path, data: bytes, shown: str) -> None:
    """A device or a named pipe: written in place, as the shell's `>` would."""
    try:
        fd = os.open(target, os.O_WRONLY)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
    except OSError as exc:
        raise OutputError(f"không ghi được '{shown}': {os_message(exc)}") from None


def _file_in_the_way(folder: Path) -> Path | None:
    """The part of a folder's path that exists and is not a folder (a file where a folder must be)."""
    for part in [*reversed(folder.parents), folder]:
        if os.path.lexists(part) and not os.path.isdir(part):
            return part
    return None


def _replace(target: Path, data: bytes, overwrite: bool, shown: str) -> None:
    parent = target.parent if str(target.parent) else Path(".")
    blocker = _file_in_the_way(parent)
    if blocker is not None:
        raise OutputError(f"không ghi được '{shown}': '{blocker}' là một tệp, không phải thư mục")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise OutputError(f"không ghi được '{shown}': {os_message(exc)}") from None
    try:
        try:
            with os.fdopen(fd, "wb") as fh:
                os.fchmod(fh.fileno(), _mode_for(target))  # mkstemp makes 0600; a report is for others too
                fh.write(data)
            if overwrite:
                os.replace(tmp, target)
            else:
                os.link(tmp, target)  # fails if the target exists: never overwrites
        except FileExistsError:
            raise OutputError(f"tệp '{shown}' đã có; dùng --force để ghi đè") from None
        except OSError as exc:
            raise OutputError(f"không ghi được '{shown}': {os_message(exc)}") from None
    finally:  # every path out, an interrupt included: no temporary file is left behind
        try:
            os.unlink(tmp)
        except OSError:
            pass
