"""The HTML page as a browser shows it (SPEC §8): on a phone (390 px), on a screen (1280 px) and
printed on A4 — nothing clipped or overlapping, no chart split across pages, the annex's header on
every page it runs over, and no more pages than the Word report of the same data."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from plan57.api import open_workspace, score
from plan57.render import docx as report_docx
from plan57.render import html as page
from tests.conftest import PLAN, UNITS, soffice_convert

CHROMIUM = "/usr/bin/chromium"
DATE = dt.date(2026, 12, 15)

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium không có ở /usr/bin/chromium")

# Every text of every line chart, and the chart's own box, the threshold line and the year's diamond,
# as the browser laid them out (client coordinates).
_BOXES = """
() => [...document.querySelectorAll('svg.line')].map(svg => {
  const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  return {
    svg: box(svg),
    texts: [...svg.querySelectorAll('text')].map(t => ({text: t.textContent, box: box(t)})),
    marks: [...svg.querySelectorAll('.goalmark')].map(box),
    thr: [...svg.querySelectorAll('line.thr')].map(box),
  };
})
"""


def _overlap(a: list[float], b: list[float], slack: float = 0.5) -> bool:
    return a[0] + slack < b[2] and b[0] + slack < a[2] and a[1] + slack < b[3] and b[1] + slack < a[3]


@pytest.fixture(scope="module")
def shipped() -> Any:
    return score(open_workspace(PLAN, UNITS, cache=False), 2026)


@pytest.fixture(scope="module")
def page_file(shipped: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("html") / "tien-do.html"
    path.write_text(page.render(shipped, DATE), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def browser() -> Any:
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            yield b
        finally:
            b.close()


def _labels_clear(charts: list[dict[str, Any]], where: str) -> None:
    assert charts, "trang không có biểu đồ đường nào"
    for n, chart in enumerate(charts, 1):
        texts = chart["texts"]
        for t in texts:
            x0, y0, x1, y1 = chart["svg"]
            left, top, right, bottom = t["box"]
            assert left >= x0 - 0.5 and right <= x1 + 0.5 and top >= y0 - 0.5 and bottom <= y1 + 0.5, (
                f"{where}, biểu đồ {n}: '{t['text']}' bị cắt ở mép biểu đồ"
            )
            for mark in chart["marks"]:
                assert not _overlap(t["box"], mark), f"{where}, biểu đồ {n}: '{t['text']}' đè lên dấu ngưỡng"
            if t["text"].endswith("%") and t["box"][0] > x0 + 0.12 * (x1 - x0) - 1:  # a value, not an axis label
                for line in chart["thr"]:
                    assert not _overlap(t["box"], [line[0], line[1] - 1, line[2], line[3] + 1]), (
                        f"{where}, biểu đồ {n}: đường ngưỡng cắt qua '{t['text']}'"
                    )
        for i, a in enumerate(texts):
            for b_ in texts[i + 1 :]:
                assert not _overlap(a["box"], b_["box"]), f"{where}, biểu đồ {n}: '{a['text']}' đè lên '{b_['text']}'"


@pytest.mark.parametrize("width", [390, 1280])
def test_nothing_overflows_or_overlaps_on_a_phone_and_a_screen(browser: Any, page_file: Path, width: int) -> None:
    tab = browser.new_page(viewport={"width": width, "height": 900})
    try:
        tab.goto(page_file.as_uri())
        scroll_w, inner_w = tab.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert scroll_w <= inner_w, f"tràn ngang ở {width}px: {scroll_w} > {inner_w}"
        _labels_clear(tab.evaluate(_BOXES), f"{width}px")
        # every figure of a ratio's history lies inside the page's width
        for left, right in tab.evaluate(
            "[...document.querySelectorAll('figure')].map(f => [f.getBoundingClientRect().left, "
            "f.getBoundingClientRect().right])"
        ):
            assert left >= 0 and right <= inner_w + 0.5
    finally:
        tab.close()


def test_a_phone_card_keeps_each_value_beside_its_label(browser: Any, page_file: Path) -> None:
    """On a phone a table row is a card, its header on the left of each value: a figure and its
    "(tử/mẫu)" never fall under the label column."""
    tab = browser.new_page(viewport={"width": 390, "height": 900})
    try:
        tab.goto(page_file.as_uri())
        stray = tab.evaluate(
            """() => [...document.querySelectorAll('table.cards td')].flatMap(td => {
                const r = td.getBoundingClientRect();
                return [...td.querySelectorAll('.fig, svg, .st')]
                  .filter(e => e.getBoundingClientRect().left < r.left + 0.35 * r.width)
                  .map(e => td.dataset.label + ': ' + e.textContent);
            })"""
        )
    finally:
        tab.close()
    assert stray == [], f"giá trị nằm dưới cột nhãn của thẻ: {stray[:5]}"


def test_value_labels_move_off_the_threshold_line() -> None:
    """A value just under its threshold (93,9% against 100%) is labelled below its point, not on the
    threshold line and its diamond."""
    trend = {
        "label": "Cán bộ được tuyên truyền",
        "goal_year": 2025,
        "threshold": Fraction(1),
        "baseline": None,
        "points": [
            {"year": 2025, "value": Fraction(939, 1000), "coverage": None},
            {"year": 2026, "value": Fraction(968, 1000), "coverage": None},
        ],
    }
    svg = page.line_chart(trend, 2026, 2025)
    ys = {
        m.group(2): float(m.group(1))
        for m in re.finditer(r'<text class="vl" x="[\d.]+" y="([\d.]+)"[^>]*>([^<]+)<', svg)
    }
    thr_y = float(re.search(r'<line class="thr" x1="[\d.]+" y1="([\d.]+)"', svg).group(1))  # type: ignore[union-attr]
    assert ys["93,9%"] > thr_y + 12, "nhãn 93,9% phải nằm dưới đường ngưỡng"


# ---- paper ------------------------------------------------------------------------------------------


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


@pytest.fixture(scope="module")
def printed(browser: Any, page_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tab = browser.new_page()
    try:
        tab.goto(page_file.as_uri())
        pdf = tab.pdf(format="A4", print_background=True)
    finally:
        tab.close()
    out = tmp_path_factory.mktemp("print") / "tien-do.pdf"
    out.write_bytes(pdf)
    return out


def _page_texts(pdf: Path) -> list[str]:
    if shutil.which("pdftotext") is None:
        pytest.skip("cần poppler-utils (pdftotext)")
    raw = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, check=True).stdout
    return [" ".join(p.decode("utf-8").split()) for p in raw.split(b"\f")]


def test_printed_page_is_not_longer_than_the_word_report(
    shipped: Any, printed: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("docx")
    src = folder / "tonghop.docx"
    src.write_bytes(report_docx.render(shipped, DATE))
    word = _pages(soffice_convert(src, "pdf", folder).read_bytes())
    html = _pages(printed.read_bytes())
    assert 0 < html <= word, f"bản in của trang HTML có {html} trang, bản Word có {word} trang"


def test_printed_charts_are_whole_and_the_annex_header_repeats(shipped: Any, printed: Path) -> None:
    pages = _page_texts(printed)
    charted = [t for t in shipped.plan.targets if f"Số liệu của biểu đồ: {t.label}" in " ".join(pages)]
    assert charted, "không thấy biểu đồ nào trong bản in"
    for t in charted:
        where = [i for i, text in enumerate(pages) if f"Số liệu của biểu đồ: {t.label}" in text]
        assert len(where) == 1, f"bảng số liệu của biểu đồ {t.id} nằm trên {len(where)} trang"
        assert t.id in pages[where[0]], f"biểu đồ {t.id} bị tách khỏi bảng số liệu của nó sang trang khác"
    first = next(i for i, text in enumerate(pages) if "KẾT QUẢ CỦA TỪNG ĐƠN VỊ" in text)
    rows = [i for i, text in enumerate(pages) if i >= first and re.search(r"UBND (xã|phường) ", text)]
    assert len(rows) >= 2, "phụ lục in trên một trang: không kiểm được tiêu đề lặp lại"
    for i in rows:
        assert "STT Đơn vị Tình trạng" in pages[i], f"trang in {i + 1} của phụ lục không có hàng tiêu đề"


def test_a_yearly_target_marks_its_threshold_in_every_year() -> None:
    """A target to hold every year ("hằng năm") has its threshold's diamond in each year from its
    first one, not only in that first year."""
    trend = {
        "label": "Chuyên mục trên trang thông tin điện tử",
        "goal_year": 2026,
        "every_year": True,
        "threshold": Fraction(4, 5),
        "baseline": None,
        "points": [
            {"year": 2026, "value": Fraction(5, 8), "coverage": Fraction(1)},
            {"year": 2027, "value": Fraction(7, 8), "coverage": Fraction(1)},
        ],
    }
    svg = page.line_chart(trend, 2027, 2026)
    assert re.findall(r"<title>Ngưỡng năm (\d+): 80%</title>", svg) == ["2026", "2027"]
    once = page.line_chart({**trend, "every_year": False}, 2027, 2026)
    assert re.findall(r"<title>Ngưỡng năm (\d+): 80%</title>", once) == ["2026"]
