"""Read a filled Excel form back into submission data, every value located at its cell.

The workbook is checked before openpyxl sees it (kind of file, macros, password, external links,
the zip's uncompressed sizes), so a hostile file costs bounded time and memory. Cells are found
by the form's defined names (key paths) and tables, never by coordinates. The result is a
`Document` whose locations are (row, column) on the form's sheet, so the validation layer
checks it by the same rules as a YAML file.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from plan57.base.diagnostics import Diagnostic, column_letter
from plan57.base.errors import os_message
from plan57.loading.yamlsafe import Document, Loc, vn_int
from plan57.model.form import (
    LEAD_FIELD,
    NO,
    SIGN_SALT,
    SIGN_SHEET,
    TABLE_LABEL,
    YES,
    FormField,
    Kind,
    audience_names,
    excel_name,
    form_layout,
    key_order,
    message_label,
)
from plan57.model.plan import Plan

DEFAULT_FORM_MAX_SIZE = 5 * 1024 * 1024  # a form is ~20 KB; a few photos pasted in still fit
MAX_UNCOMPRESSED = 40 * 1024 * 1024  # all parts of the workbook, unpacked
MAX_SHEET_XML = 8 * 1024 * 1024  # one sheet's XML, unpacked (~200,000 cells)
MAX_PART = 8 * 1024 * 1024  # any other single part unpacked (styles, shared strings …); a form's are < 100 KB
MAX_PARTS = 2000
MAX_ROWS, MAX_COLS = 20_000, 200

YES_WORDS = {"có", "co", "x", "yes", "true", "đúng"}
NO_WORDS = {"không", "khong", "no", "false", "sai"}
_TEXT_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


def form_digest(unit: str, year: int | str, plan_id: str) -> str:
    """The signature of a form made for a unit, year and plan: written by `new`, checked by import."""
    import hashlib

    return hashlib.sha256(f"{unit}\n{year}\n{plan_id}\n{SIGN_SALT}".encode()).hexdigest()


def _same(value: Any) -> str:
    """A cell's value as the untouched-form digest compares it, however the workbook stored it."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return _nfc(value)
    return str(value)


def inputs_digest(wb: Any, sheet_name: str) -> str:
    """A digest of the values of a form's input cells (its named cells and its tables' rows)."""
    import hashlib

    from openpyxl.utils.cell import range_boundaries

    ws = wb[sheet_name]
    cells: set[tuple[int, int]] = set()
    for name in wb.defined_names:
        dest = _destination(wb, name)
        if dest is not None and dest[0] == sheet_name:
            cells.add((dest[1], dest[2]))
    for tbl in ws.tables.values():
        min_col, min_row, max_col, max_row = (int(b or 1) for b in range_boundaries(tbl.ref))
        cells.update((r, c) for r in range(min_row + 1, max_row + 1) for c in range(min_col, max_col + 1))
    text = "\n".join(f"{r},{c}={_same(ws.cell(r, c).value)}" for r, c in sorted(cells))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class FormError(Exception):
    """The workbook cannot be read as a form; carries its diagnostics."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__(diagnostics[0].message if diagnostics else "")
        self.diagnostics = diagnostics


@dataclass
class FormRead:
    """A form's data and where each value stands (row, column on `sheet`)."""

    doc: Document
    sheet: str
    cells: dict[tuple[Any, ...], str] = field(default_factory=dict)  # key path → 'Báo cáo!C14'
    problems: list[Diagnostic] = field(default_factory=list)  # found while reading cells
    untouched: bool = False  # no input cell changed from what `new` wrote
    labels: dict[str, str] = field(default_factory=dict)  # key path → what a message calls its cell
    signed: tuple[str, int] | None = None  # the unit and year the form was made for, its signature intact


def _whole(display: str, code: str, message: str) -> FormError:
    return FormError([Diagnostic(display, 0, 0, "error", code, message)])


def read_raw(path: Path, display: str, max_size: int = DEFAULT_FORM_MAX_SIZE) -> bytes:
    try:
        with open(path, "rb") as fh:
            size = fh.seek(0, 2)
            if size > max_size:
                raise _whole(
                    display,
                    "too-large",
                    f"tệp quá lớn ({vn_int(size)} byte, giới hạn {vn_int(max_size)} byte; đổi bằng --max-size)",
                )
            fh.seek(0)
            return fh.read(max_size + 1)
    except OSError as exc:
        raise _whole(display, "unreadable", f"không đọc được tệp ({os_message(exc)})") from None


