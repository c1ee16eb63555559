"""The synthesis report as a Word document to sign and send (SPEC §8).

The layout is that of Nghị định 30/2020/NĐ-CP, Phụ lục I: A4, its margins, Times New Roman, the
borderless two-column header with its rules, the number and date lines, the document type and its
subject, a justified body, page numbers from page 2, "Nơi nhận" beside the signature, and the annex
in a landscape section. The content is the report view (render/view.py), the same the Markdown
report gets: this module only lays it out. Text that units wrote goes into runs as plain text:
python-docx escapes it, and characters XML cannot hold become U+FFFD.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree  # type: ignore[import-untyped]

from plan57.base.numbers import vn_int
from plan57.render import fit
from plan57.render.markdown import vn_date
from plan57.render.view import annex_cells, annex_heads, context
from plan57.scoring.score import YearResult

FONT = "Times New Roman"
BODY = 14  # pt; NĐ 30: 13–14
INDENT = Mm(12.7)  # first-line indent; NĐ 30: 1–1,27 cm
PAGE_W, PAGE_H = Mm(210), Mm(297)
MARGINS = {"top": Mm(20), "bottom": Mm(20), "left": Mm(30), "right": Mm(17)}  # NĐ 30: 20–25, 20–25, 30–35, 15–20
TEXT_W = 210 - 30 - 17  # mm of text on a portrait page
ANNEX_W = 297 - 30 - 17  # mm of text on a landscape page
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
# the note under the targets table, as the Markdown report words it
# characters an XML 1.0 document cannot hold
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def text(value: Any) -> str:
    """Unit-written text as one line of plain text that any XML part can hold."""
    if value is None:
        return ""
    return _NOT_XML.sub("\ufffd", " ".join(str(value).split()))


@dataclass(frozen=True)
class Span:
    """A piece of a paragraph with its own look."""

    text: str
    bold: bool = False
    italic: bool = False


Parts = Sequence[Span | str]


# ---- low-level helpers ---------------------------------------------------------------------------


# Run and paragraph properties, built once by python-docx for each combination and then copied:
# python-docx places every property by searching the element's allowed children, which costs
# about a millisecond a run and made up most of a report with thousands of units' texts.
_PROPS: dict[tuple[Any, ...], Any] = {}


def _copied_props(element: Any, key: tuple[Any, ...], props_tag: str, build: Any) -> None:
    """Give a new run or paragraph the properties `build` sets, from the copy kept for `key`."""
    proto = _PROPS.get(key)
    if proto is None:
        build()
        made = element.find(props_tag)
        if made is not None:
            _PROPS[key] = copy.deepcopy(made)
        return
    element.insert(0, copy.deepcopy(proto))  # properties are the element's first child


NB_HYPHEN = "\u2011"  # a hyphen no line may break at: Word's <w:noBreakHyphen/>


def nb(value: str) -> str:
    """An id or a figure whose hyphens no line may break at ("xa-muong-la" stays whole)."""
    return value.replace("-", NB_HYPHEN)


def _run(p: Paragraph, value: str, size: float, bold: bool = False, italic: bool = False) -> None:
    if "\t" in value or "\n" in value:
        run = p.add_run(value)  # python-docx turns these into Word's tab and break
    elif NB_HYPHEN in value:
        r = OxmlElement("w:r")
        for i, piece in enumerate(value.split(NB_HYPHEN)):
            if i:
                r.append(OxmlElement("w:noBreakHyphen"))
            if piece:
                t = OxmlElement("w:t")
                t.text = piece
                t.set(_XML_SPACE, "preserve")
                r.append(t)
        p._p.append(r)
        run = Run(r, p)
    else:  # the same XML, without python-docx's walk through the text a character at a time
        r = OxmlElement("w:r")
        if value:
            t = OxmlElement("w:t")
            t.text = value
            if len(value.strip()) < len(value):
                t.set(_XML_SPACE, "preserve")
            r.append(t)
        p._p.append(r)
        run = Run(r, p)

    def build() -> None:
        run.font.name = FONT
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.italic = italic

    _copied_props(run._r, ("r", size, bold, italic), _R_PR, build)


def _new_paragraph(container: Any) -> Paragraph:
    """`container.add_paragraph()`; in the body, put straight before its closing section
    properties, which python-docx looks for by reading every paragraph already there (quadratic
    in a report with thousands of units' difficulties and proposals)."""
    if isinstance(container, DocumentObject):
        try:
            last = container.element.body[-1]  # found from the end (lxml's len() counts children)
        except IndexError:
            last = None
        if last is not None and last.tag == _SECT_PR:
            p = OxmlElement("w:p")
            last.addprevious(p)
            return Paragraph(p, container._body)
    return container.add_paragraph()  # type: ignore[no-any-return]


_SECT_PR, _R_PR, _P_PR, _XML_SPACE = qn("w:sectPr"), qn("w:rPr"), qn("w:pPr"), qn("xml:space")


def _para(
    container: Any,
    parts: Parts,
    size: float = BODY,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY,
    indent: bool = True,
    before: float = 0,
    after: float = 6,
    keep_next: bool = False,
) -> Paragraph:
    p = _new_paragraph(container)

    def build() -> None:
        fmt = p.paragraph_format
        fmt.alignment = align
        fmt.first_line_indent = INDENT if indent and align == WD_ALIGN_PARAGRAPH.JUSTIFY else None
        fmt.space_before = Pt(before)
        fmt.space_after = Pt(after)
        fmt.line_spacing = 1.15 if size >= 13 else 1.0
        fmt.keep_with_next = keep_next

    _copied_props(p._p, ("p", align, indent, before, after, size >= 13, keep_next), _P_PR, build)
    for part in parts:
        span = Span(part) if isinstance(part, str) else part
        _run(p, span.text, size, span.bold, span.italic)
    return p


def _cell_para(cell: _Cell, parts: Parts, size: float, align: WD_ALIGN_PARAGRAPH, first: bool) -> Paragraph:
    """A paragraph in a cell: the cell's own first paragraph, then new ones."""
    p: Paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    fmt = p.paragraph_format
    fmt.alignment = align
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing = 1.0
    for part in parts:
        span = Span(part) if isinstance(part, str) else part
        _run(p, span.text, size, span.bold, span.italic)
    return p


def _rule(container: Any, width_mm: float, container_mm: float) -> None:
    """A short horizontal rule, centered: an empty paragraph's bottom border between indents."""
    p: Paragraph = container.add_paragraph()
    side = Mm(max((container_mm - width_mm) / 2, 0))
    fmt = p.paragraph_format
    fmt.left_indent = side
    fmt.right_indent = side
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(4)
    fmt.line_spacing = Pt(3)
    ppr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, val in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), val)
    borders.append(bottom)
    ppr.insert_element_before(borders, "w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc", "w:rPr")
    _run(p, "", 2)


