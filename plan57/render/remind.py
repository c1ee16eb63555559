"""`plan57 remind` (SPEC §10): the công văn đôn đốc (docx, the layout of the synthesis report's
header and signature, render/docx.py) and `nhac-viec.csv`, one row per unit to remind with its
contact and a message to paste into Zalo or an e-mail.

The rows come from api.reminders: each unit not reported, reported late or sent an invalid
report, with its registry name, state and contact (read from its own latest file). The contact
goes into the CSV only, never into the letter.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from plan57.base.history import as_text_formula, csv_text
from plan57.model.plan import Plan
from plan57.render.docx import (
    TEXT_W,
    Col,
    _grid,
    _header,
    _page,
    _page_number_header,
    _para,
    _signature,
    _styles,
    stamp_properties,
    text,
)
from plan57.render.markdown import vn_date
from plan57.render.view import _document

LETTER_FILE = "cong-van-don-doc.docx"
CSV_FILE = "nhac-viec.csv"
STATE_LABEL = {
    "missing": "Chưa gửi báo cáo",
    "late": "Gửi báo cáo muộn",
    "invalid": "Báo cáo có lỗi, chưa được tính",
}
CSV_HEADER = ("Mã đơn vị", "Tên đơn vị", "Tình trạng", "Người liên hệ", "Điện thoại", "Thư điện tử", "Lời nhắn")
LIST_IN_ADDRESS = 3  # up to this many units are named after "Kính gửi:", more are in the list below


def compiler_name(plan: Plan) -> str:
    unit = plan.unit_index.get(plan.reporting.compiler)
    return unit.name if unit is not None else ""


def plan_name(plan: Plan) -> str:
    return f"Kế hoạch số {plan.plan.number}"


def subject(plan: Plan, year: int) -> str:
    return f"V/v đôn đốc báo cáo kết quả thực hiện {plan_name(plan)} năm {year}"


def state_text(row: dict[str, Any]) -> str:
    if row["state"] == "late" and row.get("submitted"):
        return f"Gửi muộn, ngày {vn_date(row['submitted'])}"
    refused = row.get("refused")
    if row["state"] == "invalid" and refused and refused[0] is not None:
        return f"Biểu mẫu nhận ngày {vn_date(refused[0])} có lỗi, chưa được tính"
    return STATE_LABEL[row["state"]]


def message(plan: Plan, year: int, date: dt.date, row: dict[str, Any]) -> str:
    """The short text for Zalo or an e-mail, in the compiler's name."""
    deadline = vn_date(plan.unit_deadline(year))
    who = compiler_name(plan) or "Cơ quan tổng hợp"
    what = f"báo cáo kết quả thực hiện {plan_name(plan)} năm {year}"
    overdue = date >= plan.unit_deadline(year)
    if row["state"] == "invalid":
        refused = row.get("refused")
        errors = f" ({refused[1]})" if refused and refused[1] else ""
        return (
            f"{who} kính gửi {row['name']}: {what} của đơn vị có lỗi{errors} nên chưa được tính. Đề nghị đơn vị sửa "
            f"theo biểu mẫu phản hồi đã gửi và gửi lại {'sớm nhất có thể' if overdue else 'trước ngày ' + deadline}. "
            "Trân trọng cảm ơn."
        )
    if row["state"] == "late":
        return (
            f"{who} kính gửi {row['name']}: đã nhận {what} của đơn vị ngày {vn_date(row['submitted'])}, sau hạn "
            f"ngày {deadline}. Đề nghị đơn vị lưu ý gửi đúng hạn ở các kỳ sau. Trân trọng cảm ơn."
        )
    when = (
        f"đã quá hạn ngày {deadline}, đề nghị đơn vị gửi ngay"
        if overdue
        else f"đề nghị đơn vị gửi trước ngày {deadline}"
    )
    return f"{who} kính gửi {row['name']}: chưa nhận được {what} của đơn vị; {when}. Trân trọng cảm ơn."


def phone_cell(phone: str) -> str:
    """A phone Excel would read as a number (0912345678 → 912345678) is given as a text formula."""
    return as_text_formula(phone) if re.fullmatch(r"\+?\d+", phone) else phone


def reminders_csv(plan: Plan, year: int, date: dt.date, rows: list[dict[str, Any]]) -> bytes:
    """nhac-viec.csv: UTF-8 with a BOM and CRLF line ends, as Excel reads it."""
    body: list[list[object]] = []
    for row in rows:
        contact = row.get("contact") or {}
        body.append(
            [
                row["id"],
                row["name"],
                state_text(row),
                contact.get("name") or "",
                phone_cell(contact.get("phone") or ""),
                contact.get("email") or "",
                message(plan, year, date, row),
            ]
        )
    return csv_text(CSV_HEADER, body)


