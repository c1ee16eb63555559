"""The annex for those who work on the numbers: an Excel workbook (SPEC §8).

Sheets: the per-unit annex (one row per registry unit), the targets table, and each target's
history. Numbers are numbers and dates are dates in their cells (shares carry a percent format),
never text, so the statistics office can filter, sum and chart them. Every figure comes from the
report view; this module only places it.
"""

from __future__ import annotations

import datetime as dt
import io
from fractions import Fraction
from typing import Any

from plan57.base.numbers import percent_cell
from plan57.render.view import annex_cells, context
from plan57.scoring.score import YearResult

_PCT = "0.0%"
_INT = "#,##0"
_DATE = "DD/MM/YYYY"
_KIND = {
    "so": "Sở và tương đương",
    "ban": "Ban, ngành tỉnh",
    "bao_chi": "Cơ quan báo chí",
    "truong": "Trường đại học, cao đẳng",
    "xa": "Xã",
    "phuong": "Phường",
}


def _number(value: Any) -> Any:
    """A share as itself (`_sheet` writes it as the report shows it); a yes/no as Có/Không;
    nothing as an empty cell."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "Có" if value else "Không"
    return value


def _yes(value: bool | None) -> str | None:
    return None if value is None else ("Có" if value else "Không")


def _sheet(wb: Any, title: str, heads: list[tuple[str, int, str | None]], rows: list[list[Any]]) -> Any:
    """A sheet with a bold, frozen, filterable header row; `heads` are (text, width, number format)."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    ws.append([x for x, _, _ in heads])
    shares = [i for i, (_, _, fmt) in enumerate(heads) if fmt == _PCT]
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="F2F4F7")
    for i, (_, width, _) in enumerate(heads, 1):
        cell = ws.cell(row=1, column=i)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(i)].width = width
    # the header row tall enough for its longest wrapped heading: Excel and LibreOffice keep a row's
    # default height for a file written by a program, and a heading would run over the first row
    lines = max(-(-len(text) * 11 // (10 * max(width - 1, 1))) for text, width, _ in heads)
    ws.row_dimensions[1].height = 15 * max(lines, 1) + 3
    formats: list[tuple[int, int, str]] = []
    for r, row in enumerate(rows, 2):
        for i in shares:  # a share as the report shows it: rounded down, in the report's format
            if isinstance(row[i], Fraction):
                row[i], shown = percent_cell(row[i])
                formats.append((r, i + 1, shown))
        ws.append(row)
    for i, (_, _, fmt) in enumerate(heads, 1):
        if fmt and fmt != _PCT:
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = fmt
    for r, i, fmt in formats:
        ws.cell(row=r, column=i).number_format = fmt
    # printed: A4 landscape, as wide as the page, the header row on every page
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = "1:1"
    ws.freeze_panes = "C2" if title.startswith("Phụ lục") else "A2"
    ws.auto_filter.ref = ws.dimensions
    return ws


def render(result: YearResult, date: dt.date, number: str | None = None) -> bytes:
    """The workbook as .xlsx bytes, identical for identical input."""
    from openpyxl import Workbook

    c = context(result, date, None)
    y = c["y"]
    wb = Workbook()
    wb.remove(wb.worksheets[0])  # the default empty sheet
    created = dt.datetime.combine(date, dt.time(8, 0))
    wb.properties.created = wb.properties.modified = created  # same input, same workbook
    wb.properties.title = f"Phụ lục số liệu thực hiện Kế hoạch {c['info']['number']} năm {y}"
    wb.properties.creator = c["compiler"]

    # the annex: one row per unit
    ratio_targets = c["ratio_targets"]
    heads: list[tuple[str, int, str | None]] = [
        ("STT", 5, None),
        ("Mã đơn vị", 22, None),
        ("Đơn vị", 38, None),
        ("Khối", 22, None),
        ("Tình trạng báo cáo", 14, None),
        ("Ngày gửi", 12, _DATE),
        ("Đúng hạn", 10, None),
        ("Đã ban hành kế hoạch", 12, None),
        ("Có chuyên mục NQ57", 12, None),
        ("Số tin, bài trên chuyên mục", 12, _INT),
    ]
    for t in ratio_targets:
        heads += [
            (f"{t['label']} ({t['id']}): tử số", 14, _INT),
            (f"{t['label']} ({t['id']}): mẫu số", 14, _INT),
            (f"{t['label']} ({t['id']}): tỷ lệ", 12, _PCT),
        ]
    has_budget = any("budget_vnd" in row for row in c["rows"])
    if has_budget:
        heads.append(("Kinh phí (đồng)", 16, _INT))
    rows = []
    ids = [t["id"] for t in ratio_targets]
    for i, row in enumerate(c["rows"], 1):
        state = row["state"]
        name, state_text, _, plan_text, portal_text, *_ = annex_cells(row, ids, c["names"])
        cells: list[Any] = [
            i,
            row["unit"]["id"],
            name,
            _KIND.get(row["unit"]["kind"], row["unit"]["kind"]),
            state_text,
            row["submitted"],
            _yes(state == "on_time") if state in ("on_time", "late") else None,
            None if row["plan_issued"] is None else plan_text,
            None if row["portal_section"] is None else portal_text,
            row["portal_posts"],
        ]
        for t in ratio_targets:
            pair = row["ratios"].get(t["id"])
            if pair:
                num, den = pair
                cells += [num, den, Fraction(num, den) if den else None]
            else:
                cells += [None, None, None]
        if has_budget:
            cells.append(row.get("budget_vnd"))
        rows.append(cells)
    _sheet(wb, f"Phụ lục {y}", heads, rows)

    # the targets table: year Y's figures as the report shows them, then the verdict and, for a
    # milestone of an earlier year, the figures of that year it was judged on
    heads = [
        ("Mã chỉ tiêu", 20, None),
        ("Chỉ tiêu", 44, None),
        ("Năm phải đạt", 10, None),
        ("Ngưỡng", 10, _PCT),
        (f"Giá trị năm {y - 1}", 12, _PCT),
        (f"Tử số năm {y}", 12, _INT),
        (f"Mẫu số năm {y}", 12, _INT),
        (f"Giá trị năm {y}", 12, _PCT),
        (f"Độ phủ năm {y}", 10, _PCT),
        (f"Cần đạt năm {y}", 12, _PCT),
        ("Đánh giá", 24, None),
        ("Năm của số liệu đánh giá", 12, None),
        ("Tử số", 12, _INT),
        ("Mẫu số", 12, _INT),
        ("Giá trị", 12, _PCT),
        ("Độ phủ", 10, _PCT),
    ]
    rows = []
    for row in c["target_rows"]:
        t, now, prev = row["r"], row["this_year"], row["previous"]
        rows.append(
            [
                t["target"]["id"],
                t["target"]["label"],
                t["target"]["year"],
                _number(t["threshold"]),
                _number(prev["value"]) if prev else None,
                now["numerator"],
                now["denominator"],
                _number(now["value"]),
                _number(now["coverage"]),
                _number(t["required"]),
                row["shown"]["verdict"],
                t.get("judged_year") or y,
                t["numerator"],
                t["denominator"],
                _number(t["value"]),
                _number(t["coverage"]),
            ]
        )
    _sheet(wb, "Chỉ tiêu", heads, rows)

    # each target's history, one row per (target, year): ready for a pivot table or a chart
    heads = [
        ("Mã chỉ tiêu", 20, None),
        ("Chỉ tiêu", 44, None),
        ("Năm", 8, None),
        ("Tử số", 12, _INT),
        ("Mẫu số", 12, _INT),
        ("Giá trị", 12, _PCT),
        ("Độ phủ", 10, _PCT),
        ("Đánh giá năm đó", 16, None),
    ]
    rows = []
    for t in c["targets"]:
        for p in t.get("history") or []:
            rows.append(
                [
                    t["target"]["id"],
                    t["target"]["label"],
                    p["year"],
                    p.get("numerator"),
                    p.get("denominator"),
                    _number(p.get("value")),
                    _number(p.get("coverage")),
                    p.get("status_label"),
                ]
            )
    _sheet(wb, "Xu hướng", heads, rows)

    notes = wb.create_sheet("Ghi chú")
    notes.column_dimensions["A"].width = 110
    lines = [
        wb.properties.title,
        f"{c['compiler']} — số liệu tổng hợp đến ngày {date.strftime('%d/%m/%Y')}.",
        "Tỷ lệ và độ phủ là số (định dạng phần trăm); ngày gửi là ngày; ô trống là đơn vị chưa báo cáo số liệu đó.",
        "“Độ phủ”: tỷ lệ đơn vị thuộc diện áp dụng đã báo cáo số liệu của chỉ tiêu.",
    ]
    if c["sample_notice"]:
        lines.insert(0, c["sample_notice"])
    lines += ["", c["headings"]["reporting"], *(f"- {x}" for x in c["reporting_lines"])]
    for group in c["reporting_lists"]:
        lines += [group["title"], *(f"- {x}." for x in group["entries"])]
    lines += ["", f"{c['headings']['annex']}: trang tính “Phụ lục {y}”."]
    for line in lines:
        notes.append([line])
    if c["sample_notice"]:
        wb.move_sheet(notes, offset=-len(wb.sheetnames) + 1)  # the notice is the first thing seen
        wb.active = 0
    import zipfile

    from openpyxl.writer.excel import ExcelWriter

    from plan57.base.zipfix import FixedTimeZip

    # not `wb.save`, which dates the workbook and its zip entries with the clock's time
    buf = io.BytesIO()
    ExcelWriter(wb, FixedTimeZip(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True)).save()
    return buf.getvalue()
