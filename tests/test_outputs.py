"""The HTML progress page and the Excel annex (SPEC §8): self-contained, complete, same figures."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from plan57.api import open_workspace, score
from plan57.base.numbers import percent, percent_of_cell
from plan57.cli import app
from plan57.render import html as page
from plan57.render import xlsx as annex
from plan57.render.view import reporter_name
from tests.conftest import PLAN, UNITS, submission, write

runner = CliRunner()
DATE = dt.date(2026, 12, 15)
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def shipped():  # type: ignore[no-untyped-def]
    return score(open_workspace(PLAN, UNITS, cache=False), 2026)


@pytest.fixture(scope="module")
def html_text(shipped) -> str:  # type: ignore[no-untyped-def]
    return page.render(shipped, DATE)


def test_page_is_valid_html5(html_text: str) -> None:
    import html5lib

    parser = html5lib.HTMLParser(strict=True)
    parser.parse(html_text)  # raises on the first parse error
    assert parser.errors == []
    assert '<html lang="vi">' in html_text


def test_page_fetches_nothing(html_text: str) -> None:
    assert not re.search(r"""(?i)\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html_text)
    assert "@import" not in html_text
    assert not re.search(r"(?i)url\(", html_text)
    assert "<script" not in html_text.lower()


def test_page_shows_every_target_unit_task_and_channel(shipped, html_text: str) -> None:  # type: ignore[no-untyped-def]
    import html as std

    for t in shipped.plan.targets:
        assert t.id in html_text and std.escape(t.label) in html_text
    for u in shipped.plan.units:  # by the name the report gives every unit (UBND xã …)
        assert std.escape(reporter_name(u, shipped.plan)) in html_text, u.id
    for task in shipped.plan.tasks:
        assert f"<b>{task.id}</b>" in html_text
    assert html_text.count("<svg") >= len(shipped.plan.targets)
    assert "là dữ liệu mẫu" in html_text  # the shipped submissions are samples


def test_every_chart_has_a_title(html_text: str) -> None:
    charts = re.findall(r"<svg\b[^>]*>(.{0,7})", html_text)
    assert charts and all(start == "<title>" for start in charts)


def test_trend_chart_marks_baseline_path_and_threshold() -> None:
    trend = {
        "id": "2030.tiep-can",
        "label": "Người dân tiếp cận",
        "goal_year": 2030,
        "threshold": Fraction(4, 5),
        "points": [
            {"year": 2025, "value": Fraction(1, 2), "coverage": Fraction(1), "status": "baseline"},
            {"year": 2026, "value": Fraction(3, 5), "coverage": Fraction(1, 2), "status": "on_track"},
        ],
        "baseline": {"year": 2025, "value": Fraction(1, 2)},
    }
    svg = page.line_chart(trend, 2026, 2025)
    assert 'class="path"' in svg and 'class="base"' in svg and 'class="thr"' in svg
    assert "Mốc cơ sở: năm 2025, 50%" in svg and "năm 2026: 60% (độ phủ 50%)" in svg
    assert 'class="pt partial"' in svg  # partial coverage is drawn differently
    for y in range(2025, 2031):
        assert f">{y}</text>" in svg


@given(st.text())
def test_any_text_stays_text(text: str) -> None:
    out = page.h(text)
    assert "<" not in out and ">" not in out and '"' not in out
    assert re.sub(r"&(lt|gt|amp|quot|#x27);", "", out).count("&") == 0


