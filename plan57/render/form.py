"""`plan57 new --format xlsx`: the Excel form a unit fills in, pre-filled from its file if any.

An instructions sheet, then one sheet filled top to bottom: STT, label, input, note. Every input
cell carries a defined name equal to its key path and Excel data validation; lists are Excel
tables; everything but the inputs is locked (sheet protection without a password).
"""

from __future__ import annotations

import datetime as dt
import io
import math
from typing import Any

from plan57.model.form import (
    GUIDE_SHEET,
    LISTS_SHEET,
    MAIN_SHEET,
    NO,
    NONE_SUFFIX,
    SIGN_SHEET,
    YES,
    FormField,
    Layout,
    TableSpec,
    audience_names,
    example_date,
    form_layout,
)
from plan57.model.plan import Plan

TABLE_ROOM = 10  # empty rows left in a table beyond what is pre-filled
_EVENTS = TableSpec("events", "", [])


def roman(n: int) -> str:
    """A section's number as the form's headings write it (1 → I, 17 → XVII, 49 → XLIX)."""
    out = ""
    for value, letters in _ROMAN_PARTS:
        count, n = divmod(n, value)
        out += letters * count
    return out


_ROMAN_PARTS: tuple[tuple[int, str], ...] = (
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
    (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
)  # fmt: skip


ROMAN = [roman(n) for n in range(1, 60)]
WIDTHS = {"A": 6, "B": 52, "C": 20, "D": 40, "E": 14}
INPUT_FILL = "FFF2CC"  # pale yellow: the cells a person types in
HEAD_FILL = "D9E1F2"
NUMBER_FORMAT = "#,##0"
DATE_NUMBER_FORMAT = "DD/MM/YYYY"


LINE_PT = 15.0  # one line of the form's 12 pt text
MAX_ROW_PT = 409.0  # Excel's highest row
DEFAULT_WIDTH = 8.43  # Excel's column width when none is set


def text_lines(text: str, width: float, size: float = 12.0) -> int:
    """The lines a text takes wrapped in a column `width` characters wide: about width × 1.1
    characters a line at 12 pt (more at a smaller font), each line break starting a line."""
    per_line = max(1, int(width * 1.1 * 12.0 / (size or 12.0)))
    return sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))


def fit_rows(ws: Any) -> None:
    """Each row as high as the wrapped text of its cells needs (never lower than it is, at most
    Excel's highest): a long text pre-filled or typed is read whole, not cut at the row's foot."""
    from openpyxl.utils.cell import get_column_letter

    def width(col: int) -> float:
        return float(ws.column_dimensions[get_column_letter(col)].width or DEFAULT_WIDTH)

    spans: dict[tuple[int, int], float] = {}
    hidden: set[tuple[int, int]] = set()
    for rng in ws.merged_cells.ranges:
        cells = {(r, c) for r in range(rng.min_row, rng.max_row + 1) for c in range(rng.min_col, rng.max_col + 1)}
        hidden |= cells
        if rng.min_row == rng.max_row:  # a heading or paragraph across columns wraps in their width
            spans[(rng.min_row, rng.min_col)] = sum(width(c) for c in range(rng.min_col, rng.max_col + 1))
            hidden.discard((rng.min_row, rng.min_col))
    for line in ws.iter_rows():
        need = 0.0
        for cell in line:
            value, at = cell.value, (cell.row, cell.column)
            if not isinstance(value, str) or not value or at in hidden or not cell.alignment.wrap_text:
                continue
            size = float(cell.font.sz or 12.0) if cell.font is not None else 12.0
            lines = text_lines(value, spans.get(at) or width(cell.column), size)
            need = max(need, lines * LINE_PT * size / 12.0)
        if not line or need <= LINE_PT:
            continue
        dim = ws.row_dimensions[line[0].row]
        if need > (dim.height or LINE_PT):
            dim.height = min(MAX_ROW_PT, math.ceil(need))