def _no_borders(table: Table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption")


def _widths(table: Table, widths_mm: Sequence[float]) -> None:
    table.autofit = False
    for col, w in zip(table.columns, widths_mm):
        col.width = Mm(w)
    for row in table.rows:
        for cell, w in zip(row.cells, widths_mm):
            cell.width = Mm(w)


def _cell_margins(table: Table, mm: float) -> None:
    margins = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:w"), str(round(mm * 1440 / 25.4)))
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    table._tbl.tblPr.insert_element_before(margins, "w:tblLook", "w:tblCaption")


def _row_flags(row: Any, header: bool) -> None:
    """Rows never split across pages; a header row repeats at the top of every page."""
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    if header:
        tr_pr.append(OxmlElement("w:tblHeader"))


@dataclass(frozen=True)
class Col:
    title: str
    width: float  # mm
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.LEFT


def _grid(doc: DocumentObject, cols: Sequence[Col], rows: Sequence[Sequence[Parts | str]], size: float) -> Table:
    """A real Word table: a bold header row repeated on every page, then one row per item."""
    # rows of plain text past the first are written as XML after it (see `_more_rows`)
    quick = len(rows) > 1 and all(isinstance(v, str) for values in rows[1:] for v in values)
    built = rows[:1] if quick else rows
    table: Table = doc.add_table(rows=1 + len(built), cols=len(cols))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _cell_margins(table, 1.2)
    _widths(table, [c.width for c in cols])
    for cell, col in zip(table.rows[0].cells, cols):
        _cell_para(cell, [Span(col.title, bold=True)], size, WD_ALIGN_PARAGRAPH.CENTER, True)
    _row_flags(table.rows[0], header=True)
    for row, values in zip(table.rows[1:], built):
        _row_flags(row, header=False)
        for cell, col, value in zip(row.cells, cols, values):
            if isinstance(value, str):  # our own line breaks (unit text has none left)
                for i, line in enumerate(value.split("\n")):
                    _cell_para(cell, [line], size, col.align, i == 0)
            else:
                _cell_para(cell, value, size, col.align, True)
    if quick:
        _more_rows(table, rows[1:])  # type: ignore[arg-type]
    return table


_NS_DECL = re.compile(r' xmlns:\w+="[^"]*"')


def _xml(element: Any) -> str:
    """An element as XML text without its namespace declarations (the wrapper declares them)."""
    if element is None:
        return ""
    return _NS_DECL.sub("", etree.tostring(element, encoding="unicode"))


def _more_rows(table: Table, rows: Sequence[Sequence[str]]) -> None:
    """Rows after the first, each cell formatted exactly as the first row's cell of its column
    (its properties copied as XML): written as one XML text and parsed once, because python-docx's
    per-cell calls would take most of the report's time at thousands of rows (a large annex)."""
    first = table._tbl.tr_lst[1]
    row_open = f"<w:tr>{_xml(first.trPr)}"
    cells = []
    for tc in first.tc_lst:
        p = tc.p_lst[0]
        r = p.r_lst[0] if p.r_lst else None
        cells.append((f"<w:tc>{_xml(tc.tcPr)}", f"<w:p>{_xml(p.pPr)}", _xml(r.rPr) if r is not None else ""))
    out = [f"<w:tbl {nsdecls('w')}>"]
    for values in rows:
        out.append(row_open)
        for (tc_open, p_open, r_pr), value in zip(cells, values):
            out.append(tc_open)
            for line in value.split("\n"):
                inner = "<w:noBreakHyphen/>".join(
                    f'<w:t xml:space="preserve">{escape(piece)}</w:t>' if piece else ""
                    for piece in line.split(NB_HYPHEN)
                )
                run = f"<w:r>{r_pr}{inner}</w:r>" if line else ""
                out.append(f"{p_open}{run}</w:p>")
            out.append("</w:tc>")
        out.append("</w:tr>")
    out.append("</w:tbl>")
    for tr in list(parse_xml("".join(out))):
        table._tbl.append(tr)


def _page_number_header(section: Any) -> None:
    """Page numbers centered at the top from page 2: a PAGE field, none on the first page."""
    section.different_first_page_header_footer = True
    p = section.header.paragraphs[0]
    p.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run()
    run.font.name = FONT
    run.font.size = Pt(BODY)
    for kind, instr in (("begin", None), (None, " PAGE "), ("separate", None), (None, None), ("end", None)):
        if kind is not None:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            run._r.append(el)
        elif instr is not None:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = instr
            run._r.append(el)
        else:
            el = OxmlElement("w:t")
            el.text = "2"
            run._r.append(el)


def _page(section: Any, landscape: bool) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (PAGE_H, PAGE_W) if landscape else (PAGE_W, PAGE_H)
    section.top_margin = MARGINS["top"]
    section.bottom_margin = MARGINS["bottom"]
    section.left_margin = MARGINS["left"]
    section.right_margin = MARGINS["right"]
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)


