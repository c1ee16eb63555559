"""Excel forms (SPEC §7): the form written, read back, located errors, hostile workbooks."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import shutil
import subprocess
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from plan57.base.diagnostics import Diagnostic
from plan57.cli import app
from plan57.model.form import MAIN_SHEET
from plan57.model.plan import Plan
from plan57.render.form import build_form
from plan57.validation.form import check_form
from plan57.validation.validate import validate_bytes
from tests.conftest import cell_of, submission, write

UNIT = "xa-muong-la"


def where(path: Path, wb: Any, name: str) -> str:
    sheet, ref = cell_of(wb, name)
    return f"{path.name}:{sheet}!{ref}" if False else f"{sheet}!{ref}"


def make_form(
    tmp_path: Path, plan: Plan, data: dict[str, Any] | None = None, unit: str = UNIT, year: int = 2025
) -> Path:
    folder = tmp_path / "forms" / str(year)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{unit}.xlsx"
    path.write_bytes(build_form(plan, unit, year, data))
    return path


def edit(path: Path, values: dict[str, Any]) -> Any:
    """Type values into named cells, as a person would, and save."""
    wb = openpyxl.load_workbook(path)
    for name, value in values.items():
        sheet, ref = cell_of(wb, name)
        wb[sheet][ref] = value
    wb.save(path)
    return wb


def messages(path: Path, plan: Plan) -> list[str]:
    return [d.text() for d in check_form(path, plan).diagnostics]


def table_cell(wb: Any, table: str, row: int, col: int) -> tuple[Any, str]:
    """The worksheet and reference of a table's data cell (row and col from 0)."""
    from openpyxl.utils.cell import get_column_letter, range_boundaries

    ws = wb[MAIN_SHEET]
    tbl = ws.tables[table]
    min_col, min_row, _, _ = range_boundaries(tbl.ref)
    return ws, f"{get_column_letter(min_col + col)}{min_row + 1 + row}"


# ---- the form ----------------------------------------------------------------------------


def test_form_names_tables_protection(tmp_path: Path, mini_plan: Plan) -> None:
    path = make_form(tmp_path, mini_plan)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:2] == ["Hướng dẫn", MAIN_SHEET]
    names = set(wb.defined_names.keys())
    for name in ("unit", "year", "submitted", "staff.total", "implementation_plan.issued", "channels.3"):
        assert name in names
    assert "press.dedicated_sections" not in names  # only the blocks of a xã
    ws = wb[MAIN_SHEET]
    headers = {}
    for tbl in ws.tables.values():
        from openpyxl.utils.cell import range_boundaries

        c1, r1, c2, _ = range_boundaries(tbl.ref)
        headers[tbl.displayName] = [ws.cell(r1, c).value for c in range(c1, c2 + 1)]
    assert headers == {
        "training": ["Tên chương trình", "Đối tượng", "Số người tham gia"],
        "events": ["Nhiệm vụ", "Ngày tổ chức", "Tên sự kiện", "Số người tham dự"],
        "difficulties": ["Khó khăn, vướng mắc"],
        "proposals": ["Đề xuất, kiến nghị"],
    }
    assert ws.protection.sheet and not ws.protection.password
    _, ref = cell_of(wb, "staff.total")
    assert ws[ref].protection.locked is False
    _, unit_ref = cell_of(wb, "unit")
    assert ws[unit_ref].protection.locked is not False and ws[unit_ref].value == UNIT
    label = ws.cell(ws[ref].row, ws[ref].column - 1).value
    assert label.startswith("Tổng số lãnh đạo")  # the model's description, the template's comment
    note = ws.cell(ws[ref].row, ws[ref].column + 1).value
    assert "2025.can-bo" in note
    kinds = {dv.type for dv in ws.data_validations.dataValidation}
    assert {"whole", "date", "list"} <= kinds
    assert int(ws.page_setup.paperSize) == 9 and ws.print_area  # 9: A4


def test_kind_blocks(tmp_path: Path, mini_plan: Plan) -> None:
    wb = openpyxl.load_workbook(make_form(tmp_path, mini_plan, unit="bao-ptth-son-la"))
    names = set(wb.defined_names.keys())
    assert "press.dedicated_sections" in names and "population.total" not in names


# ---- round trip ---------------------------------------------------------------------------


def template_shaped(plan: Plan, data: dict[str, Any]) -> dict[str, Any]:
    """Blocks present as the form always gives them: a list not given is null, and every task the
    unit leads is there with its activities (null when left empty), as in `new`'s template."""
    for key in ("channels", "difficulties", "proposals", "training"):
        data.setdefault(key, None)
    tasks = data.get("tasks") or {}
    for task in plan.tasks:
        if UNIT in {u.id for u in plan.select(task.leads)}:
            tasks.setdefault(task.id, {"activities": None})
    data["tasks"] = tasks or None
    data.setdefault("contact", {"name": None, "position": None, "phone": None, "email": None})
    return data


text = (
    st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N", "Zs", "P")), min_size=1, max_size=30)
    .map(lambda s: unicodedata.normalize("NFC", s).strip())
    .filter(lambda s: s != "")
)


