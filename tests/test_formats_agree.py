"""One figure in every format (SPEC §5, §8): the same data rendered as Markdown, Word, HTML and
Excel, each parsed back (markdown-it, python-docx, html5lib, openpyxl), shows every target's
value, coverage and verdict, and every unit's annex row, alike; the headings and section I's
deadlines are the same; no file system path is printed; one rounding for every share."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plan57.api import open_workspace, score
from plan57.base.numbers import percent, percent_cell, percent_of_cell
from plan57.model.plan import Plan
from plan57.render import docx as word
from plan57.render import html as page
from plan57.render import markdown
from plan57.render import xlsx as excel
from plan57.render.view import context
from plan57.scoring.score import YearResult
from tests.conftest import PLAN, UNITS, submission, write
from tests.test_report import SCENARIO

DATE = dt.date(2026, 12, 15)
Table = list[list[str]]


def _norm(s: str) -> str:
    return " ".join(s.replace("\u2011", "-").split())


# ---- each format, parsed back ----------------------------------------------------------------


def md_parts(text: str) -> dict[str, Any]:
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    headings, tables, current, row, cell, in_heading = [], [], None, None, None, 0
    for tok in tokens:
        if tok.type == "heading_open" and tok.tag == "h2":
            in_heading = 1
        elif tok.type == "inline" and in_heading:
            headings.append(_norm(tok.content))
            in_heading = 0
        elif tok.type == "table_open":
            current = []
        elif tok.type == "tr_open":
            row = []
        elif tok.type in ("th_open", "td_open"):
            cell = []
        elif tok.type == "inline" and cell is not None:
            cell.append("".join(c.content for c in tok.children or [] if c.type == "text"))
        elif tok.type in ("th_close", "td_close"):
            assert row is not None and cell is not None
            row.append(_norm(" ".join(cell)))
            cell = None
        elif tok.type == "tr_close":
            assert current is not None
            current.append(row)
        elif tok.type == "table_close":
            tables.append(current)
    return {"headings": headings, "tables": tables, "text": text}


def docx_parts(data: bytes) -> dict[str, Any]:
    from docx import Document

    doc = Document(io.BytesIO(data))
    tables = [[[_norm(" ".join(p.text for p in c.paragraphs)) for c in r.cells] for r in t.rows] for t in doc.tables]
    paragraphs = [_norm(p.text) for p in doc.paragraphs]
    return {"tables": tables, "paragraphs": paragraphs, "text": "\n".join(paragraphs)}


def html_parts(text: str) -> dict[str, Any]:
    import html5lib

    root = html5lib.parse(text, namespaceHTMLElements=False)

    def texts(el: Any) -> list[str]:  # a chart's <title> is its text equivalent, not the cell's
        if not isinstance(el.tag, str) or el.tag.endswith("svg"):
            return []
        out = [el.text or ""]
        for child in el:
            out += texts(child)
            out.append(child.tail or "")
        return out

    def txt(el: Any) -> str:
        return _norm("".join(texts(el)))

    tables = []
    for t in root.iter("table"):
        tables.append([[txt(c) for c in tr if c.tag in ("td", "th")] for tr in t.iter("tr")])
    return {
        "headings": [txt(h) for h in root.iter("h2")],
        "tables": tables,
        "classes": [t.get("class", "") for t in root.iter("table")],
        "text": txt(root),
    }


def xlsx_parts(data: bytes) -> Any:
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data))


# ---- what each shows of the targets and the annex --------------------------------------------


def _table_with(tables: list[Table], first: str, second: str) -> Table:
    return next(t for t in tables if t and t[0][:2] == [first, second])


def md_targets(p: dict[str, Any], y: int) -> list[tuple[str, str, str]]:
    t = _table_with(p["tables"], "STT", "Chỉ tiêu")
    head = t[0]
    v, c, s = head.index(f"Năm {y}"), head.index(f"Độ phủ năm {y}"), head.index("Đánh giá")
    return [(r[v], r[c], r[s]) for r in t[1:]]


def docx_targets(p: dict[str, Any], y: int) -> list[tuple[str, str, str]]:
    return md_targets(p, y)


def html_targets(p: dict[str, Any], y: int) -> list[tuple[str, str, str]]:
    t = p["tables"][p["classes"].index("targets cards")]
    head = t[0]
    v, c, s = head.index(f"Năm {y}"), head.index(f"Độ phủ năm {y}"), head.index("Đánh giá")
    return [(r[v], r[c], r[s]) for r in t[1:]]


def xlsx_targets(wb: Any, y: int) -> list[tuple[str, str, str]]:
    ws = wb["Chỉ tiêu"]
    heads = [c.value for c in ws[1]]
    out = []
    for r in ws.iter_rows(min_row=2):
        row = dict(zip(heads, r, strict=True))
        value = row[f"Giá trị năm {y}"]
        if value.value is None:
            shown = "—"
        elif isinstance(value.value, str):
            shown = value.value
        else:
            shown = percent_of_cell(value.value, value.number_format)
            num, den = row[f"Tử số năm {y}"].value, row[f"Mẫu số năm {y}"].value
            if num is not None and den is not None:
                shown += f" ({num:,}/{den:,})".replace(",", ".")
        cov = row[f"Độ phủ năm {y}"]
        coverage = "—" if cov.value is None else percent_of_cell(cov.value, cov.number_format)
        out.append((shown, coverage, row["Đánh giá"].value))
    return out


def annex_of(t: Table) -> list[list[str]]:
    return [r[1:] for r in t[1:]]  # after the row's number


def md_annex(p: dict[str, Any]) -> list[list[str]]:
    return annex_of(p["tables"][-1])


def docx_annex(p: dict[str, Any]) -> list[list[str]]:
    annex = [t for t in p["tables"] if t and t[0][:2] == ["STT", "Đơn vị"]]
    annex = annex[-_parts_of(p) :]
    rows = [list(r[:2]) for r in annex[0][1:]]
    for t in annex:
        for whole, r in zip(rows, t[1:], strict=True):
            whole.extend(r[2:])
    return [r[1:] for r in rows]


def _parts_of(p: dict[str, Any]) -> int:
    m = [re.match(r"Bảng \d+/(\d+)$", x) for x in p["paragraphs"]]
    found = [int(x.group(1)) for x in m if x]
    return found[-1] if found else 1


def html_annex(p: dict[str, Any]) -> list[list[str]]:
    return annex_of(p["tables"][p["classes"].index("annex")])


def xlsx_annex(wb: Any, result: YearResult) -> list[list[str]]:
    ws = wb[f"Phụ lục {result.year}"]
    heads = [c.value for c in ws[1]]
    out = []
    ratio_ids = [t.target.id for t in result.targets if t.target.measure == "ratio"]
    for r in ws.iter_rows(min_row=2):
        row = dict(zip(heads, r, strict=True))
        date = row["Ngày gửi"].value
        cells = [
            row["Đơn vị"].value,
            row["Tình trạng báo cáo"].value,
            date.strftime("%d/%m/%Y") if date else "—",
            row["Đã ban hành kế hoạch"].value or "—",
            row["Có chuyên mục NQ57"].value or "—",
        ]
        for tid in ratio_ids:
            num = next(v for k, v in row.items() if k.endswith(f"({tid}): tử số")).value
            den = next(v for k, v in row.items() if k.endswith(f"({tid}): mẫu số")).value
            rate = next(v for k, v in row.items() if k.endswith(f"({tid}): tỷ lệ"))
            if num is None:
                cells.append("—")
            else:
                fraction = f"{num:,}/{den:,}".replace(",", ".")
                shown = percent_of_cell(rate.value, rate.number_format) if rate.value is not None else None
                cells.append(f"{shown} ({fraction})" if shown else fraction)
        out.append([_norm(str(c)) for c in cells])
    return out


# ---- the data ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def milestones(tmp_path_factory: pytest.TempPathFactory, mini_plan: Plan, mini_plan_path: Path) -> YearResult:
    """A generated 2026 of the scenario: its 2025 files (late, missing and invalid units, partial
    coverage) read for the milestones, and 2026 files from some units only, one late, one with
    odd figures (a share that rounds down from just under a whole number)."""
    units = tmp_path_factory.mktemp("agree") / "units"
    shutil.copytree(SCENARIO / "units" / "2025", units / "2025")
    ids = [u.id for u in mini_plan.units]
    for i, uid in enumerate(ids[: max(len(ids) - 3, 2)]):
        data = submission(mini_plan, uid, 2026, dt.date(2026, 12, 7) if i == 1 else None)
        if "staff" in data:
            data["staff"] = {"total": 2503, "informed": 2502}  # 99,96…% → 99,9%
        write(units, 2026, uid, data)
    return score(open_workspace(mini_plan_path, units, cache=False), 2026)


@pytest.fixture(scope="module")
def shipped_2025() -> YearResult:
    return score(open_workspace(PLAN, UNITS, cache=False), 2025)


@pytest.fixture(scope="module")
def shipped_2026() -> YearResult:
    return score(open_workspace(PLAN, UNITS, cache=False), 2026)


@pytest.fixture(scope="module")
def scenario_2025(mini_plan_path: Path) -> YearResult:
    return score(open_workspace(mini_plan_path, SCENARIO / "units", cache=False), 2025)


CASES = ["shipped_2025", "shipped_2026", "scenario_2025", "milestones"]


_RENDERED: dict[int, dict[str, Any]] = {}


def _all(result: YearResult) -> dict[str, Any]:
    done = _RENDERED.get(id(result))
    if done is not None:
        return done
    done = _RENDERED[id(result)] = {
        "md": md_parts(markdown.render(result, DATE)),
        "docx": docx_parts(word.render(result, DATE)),
        "html": html_parts(page.render(result, DATE)),
        "xlsx": xlsx_parts(excel.render(result, DATE)),
    }
    return done


@pytest.mark.parametrize("case", CASES)
def test_every_target_alike_in_the_four_formats(case: str, request: pytest.FixtureRequest) -> None:
    result: YearResult = request.getfixturevalue(case)
    f = _all(result)
    y = result.year
    view = context(result, DATE, None)
    expected = [
        (_norm(r["shown"]["value"]["text"]), r["shown"]["coverage"], r["shown"]["verdict"]) for r in view["target_rows"]
    ]
    assert md_targets(f["md"], y) == expected
    assert docx_targets(f["docx"], y) == expected
    assert html_targets(f["html"], y) == expected
    assert xlsx_targets(f["xlsx"], y) == expected
    if case == "shipped_2026":  # milestones of 2025: this year's figures, the verdict of 2025
        earlier = [r for r in view["target_rows"] if r["earlier"]]
        assert earlier and all("(năm 2025" in r["shown"]["verdict"] for r in earlier)


@pytest.mark.parametrize("case", CASES)
def test_every_annex_row_alike_in_the_four_formats(case: str, request: pytest.FixtureRequest) -> None:
    result: YearResult = request.getfixturevalue(case)
    f = _all(result)
    rows = md_annex(f["md"])
    assert len(rows) == len(result.plan.units)
    assert docx_annex(f["docx"]) == rows
    assert html_annex(f["html"]) == rows
    assert xlsx_annex(f["xlsx"], result) == rows


@pytest.mark.parametrize("case", CASES)
def test_same_headings_deadlines_and_no_paths(case: str, request: pytest.FixtureRequest) -> None:
    result: YearResult = request.getfixturevalue(case)
    f = _all(result)
    view = context(result, DATE, None)
    h = view["headings"]
    main = [h[k] for k in ("reporting", "targets", "tasks", "channels", "feedback", "annex")]
    assert f["md"]["headings"] == main
    assert f["html"]["headings"] == main
    paragraphs = f["docx"]["paragraphs"]
    assert [p for p in paragraphs if p in main or p in ("Phụ lục",)][:5] == main[:5]
    assert "Phụ lục" in paragraphs and h["annex"].split(": ", 1)[1] in paragraphs
    notes = [c.value for c in f["xlsx"]["Ghi chú"]["A"] if c.value]
    assert h["reporting"] in notes
    deadline = view["reporting"]["deadline"].strftime("%d/%m/%Y")
    synthesis = view["synthesis_deadline"].strftime("%d/%m/%Y")
    first = view["reporting_lines"][0]
    assert deadline in first and synthesis in first
    for name, text in (
        ("md", f["md"]["text"]),
        ("docx", f["docx"]["text"]),
        ("html", f["html"]["text"]),
        ("xlsx", "\n".join(notes)),
    ):
        assert _norm(first) in _norm(text), name
        assert not re.search(r"[\w-]+[/\\][\w./\\-]*\.(ya?ml|xlsx)\b", text), name  # no path
        assert ".yaml" not in text, name


@given(st.fractions(min_value=0, max_value=1))
def test_one_rounding_for_every_share(value: Fraction) -> None:
    shown = percent(value)
    number, fmt = percent_cell(value)
    assert percent_of_cell(number, fmt) == shown  # what the spreadsheet shows is the report's
    assert Fraction(int(shown.rstrip("%").replace(".", "").replace(",", "") or 0), 1) >= 0
    # rounded down: never shown as more than it is
    tenths = int(round(number * 1000))
    assert Fraction(tenths, 1000) <= value < Fraction(tenths + 1, 1000)
    from plan57.render.markdown import ratio_text

    if value.denominator:
        assert ratio_text((value.numerator, value.denominator)).split(" ")[0] == shown


def test_the_rounding_of_the_spec() -> None:
    assert percent(Fraction(9996, 10000)) == "99,9%"
    assert percent(Fraction(8325, 10000)) == "83,2%"
    assert percent_cell(Fraction(8325, 10000)) == (0.832, "0.0%")
    assert percent_cell(Fraction(3, 4)) == (0.75, "0%")


def test_a_milestone_of_last_year_shows_the_figure_it_was_judged_on(tmp_path: Path) -> None:
    """With no files of 2025, a 2025 milestone is judged on 2025's figure (every unit not reported:
    0/92), and its "Năm 2025" column shows that same figure, not "—" beside a verdict quoting it."""
    import shutil

    from plan57.api import open_workspace, score
    from tests.conftest import PLAN, UNITS

    units = tmp_path / "units"
    shutil.copytree(UNITS / "2026", units / "2026")
    result = score(open_workspace(PLAN, units, cache=False), 2026)
    milestones = [t for t in result.targets if t.judged_year == 2025]
    assert milestones
    for t in milestones:
        assert t.previous is not None, t.target.id
        assert (t.previous.numerator, t.previous.denominator, t.previous.value) == (t.numerator, t.denominator, t.value)


def test_what_is_signed_names_no_command(tmp_path: Path) -> None:
    """The report sent to UBND tells no one to run a command, not even beside the invalid reports
    (SPEC §5: what is signed)."""
    from plan57.api import open_workspace, score
    from plan57.render import docx, html, markdown
    from tests.conftest import PLAN, UNITS

    units = tmp_path / "units"
    shutil.copytree(UNITS, units)
    (units / "2026" / "so-y-te.yaml").write_text("unit: so-y-te\nyear: 2026\nstaff: [\n", encoding="utf-8")
    result = score(open_workspace(PLAN, units, cache=False), 2026)
    assert result.reporting.invalid_files
    day = dt.date(2026, 12, 15)
    texts = {
        "md": markdown.render(result, day),
        "html": html.render(result, day),
        "docx": "\n".join(p.text for p in docx.build(result, day).paragraphs),
    }
    for name, text in texts.items():
        assert "plan57 validate" not in text and "lệnh plan57" not in text, name
