"""The feedback workbook (SPEC §10): a unit's own filled form sent back with every typed value
kept, each cell in error filled red with a comment saying what to type, and a first sheet
"Lỗi cần sửa" listing every problem with a link to its cell.

The workbook is the unit's file loaded as it came (never rebuilt from the template): its defined
names, tables, data validation, hidden sheets and protection are left as they are; only styles,
comments, row heights and the list sheet are added, none of which the form's reader looks at."""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Sequence
from typing import Any

from plan57.base.diagnostics import SEVERITY_LABEL, Diagnostic
from plan57.model.form import MAIN_SHEET
from plan57.render.form import INPUT_FILL, fit_rows

FEEDBACK_SHEET = "Lỗi cần sửa"
FEEDBACK_FOLDER = "phan-hoi"  # forms/Y/phan-hoi/UNIT.xlsx
AUTHOR = "plan57"
ERROR_FILL = "FFC7CE"  # Excel's own "bad" red
ERROR_FONT = "9C0006"
WARNING_FILL = "FFEB9C"  # a cell with a warning only: amber, not red
WARNING_FONT = "9C5700"
WIDTHS = {"A": 6, "B": 18, "C": 11, "D": 90}
WHOLE_FORM = "(cả biểu mẫu)"


def instruction(sheet: str) -> str:
    return (
        f"Sửa các ô tô đỏ ở trang {sheet}, lưu tệp (giữ dạng .xlsx) rồi gửi lại tệp này cho nơi đã gửi nó "
        "cho đơn vị. Bấm vào địa chỉ ô ở cột «Ô» để tới ô cần sửa; ghi chú ở mỗi ô đỏ nói cần gõ gì. "
        "Không gõ lại, không xoá hay chép trang nào khác: các số liệu khác đã được giữ nguyên."
    )


def feedback_workbook(raw: bytes, diagnostics: Sequence[Diagnostic]) -> bytes:
    """The xlsx bytes of the feedback workbook for a form's bytes `raw` and its diagnostics."""
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # extensions openpyxl does not know (LibreOffice's)
        wb = openpyxl.load_workbook(io.BytesIO(raw), keep_links=False, keep_vba=False)
    if FEEDBACK_SHEET in wb.sheetnames:  # the feedback of an earlier import, sent back again
        del wb[FEEDBACK_SHEET]
    ordered = [d for d in diagnostics if d.is_error] + [d for d in diagnostics if not d.is_error]
    marked = _mark_cells(wb, ordered)
    form_sheet = next((d.sheet for d in ordered if d.sheet in wb.sheetnames), None) or MAIN_SHEET
    _list_sheet(wb, ordered, marked, form_sheet)
    if form_sheet in wb.sheetnames:
        fit_rows(wb[form_sheet])  # the clerk's long texts shown whole, as the form shows pre-filled ones
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _target(wb: Any, d: Diagnostic) -> tuple[Any, int, int] | None:
    """(sheet, row, column) of the cell a diagnostic is at: the first cell of a merged range."""
    if d.sheet is None or d.line < 1 or d.sheet not in wb.sheetnames:
        return None
    ws = wb[d.sheet]
    row, col = d.line, max(d.col, 1)
    for rng in ws.merged_cells.ranges:
        if rng.min_row <= row <= rng.max_row and rng.min_col <= col <= rng.max_col:
            return ws, rng.min_row, rng.min_col
    return ws, row, col


def _mark_cells(wb: Any, ordered: Sequence[Diagnostic]) -> set[int]:
    """Each cell in error filled red (amber for a warning alone) with one comment of all its
    problems; the marks of an earlier feedback on cells now right are taken off. Returns the
    indexes (in `ordered`) of the diagnostics whose cell was marked."""
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    for ws in wb.worksheets:  # an earlier round's marks: a corrected cell is no longer red
        for row in ws.iter_rows():
            for cell in row:
                comment = cell.comment
                if comment is not None and comment.author == AUTHOR:
                    cell.comment = None
                    unlocked = cell.protection is not None and cell.protection.locked is False
                    cell.fill = PatternFill("solid", fgColor=INPUT_FILL) if unlocked else PatternFill()
                    cell.font = _coloured(cell.font, None)
    cells: dict[tuple[str, int, int], list[Diagnostic]] = {}
    marked: set[int] = set()
    for i, d in enumerate(ordered):
        found = _target(wb, d)
        if found is None:
            continue
        ws, row, col = found
        cells.setdefault((ws.title, row, col), []).append(d)
        marked.add(i)
    for (title, row, col), here in cells.items():
        cell = wb[title].cell(row, col)
        error = any(d.is_error for d in here)
        cell.fill = PatternFill("solid", fgColor=ERROR_FILL if error else WARNING_FILL)
        cell.font = _coloured(cell.font, ERROR_FONT if error else WARNING_FONT)
        lines = [f"{SEVERITY_LABEL[d.severity].capitalize()}: {d.message}" for d in here]
        text = "\n".join(lines)
        width = 320  # pixels: about 50 characters a line at the comment's font
        height = 20 + 16 * sum(math.ceil(len(line) / 48) or 1 for line in lines)
        cell.comment = Comment(text, AUTHOR, width=width, height=height)
    return marked