@st.composite
def submissions(draw: Any, plan: Plan) -> dict[str, Any]:
    year = draw(st.integers(2025, 2030))
    data = submission(
        plan, UNIT, year, submitted=draw(st.none() | st.dates(dt.date(year, 12, 1), dt.date(year, 12, 31)))
    )
    # on or after the plan's own date, never after `submitted` (SPEC §4)
    data["implementation_plan"]["date"] = dt.date(2025, 10, 15) if year == 2025 else dt.date(year, 1, 1)
    data["staff"]["total"] = draw(st.integers(0, 10**9))
    data["staff"]["informed"] = draw(st.integers(0, data["staff"]["total"]))
    data["reference"] = draw(st.none() | text)
    data["channels"] = draw(st.none() | st.sets(st.sampled_from([c.id for c in plan.channels])).map(sorted))
    # null, empty ([]: the table's "none" tick) and non-empty lists alike
    data["difficulties"] = draw(st.none() | st.lists(text, max_size=3))
    data["proposals"] = draw(st.none() | st.lists(text, max_size=2))
    data["training"] = draw(
        st.none()
        | st.lists(
            st.fixed_dictionaries(
                {
                    "name": text,
                    "audience": st.sampled_from([a.id for a in plan.training_audiences]),
                    "participants": st.integers(0, 10**6),
                }
            ),
            max_size=3,
        )
    )
    events = st.none() | st.lists(
        st.fixed_dictionaries(
            {
                "date": st.dates(dt.date(year, 1, 1), dt.date(year, 11, 30)),  # in the year's period
                "name": text,
                "participants": st.integers(0, 9999),
            }
        ),
        max_size=2,
    )
    tasks: dict[str, Any] = {}
    kinds = [k.id for k in plan.product_kinds]
    if draw(st.booleans()):
        tasks["1c"] = {
            "activities": draw(st.integers(0, 99)),
            "products": draw(st.dictionaries(st.sampled_from(kinds), st.integers(0, 99), min_size=1)),
        }
    if draw(st.booleans()):  # a task the unit does not lead, reported only by its events
        tasks.setdefault(draw(st.sampled_from([t.id for t in plan.tasks])), {})
    for task in plan.tasks:  # the tasks the unit leads, and those drawn: events null, [] or rows
        if task.id in tasks or UNIT in {u.id for u in plan.select(task.leads)}:
            report = tasks.setdefault(task.id, {})
            report.setdefault("activities", None)
            got = draw(events)
            if got is not None or draw(st.booleans()):
                report["events"] = got
    data["tasks"] = tasks
    if "1c" in tasks and draw(st.booleans()):
        tasks["1c"]["products"] = draw(st.sampled_from([None, {}]))
    data["budget_vnd"] = draw(st.none() | st.integers(0, 10**12))
    blocks = [k for k, v in data.items() if isinstance(v, dict) and k != "tasks"]
    for block in draw(st.lists(st.sampled_from(blocks), max_size=2, unique=True)):
        data[block] = draw(st.sampled_from([None, {}])) if block == "contact" else None  # not reported
    return template_shaped(plan, data)


def as_the_form_gives(plan: Plan, data: dict[str, Any]) -> dict[str, Any]:
    """A mapping with no value has one meaning on a form, "not reported": a block of the form (null
    or {}) comes back as its fields left empty, as `new`'s template holds it; a task's products
    with no value come back as no products."""
    from plan57.model.form import unwrap
    from plan57.model.submission import submission_model

    model = submission_model(plan)
    out = copy.deepcopy(data)
    shown = {"contact", *plan.blocks_for(plan.unit_index[data["unit"]])} - {"training"}
    for key, value in data.items():
        if value is None and key in shown:
            out[key] = dict.fromkeys(unwrap(model.model_fields[key].annotation).model_fields)
    for report in (out.get("tasks") or {}).values():
        if isinstance(report, dict) and report.get("products") == {}:
            report["products"] = None
    return out


def record(plan: Plan, data: dict[str, Any]) -> dict[str, Any]:
    from plan57.model.submission import submission_model

    return submission_model(plan).model_validate(data).model_dump(by_alias=True)  # type: ignore[no-any-return]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_round_trip(tmp_path_factory: pytest.TempPathFactory, mini_plan: Plan, data: st.DataObject) -> None:
    original = data.draw(submissions(mini_plan))
    tmp = tmp_path_factory.mktemp("rt")
    path = make_form(tmp, mini_plan, original, year=original["year"])
    result = check_form(path, mini_plan)
    assert result.valid, [d.text() for d in result.diagnostics]
    assert result.data is not None
    assert record(mini_plan, result.data) == record(mini_plan, as_the_form_gives(mini_plan, original))
    # and the YAML written from it holds the same data and validates
    from plan57.loading.yamlsafe import load_bytes
    from plan57.render.template import filled_submission

    yaml_text = filled_submission(mini_plan, result.data, path.name)
    assert "Nhập từ biểu mẫu Excel: xa-muong-la.xlsx" in yaml_text
    from plan57.api import reads_back

    assert reads_back(yaml_text, result.data) is None  # what import checks before it writes the file
    doc = load_bytes(yaml_text.encode(), "x.yaml")
    assert record(mini_plan, doc.data) == record(mini_plan, as_the_form_gives(mini_plan, original))
    target = Path(f"data/units/{original['year']}/{UNIT}.yaml")
    checked = validate_bytes(yaml_text.encode(), target, mini_plan, original["year"], 1 << 20, str(target))
    assert not [d for d in checked.diagnostics if d.is_error]


def test_fresh_form_filled_by_names_validates(tmp_path: Path, mini_plan: Plan) -> None:
    path = make_form(tmp_path, mini_plan, year=2026)
    values: dict[str, Any] = {
        "submitted": "03/12/2026",
        "implementation_plan.issued": "Có",
        "implementation_plan.reference": "Kế hoạch số 12/KH-UBND",
        "implementation_plan.date": dt.datetime(2026, 3, 1),
        "portal_section.exists": "không",
        "staff.total": 40,
        "staff.informed": "38",
        "population.total": 12500,
        "population.reached": 9800,
        "channels.1": "x",
        "channels.8": "Có",
        "budget_vnd": 50000000,
    }
    edit(path, values)
    result = check_form(path, mini_plan)
    assert result.valid, [d.text() for d in result.diagnostics]
    assert result.data is not None
    assert result.data["submitted"] == dt.date(2026, 12, 3)
    assert result.data["implementation_plan"]["issued"] is True
    assert result.data["portal_section"]["exists"] is False
    assert result.data["staff"] == {"total": 40, "informed": 38}
    assert result.data["channels"] == [1, 8]


# ---- what people type (issue item 3) -----------------------------------------------------


def test_number_as_text_with_thousands_dot(tmp_path: Path, mini_plan: Plan) -> None:
    path = make_form(tmp_path, mini_plan)
    wb = edit(path, {"population.total": "12.500", "population.reached": "12 500"})
    got = messages(path, mini_plan)
    total = cell_of(wb, "population.total")[1]
    reached = cell_of(wb, "population.reached")[1]
    assert any(f"Báo cáo!{total}: lỗi: 'Số dân của xã/phường' phải là số nguyên, viết liền" in m for m in got), got
    assert any(
        f"Báo cáo!{reached}: lỗi: 'Số người dân được tiếp cận thông tin qua hệ thống thông tin cơ sở' phải là số nguyên, viết liền"
        in m
        for m in got
    ), got


