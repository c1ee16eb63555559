"""What a unit's Excel form holds, in order: the one layout the form writer and reader share.

Labels are the submission model's field descriptions (the same text as the YAML template's
comments); the targets a field serves come from the plan. Every input has a key path, which is
also its defined name in the workbook (SPEC §7).
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

from plan57.model.plan import Indicator, Plan
from plan57.model.submission import submission_model

Kind = Literal["int", "bool", "date", "text", "phone", "unit", "year", "channel", "audience", "task", "none"]

MAIN_SHEET = "Báo cáo"
GUIDE_SHEET = "Hướng dẫn"
LISTS_SHEET = "Danh mục"
SIGN_SHEET = "_ky"  # very hidden: the unit, year and plan the form was made for, and their digest
SIGN_SALT = "plan57-bieu-mau-v1"  # mixed into the digest, so that editing the unit or year cell shows
YES, NO = "Có", "Không"
# A list left empty reads as "not reported" (null). That a unit had none ([]) is said by a tick:
# a Có/Không cell named '<list's key path>.none' (`training.none`, `tasks.1c.events.none`). The
# name is not a key path of a submission (a list's items are numbered), so it cannot collide.
NONE_SUFFIX = "none"
NONE_NOTE = (
    f"Chọn {YES} nếu đúng như vậy (khi đó không ghi dòng nào vào bảng); để trống khi có "
    "mục ghi trong bảng hoặc khi chưa báo cáo"
)
DATE_FORMAT = "ngày/tháng/năm"  # what the form asks for: 03/12/2026 in a 2026 form
# Blocks whose other fields are asked only when the first is true: a template holds the first
# only, and a form's empty details are left out of the file it gives.
LEAD_FIELD = {
    "implementation_plan": "issued",
    "portal_section": "exists",
}


def excel_name(path: tuple[str, ...]) -> str:
    """A key path as a workbook's defined name: the path itself, but a '-' (a task id 'nv-1'),
    which Excel does not allow in a name, written '_' (the plan keeps such ids apart)."""
    return ".".join(path).replace("-", "_")


@dataclass(frozen=True)
class FormField:
    """One input cell: its key path, label, kind and note."""

    path: tuple[str, ...]
    label: str
    kind: Kind
    note: str = ""
    locked: bool = False

    @property
    def name(self) -> str:
        return excel_name(self.path)


@dataclass(frozen=True)
class Section:
    title: str
    fields: list[FormField]
    text: str = ""  # a wrapped paragraph under the heading (a task's wording in the plan)


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: Kind


@dataclass(frozen=True)
class TableSpec:
    """A list of the submission as an Excel table; columns exactly as SPEC §7 names them."""

    name: str
    title: str
    columns: list[Column]
    note: str = ""
    none: FormField | None = None  # the "none" tick above the table (events: one per task instead)


@dataclass
class Layout:
    sections: list[Section] = field(default_factory=list)
    tables: list[TableSpec] = field(default_factory=list)

    def fields(self) -> list[FormField]:
        return [f for s in self.sections for f in s.fields]


def unwrap(tp: Any) -> Any:
    """The type inside Optional[...] and Annotated[...]: what a field's value really is."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return unwrap(args[0]) if len(args) == 1 else tp
    if origin is typing.Annotated:
        return unwrap(typing.get_args(tp)[0])
    return tp


def _kind(tp: Any) -> Kind:
    tp = unwrap(tp)
    if tp is bool:
        return "bool"
    if tp is int:
        return "int"
    if tp is dt.date:
        return "date"
    return "text"


# What a clerk reads in a form speaks of the form, not of the YAML file: the validation layer's
# messages and the model's descriptions pass through this wording.
YAML_DATE_EXAMPLE = re.compile(r"NĂM-THÁNG-NGÀY, ví dụ \d{4}-\d{2}-\d{2}")
FORM_WORDING = (
    ("(NĂM-THÁNG-NGÀY)", f"({DATE_FORMAT})"),
    ("NĂM-THÁNG-NGÀY", DATE_FORMAT),
    ("phải ghi true (có) hoặc false (không)", f"phải chọn {YES} hoặc {NO}"),
    ("' là true", f"' là {YES}"),
    ("thiếu khóa bắt buộc", "chưa ghi ô bắt buộc"),
)
_AT_MOST_LABELS = (  # "(≤ total)" and the like name keys: a form says what they mean
    (re.compile(r"\(≤ [a-z_]+ − [a-z_]+\)"), "(không lớn hơn tổng số trừ số nhiệm vụ mật ở các dòng trên)"),
    (re.compile(r"; ≤ [a-z_]+\)"), "; không lớn hơn tổng số ở dòng trên)"),
    (re.compile(r"\(≤ [a-z_]+\)"), "(không lớn hơn tổng số ở dòng trên)"),
)


