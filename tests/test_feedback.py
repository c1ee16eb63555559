"""The feedback workbook of a form with errors (SPEC §10): the unit's own file with every typed
value kept, each cell in error red with a comment, a first sheet listing every problem with a
link to its cell; corrected, it imports like any form, also after LibreOffice Calc saved it."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils.cell import range_boundaries
from typer.testing import CliRunner

from plan57.cli import app
from tests.conftest import cell_of

UNIT = "xa-muong-la"
SHEET = "Báo cáo"
GOOD = {
    "submitted": dt.date(2026, 12, 1),
    "staff.total": 40,
    "staff.informed": 38,
    "population.total": 12500,
    "population.reached": 9800,
}
# a date typed as text that is no date, a value over its total, a number typed as text
WRONG = {"submitted": "1/12/2026x", "staff.informed": 45, "population.total": "12.500"}


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def fill(path: Path, values: dict[str, Any], event_task: str | None = None) -> None:
    """Type values into named cells (and one row of the events table), as a person would."""
    wb = openpyxl.load_workbook(path)
    for name, value in values.items():
        sheet, ref = cell_of(wb, name)
        wb[sheet][ref] = value
    if event_task is not None:
        ws = wb[SHEET]
        c1, r1, _, _ = range_boundaries(ws.tables["events"].ref)
        for i, value in enumerate((event_task, dt.date(2026, 5, 4), "Hội nghị quán triệt", 50)):
            ws.cell(r1 + 1, c1 + i, value)
    wb.save(path)


def named_values(path: Path) -> dict[str, Any]:
    wb = openpyxl.load_workbook(path)
    out = {}
    for name in wb.defined_names:
        sheet, ref = cell_of(wb, name)
        out[name] = wb[sheet][ref].value
    return out


def table_values(path: Path, table: str) -> list[tuple[Any, ...]]:
    ws = openpyxl.load_workbook(path)[SHEET]
    return [tuple(c.value for c in row) for row in ws[ws.tables[table].ref]]


@pytest.fixture
def workspace(tmp_path: Path, mini_plan_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "ky-2026"
    assert run("init", str(root), "--plan", str(mini_plan_path)).exit_code == 0
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def returned(workspace: Path) -> tuple[Path, Path]:
    """(the filled form with four errors, the feedback workbook its import wrote)."""
    r = run("new", UNIT, "--year", "2026", "--format", "xlsx")
    assert r.exit_code == 0, r.output
    received = workspace / "nhan-ve"
    received.mkdir()
    form = received / f"{UNIT}.xlsx"
    shutil.copy(workspace / "forms" / "2026" / f"{UNIT}.xlsx", form)
    fill(form, GOOD | WRONG, event_task="9z")  # and an unknown task in the events
    r = run("import", str(form))
    assert r.exit_code == 1, r.output
    feedback = workspace / "forms" / "2026" / "phan-hoi" / f"{UNIT}.xlsx"
    assert f"Đã ghi tệp phản hồi {Path('forms/2026/phan-hoi') / (UNIT + '.xlsx')}" in r.output, r.output
    assert feedback.is_file()
    return form, feedback


def error_cells(path: Path) -> dict[str, str]:
    """The cells the import names in error: 'Báo cáo!C9' → the message."""
    r = run("import", str(path), "--format", "json")
    import json

    return {f"{d['sheet']}!{d['cell']}": d["message"] for d in json.loads(r.output)["diagnostics"] if "cell" in d}


def test_feedback_lists_every_error_first_and_links_to_its_cell(returned: tuple[Path, Path]) -> None:
    form, feedback = returned
    wanted = error_cells(form)
    assert len(wanted) >= 4, wanted
    wb = openpyxl.load_workbook(feedback)
    assert wb.sheetnames[0] == "Lỗi cần sửa"
    assert wb.sheetnames[1:] == openpyxl.load_workbook(form).sheetnames
    assert wb.active is not None and wb.active.title == "Lỗi cần sửa"
    assert [ws.title for ws in wb.worksheets if ws.sheet_view.tabSelected] == ["Lỗi cần sửa"]
    ws = wb["Lỗi cần sửa"]
    assert "Sửa các ô tô đỏ ở trang Báo cáo" in str(ws["A2"].value)
    assert ws.protection.sheet and not ws.protection.password
    rows = [r for r in ws.iter_rows(min_row=6) if r[0].value is not None]
    assert [r[0].value for r in rows] == list(range(1, len(rows) + 1))
    listed = {}
    for _stt, where, level, text in rows:
        assert level.value == "lỗi"
        sheet, ref = str(where.value).split("!")
        assert where.hyperlink is not None and where.hyperlink.location == f"'{sheet}'!{ref}"
        listed[where.value] = text.value
    assert listed == wanted


def test_cells_in_error_are_red_with_a_comment(returned: tuple[Path, Path]) -> None:
    form, feedback = returned
    wanted = error_cells(form)
    wb = openpyxl.load_workbook(feedback)
    for where, message in wanted.items():
        sheet, ref = where.split("!")
        cell = wb[sheet][ref]
        assert cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb.endswith("FFC7CE"), where
        assert cell.font.color is not None and cell.font.color.rgb.endswith("9C0006"), where
        assert cell.comment is not None and cell.comment.author == "plan57"
        assert message in cell.comment.text
    others = [
        c.coordinate
        for row in wb[SHEET].iter_rows()
        for c in row
        if c.comment is not None and f"{SHEET}!{c.coordinate}" not in wanted
    ]
    assert others == []
    with zipfile.ZipFile(feedback) as z:  # each comment's box sized for its text (openpyxl reads no size back)
        vml = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".vml"))
    sizes = re.findall(r"width:(\d+)px;height:(\d+)px", vml)
    assert len(sizes) == len(wanted) and all(int(w) >= 300 and int(h) >= 40 for w, h in sizes), sizes


def test_the_clerks_values_are_kept_as_typed(returned: tuple[Path, Path]) -> None:
    form, feedback = returned
    assert named_values(feedback) == named_values(form)
    assert named_values(feedback)["population.total"] == "12.500"
    for table in ("events", "training", "difficulties", "proposals"):
        assert table_values(feedback, table) == table_values(form, table)
    before, after = openpyxl.load_workbook(form), openpyxl.load_workbook(feedback)
    assert set(after.defined_names) == set(before.defined_names)
    assert [(ws.title, ws.sheet_state, ws.protection.sheet) for ws in before.worksheets] == [
        (ws.title, ws.sheet_state, ws.protection.sheet) for ws in after.worksheets[1:]
    ]
    for name in before.defined_names:  # the input cells stay unlocked
        sheet, ref = cell_of(after, name)
        assert after[sheet][ref].protection.locked == before[sheet][ref].protection.locked, name


def correct(path: Path) -> None:
    fill(path, GOOD, event_task="1a")


def test_corrected_feedback_imports(workspace: Path, returned: tuple[Path, Path]) -> None:
    _, feedback = returned
    correct(feedback)
    r = run("import", str(feedback))
    assert r.exit_code == 0, r.output
    target = workspace / "units" / "2026" / f"{UNIT}.yaml"
    assert b"total: 12500" in target.read_bytes()
    assert feedback.is_file()  # a form that imports cleanly leaves its feedback as it was: it may be the form itself
    assert "tệp phản hồi" not in r.output


def test_feedback_of_feedback_replaces_it_and_drops_marks_of_corrected_cells(returned: tuple[Path, Path]) -> None:
    _, feedback = returned
    fill(feedback, {"population.total": 12500})  # one error corrected, the others left
    r = run("import", str(feedback))
    assert r.exit_code == 1, r.output
    wb = openpyxl.load_workbook(feedback)
    assert wb.sheetnames.count("Lỗi cần sửa") == 1 and wb.sheetnames[0] == "Lỗi cần sửa"
    sheet, ref = cell_of(wb, "population.total")
    cell = wb[sheet][ref]
    assert cell.comment is None and not cell.fill.fgColor.rgb.endswith("FFC7CE")
    listed = [r[1].value for r in wb["Lỗi cần sửa"].iter_rows(min_row=6) if r[0].value is not None]
    assert f"{sheet}!{ref}" not in listed and len(listed) == 3


def test_forms_not_read_get_no_feedback(workspace: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active["A1"] = "không phải biểu mẫu"  # type: ignore[index]
    stray = workspace / f"{UNIT}.xlsx"
    wb.save(stray)
    r = run("import", str(stray))
    assert r.exit_code == 1, r.output
    assert not (workspace / "forms" / "2026" / "phan-hoi").exists()


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_feedback_saved_by_libreoffice_then_corrected_imports(
    workspace: Path, returned: tuple[Path, Path], tmp_path: Path
) -> None:
    _, feedback = returned
    out = tmp_path / "calc"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(feedback),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    saved = out / feedback.name
    assert saved.is_file()
    assert openpyxl.load_workbook(saved).sheetnames[0] == "Lỗi cần sửa"
    correct(saved)
    r = run("import", str(saved))
    assert r.exit_code == 0, r.output
    assert b"total: 12500" in (workspace / "units" / "2026" / f"{UNIT}.yaml").read_bytes()


# ---- a missing required field is said at the cell to type into (SPEC §10) ---------------------


@pytest.mark.parametrize(
    "ticked, blank, label",
    [
        (
            {"implementation_plan.issued": "Có", "implementation_plan.date": dt.date(2026, 3, 1)},
            "reference",
            "Số, ký hiệu văn bản kế hoạch",
        ),
        (
            {"implementation_plan.issued": "Có", "implementation_plan.reference": "12/KH-UBND"},
            "date",
            "Ngày ban hành kế hoạch",
        ),
        ({"portal_section.exists": "Có"}, "url", "Địa chỉ chuyên mục"),
    ],
    ids=["plan-without-reference", "plan-without-date", "portal-without-url"],
)
def test_a_missing_required_field_is_said_at_its_empty_cell(
    workspace: Path, ticked: dict[str, Any], blank: str, label: str
) -> None:
    assert run("new", UNIT, "--year", "2026", "--format", "xlsx").exit_code == 0
    form = workspace / "forms" / "2026" / f"{UNIT}.xlsx"
    fill(form, GOOD | ticked)
    block = next(iter(ticked)).split(".")[0]
    wb = openpyxl.load_workbook(form)
    sheet, ref = cell_of(wb, f"{block}.{blank}")
    lead_ref = cell_of(wb, next(iter(ticked)))[1]
    assert ref != lead_ref
    r = run("import", str(form))
    assert r.exit_code == 1, r.output
    said = [line for line in r.output.splitlines() if f"thiếu '{label}'" in line]
    assert len(said) == 1, r.output
    assert f"{form.name}:{sheet}!{ref}: lỗi:" in said[0], said
    assert f"!{lead_ref}:" not in r.output, r.output  # not at the Có cell beside it
    r = run("import", str(form), "--format", "json")
    errors = [d for d in json.loads(r.output)["diagnostics"] if d["severity"] == "error"]
    assert [f"{d['sheet']}!{d['cell']}" for d in errors] == [f"{sheet}!{ref}"], errors
    feedback = openpyxl.load_workbook(workspace / "forms" / "2026" / "phan-hoi" / f"{UNIT}.xlsx")
    cell = feedback[sheet][ref]
    assert cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb.endswith("FFC7CE")
    assert cell.comment is not None and f"thiếu '{label}'" in cell.comment.text
    assert feedback[sheet][lead_ref].comment is None


def test_feedback_names_fields_by_the_forms_labels(returned: tuple[Path, Path]) -> None:
    """The clerk reads the labels the form shows beside the cells, not the YAML file's key paths."""
    form, feedback = returned
    wb = openpyxl.load_workbook(feedback)
    sheet, ref = cell_of(wb, "staff.informed")
    listed = {r[1].value: r[3].value for r in wb["Lỗi cần sửa"].iter_rows(min_row=6) if r[0].value is not None}
    said = listed[f"{sheet}!{ref}"]
    assert said == (
        "'Số người đã được tuyên truyền, phổ biến NQ57' (45) không được lớn hơn "
        "'Tổng số lãnh đạo, cán bộ, công chức, viên chức' (40)"
    ), said
    assert wb[sheet][ref].comment is not None and said in wb[sheet][ref].comment.text
    texts = [str(v) for v in listed.values()]
    assert not [t for t in texts if re.search(r"'(staff|population|submitted)[.']", t)], texts


