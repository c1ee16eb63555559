"""A second province's plan, run through the whole cycle (SPEC §11): Điện Biên's plan written from
a blank file (tests/data/dien-bien/plan.yaml), with other kinds, task ids ('1.1', 'nv-3'),
channels, thresholds and years, indicators of its own, Σ ≥ N targets, a yearly target and another
compiler. Every figure below is worked out by hand from the files in tests/data/dien-bien/units;
no output and no help text may carry a word of Sơn La's plan."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from plan57.cli import app

HERE = Path(__file__).resolve().parent / "data" / "dien-bien"
PLAN = HERE / "plan.yaml"
UNITS = HERE / "units"
OPTS = ["--plan", str(PLAN), "--units", str(UNITS), "--no-cache"]

# Words of Sơn La's plan (its province, decision, compiler, units) that no output of another
# plan may carry
SON_LA = re.compile(
    r"Sơn La|Son La|son-la|2493|Sở Văn hóa|Văn hóa, Thể thao|VHTTDL|vhttdl|Tô Hiệu|to-hieu|Mường La|muong-la"
    r"|Tây Bắc|Chủ tịch Ủy ban|mục II\.2|mục IV|mục V\b|1–10|2025\.|2026\.nhiem|2030\.dao-tao|1c\b",
    re.IGNORECASE,
)


def run(*args: object) -> Any:
    return CliRunner().invoke(app, [str(a) for a in args])


def clean(text: str, what: str) -> None:
    found = sorted({m.group(0) for m in SON_LA.finditer(text)})
    assert not found, f"{what}: {found}"


def docx_text(path: Path) -> str:
    import docx

    doc = docx.Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    for section in doc.sections:
        parts += [p.text for p in section.header.paragraphs]
    return "\n".join(parts)


def xlsx_text(path: Path) -> str:
    wb = openpyxl.load_workbook(path)
    parts = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    parts += list(wb.defined_names.keys())
    parts += [str(wb.properties.title), str(wb.properties.creator)]
    return "\n".join(parts)


def score(year: int) -> dict[str, Any]:
    result = run("score", "--year", year, "--format", "json", *OPTS)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def targets(data: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    keys = ("due", "judged_year", "numerator", "denominator", "value", "coverage", "required", "status")
    return {t["id"]: tuple(t[k] for k in keys) for t in data["targets"]}


def test_validate() -> None:
    result = run("validate", *OPTS)
    assert result.exit_code == 0, result.output
    assert "Đã kiểm tra 15 tệp: 15 hợp lệ, 0 có lỗi; 0 lỗi, 1 cảnh báo." in result.output
    assert "2026/xa-tuan-giao.yaml:19:3: cảnh báo: còn 1 ô để trống" in result.output
    clean(result.output, "validate")


def test_score_2026_by_hand() -> None:
    data = score(2026)
    assert data["reporting"] == {
        "expected": 8,
        "submitted": 7,
        "on_time": 6,
        "missing": ["xa-muong-nhe"],
        "late": ["so-nn-mt"],
        "invalid": [],
        "invalid_files": [],
    }
    assert targets(data) == {
        # 6 of 8 units issued a plan (so-nn-mt did not, xa-muong-nhe sent nothing): 75% < 90%, due
        "2026.ke-hoach": (True, 2026, 6, 8, "0.75", "1", None, "not_met"),
        # yearly, due from 2026: 5 of 8 units have a portal section, 62.5% < 80%
        "hang-nam.chuyen-muc": (True, 2026, 5, 8, "0.625", "1", None, "not_met"),
        # Σ informed 55+100+40+45+30+20+15 = 305 of Σ total 60+120+80+45+30+25+20 = 380, 7 of 8 units
        "2027.tuyen-truyen": (False, 2026, 305, 380, "0.802632", "0.875", None, "baseline"),
        # Σ ≥ 6 of the press agency's 2 sections + 1 programme = 3: not reached, not due
        "2027.chuyen-trang": (False, 2026, 3, 6, False, "1", None, "not_due"),
        # the app's users 6.000 + 4.000 of 25.000 + 18.000 people (xa-tuan-giao left it empty)
        "2027.dich-vu-cong": (False, 2026, 10000, 43000, "0.232558", "0.5", None, "baseline"),
        # Σ ≥ 50.000 reach: 20.000 + 12.000 + 8.000 + 5.000 = 45.000 from 4 of 5 units
        "2030.mang-xa-hoi": (False, 2026, 45000, 50000, False, "0.8", None, "not_due"),
        # 20.000 + 14.000 + 8.000 of 25.000 + 18.000 + 12.000 people, 3 of 4 communes
        "2030.tiep-can": (False, 2026, 42000, 55000, "0.763636", "0.75", None, "baseline"),
    }
    tasks = {t["id"]: (t["leads_expected"], t["leads_done"], t["status"]) for t in data["tasks"]}
    # 1.1: the press agency and the 4 communes lead (Sở KHCN coordinates); xa-tuan-giao did nothing
    # 1.2: the provincial agencies but Sở KHCN, named as its coordinator; nv-3: Sở GDĐT alone
    assert tasks == {"1.1": (5, 3, "not_met"), "1.2": (2, 1, "not_met"), "nv-3": (1, 1, "met")}
    assert data["budget_vnd"] == {
        "total": 155_000_000,
        "units": 3,
        "by_kind": {"co_quan": {"total": 55_000_000, "units": 2}, "truyen_thong": {"total": 100_000_000, "units": 1}},
    }


def test_score_2027_by_hand() -> None:
    data = score(2027)
    assert data["reporting"]["on_time"] == 8
    found = targets(data)
    # a milestone of 2026 keeps its 2026 verdict; the yearly target is judged on 2027's files
    assert found["2026.ke-hoach"] == (True, 2026, 6, 8, "0.75", "1", None, "not_met")
    assert found["hang-nam.chuyen-muc"] == (True, 2027, 7, 8, "0.875", "1", None, "met")
    # 388 of 395 = 98,2% ≥ 95% with every unit
    assert found["2027.tuyen-truyen"] == (True, 2027, 388, 395, "0.982278", "1", None, "met")
    # 4 + 3 = 7 ≥ 6
    assert found["2027.chuyen-trang"] == (True, 2027, 7, 6, True, "1", None, "met")
    # 9.000 + 6.000 + 3.000 + 1.000 = 19.000 of 65.000 = 29,2% < 30% with every commune
    assert found["2027.dich-vu-cong"] == (True, 2027, 19000, 65000, "0.292308", "1", None, "not_met")
    # 25.000 + 15.000 + 9.000 + 4.000 + 1.000 = 54.000 ≥ 50.000: met before 2030
    assert found["2030.mang-xa-hoi"] == (False, 2027, 54000, 50000, True, "1", None, "met")
    # 51.000/65.000 = 78,46% against required 42/55 + (17/20 − 42/55) × 1/4 = 691/880 = 78,52%
    assert found["2030.tiep-can"] == (False, 2027, 51000, 65000, "0.784615", "1", "0.785227", "off_track")
    yearly = next(t for t in data["targets"] if t["id"] == "hang-nam.chuyen-muc")
    assert [(p["year"], p["status"]) for p in yearly["history"]] == [(2026, "not_met"), (2027, "met")]


def test_score_table_and_explain() -> None:
    result = run("score", "--year", 2026, "--explain", *OPTS)
    assert result.exit_code == 0, result.output
    assert "Kết quả thực hiện Kế hoạch số 86/KH-UBND của UBND tỉnh — năm 2026" in result.output
    assert "Không (45.000/50.000)" in result.output
    assert "Σ(indicators.luot_tiep_can) = 45.000 ≥ 50.000: Không; độ phủ 4/5." in result.output
    clean(result.output, "score")
    unit = run("score", "--year", 2026, "--unit", "phuong-dien-bien-phu", *OPTS)
    assert unit.exit_code == 0, unit.output
    clean(unit.output, "score --unit")
    listing = run("units", "--year", 2026, *OPTS)
    assert listing.exit_code == 0 and "Xã, phường" in listing.output, listing.output
    clean(listing.output, "units")


@pytest.mark.parametrize("year", [2026, 2027])
def test_reports_in_every_format(tmp_path: Path, year: int) -> None:
    md = run("report", "--year", year, "--date", f"{year}-12-10", "--number", "7", *OPTS)
    assert md.exit_code == 0, md.output
    text = md.stdout
    clean(text, "md")
    assert "| ỦY BAN NHÂN DÂN TỈNH ĐIỆN BIÊN |" in text
    assert "Số: 07/BC-SKHCN" in text and f"*Điện Biên, ngày 10 tháng 12 năm {year}*" in text
    assert text.count("Sở Khoa học và Công nghệ báo cáo kết quả thực hiện") == 1
    assert "Thực hiện Kế hoạch số 86/KH-UBND ngày 15/01/2026 của Ủy ban nhân dân tỉnh Điện Biên" in text
    assert "## IV. CÁC PHƯƠNG THỨC TRUYỀN THÔNG (phần IV của Kế hoạch)" in text
    assert "| Lượt tiếp cận trên mạng xã hội | Người dân dùng ứng dụng dịch vụ công của tỉnh |" in text
    if year == 2026:
        assert "- UBND các xã, phường (1): Xã Mường Nhé." in text
        assert "| 5 | UBND phường Điện Biên Phủ | Đúng hạn | 15/11/2026 | Có | Có |" in text
        assert "| 24% (6.000/25.000) | 80% (20.000/25.000) | 12.000 | 6.000 |" in text
        assert "| 2 | Chuyên mục trên trang thông tin điện tử (hang-nam.chuyen-muc) | Hằng năm | 80% |" in text
        assert (
            "| 6 | Lượt tiếp cận trên mạng xã hội (2030.mang-xa-hoi) | 2030 | Điều kiện | Không (45.000/50.000) |"
            in text
        )
    for fmt in ("docx", "html", "xlsx"):
        out = tmp_path / f"r.{fmt}"
        result = run("report", "--year", year, "--date", f"{year}-12-10", "--number", "7", "-o", out, *OPTS)
        assert result.exit_code == 0, result.output
        shown = {"docx": docx_text, "xlsx": xlsx_text}.get(fmt, lambda p: p.read_text(encoding="utf-8"))(out)
        clean(shown, fmt)
        assert "Sở Khoa học và Công nghệ" in shown
        assert "Lượt tiếp cận trên mạng xã hội" in shown
    assert "ĐIỆN BIÊN" in docx_text(tmp_path / "r.docx")
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    annex = wb.worksheets[0]
    heads = [c.value for c in annex[1]]
    column = heads.index("Lượt tiếp cận trên mạng xã hội (luot_tiep_can)")
    values = [row[column].value for row in annex.iter_rows(min_row=2)]
    assert values[3:8] == ([20000, 12000, 8000, 5000, None] if year == 2026 else [25000, 15000, 9000, 4000, 1000])
    assert annex.cell(2, heads.index("Khối") + 1).value == "Cơ quan chuyên môn cấp tỉnh"


def test_templates_forms_and_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    plan = ["--plan", str(PLAN)]
    units = tmp_path / "units"
    result = run("new", "--all", "--year", 2028, "--units", units, *plan)
    assert result.exit_code == 0, result.output
    for path in sorted((units / "2028").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        clean(text, path.name)
        assert "Gửi Sở Khoa học và Công nghệ trước ngày 30/11/2028." in text
    commune = (units / "2028" / "xa-tuan-giao.yaml").read_text(encoding="utf-8")
    assert "luot_tiep_can:" in commune and "nguoi_dan_app:" in commune
    assert "'1.1':" in commune and "phần IV, 1–8" in commune
    assert "— chỉ tiêu 2027.dich-vu-cong, 2030.tiep-can" in commune  # the field names the plan's own targets
    agency = (units / "2028" / "so-gddt.yaml").read_text(encoding="utf-8")
    assert "indicators:" not in agency and "'1.2':" in agency and "nv-3:" in agency
    result = run("validate", "--plan", PLAN, "--units", units, "--no-cache")
    assert result.exit_code == 0, result.output
    # a form pre-filled from a unit's file comes back as the same data
    here = tmp_path / "data" / "units" / "2026"
    here.mkdir(parents=True)
    for unit in ("phuong-dien-bien-phu", "so-gddt"):
        shutil.copy(UNITS / "2026" / f"{unit}.yaml", here / f"{unit}.yaml")
        result = run("new", unit, "--year", 2026, "--format", "xlsx", "--units", tmp_path / "data" / "units", *plan)
        assert result.exit_code == 0, result.output
        form = tmp_path / "forms" / "2026" / f"{unit}.xlsx"
        clean(xlsx_text(form), form.name)
        wb = openpyxl.load_workbook(form)
        names = set(wb.defined_names.keys())
        assert all("-" not in n for n in names), names  # Excel allows no '-' in a name
        fresh = tmp_path / "fresh"
        fresh.mkdir(exist_ok=True)
        from tests.test_windows import _retouch

        _retouch(form)  # sent back corrected: a form returned untouched is no report (SPEC §10)
        result = run("import", form, "--units", fresh, *plan)
        assert result.exit_code == 0, result.output
        back = run("score", "--year", 2026, "--format", "json", "--unit", unit, "--plan", PLAN, "--units", fresh)
        orig = run("score", "--year", 2026, "--format", "json", "--unit", unit, *OPTS)
        assert json.loads(back.stdout)["unit"] == json.loads(orig.stdout)["unit"]
    imported = (fresh / "2026" / "phuong-dien-bien-phu.yaml").read_text(encoding="utf-8")
    assert "luot_tiep_can: 12000" in imported and "nguoi_dan_app: 6000" in imported
    assert "\n  nv-3:\n    activities: 4  #" in (fresh / "2026" / "so-gddt.yaml").read_text(encoding="utf-8")


def test_indicator_bound_is_checked_in_a_file_and_a_form(tmp_path: Path) -> None:
    units = tmp_path / "units" / "2026"
    units.mkdir(parents=True)
    text = (UNITS / "2026" / "phuong-dien-bien-phu.yaml").read_text(encoding="utf-8")
    (units / "phuong-dien-bien-phu.yaml").write_text(text.replace("nguoi_dan_app: 6000", "nguoi_dan_app: 26000"))
    result = run("validate", "--plan", PLAN, "--units", tmp_path / "units", "--no-cache")
    assert result.exit_code == 1, result.output
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "nguoi_dan_app" in t)
    assert (
        f"phuong-dien-bien-phu.yaml:{line}:18: lỗi: 'indicators.nguoi_dan_app' (26000) không được lớn hơn "
        "'population.total' (25000)"
    ) in result.output
    # an indicator of another kind's is a warning that says whose it is
    agency = (UNITS / "2026" / "so-khcn.yaml").read_text(encoding="utf-8") + "indicators:\n  luot_tiep_can: 10\n"
    (units / "so-khcn.yaml").write_text(agency, encoding="utf-8")
    result = run("validate", "--plan", PLAN, "--units", tmp_path / "units", "--no-cache")
    assert "chỉ số 'luot_tiep_can' (Lượt tiếp cận trên mạng xã hội) không được tính cho Sở Khoa học và Công nghệ" in (
        result.output
    )


def test_schema() -> None:
    result = run("schema", "--plan", PLAN)
    assert result.exit_code == 0, result.output
    clean(result.stdout, "schema")
    schema = json.loads(result.stdout)
    assert schema["title"] == "Báo cáo kết quả thực hiện Kế hoạch 86/KH-UBND"
    assert set(schema["properties"]["unit"]["enum"]) == {
        "so-khcn",
        "so-gddt",
        "so-nn-mt",
        "bao-dien-bien",
        "phuong-dien-bien-phu",
        "phuong-muong-thanh",
        "xa-tuan-giao",
        "xa-muong-nhe",
    }
    text = result.stdout
    assert '"1.1"' in text and '"nv-3"' in text and '"luot_tiep_can"' in text


def test_help_texts() -> None:
    texts = [run("--help").output]
    for command in ("validate", "schema", "score", "report", "units", "new", "import"):
        result = run(command, "--help")
        assert result.exit_code == 0, result.output
        texts.append(result.output)
    clean("\n".join(texts), "help")


def test_the_plan_file_is_clean_itself() -> None:
    """The second plan names no Sơn La word either (it was written from a blank file)."""
    clean(PLAN.read_text(encoding="utf-8"), "plan.yaml")


def test_status_rules_of_a_sum_and_of_a_yearly_target() -> None:
    from fractions import Fraction

    from plan57.scoring.score import _Measured, status_of
    from plan57.validation.plan_file import load_plan

    plan = load_plan(PLAN)
    by_id = {t.id: t for t in plan.targets}
    total = by_id["2030.mang-xa-hoi"]  # Σ ≥ 50.000 by 2030

    def status(year: int, reached: bool | None, coverage: Fraction) -> str:
        return status_of(total, year, _Measured(reached, 0, 50000, coverage), None)[0]

    # counts only add up: a sum reached by some of the units is reached, early too
    assert status(2027, True, Fraction(3, 5)) == "met"
    assert status(2029, False, Fraction(1)) == "not_due"
    assert status(2030, False, Fraction(1)) == "not_met"
    assert status(2030, False, Fraction(4, 5)) == "insufficient_data"  # the missing unit could reach it
    assert status(2030, None, Fraction(0)) == "insufficient_data"
    yearly = by_id["hang-nam.chuyen-muc"]  # every year from 2026, 80%
    assert [yearly.year_for(y) for y in (2026, 2027, 2030)] == [2026, 2027, 2030]
    short = _Measured(Fraction(1, 2), 4, 8, Fraction(1))
    assert status_of(yearly, 2029, short, (2026, Fraction(1, 2)))[0] == "not_met"  # due in 2029 itself
    milestone = by_id["2026.ke-hoach"]
    assert milestone.year_for(2029) == 2026


def test_the_annex_leaves_out_what_the_plan_does_not_ask(tmp_path: Path) -> None:
    """A plan that asks no unit for an implementation plan has no such column in its annex."""
    text = PLAN.read_text(encoding="utf-8")
    start = text.index('  - id: "2026.ke-hoach"')
    text = text[:start] + text[text.index('  - id: "hang-nam.chuyen-muc"') :]
    text = text.replace("blocks: [implementation_plan, ", "blocks: [")
    plan = tmp_path / "plan.yaml"
    plan.write_text(text, encoding="utf-8")
    opts = ["--plan", plan, "--units", UNITS, "--no-cache", "--year", 2027, "--date", "2027-12-10"]
    md = run("report", *opts)
    assert md.exit_code == 0, md.output
    assert "| STT | Đơn vị | Tình trạng | Ngày gửi | Chuyên mục | Cán bộ" in md.stdout
    assert "| 1 | Sở Khoa học và Công nghệ | Đúng hạn | 20/11/2027 | Có | 100% (60/60) |" in md.stdout
    for fmt in ("docx", "xlsx", "html"):
        out = tmp_path / f"r.{fmt}"
        assert run("report", *opts, "-o", out).exit_code == 0
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    heads = [c.value for c in wb.worksheets[0][1]]
    assert "Đã ban hành kế hoạch" not in heads and "Có chuyên mục NQ57" in heads
    assert ">Kế hoạch<" not in (tmp_path / "r.html").read_text(encoding="utf-8")
    import docx

    annex = docx.Document(str(tmp_path / "r.docx")).tables[-1]
    assert [cell.text for cell in annex.rows[0].cells][:5] == ["STT", "Đơn vị", "Tình trạng", "Ngày gửi", "Chuyên mục"]


def test_a_target_reading_task_results(tmp_path: Path) -> None:
    """A target may read what units report under a task (Σ of a task's products or activities):
    the template still holds the unit's tasks once, and the sum counts them."""
    text = PLAN.read_text(encoding="utf-8").replace(
        "task_groups:",
        """  - id: "2027.ngoai-khoa"
    year: 2027
    section: "2.1"
    bullet: 6
    label: "Hoạt động ngoại khóa"
    text: "Đến năm 2027, có ít nhất 8 hoạt động ngoại khóa về chuyển đổi số."
    applies_to: {units: [so-gddt]}
    measure: sum_at_least
    fields: [tasks.nv-3.activities]
    at_least: 8

task_groups:""",
        1,
    )
    plan = tmp_path / "plan.yaml"
    plan.write_text(text, encoding="utf-8")
    units = tmp_path / "units"
    units.mkdir()
    assert run("new", "so-gddt", "--year", 2027, "--plan", plan, "--units", units).exit_code == 0
    template = (units / "2027" / "so-gddt.yaml").read_text(encoding="utf-8")
    assert template.count("\ntasks:") == 1 and "nv-3:" in template
    result = run("score", "--year", 2027, "--format", "json", "--plan", plan, "--units", UNITS, "--no-cache")
    found = next(t for t in json.loads(result.stdout)["targets"] if t["id"] == "2027.ngoai-khoa")
    # 2026: 4 activities; 2027: 5, short of 8 with the one unit reporting: due and not met
    assert (found["numerator"], found["denominator"], found["value"], found["status"]) == (5, 8, False, "not_met")


def test_a_plan_without_a_document_block_is_headed_by_its_own_names(tmp_path: Path) -> None:
    text = PLAN.read_text(encoding="utf-8")
    start = text.index("  document:\n")
    text = text[:start] + text[text.index("  text: >-\n", start) :]
    plan = tmp_path / "plan.yaml"
    plan.write_text(text, encoding="utf-8")
    md = run("report", "--plan", plan, "--units", UNITS, "--no-cache", "--year", 2026, "--date", "2026-12-10")
    assert md.exit_code == 0, md.output
    assert "| ỦY BAN NHÂN DÂN TỈNH ĐIỆN BIÊN | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM |" in md.stdout
    assert "| **SỞ KHOA HỌC VÀ CÔNG NGHỆ** |" in md.stdout
    assert "*Điện Biên, ngày 10 tháng 12 năm 2026*" in md.stdout  # the place is the plan's province
    clean(md.stdout, "md")


def test_a_unit_s_scorecard_shows_its_share_of_a_sum() -> None:
    result = run("score", "--year", 2026, "--unit", "bao-dien-bien", *OPTS)
    assert result.exit_code == 0, result.output
    assert "20.000 (tổng của mọi đơn vị cần ≥ 50.000)" in result.output
    assert "3 (tổng của mọi đơn vị cần ≥ 6)" in result.output


@st.composite
def commune_reports(draw: Any) -> dict[str, Any]:
    """A commune's report under the second plan: its indicators (the bounded one within its
    population), its blocks, task 1.1 (a dotted id) with products, any of them left empty."""
    count = st.none() | st.integers(0, 10**7)
    total = draw(st.integers(0, 10**6))
    data: dict[str, Any] = {
        "unit": "xa-tuan-giao",
        "year": 2026,
        "submitted": dt.date(2026, 11, 20),
        "implementation_plan": {"issued": draw(st.none() | st.just(False))},
        "portal_section": {"exists": draw(st.none() | st.just(False))},
        "staff": {"total": draw(count), "informed": None},
        "population": {"total": total, "reached": draw(st.none() | st.integers(0, total))},
        "indicators": {"luot_tiep_can": draw(count), "nguoi_dan_app": draw(st.none() | st.integers(0, total))},
        "tasks": {
            "1.1": {
                "activities": draw(st.none() | st.integers(0, 99)),
                "products": draw(
                    st.none() | st.dictionaries(st.sampled_from(["news", "videos"]), st.integers(0, 99), min_size=1)
                ),
            }
        },
        "channels": draw(st.none() | st.sets(st.integers(1, 8)).map(sorted)),
        "budget_vnd": draw(count),
    }
    return data


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(report=commune_reports())
def test_a_commune_s_report_goes_round_the_form(
    tmp_path_factory: pytest.TempPathFactory, report: dict[str, Any]
) -> None:
    """YAML → the unit's Excel form → import gives the same data, indicators and a dotted task id included."""
    from plan57.model.submission import submission_model
    from plan57.render.form import build_form
    from plan57.validation.form import check_form
    from plan57.validation.plan_file import load_plan

    plan = load_plan(PLAN)
    path = tmp_path_factory.mktemp("form") / "xa-tuan-giao.xlsx"
    path.write_bytes(build_form(plan, "xa-tuan-giao", 2026, report))
    result = check_form(path, plan)
    assert not [d.text() for d in result.diagnostics if d.is_error]
    assert result.data is not None
    model = submission_model(plan)

    def record(data: dict[str, Any]) -> dict[str, Any]:
        out = model.model_validate(data).model_dump(by_alias=True)
        out.pop("contact", None)
        out.pop("reference", None)
        for key in ("training", "difficulties", "proposals"):
            out.pop(key, None)
        task = out["tasks"]["1.1"]
        task["events"] = task["note"] = None
        return out  # type: ignore[no-any-return]

    assert record(result.data) == record(report)
