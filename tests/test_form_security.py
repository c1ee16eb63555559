"""Excel forms that cannot be poisoned, forged or mistaken for reports (SPEC §7, §10)."""

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
from typer.testing import CliRunner

from plan57.cli import app
from plan57.loading.yamlsafe import load_bytes
from plan57.model.plan import Plan
from tests.conftest import submission, write
from tests.test_forms import UNIT, cell_of, edit, table_cell

HOSTILE = [
    "=cmd|' /C calc'!A0",
    '=WEBSERVICE("http://x")',
    '=HYPERLINK("http://x","bấm")',
    "=2*3 Tập huấn",
    "-5 người",
    "+84 212 3852 345",
    "@x",
]


def run(*args: object) -> Any:
    return CliRunner().invoke(app, [str(a) for a in args])


def sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/sheet"))


def hostile_submission(plan: Plan, year: int = 2025) -> dict[str, Any]:
    data = submission(plan, UNIT, year)
    data["reference"] = HOSTILE[1]
    data["difficulties"] = HOSTILE[:3]
    data["proposals"] = HOSTILE[3:]
    data["training"][0]["name"] = HOSTILE[3]
    data["implementation_plan"]["reference"] = HOSTILE[2]
    data["contact"] = {"name": "@Hoa", "position": "-", "phone": "+84 212 3852 345", "email": None}
    data["tasks"] = {"1a": {"activities": 1, "events": [{"date": dt.date(year, 5, 1), "name": HOSTILE[0]}]}}
    return data


def args(tmp_path: Path, plan_path: Path) -> tuple[object, ...]:
    return ("--plan", plan_path, "--units", tmp_path / "units")


# ---- 1. text stays text ----------------------------------------------------------------------


def test_texts_beginning_like_a_formula_are_written_and_read_as_texts(
    tmp_path: Path, mini_plan: Plan, mini_plan_path: Path
) -> None:
    data = hostile_submission(mini_plan)
    write(tmp_path / "units", 2025, UNIT, data)
    forms = tmp_path / "forms"
    r = run("new", UNIT, "--year", 2025, "--format", "xlsx", "--out", forms, *args(tmp_path, mini_plan_path))
    assert r.exit_code == 0, r.output
    form = forms / f"{UNIT}.xlsx"
    xml = sheet_xml(form)
    assert not re.search(r"<f[ >]", xml), "no formula in what new writes"
    wb = openpyxl.load_workbook(form)
    sheet, ref = cell_of(wb, "reference")
    cell = wb[sheet][ref]
    assert cell.value == HOSTILE[1] and cell.data_type == "s" and cell.quotePrefix
    ws, ref = table_cell(wb, "events", 0, 2)
    assert ws[ref].value == HOSTILE[0] and ws[ref].data_type == "s"
    # read back equal: the form, with a change so it is not untouched, replaces the file it came from
    edit(form, {"staff.total": 11})
    r = run("import", form, "--force", *args(tmp_path, mini_plan_path))
    assert r.exit_code == 0, r.output
    back = load_bytes((tmp_path / "units" / "2025" / f"{UNIT}.yaml").read_bytes(), "x.yaml").data
    assert back["reference"] == HOSTILE[1]
    assert back["difficulties"] == HOSTILE[:3] and back["proposals"] == HOSTILE[3:]
    assert back["training"][0]["name"] == HOSTILE[3]
    assert back["implementation_plan"]["reference"] == HOSTILE[2]
    assert back["contact"]["name"] == "@Hoa" and back["contact"]["phone"] == "+84 212 3852 345"
    assert back["tasks"]["1a"]["events"][0]["name"] == HOSTILE[0]


