"""Writing output files: a temporary file beside the target, then a rename.

What `-o` names is handled deliberately:
- a regular file (or a new name) is replaced atomically: readers see the old or the new file,
  never half of one, and the temporary file is removed on every path out (an error, a full
  disk, an interrupt, a SIGTERM once `base.console.setup` has made it one);
- a special file (`/dev/null`, a terminal, a named pipe) is written into directly: it is never
  replaced by a regular file;
- a symbolic link is followed: its target is written (atomically when it is a regular file)
  and the link itself stays a link; a link another user owns in a folder others can write
  (`/tmp`) is refused, as Linux's `protected_symlinks` refuses it to a shell's `>`;
- a folder is refused with one clear line;
- a file another program holds open (Word or Excel on Windows: the rename is refused) is one
  line saying to close it, the old file left as it was.

Only calls every platform has are made unconditionally: the mode is set by `os.fchmod` where
it exists, else `os.chmod`; "never overwrite" is `os.link` where it exists and works (FAT drives
and many network shares have no hard links), else a reservation made with `O_CREAT | O_EXCL`,
which no second writer can take, replaced by the finished file.
"""

from __future__ import annotations

import os
import stat
import tempfile
import time
from pathlib import Path

from plan57.base.errors import OutputError, os_message

# Windows' "the file is used by another process" (32), "locked" (33) and "access denied" (5,
# what replacing a file open without FILE_SHARE_DELETE gives)
_IN_USE = (5, 32, 33)
_RETRIES = (0.05, 0.15, 0.3)  # an indexer or an antivirus holds a new file for a moment


class OutputExists(OutputError):
    """The target exists and the write was asked never to replace it."""


def _exists(shown: str) -> OutputExists:
    return OutputExists(f"tệp '{shown}' đã có; dùng --force để ghi đè")


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
    if os.path.islink(path):
        _refuse_foreign_links(path, shown)
        target = Path(os.path.realpath(path))
    else:
        target = Path(path)
    try:
        st = os.stat(target)
    except OSError:
        st = None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise OutputError(f"không ghi được '{shown}': đây là một thư mục, không phải tệp")
    if st is not None and not stat.S_ISREG(st.st_mode):
        if not overwrite:
            raise _exists(shown)
        _write_special(target, data, shown)
        return
    _replace(target, data, overwrite, shown)


def _refuse_foreign_links(path: Path, shown: str) -> None:
    """Each link on the way to the target: refused when another user owns it in a folder others
    can write (sticky or world-writable) that this user does not own either, which is where
    Linux's protected_symlinks stops a shell's `>`. Only where the platform has owners."""
    geteuid = getattr(os, "geteuid", None)
    if geteuid is None:
        return
    me = geteuid()
    hop = os.fspath(path)
    for _ in range(40):  # the system's own limit on links followed
        try:
            link = os.lstat(hop)
            if not stat.S_ISLNK(link.st_mode):
                return
            folder = os.stat(os.path.dirname(hop) or ".")
            shared = folder.st_mode & (stat.S_ISVTX | stat.S_IWOTH)
            if shared and link.st_uid not in (me, folder.st_uid):
                raise OutputError(
                    f"không ghi vào '{shown}': '{hop}' là liên kết tượng trưng của người dùng khác trong một thư "
                    "mục ai cũng ghi được; hãy chọn tệp khác"
                )
            hop = os.path.join(os.path.dirname(hop), os.readlink(hop))
        except OSError:
            return  # what is not there or cannot be read: the write itself says what is wrong


def write_all(fd: int, data: bytes) -> None:
    """Every byte of data to an open descriptor, then closed (a short write is carried on)."""
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _write_special(target: Path, data: bytes, shown: str) -> None:
    """A device or a named pipe: written in place, as the shell's `>` would."""
    try:
        write_all(os.open(target, os.O_WRONLY | getattr(os, "O_BINARY", 0)), data)
    except OSError as exc:
        raise OutputError(f"không ghi được '{shown}': {os_message(exc)}") from None


def _file_in_the_way(folder: Path) -> Path | None:
    """The part of a folder's path that exists and is not a folder (a file where a folder must be)."""
    for part in [*reversed(folder.parents), folder]:
        if os.path.lexists(part) and not os.path.isdir(part):
            return part
    return None


def in_use(exc: OSError) -> bool:
    """Whether a failed rename means another program holds the file open (Windows)."""
    return isinstance(exc, PermissionError) and getattr(exc, "winerror", None) in _IN_USE


def in_use_message(shown: str) -> str:
    return (
        f"không ghi được '{shown}': tệp đang được mở trong một chương trình khác (Word, Excel…); "
        "hãy đóng tệp đó rồi chạy lại lệnh"
    )


def _replace(target: Path, data: bytes, overwrite: bool, shown: str) -> None:
    parent = target.parent if str(target.parent) else Path(".")
    blocker = _file_in_the_way(parent)
    if blocker is not None:
        raise OutputError(f"không ghi được '{shown}': '{blocker}' là một tệp, không phải thư mục")
    if not overwrite and os.path.lexists(target):
        raise _exists(shown)
    tmp: str | None = None
    try:
        try:
            parent.mkdir(parents=True, exist_ok=True)
            # mkstemp opens with O_EXCL, O_NOFOLLOW and O_BINARY where the platform has them
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
            with os.fdopen(fd, "wb") as fh:
                _set_mode(fh.fileno(), tmp, _mode_for(target))  # mkstemp makes 0600; a report is for others too
                fh.write(data)
            if overwrite:
                _rename(tmp, target)
            else:
                _place_new(tmp, target, shown)
        except FileExistsError:
            raise _exists(shown) from None
        except OSError as exc:
            if in_use(exc):
                raise OutputError(in_use_message(shown)) from None
            raise OutputError(f"không ghi được '{shown}': {os_message(exc)}") from None
    finally:  # every path out, an interrupt included: no temporary file is left behind
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _set_mode(fd: int, path: str, mode: int) -> None:
    """The mode bits, where the platform has them (Windows keeps only the read-only flag)."""
    if hasattr(os, "fchmod"):
        os.fchmod(fd, mode)
    else:
        os.chmod(path, mode)


def _rename(tmp: str, target: Path) -> None:
    """os.replace, tried again for a moment when another program holds the target (Windows)."""
    for pause in (*_RETRIES, None):
        try:
            os.replace(tmp, target)
            return
        except OSError as exc:
            if pause is None or not in_use(exc):
                raise
            time.sleep(pause)


def _place_new(tmp: str, target: Path, shown: str) -> None:
    """Put the finished file at `target` only if nothing is there, atomically: a writer that
    comes second is refused (FileExistsError), whoever checked first."""
    link = getattr(os, "link", None)
    if link is not None:
        try:
            link(tmp, target)
            return
        except FileExistsError:
            raise
        except OSError:
            pass  # no hard links on this drive (FAT, a network share): reserve the name instead
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(target, flags, 0o600)
    try:
        mine = os.fstat(fd)
    finally:
        os.close(fd)
    try:
        _rename(tmp, target)
    except BaseException:
        try:  # the empty reservation is ours: take it back, and only it
            if os.path.samestat(mine, os.lstat(target)):
                os.unlink(target)
        except OSError:
            pass
        raise
