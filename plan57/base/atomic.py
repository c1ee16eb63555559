"""Atomic writes: a temporary file beside the target, then a rename."""

from __future__ import annotations

import os
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
    """Write `text` to `path` atomically (UTF-8); with overwrite=False an existing file is kept."""
    write_bytes(path, text.encode("utf-8"), overwrite)


def write_bytes(path: Path, data: bytes, overwrite: bool = True) -> None:
    """Write `data` to `path` atomically; with overwrite=False an existing file is kept."""
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise OutputError(f"không ghi được '{path}': {os_message(exc)}") from None
    try:
        os.chmod(tmp, _mode_for(path))  # mkstemp makes 0600; a report or template is for others too
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        if overwrite:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # fails if path exists: never overwrites
            os.unlink(tmp)
    except FileExistsError:
        os.unlink(tmp)
        raise OutputError(f"tệp '{path}' đã có; dùng --force để ghi đè") from None
    except OSError as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise OutputError(f"không ghi được '{path}': {os_message(exc)}") from None
