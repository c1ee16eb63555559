"""Diagnostics are data: every front end (text, JSON, CI annotations) prints the same list."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]

SEVERITY_LABEL = {"error": "lỗi", "warning": "cảnh báo"}


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem found in one file, located at a 1-based line and column."""

    path: str
    line: int
    col: int
    severity: Severity
    code: str
    message: str

    def __post_init__(self) -> None:
        # a file name or a value quoted in a message may hold control characters or lone
        # surrogates: shown as escapes, so no output (terminal, JSON, annotations) carries them
        object.__setattr__(self, "path", one_line(self.path))
        object.__setattr__(self, "message", one_line(self.message))

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def text(self) -> str:
        """One line, whatever the file's name or text hold."""
        return one_line(f"{self.path}:{self.line}:{self.col}: {SEVERITY_LABEL[self.severity]}: {self.message}")

    def github(self) -> str:
        kind = "error" if self.is_error else "warning"
        props = ",".join(
            f"{k}={_gh_property(str(v))}"
            for k, v in (("file", self.path), ("line", self.line), ("col", self.col), ("title", self.code))
        )
        return f"::{kind} {props}::{_gh_data(self.message)}"


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
    return json.dumps([asdict(d) for d in diagnostics], ensure_ascii=False, indent=2)


def count(diagnostics: Iterable[Diagnostic]) -> tuple[int, int]:
    """(errors, warnings)."""
    errors = warnings = 0
    for d in diagnostics:
        if d.is_error:
            errors += 1
        else:
            warnings += 1
    return errors, warnings
