"""Nothing is lost (SPEC §10): the previous version of a replaced submission, and the receipt log.

- `keep_version` copies a file about to be replaced to `.phien-ban/UNIT.<timestamp>.yaml` beside
  it, atomically and never over another version; the timestamp (UTC, ISO 8601 basic form, no ':')
  sorts as the versions were made.
- `append_receipt` adds one line to a year's receipt log `nhat-ky-nhan.csv` (UTF-8 with a BOM, so
  that Excel reads it right; a header line once). Two imports at once each append whole lines: the
  header is created with the file in one atomic step, and every line is one write in append mode.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
from pathlib import Path

from plan57.base.atomic import write_bytes
from plan57.base.errors import OutputError, os_message
from plan57.base.paths import VERSIONS_DIR

RECEIPT_HEADER = ("Thời gian", "Đơn vị", "Biểu mẫu", "SHA-256", "Kết quả", "Lý do")
WRITTEN, SKIPPED, FAILED = "ghi", "bỏ qua", "lỗi"
_BOM = "\ufeff".encode()
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a cell Excel would read as a formula


def version_name(path: Path, when: dt.datetime) -> str:
    stamp = when.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{path.stem}.{stamp}{path.suffix}"


def keep_version(path: Path, now: dt.datetime | None = None) -> Path:
    """Copy `path` into its folder's .phien-ban/ before it is replaced; the copy's path."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise OutputError(f"không đọc được '{path}' để lưu bản trước: {os_message(exc)}") from None
    when = now or dt.datetime.now(dt.UTC)
    folder = path.parent / VERSIONS_DIR
    for _ in range(1000):  # two replacements within a second: the later one a second on, still in order
        target = folder / version_name(path, when)
        if not os.path.lexists(target):
            try:
                write_bytes(target, data, overwrite=False)
                return target
            except OutputError:
                if not os.path.lexists(target):
                    raise
        when += dt.timedelta(seconds=1)
    raise OutputError(f"không lưu được bản trước của '{path}' trong {folder}")


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in pieces; empty when it cannot be read."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return ""
    return digest.hexdigest()


class TextFormula(str):
    """A cell written as plan57 builds it, a formula that gives a text (`="0912345678"`)."""


def as_text_formula(value: str) -> TextFormula:
    return TextFormula('="' + value.replace('"', '""') + '"')


def csv_cell(value: object) -> str:
    """A text as a CSV cell Excel shows as text: one starting like a formula gets a leading quote."""
    if isinstance(value, TextFormula):
        return str(value)
    shown = "" if value is None else str(value)
    return "'" + shown if shown.startswith(_FORMULA_START) else shown


def csv_line(fields: list[object]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow([csv_cell(f) for f in fields])
    return buf.getvalue()


def csv_text(header: tuple[str, ...] | list[str], rows: list[list[object]]) -> bytes:
    """A whole CSV file for Excel: UTF-8 with a BOM, CRLF line ends."""
    lines = [csv_line(list(header)), *(csv_line(row) for row in rows)]
    return _BOM + "".join(lines).encode("utf-8", "backslashreplace")


def now_iso() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def read_receipts(log: Path) -> list[list[str]]:
    """The lines of a receipt log after its header, oldest first ([] when there is none)."""
    try:
        with open(log, "rb") as f:
            text = f.read().decode("utf-8-sig", "replace")
    except OSError:
        return []
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return [row for row in rows[1:] if len(row) >= len(RECEIPT_HEADER) - 1]


def refused_units(log: Path) -> dict[str, tuple[dt.date | None, str]]:
    """The units whose latest form read for the year was refused for its errors, with no form of
    theirs written since: they sent a report, an invalid one (SPEC §10). Unit → (the day it came,
    None if the log's time does not read, and the log's reason: how many errors and the first)."""
    last: dict[str, list[str]] = {}
    for row in read_receipts(log):
        unit, result = row[1], row[4]
        if unit and result in (WRITTEN, FAILED):
            last[unit] = row
    return {unit: (_day_of(row[0]), row[5] if len(row) > 5 else "") for unit, row in last.items() if row[4] == FAILED}


def _day_of(stamp: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(stamp[:10])
    except ValueError:
        return None


def append_receipt(log: Path, unit: str | None, form: str, sha256: str, result: str, reason: str) -> None:
    """Append one line to the receipt log `log`, creating it with its header first."""
    if not os.path.lexists(log):
        try:
            write_bytes(log, _BOM + csv_line(list(RECEIPT_HEADER)).encode(), overwrite=False)
        except OutputError:
            if not os.path.lexists(log):  # not another import creating it at the same moment
                raise
    line = csv_line([now_iso(), unit or "", form, sha256, result, reason]).encode("utf-8", "backslashreplace")
    flags = os.O_WRONLY | os.O_APPEND | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(log, flags)
        try:
            os.write(fd, line)  # one write per line: lines of two imports never interleave
        finally:
            os.close(fd)
    except OSError as exc:
        raise OutputError(f"không ghi được nhật ký nhận '{log}': {os_message(exc)}") from None
