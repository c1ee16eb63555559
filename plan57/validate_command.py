"""`plan57 validate` itself, apart from any argument parser: the full command line (cli.py) and
the console entry point (entry.py), which reads plain `validate` arguments without loading the
command-line library, both run it and print what it returns."""

from __future__ import annotations

from pathlib import Path

from plan57.base.errors import Plan57Error
from plan57.base.lifetime import keep


def run(
    paths: list[Path] | None,
    plan: Path | None,
    units: Path | None,
    max_size: int,
    no_cache: bool,
    fmt: str,
    quiet: bool,
    date: str | None = None,
) -> tuple[list[str], str, int]:
    """Lines for stderr, the text for stdout and the exit code of `validate` (`date`: the day
    taken as today, `--date`)."""
    from plan57.api import on_day, open_plan, parse_date, units_folder
    from plan57.commands import error_lines
    from plan57.render.diagnostics import validation_output
    from plan57.validation.validate import validate_paths, validate_tree

    try:
        day = None if date is None else parse_date(date)
        the_plan = open_plan(plan, not no_cache)[0]
        with on_day(day):
            if paths:
                coll = validate_paths(paths, the_plan, max_size, cache=not no_cache, records=False)
            else:
                coll = validate_tree(units_folder(units), the_plan, max_size, cache=not no_cache, records=False)
    except Plan57Error as exc:
        return error_lines(exc), "", 2
    keep(the_plan, coll)
    from plan57.validation.plan_file import plan_warnings

    return validation_output(
        plan_warnings(the_plan) + coll.diagnostics, coll.files, coll.notes, fmt, quiet, list_drafts_hint(units)
    )


def list_drafts_hint(units: Path | None) -> str:
    """The command that lists the drafts, for the same units folder."""
    return "plan57 units --state nhap" + (f" --units {units}" if units is not None else "")
