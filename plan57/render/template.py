"""`plan57 new`: a submission template for one unit, every field commented in Vietnamese.

The template is a ruamel.yaml round-trip document built from the same pydantic model that
validates submissions, so the comments are the model's field descriptions and the fresh file
validates.
"""

from __future__ import annotations

import io
from typing import Any

from pydantic import BaseModel

from plan57.model.plan import Plan
from plan57.model.submission import submission_model
from plan57.validation.locate import _unwrap

SCHEMA_FILE = "submission.schema.json"  # beside data/units, i.e. ../../ from a submission
# Blocks whose other fields are asked only when the first is true. Every value is left empty
# (null): an untouched field is "not reported", never a 0 or a "no" (SPEC §6).
_LEAD_FIELD = {
    "implementation_plan": "issued",
    "portal_section": "exists",
}


def _model_of(model: type[BaseModel], key: str) -> Any:
    field = model.model_fields[key]
    return _unwrap(field.annotation)


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


def new_submission(plan: Plan, unit_id: str, year: int) -> str:
    """The YAML text of a fresh, valid template for this unit and year."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    unit = plan.unit_index[unit_id]
    model = submission_model(plan)
    doc = CommentedMap()
    doc["unit"] = unit_id
    doc["year"] = year
    doc["submitted"] = None
    doc["reference"] = ""
    doc["contact"] = CommentedMap(name="", position="", phone="", email=None)
    for key in ("unit", "year", "submitted", "reference", "contact"):
        doc.yaml_add_eol_comment(model.model_fields[key].description or "", key)
    for block in plan.blocks_for(unit):
        if block == "training":
            doc["training"] = None
            doc.yaml_add_eol_comment(
                'ghi mỗi chương trình một dòng bên dưới, thụt 2 dấu cách: - {name: "…", audience: mã, '
                "participants: số người}; không có chương trình nào thì ghi []; mã đối tượng: "
                + ", ".join(f"{a.id} ({a.name})" for a in plan.training_audiences),
                "training",
            )
            continue
        doc[block] = _block(model, block)
        doc.yaml_set_comment_before_after_key(block, before=model.model_fields[block].description)
    tasks = CommentedMap()
    for task in plan.tasks:
        if unit_id in {u.id for u in plan.select(task.leads)}:
            report = CommentedMap(activities=None)
            report.yaml_add_eol_comment("số hoạt động đã thực hiện", "activities")
            if any(k.date for k in plan.key_days) and task.id == "1c":
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
            before="Kết quả theo nhiệm vụ đơn vị chủ trì (mục III); sản phẩm ghi trong products: "
            + ", ".join(f"{k.id} ({k.name})" for k in plan.product_kinds),
        )
    doc["channels"] = None
    doc.yaml_add_eol_comment(
        "số thứ tự các phương thức truyền thông đã dùng (mục IV, 1–10), ví dụ [1, 2, 8]", "channels"
    )
    doc["budget_vnd"] = None
    doc.yaml_add_eol_comment(model.model_fields["budget_vnd"].description or "", "budget_vnd")
    doc["difficulties"] = None
    doc.yaml_add_eol_comment('ghi mỗi khó khăn, vướng mắc một dòng bên dưới, thụt 2 dấu cách: - "…"', "difficulties")
    doc["proposals"] = None
    doc.yaml_add_eol_comment('ghi mỗi đề xuất, kiến nghị một dòng bên dưới, thụt 2 dấu cách: - "…"', "proposals")
    doc.yaml_set_start_comment(
        f"yaml-language-server: $schema=../../{SCHEMA_FILE}\n"
        f"Báo cáo kết quả thực hiện Kế hoạch {plan.plan.number} năm {year}\n"
        f"Đơn vị: {unit.name}\n"
        f"Gửi Sở Văn hóa, Thể thao và Du lịch trước ngày {plan.unit_deadline(year).strftime('%d/%m/%Y')}.\n"
        "Ô để trống là chưa báo cáo (không phải 0): ghi số liệu vào sau dấu ':' của từng ô.\n"
        "Ghi số nguyên, không dùng dấu chấm phân cách hàng nghìn; true = có, false = chưa có;\n"
        "ngày viết theo dạng NĂM-THÁNG-NGÀY; chữ có dấu ':' hoặc số điện thoại đặt trong ngoặc kép.\n"
        "Kiểm tra tệp bằng lệnh: plan57 validate"
    )
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    buf = io.StringIO()
    yaml.dump(doc, buf)
    return buf.getvalue()
