"""The library's own exceptions; the CLI maps each to a message and an exit code."""

from __future__ import annotations

from .diagnostics import Diagnostic


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