def _styles(doc: DocumentObject) -> None:
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY)
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for key in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(key), FONT)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "vi-VN")
    rpr.append(lang)


# ---- the document --------------------------------------------------------------------------------


def _lines(value: str) -> list[str]:
    """A name of the plan's header, in the lines the plan breaks it into."""
    return [text(line) for line in value.splitlines() if line.strip()] or [""]


def _date_line(place: str, date: dt.date) -> str:
    month = f"{date.month:02d}" if date.month < 3 else str(date.month)  # NĐ 30: 01, 02; then 3…12
    return f"{place}, ngày {date.day:02d} tháng {month} năm {date.year}"


def _header(doc: DocumentObject, c: dict[str, Any], subject: str | None = None) -> None:
    """The two-column header; `subject` is a công văn's "V/v …" line under its number."""
    d = c["document"]
    left_w, right_w = 70.0, TEXT_W - 70.0
    table = doc.add_table(rows=2, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(table)
    _cell_margins(table, 0.5)
    _widths(table, [left_w, right_w])
    center = WD_ALIGN_PARAGRAPH.CENTER
    left, right = table.rows[0].cells
    for i, line in enumerate(_lines(d["superior"])):
        _cell_para(left, [line], 12, center, i == 0)
    for line in _lines(d["issuer"]):
        _cell_para(left, [Span(line, bold=True)], 12, center, False)
    _rule(left, 25, left_w)
    _cell_para(right, [Span(NATION, bold=True)], 12, center, True)
    _cell_para(right, [Span(MOTTO, bold=True)], 13, center, False)
    _rule(right, 62, right_w)
    left, right = table.rows[1].cells
    _cell_para(left, [f"Số: {text(c['number'])}"], 13, center, True)
    if subject is not None:
        _cell_para(left, [subject], 12, center, False)
    _cell_para(right, [Span(_date_line(text(d["place"]), c["date"]), italic=True)], 14, center, True)


def _title(doc: DocumentObject, c: dict[str, Any]) -> None:
    center = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, [Span("BÁO CÁO", bold=True)], 14, center, before=18, after=0)
    subject = f"Kết quả thực hiện {text(c['info']['title'])} năm {c['y']}"
    _para(doc, [Span(subject, bold=True)], 14, center, after=0)
    _rule(doc, 40, TEXT_W)
    _para(doc, [f"Kính gửi: {text(c['document']['addressee'])}."], 14, center, before=6, after=12)