def check_container(raw: bytes, display: str, suffix: str) -> None:
    """Refuse, with one clear line, what is not a plain .xlsx workbook of bounded size."""
    suffix = suffix.lower()
    if raw.startswith(_OLE_MAGIC):
        if _ENCRYPTED in raw:
            raise _whole(
                display,
                "form-password",
                "tệp được đặt mật khẩu nên không đọc được: hãy mở bằng Excel, gỡ mật khẩu "
                "(Tệp → Thông tin → Bảo vệ sổ làm việc) rồi lưu lại dạng .xlsx",
            )
        raise _whole(
            display,
            "form-xls",
            "tệp Excel cũ (.xls) không đọc được: hãy mở bằng Excel, chọn Lưu thành → Sổ làm việc Excel (.xlsx)",
        )
    if suffix == ".xls":
        raise _whole(display, "form-xls", "tệp .xls không đọc được: hãy lưu lại dạng Sổ làm việc Excel (.xlsx)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, ValueError):
        raise _whole(
            display,
            "form-not-xlsx",
            "tệp không phải sổ làm việc Excel (.xlsx) hoặc đã hỏng: hãy dùng biểu mẫu tạo bằng "
            "plan57 new --format xlsx",
        ) from None
    with archive:
        infos = archive.infolist()
        names = {i.filename for i in infos}
        if "mimetype" in names and "content.xml" in names or suffix in (".ods", ".fods"):
            raise _whole(
                display,
                "form-ods",
                "tệp bảng tính OpenDocument (.ods) không đọc được: hãy lưu lại dạng Excel 2007-365 (.xlsx)",
            )
        if len(infos) > MAX_PARTS:
            raise _whole(display, "form-too-large", f"sổ làm việc có quá nhiều phần ({vn_int(len(infos))})")
        total = sum(i.file_size for i in infos)
        if total > MAX_UNCOMPRESSED:
            raise _whole(
                display,
                "form-too-large",
                f"sổ làm việc khi giải nén quá lớn ({vn_int(total)} byte, giới hạn {vn_int(MAX_UNCOMPRESSED)} byte)",
            )
        for info in infos:
            if info.filename.startswith("xl/worksheets/") and info.file_size > MAX_SHEET_XML:
                raise _whole(
                    display,
                    "form-too-large",
                    f"một trang tính quá lớn ({vn_int(info.file_size)} byte khi giải nén): biểu mẫu không "
                    "có nhiều ô như vậy; hãy xóa các dòng, cột thừa hoặc dùng lại biểu mẫu gốc",
                )
            if not info.filename.startswith("xl/worksheets/") and info.file_size > MAX_PART:
                raise _whole(
                    display,
                    "form-too-large",
                    f"phần '{' '.join(info.filename.split())[:100]}' của sổ làm việc quá lớn ({vn_int(info.file_size)} byte khi giải nén, "
                    f"giới hạn {vn_int(MAX_PART)} byte): hãy dùng lại biểu mẫu gốc",
                )
        if "xl/vbaProject.bin" in names or suffix in (".xlsm", ".xltm", ".xlam"):
            raise _whole(
                display,
                "form-macro",
                "sổ làm việc có macro (.xlsm) không được nhận: hãy lưu lại dạng Sổ làm việc Excel (.xlsx), "
                "không có macro",
            )
        if "xl/workbook.xml" not in names:
            raise _whole(display, "form-not-xlsx", "tệp không phải sổ làm việc Excel (.xlsx)")
        links = sorted(n for n in names if n.startswith("xl/externalLinks/") and n.endswith(".xml"))
        if links:
            raise _whole(
                display,
                "form-external-link",
                "sổ làm việc có liên kết tới tệp khác nên số liệu có thể không phải của biểu mẫu này: hãy "
                "chép các ô rồi Dán đặc biệt → Giá trị, xóa liên kết (Dữ liệu → Sửa liên kết → Ngắt liên kết) "
                "rồi lưu lại",
            )


def _load(raw: bytes) -> Any:
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # extensions openpyxl does not know (LibreOffice's, slicers)
        return openpyxl.load_workbook(io.BytesIO(raw), data_only=False, keep_links=False, keep_vba=False)


def _nfc(text: str) -> str:
    """A cell's text in composed form, its line breaks as one '\\n' each: a text pasted from Word
    into a cell keeps Windows' carriage returns, which no report text may hold."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def _is_formula(cell: Any) -> bool:
    """Whether a cell of the (not data-only) workbook holds a formula; a text beginning with '='
    stored as a string is a text."""
    return getattr(cell, "data_type", None) == "f" or type(cell.value).__name__ in ("ArrayFormula", "DataTableFormula")


def convert(kind: Kind, value: Any, plan: Plan) -> Any:
    """A cell's value as the submission means it; what cannot be read is passed on as typed, so
    validation says what is wrong with it."""
    if isinstance(value, str):
        value = _nfc(value)
        if value == "":
            return None
    if value is None:
        return None
    if kind in ("int", "year"):
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and value.isdigit() and value.isascii():
            return int(value)  # digits stored as text: unambiguous
        return value
    if kind == "date":
        if isinstance(value, dt.datetime):
            return value.date() if value.time() == dt.time(0) else value
        if isinstance(value, str):
            m = _TEXT_DATE.match(value)
            if m:
                day, month, year = (int(g) for g in m.groups())
                try:
                    return dt.date(year, month, day)
                except ValueError:
                    return value  # 31/02/2025: validation says the day does not exist
        return value
    if kind in ("bool", "channel", "none"):
        if isinstance(value, str):
            low = value.lower()
            if low in YES_WORDS:
                return True
            if low in NO_WORDS:
                return False
        return value
    if kind == "audience" and isinstance(value, str):
        by_name = {_nfc(n).lower(): i for i, n in audience_names(plan).items()}
        return by_name.get(value.lower(), value)
    if kind == "task" and isinstance(value, (int, float)):
        return str(int(value)) if float(value).is_integer() else str(value)
    if kind == "phone" and isinstance(value, (int, float)) and not isinstance(value, bool):
        # typed as a number, it lost its leading 0: a Vietnamese number is 0 and 9 or 10 digits more
        if float(value).is_integer() and value > 0:
            digits = str(int(value))
            return "0" + digits if len(digits) in (9, 10) else digits
    if kind in ("text", "unit", "task", "phone"):
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, dt.datetime):
            return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
        if isinstance(value, (int, float, dt.date)):
            return str(value)
        return value.lower() if kind == "task" and isinstance(value, str) else value
    return value


def read_form(path: Path, plan: Plan, display: str, max_size: int = DEFAULT_FORM_MAX_SIZE) -> FormRead:
    """The submission data of one form; a FormError when the file is not a readable form."""
    raw = read_raw(path, display, max_size)
    check_container(raw, display, path.suffix)
    try:
        wb = _load(raw)
    except Exception:  # openpyxl raises many kinds on a damaged file
        raise _whole(
            display,
            "form-damaged",
            "sổ làm việc bị hỏng, không đọc được: hãy mở bằng Excel, lưu lại dạng .xlsx rồi thử lại",
        ) from None
    return _read(wb, plan, display)


def _destination(wb: Any, name: str) -> tuple[str, int, int] | None:
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    dn = wb.defined_names.get(name)
    if dn is None:
        return None
    try:
        dests = list(dn.destinations)
    except Exception:
        return None
    if len(dests) != 1:
        return None
    sheet, ref = dests[0]
    ref = ref.replace("$", "")
    if ":" in ref:
        first, last = ref.split(":")
        if first != last:
            return None
        ref = first
    try:
        col, row = coordinate_from_string(ref)
    except Exception:
        return None
    return sheet, row, column_index_from_string(col)


def _copied_sheet(wb: Any, sheet_name: str, names: set[str]) -> str | None:
    """Another sheet that copies the form's sheet: Excel's Move or Copy gives the copy its own
    (sheet-scoped) names of the form's cells, and a copy made any way holds the unit's code in the
    form's unit cell. A unit that fills the copy leaves the form's own cells empty. A sheet the
    unit added for its own notes, whatever its name, is neither."""
    where = _destination(wb, "unit")
    unit_cell = wb[sheet_name].cell(where[1], where[2]).value if where is not None else None
    for ws in wb.worksheets:
        if ws.title == sheet_name:
            continue
        scoped = set(getattr(ws, "defined_names", {}) or {})
        if ("unit" in scoped and scoped & names) or (
            where is not None and unit_cell not in (None, "") and ws.cell(where[1], where[2]).value == unit_cell
        ):
            return str(ws.title)
    return None


def _read(wb: Any, plan: Plan, display: str) -> FormRead:
    names = set(wb.defined_names.keys())
    if "unit" not in names or "year" not in names:
        raise _whole(
            display,
            "form-unknown",
            "tệp không phải biểu mẫu báo cáo của plan57 (không có các tên ô 'unit', 'year' của biểu mẫu): "
            "hãy ghi vào biểu mẫu tạo bằng plan57 new --format xlsx",
        )
    where = _destination(wb, "unit")
    if where is None or where[0] not in wb.sheetnames:
        raise _whole(display, "form-unknown", "tên ô 'unit' của biểu mẫu không trỏ tới một ô: biểu mẫu đã bị sửa")
    sheet_name = where[0]
    copy = _copied_sheet(wb, sheet_name, names)
    if copy is not None:  # its figures would be lost: plan57 reads the cells the names point to
        raise _whole(
            display,
            "form-copied-sheet",
            f"trang '{copy}' là bản chép của trang '{sheet_name}' (cùng các ô của biểu mẫu), nhưng plan57 chỉ "
            f"đọc trang '{sheet_name}': hãy điền số liệu vào trang '{sheet_name}' rồi xóa trang '{copy}'",
        )
    ws = wb[sheet_name]
    if ws.max_row > MAX_ROWS or ws.max_column > MAX_COLS:
        raise _whole(
            display,
            "form-too-large",
            f"trang '{sheet_name}' quá lớn ({vn_int(ws.max_row)} dòng, {vn_int(ws.max_column)} cột): "
            "hãy xóa các dòng, cột thừa hoặc dùng lại biểu mẫu gốc",
        )
    doc = Document(data={})
    out = FormRead(doc=doc, sheet=sheet_name)
    merged = {}
    for rng in ws.merged_cells.ranges:
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                if (r, c) != (rng.min_row, rng.min_col):
                    merged[(r, c)] = rng.coord

    def problem(row: int, col: int, code: str, message: str, severity: str = "error") -> None:
        out.problems.append(Diagnostic(display, row, col, severity, code, message, sheet=sheet_name))  # type: ignore[arg-type]

    def value_at(row: int, col: int) -> tuple[Any, bool]:
        """(the cell's value, whether it can be used)."""
        if (row, col) in merged:
            problem(
                row,
                col,
                "form-merged",
                f"ô {column_letter(col)}{row} bị gộp vào vùng {merged[(row, col)]}: hãy bỏ gộp ô "
                "(Trang đầu → Gộp và Căn giữa) để ô có giá trị riêng",
            )
            return None, False
        cell = ws.cell(row, col)
        value = cell.value
        if _is_formula(cell):  # never evaluated, nor its cached value read: a value is typed
            problem(
                row,
                col,
                "form-formula",
                f"ô {column_letter(col)}{row} có công thức; hãy gõ giá trị vào ô thay cho công thức (hoặc chép ô "
                "rồi Dán đặc biệt → Giá trị)",
            )
            return None, False
        return value, True

    def place(path: tuple[Any, ...], row: int, col: int) -> None:
        doc.values[path] = Loc(row, col)
        doc.keys[path] = Loc(row, col)
        out.cells[path] = f"{sheet_name}!{column_letter(col)}{row}"

    doc.values[()] = Loc(1, 1)
    unit_value, _ = value_at(where[1], where[2])
    unit_id = convert("unit", unit_value, plan)
    year_where = _destination(wb, "year")
    year_value = None
    if year_where is not None and year_where[0] == sheet_name:
        year_value, _ = value_at(year_where[1], year_where[2])
    year = convert("year", year_value, plan)
    out.signed = _check_signature(wb, plan, display, unit_id, year, where, year_where, problem)
    if SIGN_SHEET in wb.sheetnames and wb[SIGN_SHEET].cell(5, 2).value == inputs_digest(wb, sheet_name):
        out.untouched = True
    existing = None  # the layout depends only on the unit, plus any block present in the workbook
    extra: dict[str, Any] = {}
    for n in names:
        head = n.split(".")[0]
        if head in ("sample",) or (head not in ("unit", "year") and "." in n):
            extra.setdefault(head, {})
    if "tasks" in extra:
        extra["tasks"] = {
            t.id: {} for t in plan.tasks if any(n.startswith(f"{excel_name(('tasks', t.id))}.") for n in names)
        }
    if "sample" in names:
        extra["sample"] = None
    for table_name in ws.tables:
        extra.setdefault(table_name, [])
    existing = extra
    layout = form_layout(plan, unit_id if isinstance(unit_id, str) else "", existing)
    data: dict[str, Any] = doc.data
    data["unit"] = unit_id
    place(("unit",), where[1], where[2])
    data["year"] = year
    if year_where is not None:
        place(("year",), year_where[1], year_where[2])
    # by key path (the validation's messages) and by defined name (the reader's: '_' for a '-')
    ticks_of_tables = [spec.none for spec in layout.tables if spec.none is not None]
    out.labels = {k: message_label(f) for f in layout.fields() + ticks_of_tables for k in (".".join(f.path), f.name)}
    for spec in layout.tables:  # a table's column, and the table: 'training (mục 1).name' in a message
        out.labels.update({f"{TABLE_LABEL}{spec.name}.{c.key}": c.header for c in spec.columns})
        out.labels[f"{TABLE_LABEL}{spec.name}"] = spec.title
    blocks: dict[tuple[str, ...], dict[str, Any]] = {}
    channel_cells: list[tuple[int, int]] = []
    ticks: list[tuple[FormField, int, int]] = []  # the "none" ticks set (Có): their lists are []
    tick_cells: dict[tuple[str, ...], Loc] = {}  # every list's "none" cell

    def read_tick(f: FormField) -> None:
        dest = _destination(wb, f.name)
        if dest is None or dest[0] != sheet_name:
            return  # a form made before the ticks: its lists are null or rows
        _, row, col = dest
        tick_cells[f.path[:-1]] = Loc(row, col)
        value, ok = value_at(row, col)
        got = convert("none", value, plan) if ok else None
        if got is True:
            ticks.append((f, row, col))
        elif got is not None and got is not False:
            problem(row, col, "form-yes-no", f"'{f.name}' phải chọn {YES} hoặc {NO} (đang là '{value}')")

    for spec in layout.tables:
        if spec.none is not None:
            read_tick(spec.none)
    for f in layout.fields():
        if f.kind in ("unit", "year"):
            continue
        if f.kind == "none":
            read_tick(f)
            continue
        dest = _destination(wb, f.name)
        if dest is None or dest[0] != sheet_name:
            if f.name in names or f.path[0] in ("submitted",):
                problem(
                    1, 1, "form-name", f"tên ô '{f.name}' của biểu mẫu bị mất hoặc bị sửa: hãy dùng lại biểu mẫu gốc"
                )
            continue
        _, row, col = dest
        label = ws.cell(row, col - 1).value if col > 1 else None
        if isinstance(label, str) and _nfc(label) != _nfc(f.label) or (label is None and f.label):
            problem(
                row,
                col - 1,
                "form-label",
                f"nhãn của ô {column_letter(col)}{row} đã bị sửa; số liệu trong ô vẫn được đọc là '{f.name}' "
                f"({f.label})",
                severity="warning",
            )
        value, ok = value_at(row, col)
        if not ok:  # a formula or a merged cell: said at it, and a field it leaves missing is said there too
            doc.blanks[f.path] = (row, col)
            continue
        path: tuple[str, ...] = f.path
        if f.kind == "channel":
            got = convert("channel", value, plan)
            if got is True:
                channels = data.setdefault("channels", [])
                doc.values[("channels", len(channels))] = Loc(row, col)
                channels.append(int(f.path[1]) if f.path[1].isdigit() else f.path[1])
            elif got is False:
                data.setdefault("channels", [])
            elif got is not None:
                problem(row, col, "form-yes-no", f"'{f.name}' phải chọn {YES} hoặc {NO} (đang là '{value}')")
            channel_cells.append((row, col))
            continue
        parent = path[:-1]
        blocks.setdefault(parent, {})[path[-1]] = (convert(f.kind, value, plan), row, col)
    if channel_cells:  # every channel left empty: not reported (null), as in the template
        data.setdefault("channels", None)
        doc.values.setdefault(("channels",), Loc(*channel_cells[0]))
        doc.keys.setdefault(("channels",), Loc(*channel_cells[0]))
    _left_over(wb, names, layout, sheet_name, value_at, problem)
    _assemble(data, blocks, doc, place, plan)
    _tables(ws, layout, data, doc, plan, place, value_at, problem)
    _empty_lists(ticks, layout, data, doc, place, problem)
    for path, loc in tick_cells.items():  # a list not reported is said at its "none" cell, where to answer
        doc.values.setdefault(path, loc)
        doc.keys.setdefault(path, loc)
    tasks = data.get("tasks")
    key_task = plan.key_days_task
    if isinstance(tasks, dict) and isinstance(tasks.get(key_task), dict) and any(k.date for k in plan.key_days):
        tasks[key_task].setdefault("events", None)  # the key days' events, not reported: as in the template
    # keys in the order of new's template, whatever order the cells were read in
    order = key_order(plan, unit_id if isinstance(unit_id, str) else "")
    ranked = sorted(data, key=lambda k: order.index(k) if k in order else len(order))
    doc.data = out.doc.data = {k: data[k] for k in ranked}
    return out


def _check_signature(
    wb: Any, plan: Plan, display: str, unit_id: Any, year: Any, where: Any, year_where: Any, problem: Any
) -> tuple[str, int] | None:
    """The unit and year cells as the form was made: what Excel editing changes is noticed. The
    unit and year the form was made for, when its signature holds and names a unit and year of the plan."""
    if SIGN_SHEET not in wb.sheetnames:
        problem(
            0,
            0,
            "form-unsigned",
            "biểu mẫu không có chữ ký của plan57 (trang ẩn của biểu mẫu bị mất): hãy dùng biểu mẫu tạo bằng "
            "plan57 new --format xlsx",
        )
        return None
    ws = wb[SIGN_SHEET]
    signed_unit, signed_year, signed_plan, digest = (ws.cell(r, 2).value for r in range(1, 5))
    signed_unit, signed_year, signed_plan = (
        str(v) if v is not None else "" for v in (signed_unit, signed_year, signed_plan)
    )
    if digest != form_digest(signed_unit, signed_year, signed_plan):
        problem(
            0, 0, "form-signature", "chữ ký của biểu mẫu bị sửa: hãy dùng biểu mẫu tạo bằng plan57 new --format xlsx"
        )
        return None
    if signed_plan != plan.plan.number:
        problem(
            0,
            0,
            "form-plan",
            f"biểu mẫu được tạo cho kế hoạch số {signed_plan}, không phải kế hoạch số {plan.plan.number} đang dùng: "
            "hãy lấy biểu mẫu mới bằng plan57 new --format xlsx",
        )
    if unit_id != signed_unit:
        typed = "để trống" if unit_id in (None, "") else f"ghi '{unit_id}'"
        problem(
            where[1],
            where[2],
            "form-forged-unit",
            f"ô mã đơn vị {typed} nhưng biểu mẫu được tạo cho đơn vị '{signed_unit}': ô này không được sửa; "
            f"hãy ghi lại '{signed_unit}' hoặc dùng biểu mẫu của đơn vị mình",
        )
    if year_where is not None and str(year) != signed_year:
        typed = "để trống" if year in (None, "") else f"ghi '{year}'"
        problem(
            year_where[1],
            year_where[2],
            "form-forged-year",
            f"ô năm báo cáo {typed} nhưng biểu mẫu được tạo cho năm {signed_year}: ô này không được sửa; "
            "hãy lấy biểu mẫu của đúng năm",
        )
    if signed_unit in plan.unit_index and signed_year.isdigit() and int(signed_year) in plan.years:
        return signed_unit, int(signed_year)
    return None


def _empty_lists(
    ticks: list[tuple[FormField, int, int]], layout: Any, data: dict[str, Any], doc: Document, place: Any, problem: Any
) -> None:
    """A list whose "none" tick is set is empty ([]); rows in its table as well are an error."""
    titles = {spec.name: spec.title for spec in layout.tables}
    for f, row, col in ticks:
        path = f.path[:-1]
        parent: Any = data
        for seg in path[:-1]:
            parent = parent.setdefault(seg, {}) if isinstance(parent, dict) else None
        if not isinstance(parent, dict):
            continue
        rows = parent.get(path[-1])
        if rows:
            table = titles["events" if path[0] == "tasks" else path[0]]
            whose = f" có nhiệm vụ {path[1]}" if path[0] == "tasks" else ""
            problem(
                row,
                col,
                "form-none-and-rows",
                f"'{f.name}' chọn {YES} (không có mục nào) nhưng bảng '{table}' vẫn có {len(rows)} dòng{whose}: "
                f"hãy xóa các dòng đó hoặc để trống ô này",
            )
            continue
        parent[path[-1]] = []
        place(path, row, col)


def _accepts_none(plan: Plan, path: tuple[str, ...]) -> bool | None:
    """Whether the model takes null at this key path (None: no such field)."""
    from plan57.model.submission import submission_model

    current: Any = submission_model(plan)
    from plan57.model.form import unwrap

    f = None
    for seg in path:
        current = unwrap(current)
        if not hasattr(current, "model_fields"):
            return None
        f = next((v for k, v in current.model_fields.items() if (v.alias or k) == seg), None)
        if f is None:
            return None
        current = f.annotation
    if f is None:
        return None
    import types
    import typing

    return typing.get_origin(f.annotation) in (typing.Union, types.UnionType) and type(None) in typing.get_args(
        f.annotation
    )


def _assemble(
    data: dict[str, Any], blocks: dict[tuple[str, ...], dict[str, Any]], doc: Document, place: Any, plan: Plan
) -> None:
    """Blocks as a template holds them: a block with any value, or whose every field may be empty."""
    for parent, cells in blocks.items():
        for key, (value, row, col) in cells.items():
            if value is None:  # left out of the data, but a field it requires is said at its cell
                doc.blanks[parent + (key,)] = (row, col)
        any_value = any(v is not None for v, _, _ in cells.values())
        if parent:
            nullable = all(_accepts_none(plan, parent + (k,)) for k in cells)
            if not any_value and parent[0] == "tasks" and len(parent) == 2 and "activities" in cells:
                cells = {"activities": cells["activities"]}  # an empty task reads as the template's
            elif not any_value and (not nullable or parent[0] == "tasks"):
                continue  # empty products of a task are no report of them
        lead = LEAD_FIELD.get(parent[0]) if len(parent) == 1 else None
        for key, (value, row, col) in cells.items():
            path = parent + (key,)
            if value is None and parent and not _accepts_none(plan, path):
                continue
            if value is None and lead is not None and key != lead:
                continue  # details asked only when the first field is Có: left out, as in the template
            node = data
            for seg in parent:
                node = node.setdefault(seg, {})
            node[key] = value
            place(path, row, col)
        if parent and parent not in doc.values:
            first = min(((r, c) for _, r, c in cells.values()))
            doc.values[parent] = Loc(*first)
            doc.keys[parent] = Loc(*first)
    # a task with products but nothing else: its products block still sits under the task
    for seg in ("tasks",):
        if isinstance(data.get(seg), dict) and (seg,) not in doc.values:
            first = min((loc for p, loc in doc.values.items() if p[:1] == (seg,)), default=Loc(1, 1))
            doc.values[(seg,)] = first


def _left_over(wb: Any, names: set[str], layout: Any, sheet_name: str, value_at: Any, problem: Any) -> None:
    """A named cell of the form that the current plan no longer has (a product kind, a field or a
    task removed since the form was made): a value typed there would be lost, so it is an error at
    the cell, never a silent drop."""
    known = {"unit", "year"} | {f.name for f in layout.fields()}
    known |= {spec.none.name for spec in layout.tables if spec.none is not None}
    for name in sorted(names - known):
        if name.startswith("_xlnm"):
            continue  # Excel's own names (print area, filters)
        dest = _destination(wb, name)
        if dest is None or dest[0] != sheet_name:
            continue
        _, row, col = dest
        value, ok = value_at(row, col)
        if ok and value is not None and str(value).strip():
            problem(
                row,
                col,
                "form-unknown-field",
                f"ô {column_letter(col)}{row} ('{name}') không còn trong kế hoạch hiện hành nên giá trị "
                f"'{value}' không được đọc: hãy chép số liệu sang biểu mẫu mới (plan57 new --format xlsx) "
                "hoặc xóa giá trị trong ô này",
            )


def _tables(
    ws: Any, layout: Any, data: dict[str, Any], doc: Document, plan: Plan, place: Any, value_at: Any, problem: Any
) -> None:
    from openpyxl.utils.cell import range_boundaries

    found = {tbl.displayName: tbl for tbl in ws.tables.values()}
    spans = []
    for spec in layout.tables:
        tbl = found.get(spec.name)
        if tbl is None:
            continue
        bounds = range_boundaries(tbl.ref)
        min_col, min_row, max_col, max_row = (int(b or 1) for b in bounds)
        spans.append((min_row, spec, min_col, max_col, max_row))
    spans.sort(key=lambda s: s[0])
    for i, (top, spec, min_col, max_col, bottom) in enumerate(spans):
        headers = [ws.cell(top, c).value for c in range(min_col, max_col + 1)]
        want = [c.header for c in spec.columns]
        if [(_nfc(h) if isinstance(h, str) else h) for h in headers] != want:
            problem(
                top,
                min_col,
                "form-table",
                f"bảng '{spec.name}' phải có đúng các cột: {', '.join(want)} (theo thứ tự); hãy dùng lại biểu mẫu gốc",
            )
            continue
        # rows typed just below the table, before the next section's heading, belong to it
        limit = spans[i + 1][0] - 1 if i + 1 < len(spans) else min(ws.max_row, bottom + 1000)
        merged_rows = {r for rng in ws.merged_cells.ranges for r in range(rng.min_row, rng.max_row + 1)}
        last = bottom
        for r in range(bottom + 1, limit + 1):
            if r in merged_rows:
                break  # the next section's heading
            if any(ws.cell(r, c).value not in (None, "") for c in range(min_col, max_col + 1)):
                last = r
        items: list[tuple[dict[str, Any], int]] = []
        for r in range(top + 1, last + 1):
            item: dict[str, Any] = {}
            locs: dict[str, int] = {}
            for j, column in enumerate(spec.columns):
                value, ok = value_at(r, min_col + j)
                got = convert(column.kind, value, plan) if ok else None
                if got is not None:
                    item[column.key] = got
                    locs[column.key] = min_col + j
            if item:
                items.append((item, r))
                item["__locs"] = locs
                item["__cols"] = {c.key: min_col + j for j, c in enumerate(spec.columns)}
        _store_table(spec, items, data, doc, place, min_col)


def _blanks(doc: Document, at: tuple[Any, ...], row: int, cols: dict[str, int], filled: dict[str, int]) -> None:
    """The empty cells of a filled table row: a required one left empty is said at its own cell
    (the form's empty single cells are recorded alike by `_assemble`)."""
    for key, col in cols.items():
        if key not in filled:
            doc.blanks[at + (key,)] = (row, col)


def _store_table(
    spec: Any, items: list[tuple[dict[str, Any], int]], data: dict[str, Any], doc: Document, place: Any, first_col: int
) -> None:
    if spec.name == "events":
        tasks = data.get("tasks")
        for item, row in items:
            locs, cols = item.pop("__locs"), item.pop("__cols")
            tid = item.pop("task", None)
            key = tid if isinstance(tid, str) else "" if tid is None else str(tid)  # "": no task chosen
            if tasks is None:
                tasks = data["tasks"] = {}
                doc.values[("tasks",)] = Loc(row, first_col)
            report = tasks.setdefault(key, {})
            if not isinstance(report, dict):
                continue
            events = report.setdefault("events", [])
            i = len(events)
            events.append(item)
            task_loc = Loc(row, locs.get("task", first_col))
            doc.values.setdefault(("tasks", key), task_loc)
            doc.keys.setdefault(("tasks", key), task_loc)
            doc.values.setdefault(("tasks", key, "events"), Loc(row, first_col))
            place(("tasks", key, "events", i), row, first_col)
            for k, c in locs.items():
                if k != "task":
                    place(("tasks", key, "events", i, k), row, c)
            _blanks(doc, ("tasks", key, "events", i), row, cols, locs)
        return
    out: list[Any] = []
    for item, row in items:
        locs, cols = item.pop("__locs"), item.pop("__cols")
        i = len(out)
        if spec.name in ("difficulties", "proposals"):
            out.append(item.get("text"))
            place((spec.name, i), row, first_col)
        else:
            out.append(item)
            place((spec.name, i), row, first_col)
            for k, c in locs.items():
                place((spec.name, i, k), row, c)
            _blanks(doc, (spec.name, i), row, cols, locs)
    data[spec.name] = out or None  # an empty table is not reported (null), as in the template
