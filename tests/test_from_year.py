"""`plan57 new --from-year`: next year's template carries what persists, never this year's figures."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from plan57.api import carried_from, write_template
from plan57.cli import app
from plan57.loading.yamlsafe import load_bytes
from plan57.model.carry import carry_over, persistent_paths, persists
from plan57.model.form import unwrap
from plan57.model.plan import Plan
from plan57.model.submission import submission_model
from plan57.render.template import new_submission
from plan57.validation.validate import validate_bytes

from .conftest import PLAN, submission, write
from .test_forms import UNIT, cell_of, submissions, text


def run(*args: object) -> Any:
    return CliRunner().invoke(app, [str(a) for a in args])


def get(data: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def leaves(data: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """Every value of a submission that is not a mapping, by its key path."""
    if isinstance(data, dict):
        return [leaf for key, value in data.items() for leaf in leaves(value, (*path, str(key)))]
    return [(path, data)]


def record(plan: Plan, data: dict[str, Any]) -> dict[str, Any]:
    return submission_model(plan).model_validate(data).model_dump(by_alias=True)


def last_year(plan: Plan, unit_id: str) -> dict[str, Any]:
    """A full, valid 2025 submission: every block of the unit's kind, a contact, lists, tasks."""
    data = submission(plan, unit_id, 2025)
    data["contact"] = {"name": "Nguyễn Thị Hoa", "position": "Chuyên viên", "phone": "0212 3852 345", "email": None}
    data["reference"] = "Báo cáo số 245/BC-UBND ngày 01/12/2025"
    data["channels"] = [1, 3, 8]
    data["budget_vnd"] = 50_000_000
    data["difficulties"] = ["Thiếu kinh phí."]
    data["proposals"] = ["Tập huấn thêm."]
    led = [t.id for t in plan.tasks if unit_id in {u.id for u in plan.select(t.leads)}]
    data["tasks"] = {tid: {"activities": 4, "products": {"news": 12}} for tid in led}
    return data


FLOWS = [  # figures of a year, which a unit of that kind reports: never carried
    ("staff", "informed"),
    ("communication_staff", "trained"),
    ("portal_section", "posts"),
    ("population", "reached"),
    ("grassroots", "villages_equipped"),
    ("science_tasks", "communicated"),
    ("press", "national_cooperation"),
    ("channels",),
    ("budget_vnd",),
    ("reference",),
]
STOCKS = [  # facts about the unit, which stay true: carried
    ("contact", "name"),
    ("contact", "phone"),
    ("implementation_plan", "issued"),
    ("implementation_plan", "reference"),
    ("implementation_plan", "date"),
    ("portal_section", "exists"),
    ("portal_section", "url"),
    ("staff", "total"),
    ("communication_staff", "total"),
    ("population", "total"),
    ("grassroots", "villages_total"),
]


# the kinds of the shipped plan (data/plan.yaml)
SHIPPED_KINDS = ("so", "ban", "bao_chi", "truong", "xa", "phuong")


def first_of_kind(plan: Plan, kind: str) -> str:
    return next(u.id for u in plan.units if u.kind == kind)


@pytest.mark.parametrize("kind", SHIPPED_KINDS)
def test_persistent_copied_flow_not(tmp_path: Path, plan: Plan, kind: str) -> None:
    unit = first_of_kind(plan, kind)
    units = tmp_path / "units"
    before = last_year(plan, unit)
    write(units, 2025, unit, before)
    result = run("new", unit, "--year", 2026, "--from-year", 2025, "--plan", PLAN, "--units", units)
    assert result.exit_code == 0, result.output
    assert "điền sẵn từ báo cáo năm 2025" in result.stdout and result.stderr == ""
    path = units / "2026" / f"{unit}.yaml"
    raw = path.read_bytes()
    after = load_bytes(raw, str(path)).data
    assert after["unit"] == unit and after["year"] == 2026 and after["submitted"] is None
    blocks = {"contact", *plan.blocks_for(plan.unit_index[unit])}
    for stock in STOCKS:
        if stock[0] in blocks:
            assert get(after, stock) == get(before, stock) is not None, stock
    for flow in FLOWS:
        assert get(before, flow) is not None or flow[0] not in blocks, flow
        assert get(after, flow) in (None, ""), flow
    for key in ("training", "difficulties", "proposals", "channels"):
        assert after.get(key) is None
    for tid, report in (after.get("tasks") or {}).items():
        assert report == {"activities": None} or report == {"activities": None, "events": None}, tid
    # the new file validates and is a draft
    checked = validate_bytes(raw, path, plan, 2026, 1 << 20, str(path))
    assert not [d.text() for d in checked.diagnostics if d.is_error]
    assert checked.record is not None and checked.record["submitted"] is None
    assert run("validate", "--plan", PLAN, path).exit_code == 0