def test_yaml_messages_keep_naming_keys(workspace: Path) -> None:
    """The same rule in a YAML file names the keys, which is what the file holds."""
    units = workspace / "units" / "2026"
    units.mkdir(parents=True, exist_ok=True)
    assert run("new", UNIT, "--year", "2026").exit_code == 0
    path = units / f"{UNIT}.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^staff:\n  total:", "staff:\n  total: 40", text, count=1)
    text = re.sub(r"(?m)^  informed:", "  informed: 45", text, count=1)
    path.write_text(text, encoding="utf-8")
    r = run("validate", str(path))
    assert "'staff.informed' (45) không được lớn hơn 'staff.total' (40)" in r.output, r.output


def test_feedback_rows_grow_with_the_clerks_text(workspace: Path) -> None:
    """A long text the clerk typed (Excel sized its row; a copy or a script may not have) is shown
    whole in the feedback: its row as high as the wrapped text needs."""
    from plan57.render.form import LINE_PT

    assert run("new", UNIT, "--year", "2026", "--format", "xlsx").exit_code == 0
    form = workspace / "forms" / "2026" / f"{UNIT}.xlsx"
    fill(form, GOOD | WRONG)
    text = "Kinh phí cho tuyên truyền còn hạn chế, cán bộ kiêm nhiệm nhiều việc, hạ tầng mạng chưa ổn định. " * 6
    wb = openpyxl.load_workbook(form)
    ws = wb[SHEET]
    c1, r1, _, _ = range_boundaries(ws.tables["difficulties"].ref)
    ws.cell(r1 + 1, c1, text)
    wb.save(form)
    assert (ws.row_dimensions[r1 + 1].height or LINE_PT) == LINE_PT
    assert run("import", str(form)).exit_code == 1
    back = openpyxl.load_workbook(workspace / "forms" / "2026" / "phan-hoi" / f"{UNIT}.xlsx")[SHEET]
    assert back.cell(r1 + 1, c1).value == text  # kept as typed
    width = back.column_dimensions[back.cell(r1 + 1, c1).column_letter].width
    lines = -(-len(text) // int(width * 1.1))
    assert (back.row_dimensions[r1 + 1].height or 0) >= lines * LINE_PT > LINE_PT
