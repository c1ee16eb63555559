"""The library's own exceptions; the CLI maps each to a message and an exit code."""

from __future__ import annotations

import errno

from plan57.base.diagnostics import Diagnostic

_OS_MESSAGES = {
    errno.ENOENT: "không có tệp hoặc thư mục này",
    errno.EACCES: "không có quyền truy cập",
    errno.EPERM: "không có quyền truy cập",
    errno.EISDIR: "đây là một thư mục, không phải tệp",
    errno.ENOTDIR: "một phần của đường dẫn không phải thư mục",
    errno.ENOSPC: "ổ đĩa đã đầy",
    errno.EROFS: "ổ đĩa chỉ cho đọc",
    errno.EEXIST: "tệp đã có",
    errno.ELOOP: "đường dẫn có liên kết tượng trưng vòng lặp",
    errno.ENAMETOOLONG: "tên tệp quá dài",
    errno.EDQUOT: "đã vượt hạn mức dung lượng",
    errno.EFBIG: "tệp quá lớn",
    errno.ENXIO: "không có thiết bị hoặc chưa có bên đọc",
    errno.EBUSY: "tệp đang bận",
    errno.EIO: "lỗi đọc/ghi ổ đĩa",
}


def os_message(exc: OSError) -> str:
    """An operating-system error in Vietnamese."""
    if getattr(exc, "winerror", None) in (32, 33):  # Windows: another program holds the file open
        return "tệp đang được mở trong một chương trình khác (Word, Excel…)"
    known = _OS_MESSAGES.get(exc.errno or -1)
    if known is not None:
        return known
    return f"lỗi hệ thống số {exc.errno}" if exc.errno else "lỗi hệ thống"


class Plan57Error(Exception):
    """Base of plan57's own errors."""


class PlanError(Plan57Error):
    """The plan file cannot be read or is not a valid plan (exit 2)."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__("; ".join(d.text() for d in diagnostics))
        self.diagnostics = diagnostics


class UsageError(Plan57Error):
    """The command was called wrongly (exit 2)."""


class OutputError(Plan57Error):
    """An output file cannot be written (exit 2)."""


def unexpected_message(exc: Exception) -> str:
    """An error nothing below expected, as the one line the program prints for it."""
    from plan57.base.diagnostics import one_line

    return (
        one_line(f"plan57: lỗi không mong đợi ({type(exc).__name__}: {exc}). ")[:1000]
        + "Hãy chạy lại lệnh với --debug để xem chi tiết và gửi cho người phát triển.\n"
    )
