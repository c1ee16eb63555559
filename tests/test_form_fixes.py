"""The Excel form where a real cycle showed it misleads a clerk (SPEC §7, §10)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from plan57.cli import app
from plan57.model.plan import Plan
from tests.conftest import PLAN, cell_of

UNIT = "xa-muong-la"


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def new_form(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unit: str = UNIT, year: int = 2026) -> Path:
    monkeypatch.chdir(tmp_path)
    r = run("new", unit, "--year", str(year), "--format", "xlsx", "--plan", str(PLAN), "--force")
    assert r.exit_code == 0, r.output
    path = tmp_path / "forms" / str(year) / f"{unit}.xlsx"
    assert path.is_file()
    return path


def texts(path: Path) -> list[str]:
    """Every text a person reads in a workbook: cells of every sheet, validations' prompts and errors."""
    wb = openpyxl.load_workbook(path)
    out: list[str] = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            out += [str(c.value) for c in row if c.value is not None]
        for dv in ws.data_validations.dataValidation:
            out += [t for t in (dv.prompt, dv.error, dv.promptTitle, dv.errorTitle) if t]
    return out


# ---- 3. examples dated in the form's year ----------------------------------------------------


def test_a_2026_form_dates_its_examples_in_2026(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, plan: Plan) -> None:
    path = new_form(tmp_path, monkeypatch)
    # the plan's own words may hold a year: its title, number and its targets' ids ("2025.ke-hoach")
    own = [plan.plan.title, plan.plan.number, *(t.id for t in plan.targets)]
    shown = []
    for text in texts(path):
        for word in own:
            text = text.replace(word, "")
        shown += [text] if "2025" in text else []
    assert shown == []
    joined = "\n".join(texts(path))
    assert "03/12/2026" in joined  # two days before the deadline 05/12/2026
    assert plan.reporting_window(2026)[0] <= dt.date(2026, 12, 3) < plan.unit_deadline(2026)


def test_a_date_error_in_a_2026_form_gives_a_2026_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = new_form(tmp_path, monkeypatch)
    wb = openpyxl.load_workbook(path)
    sheet, ref = cell_of(wb, "submitted")
    wb[sheet][ref] = "ngày mai"
    wb.save(path)
    r = run("import", str(path), "--plan", str(PLAN))
    assert r.exit_code == 1
    line = next(x for x in r.output.splitlines() if f"{sheet}!{ref}" in x)
    assert "ví dụ 03/12/2026" in line and "2025" not in line


# ---- 4. the events table offers only this unit's tasks ---------------------------------------


def test_the_events_task_list_holds_only_the_units_tasks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, plan: Plan
) -> None:
    from plan57.model.form import LISTS_SHEET, MAIN_SHEET

    path = new_form(tmp_path, monkeypatch)
    wb = openpyxl.load_workbook(path)
    led = [t.id for t in plan.tasks if UNIT in {u.id for u in plan.select(t.leads)}]
    assert led and len(led) < len(plan.tasks)
    offered = [c.value for c in wb[LISTS_SHEET]["C"][1:] if c.value is not None]
    assert offered == led
    sheet_task_dvs = [dv for dv in wb[MAIN_SHEET].data_validations.dataValidation if "$C$" in str(dv.formula1)]
    assert [dv.formula1 for dv in sheet_task_dvs] == [f"'{LISTS_SHEET}'!$C$2:$C${len(led) + 1}"]
    # a task outside the list typed in the events table is still read and left to the rules (which
    # accept an event of a task the unit coordinates): it is kept, not dropped by the list
    other = next(t.id for t in plan.tasks if t.id not in led)
    ws = wb[MAIN_SHEET]
    from openpyxl.utils.cell import get_column_letter, range_boundaries

    min_col, min_row, _, _ = range_boundaries(ws.tables["events"].ref)
    ws[f"{get_column_letter(min_col)}{min_row + 1}"] = other
    ws[f"{get_column_letter(min_col + 1)}{min_row + 1}"] = dt.date(2026, 10, 10)
    ws[f"{get_column_letter(min_col + 2)}{min_row + 1}"] = "Hội thảo"
    ws[f"{get_column_letter(min_col + 3)}{min_row + 1}"] = 30
    wb.save(path)
    r = run("import", str(path), "--plan", str(PLAN))
    assert r.exit_code == 0, r.output
    written = (tmp_path / "data" / "units" / "2026" / f"{UNIT}.yaml").read_text(encoding="utf-8")
    assert "Hội thảo" in written and other in written


# ---- 1. phone as text ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "kept"),
    [(912345678, "0912345678"), (2123852123, "02123852123"), ("0912345678", "0912345678"), (113, "113")],
)
def test_a_phone_cell_is_text_and_a_phone_typed_as_a_number_keeps_its_leading_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, typed: Any, kept: str
) -> None:
    path = new_form(tmp_path, monkeypatch)
    wb = openpyxl.load_workbook(path)
    sheet, ref = cell_of(wb, "contact.phone")
    assert wb[sheet][ref].number_format == "@"
    wb[sheet][ref] = typed  # a number typed before the format, as Excel stores it
    wb.save(path)
    r = run("import", str(path), "--plan", str(PLAN))
    assert r.exit_code == 0, r.output
    written = (tmp_path / "data" / "units" / "2026" / f"{UNIT}.yaml").read_text(encoding="utf-8")
    assert f"phone: '{kept}'" in written or f'phone: "{kept}"' in written, written


@pytest.mark.parametrize(
    ("typed", "guess"),
    [("thanh niên", None), ("Sinh Vien", "sinh viên"), ("giảng viên", "giáo viên, giảng viên")],
)
def test_an_audience_hint_names_the_choice_the_words_match(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, typed: str, guess: str | None
) -> None:
    from openpyxl.utils.cell import get_column_letter, range_boundaries

    from plan57.model.form import MAIN_SHEET

    path = new_form(tmp_path, monkeypatch)
    wb = openpyxl.load_workbook(path)
    ws = wb[MAIN_SHEET]
    min_col, min_row, _, _ = range_boundaries(ws.tables["training"].ref)
    ws[f"{get_column_letter(min_col)}{min_row + 1}"] = "Tập huấn chuyển đổi số"
    ws[f"{get_column_letter(min_col + 1)}{min_row + 1}"] = typed
    ws[f"{get_column_letter(min_col + 2)}{min_row + 1}"] = 30
    wb.save(path)
    r = run("import", str(path), "--plan", str(PLAN))
    line = next(x for x in r.output.splitlines() if f"đối tượng '{typed}'" in x)
    if guess is None:
        assert "có phải ý bạn là" not in line, line
    else:
        assert f"có phải ý bạn là '{guess}'?" in line, line
    assert "'sinh viên'; 'giáo viên, giảng viên'" in line, line  # choices quoted, set apart by ';'