def test_carried_over_texts_stay_texts(tmp_path: Path, mini_plan: Plan, mini_plan_path: Path) -> None:
    write(tmp_path / "units", 2025, UNIT, hostile_submission(mini_plan))
    forms = tmp_path / "forms"
    r = run(
        "new", UNIT, "--year", 2026, "--from-year", 2025, "--format", "xlsx", "--out", forms,
        *args(tmp_path, mini_plan_path),
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    form = forms / f"{UNIT}.xlsx"
    assert not re.search(r"<f[ >]", sheet_xml(form))
    wb = openpyxl.load_workbook(form)
    sheet, ref = cell_of(wb, "implementation_plan.reference")
    assert wb[sheet][ref].value == HOSTILE[2] and wb[sheet][ref].data_type == "s"


@pytest.mark.parametrize("typed", ["=10+5", "=SUM(1,2)", '=WEBSERVICE("http://x")'])
def test_a_formula_typed_in_an_input_cell_is_an_error_at_it(
    tmp_path: Path, mini_plan: Plan, mini_plan_path: Path, typed: str
) -> None:
    forms = tmp_path / "forms"
    (tmp_path / "units").mkdir()
    r = run("new", UNIT, "--year", 2025, "--format", "xlsx", "--out", forms, *args(tmp_path, mini_plan_path))
    assert r.exit_code == 0, r.output
    form = forms / f"{UNIT}.xlsx"
    wb = edit(form, {"submitted": dt.date(2025, 12, 1), "staff.total": typed})
    _, ref = cell_of(wb, "staff.total")
    # a cached value, as Excel would store it, is never read
    with zipfile.ZipFile(form) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    for name, body in parts.items():
        if name.startswith("xl/worksheets/sheet"):
            parts[name] = re.sub(rb"(<f>[^<]*</f>)<v>[^<]*</v>|(<f>[^<]*</f>)", rb"\1\2<v>15</v>", body)
    with zipfile.ZipFile(form, "w") as z:
        for name, body in parts.items():
            z.writestr(name, body)
    r = run("import", form, *args(tmp_path, mini_plan_path))
    assert r.exit_code == 1, r.output
    assert f"Báo cáo!{ref}: lỗi: ô {ref} có công thức; hãy gõ giá trị" in r.output
    assert not (tmp_path / "units" / "2025" / f"{UNIT}.yaml").exists()


# ---- 2. a signature Excel editing cannot forge -----------------------------------------------


def made(tmp_path: Path, plan_path: Path, unit: str = UNIT) -> Path:
    forms = tmp_path / "forms"
    (tmp_path / "units").mkdir(exist_ok=True)
    r = run("new", unit, "--year", 2025, "--format", "xlsx", "--out", forms, *args(tmp_path, plan_path))
    assert r.exit_code == 0, r.output
    return forms / f"{unit}.xlsx"


def filled(form: Path) -> Any:
    return edit(form, {"submitted": dt.date(2025, 12, 1), "staff.total": 10, "staff.informed": 9})


def test_the_signature_sheet_is_very_hidden(tmp_path: Path, mini_plan_path: Path) -> None:
    wb = openpyxl.load_workbook(made(tmp_path, mini_plan_path))
    assert wb["_ky"].sheet_state == "veryHidden"


def test_a_form_without_its_signature_is_refused(tmp_path: Path, mini_plan_path: Path) -> None:
    form = made(tmp_path, mini_plan_path)
    wb = filled(form)
    del wb["_ky"]
    wb.save(form)
    r = run("import", form, *args(tmp_path, mini_plan_path))
    assert r.exit_code == 1 and "lỗi: biểu mẫu không có chữ ký của plan57" in r.output, r.output


def test_an_edited_unit_or_year_cell_is_an_error_at_it(tmp_path: Path, mini_plan_path: Path) -> None:
    form = made(tmp_path, mini_plan_path)
    filled(form)
    wb = openpyxl.load_workbook(form)
    _, unit_ref = cell_of(wb, "unit")
    _, year_ref = cell_of(wb, "year")
    wb["Báo cáo"][unit_ref] = "xa-chieng-la"
    wb["Báo cáo"][year_ref] = 2026
    wb.save(form)
    forged = form.with_name("baocao.xlsx")
    form.rename(forged)
    r = run("import", forged, *args(tmp_path, mini_plan_path))
    assert r.exit_code == 1, r.output
    assert f"Báo cáo!{unit_ref}: lỗi: ô mã đơn vị ghi 'xa-chieng-la' nhưng biểu mẫu được tạo cho đơn vị '{UNIT}'" in (
        r.output
    )
    assert f"Báo cáo!{year_ref}: lỗi: ô năm báo cáo ghi '2026' nhưng biểu mẫu được tạo cho năm 2025" in r.output


def test_a_signature_edited_with_the_cells_is_noticed(tmp_path: Path, mini_plan_path: Path) -> None:
    form = made(tmp_path, mini_plan_path)
    filled(form)
    wb = openpyxl.load_workbook(form)
    wb["_ky"]["B1"] = "xa-chieng-la"
    wb.save(form)
    r = run("import", form, *args(tmp_path, mini_plan_path))
    assert r.exit_code == 1 and "chữ ký của biểu mẫu bị sửa" in r.output, r.output


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        (f"{UNIT}.xlsx", True),
        (f"{UNIT.upper()} (1).xlsx", True),
        (f"{UNIT}-sua.xlsx", True),
        (f"{UNIT}_v2.xlsx", True),
        ("baocao.xlsx", True),  # no unit's id: the signature alone says whose it is
        ("Book1.xlsx", True),
        ("xa-chieng-la.xlsx", False),  # another unit's id
        ("xa-chieng-la (2).xlsx", False),
    ],
)
def test_the_file_name_names_the_unit_or_no_unit(tmp_path: Path, mini_plan_path: Path, name: str, ok: bool) -> None:
    form = made(tmp_path, mini_plan_path)
    filled(form)
    renamed = form.with_name(name)
    form.rename(renamed)
    r = run("import", renamed, *args(tmp_path, mini_plan_path))
    assert (r.exit_code == 0) is ok, r.output
    if not ok:
        assert "tên tệp gợi ý đơn vị 'xa-chieng-la'" in r.output


