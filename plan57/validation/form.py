"""An Excel form checked by the rules of every submission, each problem located at its cell."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from plan57.base.diagnostics import Diagnostic, column_letter
from plan57.loading.xlsx_form import DEFAULT_FORM_MAX_SIZE, FormError, read_form
from plan57.model.form import audience_names, example_date, form_wording, labelled
from plan57.model.plan import Plan
from plan57.validation.locate import did_you_mean
from plan57.validation.validate import display_path, validate_document


@dataclass
class FormResult:
    """One form after validation: its data when it has no error."""

    path: Path
    display: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    data: dict[str, Any] | None = None  # the submission as read, when the form has no error
    unit: str | None = None
    year: int | None = None
    untouched: bool = False  # no input cell changed from what `new` wrote: not a report

    @property
    def valid(self) -> bool:
        return self.data is not None and not any(d.is_error for d in self.diagnostics)


def _named_unit(path: Path, plan: Plan) -> str | None:
    """The unit a form's file name names: its stem (any case) is a unit's id, or begins with one
    followed by what mail clients and clerks add: 'xa-muong-la (1).xlsx', 'XA-MUONG-LA-sua.xlsx',
    'xa-muong-la_v2.xlsx'. The longest such id; None for a name like 'baocao.xlsx'."""
    stem = path.stem.lower()
    found = [u for u in plan.unit_index if stem == u or re.match(re.escape(u) + r"[\s(_.\-]", stem)]
    return max(found, key=len) if found else None


def check_form(path: Path, plan: Plan, max_size: int = DEFAULT_FORM_MAX_SIZE) -> FormResult:
    shown = display_path(path)
    result = FormResult(path=path, display=shown)
    try:
        read = read_form(path, plan, shown, max_size)
    except FormError as exc:
        result.diagnostics = exc.diagnostics
        return result
    data = read.doc.data
    unit, year = data.get("unit"), data.get("year")
    known_unit = unit if isinstance(unit, str) and unit in plan.unit_index else None
    good_year = year if isinstance(year, int) and not isinstance(year, bool) and year in plan.years else None
    out = [  # what the reader says of a cell names it by its label; of a defined name, by the name
        d if d.code in ("form-name", "form-label") else dataclasses.replace(d, message=labelled(d.message, read.labels))
        for d in read.problems
    ]

    def at(key: str) -> tuple[int, int]:
        loc = read.doc.value_loc((key,))
        return loc.line, loc.col

    named = _named_unit(path, plan)
    if known_unit and named and named != known_unit:
        out.append(
            Diagnostic(
                shown,
                *at("unit"),
                "error",
                "form-unit",
                f"biểu mẫu này là của đơn vị '{known_unit}' ({plan.unit_index[known_unit].name}) nhưng tên tệp "
                f"gợi ý đơn vị '{named}': hãy kiểm tra đã gửi đúng tệp chưa",
                sheet=read.sheet,
            )
        )
    folder = path.parent.name
    if good_year is not None and re.fullmatch(r"\d{4}", folder) and int(folder) != good_year:
        out.append(
            Diagnostic(
                shown,
                *at("year"),
                "error",
                "form-year",
                f"biểu mẫu này là báo cáo năm {good_year} nhưng nằm trong thư mục năm {folder}: "
                "hãy kiểm tra đã gửi đúng tệp chưa",
                sheet=read.sheet,
            )
        )
    target = Path(f"{known_unit or named or path.stem}.yaml")
    checked = validate_document(read.doc, plan, shown, target, good_year)
    chosen = _chosen_cells(data, read.doc.values, plan)
    for d in checked.diagnostics:
        if d.code == "year-folder" or (d.code == "unknown-unit-file" and known_unit is None):
            continue  # a form is not filed in a folder; a bad unit cell is already reported
        message = labelled(
            form_wording(d.message, example_date(plan, good_year) if good_year is not None else None), read.labels
        )
        if d.is_error and (d.line, d.col) in chosen:
            message = chosen[(d.line, d.col)]
        if d.code == "empty-fields":
            message = _empty_cells(data, read.doc)
        out.append(Diagnostic(shown, d.line, d.col, d.severity, d.code, message, sheet=read.sheet))
    out.sort(key=lambda d: (d.line, d.col))
    result.diagnostics = out
    # feedback and the receipt log go to the unit and year the form was made for, whatever was typed over them
    result.unit, result.year = read.signed or (known_unit, good_year)
    # a form pre-filled from a report that was sent (its `submitted` date) is that report: returned as
    # it was made it gives the report back (SPEC §7's round trip); a blank or carried-over form is none
    result.untouched = read.untouched and data.get("submitted") is None
    if checked.record is not None and not any(d.is_error for d in out):
        result.data = data
    return result


def _empty_cells(data: dict[str, Any], doc: Any) -> str:
    """The empty-fields warning of a form, naming the cells a clerk can find, not key paths."""
    from plan57.validation.rules import empty_fields

    empty = empty_fields(data)
    locs = sorted(set(map(doc.value_loc, empty)), key=lambda loc: (loc.line, loc.col))
    cells = [f"{column_letter(loc.col)}{loc.line}" for loc in locs]
    return f"còn {len(empty)} ô để trống, được tính là chưa báo cáo (không phải 0): các ô {', '.join(cells)}"


def _chosen_cells(data: dict[str, Any], values: dict[tuple[Any, ...], Any], plan: Plan) -> dict[tuple[int, int], str]:
    """What to say of a cell whose drop-down value is not in the plan, by the names the drop-down
    shows (not the plan's ids): (row, column) → message."""
    names = audience_names(plan)
    out: dict[tuple[int, int], str] = {}
    training = data.get("training")
    task_ids = [t.id for t in plan.tasks]
    for path, loc in values.items():
        if len(path) == 2 and path[0] == "tasks" and path[1] == "":
            out[(loc.line, loc.col)] = (  # an events row whose task cell was left empty
                f"chưa chọn nhiệm vụ của sự kiện ở dòng này: hãy chọn một trong: {', '.join(task_ids)}"
            )
            continue
        if len(path) == 2 and path[0] == "tasks" and str(path[1]) not in plan.task_index:
            out[(loc.line, loc.col)] = (  # an events row's task column: the drop-down lists task ids
                f"nhiệm vụ '{path[1]}' không có trong kế hoạch{plan.section_ref('tasks')}{did_you_mean(str(path[1]), task_ids)}: "
                f"hãy chọn một trong: {', '.join(task_ids)}"
            )
            continue
        if len(path) != 3 or path[0] != "training" or path[2] != "audience" or not isinstance(training, list):
            continue
        item = training[path[1]] if isinstance(path[1], int) and path[1] < len(training) else None
        value = item.get("audience") if isinstance(item, dict) else None
        if value is None or value in names:
            continue
        shown = list(names.values())
        out[(loc.line, loc.col)] = (
            f"đối tượng '{value}' không có trong danh sách của ô{_audience_hint(str(value), shown)}: "
            f"hãy chọn một trong: {'; '.join(repr_vn(name) for name in shown)}"
        )
    return out


def repr_vn(name: str) -> str:
    """A choice quoted, as a list of choices names it (a name may hold commas)."""
    return f"'{name}'"


def _audience_hint(value: str, shown: list[str]) -> str:
    """The one choice whose words hold every word typed (accents and case aside), if only one does:
    'sinh vien' → 'sinh viên'; 'thanh niên' matches no choice by its words, so none is guessed."""
    from plan57.validation.locate import fold

    words = set(fold(value).replace(",", " ").split())
    hits = [name for name in shown if words and words <= set(fold(name).replace(",", " ").split())]
    return f"; có phải ý bạn là '{hits[0]}'?" if len(hits) == 1 else ""