def example_day(plan: Plan, year: int) -> dt.date:
    """A day of `year` to show as an example in that year's form or file: two days before the
    units' deadline, kept inside the year's reporting period."""
    first, last = plan.reporting_window(year)
    return min(max(plan.unit_deadline(year) - dt.timedelta(days=2), first), last)


def example_date(plan: Plan, year: int) -> str:
    """`example_day` as the form writes a date (03/12/2026)."""
    return example_day(plan, year).strftime("%d/%m/%Y")


def form_wording(text: str, example: str | None = None) -> str:
    """A message or label as the form says it: its date format (with `example`, a day of the
    form's year, as its example), no key names in labels."""
    text = YAML_DATE_EXAMPLE.sub(f"{DATE_FORMAT}, ví dụ {example}" if example else DATE_FORMAT, text)
    for yaml_word, form_word in FORM_WORDING:
        text = text.replace(yaml_word, form_word)
    return text


def message_label(f: FormField) -> str:
    """What a message calls a field of the form: its label without the remarks after ';' or in a
    closing parenthesis, and the task it belongs to ('Số hoạt động đã thực hiện (nhiệm vụ 1a)')."""
    text = re.sub(r"\s*\([^()]*\)\s*$", "", f.label.split(";")[0]).strip() or f.label
    if f.path[0] == "tasks" and len(f.path) > 2 and f"nhiệm vụ {f.path[1]}" not in text.lower():
        text += f" (nhiệm vụ {f.path[1]})"
    return text


_QUOTED_KEY = re.compile(r"'([a-z_][a-z0-9_]*(?:\.[a-z0-9_-]+)*)'")
# a field of a table's row, as validation names it: 'training (mục 1).name', 'tasks.1a.events (mục 2).date'
_ROW_KEY = re.compile(r"'(?:tasks\.([a-z0-9_-]+)\.)?([a-z_]+) \(mục (\d+)\)\.([a-z_]+)'")
TABLE_LABEL = "bảng:"  # the labels' prefix of a table's name and of its columns' keys


def labelled(text: str, labels: dict[str, str]) -> str:
    """A message of a form's cell naming its fields by the labels the form shows (key path →
    label) instead of their key paths; a bare key beside a full one ('issued' after
    'implementation_plan.reference') is a field of the same block."""
    keys = [k for k in _QUOTED_KEY.findall(text) if k in labels and "." in k]
    parent = keys[0].rpartition(".")[0] if keys else ""

    def name(m: re.Match[str]) -> str:
        key = m.group(1)
        if key in labels:
            return f"'{labels[key]}'"
        if parent and f"{parent}.{key}" in labels:
            return f"'{labels[f'{parent}.{key}']}'"
        return m.group(0)

    def row(m: re.Match[str]) -> str:
        task, table, n, key = m.groups()
        header = labels.get(f"{TABLE_LABEL}{table}.{key}")
        if header is None:
            return m.group(0)
        whose = f"nhiệm vụ {task}, " if task else ""
        return f"'{header}' (bảng '{labels.get(TABLE_LABEL + table, table)}', {whose}mục {n})"

    return _QUOTED_KEY.sub(name, _ROW_KEY.sub(row, text))


def label_of(description: str | None) -> str:
    """The model's description as a form label: the target goes in the note column."""
    text = (description or "").split(" — chỉ tiêu")[0]
    for yaml_word, form_word in (
        (" (true/false)", ""),
        (", đặt trong ngoặc kép", ""),  # YAML's quotes: a cell takes the number as typed
        ("(http/https)", "(bắt đầu bằng http:// hoặc https://)"),
    ):
        text = text.replace(yaml_word, form_word)
    for pattern, words in _AT_MOST_LABELS:
        text = pattern.sub(words, text)
    return form_wording(text).strip()


def _targets_note(plan: Plan, path: str) -> str:
    hits = [t for t in plan.targets if path in t.paths]
    return "; ".join(f"Chỉ tiêu {t.id}: {t.label}" for t in hits)


def _hint(kind: Kind, example: str = "") -> str:
    """The note of an input of a kind; a date's example is a day of the form's year (`example`)."""
    return {
        "int": "Số nguyên ≥ 0, gõ liền các chữ số (12500)",
        "bool": f"Chọn {YES} hoặc {NO}",
        "date": f"Ngày dạng {DATE_FORMAT}" + (f", ví dụ {example}" if example else ""),
        "channel": f"{YES} nếu đã sử dụng",
    }.get(kind, "")