def letter(plan: Plan, year: int, date: dt.date, rows: list[dict[str, Any]], number: str | None = None) -> bytes:
    """The công văn đôn đốc as .docx bytes (identical for identical input)."""
    from plan57.base.zipfix import stable_zip

    raw = io.BytesIO()
    build(plan, year, date, rows, number).save(raw)
    return stable_zip(raw.getvalue())


def _symbol(plan: Plan, compiler: str) -> str:
    """A công văn's symbol: the report's without its document type ("BC-SVHTTDL" → "SVHTTDL")."""
    symbol = _document(plan, compiler).symbol
    kind, dash, rest = symbol.partition("-")
    return rest if dash and kind.isupper() and len(kind) <= 3 else symbol


def build(plan: Plan, year: int, date: dt.date, rows: list[dict[str, Any]], number: str | None = None) -> Any:
    compiler = compiler_name(plan)
    document = _document(plan, compiler).model_dump()
    shown = number.strip() if number else "…"
    if "/" not in shown:
        shown = f"{shown}/{_symbol(plan, compiler)}"
    c = {"document": document, "number": shown, "date": date}
    deadline = vn_date(plan.unit_deadline(year))
    synthesis = vn_date(plan.synthesis_deadline(year))
    doc = Document()
    _styles(doc)
    section = doc.sections[0]
    _page(section, landscape=False)
    _page_number_header(section)
    _header(doc, c, subject(plan, year))
    center = WD_ALIGN_PARAGRAPH.CENTER
    if len(rows) <= LIST_IN_ADDRESS:
        if len(rows) == 1:
            _para(doc, [f"Kính gửi: {text(rows[0]['name'])}."], 14, center, before=18, after=12)
        else:
            _para(doc, ["Kính gửi:"], 14, center, before=18, after=0)
            for i, row in enumerate(rows):
                end = "." if i == len(rows) - 1 else ";"
                _para(doc, [f"- {text(row['name'])}{end}"], 14, center, after=0)
            _para(doc, [], 14, after=6)
    else:
        _para(
            doc,
            ["Kính gửi: Các cơ quan, đơn vị, địa phương có tên trong danh sách dưới đây."],
            14,
            center,
            before=18,
            after=12,
        )
    who = text(compiler) or "Cơ quan tổng hợp"
    info = plan.plan
    _para(
        doc,
        [
            f"Thực hiện Quyết định số {text(info.number)} ngày {vn_date(info.date)} của {text(info.issuer)} ban "
            f"hành {text(info.title)}, các cơ quan, đơn vị, địa phương báo cáo kết quả thực hiện năm {year} "
            f"về {who} trước ngày {deadline} để tổng hợp, báo cáo trước ngày {synthesis}."
        ],
    )
    present = {r["state"] for r in rows}
    what = [
        phrase
        for state, phrase in (
            ("missing", "chưa nhận được báo cáo"),
            ("late", "nhận báo cáo gửi muộn"),
            ("invalid", "nhận báo cáo có lỗi chưa được tính"),
        )
        if state in present
    ]
    said = what[0] if len(what) == 1 else ", ".join(what[:-1]) + " hoặc " + what[-1]
    _para(doc, [f"Đến ngày {vn_date(date)}, {who} {said} của {len(rows)} cơ quan, đơn vị, địa phương sau:"])
    cols = [Col("STT", 14, center), Col("Cơ quan, đơn vị, địa phương", TEXT_W - 14 - 62), Col("Tình trạng", 62)]
    _grid(doc, cols, [[str(i), text(r["name"]), state_text(r)] for i, r in enumerate(rows, 1)], 12)
    overdue = date >= plan.unit_deadline(year)
    when = "trong thời gian sớm nhất" if overdue else f"trước ngày {deadline}"
    asks = [
        ask
        for state, ask in (
            ("missing", f"đơn vị chưa gửi báo cáo khẩn trương gửi báo cáo {when}"),
            ("invalid", f"đơn vị có báo cáo có lỗi sửa theo biểu mẫu phản hồi và gửi lại {when}"),
            ("late", "đơn vị gửi muộn lưu ý gửi đúng hạn ở các kỳ sau"),
        )
        if state in present
    ]
    _para(doc, [f"Để bảo đảm thời hạn tổng hợp, báo cáo, {who} đề nghị: " + "; ".join(asks) + "."], before=6)
    _para(doc, [f"{who} đề nghị các cơ quan, đơn vị, địa phương quan tâm thực hiện./."], keep_next=True)
    recipients = ["Như trên", *[r for r in document["recipients"] if r.startswith("Lưu")]]
    if len(recipients) == 1:
        recipients.append("Lưu: VT")
    _signature(doc, document, recipients)
    stamp_properties(doc, subject(plan, year), compiler, date)
    return doc
