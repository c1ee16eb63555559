"""Diagnostics are data: every front end (text, JSON, CI annotations) prints the same list."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]

SEVERITY_LABEL = {"error": "lỗi", "warning": "cảnh báo"}


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem found in one file, located at a 1-based line and column.

    In a workbook (an Excel form) the location is a cell: `sheet` names the sheet, `line` is the
    row and `col` the column. Line 0 means the whole file.
    """

    path: str
    line: int
    col: int
    severity: Severity
    code: str
    message: str
    sheet: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        # a file name or a value quoted in a message may hold control characters or lone
        # surrogates: shown as escapes, so no output (terminal, JSON, annotations) carries them
        object.__setattr__(self, "path", one_line(self.path))
        object.__setattr__(self, "message", one_line(self.message))

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    @property
    def cell(self) -> str | None:
        """The cell reference (C14) of a workbook diagnostic."""
        if self.sheet is None or self.line < 1:
            return None
        return f"{column_letter(self.col)}{self.line}"

    @property
    def where(self) -> str:
        """FILE:LINE:COL, FILE:Sheet!C14, or FILE alone for the whole file."""
        if self.line < 1:
            return self.path
        if self.sheet is not None:
            return f"{self.path}:{self.sheet}!{self.cell}"
        return f"{self.path}:{self.line}:{self.col}"

    def text(self) -> str:
        """One line, whatever the file's name or text hold."""
        return one_line(f"{self.where}: {SEVERITY_LABEL[self.severity]}: {self.message}")

    def github(self) -> str:
        kind = "error" if self.is_error else "warning"
        pairs: list[tuple[str, object]] = [("file", self.path)]
        message = self.message
        if self.sheet is not None:
            if self.cell is not None:
                message = f"{self.sheet}!{self.cell}: {message}"
        elif self.line >= 1:
            pairs += [("line", self.line), ("col", self.col)]
        pairs.append(("title", self.code))
        props = ",".join(f"{k}={_gh_property(str(v))}" for k, v in pairs)
        return f"::{kind} {props}::{_gh_data(message)}"

    def as_dict(self) -> dict[str, object]:
        """The JSON record: a workbook diagnostic also names its sheet and cell."""
        out: dict[str, object] = asdict(self)
        del out["sheet"]
        if self.sheet is not None:
            out["sheet"] = self.sheet
            out["cell"] = self.cell
        return out


def column_letter(col: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while col > 0:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters or "A"


def one_line(text: str) -> str:
    """Control characters (a newline in a key or a value), lone surrogates and other unprintable
    characters shown as escapes, never as a break or a terminal command."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def _gh_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(value: str) -> str:
    return _gh_data(value).replace(":", "%3A").replace(",", "%2C")


def to_json(diagnostics: Iterable[Diagnostic]) -> str:
    return json.dumps([d.as_dict() for d in diagnostics], ensure_ascii=False, indent=2)


def count(diagnostics: Iterable[Diagnostic]) -> tuple[int, int]:
    """(errors, warnings)."""
    errors = warnings = 0
    for d in diagnostics:
        if d.is_error:
            errors += 1
        else:
            warnings += 1
    return errors, warnings