def _note(plan: Plan, path: str, kind: Kind) -> str:
    return "; ".join(p for p in (_targets_note(plan, path), _hint(kind)) if p)


def _block_fields(plan: Plan, model: type[BaseModel], block: str) -> list[FormField]:
    sub = unwrap(model.model_fields[block].annotation)
    out = []
    for name, f in sub.model_fields.items():
        kind: Kind = "phone" if name == "phone" else _kind(f.annotation)  # a text of digits with its leading 0
        out.append(FormField((block, name), label_of(f.description), kind, _note(plan, f"{block}.{name}", kind)))
    return out


def unit_indicators(plan: Plan, unit_id: str, data: dict[str, Any] | None = None) -> list[Indicator]:
    """The indicators a unit reports: those of its kind, and any other its file holds (nothing is lost)."""
    unit = plan.unit_index.get(unit_id)
    mine = {i.id for i in plan.indicators_for(unit)} if unit is not None else set()
    held = (data or {}).get("indicators")
    if isinstance(held, dict):
        mine.update(str(k) for k in held)
    return [i for i in plan.indicators if i.id in mine]


def _indicator_fields(plan: Plan, unit_id: str, data: dict[str, Any] | None) -> list[FormField]:
    """The plan's own indicators on a unit's form: the label the plan gives, its hint and bound in the note."""
    out = []
    for ind in unit_indicators(plan, unit_id, data):
        path = f"indicators.{ind.id}"
        bound = f"không lớn hơn ô {field_label(plan, ind.at_most)}" if ind.at_most else ""
        note = "; ".join(p for p in (_targets_note(plan, path), ind.hint or "", bound, _hint("int")) if p)
        out.append(FormField(("indicators", ind.id), ind.label, "int", note))
    return out


def _blocks(plan: Plan, model: type[BaseModel], unit_id: str, data: dict[str, Any] | None) -> list[str]:
    """The unit's blocks, and any other block its existing file holds (nothing is lost)."""
    wanted = set(plan.blocks_for(plan.unit_index[unit_id])) if unit_id in plan.unit_index else set()
    if data:
        wanted.update(k for k, v in data.items() if isinstance(v, (dict, list)))
    return [k for k in model.model_fields if k in wanted]


def _led_tasks(plan: Plan, unit_id: str, data: dict[str, Any] | None) -> list[str]:
    led = {t.id for t in plan.tasks if unit_id in {u.id for u in plan.select(t.leads)}}
    tasks = (data or {}).get("tasks")
    if isinstance(tasks, dict):
        led.update(str(k) for k in tasks)
    return [t.id for t in plan.tasks if t.id in led]