def test_what_persists_is_declared_on_the_model(plan: Plan) -> None:
    """The paths carried over are exactly the fields the model marks; a mark moves a field."""
    model = submission_model(plan)
    marked = {
        (block, name)
        for block, f in model.model_fields.items()
        if isinstance(unwrap(f.annotation), type) and hasattr(unwrap(f.annotation), "model_fields")
        for name, sub in unwrap(f.annotation).model_fields.items()
        if persists(sub)
    }
    unit = first_of_kind(plan, "xa")
    blocks = {"contact", *plan.blocks_for(plan.unit_index[unit])}
    paths = set(persistent_paths(plan, unit))
    assert {p for p in paths if len(p) == 2} == {p for p in marked if p[0] in blocks}
    assert ("staff", "total") in paths and ("staff", "informed") not in paths
    staff = unwrap(model.model_fields["staff"].annotation).model_fields
    informed = staff["informed"]
    saved = informed.json_schema_extra
    try:
        informed.json_schema_extra = {"persists": True}
        assert ("staff", "informed") in persistent_paths(plan, unit)
        carried = carry_over(plan, unit, 2026, record(plan, last_year(plan, unit)))
        assert carried["staff"] == {"total": 10, "informed": 10}
        text = new_submission(plan, unit, 2026, carried, "x")
        assert get(load_bytes(text.encode(), "x.yaml").data, ("staff", "informed")) == 10
    finally:
        informed.json_schema_extra = saved


def test_form_prefilled_the_same_way(tmp_path: Path, plan: Plan) -> None:
    unit = first_of_kind(plan, "xa")
    units, forms = tmp_path / "units", tmp_path / "forms"
    before = last_year(plan, unit)
    write(units, 2025, unit, before)
    args = ("--year", 2026, "--from-year", 2025, "--plan", PLAN, "--units", units, "--format", "xlsx", "--out", forms)
    result = run("new", unit, *args)
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(forms / f"{unit}.xlsx")

    def value(name: str) -> Any:
        sheet, ref = cell_of(wb, name)
        got = wb[sheet][ref].value
        return got.date() if isinstance(got, dt.datetime) else got

    assert value("year") == 2026 and value("submitted") is None
    sheet, ref = cell_of(wb, "contact.position")  # a pre-filled text longer than its column: the row grows
    row = wb[sheet][ref].row
    assert len(value("contact.position")) <= 20 or (wb[sheet].row_dimensions[row].height or 0) >= 30
    sheet, ref = cell_of(wb, "implementation_plan.reference")
    assert (wb[sheet].row_dimensions[wb[sheet][ref].row].height or 0) >= 30  # 'Kế hoạch số 12/KH-UBND'
    assert value("contact.name") == "Nguyễn Thị Hoa" and value("contact.phone") == "0212 3852 345"
    assert value("implementation_plan.issued") == "Có"
    assert value("implementation_plan.reference") == before["implementation_plan"]["reference"]
    assert value("implementation_plan.date") == before["implementation_plan"]["date"]
    assert value("portal_section.url") == before["portal_section"]["url"]
    for stock in ("staff.total", "communication_staff.total", "population.total", "grassroots.villages_total"):
        assert value(stock) == get(before, tuple(stock.split("."))), stock
    for flow in ("staff.informed", "population.reached", "portal_section.posts", "budget_vnd", "channels.3"):
        assert value(flow) is None, flow
    led = next(t.id for t in plan.tasks if unit in {u.id for u in plan.select(t.leads)})
    assert value(f"tasks.{led}.activities") is None and value(f"tasks.{led}.products.news") is None
    for table in ("training", "difficulties", "proposals", "events"):
        ws, ref = next((ws, ws.tables[table].ref) for ws in wb.worksheets if table in ws.tables)
        rows = list(ws[ref])[1:]
        assert all(c.value is None for row in rows for c in row), table
    # the form, imported untouched, gives the YAML template's data
    yaml_dir = tmp_path / "yaml"
    yaml_dir.mkdir()  # import writes into a units folder that exists
    assert run("new", unit, "--year", 2026, "--from-year", 2025, "--plan", PLAN, "--units", units).exit_code == 0
    wb = openpyxl.load_workbook(forms / f"{unit}.xlsx")
    sheet, ref = cell_of(wb, "reference")
    wb[sheet][ref] = "Ghi chú"  # a form returned untouched is no report (SPEC §10)
    wb.save(forms / f"{unit}.xlsx")
    imported = run("import", forms / f"{unit}.xlsx", "--plan", PLAN, "--units", yaml_dir)
    assert imported.exit_code == 0, imported.output
    ours = load_bytes((units / "2026" / f"{unit}.yaml").read_bytes(), "a.yaml").data
    theirs = load_bytes((yaml_dir / "2026" / f"{unit}.yaml").read_bytes(), "b.yaml").data
    ours["reference"] = "Ghi chú"  # the one cell typed
    assert record(plan, theirs) == record(plan, ours)