def test_date_typed_as_text(tmp_path: Path, mini_plan: Plan) -> None:
    path = make_form(tmp_path, mini_plan)
    wb = edit(path, {"submitted": "31/02/2025"})
    ref = cell_of(wb, "submitted")[1]
    assert any(
        f"Báo cáo!{ref}: lỗi: 'Ngày gửi báo cáo': ngày '31/02/2025' không có thật" in m
        for m in messages(path, mini_plan)
    )
    edit(path, {"submitted": "01/12/2025"})
    assert check_form(path, mini_plan).data["submitted"] == dt.date(2025, 12, 1)  # type: ignore[index]


def test_yes_no_words(tmp_path: Path, mini_plan: Plan) -> None:
    path = make_form(tmp_path, mini_plan)
    wb = edit(path, {"implementation_plan.issued": "có lẽ", "channels.2": "x", "channels.3": "Không"})
    ref = cell_of(wb, "implementation_plan.issued")[1]
    got = check_form(path, mini_plan)
    assert any(
        d.text().endswith("phải ghi true (có) hoặc false (không), không ghi 'có lẽ'") is False
        and d.cell == ref
        and d.is_error
        for d in got.diagnostics
    ), [d.text() for d in got.diagnostics]


def test_table_empty_rows_and_rows_below(tmp_path: Path, mini_plan: Plan) -> None:
    path = make_form(tmp_path, mini_plan)
    wb = openpyxl.load_workbook(path)
    ws, ref = table_cell(wb, "difficulties", 0, 0)
    ws[ref] = "Thiếu kinh phí"
    ws, ref = table_cell(wb, "difficulties", 3, 0)  # rows 2 and 3 left empty
    ws[ref] = "Thiếu người"
    tbl = ws.tables["proposals"]
    last_row = int(tbl.ref.split(":")[1].lstrip("ABCDEFGH"))
    ws[f"B{last_row + 1}"] = "Đề xuất ghi dưới bảng"  # below the last table
    wb.save(path)
    result = check_form(path, mini_plan)
    assert result.data is not None, [d.text() for d in result.diagnostics]
    assert result.data["difficulties"] == ["Thiếu kinh phí", "Thiếu người"]
    assert result.data["proposals"] == ["Đề xuất ghi dưới bảng"]


def test_table_error_located(tmp_path: Path, mini_plan: Plan) -> None:
    path = make_form(tmp_path, mini_plan)
    wb = openpyxl.load_workbook(path)
    ws, name_ref = table_cell(wb, "training", 1, 0)
    ws[name_ref] = "Tập huấn"
    ws, aud_ref = table_cell(wb, "training", 1, 1)
    ws[aud_ref] = "sinh viên"
    ws, part_ref = table_cell(wb, "training", 1, 2)
    ws[part_ref] = "nhiều"
    wb.save(path)
    got = messages(path, mini_plan)
    assert any(
        f"Báo cáo!{part_ref}: lỗi: 'Số người tham gia' (bảng 'Chương trình đào tạo, bồi dưỡng trong năm', mục 1) "
        "phải là số nguyên" in m
        for m in got
    ), got


def test_label_edited_is_a_warning(tmp_path: Path, mini_plan: Plan) -> None:
    path = make_form(tmp_path, mini_plan)
    wb = openpyxl.load_workbook(path)
    sheet, ref = cell_of(wb, "staff.total")
    ws = wb[sheet]
    label = ws.cell(ws[ref].row, ws[ref].column - 1)
    label.value = "Tổng số (đã sửa)"
    ws[ref] = 10
    ws[cell_of(wb, "staff.informed")[1]] = 10
    wb.save(path)
    result = check_form(path, mini_plan)
    warn = [d for d in result.diagnostics if d.code == "form-label"]
    assert [d.cell for d in warn] == [label.coordinate]
    assert result.data is not None and result.data["staff"]["total"] == 10


def test_merged_input_cell(tmp_path: Path, mini_plan: Plan) -> None:
    path = make_form(tmp_path, mini_plan)
    wb = openpyxl.load_workbook(path)
    sheet, ref = cell_of(wb, "staff.total")
    ws = wb[sheet]
    row = ws[ref].row
    ws.merge_cells(f"B{row}:{ref}")
    wb.save(path)
    got = messages(path, mini_plan)
    assert any(f"Báo cáo!{ref}: lỗi: ô {ref} bị gộp vào vùng B{row}:{ref}" in m for m in got), got


def test_formula_without_cached_value(tmp_path: Path, mini_plan: Plan) -> None:
    path = make_form(tmp_path, mini_plan)
    wb = edit(path, {"staff.total": "=10+5"})
    ref = cell_of(wb, "staff.total")[1]
    got = messages(path, mini_plan)
    assert any(f"Báo cáo!{ref}: lỗi: ô {ref} có công thức; hãy gõ giá trị" in m for m in got), got


# ---- hostile workbooks (issue item 4) ----------------------------------------------------


def only(path: Path, plan: Plan) -> str:
    found = check_form(path, plan).diagnostics
    assert len(found) == 1, [d.text() for d in found]
    return found[0].text()


def test_not_a_plan57_form(tmp_path: Path, mini_plan: Plan) -> None:
    path = tmp_path / "xa-muong-la.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "Báo cáo"  # type: ignore[index]
    wb.save(path)
    assert only(path, mini_plan).endswith(
        "xa-muong-la.xlsx: lỗi: tệp không phải biểu mẫu báo cáo của plan57 (không có các tên ô 'unit', 'year' "
        "của biểu mẫu): hãy ghi vào biểu mẫu tạo bằng plan57 new --format xlsx"
    )


