"""`plan57 validate` itself, apart from any argument parser: the full command line (cli.py) and
the console entry point (entry.py), which reads plain `validate` arguments without loading the
command-line library, both run it and print what it returns."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
    from plan57.render.progress import show_reading
    from plan57.validation.validate import validate_paths, validate_tree

    show_reading()
    try:
        day = None if date is None else parse_date(date)
        the_plan = open_plan(plan, not no_cache)[0]
        with on_day(day):
            if paths:
                forms = [p for p in paths if p.suffix.lower() in FORM_SUFFIXES and not p.is_dir()]
                rest = [p for p in paths if p not in forms]
                coll = validate_paths(rest, the_plan, max_size, cache=not no_cache, records=False) if rest else None
                coll = _with_forms(coll, forms, the_plan)
            else:
                coll = validate_tree(units_folder(units), the_plan, max_size, cache=not no_cache, records=False)
    except Plan57Error as exc:
        return error_lines(exc), "", 2
    keep(the_plan, coll)
    from plan57.validation.plan_file import plan_warnings

    return validation_output(
        plan_warnings(the_plan) + coll.diagnostics, coll.files, coll.notes, fmt, quiet, list_drafts_hint(units)
    )


FORM_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".fods")  # a workbook: checked as `import` reads it


def _with_forms(coll: Any, forms: list[Path], plan: Any) -> Any:
    """The collection with each Excel form checked by the rules `import` applies, located at its
    cells (sheet!cell); nothing is written."""
    from plan57.validation.form import check_form
    from plan57.validation.validate import Collection, FileResult, find_paths

    out = coll if coll is not None else Collection()
    find_paths(forms)  # a form not found is said as any path is (a usage error)
    for path in forms:
        r = check_form(path, plan)
        out.files.append(FileResult(path, r.display, None, r.diagnostics, r.data))
    return out


def list_drafts_hint(units: Path | None) -> str:
    """The command that lists the drafts, for the same units folder."""
    return "plan57 units --state nhap" + (f" --units {units}" if units is not None else "")