def _list_sheet(wb: Any, ordered: Sequence[Diagnostic], marked: set[int], form_sheet: str) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.worksheet.hyperlink import Hyperlink
    from openpyxl.worksheet.properties import PageSetupProperties

    ws = wb.create_sheet(FEEDBACK_SHEET, 0)
    for other in wb.worksheets:  # one selected tab: several would be a group, edited together
        other.sheet_view.tabSelected = False
    ws.sheet_view.tabSelected = True
    wb.active = 0
    thin = Side(style="thin", color="808080")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    body = Font(name="Times New Roman", size=12)
    bold = Font(name="Times New Roman", size=12, bold=True)
    for letter, width in WIDTHS.items():
        ws.column_dimensions[letter].width = width
    errors = sum(1 for d in ordered if d.is_error)
    warns = len(ordered) - errors
    ws["A1"] = "LỖI CẦN SỬA TRONG BIỂU MẪU"
    ws["A1"].font = Font(name="Times New Roman", size=14, bold=True)
    ws.merge_cells("A1:D1")
    ws["A2"] = instruction(form_sheet)
    ws["A2"].font = body
    ws["A2"].alignment = wrap
    ws.merge_cells("A2:D2")
    ws.row_dimensions[2].height = 66
    counts = f"{errors} lỗi" + (f", {warns} cảnh báo (nên xem lại, không bắt buộc sửa)" if warns else "")
    ws["A3"] = f"Biểu mẫu có {counts}."
    ws["A3"].font = bold
    ws.merge_cells("A3:D3")
    head = 5
    head_fill = PatternFill("solid", fgColor="D9E1F2")
    for col, text in enumerate(("STT", "Ô", "Mức", "Nội dung"), start=1):
        cell = ws.cell(head, col, text)
        cell.font, cell.border, cell.alignment, cell.fill = bold, box, wrap, head_fill
    link_font = Font(name="Times New Roman", size=12, color="0563C1", underline="single")
    for n, d in enumerate(ordered, start=1):
        row = head + n
        found = _target(wb, d) if n - 1 in marked else None
        where = WHOLE_FORM
        if found is not None:
            sheet, r, c = found
            ref = f"{_column(c)}{r}"
            where = f"{sheet.title}!{ref}"
        values: tuple[Any, ...] = (n, where, SEVERITY_LABEL[d.severity], d.message)
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row, col, value)
            cell.font, cell.border, cell.alignment = body, box, wrap
        mark = ws.cell(row, 3)
        if d.is_error:
            mark.font = Font(name="Times New Roman", size=12, bold=True, color=ERROR_FONT)
        if found is not None:
            sheet, r, c = found
            place = ws.cell(row, 2)
            quoted = sheet.title.replace("'", "''")
            place.hyperlink = Hyperlink(ref=place.coordinate, location=f"'{quoted}'!{_column(c)}{r}", display=where)
            place.font = link_font
        ws.row_dimensions[row].height = 16 * max(1, math.ceil(len(d.message) / 95))
    ws.freeze_panes = ws.cell(head + 1, 1)
    ws.protection.sheet = True  # like the form's other sheets: no password
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.print_options.gridLines = False
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)


def _coloured(font: Any, color: str | None) -> Any:
    """The cell's own font (name, size, bold …) in another colour."""
    from copy import copy

    out = copy(font)
    out.color = color
    return out


def _column(col: int) -> str:
    from plan57.base.diagnostics import column_letter

    return column_letter(col)
