"""`validate`'s text output (one line per problem, drafts grouped, a summary), and the stderr line
naming the invalid files a score or a report leaves out.

Kept apart from the tables of `render/text.py` (and their terminal library): a `validate` run that
finds every file in the cache, or a report written to a file, should not pay for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from plan57.base.diagnostics import Diagnostic, count, one_line, to_json

if TYPE_CHECKING:
    from plan57.scoring.score import YearResult

DRAFT_CODE = "draft"  # the warning of a file without a sending date


def validation_lines(
    found: list[Diagnostic], files: list[Any], quiet: bool = False, list_drafts: str = "plan57 units --state nhap"
) -> list[str]:
    """`validate` in text: each problem on its line, the drafts grouped into one, then a summary
    that counts sent files, drafts and files with errors apart."""
    valid = {f.display for f in files if f.valid}
    drafts = [d for d in found if d.code == DRAFT_CODE and not d.is_error and d.path in valid]
    grouped = {id(d) for d in drafts}  # by identity: comparing dataclasses made this quadratic
    lines = [d.text() for d in found if id(d) not in grouped]
    if quiet:
        return lines
    draft_paths = {d.path for d in drafts}
    if len(drafts) == 1:
        lines.append(drafts[0].text())
    elif drafts:
        years = sorted({f.folder_year for f in files if f.display in draft_paths and f.folder_year})
        list_drafts += f" --year {years[0]}" if len(years) == 1 else ""
        lines.append(
            f"{len(drafts)} tệp là bản nháp (chưa ghi ngày gửi 'submitted'): các đơn vị này được tính là chưa "
            f"gửi báo cáo; xem danh sách bằng: {list_drafts}"
        )
    errors = sum(1 for d in found if d.is_error)
    warnings = sum(1 for d in found if not d.is_error) - len(drafts)
    invalid = sum(1 for f in files if not f.valid)
    draft_files = sum(1 for f in files if f.valid and f.display in draft_paths)
    sent = len(files) - invalid - draft_files
    drafts_part = f" (trong đó {draft_files} bản nháp chưa gửi, {sent} đã gửi)" if draft_files else ""
    other = " khác" if drafts else ""
    lines.append(
        f"Đã kiểm tra {len(files)} tệp: {len(files) - invalid} hợp lệ{drafts_part}, {invalid} có lỗi; "
        f"{errors} lỗi, {warnings} cảnh báo{other}."
    )
    return lines


def validation_output(
    diagnostics: list[Diagnostic], files: list[Any], notes: list[str], fmt: str, quiet: bool, list_drafts: str
) -> tuple[list[str], str, int]:
    """Everything `validate` prints, whether its results were just worked out or read from the
    cache: the notes for stderr, the text for stdout (text, json or github) and the exit code."""
    found = sorted(diagnostics, key=lambda d: (d.path, d.line, d.col))
    errors, _ = count(found)
    code = 1 if errors else 0
    if quiet:
        found = [d for d in found if d.is_error]
        notes = []
    if fmt == "json":
        return [one_line(f"Ghi chú: {n}") for n in notes], to_json(found), code
    lines = [d.github() for d in found] if fmt == "github" else validation_lines(found, files, quiet, list_drafts)
    return [one_line(f"Ghi chú: {n}") for n in notes], "\n".join(lines), code


def later_invalid_note(year: int, later: dict[int, list[str]]) -> str | None:
    """The stderr lines naming the invalid files of years after the default year `year`."""
    lines = [
        f"plan57: năm {y} chưa có báo cáo nào được tính (tệp của năm có lỗi hoặc là bản nháp) nên kết quả "
        f"là của năm {year}; "
        f"{len(files)} tệp có lỗi (xem bằng plan57 validate, chọn năm bằng --year {y}): " + ", ".join(files)
        for y, files in later.items()
    ]
    return "\n".join(lines) or None


def invalid_note(result: YearResult, unit_id: str | None = None) -> str | None:
    """The stderr line naming the year's invalid files; under `--unit` only the unit's own file is
    named, the others are one count."""
    from pathlib import PurePath

    files = result.reporting.invalid_files
    if not files:
        return None
    if unit_id is None:
        return f"plan57: {len(files)} tệp có lỗi nên không được tính (xem bằng plan57 validate): " + ", ".join(files)
    own = [f for f in files if PurePath(f).stem == unit_id]
    others = len(files) - len(own)
    parts = []
    if own:
        parts.append(
            f"plan57: tệp của đơn vị có lỗi nên không được tính (xem bằng plan57 validate {own[0]}): " + ", ".join(own)
        )
    if others:
        parts.append(f"plan57: ngoài ra {others} tệp của đơn vị khác có lỗi (xem bằng plan57 validate)")
    return "\n".join(parts)