def test_all_units(tmp_path: Path, plan: Plan) -> None:
    units, forms = tmp_path / "units", tmp_path / "forms"
    donors = [first_of_kind(plan, k) for k in plan.kind_ids]
    for unit in donors:
        write(units, 2025, unit, last_year(plan, unit))
    write(units, 2026, donors[0], submission(plan, donors[0], 2026))
    kept = (units / "2026" / f"{donors[0]}.yaml").read_bytes()
    others = len(plan.units) - len(donors)
    args = ("--year", 2026, "--from-year", 2025, "--plan", PLAN, "--units", units)

    xlsx = run("new", "--all", *args, "--format", "xlsx", "--out", forms)
    assert xlsx.exit_code == 0, xlsx.output
    assert f"Điền sẵn {len(donors) - 1} biểu mẫu từ báo cáo năm 2025" in xlsx.stdout
    notes = xlsx.stderr.splitlines()
    assert notes[0].startswith(f"Ghi chú: {others} đơn vị không có báo cáo năm 2025")
    assert notes[1].startswith("Ghi chú: 1 đơn vị đã có tệp YAML của năm") and notes[1].endswith(donors[0])
    assert len(notes) == 2

    result = run("new", "--all", *args)
    assert result.exit_code == 0, result.output
    assert (units / "2026" / f"{donors[0]}.yaml").read_bytes() == kept  # never overwritten unasked
    assert f"Điền sẵn {len(donors) - 1} tệp từ báo cáo năm 2025" in result.stdout
    notes = result.stderr.splitlines()
    assert len(notes) == 1 and notes[0].startswith(f"Ghi chú: {others} đơn vị không có báo cáo năm 2025")
    for unit in donors[1:]:
        data = load_bytes((units / "2026" / f"{unit}.yaml").read_bytes(), "x.yaml").data
        assert data["contact"]["name"] == "Nguyễn Thị Hoa" and data["staff"]["informed"] is None
    assert run("validate", "--plan", PLAN, units / "2026").exit_code == 0


def test_no_file_last_year_gives_the_plain_template(tmp_path: Path, plan: Plan) -> None:
    units = tmp_path / "units"
    unit = first_of_kind(plan, "phuong")
    result = run("new", unit, "--year", 2026, "--from-year", 2025, "--plan", PLAN, "--units", units)
    assert result.exit_code == 0
    assert result.stderr == f"Ghi chú: đơn vị '{unit}' không có báo cáo năm 2025 nên nhận mẫu trống.\n"
    assert (units / "2026" / f"{unit}.yaml").read_text(encoding="utf-8") == new_submission(plan, unit, 2026)