def test_a_form_resaved_by_openpyxl_keeps_its_signature(tmp_path: Path, mini_plan_path: Path) -> None:
    form = made(tmp_path, mini_plan_path)
    filled(form)
    openpyxl.load_workbook(form).save(form)
    assert openpyxl.load_workbook(form)["_ky"].sheet_state == "veryHidden"
    r = run("import", form, *args(tmp_path, mini_plan_path))
    assert r.exit_code == 0, r.output


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_a_form_resaved_by_libreoffice_keeps_its_signature(tmp_path: Path, mini_plan_path: Path) -> None:
    form = made(tmp_path, mini_plan_path)
    filled(form)
    out = tmp_path / "lo"
    profile = f"-env:UserInstallation=file://{tmp_path / 'profile'}"
    cmd = ["soffice", profile, "--headless", "--convert-to", "xlsx", "--outdir", str(out), str(form)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=180)
    saved = out / form.name
    assert openpyxl.load_workbook(saved)["_ky"].sheet_state in ("hidden", "veryHidden")  # Calc keeps it hidden
    r = run("import", saved, *args(tmp_path, mini_plan_path))
    assert r.exit_code == 0, r.output


# ---- 5. untouched forms are not reports ------------------------------------------------------


def receipt_rows(tmp_path: Path) -> list[list[str]]:
    import csv

    with open(tmp_path / "units" / "2025" / "nhat-ky-nhan.csv", encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_an_untouched_form_writes_nothing(tmp_path: Path, mini_plan_path: Path) -> None:
    form = made(tmp_path, mini_plan_path)
    openpyxl.load_workbook(form).save(form)  # opened and saved, nothing typed
    r = run("import", form, *args(tmp_path, mini_plan_path))
    assert r.exit_code == 0, r.output  # no error in the data, no wrong use: said, written nowhere
    assert "biểu mẫu chưa được điền" in r.output
    assert "0 đã ghi, 0 bỏ qua, 0 có lỗi, 1 chưa được điền" in r.output
    assert not (tmp_path / "units" / "2025" / f"{UNIT}.yaml").exists()
    r = run("import", form, "--format", "json", *args(tmp_path, mini_plan_path))
    assert r.exit_code == 0 and json.loads(r.stdout)["untouched"] == [str(form)], r.output
    assert receipt_rows(tmp_path)[-1][4:] == ["bỏ qua", "biểu mẫu chưa được điền"]
    filled(form)
    assert run("import", form, *args(tmp_path, mini_plan_path)).exit_code == 0


def test_a_form_prefilled_from_a_sent_report_gives_it_back(
    tmp_path: Path, mini_plan: Plan, mini_plan_path: Path
) -> None:
    """SPEC §7's round trip: YAML → form (pre-filled) → import gives back the same data, even when
    the form comes back as it was made: it holds a report that was sent (its `submitted` date)."""
    original = submission(mini_plan, UNIT, 2025)
    write(tmp_path / "units", 2025, UNIT, original)
    form = made(tmp_path, mini_plan_path)
    elsewhere = tmp_path / "other-units"
    elsewhere.mkdir()
    r = run("import", form, "--plan", mini_plan_path, "--units", elsewhere)
    assert r.exit_code == 0, r.output
    from tests.test_forms import as_the_form_gives, record, template_shaped

    back = load_bytes((elsewhere / "2025" / f"{UNIT}.yaml").read_bytes(), "x.yaml").data
    sent = load_bytes((tmp_path / "units" / "2025" / f"{UNIT}.yaml").read_bytes(), "x.yaml").data
    assert record(mini_plan, back) == record(mini_plan, template_shaped(mini_plan, as_the_form_gives(mini_plan, sent)))


def test_a_draft_prefilled_form_returned_untouched_writes_nothing(
    tmp_path: Path, mini_plan: Plan, mini_plan_path: Path
) -> None:
    """A form pre-filled from a draft (no `submitted`) and returned as it was made is no report."""
    draft = submission(mini_plan, UNIT, 2025)
    draft["submitted"] = None
    yaml_file = write(tmp_path / "units", 2025, UNIT, draft)
    before = yaml_file.read_bytes()
    form = made(tmp_path, mini_plan_path)
    r = run("import", form, "--force", *args(tmp_path, mini_plan_path))
    assert r.exit_code == 0 and "biểu mẫu chưa được điền" in r.output, r.output
    assert yaml_file.read_bytes() == before
    assert not (tmp_path / "units" / "2025" / ".phien-ban").exists()


# ---- 6. drafts never block -------------------------------------------------------------------


def test_a_draft_is_replaced_without_force_and_kept(tmp_path: Path, mini_plan: Plan, mini_plan_path: Path) -> None:
    draft = submission(mini_plan, UNIT, 2025)
    del draft["submitted"]
    yaml_file = write(tmp_path / "units", 2025, UNIT, draft)
    before = yaml_file.read_bytes()
    form = made(tmp_path, mini_plan_path)
    filled(form)
    r = run("import", form, *args(tmp_path, mini_plan_path))
    assert r.exit_code == 0, r.output
    assert yaml_file.read_bytes() != before
    kept = list((tmp_path / "units" / "2025" / ".phien-ban").glob(f"{UNIT}.*.yaml"))
    assert [k.read_bytes() for k in kept] == [before]


def test_a_dated_file_still_needs_force(tmp_path: Path, mini_plan: Plan, mini_plan_path: Path) -> None:
    yaml_file = write(tmp_path / "units", 2025, UNIT, submission(mini_plan, UNIT, 2025))
    before = yaml_file.read_bytes()
    form = made(tmp_path, mini_plan_path)
    filled(form)
    r = run("import", form, *args(tmp_path, mini_plan_path))
    assert r.exit_code == 2 and "dùng --force" in r.output, r.output
    assert yaml_file.read_bytes() == before


# ---- 3. a value the current plan has no place for ---------------------------------------------


def test_a_value_in_a_cell_the_plan_no_longer_has_is_an_error_at_it(tmp_path: Path) -> None:
    """A form made before the plan dropped a product kind, with 77 leaflets typed: the 77 is not lost
    silently; the import refuses the form at that cell and writes nothing."""
    from tests.conftest import PLAN

    old_plan = tmp_path / "old.yaml"
    shutil.copy(PLAN, old_plan)
    text = PLAN.read_text(encoding="utf-8")
    leaflets = '  - {id: leaflets, name: "tờ gấp, cẩm nang, tài liệu"}\n'
    assert leaflets in text
    new_plan = tmp_path / "plan.yaml"
    new_plan.write_text(text.replace(leaflets, ""), encoding="utf-8")
    unit = "xa-muong-la"
    form = made(tmp_path, old_plan, unit)
    wb = edit(form, {"submitted": dt.date(2025, 12, 1), "tasks.1a.products.leaflets": 77, "tasks.1a.activities": 2})
    sheet, ref = cell_of(wb, "tasks.1a.products.leaflets")
    r = run("import", form, *args(tmp_path, new_plan))
    assert r.exit_code == 1, r.output
    assert f"{sheet}!{ref}: lỗi: ô {ref} ('tasks.1a.products.leaflets') không còn trong kế hoạch hiện hành" in r.output
    assert "'77'" in r.output
    assert not (tmp_path / "units" / "2025" / f"{unit}.yaml").exists()
    # the same form against the plan it was made for imports, with the 77
    r = run("import", form, *args(tmp_path, old_plan))
    assert r.exit_code == 0, r.output
    written = load_bytes((tmp_path / "units" / "2025" / f"{unit}.yaml").read_bytes(), "x.yaml").data
    assert written["tasks"]["1a"]["products"]["leaflets"] == 77


def test_validate_checks_a_form_as_import_does_and_writes_nothing(tmp_path: Path, mini_plan_path: Path) -> None:
    """`plan57 validate FORM.xlsx` is what a clerk tries first: the form's problems at their cells,
    exit 1, nothing written; a good form is valid (exit 0), still nothing written."""
    form = made(tmp_path, mini_plan_path)
    wb = edit(form, {"submitted": dt.date(2025, 12, 1), "staff.total": 10, "staff.informed": 45})
    sheet, ref = cell_of(wb, "staff.informed")
    r = run("validate", form, *args(tmp_path, mini_plan_path))
    assert r.exit_code == 1, r.output
    assert f"{form.name}:{sheet}!{ref}: lỗi:" in r.output.replace(str(form), form.name)
    assert "NUL" not in r.output
    edit(form, {"staff.informed": 9})
    r = run("validate", form, *args(tmp_path, mini_plan_path))
    assert r.exit_code == 0, r.output
    assert "Đã kiểm tra 1 tệp: 1 hợp lệ" in r.output
    assert not list((tmp_path / "units").rglob("*.yaml"))
    r = run("validate", tmp_path / "forms" / "khong-co.xlsx", *args(tmp_path, mini_plan_path))
    assert r.exit_code == 2 and "không tìm thấy" in r.output


def test_a_required_cell_holding_a_formula_is_said_at_that_cell(tmp_path: Path, mini_plan_path: Path) -> None:
    """A formula in a required cell is refused at it, and the field it leaves missing is said at the
    same cell, never at its neighbour."""
    form = made(tmp_path, mini_plan_path)
    wb = edit(form, {"submitted": dt.date(2025, 12, 1), "population.total": "=1+1", "population.reached": 100})
    _, total = cell_of(wb, "population.total")
    _, reached = cell_of(wb, "population.reached")
    r = run("import", form, *args(tmp_path, mini_plan_path))
    assert r.exit_code == 1, r.output
    errors = [line for line in r.output.splitlines() if ": lỗi: " in line]
    assert errors and all(f"Báo cáo!{total}: " in line for line in errors), errors
    assert not any(f"Báo cáo!{reached}: lỗi" in line for line in errors)