def test_xls_ods_xlsm_password(tmp_path: Path, mini_plan: Plan) -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600
    (tmp_path / "a.xls").write_bytes(ole)
    assert "tệp Excel cũ (.xls) không đọc được" in only(tmp_path / "a.xls", mini_plan)
    (tmp_path / "b.xlsx").write_bytes(ole + "EncryptedPackage".encode("utf-16-le"))
    assert "tệp được đặt mật khẩu" in only(tmp_path / "b.xlsx", mini_plan)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<x/>")
    (tmp_path / "c.ods").write_bytes(buf.getvalue())
    assert "OpenDocument (.ods)" in only(tmp_path / "c.ods", mini_plan)
    form = make_form(tmp_path, mini_plan)
    with zipfile.ZipFile(form, "a") as z:
        z.writestr("xl/vbaProject.bin", b"macro")
    assert "có macro" in only(form, mini_plan)
    (tmp_path / "d.xlsx").write_text("không phải excel", encoding="utf-8")
    assert only(tmp_path / "d.xlsx", mini_plan).startswith(f"{tmp_path / 'd.xlsx'}: lỗi: tệp không phải sổ làm việc")


def test_zip_bomb_and_huge_sheet(tmp_path: Path, mini_plan: Plan) -> None:
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<x/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))
    assert bomb.stat().st_size < 200_000
    assert "khi giải nén quá lớn" in only(bomb, mini_plan)
    big = tmp_path / "big.xlsx"
    with zipfile.ZipFile(big, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<x/>")
        z.writestr("xl/worksheets/sheet1.xml", b" " * (10 * 1024 * 1024))
    assert "một trang tính quá lớn" in only(big, mini_plan)
    path = make_form(tmp_path, mini_plan)
    path.write_bytes(path.read_bytes() + b"\0" * 200)
    assert "tệp quá lớn" in check_form(path, mini_plan, max_size=1000).diagnostics[0].text()


def test_external_links(tmp_path: Path, mini_plan: Plan) -> None:
    form = make_form(tmp_path, mini_plan)
    with zipfile.ZipFile(form, "a") as z:
        z.writestr("xl/externalLinks/externalLink1.xml", "<externalLink/>")
    assert "có liên kết tới tệp khác" in only(form, mini_plan)


def test_form_of_another_unit_or_year(tmp_path: Path, mini_plan: Plan) -> None:
    path = make_form(tmp_path, mini_plan)
    wb = openpyxl.load_workbook(path)
    renamed = path.with_name("xa-chieng-la.xlsx")
    path.rename(renamed)
    ref = cell_of(wb, "unit")[1]
    got = messages(renamed, mini_plan)
    assert any(f"Báo cáo!{ref}: lỗi: biểu mẫu này là của đơn vị 'xa-muong-la'" in m for m in got), got
    other = tmp_path / "2026"
    other.mkdir()
    moved = other / "xa-muong-la.xlsx"
    renamed.rename(moved)
    ref = cell_of(wb, "year")[1]
    got = messages(moved, mini_plan)
    assert any(
        f"Báo cáo!{ref}: lỗi: biểu mẫu này là báo cáo năm 2025 nhưng nằm trong thư mục năm 2026" in m for m in got
    )


# ---- the commands ------------------------------------------------------------------------


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def test_new_and_import_commands(tmp_path: Path, mini_plan_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    plan = ["--plan", str(mini_plan_path)]
    r = run("new", UNIT, "--year", "2025", "--format", "xlsx", *plan)
    assert r.exit_code == 0, r.output
    form = tmp_path / "forms" / "2025" / f"{UNIT}.xlsx"
    assert form.is_file()
    edit(form, {"submitted": dt.date(2025, 12, 1), "staff.total": 10, "staff.informed": 12})
    r = run("import", str(form), *plan)
    assert r.exit_code == 1, r.output
    assert (
        "Báo cáo!" in r.output
        and "'Số người đã được tuyên truyền, phổ biến NQ57' (12) không được lớn hơn 'Tổng số lãnh đạo, cán bộ, công chức, viên chức' (10)"
        in r.output
    )
    # nothing written for a form with an error but its line in the receipt log
    assert [p.name for p in (tmp_path / "data").rglob("*") if p.is_file()] == ["nhat-ky-nhan.csv"]
    edit(form, {"staff.informed": 9})
    r = run("import", str(form), *plan)
    assert r.exit_code == 0, r.output
    yaml_file = tmp_path / "data" / "units" / "2025" / f"{UNIT}.yaml"
    assert "Nhập từ biểu mẫu Excel: xa-muong-la.xlsx" in yaml_file.read_text(encoding="utf-8")
    r = run("validate", str(yaml_file), *plan)
    assert r.exit_code == 0, r.output
    r = run("import", str(form), *plan)
    assert r.exit_code == 2 and "dùng --force" in r.output
    r = run("import", str(form), "--force", "--format", "json", *plan)
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["written"] == [str(Path("data/units/2025/xa-muong-la.yaml"))]
    # pre-filled from the YAML for corrections
    r = run("new", UNIT, "--year", "2025", "--format", "xlsx", "--force", "--out", "again", *plan)
    assert r.exit_code == 0, r.output
    wb = openpyxl.load_workbook(tmp_path / "again" / f"{UNIT}.xlsx")
    sheet, ref = cell_of(wb, "staff.informed")
    assert wb[sheet][ref].value == 9
    r = run("new", "--all", "--year", "2025", "--format", "xlsx", *plan)
    assert r.exit_code == 0 and "Bỏ qua 1 đơn vị" in r.output


def test_github_and_json_locations(tmp_path: Path, mini_plan_path: Path, mini_plan: Plan) -> None:
    path = make_form(tmp_path, mini_plan)
    wb = edit(path, {"staff.total": "12.500"})
    ref = cell_of(wb, "staff.total")[1]
    (tmp_path / "u").mkdir()
    r = run("import", str(path), "--plan", str(mini_plan_path), "--units", str(tmp_path / "u"), "--format", "github")
    assert r.exit_code == 1
    assert (
        f"::error file={path},title=schema-int_type::Báo cáo!{ref}: 'Tổng số lãnh đạo, cán bộ, công chức, viên chức'"
        in r.output.replace("%3A", ":")
    )
    r = run("import", str(path), "--plan", str(mini_plan_path), "--units", str(tmp_path / "u"), "--format", "json")
    found = [d for d in json.loads(r.stdout)["diagnostics"] if d["severity"] == "error"]
    assert found[0]["sheet"] == MAIN_SHEET and found[0]["cell"] == ref


def test_diagnostic_cell_text() -> None:
    d = Diagnostic("f.xlsx", 14, 3, "error", "x", "sai", sheet="Báo cáo")
    assert d.text() == "f.xlsx:Báo cáo!C14: lỗi: sai"
    assert Diagnostic("f.xlsx", 0, 0, "error", "x", "sai").text() == "f.xlsx: lỗi: sai"
    assert Diagnostic("f.yaml", 2, 5, "warning", "x", "sai").text() == "f.yaml:2:5: cảnh báo: sai"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_form_saved_by_libreoffice_imports(tmp_path: Path, mini_plan: Plan) -> None:
    path = make_form(tmp_path, mini_plan)
    ticks = {"difficulties.none": "Có", "tasks.1a.events.none": "Có"}  # empty lists ([]), as a clerk ticks them
    edit(
        path,
        {"submitted": dt.date(2025, 12, 1), "staff.total": 10, "staff.informed": 9, "channels.2": "Có", **ticks},
    )
    wb = openpyxl.load_workbook(path)
    ws, ref = table_cell(wb, "proposals", 0, 0)
    ws[ref] = "Đề xuất một"
    wb.save(path)
    out = tmp_path / "lo"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    saved = out / path.name
    result = check_form(saved, mini_plan)
    assert result.valid, [d.text() for d in result.diagnostics]
    assert result.data is not None
    assert result.data["staff"] == {"total": 10, "informed": 9}
    assert result.data["channels"] == [2] and result.data["proposals"] == ["Đề xuất một"]
    assert result.data["difficulties"] == [] and result.data["tasks"]["1a"]["events"] == []
    assert result.data["training"] is None  # no tick, no row: not reported
    kept = openpyxl.load_workbook(saved)
    assert {"training.none", "difficulties.none", "proposals.none", "tasks.1a.events.none"} <= set(
        kept.defined_names.keys()
    )


# ---- blanks are null: a form left empty is new's template ------------------------------


def _shape(text: str) -> list[str]:
    """A YAML file's keys and comment lines, values dropped: '' and null are both empty."""
    out = []
    for line in text.splitlines():
        if line.startswith("# Nhập từ biểu mẫu Excel"):
            continue
        key, sep, rest = line.partition(":")
        comment = rest.split(" #", 1)[1].strip() if " #" in rest else ""
        out.append(f"{key}:{comment}" if sep and not line.lstrip().startswith("#") else line)
    return out


@pytest.mark.parametrize("unit", ["xa-muong-la", "so-khcn", "bao-ptth-son-la", "truong-dh-tay-bac"])
def test_untouched_form_gives_new_template(tmp_path: Path, mini_plan: Plan, unit: str) -> None:
    from plan57.render.template import filled_submission, new_submission

    path = make_form(tmp_path, mini_plan, unit=unit, year=2026)
    result = check_form(path, mini_plan)
    assert result.valid and result.data is not None, [d.text() for d in result.diagnostics]
    written = filled_submission(mini_plan, result.data, path.name)
    template = new_submission(mini_plan, unit, 2026)
    assert _shape(written) == _shape(template)
    assert "# Kế hoạch triển khai của đơn vị" in written
    from plan57.validation.rules import empty_fields

    assert empty_fields(result.data) == empty_fields(load_yaml(template))
    assert not [d for d in result.diagnostics if d.code == "missing-block"]


def load_yaml(text: str) -> dict[str, Any]:
    from plan57.loading.yamlsafe import load_bytes

    return load_bytes(text.encode(), "x.yaml").data  # type: ignore[no-any-return]


def test_partly_filled_form_empties_are_null_at_their_cells(tmp_path: Path, mini_plan: Plan) -> None:
    path = make_form(tmp_path, mini_plan, year=2026)
    wb = edit(path, {"submitted": "03/12/2026", "staff.total": 40, "population.reached": 900, "channels.2": "Có"})
    result = check_form(path, mini_plan)
    assert result.data is not None
    assert result.data["staff"] == {"total": 40, "informed": None}
    assert result.data["population"] == {"total": None, "reached": 900}
    assert result.data["channels"] == [2]
    assert result.data["tasks"]["1a"] == {"activities": None}
    empties = [d for d in result.diagnostics if d.code == "empty-fields"]
    assert len(empties) == 1
    first = empties[0]
    # a clerk is told the cells to look at, in the form's order, not key paths
    listed = first.message.split("các ô ", 1)[1].split(", ")
    assert "staff.informed" not in first.message
    for name in ("staff.informed", "population.total", "implementation_plan.issued", "training.none"):
        assert cell_of(wb, name)[1] in listed, name
    assert cell_of(wb, "staff.total")[1] not in listed
    assert listed == sorted(listed, key=lambda ref: (int(ref[1:]), ref[0]))
    # located at the first empty cell, in form order, not at A1 nor at a filled neighbour
    assert first.text().split(": ", 1)[0].endswith(f"Báo cáo!{listed[0]}")
    assert not [d for d in result.diagnostics if d.code == "missing-block"]


def test_form_speaks_of_the_form(tmp_path: Path, mini_plan: Plan) -> None:
    from plan57.model.form import form_layout

    labels = [f.label for f in form_layout(mini_plan, "so-khcn").fields()]
    labels += [f.label for f in form_layout(mini_plan, UNIT).fields()]
    assert not [label for label in labels if "≤" in label or "NĂM-THÁNG-NGÀY" in label]
    assert any("không lớn hơn tổng số ở dòng trên" in label for label in labels)
    path = make_form(tmp_path, mini_plan, year=2026)
    edit(path, {"staff.total": 4})
    got = [d for d in check_form(path, mini_plan).diagnostics if d.code == "draft"]
    assert got and "ngày/tháng/năm" in got[0].message and "NĂM-THÁNG-NGÀY" not in got[0].message


# ---- empty lists: the "none" ticks -------------------------------------------------------


def test_empty_lists_prefill_ticks_and_read_back(tmp_path: Path, mini_plan: Plan) -> None:
    data = template_shaped(mini_plan, submission(mini_plan, UNIT, 2025))
    data["training"], data["difficulties"], data["proposals"] = [], [], None
    data["tasks"]["1a"]["events"] = []
    path = make_form(tmp_path, mini_plan, data)
    wb = openpyxl.load_workbook(path)
    ws = wb[MAIN_SHEET]
    for name, shown in (
        ("training.none", "Có"),
        ("difficulties.none", "Có"),
        ("proposals.none", None),
        ("tasks.1a.events.none", "Có"),
    ):
        assert ws[cell_of(wb, name)[1]].value == shown, name
    # ticks are not key paths: no submission key is named like them, and each has a label
    assert not {n for n in wb.defined_names if n.endswith(".none")} & {"training", "difficulties", "proposals"}
    guide = " ".join(str(c.value) for c in wb["Hướng dẫn"]["A"])
    assert "training.none, difficulties.none, proposals.none, tasks.<mã nhiệm vụ>.events.none" in guide
    label = ws.cell(ws[cell_of(wb, "training.none")[1]].row, 2).value
    assert label == "Đơn vị không có chương trình đào tạo, bồi dưỡng nào trong năm"
    result = check_form(path, mini_plan)
    assert result.valid and result.data is not None, [d.text() for d in result.diagnostics]
    assert result.data["training"] == [] and result.data["difficulties"] == []
    assert result.data["proposals"] is None
    assert result.data["tasks"]["1a"]["events"] == []
    assert "events" not in result.data["tasks"]["1b"] or result.data["tasks"]["1b"]["events"] is None
    from plan57.render.template import filled_submission

    yaml_text = filled_submission(mini_plan, result.data, path.name)
    assert "training: []" in yaml_text and "difficulties: []" in yaml_text and "events: []" in yaml_text
    # an untouched tick and an empty table: not reported
    edit(path, {"training.none": None, "tasks.1a.events.none": "Không"})
    again = check_form(path, mini_plan).data
    assert again is not None and again["training"] is None and again["tasks"]["1a"].get("events") is None


def test_tick_and_rows_both_given_is_located(tmp_path: Path, mini_plan: Plan) -> None:
    path = make_form(tmp_path, mini_plan)
    wb = edit(path, {"difficulties.none": "Có", "tasks.1a.events.none": "x"})
    ws, ref = table_cell(wb, "difficulties", 0, 0)
    ws[ref] = "Thiếu kinh phí"
    ws, ref = table_cell(wb, "events", 0, 0)
    ws[ref] = "1a"
    ws[table_cell(wb, "events", 0, 1)[1]] = "10/10/2025"
    ws[table_cell(wb, "events", 0, 2)[1]] = "Hội nghị"
    wb.save(path)
    got = messages(path, mini_plan)
    tick = where(path, wb, "difficulties.none")
    assert any(
        f"{tick}: lỗi: 'Đơn vị không có khó khăn, vướng mắc nào' chọn Có (không có mục nào) nhưng bảng 'Khó khăn, vướng mắc' vẫn có 1 dòng"
        in m
        for m in got
    ), got
    tick = where(path, wb, "tasks.1a.events.none")
    assert any(
        f"{tick}: lỗi: 'Nhiệm vụ 1a không tổ chức sự kiện nào trong năm' chọn Có" in m and "có nhiệm vụ 1a" in m
        for m in got
    ), got
    assert not check_form(path, mini_plan).valid
    edit(path, {"difficulties.none": "có lẽ"})
    ref = cell_of(wb, "difficulties.none")[1]
    assert any(
        f"Báo cáo!{ref}: lỗi: 'Đơn vị không có khó khăn, vướng mắc nào' phải chọn Có hoặc Không" in m
        for m in messages(path, mini_plan)
    )


def test_unknown_audience_named_as_the_drop_down(tmp_path: Path, mini_plan: Plan) -> None:
    path = make_form(tmp_path, mini_plan)
    wb = openpyxl.load_workbook(path)
    ws, name_ref = table_cell(wb, "training", 0, 0)
    ws[name_ref] = "Tập huấn"
    ws, aud_ref = table_cell(wb, "training", 0, 1)
    ws[aud_ref] = "Học viên"
    wb.save(path)
    got = [m for m in messages(path, mini_plan) if f"Báo cáo!{aud_ref}: lỗi:" in m]
    names = [a.name for a in mini_plan.training_audiences]
    assert len(got) == 1, messages(path, mini_plan)
    assert f"Báo cáo!{aud_ref}: lỗi: đối tượng 'Học viên' không có trong danh sách của ô" in got[0], got
    assert all(n in got[0] for n in names), got
    assert not [a.id for a in mini_plan.training_audiences if f"{a.id}," in got[0] or f"{a.id})" in got[0]], got


def test_unknown_task_of_an_event_named_as_the_drop_down(tmp_path: Path, mini_plan: Plan) -> None:
    path = make_form(tmp_path, mini_plan)
    wb = openpyxl.load_workbook(path)
    ws, task_ref = table_cell(wb, "events", 0, 0)
    ws[task_ref] = "1z"
    ws[table_cell(wb, "events", 0, 2)[1]] = "Hội nghị"
    wb.save(path)
    got = [m for m in messages(path, mini_plan) if f"Báo cáo!{task_ref}: lỗi:" in m]
    assert len(got) == 1, messages(path, mini_plan)
    assert f"Báo cáo!{task_ref}: lỗi: nhiệm vụ '1z' không có trong kế hoạch (mục III)" in got[0], got
    assert ", ".join(t.id for t in mini_plan.tasks) in got[0] and "khóa" not in got[0], got


LONG = ("từ  ngữ " * 700).strip()  # past ruamel.yaml's folding width, with double spaces


@pytest.mark.parametrize(
    "name",
    [
        "?0",
        "? họp báo",
        "?a:b",
        "?-",
        "-0",
        ":0",
        "#0",
        ": Tập huấn kỹ năng số",
        "a: b",
        "a #b",
        "{a}",
        "[a], b",
        "'a'",
        '"a"',
        "&a *b",
        "!a",
        "%a",
        "@a",
        "`a",
        "a\nb",
        pytest.param(LONG, id="long-text"),
        pytest.param(LONG[:4090] + "\n" + LONG[:200], id="long-text-with-a-line-break"),
    ],
)
def test_a_table_row_text_starting_with_an_indicator_comes_back_as_written(plan: Plan, name: str) -> None:
    """A row of a table (an event, a training) is written as a flow mapping; a text that starts
    with '?' or ': ' must be quoted there, and a long text must not be folded, or the file written
    from the form does not read back as typed."""
    from plan57.loading.yamlsafe import load_bytes
    from plan57.render.template import filled_submission

    from .conftest import submission

    data = submission(plan, "so-khcn", 2026)
    data["tasks"] = {
        "1c": {"activities": 1, "events": [{"date": dt.date(2026, 5, 18), "name": name, "participants": 3}]}
    }
    text = filled_submission(plan, data, "so-khcn.xlsx")
    for fast in (True, False):
        back = load_bytes(text.encode("utf-8"), "so-khcn.yaml", fast=fast).data
        assert back["tasks"]["1c"]["events"][0]["name"] == name


def test_import_never_writes_a_file_that_does_not_read_back_as_the_form(
    tmp_path: Path, mini_plan: Plan, mini_plan_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before it writes (and, with --force, replaces a unit's file), import reads back the YAML it
    made: a file that would read otherwise than the form is an error, and the old file stays."""
    import plan57.render.template as template

    monkeypatch.chdir(tmp_path)
    plan = ["--plan", str(mini_plan_path)]
    form = make_form(tmp_path, mini_plan)
    edit(form, {"submitted": dt.date(2025, 12, 1), "staff.total": 10, "staff.informed": 9})
    assert run("import", str(form), *plan).exit_code == 0
    yaml_file = tmp_path / "data" / "units" / "2025" / f"{UNIT}.yaml"
    before = yaml_file.read_bytes()
    edit(form, {"staff.informed": 8})
    real = template.filled_submission
    for broken, why in (
        (lambda t: t.replace("informed: 8", "informed: : 8"), "dấu ':' không đúng chỗ"),  # the parser's words
        (lambda t: t.replace("informed: 8", "informed: 7"), "số liệu đọc lại khác số liệu của biểu mẫu"),
    ):
        monkeypatch.setattr(template, "filled_submission", lambda *a, b=broken: b(real(*a)))
        r = run("import", str(form), "--force", *plan)
        assert r.exit_code == 1, r.output
        said = [line for line in r.output.splitlines() if "không đọc lại được đúng như đã điền (" in line]
        assert len(said) == 1 and why in said[0], r.output
        assert yaml_file.read_bytes() == before
    monkeypatch.setattr(template, "filled_submission", real)
    assert run("import", str(form), "--force", *plan).exit_code == 0
    assert "informed: 8" in yaml_file.read_text(encoding="utf-8")


def test_a_line_break_pasted_from_word_is_a_line_break(tmp_path: Path, mini_plan: Plan) -> None:
    """Text pasted into a cell from Word keeps Windows' carriage returns: each line break reads as
    one '\\n', never as a control character refused."""
    path = make_form(tmp_path, mini_plan)
    wb = openpyxl.load_workbook(path)
    ws, ref = table_cell(wb, "difficulties", 0, 0)
    ws[ref] = "Thiếu kinh phí\r\ncho hoạt động\rtruyền thông"
    wb.save(path)
    result = check_form(path, mini_plan)
    assert not [d for d in result.diagnostics if d.severity == "error"], [d.text() for d in result.diagnostics]
    assert result.data is not None
    assert result.data["difficulties"] == ["Thiếu kinh phí\ncho hoạt động\ntruyền thông"]


def test_an_event_without_its_task_says_so_at_the_task_cell(tmp_path: Path, mini_plan: Plan) -> None:
    path = make_form(tmp_path, mini_plan)
    wb = openpyxl.load_workbook(path)
    ws, task_ref = table_cell(wb, "events", 0, 0)
    ws[table_cell(wb, "events", 0, 2)[1]] = "Hội nghị"
    wb.save(path)
    said = messages(path, mini_plan)
    got = [m for m in said if f"Báo cáo!{task_ref}: lỗi:" in m]
    assert len(got) == 1 and "chưa chọn nhiệm vụ của sự kiện ở dòng này" in got[0], said
    assert not [m for m in said if "None" in m], said


@pytest.mark.parametrize("title, scoped", [("Báo cáo (2)", True), ("Báo cáo_2", False), ("Bản sao", True)])
def test_a_form_filled_on_a_copy_of_its_sheet_is_an_error(
    tmp_path: Path, mini_plan: Plan, title: str, scoped: bool
) -> None:
    """Excel's Move or Copy gives the copied sheet its own names of the form's cells; plan57 reads
    the cells of the workbook's names, on the original sheet. A unit that filled the copy must be
    told, not imported as an empty draft."""
    from openpyxl.workbook.defined_name import DefinedName

    path = make_form(tmp_path, mini_plan)
    wb = openpyxl.load_workbook(path)
    copy = wb.copy_worksheet(wb[MAIN_SHEET])
    copy.title = title
    if scoped:
        for name, dn in list(wb.defined_names.items()):
            copy.defined_names[name] = DefinedName(
                name, attr_text=dn.attr_text.replace(f"'{MAIN_SHEET}'", f"'{title}'")
            )
    wb.save(path)
    said = messages(path, mini_plan)
    assert len(said) == 1, said
    assert f"trang '{title}' là bản chép của trang '{MAIN_SHEET}'" in said[0], said
    assert check_form(path, mini_plan).data is None


def test_section_numbers_are_roman_past_sixteen() -> None:
    from plan57.render.form import ROMAN, roman

    value = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}

    def back(text: str) -> int:
        total = 0
        for a, b in zip(text, text[1:] + " "):
            total += -value[a] if b != " " and value[b] > value[a] else value[a]
        return total

    assert ROMAN[16] == "XVII" and roman(49) == "XLIX" and roman(1994) == "MCMXCIV"
    assert all(back(roman(n)) == n and set(roman(n)) <= set(value) for n in range(1, 400))


def test_form_messages_speak_the_forms_words(tmp_path: Path, mini_plan: Plan) -> None:
    """A form's messages say its own words: dates as ngày/tháng/năm with such an example, Có or
    Không for a yes-or-no cell, and a required cell of a table row left empty at that cell."""
    path = make_form(tmp_path, mini_plan)
    wb = edit(path, {"submitted": "3-12-26", "portal_section.exists": "1"})
    ws, name_ref = table_cell(wb, "training", 0, 0)
    ws[name_ref] = "Tập huấn"
    ws[table_cell(wb, "training", 0, 1)[1]] = mini_plan.training_audiences[0].name
    participants_ref = table_cell(wb, "training", 0, 2)[1]
    wb.save(path)
    said = messages(path, mini_plan)
    date = next(m for m in said if "'Ngày gửi báo cáo'" in m)
    assert "ví dụ 03/12/2025" in date and "2025-12-03" not in date, date
    yes_no = next(m for m in said if "'Đã có chuyên mục NQ57 trên Cổng/Trang thông tin điện tử chưa'" in m)
    assert "phải chọn Có hoặc Không" in yes_no and "true" not in yes_no, yes_no
    empty = [m for m in said if "'Số người tham gia'" in m]
    assert len(empty) == 1 and f"Báo cáo!{participants_ref}: lỗi: chưa ghi ô bắt buộc" in empty[0], said


def test_a_form_named_twice_is_read_once(tmp_path: Path, mini_plan: Plan, mini_plan_path: Path) -> None:
    """`import a.xlsx ./a.xlsx` is one form: never "another form of the same unit"."""
    path = make_form(tmp_path, mini_plan)
    edit(path, {"submitted": dt.date(2025, 12, 1)})
    (tmp_path / "u").mkdir()
    r = run(
        "import",
        str(path),
        str(path.parent / "." / path.name),
        "--plan",
        str(mini_plan_path),
        "--units",
        str(tmp_path / "u"),
    )
    assert r.exit_code == 0, r.output
    assert "Đã kiểm tra 1 biểu mẫu: 1 đã ghi" in r.output and "khác" not in r.output, r.output


@pytest.mark.parametrize("title", ["Báo cáo 2025", "Báo cáo (2)", "Ghi chú"])
def test_a_sheet_the_unit_added_is_no_copy(tmp_path: Path, mini_plan: Plan, title: str) -> None:
    """A sheet of the unit's own (notes, a draft), whatever its name, does not stop the import."""
    path = make_form(tmp_path, mini_plan)
    wb = edit(path, {"submitted": dt.date(2025, 12, 1)})
    wb.create_sheet(title)["A1"] = "Ghi chú riêng của đơn vị"
    wb.save(path)
    assert not [m for m in messages(path, mini_plan) if "bản chép" in m]
    assert check_form(path, mini_plan).data is not None


def test_no_form_label_speaks_of_yaml_quotes(tmp_path: Path, mini_plan: Plan) -> None:
    """The YAML template asks for a phone number in quotes; a cell takes it as typed, and a clerk
    who typed the quotes would keep them in the data."""
    wb = openpyxl.load_workbook(make_form(tmp_path, mini_plan))
    texts = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any("Số điện thoại" in t for t in texts)
    assert not [t for t in texts if "ngoặc kép" in t], [t for t in texts if "ngoặc kép" in t]


# ---- rows grow with their text ------------------------------------------------------------------

LONG_DIFFICULTY = (
    "Kinh phí bố trí cho công tác tuyên truyền còn hạn chế; đội ngũ cán bộ kiêm nhiệm, chưa được tập huấn "
    "chuyên sâu về truyền thông số; hạ tầng mạng ở các bản vùng cao chưa ổn định, nhiều hộ dân chưa có điện "
    "thoại thông minh nên việc tiếp cận thông tin qua mạng xã hội và Cổng thông tin điện tử còn khó khăn. "
) * 3


def test_a_row_grows_with_its_pre_filled_text(tmp_path: Path, mini_plan: Plan, mini_plan_path: Path) -> None:
    """A form sent back for corrections carries the unit's long text whole: its row is as high as
    the wrapped text needs, up to Excel's highest row; a short text's row keeps its height."""
    from plan57.render.form import LINE_PT, MAX_ROW_PT, WIDTHS

    text = LONG_DIFFICULTY[:600]
    data = submission(mini_plan, UNIT, 2026)
    data["difficulties"] = [text, "Thiếu kinh phí."]
    data["proposals"] = ["Đề nghị tập huấn. " * 200]  # 3,600 characters: more than a row can show
    units, forms = tmp_path / "units", tmp_path / "forms"
    write(units, 2026, UNIT, data)
    plan_args = ("--plan", str(mini_plan_path), "--units", str(units))
    r = run("new", UNIT, "--year", "2026", "--format", "xlsx", *plan_args, "--out", str(forms))
    assert r.exit_code == 0, r.output
    wb = openpyxl.load_workbook(forms / f"{UNIT}.xlsx")
    ws, ref = table_cell(wb, "difficulties", 0, 0)
    assert ws[ref].value == text
    height = ws.row_dimensions[ws[ref].row].height or LINE_PT
    lines = -(-len(text) // int(WIDTHS[ref[0]] * 1.1))
    assert height > LINE_PT and height >= lines * LINE_PT, (height, lines)
    ws, short = table_cell(wb, "difficulties", 1, 0)
    assert (ws.row_dimensions[ws[short].row].height or LINE_PT) == LINE_PT
    ws, ref = table_cell(wb, "proposals", 0, 0)
    assert ws.row_dimensions[ws[ref].row].height == MAX_ROW_PT


def test_a_table_rows_field_is_named_by_its_column_and_table(tmp_path: Path, mini_plan: Plan) -> None:
    """A clerk reads 'Tên chương trình' (bảng '…', mục 1), the column's header, not 'training (mục 1).name'."""
    path = make_form(tmp_path, mini_plan, year=2026)
    wb = edit(path, {"submitted": "03/12/2026", "staff.total": 40})
    ws, ref = table_cell(wb, "training", 0, 2)
    ws[ref] = -5
    wb.save(path)
    found = messages(path, mini_plan)
    named = [m for m in found if "(bảng '" in m]
    assert any("'Tên chương trình' (bảng '" in m and "mục 1)" in m for m in named), found
    assert any("'Số người tham gia' (bảng '" in m and "phải ≥ 0" in m for m in named), found
    assert not any("training (mục" in m for m in found), found