def _cell_value(kind: str, value: Any, plan: Plan) -> Any:
    """A value of the submission as the form shows it."""
    if value is None:
        return None
    if kind == "none":  # the tick of a list: set when the list is empty ([])
        return YES if value == [] else None
    if kind in ("bool", "channel"):
        if value is True:
            return YES
        if value is False:
            return NO
        return str(value)
    if kind == "audience":
        return audience_names(plan).get(value, value) if isinstance(value, str) else value
    if isinstance(value, (dict, list)):
        return None
    if isinstance(value, (str, int, float, dt.date)):
        return value
    return str(value)


FORMULA_STARTS = ("=", "+", "-", "@")  # what Excel would take for a formula when the cell is typed


def _texts_stay_texts(wb: Any) -> None:
    """Every text of the form a string cell, shown as typed: openpyxl writes a text beginning
    with '=' as a formula, and Excel would run '=WEBSERVICE(…)' taken from a unit's file."""
    for sheet in wb.worksheets:
        for line in sheet.iter_rows():
            for cell in line:
                value = cell.value
                if isinstance(value, str) and value.startswith(FORMULA_STARTS):
                    cell.data_type = "s"
                    cell.quotePrefix = True


def _sign(wb: Any, plan: Plan, unit_id: str, year: int) -> None:
    """A very hidden sheet: the unit, year and plan the form is made for, and their digest."""
    from plan57.loading.xlsx_form import form_digest, inputs_digest

    ws = wb.create_sheet(SIGN_SHEET)
    rows = (("unit", unit_id), ("year", str(year)), ("plan", plan.plan.number))
    for r, (key, value) in enumerate(rows, start=1):
        ws.cell(r, 1, key)
        ws.cell(r, 2, value).data_type = "s"
    ws.cell(4, 1, "digest")
    ws.cell(4, 2, form_digest(unit_id, year, plan.plan.number))
    ws.cell(5, 1, "inputs")
    ws.cell(5, 2, inputs_digest(wb, MAIN_SHEET))  # the input cells as written: an untouched form is no report
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True


def _get(data: dict[str, Any] | None, path: tuple[str, ...]) -> Any:
    node: Any = data
    if path[-1] == NONE_SUFFIX and len(path) >= 2:
        path = path[:-1]  # a list's tick shows the list itself
    if path[0] == "channels" and len(path) == 2:
        channels = (data or {}).get("channels")
        if isinstance(channels, list):
            return any(
                str(c) == path[1] for c in channels
            )  # Không for the others, so [] stays distinct from "not reported"
        return None
    for seg in path:
        if not isinstance(node, dict):
            return None
        node = node.get(seg)
    return node


