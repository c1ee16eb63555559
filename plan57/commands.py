"""`plan57 score` and `plan57 report` themselves, apart from any argument parser.

The full command line (cli.py) and the console entry point (entry.py), which reads their plain
arguments without loading the command-line library, both run these functions: each prints what
the command prints and returns its exit code. A reader that goes away early raises
BrokenPipeError to the caller, which ends the run quietly.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plan57.base.diagnostics import one_line
from plan57.base.errors import Plan57Error, PlanError, UsageError
from plan57.base.lifetime import keep

if TYPE_CHECKING:
    from plan57.scoring.score import YearResult


def say(line: str) -> None:
    """One line on stderr, at once."""
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def error_lines(error: Plan57Error) -> list[str]:
    """The library's errors as the lines every command prints for them."""
    if isinstance(error, PlanError):
        return [*(d.text() for d in error.diagnostics), "plan57: không đọc được tệp kế hoạch; hãy sửa các lỗi trên."]
    return [one_line(f"plan57: {error}")]


def fail(error: Plan57Error) -> int:
    """The library's errors as messages on stderr, and their exit code."""
    for line in error_lines(error):
        say(line)
    return 2


def name_invalid(result: YearResult, unit: str | None = None, later: dict[int, list[str]] | None = None) -> None:
    """Invalid files are never silently dropped: each is named on stderr (under --unit, the unit's
    own), and so are those of later years a default year passed over (`later`)."""
    from plan57.render.diagnostics import invalid_note, later_invalid_note

    for note in (invalid_note(result, unit), later_invalid_note(result.year, later or {})):
        if note:
            say(note)


def strict_code(result: YearResult, strict: bool) -> int:
    """1 under --strict when a file is invalid or a due target is not met; else 0."""
    if strict and (result.reporting.invalid_files or any(t.due and t.status != "met" for t in result.targets)):
        return 1
    return 0


def _write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def score(
    year: int | None,
    plan: Path | None,
    units: Path | None,
    fmt: str,
    unit: str | None,
    explain: bool,
    strict: bool,
    max_size: int,
    no_cache: bool,
    date: str | None = None,
) -> int:
    """`plan57 score`: each target and task of a year (`date`: the day taken as today, `--date`)."""
    from plan57.api import invalid_after, on_day, open_workspace, parse_date
    from plan57.api import score as compute
    from plan57.validation.locate import did_you_mean

    try:
        day = None if date is None else parse_date(date)
        with on_day(day):
            ws = open_workspace(plan, units, max_size, cache=not no_cache)
        if unit is not None and unit not in ws.plan.unit_index:
            raise UsageError(f"không có đơn vị '{unit}' trong danh mục" + did_you_mean(unit, ws.plan.unit_index))
        result = compute(ws, year)
        keep(ws, result)
    except Plan57Error as exc:
        return fail(exc)
    for note in ws.collection.notes:
        say(one_line(f"Ghi chú: {note}"))
    name_invalid(result, unit, invalid_after(ws, result.year) if year is None else None)
    if explain and unit is not None:  # said, not silently dropped
        say(
            "plan57: ghi chú: --explain không dùng cùng --unit: thẻ điểm của đơn vị đã ghi số liệu và lý do từng đánh giá"
        )
    if fmt == "json":
        from plan57.render.json import score_json, unit_dict

        _write((score_json(result, explain) if unit is None else unit_dict(result, unit)) + "\n")
    else:
        from plan57.render.text import render_explain, render_score, render_unit, stdout_console

        console = stdout_console()
        if unit is not None:
            render_unit(result, unit, console)
        else:
            render_score(result, console)
            if explain:
                render_explain(result, console)
    return strict_code(result, strict)


def report(
    year: int | None,
    plan: Path | None,
    units: Path | None,
    output: Path | None,
    fmt: str | None,
    date: str | None,
    number: str | None,
    template: Path | None,
    strict: bool,
    max_size: int,
    no_cache: bool,
) -> int:
    """`plan57 report`: the synthesis report, on stdout or in a file."""
    from plan57.api import invalid_after, on_day, open_workspace, parse_date, refuse_input_as_output, workspace_inputs
    from plan57.api import score as compute
    from plan57.base.atomic import write_bytes, write_text
    from plan57.render.formats import check_suffix, choose
    from plan57.render.markdown import default_template

    ahead = None
    if output is not None and str(output) == "-":
        output = None  # `-o -`: standard output, as the command-line convention has it
    try:
        chosen = choose(fmt, output, template is not None)
        when = dt.date.today() if date is None else parse_date(date)
        ahead = chosen.start_ahead(template)  # on the core the reading of the plan leaves idle
        # what the renderer prepares ahead of the data, done while the workers read the files
        prepare = getattr(ahead, "prepare", None)
        with on_day(None if date is None else when):
            ws = open_workspace(plan, units, max_size, cache=not no_cache, meanwhile=prepare)
        result = compute(ws, year)
        keep(ws, result)
        if output is not None:
            refuse_input_as_output(output, workspace_inputs(ws) + [template or default_template()])
            check_suffix(output, named=fmt is not None)
        extra: dict[str, Any] = {"template": template} if template is not None else {}
        if ahead is not None and chosen.takes_ahead:
            extra["ahead"] = ahead
        content = chosen.renderer()(result, when, number, **extra)
        keep(content)
        for note in ws.collection.notes:
            say(one_line(f"Ghi chú: {note}"))
        warn_report_date(ws.plan, result.year, when)
        name_invalid(result, later=invalid_after(ws, result.year) if year is None else None)
        if output is None:
            assert isinstance(content, str)  # choose() sends binary formats to a file
            _write(content)
        elif isinstance(content, bytes):
            write_bytes(output, content)
        else:
            write_text(output, content)
    except Plan57Error as exc:
        return fail(exc)
    finally:
        if ahead is not None:
            ahead.close()
    return strict_code(result, strict)


def warn_report_date(the_plan: Any, year: int, when: dt.date) -> None:
    """The report's date against the deadlines of its year (plan section VII), on stderr."""
    unit_deadline = the_plan.unit_deadline(year)
    synthesis = the_plan.synthesis_deadline(year)
    if when >= synthesis:
        say(
            f"plan57: cảnh báo: ngày báo cáo {when.strftime('%d/%m/%Y')} đã quá hạn gửi báo cáo tổng hợp năm {year} "
            f"(trước ngày {synthesis.strftime('%d/%m/%Y')}); ghi ngày khác bằng --date"
        )
    elif when < unit_deadline:
        say(
            f"plan57: cảnh báo: ngày báo cáo {when.strftime('%d/%m/%Y')} còn trước hạn các đơn vị gửi báo cáo năm "
            f"{year} (trước ngày {unit_deadline.strftime('%d/%m/%Y')}): số liệu có thể chưa đủ"
        )