def _heading(doc: DocumentObject, title: str, italic: bool = False) -> None:
    _para(doc, [Span(title, bold=True, italic=italic)], before=6, keep_next=True)


def _bullet(doc: DocumentObject, parts: Parts, mark: str = "-") -> None:
    _para(doc, [f"{mark} ", *parts])


def _section_reporting(doc: DocumentObject, c: dict[str, Any]) -> None:
    _heading(doc, c["headings"]["reporting"])
    for line in c["reporting_lines"]:
        _bullet(doc, [text(line)])
    for group in c["reporting_lists"]:
        _para(doc, [Span(text(group["title"]), bold=True)], keep_next=True)
        for item in group["entries"]:
            _bullet(doc, [f"{text(item)}."])


def _figure(f: dict[str, Any]) -> str:
    """A figure of the view as a cell shows it: the percentage, and its fraction below it."""
    return f"{f['main']}\n({f['fraction']})" if f.get("fraction") else str(f["main"])


# ---- tables that fit their page (SPEC §8) -----------------------------------------------------------

TABLE_PT = 11  # no data table below 11 pt: a table too wide for it goes landscape or is split
MARGIN_MM = 1.2  # a cell's left and right margins


@dataclass(frozen=True)
class Head:
    """A data column before it has a width: its title, alignment, and whether its text runs on
    (breaks at spaces) or is figures that each stay on one line."""

    title: str
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.LEFT
    prose: bool = False