def table_rows(spec: TableSpec, data: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The rows a table is pre-filled with."""
    data = data or {}
    if spec.name == "events":
        rows = []
        tasks = data.get("tasks")
        for tid, report in (tasks or {}).items() if isinstance(tasks, dict) else []:
            events = report.get("events") if isinstance(report, dict) else None
            for ev in events if isinstance(events, list) else []:
                if isinstance(ev, dict):
                    rows.append({"task": str(tid), **ev})
        return rows
    items = data.get(spec.name)
    if not isinstance(items, list):
        return []
    if spec.name in ("difficulties", "proposals"):
        return [{"text": v} for v in items]
    return [v for v in items if isinstance(v, dict)]


def _task_example(plan: Plan) -> str:
    """A task id of the plan to show as an example: the key days' task, else the first."""
    if plan.key_days_task:
        return plan.key_days_task
    return plan.tasks[0].id if plan.tasks else ""


def build_form(plan: Plan, unit_id: str, year: int, data: dict[str, Any] | None = None) -> bytes:
    """The xlsx bytes of a unit's form for a year, pre-filled from `data` when given."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.properties import PageSetupProperties
    from openpyxl.worksheet.table import Table, TableStyleInfo

    layout: Layout = form_layout(plan, unit_id, data, year)
    unit = plan.unit_index[unit_id]
    deadline = plan.unit_deadline(year).strftime("%d/%m/%Y")
    example = example_date(plan, year)  # every example date of the form is a day of its year
    wb = Workbook()
    guide = wb.active
    assert guide is not None
    guide.title = GUIDE_SHEET
    ws = wb.create_sheet(MAIN_SHEET)
    lists = wb.create_sheet(LISTS_SHEET)

    thin = Side(style="thin", color="808080")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    bold = Font(name="Times New Roman", size=12, bold=True)
    body = Font(name="Times New Roman", size=12)
    small = Font(name="Times New Roman", size=10, italic=True)
    input_fill = PatternFill("solid", fgColor=INPUT_FILL)
    head_fill = PatternFill("solid", fgColor=HEAD_FILL)
    unlocked = Protection(locked=False)

    # ---- lists for data validation (hidden sheet) ---------------------------------------
    audiences = list(audience_names(plan).values())
    # the events' task drop-down: the tasks of this unit's form (those it leads, and any its file holds)
    mine = {f.path[1] for f in layout.fields() if f.path[0] == "tasks" and len(f.path) >= 3}
    mine.update(str(r.get("task")) for r in table_rows(_EVENTS, data))
    task_ids = [t.id for t in plan.tasks if t.id in mine] or [t.id for t in plan.tasks]
    lists["A1"], lists["B1"], lists["C1"] = "Có/Không", "Đối tượng đào tạo", "Nhiệm vụ"
    for i, v in enumerate([YES, NO], start=2):
        lists.cell(i, 1, v)
    for i, v in enumerate(audiences, start=2):
        lists.cell(i, 2, v)
    for i, v in enumerate(task_ids, start=2):
        lists.cell(i, 3, v)
    lists.sheet_state = "hidden"
    lists.protection.sheet = True
    q = f"'{LISTS_SHEET}'"
    dv_yes = DataValidation(type="list", formula1=f"{q}!$A$2:$A$3", allow_blank=True)
    dv_aud = DataValidation(type="list", formula1=f"{q}!$B$2:$B${len(audiences) + 1}", allow_blank=True)
    dv_task = DataValidation(type="list", formula1=f"{q}!$C$2:$C${len(task_ids) + 1}", allow_blank=True)
    dv_int = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    dv_date = DataValidation(
        type="date", operator="between", formula1="DATE(2000,1,1)", formula2="DATE(2100,12,31)", allow_blank=True
    )
    for dv, msg in (
        (dv_yes, f"Chọn {YES} hoặc {NO} trong danh sách."),
        (dv_aud, "Chọn đối tượng trong danh sách."),
        (dv_task, f"Chọn mã nhiệm vụ của kế hoạch{plan.section_ref('tasks')}, ví dụ {_task_example(plan)}."),
        (dv_int, "Ghi số nguyên ≥ 0, gõ liền các chữ số, ví dụ 12500."),
        (dv_date, f"Ghi ngày dạng ngày/tháng/năm, ví dụ {example}."),
    ):
        dv.showErrorMessage = True
        dv.errorTitle = "Giá trị không hợp lệ"
        dv.error = msg
        dv.showInputMessage = True
        dv.prompt = msg
        ws.add_data_validation(dv)
    by_kind = {
        "bool": dv_yes,
        "channel": dv_yes,
        "none": dv_yes,
        "audience": dv_aud,
        "task": dv_task,
        "int": dv_int,
        "date": dv_date,
    }

    def style_input(cell: Any, kind: str, locked: bool = False) -> None:
        cell.border = box
        cell.font = body
        cell.alignment = wrap
        if not locked:
            cell.fill = input_fill
            cell.protection = unlocked
        if kind in ("int",):
            cell.number_format = NUMBER_FORMAT
        elif kind == "date":
            cell.number_format = DATE_NUMBER_FORMAT
        elif kind in ("text", "unit", "phone"):
            cell.number_format = "@"
        dv = by_kind.get(kind)
        if dv is not None and not locked:
            dv.add(cell.coordinate)

    def name(key: str, coordinate: str) -> None:
        col, row = coordinate.rstrip("0123456789"), coordinate[len(coordinate.rstrip("0123456789")) :]
        wb.defined_names[key] = DefinedName(key, attr_text=f"'{MAIN_SHEET}'!${col}${row}")

    # ---- the form ------------------------------------------------------------------------
    for col, width in WIDTHS.items():
        ws.column_dimensions[col].width = width
    ws.merge_cells("A1:E1")
    ws["A1"] = f"BÁO CÁO KẾT QUẢ THỰC HIỆN KẾ HOẠCH SỐ {plan.plan.number} NĂM {year}"
    ws["A1"].font = Font(name="Times New Roman", size=14, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[1].height = 36
    ws.merge_cells("A2:E2")
    ws["A2"] = f"Đơn vị báo cáo: {unit.name}"
    ws["A2"].font = bold
    ws["A2"].alignment = Alignment(horizontal="center")
    ws.merge_cells("A3:E3")
    ws["A3"] = (
        f"Gửi {plan.compiler_name} trước ngày {deadline}. Chỉ ghi vào các ô màu vàng; "
        "xem cách ghi ở cột Ghi chú và ở trang Hướng dẫn."
    )
    ws["A3"].font = small
    ws["A3"].alignment = Alignment(horizontal="center", wrap_text=True)
    ws.row_dimensions[3].height = 30
    row = 5
    for col, text in zip("ABCD", ("STT", "Nội dung báo cáo", "Số liệu", "Ghi chú (chỉ tiêu, cách ghi)")):
        c = ws[f"{col}{row}"]
        c.value = text
        c.font = bold
        c.fill = head_fill
        c.border = box
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    header_row = row
    row += 1
    numbering = 0

    def heading(title: str) -> None:
        nonlocal row, numbering
        ws.cell(row, 1, ROMAN[numbering]).font = bold
        numbering += 1
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=5)
        c = ws.cell(row, 2, title)
        c.font = bold
        c.alignment = Alignment(wrap_text=True, vertical="center")
        for col in range(1, 6):
            ws.cell(row, col).fill = head_fill
            ws.cell(row, col).border = box
        ws.row_dimensions[row].height = 20 if len(title) < 70 else 36
        row += 1

    def paragraph(text: str) -> None:
        nonlocal row
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=5)
        c = ws.cell(row, 2, text)
        c.font = small
        c.alignment = wrap
        ws.row_dimensions[row].height = 15 * (1 + len(text) // 110)
        row += 1

    def field_row(n: int, f: FormField) -> None:
        nonlocal row
        ws.cell(row, 1, n).alignment = Alignment(horizontal="center", vertical="top")
        ws.cell(row, 1).border = box
        lab = ws.cell(row, 2, f.label)
        lab.font, lab.alignment, lab.border = body, wrap, box
        value = _cell_value(f.kind, _get(data, f.path), plan)
        if f.kind == "unit":
            value = unit_id
        elif f.kind == "year":
            value = year
        cell = ws.cell(row, 3, value)
        style_input(cell, f.kind, f.locked)
        note = ws.cell(row, 4, f.note)
        note.font, note.alignment, note.border = small, wrap, box
        typed = len(value) // 20 if isinstance(value, str) else 0  # a pre-filled text wraps in its narrow column
        lines = max(len(f.label) // 58, len(f.note) // 60, typed) + 1  # at least; fit_rows measures the rest
        if lines > 1:
            ws.row_dimensions[row].height = min(MAX_ROW_PT, LINE_PT * lines)
        name(f.name, cell.coordinate)
        row += 1

    for section in layout.sections:
        heading(section.title)
        if section.text:
            paragraph(section.text)
        for n, f in enumerate(section.fields, start=1):
            field_row(n, f)

    # ---- tables --------------------------------------------------------------------------
    for spec in layout.tables:
        row += 1
        heading(spec.title)
        if spec.note:
            paragraph(spec.note)
        if spec.none is not None:
            field_row(0, spec.none)
            ws.cell(row - 1, 1).value = None
        first_col = 2
        for j, column in enumerate(spec.columns):
            c = ws.cell(row, first_col + j, column.header)
            c.font, c.fill, c.border = bold, head_fill, box
            c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        top = row
        rows = table_rows(spec, data)
        for i in range(len(rows) + TABLE_ROOM):
            row += 1
            item = rows[i] if i < len(rows) else {}
            ws.cell(row, 1, i + 1).alignment = Alignment(horizontal="center", vertical="top")
            for j, column in enumerate(spec.columns):
                cell = ws.cell(row, first_col + j, _cell_value(column.kind, item.get(column.key), plan))
                style_input(cell, column.kind)
        last_col = ws.cell(top, first_col + len(spec.columns) - 1).column_letter
        table = Table(displayName=spec.name, ref=f"B{top}:{last_col}{row}")
        table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=False)
        ws.add_table(table)
        row += 1

    last = row
    ws.print_area = f"A1:E{last}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "Trang &P/&N"
    ws.freeze_panes = f"A{header_row + 1}"
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False

    # ---- instructions --------------------------------------------------------------------
    guide.column_dimensions["A"].width = 78  # with half-inch margins, fits an A4 page's width
    lines = [
        (f"HƯỚNG DẪN GHI BIỂU MẪU BÁO CÁO NĂM {year}", bold),
        (f"Kế hoạch số {plan.plan.number}: {plan.plan.title}", body),
        (f"Đơn vị: {unit.name} (mã {unit_id}).", body),
        (f"Hạn gửi: trước ngày {deadline}, gửi {plan.compiler_name}.", body),
        ("", body),
        (f"1. Ghi số liệu vào các ô màu vàng của trang '{MAIN_SHEET}', lần lượt từ trên xuống.", body),
        ("2. Số: số nguyên ≥ 0, gõ liền các chữ số, không dùng dấu chấm hay dấu cách (ví dụ 12500).", body),
        (f"3. Ngày: dạng ngày/tháng/năm (ví dụ {example}).", body),
        (f"4. Câu hỏi có/không: chọn {YES} hoặc {NO} trong danh sách của ô.", body),
        ("5. Ô để trống nghĩa là chưa báo cáo (không phải số 0): chỉ để trống khi không có số liệu.", body),
        (
            "6. Các danh sách (đào tạo, sự kiện, khó khăn, đề xuất): mỗi mục một dòng trong bảng; "
            "dòng trống được bỏ qua.",
            body,
        ),
        (
            f"7. Không có mục nào trong một danh sách (ví dụ không có khó khăn nào): chọn {YES} ở ô "
            "'Đơn vị không có …' ngay dưới tiêu đề bảng và để trống bảng; với sự kiện, chọn ở ô "
            "'Nhiệm vụ … không tổ chức sự kiện nào' trong phần của nhiệm vụ. Bảng trống mà ô này cũng "
            "trống nghĩa là chưa báo cáo; đã có dòng trong bảng thì để trống ô này. (Tên các ô này: "
            "training.none, difficulties.none, proposals.none, tasks.<mã nhiệm vụ>.events.none.)",
            body,
        ),
        ("8. Ghi ngày gửi báo cáo khi gửi; để trống ngày gửi thì báo cáo được coi là bản nháp.", body),
        (
            "9. Không sửa nhãn, không thêm hay xóa cột, không đổi tên trang; các ô khác đã được khóa để "
            "giữ nguyên biểu mẫu.",
            body,
        ),
        ("10. Lưu tệp dưới dạng Excel (.xlsx), giữ nguyên tên tệp, rồi gửi lại.", body),
    ]
    for i, (text, font) in enumerate(lines, start=1):
        c = guide.cell(i, 1, text)
        c.font = font
        c.alignment = Alignment(wrap_text=True, vertical="top")
        guide.row_dimensions[i].height = 16 * (1 + len(text) // 72)
    fit_rows(ws)
    fit_rows(guide)
    guide.print_area = f"A1:A{len(lines)}"
    guide.page_setup.paperSize = guide.PAPERSIZE_A4
    guide.page_margins.left = guide.page_margins.right = 0.5
    guide.page_setup.fitToWidth = 1  # the wide column fits the page: no line is cut at its right
    guide.page_setup.fitToHeight = 0
    guide.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    guide.protection.sheet = True
    wb.active = 1
    _sign(wb, plan, unit_id, year)
    _texts_stay_texts(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