def test_unit_text_cannot_inject_markup(mini_plan, mini_plan_path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    units = tmp_path / "units"
    evil = '</td></tr></table><script>alert(1)</script><img src="https://x.test/a.png">'
    data = submission(mini_plan, "xa-muong-la", 2026)
    data["difficulties"] = [evil]
    write(units, 2026, "xa-muong-la", data)
    result = score(open_workspace(mini_plan_path, units, cache=False), 2026)
    text = page.render(result, DATE)
    assert "<script" not in text and 'src="https' not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium không có ở /usr/bin/chromium")
@pytest.mark.parametrize("width, min_height, max_height", [(390, 3000, 60000), (1280, 2000, 30000)])
def test_page_fits_phone_and_desktop(
    html_text: str, tmp_path: Path, width: int, min_height: int, max_height: int
) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    path = tmp_path / "tien-do.html"
    path.write_text(html_text, encoding="utf-8")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            tab = browser.new_page(viewport={"width": width, "height": 900})
            tab.goto(path.as_uri())
            scroll_w, inner_w, height = tab.evaluate(
                "[document.documentElement.scrollWidth, innerWidth, document.documentElement.scrollHeight]"
            )
            tab.screenshot(path=str(tmp_path / f"shot-{width}.png"), full_page=True)
        finally:
            browser.close()
    assert scroll_w <= inner_w, f"tràn ngang ở {width}px: {scroll_w} > {inner_w}"
    assert min_height <= height <= max_height
    assert (tmp_path / f"shot-{width}.png").stat().st_size > 10_000


# ---- xlsx -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def workbook(shipped, tmp_path_factory):  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    path = tmp_path_factory.mktemp("xlsx") / "phu-luc.xlsx"
    path.write_bytes(annex.render(shipped, DATE))
    return load_workbook(path)


def _num(cell_value: object) -> float | None:
    assert cell_value is None or (isinstance(cell_value, (int, float)) and not isinstance(cell_value, bool)), cell_value
    return None if cell_value is None else float(cell_value)


def _dec(s: str | None) -> float | None:
    return None if s is None else float(Fraction(s))


def _shown(cell) -> str | None:  # type: ignore[no-untyped-def]
    """What a share's cell shows, in the report's words."""
    if cell.value is None:
        return None
    return percent_of_cell(cell.value, cell.number_format)


def _share(s: str | None) -> str | None:
    return None if s is None else percent(Fraction(s))


def test_xlsx_targets_hold_the_figures_of_score_json(workbook) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(
        app, ["score", "--year", "2026", "--plan", str(PLAN), "--units", str(UNITS), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    ws = workbook["Chỉ tiêu"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref
    heads = [c.value for c in ws[1]]
    rows = {r[0].value: dict(zip(heads, r, strict=True)) for r in ws.iter_rows(min_row=2)}
    assert list(rows) == [t["id"] for t in doc["targets"]]
    for t in doc["targets"]:
        row = rows[t["id"]]
        assert _num(row["Tử số"].value) == t["numerator"] and _num(row["Mẫu số"].value) == t["denominator"]
        assert _shown(row["Độ phủ"]) == _share(t["coverage"])  # what the report shows: rounded down
        if isinstance(t["value"], bool):
            assert row["Giá trị"].value == ("Có" if t["value"] else "Không")
        else:
            assert _shown(row["Ngưỡng"]) == _share(t["threshold"])
            assert _shown(row["Giá trị"]) == _share(t["value"])
        # year 2026's own figure beside the verdict (SPEC §5.2): `current` for a milestone
        now = t.get("current") or t
        assert _num(row["Tử số năm 2026"].value) == now["numerator"]
        assert _num(row["Mẫu số năm 2026"].value) == now["denominator"]
        assert _shown(row["Độ phủ năm 2026"]) == _share(now["coverage"])
        if not isinstance(now["value"], bool):
            assert _shown(row["Giá trị năm 2026"]) == _share(now["value"])
    assert any(t.get("current") for t in doc["targets"]), "the shipped 2026 data has milestones of 2025"


def test_xlsx_annex_one_row_per_unit_with_numbers_and_dates(workbook, shipped) -> None:  # type: ignore[no-untyped-def]
    ws = workbook["Phụ lục 2026"]
    assert ws.freeze_panes == "C2" and ws.auto_filter.ref == ws.dimensions
    # the wrapped headings fit their row: "…(2025.can-bo): tử số" takes six lines of its column
    assert (ws.row_dimensions[1].height or 0) >= 6 * 15
    # printed: landscape, one page wide, the header row on every page
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$1:$1"
    heads = [c.value for c in ws[1]]
    rows = [dict(zip(heads, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert [r["Mã đơn vị"] for r in rows] == [u.id for u in shipped.plan.units]
    sent = [r for r in rows if r["Tình trạng báo cáo"] == "Đúng hạn"]
    assert len(sent) == len(shipped.reporting.on_time)
    for r in sent:
        assert isinstance(r["Ngày gửi"], dt.datetime)
    by_id = {r["Mã đơn vị"]: r for r in rows}
    xa = by_id["xa-muong-la"]
    head = next(h for h in heads if "(2030.tiep-can): tử số" in h)
    assert xa[head] == 15720 and isinstance(xa[head], int)
    rate = next(h for h in heads if "(2030.tiep-can): tỷ lệ" in h)
    line = [u.id for u in shipped.plan.units].index("xa-muong-la") + 2
    cell = ws.cell(row=line, column=heads.index(rate) + 1)
    assert cell.number_format == "0.0%" and _shown(cell) == percent(Fraction(15720, 18650)) == "84,2%"


def test_xlsx_history_sheet_and_sample_notice(workbook) -> None:  # type: ignore[no-untyped-def]
    assert workbook.sheetnames[0] == "Ghi chú" and "là dữ liệu mẫu" in workbook["Ghi chú"]["A1"].value
    ws = workbook["Xu hướng"]
    assert [c.value for c in ws[1]][:3] == ["Mã chỉ tiêu", "Chỉ tiêu", "Năm"]
    for row in ws.iter_rows(min_row=2, values_only=True):
        assert isinstance(row[2], int)
        assert row[5] is None or isinstance(row[5], (int, float, str))


# ---- the command ------------------------------------------------------------------------------


def test_report_format_from_the_file_name(tmp_path: Path) -> None:
    base = ["report", "--year", "2026", "--date", "2026-12-15", "--plan", str(PLAN), "--units", str(UNITS)]
    for name, magic in (("tien-do.html", b"<!DOCTYPE html>"), ("phu-luc.xlsx", b"PK")):
        result = runner.invoke(app, [*base, "-o", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        assert (tmp_path / name).read_bytes().startswith(magic)
    result = runner.invoke(app, [*base, "--format", "xlsx"])
    assert result.exit_code == 2 and "-o" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["phu-luc.xlsx", "tien-do.html"]


@pytest.mark.parametrize("name", ["md", "docx", "html", "xlsx"])
def test_each_format_prepares_while_the_workers_read_and_renders_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """A format's slow imports (python-docx, openpyxl) and the Markdown template's environment are
    done while the worker processes read the files; the file written is the one written without."""
    import sys

    from plan57.render.formats import FORMATS
    from plan57.validation import validate as v

    chosen = FORMATS[name]
    ahead = chosen.start_ahead(None)
    if name == "html":
        assert ahead is None  # nothing slow to import
    else:
        assert callable(ahead.prepare) and chosen.takes_ahead is (name == "md")
        for module in getattr(ahead, "modules", ()):
            monkeypatch.delitem(sys.modules, module, raising=False)
        ahead.prepare()
        assert all(m in sys.modules for m in getattr(ahead, "modules", ()))
        ahead.close()
    from plan57.render import formats, markdown

    prepared: list[str] = []
    for cls in (formats.ImportsAhead, markdown.CompiledAhead):
        real = cls.prepare
        monkeypatch.setattr(cls, "prepare", lambda self, real=real: (prepared.append(name), real(self))[1])
    monkeypatch.setattr(v, "PARALLEL_MIN_FILES", 2)  # the shipped units read by workers
    base = ["report", "--year", "2026", "--date", "2026-12-15", "--plan", str(PLAN), "--units", str(UNITS)]
    out = tmp_path / f"a.{name}"
    result = runner.invoke(app, [*base, "--no-cache", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert prepared == ([] if name == "html" else [name])
    monkeypatch.setattr(v, "PARALLEL_MIN_FILES", 10**6)
    again = tmp_path / f"b.{name}"
    assert runner.invoke(app, [*base, "--no-cache", "-o", str(again)]).exit_code == 0
    assert out.read_bytes() == again.read_bytes()


def test_copy_of_shipped_data_is_left_untouched(tmp_path: Path) -> None:
    shutil.copytree(UNITS, tmp_path / "units")
    before = sorted(p.read_bytes() for p in (tmp_path / "units").rglob("*.yaml"))
    base = ["report", "--plan", str(PLAN), "--units", str(tmp_path / "units"), "--date", "2026-12-15"]
    assert runner.invoke(app, [*base, "-o", str(tmp_path / "p.html")]).exit_code == 0
    assert sorted(p.read_bytes() for p in (tmp_path / "units").rglob("*.yaml")) == before


def test_xlsx_is_the_same_bytes_for_the_same_input(shipped) -> None:  # type: ignore[no-untyped-def]
    """SPEC §5: identical input, identical output. openpyxl stamps the clock's time on every zip
    entry, and as the workbook's `modified` time, when it saves: both are fixed, the modified time
    to the created time the annex derives from the report's date."""
    import io
    import zipfile

    first = annex.render(shipped, DATE)
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    created = re.search(r"<dcterms:created[^>]*>([^<]*)<", core)
    modified = re.search(r"<dcterms:modified[^>]*>([^<]*)<", core)
    assert created and modified and created.group(1) == modified.group(1) == "2026-12-15T08:00:00Z", core
    assert annex.render(shipped, DATE) == first


def test_page_carries_the_budget_and_the_portal_posts(html_text: str, shipped) -> None:  # type: ignore[no-untyped-def]
    """SPEC §8: every format carries the same figures: the funding spent (plan section V) and the
    posts on the units' NQ57 portal sections, as the Markdown and Word reports give them."""
    from plan57.base.numbers import vn_int

    b, p = shipped.budget, shipped.portals
    assert b.units and p.posts_units
    assert f"Tổng kinh phí các đơn vị báo cáo đã chi: {vn_int(b.total)} đồng ({vn_int(b.units)} đơn vị" in html_text
    assert f"tổng số tin, bài đã đăng: {vn_int(p.posts)} ({vn_int(p.posts_units)} đơn vị" in html_text


def test_printed_annex_repeats_its_header_row(html_text: str) -> None:
    """On paper the annex's header row stands at the top of every page it runs over (SPEC §8)."""
    print_css = html_text[html_text.index("@media print") :]
    assert "thead{display:table-header-group}" in print_css.replace(" ", "")
    assert "<thead>" in html_text


def test_the_sample_notice_opens_the_page(html_text: str) -> None:
    """SPEC §5: every output opens with the notice; on the page it comes before the title."""
    body = html_text.split("<body>", 1)[1].lstrip()
    assert body.startswith('<p class="sample" role="note">LƯU Ý: Số liệu'), body[:120]