def _plain(value: Parts | str) -> str:
    return value if isinstance(value, str) else "".join(p if isinstance(p, str) else p.text for p in value)


def _needs(heads: Sequence[Head], rows: Sequence[Sequence[Parts | str]]) -> list[fit.Need]:
    return [fit.need(h.title, [_plain(r[i]) for r in rows], TABLE_PT, MARGIN_MM, h.prose) for i, h in enumerate(heads)]


def _orient(doc: DocumentObject, landscape: bool) -> None:
    """Go on in a new section of this orientation (on a new page), numbered as the others."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    _page(section, landscape=landscape)
    section.different_first_page_header_footer = False


def _landscape_now(doc: DocumentObject) -> bool:
    return bool(doc.sections[-1].orientation == WD_ORIENT.LANDSCAPE)


def _fitted(
    doc: DocumentObject,
    heads: Sequence[Head],
    rows: Sequence[Sequence[Parts | str]],
    keep: int,
    heading: str | None = None,
) -> None:
    """A data table on the page it fits: the current portrait page when it fits there at 11 pt,
    else a landscape section (left in landscape: the caller goes back with `_orient`), else split
    into tables that each fit landscape, the first `keep` columns repeated in each. A `heading`
    goes on the table's page, never alone at the foot of the portrait page before it."""
    needs = _needs(heads, rows)
    if not _landscape_now(doc):
        w = fit.widths(needs, TEXT_W)
        if w is not None:
            if heading is not None:
                _heading(doc, heading)
            _grid(doc, [Col(h.title, x, h.align) for h, x in zip(heads, w)], rows, TABLE_PT)
            return
        _orient(doc, landscape=True)
    if heading is not None:
        _heading(doc, heading)
    w = fit.widths(needs, ANNEX_W)
    if w is not None:
        _grid(doc, [Col(h.title, x, h.align) for h, x in zip(heads, w)], rows, TABLE_PT)
        return
    groups = fit.split(needs, keep, ANNEX_W)
    for k, group in enumerate(groups, 1):
        part = [needs[i] for i in group]
        w = fit.widths(part, ANNEX_W) or [n.least for n in part]
        caption = f"Bảng {k}/{len(groups)}"
        _para(doc, [Span(caption, italic=True)], 12, WD_ALIGN_PARAGRAPH.LEFT, before=6 if k > 1 else 0, keep_next=True)
        cols = [Col(heads[i].title, x, heads[i].align) for i, x in zip(group, w)]
        _grid(doc, cols, [[r[i] for i in group] for r in rows], TABLE_PT)


