"""`plan57 report --format docx` (SPEC §8): the report to sign, in the layout of Nghị định 30/2020.

Read back with python-docx: page size and margins, fonts and sizes, the borderless header, page
numbers from page 2, every target and unit, table shapes, the landscape annex with a repeated
header row, unit text kept literally; the same figures as `score --format json`; golden files of
the document's text and structure (`PLAN57_REGEN_GOLDEN=1` rewrites them, as for Markdown); the
format switch of the command line; and, where LibreOffice is installed, the PDF it prints.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree  # type: ignore[import-untyped]
from typer.testing import CliRunner

from plan57.base.numbers import percent, vn_int
from plan57.cli import app
from plan57.model.plan import Plan
from plan57.render.docx import _NOT_XML, text
from plan57.render.view import reporter_name
from plan57.scoring.score import STATUS_LABEL

from .conftest import REPO, soffice_convert, with_registry, write
from .test_report import HOSTILE, SCENARIO, check_golden, hostile_submission

runner = CliRunner()
DATE = "2025-12-15"
NUMBER = "312"

# more text a unit might type that means something to XML or to Word
HOSTILE_XML = [
    "<w:t>chữ</w:t>",
    "<w:p><w:r><w:t>đoạn giả</w:t></w:r></w:p>",
    "A & B &amp; C &#x41; &lt;",
    "]]> <![CDATA[ x ]]>",
    "dòng\nmới\tvà tab",
    "\\n \\t \\x00 \\u0000 (gõ dấu gạch chéo)",
    "{{ biến }} {% lệnh %}",
    "trích \"kép\" và 'đơn'",
]
# XML cannot hold these: they become U+FFFD (validation refuses them in a unit's file, so only
# the renderer's own property test below meets them)
CONTROL = "chuông \a rỗng \0 thoát \x1b"  # noqa: F841


def invoke(*args: str | Path) -> Any:
    return runner.invoke(app, ["report", *map(str, args), "--date", DATE])


def build(out: Path, *args: str | Path) -> DocumentObject:
    result = invoke(*args, "-o", out)
    assert result.exit_code == 0, result.output
    return Document(str(out))


@pytest.fixture(scope="module")
def sample_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("docx") / "tonghop.docx"
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(REPO)
        build(out, "--plan", "data/plan.yaml", "--units", "data/units", "--year", "2025", "--number", NUMBER)
    return out


@pytest.fixture(scope="module")
def sample(sample_path: Path) -> DocumentObject:
    return Document(str(sample_path))


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory, mini_plan_path: Path) -> DocumentObject:
    out = tmp_path_factory.mktemp("docx") / "scenario.docx"
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(SCENARIO)
        return build(out, "--plan", mini_plan_path, "--units", "units", "--year", "2025")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory, mini_plan_path: Path, mini_plan: Plan) -> DocumentObject:
    base = tmp_path_factory.mktemp("docx-hostile")
    data = hostile_submission(mini_plan)
    data["difficulties"] = data["difficulties"] + HOSTILE_XML
    data["proposals"] = data["proposals"] + HOSTILE_XML
    write(base / "units", 2025, "so-khcn", data)
    return build(base / "h.docx", "--plan", mini_plan_path, "--units", base / "units", "--year", "2025")


# ---- reading a document back -------------------------------------------------------------------


def blocks(doc: DocumentObject) -> Iterator[Paragraph | Table]:
    """The body's paragraphs and tables, in document order."""
    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(child, doc)
        elif child.tag == qn("w:tbl"):
            yield Table(child, doc)


def tables(doc: DocumentObject) -> list[Table]:
    return list(doc.tables)


def cell_text(cell: Any) -> str:
    return " / ".join(p.text for p in cell.paragraphs if p.text)


def rows(table: Table) -> list[list[str]]:
    return [[cell_text(c) for c in row.cells] for row in table.rows]


def all_text(doc: DocumentObject) -> str:
    out = []
    for block in blocks(doc):
        if isinstance(block, Paragraph):
            out.append(block.text)
        else:
            out.extend(" | ".join(r) for r in rows(block))
    return "\n".join(out)