def form_layout(plan: Plan, unit_id: str, data: dict[str, Any] | None = None, year: int | None = None) -> Layout:
    """The form of one unit: its blocks, the tasks it leads, channels, lists as tables. With `year`,
    the notes' example dates are days of that year."""
    example = example_date(plan, year) if year is not None else ""
    model = submission_model(plan)
    mf = model.model_fields
    layout = Layout()
    unit = plan.unit_index.get(unit_id)
    general = [
        FormField(("unit",), label_of(mf["unit"].description), "unit", unit.name if unit else "", locked=True),
        FormField(("year",), label_of(mf["year"].description), "year", locked=True),
        FormField(
            ("submitted",),
            label_of(mf["submitted"].description),
            "date",
            f"Để trống khi chưa gửi; {_hint('date', example)}",
        ),
        FormField(("reference",), label_of(mf["reference"].description), "text"),
    ]
    if data and "sample" in data:
        general.append(FormField(("sample",), label_of(mf["sample"].description), "bool", _hint("bool")))
    layout.sections.append(Section("Thông tin chung", general))
    layout.sections.append(Section(label_of(mf["contact"].description), _block_fields(plan, model, "contact")))
    blocks = _blocks(plan, model, unit_id, data)
    for block in blocks:
        if block in ("contact", "tasks", "training", "channels", "difficulties", "proposals"):
            continue
        if block == "indicators":
            layout.sections.append(Section(label_of(mf[block].description), _indicator_fields(plan, unit_id, data)))
            continue
        layout.sections.append(Section(label_of(mf[block].description), _block_fields(plan, model, block)))
    for tid in _led_tasks(plan, unit_id, data):
        task = plan.task_index[tid]
        fields = [FormField(("tasks", tid, "activities"), "Số hoạt động đã thực hiện", "int", _hint("int"))]
        fields.append(  # its events are rows of the one events table; this says it had none
            FormField(
                ("tasks", tid, "events", NONE_SUFFIX),
                f"Nhiệm vụ {tid} không tổ chức sự kiện nào trong năm (các sự kiện ghi ở bảng Sự kiện, cột Nhiệm vụ)",
                "none",
                NONE_NOTE,
            )
        )
        fields += [
            FormField(("tasks", tid, "products", k.id), f"Số sản phẩm: {k.name}", "int", _hint("int"))
            for k in plan.product_kinds
        ]
        fields.append(FormField(("tasks", tid, "note"), "Ghi chú", "text"))
        where = plan.section_ref("tasks", " của kế hoạch") or " của kế hoạch"
        layout.sections.append(Section(f"Nhiệm vụ {tid}{where}", fields, text=task.text))
    layout.sections.append(
        Section(
            label_of(mf["channels"].description),
            [
                FormField(("channels", str(c.id)), f"{c.id}. {c.text}", "channel", _hint("channel"))
                for c in plan.channels
            ],
        )
    )
    layout.sections.append(
        Section(
            "Kinh phí",
            [FormField(("budget_vnd",), label_of(mf["budget_vnd"].description), "int", _hint("int"))],
        )
    )
    if "training" in blocks:
        layout.tables.append(
            TableSpec(
                "training",
                label_of(mf["training"].description),
                [
                    Column("name", "Tên chương trình", "text"),
                    Column("audience", "Đối tượng", "audience"),
                    Column("participants", "Số người tham gia", "int"),
                ],
                _targets_note(plan, "training.audience"),
                none_tick("training", "Đơn vị không có chương trình đào tạo, bồi dưỡng nào trong năm"),
            )
        )
    layout.tables.append(
        TableSpec(
            "events",
            "Sự kiện đã tổ chức (mỗi sự kiện một dòng, ghi nhiệm vụ mà sự kiện thuộc về)",
            [
                Column("task", "Nhiệm vụ", "task"),
                Column("date", "Ngày tổ chức", "date"),
                Column("name", "Tên sự kiện", "text"),
                Column("participants", "Số người tham dự", "int"),
            ],
            "Các ngày trọng điểm: " + "; ".join(f"{k.name} ({k.date[3:]}/{k.date[:2]})" for k in plan.key_days),
        )
    )
    for name in ("difficulties", "proposals"):
        title = label_of(mf[name].description)
        what = {"difficulties": "khó khăn, vướng mắc", "proposals": "đề xuất, kiến nghị"}[name]
        tick = none_tick(name, f"Đơn vị không có {what} nào")
        layout.tables.append(TableSpec(name, title, [Column("text", title, "text")], none=tick))
    return layout


def none_tick(list_path: str, label: str) -> FormField:
    """The tick saying a list is empty ([]), named '<list_path>.none'."""
    return FormField(tuple(list_path.split(".")) + (NONE_SUFFIX,), label, "none", NONE_NOTE)


def key_order(plan: Plan, unit_id: str) -> list[str]:
    """The top-level keys in the order of `new`'s template for this unit (its blocks by kind)."""
    unit = plan.unit_index.get(unit_id)
    blocks = list(plan.blocks_for(unit)) if unit is not None else []
    head = ["unit", "year", "submitted", "reference", "sample", "contact"]
    tail = ["tasks", "channels", "budget_vnd", "difficulties", "proposals"]
    return head + [b for b in blocks if b not in head + tail] + tail


def audience_names(plan: Plan) -> dict[str, str]:
    """Training audience id → its Vietnamese name, as the form's list shows it."""
    return {a.id: a.name for a in plan.training_audiences}


def field_label(plan: Plan, path: str) -> str:
    """A submission field as a person reads it: the label of the template's comment and the form
    (its question word dropped: 'Đơn vị đã ban hành Kế hoạch triển khai'). The path itself when the
    model has no such field."""
    node: Any = submission_model(plan)
    description: str | None = None
    for key in path.split("."):
        fields = getattr(unwrap(node), "model_fields", None)
        if fields is None:  # a list: its items' model
            args = typing.get_args(unwrap(node))
            fields = getattr(unwrap(args[0]), "model_fields", None) if args else None
        if fields is None or key not in fields:
            return path
        node, description = fields[key].annotation, fields[key].description
    text = re.sub(r"\s*\(≤[^)]*\)|;\s*≤[^)]*(?=\))", "", description or "")  # the form's "(≤ total)" notes
    return re.sub(r"\s+chưa$", "", label_of(text)) or path


def item_label(plan: Plan, path: str) -> str:
    """One item of a group of fields ('Số thành viên: nhà quản lý' → 'nhà quản lý')."""
    return field_label(plan, path).rpartition(": ")[2]


def value_names(plan: Plan, path: str) -> dict[str, str]:
    """The Vietnamese names of a field's ids (a training's audience), as the form's lists show them."""
    return audience_names(plan) if path == "training.audience" else {}