def _section_targets(doc: DocumentObject, c: dict[str, Any]) -> None:
    right, center = WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.CENTER
    y = c["y"]
    prev = y > c["info"]["period"]["start"]
    heads = [Head("STT", center), Head("Chỉ tiêu", prose=True), Head("Hạn", center), Head("Ngưỡng", right, True)]
    if prev:
        heads.append(Head(f"Năm {y - 1}", right))
    heads += [
        Head(f"Năm {y}", right),
        Head(f"Độ phủ năm {y}", right, True),
        Head(f"Cần đạt năm {y}", right, True),
        Head("Đánh giá", prose=True),
    ]
    rows: list[list[Parts | str]] = []
    for i, row in enumerate(c["target_rows"], 1):
        t = row["shown"]
        cells: list[Parts | str] = [str(i), [text(t["label"]), " ", nb(f"({t['id']})")], t["deadline"], t["threshold"]]
        if prev:
            cells.append(_figure(t["previous"]))
        cells += [_figure(t["value"]), t["coverage"], t["required"], text(t["verdict"])]
        rows.append(cells)
    _fitted(doc, heads, rows, keep=2, heading=c["headings"]["targets"])
    _para(
        doc,
        [
            Span("Ghi chú: ", italic=True),
            Span(c["targets_note"], italic=True),
        ],
        size=12,
        before=6,
    )
    if _landscape_now(doc):
        _orient(doc, landscape=False)
    for i, t in enumerate(c["targets"], 1):
        tg = t["target"]
        _para(
            doc,
            [
                f"{i}. ",
                Span(text(tg["label"]), bold=True),
                f" ({nb(tg['id'])}, mục {tg['section']} của Kế hoạch): “{text(tg['text'])}”",
            ],
        )
    portals = c["portals"]
    if portals["text"]:
        _para(doc, [Span(portals["label"] + " ", bold=True), portals["text"]])
    if c["trainings"]:
        _para(doc, [Span("Các chương trình đào tạo, bồi dưỡng đã tổ chức:", bold=True)], keep_next=True)
        heads = [
            Head("STT", center),
            Head("Đơn vị", prose=True),
            Head("Chương trình", prose=True),
            Head("Đối tượng", prose=True),
            Head("Số người", right),
        ]
        trainings: list[list[Parts | str]] = [
            [
                str(i),
                text(x["unit"]),
                text(x["item"]["name"]),
                text(c["audiences"].get(x["item"]["audience"], x["item"]["audience"])),
                "" if x["item"]["participants"] is None else vn_int(x["item"]["participants"]),
            ]
            for i, x in enumerate(c["trainings"], 1)
        ]
        _fitted(doc, heads, trainings, keep=2)
        _para(doc, [], after=0)
        if _landscape_now(doc):
            _orient(doc, landscape=False)


def _event(e: dict[str, Any]) -> str:
    ev = e["event"]
    people = "" if ev.get("participants") is None else f" ({vn_int(ev['participants'])} người tham dự)"
    return f"{text(e['unit'])}: {text(ev['name'])}{people}"


def _section_tasks(doc: DocumentObject, c: dict[str, Any]) -> None:
    _heading(doc, c["headings"]["tasks"])
    for g in c["groups"]:
        _heading(doc, f"{g['id']}. {text(g['title'])}")
        for x in c["tasks"]:
            if x["group"] != g["id"]:
                continue
            t = x["r"]
            _heading(doc, f"Nhiệm vụ {t['task']['id']} — {c['task_label'][t['status']]}", italic=True)
            _para(doc, [Span(text(t["task"]["text"]), italic=True)])
            _bullet(doc, [f"Cơ quan chủ trì: {text(t['task']['lead_text'])}"])
            done = f"{vn_int(len(t['leads_done']))}/{vn_int(len(t['leads_expected']))}"
            if x["done_names"]:
                done += " (" + "; ".join(text(n) for n in x["done_names"]) + ")"
            _bullet(doc, [f"Đơn vị chủ trì đã thực hiện: {done}."])
            if "unreported_names" in x:  # a lead with no valid report, apart from one that did nothing
                todo_lists = [
                    ("Đơn vị chủ trì chưa gửi báo cáo hợp lệ", x["unreported_names"]),
                    ("Đơn vị chủ trì đã báo cáo nhưng chưa thực hiện", x["idle_names"]),
                ]
            else:
                todo_lists = [("Đơn vị chủ trì chưa báo cáo thực hiện", x["todo_names"])]
            for label, todo in todo_lists:
                if todo and len(todo) <= 10:
                    _bullet(doc, [f"{label}: " + "; ".join(text(n) for n in todo) + "."])
                elif todo:
                    _bullet(doc, [f"{label}: {vn_int(len(todo))} đơn vị (xem Phụ lục)."])
            _bullet(doc, [f"Cơ quan phối hợp: {text(t['task']['coordinator_text'])}"])
            _bullet(doc, [f"Số hoạt động: {vn_int(t['activities'])}."])
            products = "; ".join(f"{vn_int(p['count'])} {p['name']}" for p in x["products"]) or "chưa có"
            _bullet(doc, [f"Sản phẩm truyền thông: {products}."])
            if t["events"] or t["task"]["id"] == c["key_days_task"]:
                _bullet(doc, [f"Sự kiện đã tổ chức: {vn_int(len(t['events']))}; hưởng ứng các ngày trọng điểm:"])
                for k in x["key_days"]:
                    day = k["day"]["date"]
                    events = "; ".join(_event(e) for e in k["events"]) or "chưa có sự kiện"
                    _bullet(doc, [f"{text(k['day']['name'])} ({int(day[3:])}/{int(day[:2])}): {events}."], "+")
                if x["other_events"]:
                    _bullet(doc, ["Các sự kiện khác:"])
                    for e in x["other_events"]:
                        _bullet(doc, [f"{vn_date(e['event']['date'])}, {_event(e)}."], "+")
            for n in x["notes"]:
                _bullet(doc, [f"Ghi chú của {text(n['unit'])}: {text(n['text'])}"])