def test_invalid_file_last_year_is_never_copied(tmp_path: Path, plan: Plan) -> None:
    units = tmp_path / "units"
    unit = first_of_kind(plan, "so")
    bad = last_year(plan, unit)
    bad["staff"]["informed"] = bad["staff"]["total"] + 1  # more informed than staff: an error
    path = write(units, 2025, unit, bad)
    for fmt in ("xlsx", "text"):  # the form first: once the YAML template exists, the form comes from it
        result = run(
            "new", unit, "--year", 2026, "--from-year", 2025, "--plan", PLAN, "--units", units, "--format", fmt,
            *(("--out", tmp_path / "forms") if fmt == "xlsx" else ()),  # --out is the forms' folder
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and "vì tệp có lỗi" in lines[0] and str(path) in lines[0], lines
    text = (units / "2026" / f"{unit}.yaml").read_text(encoding="utf-8")
    assert text == new_submission(plan, unit, 2026) and "Nguyễn Thị Hoa" not in text
    wb = openpyxl.load_workbook(tmp_path / "forms" / f"{unit}.xlsx")
    sheet, ref = cell_of(wb, "contact.name")
    assert wb[sheet][ref].value is None


@pytest.mark.parametrize("from_year", [2026, 2027])
def test_from_year_not_before_year_is_a_usage_error(tmp_path: Path, from_year: int) -> None:
    for fmt in ("text", "xlsx"):
        result = run(
            "new", "xa-muong-la", "--year", 2026, "--from-year", from_year, "--plan", PLAN,
            "--units", tmp_path / "u", "--format", fmt, "--out", tmp_path / "f",
        )  # fmt: skip
        assert result.exit_code == 2
        assert result.stderr.startswith(f"plan57: --from-year {from_year} phải là một năm trước --year 2026")
        assert not (tmp_path / "u" / "2026").exists() and not (tmp_path / "f").exists()


def test_existing_file_needs_force(tmp_path: Path, plan: Plan) -> None:
    units = tmp_path / "units"
    unit = first_of_kind(plan, "xa")
    write(units, 2025, unit, last_year(plan, unit))
    mine = write(units, 2026, unit, submission(plan, unit, 2026))
    kept = mine.read_bytes()
    args = ("new", unit, "--year", 2026, "--from-year", 2025, "--plan", PLAN, "--units", units)
    refused = run(*args)
    assert refused.exit_code == 2 and "--force" in refused.stderr and mine.read_bytes() == kept
    forced = run(*args, "--force", "--format", "json")
    assert forced.exit_code == 0
    assert json.loads(forced.stdout)["prefilled"] == {unit: str(units / "2025" / f"{unit}.yaml")}
    after = load_bytes(mine.read_bytes(), "x.yaml").data
    assert after["submitted"] is None and after["contact"]["name"] == "Nguyễn Thị Hoa"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_property_persistent_equal_others_null(
    tmp_path_factory: pytest.TempPathFactory, mini_plan: Plan, data: st.DataObject
) -> None:
    before = data.draw(submissions(mini_plan))
    assume(before["year"] < mini_plan.years.stop - 1)
    empty_or_text = st.none() | text
    before["contact"] = data.draw(
        st.none()
        | st.fixed_dictionaries(
            {"name": empty_or_text, "position": empty_or_text, "phone": empty_or_text, "email": st.none()}
        )
    )
    before["sample"] = data.draw(st.booleans())
    if data.draw(st.booleans()):
        before["implementation_plan"] = {"issued": False}
    if data.draw(st.booleans()):
        before["portal_section"] = {"exists": data.draw(st.sampled_from([False, None]))}
    year = before["year"] + 1
    units = tmp_path_factory.mktemp("fy") / "units"
    write(units, before["year"], UNIT, copy.deepcopy(before))
    carried = carried_from(mini_plan, units, year, before["year"], cache=False)
    assert UNIT in carried.data, carried.invalid  # the drawn submission is valid
    path = write_template(mini_plan, units, UNIT, year, carried=carried)
    raw = path.read_bytes()
    checked = validate_bytes(raw, path, mini_plan, year, 1 << 20, str(path))
    assert not [d.text() for d in checked.diagnostics if d.is_error]
    assert checked.record is not None and checked.record["submitted"] is None
    old, new = record(mini_plan, before), checked.record
    keep = set(persistent_paths(mini_plan, UNIT))
    for p in keep:
        assert get(new, p) == get(old, p), p
    for p, value in leaves(new):
        if p in keep or p in (("unit",), ("year",)):
            continue
        # a text field of the template is an empty text, the others null
        assert value is None or (p == ("reference",) and value == ""), (p, value)


def test_a_long_carried_text_grows_its_row(tmp_path: Path, plan: Plan) -> None:
    """Last year's long texts, pre-filled by --from-year into the form's narrow input column, are
    shown whole: each row as high as its wrapped text needs, and never higher than Excel's highest
    row (409 pt), which a longer text would otherwise be given."""
    from plan57.render.form import LINE_PT, MAX_ROW_PT, WIDTHS

    unit = first_of_kind(plan, "xa")
    units, forms = tmp_path / "units", tmp_path / "forms"
    before = last_year(plan, unit)
    reference = "Kế hoạch số 12/KH-UBND ngày 15/10/2025 của Ủy ban nhân dân xã về triển khai Nghị quyết 57. " * 11
    before["implementation_plan"]["reference"] = reference.strip()  # 1,000 characters: 46 lines
    before["contact"]["position"] = "Công chức Văn hóa – Xã hội, phụ trách thông tin cơ sở và chuyển đổi số"
    write(units, 2025, unit, before)
    args = ("--year", 2026, "--from-year", 2025, "--plan", PLAN, "--units", units, "--format", "xlsx", "--out", forms)
    result = run("new", unit, *args)
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(forms / f"{unit}.xlsx")
    for name, carried in (
        ("implementation_plan.reference", before["implementation_plan"]["reference"]),
        ("contact.position", before["contact"]["position"]),
    ):
        sheet, ref = cell_of(wb, name)
        cell = wb[sheet][ref]
        assert cell.value == carried
        lines = -(-len(carried) // int(WIDTHS[ref[0]] * 1.1))
        height = wb[sheet].row_dimensions[cell.row].height or LINE_PT
        assert height > LINE_PT and height >= min(lines * LINE_PT, MAX_ROW_PT), (name, height, lines)
        assert height <= MAX_ROW_PT, (name, height)
    sheet, ref = cell_of(wb, "implementation_plan.reference")
    assert wb[sheet].row_dimensions[wb[sheet][ref].row].height == MAX_ROW_PT
