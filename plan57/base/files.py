"""Reading a file named by the user without ever blocking on it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from plan57.base.errors import os_message
from plan57.base.numbers import vn_int

DEFAULT_MAX_SIZE = 1024 * 1024  # the largest submission file read, in bytes (--max-size)


class NotReadable(Exception):
    """The file cannot be read; the message says why, in Vietnamese."""


def read_at_most(fd: int, max_size: int) -> bytes:
    """Up to max_size + 1 bytes from an open file: one byte more than allowed shows it grew."""
    chunks, left = [], max_size + 1
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_regular(path: Path, max_size: int) -> bytes:
    """The bytes of a regular file of at most max_size bytes.

    Opened without blocking and checked with fstat, so a named pipe or a device is refused at
    once instead of hanging the command.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise NotReadable(os_message(exc)) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise NotReadable("đây là một thư mục, không phải tệp")
        if not stat.S_ISREG(st.st_mode):
            raise NotReadable("đây không phải một tệp thông thường (đường ống, thiết bị…)")
        if st.st_size > max_size:
            raise NotReadable(f"tệp quá lớn ({vn_int(st.st_size)} byte, giới hạn {vn_int(max_size)} byte)")
        data = read_at_most(fd, max_size)
        if len(data) > max_size:
            raise NotReadable(f"tệp quá lớn (hơn {vn_int(max_size)} byte)")
        return data
    except OSError as exc:
        raise NotReadable(os_message(exc)) from None
    finally:
        os.close(fd)