def _section_channels(doc: DocumentObject, c: dict[str, Any]) -> None:
    _heading(doc, c["headings"]["channels"])
    center, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
    heads = [Head("STT", center), Head("Phương thức", prose=True), Head("Số đơn vị sử dụng", right, True)]
    rows: list[list[Parts | str]] = [
        [str(x["c"]["id"]), text(x["c"]["text"]), vn_int(len(x["units"]))] for x in c["channels"]
    ]
    _fitted(doc, heads, rows, keep=2)
    _para(doc, [], after=0)
    if _landscape_now(doc):
        _orient(doc, landscape=False)


def _section_feedback(doc: DocumentObject, c: dict[str, Any]) -> None:
    _heading(doc, c["headings"]["feedback"])
    for key, title, none in (
        ("difficulties", c["headings"]["difficulties"], "khó khăn, vướng mắc"),
        ("proposals", c["headings"]["proposals"], "đề xuất, kiến nghị"),
    ):
        _heading(doc, title)
        items = [f for f in c["feedback"] if f[key]]
        for f in items:
            _para(doc, ["- ", Span(f"{text(f['unit'])}:", bold=True)], keep_next=True)
            for line in f[key]:
                _bullet(doc, [text(line)], "+")
        if not items:
            _para(doc, [f"Không có đơn vị nêu {none}."])
    budget = c.get("budget")
    if budget is not None:
        _heading(doc, c["headings"]["budget"])
        _para(doc, [budget["lead"]], keep_next=bool(budget["units"]))
        for part in budget["by_kind"]:
            _bullet(doc, [part["text"]])


def _closing(doc: DocumentObject, c: dict[str, Any]) -> None:
    _para(
        doc,
        [
            f"Trên đây là báo cáo kết quả thực hiện {text(c['info']['title'])} năm {c['y']}, "
            f"{text(c['compiler'])} kính báo cáo {text(c['document']['addressee'])} xem xét, chỉ đạo./."
        ],
    )
    _signature(doc, c["document"], c["document"]["recipients"])


def _signature(doc: DocumentObject, d: dict[str, Any], recipients: Sequence[str]) -> None:
    """ "Nơi nhận:" with its list, beside the signature block (authority, title, room, name)."""
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, [TEXT_W - 85, 85])
    left, right = table.rows[0].cells
    _row_flags(table.rows[0], header=False)
    _cell_para(left, [Span("Nơi nhận:", bold=True, italic=True)], 12, WD_ALIGN_PARAGRAPH.LEFT, True)
    left.paragraphs[0].paragraph_format.space_before = Pt(6)
    for i, name in enumerate(recipients):
        end = ";" if i < len(recipients) - 1 else ""
        _cell_para(left, [f"- {text(name)}{end}"], 11, WD_ALIGN_PARAGRAPH.LEFT, False)
    center = WD_ALIGN_PARAGRAPH.CENTER
    first = True
    if d["authority"]:
        _cell_para(right, [Span(text(d["authority"]), bold=True)], 14, center, first)
        first = False
    _cell_para(right, [Span(text(d["signer_title"]), bold=True)], 14, center, first)
    right.paragraphs[0].paragraph_format.space_before = Pt(6)
    for _ in range(5):  # room for the signature and the seal
        _cell_para(right, [], 14, center, False)
    _cell_para(right, [Span(text(d["signer_name"]) or "[Họ và tên]", bold=True)], 14, center, False)