def table_after(doc: DocumentObject, heading: str) -> Table:
    seen = False
    for block in blocks(doc):
        if isinstance(block, Paragraph) and block.text.startswith(heading):
            seen = True
        elif seen and isinstance(block, Table):
            return block
    raise AssertionError(f"không có bảng sau '{heading}'")


def paragraph(doc: DocumentObject, starts: str) -> Paragraph:
    found = [p for p in doc.paragraphs if p.text.startswith(starts)]
    assert found, f"không có đoạn '{starts}'"
    return found[0]


def mm(length: Length | None) -> float:
    assert length is not None
    return length / Mm(1)


def pt(length: Length | None) -> float:
    assert length is not None
    return length / Pt(1)


def dump(doc: DocumentObject) -> str:
    """The document's text and structure, for the golden files: stable where zip bytes are not."""
    lines = []
    for i, s in enumerate(doc.sections):
        orient = "ngang" if s.orientation == WD_ORIENT.LANDSCAPE else "dọc"
        lines.append(
            f"[phần {i + 1}: {orient} {mm(s.page_width):.0f}x{mm(s.page_height):.0f} mm; lề trên {mm(s.top_margin):.0f}, "
            f"dưới {mm(s.bottom_margin):.0f}, trái {mm(s.left_margin):.0f}, phải {mm(s.right_margin):.0f}; "
            f"trang đầu riêng: {s.different_first_page_header_footer}]"
        )
    align = {WD_ALIGN_PARAGRAPH.CENTER: "giữa", WD_ALIGN_PARAGRAPH.JUSTIFY: "đều", WD_ALIGN_PARAGRAPH.RIGHT: "phải"}
    for block in blocks(doc):
        if isinstance(block, Paragraph):
            runs = [r for r in block.runs if r.text]
            look = ""
            if runs and all(r.bold for r in runs):
                look += "đậm "
            if runs and all(r.italic for r in runs):
                look += "nghiêng "
            where = align.get(block.paragraph_format.alignment, "trái")
            broken = " [sang phần mới]" if block._p.pPr is not None and block._p.pPr.sectPr is not None else ""
            lines.append(f"¶ {where} {look}| {block.text}{broken}".replace("  ", " "))
        else:
            header = sum(
                1 for r in block.rows if r._tr.trPr is not None and r._tr.trPr.find(qn("w:tblHeader")) is not None
            )
            lines.append(f"▦ bảng {len(block.rows)}x{len(block.columns)}, {header} dòng tiêu đề lặp lại")
            lines.extend("  | " + " | ".join(r) + " |" for r in rows(block))
    return "\n".join(lines) + "\n"


# ---- 1. page geometry, fonts and sizes (NĐ 30/2020, Phụ lục I) -------------------------------------


def test_pages_are_a4_with_nd30_margins(sample: DocumentObject) -> None:
    assert len(sample.sections) == 2
    for s in sample.sections:
        assert sorted([round(mm(s.page_width)), round(mm(s.page_height))]) == [210, 297]
        assert 20 <= mm(s.top_margin) <= 25 and 20 <= mm(s.bottom_margin) <= 25
        assert 30 <= mm(s.left_margin) <= 35 and 15 <= mm(s.right_margin) <= 20
    body, annex = sample.sections
    assert body.orientation == WD_ORIENT.PORTRAIT and mm(body.page_width) < mm(body.page_height)
    assert annex.orientation == WD_ORIENT.LANDSCAPE and mm(annex.page_width) > mm(annex.page_height)


