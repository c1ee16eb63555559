"""`plan57 new`: a submission template for one unit, every field commented in Vietnamese.

The template is a ruamel.yaml round-trip document built from the same pydantic model that
validates submissions, so the comments are the model's field descriptions and the fresh file
validates.
"""

from __future__ import annotations

import io
import re
from typing import Any

from pydantic import BaseModel

from plan57.base.paths import SCHEMA_FILE
from plan57.model.form import LEAD_FIELD, unwrap
from plan57.model.plan import Plan
from plan57.model.submission import submission_model

# Blocks whose other fields are asked only when the first is true. Every value is left empty
# (null): an untouched field is "not reported", never a 0 or a "no" (SPEC §6).
_LEAD_FIELD = LEAD_FIELD
# a line of any length stays one line: ruamel.yaml folds a longer text at a space, and a run of
# spaces where it folds, or a line break near it, does not read back as written
NO_WRAP = 1 << 30


def channels_where(plan: Plan) -> str:
    """'mục IV, 1–10': where the plan lists its channels, and their numbers."""
    where = plan.wording.channels_section
    return f"{where}, {plan.channel_span}" if where else f"số {plan.channel_span}"


def channel_example(plan: Plan) -> str:
    """'[1, 2, 8]': a few of the plan's channel numbers, as a list is written."""
    ids = [c.id for c in plan.channels]
    picked = [ids[0], ids[1], ids[7]] if len(ids) >= 8 else ids[:3]
    return "[" + ", ".join(map(str, picked)) + "]"


def _model_of(model: type[BaseModel], key: str) -> Any:
    field = model.model_fields[key]
    return unwrap(field.annotation)


def _block(model: type[BaseModel], key: str) -> Any:
    """A commented mapping with empty values for one block of the submission."""
    from ruamel.yaml.comments import CommentedMap

    sub = _model_of(model, key)
    cm = CommentedMap()
    lead = _LEAD_FIELD.get(key)
    preset = None if lead is None else {lead}
    fields = sub.model_fields
    any_required = any(f.is_required() for f in fields.values())
    for name, field in fields.items():
        if preset is not None:
            if name not in preset:
                continue
        elif not (field.is_required() or not any_required or name == "secret"):
            continue
        cm[name] = None
        comment = field.description or ""
        if preset is not None:
            extra = [f"{n}: {fields[n].description}" for n in fields if n not in preset]
            comment += ". Khi là true, ghi thêm " + "; ".join(extra)
        cm.yaml_add_eol_comment(comment, name)
    return cm