def _annex(doc: DocumentObject, c: dict[str, Any]) -> None:
    if not _landscape_now(doc):
        _orient(doc, landscape=True)
    center, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
    title, _, subject = c["headings"]["annex"].partition(": ")
    _para(doc, [Span(title, bold=True)], 14, center, after=0)
    _para(doc, [Span(subject, bold=True)], 14, center, after=0)
    _para(
        doc,
        [
            Span(
                f"(Kèm theo Báo cáo số {text(c['number'])} ngày {vn_date(c['date'])} của {text(c['compiler'])})",
                italic=True,
            )
        ],
        13,
        center,
        after=8,
    )
    ratios = c["ratio_targets"]
    left = WD_ALIGN_PARAGRAPH.LEFT
    heads = [
        Head(
            t,
            left if t in ("Đơn vị", "Tình trạng") else center,
            prose=t == "Đơn vị",
        )
        for t in annex_heads(c)
    ]
    heads += [Head(text(t["label"]), right, prose=True) for t in ratios]
    heads += [Head(text(x["label"]), right, prose=True) for x in c["indicators"]]
    ids = [t["id"] for t in ratios]
    counted = [x["id"] for x in c["indicators"]]
    rows: list[list[Parts | str]] = []
    for i, row in enumerate(c["rows"], 1):
        name, *rest = annex_cells(row, ids, c["names"], counted, c["annex_plan"], c["annex_portal"])
        rows.append([str(i), text(name), *(x if isinstance(x, str) else _figure(x) for x in rest)])
    _fitted(doc, heads, rows, keep=2)


def build(result: YearResult, date: dt.date, number: str | None = None) -> DocumentObject:
    """The report as a python-docx Document (for callers that read it back)."""
    c = context(result, date, number)
    doc = Document()
    _styles(doc)
    section = doc.sections[0]
    _page(section, landscape=False)
    _page_number_header(section)
    if c["sample_notice"]:
        _para(doc, [Span(c["sample_notice"], bold=True)], 12, WD_ALIGN_PARAGRAPH.CENTER, after=8)
    _header(doc, c)
    _title(doc, c)
    _para(
        doc,
        [
            f"{text(c['basis'])}; căn cứ báo cáo của các cơ quan, đơn vị, "
            f"địa phương, {text(c['compiler'])} báo cáo kết quả thực hiện năm {c['y']} như sau:"
        ],
    )
    _section_reporting(doc, c)
    _section_targets(doc, c)
    _section_tasks(doc, c)
    _section_channels(doc, c)
    _section_feedback(doc, c)
    _closing(doc, c)
    _annex(doc, c)
    stamp_properties(doc, f"Báo cáo kết quả thực hiện {text(c['info']['number'])} năm {c['y']}", c["compiler"], date)
    return doc


def stamp_properties(doc: Any, title: str, author: Any, date: dt.date) -> None:
    """The document's title, author and dates, fixed by the report's date (same input, same bytes)."""
    props = doc.core_properties
    props.title = title
    props.author = text(author)
    props.last_modified_by = text(author)
    props.language = "vi-VN"
    stamp = dt.datetime(date.year, date.month, date.day)
    props.created = stamp
    props.modified = stamp
    props.revision = 1


def render(result: YearResult, date: dt.date, number: str | None = None) -> bytes:
    """The report as .docx bytes, identical for identical input (fixed times inside the zip)."""
    from plan57.base.zipfix import stable_zip

    raw = io.BytesIO()
    build(result, date, number).save(raw)
    return stable_zip(raw.getvalue())