def test_every_run_is_times_new_roman(sample: DocumentObject) -> None:
    assert sample.styles["Normal"].font.name == "Times New Roman"
    runs = [r for p in sample.paragraphs for r in p.runs]
    runs += [r for t in sample.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    assert runs and all(r.font.name == "Times New Roman" for r in runs)


def test_body_is_justified_14pt_with_first_line_indent(sample: DocumentObject) -> None:
    body = paragraph(sample, "Thực hiện Quyết định số")
    closing = paragraph(sample, "Trên đây là báo cáo")
    for p in (body, closing):
        fmt = p.paragraph_format
        assert fmt.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
        assert 10 <= mm(fmt.first_line_indent) <= 12.7
        assert isinstance(fmt.line_spacing, float) and 1 <= fmt.line_spacing <= 1.5
        assert all(13 <= pt(r.font.size) <= 14 for r in p.runs)
    # every justified paragraph of the body reads the same way
    justified = [p for p in sample.paragraphs if p.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY]
    assert len(justified) > 50
    sizes = {pt(r.font.size) for p in justified for r in p.runs}
    assert sizes <= {12.0, 13.0, 14.0}  # 12 pt: the note under the targets table


def test_title_and_subject(sample: DocumentObject) -> None:
    title = paragraph(sample, "BÁO CÁO")
    assert title.text == "BÁO CÁO"
    found = [p for p in sample.paragraphs if p.text.startswith("Kết quả thực hiện Kế hoạch")]
    assert found and found[0].text.endswith("năm 2025")
    for p in (title, found[0]):
        assert p.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
        assert all(r.bold and pt(r.font.size) == 14 for r in p.runs)
    kinh_gui = paragraph(sample, "Kính gửi:")
    assert kinh_gui.text == "Kính gửi: Ủy ban nhân dân tỉnh Sơn La."


def test_header_is_a_borderless_two_column_table(sample: DocumentObject) -> None:
    header = sample.tables[0]
    assert len(header.columns) == 2 and len(header.rows) == 2
    borders = header._tbl.tblPr.find(qn("w:tblBorders"))
    assert borders is not None and {e.get(qn("w:val")) for e in borders} == {"nil"}
    (left, right), (number, date) = header.rows[0].cells, header.rows[1].cells
    lines = [p for p in left.paragraphs if p.text]
    assert [p.text for p in lines] == ["ỦY BAN NHÂN DÂN TỈNH SƠN LA", "SỞ VĂN HÓA, THỂ THAO", "VÀ DU LỊCH"]
    assert not any(r.bold for r in lines[0].runs) and all(r.bold for p in lines[1:] for r in p.runs)
    assert all(12 <= pt(r.font.size) <= 13 for p in lines for r in p.runs)
    lines = [p for p in right.paragraphs if p.text]
    assert [p.text for p in lines] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert all(r.bold for p in lines for r in p.runs)
    assert 12 <= pt(lines[0].runs[0].font.size) <= 13 and 13 <= pt(lines[1].runs[0].font.size) <= 14
    # a short rule under the issuing body, one under the motto: empty paragraphs with a bottom border
    for cell in (left, right):
        rules = [p for p in cell.paragraphs if p._p.pPr is not None and p._p.pPr.find(qn("w:pBdr")) is not None]
        assert len(rules) == 1 and rules[0].text == ""
    assert cell_text(number) == f"Số: {NUMBER}/BC-SVHTTDL"
    assert cell_text(date) == "Sơn La, ngày 15 tháng 12 năm 2025"
    assert all(r.italic for r in date.paragraphs[0].runs)


def test_page_numbers_centered_at_top_from_page_two(sample: DocumentObject) -> None:
    body, annex = sample.sections
    assert body.different_first_page_header_footer
    assert not "".join(p.text for p in body.first_page_header.paragraphs).strip()
    header = body.header.paragraphs[0]
    assert header.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    instr = "".join(e.text or "" for e in header._p.iter(qn("w:instrText")))
    assert instr.strip() == "PAGE"
    assert [e.get(qn("w:fldCharType")) for e in header._p.iter(qn("w:fldChar"))] == ["begin", "separate", "end"]
    # the annex carries on with the same numbers, on its first page too
    assert annex.header.is_linked_to_previous and not annex.different_first_page_header_footer


def test_recipients_beside_the_signature(sample: DocumentObject, plan: Plan) -> None:
    doc = plan.reporting.document
    assert doc is not None
    table = table_after(sample, "Trên đây là báo cáo")
    assert len(table.columns) == 2 and len(table.rows) == 1
    left, right = table.rows[0].cells
    head = left.paragraphs[0]
    assert head.text == "Nơi nhận:" and all(r.bold and r.italic and pt(r.font.size) == 12 for r in head.runs)
    listed = [p.text for p in left.paragraphs[1:]]
    assert listed == [f"- {r};" for r in doc.recipients[:-1]] + [f"- {doc.recipients[-1]}"]
    assert all(pt(r.font.size) == 11 for p in left.paragraphs[1:] for r in p.runs)
    signature = [p for p in right.paragraphs if p.text]
    assert signature[0].text == doc.signer_title and all(r.bold and pt(r.font.size) == 14 for r in signature[0].runs)
    assert signature[-1].text == (doc.signer_name or "[Họ và tên]")


# ---- 2. content: every target, task, channel and unit; tables with header rows ------------------


def test_every_target_task_channel_and_unit(scenario: DocumentObject, mini_plan: Plan) -> None:
    everything = all_text(scenario)
    targets = table_after(scenario, "II. KẾT QUẢ")
    # the plan's first year: no column for the year before, as in the Markdown report
    assert len(targets.columns) == 8 and len(targets.rows) == 1 + len(mini_plan.targets)
    for target, row in zip(mini_plan.targets, rows(targets)[1:]):
        assert f"({target.id})" in row[1], (target.id, row)
    for task in mini_plan.tasks:
        assert any(p.text.startswith(f"Nhiệm vụ {task.id} — ") for p in scenario.paragraphs), task.id
    channels = table_after(scenario, "IV. CÁC PHƯƠNG THỨC")
    assert len(channels.columns) == 3
    assert [r[1] for r in rows(channels)[1:]] == [c.text for c in mini_plan.channels]
    for unit in mini_plan.units:
        assert reporter_name(unit, mini_plan) in everything, unit.id


def test_data_tables_have_a_repeated_header_row(sample: DocumentObject) -> None:
    grids = [t for t in sample.tables if t.style is not None and t.style.name == "Table Grid"]
    assert len(grids) >= 4  # targets, trainings, channels, annex
    for t in grids:
        flags = [r._tr.trPr is not None and r._tr.trPr.find(qn("w:tblHeader")) is not None for r in t.rows]
        assert flags[0] and not any(flags[1:])
        assert all(r.bold for c in t.rows[0].cells for p in c.paragraphs for r in p.runs)


def test_annex_is_landscape_with_one_row_per_unit(sample: DocumentObject, plan: Plan) -> None:
    # the annex table is the one after the section break
    after_break, annex = False, None
    for block in blocks(sample):
        if isinstance(block, Paragraph) and block._p.pPr is not None and block._p.pPr.sectPr is not None:
            after_break = True
        elif after_break and isinstance(block, Table):
            annex = block
            break
    assert annex is not None
    ratio_targets = [t for t in plan.targets if t.measure == "ratio"]
    assert len(annex.columns) == 6 + len(ratio_targets)
    body = rows(annex)[1:]
    assert [r[1] for r in body] == [reporter_name(u, plan) for u in plan.units]
    assert [r[0] for r in body] == [str(i) for i in range(1, len(plan.units) + 1)]
    assert sample.sections[-1].orientation == WD_ORIENT.LANDSCAPE
    assert "Phụ lục" in all_text(sample).split("Nơi nhận:")[1]


def test_sample_notice_opens_the_document(sample: DocumentObject) -> None:
    first = next(blocks(sample))
    assert isinstance(first, Paragraph) and first.text.startswith("LƯU Ý: Số liệu năm 2025 là dữ liệu mẫu")


def test_no_sample_notice_without_sample_data(scenario: DocumentObject) -> None:
    assert "dữ liệu mẫu" not in all_text(scenario).lower()


# ---- 3. unit text is text ------------------------------------------------------------------------


def test_hostile_text_is_there_literally(hostile: DocumentObject) -> None:
    everything = all_text(hostile)
    for s in HOSTILE + HOSTILE_XML:
        assert " ".join(s.split()) in everything, s
    # no run, paragraph or table came from the unit's text
    assert not any(p.text in ("chữ", "đoạn giả") for p in hostile.paragraphs)


def test_hostile_difficulties_each_on_its_own_line(hostile: DocumentObject) -> None:
    texts = [p.text for p in hostile.paragraphs]
    start = texts.index("1. Khó khăn, vướng mắc của các cơ quan, đơn vị, địa phương")
    end = texts.index("2. Đề xuất, kiến nghị của các cơ quan, đơn vị, địa phương")
    items = [t for t in texts[start + 1 : end] if t.startswith("+ ")]
    expected = [" ".join(s.split()) for s in HOSTILE + HOSTILE_XML]
    assert items == [f"+ {s}" for s in expected]


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_any_text_survives_a_docx(s: str) -> None:
    """Whatever a unit types becomes one line that a document's XML can hold, read back unchanged."""
    value = text(s)
    assert "\n" not in value and "\r" not in value
    run = OxmlElement("w:t")
    run.text = value  # lxml refuses characters XML cannot hold
    assert etree.fromstring(etree.tostring(run)).text == (value or None)
    if not _NOT_XML.search(s):
        assert value == " ".join(s.split())


# ---- 4. the same figures as `score --format json` -------------------------------------------------


@pytest.fixture(scope="module")
def sample_2026(tmp_path_factory: pytest.TempPathFactory) -> DocumentObject:
    out = tmp_path_factory.mktemp("docx") / "tonghop-2026.docx"
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(REPO)
        # dated in 2026: a report dated before the files were sent counts none of them (SPEC §4)
        args = ["--plan", "data/plan.yaml", "--units", "data/units", "--year", "2026", "-o", str(out)]
        result = runner.invoke(app, ["report", *args, "--date", "2026-12-15"])
        assert result.exit_code == 0, result.output
        return Document(str(out))


def point_text(p: dict[str, Any]) -> str:
    value = p["value"]
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if p.get("numerator") is None:
        return percent(Fraction(value))
    return f"{percent(Fraction(value))} / ({vn_int(p['numerator'])}/{vn_int(p['denominator'])})"


@pytest.mark.parametrize("year", [2025, 2026])
def test_same_figures_as_score_json(year: int, sample: DocumentObject, sample_2026: DocumentObject) -> None:
    doc = {2025: sample, 2026: sample_2026}[year]
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(REPO)
        result = runner.invoke(app, ["score", "--year", str(year), "--format", "json", "--units", "data/units"])
    assert result.exit_code == 0, result.output
    scored = json.loads(result.stdout)
    rep = scored["reporting"]
    part = all_text(doc).split("I. TÌNH HÌNH BÁO CÁO")[1].split("II. KẾT QUẢ")[0]
    assert f"phải báo cáo: {vn_int(rep['expected'])}; hạn gửi báo cáo về " in part
    assert f"hợp lệ: {vn_int(rep['submitted'])}," in part
    assert re.search(rf"đúng hạn \([^)]*\): {rep['on_time']};", part)
    assert re.search(rf"gửi muộn \([^)]*\): {len(rep['late'])}\.", part)
    assert f"chưa gửi báo cáo: {vn_int(len(rep['missing']))}." in part
    assert f"(chưa sử dụng được số liệu): {len(rep['invalid'])}." in part
    table = rows(table_after(doc, "II. KẾT QUẢ"))
    prev = year > 2025  # the plan's first year has no column for the year before
    assert (table[0][4] == f"Năm {year - 1}") is prev
    assert len(table) == 1 + len(scored["targets"])
    for t, row in zip(scored["targets"], table[1:]):
        assert f"({t['id']})" in row[1]
        judged = t.get("judged_year", year)
        now, cov_now = (t["current"], t["current"]["coverage"]) if judged < year else (t, t["coverage"])
        value, coverage, required, verdict = row[-4:]
        assert value == point_text(now)  # year Y's own figure, whichever year the verdict is of
        assert coverage == ("—" if cov_now is None else percent(Fraction(cov_now)))
        if judged < year:  # a milestone keeps its year's verdict, its figure in that year's column
            assert verdict.startswith(f"{STATUS_LABEL[t['status']]} (năm {judged}")
            assert row[4] == point_text(t)
        else:
            assert verdict == STATUS_LABEL[t["status"]]
        if prev:
            previous = next((h for h in t.get("history", []) if h["year"] == year - 1), None)
            shown = point_text(previous) if previous else "—"  # history points carry no fraction in JSON
            assert row[4] == shown or row[4].startswith(f"{shown} / (")
        assert row[3] == ("Điều kiện" if t["threshold"] is None else percent(Fraction(t["threshold"])))
        assert required == ("—" if t["required"] is None else percent(Fraction(t["required"])))
    tasks = {t["id"]: t for t in scored["tasks"]}
    labels = {"met": "Hoàn thành", "not_met": "Chưa hoàn thành", "insufficient_data": "Chưa đủ dữ liệu"}
    for p in doc.paragraphs:
        m = re.match(r"Nhiệm vụ (\w+) — ", p.text)
        if m:
            assert p.text.endswith(labels[tasks.pop(m.group(1))["status"]])
    assert not tasks
    if "budget_vnd" in scored:
        budget = scored["budget_vnd"]
        assert (
            f"Tổng kinh phí các đơn vị báo cáo đã chi: {vn_int(budget['total'])} đồng ({vn_int(budget['units'])} "
            "đơn vị ghi kinh phí; đơn vị để trống không được tính), trong đó:" in all_text(doc)
        )


# ---- 5. golden files of text and structure ---------------------------------------------------------


def test_golden_sample_2025(sample: DocumentObject) -> None:
    check_golden("sample-2025.docx.txt", dump(sample).encode("utf-8"))


def test_golden_scenario_2025(scenario: DocumentObject) -> None:
    check_golden("scenario-2025.docx.txt", dump(scenario).encode("utf-8"))


def test_two_runs_are_byte_identical(tmp_path: Path, sample_path: Path) -> None:
    again = tmp_path / "again.docx"
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(REPO)
        build(again, "--plan", "data/plan.yaml", "--units", "data/units", "--year", "2025", "--number", NUMBER)
    assert again.read_bytes() == sample_path.read_bytes()


# ---- 6. the format switch --------------------------------------------------------------------------


def test_suffix_selects_docx(sample_path: Path) -> None:
    assert sample_path.read_bytes()[:2] == b"PK"


def test_docx_without_output_is_a_usage_error(mini_plan_path: Path) -> None:
    result = invoke("--plan", mini_plan_path, "--units", SCENARIO / "units", "--format", "docx")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "không in ra màn hình" in result.stderr and "-o tonghop.docx" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "pdf"], "không có định dạng 'pdf'"),
        (["--format", "md", "-o", "{tmp}/x.docx"], "có đuôi của định dạng docx, không phải md"),
        (["--format", "docx", "-o", "{tmp}/x.md"], "có đuôi của định dạng md, không phải docx"),
        (["-o", "{tmp}/x.docx", "--template", "{tmp}/t.j2"], "--template chỉ dùng cho báo cáo dạng md"),
        (["-o", "{tmp}/x.pdf"], "không biết ghi báo cáo dạng nào vào tệp đuôi '.pdf'"),
        (["-o", "{tmp}/x.odt"], "không biết ghi báo cáo dạng nào vào tệp đuôi '.odt'"),
    ],
)
def test_format_mistakes_are_usage_errors(tmp_path: Path, mini_plan_path: Path, args: list[str], message: str) -> None:
    args = [a.format(tmp=tmp_path) for a in args]
    result = invoke("--plan", mini_plan_path, "--units", SCENARIO / "units", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_markdown_is_still_the_default(tmp_path: Path, mini_plan_path: Path) -> None:
    plain = invoke("--plan", mini_plan_path, "--units", SCENARIO / "units")
    assert plain.exit_code == 0 and plain.stdout.startswith("| ỦY BAN NHÂN DÂN TỈNH SƠN LA |")
    out = tmp_path / "bao-cao.txt"  # an unknown suffix keeps Markdown
    assert invoke("--plan", mini_plan_path, "--units", SCENARIO / "units", "-o", out).exit_code == 0
    assert out.read_text(encoding="utf-8") == plain.stdout
    md = tmp_path / "bao-cao.MD"
    assert invoke("--plan", mini_plan_path, "--units", SCENARIO / "units", "--format", "md", "-o", md).exit_code == 0
    assert md.read_text(encoding="utf-8") == plain.stdout


def test_header_and_signature_come_from_the_plan(tmp_path: Path, mini_plan_path: Path) -> None:
    from .conftest import dump as dump_yaml
    from .conftest import plan_data

    data = plan_data()
    with_registry(data, [u for u in data["units"] if u["id"] in ("so-vhttdl", "so-khcn")])
    data["reporting"]["document"].update(
        superior="UBND TỈNH THỬ",
        issuer="SỞ THỬ NGHIỆM",
        symbol="BC-STN",
        place="Thành phố Thử",
        addressee="Ban Thử",
        recipients=["Ban Thử", "Lưu: VT"],
        authority="KT. GIÁM ĐỐC",
        signer_title="PHÓ GIÁM ĐỐC",
        signer_name="Nguyễn Văn A",
    )
    plan_path = tmp_path / "plan.yaml"
    plan_path.write_text(dump_yaml(data), encoding="utf-8")
    doc = build(tmp_path / "r.docx", "--plan", plan_path, "--units", tmp_path, "--number", "7")
    header = rows(doc.tables[0])
    assert header[0][0] == "UBND TỈNH THỬ / SỞ THỬ NGHIỆM" and header[1][0] == "Số: 07/BC-STN"
    assert header[1][1] == "Thành phố Thử, ngày 15 tháng 12 năm 2025"
    assert paragraph(doc, "Kính gửi:").text == "Kính gửi: Ban Thử."
    signature = rows(table_after(doc, "Trên đây là báo cáo"))[0]
    assert signature[0] == "Nơi nhận: / - Ban Thử; / - Lưu: VT"
    assert signature[1] == "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC / Nguyễn Văn A"


# ---- 7. the printed document (LibreOffice) ---------------------------------------------------------

SOFFICE = shutil.which("soffice")


@pytest.mark.skipif(SOFFICE is None or shutil.which("pdftotext") is None, reason="cần LibreOffice và poppler-utils")
def test_pdf_pages_and_first_page(tmp_path: Path, sample_path: Path) -> None:
    assert SOFFICE is not None
    src = tmp_path / "tonghop.docx"
    shutil.copy(sample_path, src)
    pdf = soffice_convert(src, "pdf", tmp_path)
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    assert 5 <= pages <= 60, pages

    def page(n: int) -> str:
        return subprocess.run(
            ["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    def size(n: int) -> tuple[float, float]:
        out = subprocess.run(
            ["pdfinfo", "-f", str(n), "-l", str(n), str(pdf)], check=True, capture_output=True, text=True
        ).stdout
        w, h = re.search(r"size:\s+([\d.]+) x ([\d.]+)", out).groups()  # type: ignore[union-attr]
        return float(w), float(h)

    first = " ".join(page(1).split())
    for line in (
        "ỦY BAN NHÂN DÂN TỈNH SƠN LA",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "SỞ VĂN HÓA, THỂ THAO",
        "VÀ DU LỊCH",
        "Độc lập - Tự do - Hạnh phúc",
        f"Số: {NUMBER}/BC-SVHTTDL",
        "Sơn La, ngày 15 tháng 12 năm 2025",
        "BÁO CÁO",
        "Kính gửi: Ủy ban nhân dân tỉnh Sơn La.",
    ):
        assert line in first, line
    assert not re.match(r"\s*1\s*$", page(1).splitlines()[0])  # no number on page 1
    assert page(2).split()[0] == "2"  # page 2 starts with its number
    w, h = size(1)
    assert (round(w), round(h)) == (595, 842)  # A4 portrait, in points
    w, h = size(pages)
    assert (round(w), round(h)) == (842, 595)  # the annex: A4 landscape
    assert "KẾT QUẢ CỦA TỪNG ĐƠN VỊ" in " ".join(" ".join(page(n).split()) for n in range(max(1, pages - 6), pages + 1))


def test_output_onto_the_default_template_is_refused(mini_plan_path: Path) -> None:
    """The report template is read by every Markdown report: -o never replaces it."""
    from plan57.render.markdown import default_template

    before = default_template().read_bytes()
    result = invoke("--plan", mini_plan_path, "--units", SCENARIO / "units", "-o", default_template())
    assert result.exit_code == 2, result.output
    assert default_template().read_bytes() == before


@pytest.mark.skipif(SOFFICE is None or shutil.which("pdftotext") is None, reason="cần LibreOffice và poppler-utils")
@pytest.mark.parametrize("year", [2025, 2026])
def test_no_figure_date_or_id_breaks_across_lines_in_the_pdf(tmp_path: Path, year: int) -> None:
    """SPEC §8: in the PDF LibreOffice makes, every figure, percentage, date and id of the tables
    stands whole on one line (no "83,|2%", no "xa-muong-|la"), and no table is cramped onto a page
    narrower than it needs (the targets table is landscape when portrait cannot hold it)."""
    from plan57.api import open_workspace, score
    from plan57.render.docx import render as render_docx
    from plan57.render.view import annex_cells, context

    assert SOFFICE is not None
    result = score(open_workspace(REPO / "data" / "plan.yaml", REPO / "data" / "units", cache=False), year)
    src = tmp_path / "tonghop.docx"
    src.write_bytes(render_docx(result, dt.date(year, 12, 15)))
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=300,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "tonghop.pdf"), "-"], check=True, capture_output=True, text=True
    ).stdout.replace("\u2011", "-")
    words = set(text.split())
    c = context(result, dt.date(year, 12, 15), None)
    atoms: set[str] = set()
    for row in c["target_rows"]:
        t = row["shown"]
        atoms.add(f"({t['id']})")
        for f in (t["value"], t["previous"]):
            atoms.add(f["main"])
            if f["fraction"]:
                atoms.add(f"({f['fraction']})")
        atoms.update({t["coverage"], t["required"]})
    ids = [t["id"] for t in c["ratio_targets"]]
    for row in c["rows"]:
        _, _, date, _, _, *ratios = annex_cells(row, ids, c["names"])
        atoms.add(date)
        for f in ratios:
            atoms.add(f["main"])
            if f["fraction"]:
                atoms.add(f"({f['fraction']})")
    atoms -= {"—", "Có", "Không"}
    broken = sorted(a for a in atoms if a not in words)
    assert not broken, broken