def new_submission(
    plan: Plan, unit_id: str, year: int, carried: dict[str, Any] | None = None, source: str | None = None
) -> str:
    """The YAML text of a fresh, valid template for this unit and year.

    `carried` (model.carry.carry_over: what persists from an earlier year's file, named by
    `source`) fills the fields it holds; every other value stays empty.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    unit = plan.unit_index[unit_id]
    model = submission_model(plan)
    doc = CommentedMap()
    doc["unit"] = unit_id
    doc["year"] = year
    doc["submitted"] = None
    doc["reference"] = None  # every value empty (null), texts too (SPEC §6)
    doc["contact"] = CommentedMap(name=None, position=None, phone=None, email=None)
    for key in ("unit", "year", "submitted", "reference", "contact"):
        doc.yaml_add_eol_comment(model.model_fields[key].description or "", key)
    for block in plan.blocks_for(unit):
        if block in ("tasks", "channels", "budget_vnd", "difficulties", "proposals"):
            continue  # written below, for every unit (a target may read them too)
        if block == "training":
            doc["training"] = None
            doc.yaml_add_eol_comment(
                'ghi mỗi chương trình một dòng bên dưới, thụt 2 dấu cách: - {name: "…", audience: mã, '
                "participants: số người}; không có chương trình nào thì ghi []; mã đối tượng: "
                + ", ".join(f"{a.id} ({a.name})" for a in plan.training_audiences),
                "training",
            )
            continue
        if block == "indicators":  # the plan's own counts, those of the unit's kind
            from plan57.model.form import unit_indicators
            from plan57.model.submission import indicator_description

            counts = CommentedMap()
            for ind in unit_indicators(plan, unit_id):
                counts[ind.id] = None
                counts.yaml_add_eol_comment(indicator_description(ind), ind.id)
            doc[block] = counts
        else:
            doc[block] = _block(model, block)
        doc.yaml_set_comment_before_after_key(block, before=model.model_fields[block].description)
    tasks = CommentedMap()
    for task in plan.tasks:
        if unit_id in {u.id for u in plan.select(task.leads)}:
            report = CommentedMap(activities=None)
            report.yaml_add_eol_comment("số hoạt động đã thực hiện", "activities")
            if plan.key_days and task.id == plan.key_days_task:
                report["events"] = None
                report.yaml_add_eol_comment(
                    'ghi mỗi sự kiện một dòng bên dưới, thụt 4 dấu cách: - {date: NĂM-THÁNG-NGÀY, name: "…", '
                    "participants: số người}",
                    "events",
                )
            tasks[task.id] = report
    if tasks:
        doc["tasks"] = tasks
        doc.yaml_set_comment_before_after_key(
            "tasks",
            before=f"Kết quả theo nhiệm vụ đơn vị chủ trì{plan.section_ref('tasks')}; sản phẩm ghi trong products: "
            + ", ".join(f"{k.id} ({k.name})" for k in plan.product_kinds),
        )
    doc["channels"] = None
    doc.yaml_add_eol_comment(
        f"số thứ tự các phương thức truyền thông đã dùng ({channels_where(plan)}), ví dụ {channel_example(plan)}",
        "channels",
    )
    doc["budget_vnd"] = None
    doc.yaml_add_eol_comment(model.model_fields["budget_vnd"].description or "", "budget_vnd")
    doc["difficulties"] = None
    doc.yaml_add_eol_comment('ghi mỗi khó khăn, vướng mắc một dòng bên dưới, thụt 2 dấu cách: - "…"', "difficulties")
    doc["proposals"] = None
    doc.yaml_add_eol_comment('ghi mỗi đề xuất, kiến nghị một dòng bên dưới, thụt 2 dấu cách: - "…"', "proposals")
    prefilled = ""
    if carried is not None:
        _fill(doc, model, carried)
        prefilled = (
            f"Điền sẵn từ {source or 'báo cáo năm trước'} những gì không đổi theo năm (người liên hệ, kế hoạch "
            f"triển khai, chuyên mục, các tổng số): hãy kiểm tra lại; số liệu năm {year} ghi vào các ô còn trống.\n"
        )
    doc.yaml_set_start_comment(
        f"yaml-language-server: $schema=../{SCHEMA_FILE}\n"
        f"Báo cáo kết quả thực hiện Kế hoạch {plan.plan.number} năm {year}\n"
        f"Đơn vị: {unit.name}\n"
        + prefilled
        + f"Gửi {plan.compiler_name} trước ngày {plan.unit_deadline(year).strftime('%d/%m/%Y')}.\n"
        "Ô để trống là chưa báo cáo (không phải 0): ghi số liệu vào sau dấu ':' của từng ô.\n"
        "Ghi số nguyên, không dùng dấu chấm phân cách hàng nghìn; true = có, false = chưa có;\n"
        "ngày viết theo dạng NĂM-THÁNG-NGÀY; chữ có dấu ':' hoặc số điện thoại đặt trong ngoặc kép.\n"
        "Kiểm tra tệp bằng lệnh: plan57 validate"
    )
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = NO_WRAP
    buf = io.StringIO()
    yaml.dump(doc, buf)
    return buf.getvalue()


def _fill(doc: Any, model: type[BaseModel], carried: dict[str, Any]) -> None:
    """Put the carried values into a fresh template: a key the template holds keeps its comment;
    a detail it leaves out (a plan's number and date) goes after the keys before it in the model,
    commented with its description."""
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    def put(node: Any, fields: dict[str, Any], values: dict[str, Any]) -> None:
        for key, value in values.items():
            if key not in fields:
                continue
            sub = unwrap(fields[key].annotation)
            if isinstance(value, dict):
                if not isinstance(node.get(key), dict):
                    node[key] = CommentedMap()
                put(node[key], sub.model_fields, value)
                continue
            if isinstance(value, str):  # as the template asks (a phone number in quotes)
                value = DoubleQuotedScalarString(value)
            if key in node:
                node[key] = value
                continue
            if value is None:  # a detail the template leaves out stays out when empty
                continue
            order = list(fields)
            earlier = set(order[: order.index(key)])
            pos = max((i + 1 for i, k in enumerate(node) if k in earlier), default=0)
            node.insert(pos, key, value, comment=fields[key].description or None)

    put(doc, model.model_fields, {k: v for k, v in carried.items() if k not in ("unit", "year")})


def _comments(node: Any) -> tuple[dict[str, str], dict[str, str]]:
    """(end-of-line comment, comment line above) of each key of a template mapping."""
    eol: dict[str, str] = {}
    before: dict[str, str] = {}
    keys = list(node)
    for i, key in enumerate(keys):
        entry = node.ca.items.get(key)
        own = entry[1] if entry and isinstance(entry[1], list) else []  # a comment line above a key
        above_own = [t.value.strip().lstrip("#").strip() for t in own if t is not None and t.value.strip()]
        if above_own:
            before[key] = "\n".join(above_own)
        token = entry[2] if entry and len(entry) > 2 else None
        lines = token.value.split("\n") if token is not None else []
        first = lines[0].strip() if lines else ""
        if first.startswith("#"):
            eol[key] = first.lstrip("#").strip()
        lines = lines[1:]
        value = node[key]
        comments = getattr(value, "ca", None)
        if comments is not None and isinstance(value, dict) and value:
            last = list(value)[-1]  # a comment above the next key is kept at the end of a nested block
            inner = comments.items.get(last)
            inner_token = inner[2] if inner and len(inner) > 2 else None
            lines += inner_token.value.split("\n")[1:] if inner_token is not None else []
        above = [ln.strip().lstrip("#").strip() for ln in lines if ln.strip().startswith("#")]
        if above and i + 1 < len(keys):
            before[keys[i + 1]] = "\n".join(above)
    return eol, before


def _rebuild(template: Any, data: dict[str, Any], order: list[str]) -> Any:
    """`data` as a commented mapping, keys in template order, the template's comments on them."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    eol, before = _comments(template) if template is not None else ({}, {})
    known = list(template) if template is not None else []
    keys = [k for k in known if k in data]
    for key in data:
        if key in keys:
            continue
        pos = len(keys)  # after the last key that comes before it in the model's order
        if key in order:
            earlier = set(order[: order.index(key)])
            pos = max((i + 1 for i, k in enumerate(keys) if k in earlier), default=0)
        keys.insert(pos, key)
    out = CommentedMap()
    for key in keys:
        value = data[key]
        sub = template.get(key) if template is not None else None
        if isinstance(value, dict):
            out[key] = _rebuild(sub if isinstance(sub, dict) else None, value, list(value))
        elif isinstance(value, list):
            seq = CommentedSeq()
            for item in value:
                if isinstance(item, dict):
                    flow = CommentedMap({k: _flow_safe(v) for k, v in item.items()})
                    flow.fa.set_flow_style()
                    seq.append(flow)
                else:
                    seq.append(item)
            if not value or all(isinstance(v, int) and not isinstance(v, bool) for v in value):
                seq.fa.set_flow_style()
            out[key] = seq
        else:
            out[key] = value
        if key in eol:
            out.yaml_add_eol_comment(eol[key], key)
        if key in before and key != keys[0]:
            out.yaml_set_comment_before_after_key(key, before=before[key])
    return out


_BARE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


def _flow_safe(value: Any) -> Any:
    """A value as it can stand in a flow mapping (`{name: …}`): any text but a bare code in double
    quotes, as the template's own example writes it. ruamel.yaml writes some texts there without
    quotes that its own parser then refuses (one that starts with '?' or ': ')."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    return DoubleQuotedScalarString(value) if isinstance(value, str) and not _BARE.fullmatch(value) else value


def filled_submission(plan: Plan, data: dict[str, Any], source: str) -> str:
    """A unit's data in the layout of its template (comments kept), naming the form it came from."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = NO_WRAP
    template = yaml.load(new_submission(plan, data["unit"], data["year"]))
    start = template.ca.comment[1] if template.ca.comment else []
    lines = [t.value.strip().lstrip("#").strip() for t in start or []]
    lines = [ln for t in lines for ln in t.split("\n")]
    doc = _rebuild(template, data, list(submission_model(plan).model_fields))
    lines.insert(1, f"Nhập từ biểu mẫu Excel: {source}")
    doc.yaml_set_start_comment("\n".join(lines))
    buf = io.StringIO()
    yaml.dump(doc, buf)
    return buf.getvalue()