def test_a_long_heading_gets_room_for_three_lines_not_eight() -> None:
    """A figure column with a long heading (the annex's targets) shares the page with the running
    text, so the repeated header row stays a few lines high, rather than the unit-name column
    taking all the room left (SPEC §8: a table fits its page as a reader needs it)."""
    from plan57.render import fit

    heading = "Cán bộ, công chức, viên chức được tuyên truyền"
    needs = [
        fit.need("Đơn vị", ["Báo và Phát thanh, Truyền hình Sơn La", "Sở Y tế"], 11, 1, True),
        fit.need(heading, ["100%", "(115/115)"], 11, 1, True),
    ]
    got = fit.widths(needs, 70)
    assert got is not None and abs(sum(got) - 70) < 0.01
    assert got[1] > 1.3 * needs[1].least, "cột số liệu chỉ được bề rộng tối thiểu: tiêu đề xuống quá nhiều dòng"
    assert got[0] >= needs[0].least


@pytest.mark.parametrize("which", ["sample", "sample_2026"])
def test_a_heading_is_on_the_page_of_its_table(which: str, request: pytest.FixtureRequest) -> None:
    """Section II's heading goes into the landscape section with its table, never left alone at the
    foot of a portrait page."""
    doc = request.getfixturevalue(which)
    body = list(doc.element.body.iterchildren())
    at = next(i for i, e in enumerate(body) if e.tag == qn("w:p") and "II. KẾT QUẢ" in "".join(e.itertext()))
    table = next(i for i in range(at, len(body)) if body[i].tag == qn("w:tbl"))
    breaks = [e for e in body[at:table] if e.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None]
    assert not breaks, "tiêu đề mục II nằm ở trang khác với bảng chỉ tiêu"
