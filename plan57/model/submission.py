"""The model of a unit's yearly submission (SPEC §2.2), built from the plan in use.

Task ids, channel ids, product kinds, training audiences, network groups and unit ids are the
plan's, so the same model validates files and generates the JSON Schema editors use.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, create_model
from pydantic_core import PydanticCustomError

from plan57.model.plan import Indicator, Plan

# No count a unit reports comes near this (the province's whole budget in đồng is below it); a
# larger number is a typing slip, and it keeps every sum exact in a spreadsheet cell (15 digits).
MAX_COUNT = 10**15 - 1
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
_VN_DATE = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")


def _date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        raise PydanticCustomError("vn_date", "chỉ ghi ngày, không ghi giờ: {iso}", {"iso": value.date().isoformat()})
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
        stamped = re.match(r"^\s*(\d{4}-\d{2}-\d{2})[ Tt]\d{1,2}:\d{2}", value)
        if stamped:
            raise PydanticCustomError("vn_date", "chỉ ghi ngày, không ghi giờ: {iso}", {"iso": stamped.group(1)})
        m = _VN_DATE.match(value)
        if m:
            day, month, year = (int(g) for g in m.groups())
            try:
                iso = dt.date(year, month, day).isoformat()
            except ValueError:
                raise PydanticCustomError("vn_date", "ngày '{v}' không có thật", {"v": value}) from None
            raise PydanticCustomError(
                "vn_date",
                "ngày phải viết theo dạng NĂM-THÁNG-NGÀY: '{v}' là ngày {d} tháng {m} năm {y}, hãy viết {iso}",
                {"v": value, "d": day, "m": month, "y": year, "iso": iso},
            )
    return value


def _url(value: str) -> str:
    if not re.match(r"^https?://[^\s/$.?#][^\s]*$", value, re.IGNORECASE):
        raise PydanticCustomError(
            "vn_url", "địa chỉ phải bắt đầu bằng http:// hoặc https:// (đang là '{v}')", {"v": value}
        )
    return value


def _email(value: str) -> str:
    if not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", value):
        raise PydanticCustomError("vn_email", "địa chỉ thư điện tử không hợp lệ ('{v}')", {"v": value})
    return value


VnDate = Annotated[dt.date, BeforeValidator(_date)]
Url = Annotated[str, AfterValidator(_url), Field(pattern=r"^https?://\S+$")]
Email = Annotated[str, AfterValidator(_email)]


# A field whose value carries over to next year's template (`plan57 new --from-year`): who the
# unit is and what it has (its plan, its portal section, its headcounts), not what it did this year.
# A new field says here whether it persists; nothing else lists them.
PERSISTS: dict[str, Any] = {"persists": True}


class Block(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Contact(Block):
    name: str | None = Field(None, description="Họ và tên người lập báo cáo", json_schema_extra=PERSISTS)
    position: str | None = Field(None, description="Chức vụ", json_schema_extra=PERSISTS)
    phone: str | None = Field(None, description="Số điện thoại, đặt trong ngoặc kép", json_schema_extra=PERSISTS)
    email: Email | None = Field(None, description="Thư điện tử", json_schema_extra=PERSISTS)


class ImplementationPlan(Block):
    issued: bool | None = Field(
        description="Đơn vị đã ban hành Kế hoạch triển khai chưa (true/false) — chỉ tiêu 2025.ke-hoach",
        json_schema_extra=PERSISTS,
    )
    reference: str | None = Field(
        None, description="Số, ký hiệu văn bản kế hoạch; bắt buộc khi đã ban hành", json_schema_extra=PERSISTS
    )
    date: VnDate | None = Field(
        None,
        description="Ngày ban hành kế hoạch; bắt buộc khi đã ban hành, không sau ngày gửi báo cáo",
        json_schema_extra=PERSISTS,
    )


class PortalSection(Block):
    exists: bool | None = Field(
        description="Đã có chuyên mục NQ57 trên Cổng/Trang thông tin điện tử chưa — chỉ tiêu 2025.chuyen-muc",
        json_schema_extra=PERSISTS,
    )
    url: Url | None = Field(
        None, description="Địa chỉ chuyên mục (http/https); bắt buộc khi đã có", json_schema_extra=PERSISTS
    )
    posts: Count | None = Field(None, description="Số tin, bài đã đăng trên chuyên mục")


class Staff(Block):
    total: Count | None = Field(
        description="Tổng số lãnh đạo, cán bộ, công chức, viên chức — chỉ tiêu 2025.can-bo", json_schema_extra=PERSISTS
    )
    informed: Count | None = Field(description="Số người đã được tuyên truyền, phổ biến NQ57 (≤ total)")


class CommunicationStaff(Block):
    total: Count | None = Field(
        description="Số cán bộ chuyên trách truyền thông, thông tin cơ sở, thông tin đối ngoại — chỉ tiêu 2030.dao-tao-can-bo",
        json_schema_extra=PERSISTS,
    )
    trained: Count | None = Field(
        description="Số người đã được đào tạo chuyên sâu kỹ năng truyền thông số, nội dung KH&CN (≤ total)"
    )


class Population(Block):
    total: Count | None = Field(description="Số dân của xã/phường — chỉ tiêu 2030.tiep-can", json_schema_extra=PERSISTS)
    reached: Count | None = Field(
        description="Số người dân được tiếp cận thông tin qua hệ thống thông tin cơ sở (≤ total)"
    )


class Grassroots(Block):
    villages_total: Count | None = Field(
        description="Số bản đồng bào dân tộc thiểu số, vùng sâu, vùng xa, biên giới — chỉ tiêu 2026.ha-tang",
        json_schema_extra=PERSISTS,
    )
    villages_equipped: Count | None = Field(
        description="Số bản đó đã được củng cố, hoàn thiện hạ tầng truyền thông cơ sở (≤ villages_total)"
    )


class ScienceTasks(Block):
    total: Count | None = Field(
        description="Số nhiệm vụ KH&CN sử dụng ngân sách nhà nước — chỉ tiêu 2026.nhiem-vu-khcn"
    )
    secret: Count | None = Field(
        0, description="Số nhiệm vụ liên quan đến bí mật nhà nước (không tính vào chỉ tiêu; ≤ total)"
    )
    communicated: Count | None = Field(
        description="Số nhiệm vụ được quản lý, lưu giữ, phục vụ tra cứu và truyền thông (≤ total − secret)"
    )


class Press(Block):
    dedicated_sections: Count | None = Field(description="Số chuyên trang, chuyên mục về NQ57 — chỉ tiêu 2025.bao-chi")
    national_cooperation: Count | None = Field(
        description="Số chương trình hợp tác, đặt hàng với kênh quốc gia — chỉ tiêu 2025.hop-tac"
    )


class Event(Block):
    date: VnDate = Field(description="Ngày tổ chức (NĂM-THÁNG-NGÀY)")
    name: str = Field(description="Tên sự kiện")
    participants: Count | None = Field(None, description="Số người tham dự")


def schema_title(plan: Plan) -> str:
    return f"Báo cáo kết quả thực hiện Kế hoạch {plan.plan.number}"


def indicator_description(indicator: Indicator) -> str:
    """An indicator's description: its label, what to count, and its bound."""
    text = indicator.label
    if indicator.hint:
        text += f": {indicator.hint}"
    if indicator.at_most:
        text += f" (≤ {indicator.at_most})"
    return text


_MODELS: dict[str, type[BaseModel]] = {}


def submission_model(plan: Plan) -> type[BaseModel]:
    """The Submission model for this plan (built once per plan)."""
    key = plan.source_hash or str(id(plan))
    if key not in _MODELS:
        _MODELS[key] = _build(plan)
    return _MODELS[key]


def _lit(values: list[Any]) -> Any:
    return Literal[tuple(values)]


def _build(plan: Plan) -> type[BaseModel]:
    cfg = ConfigDict(extra="forbid", strict=True)
    products = create_model(  # type: ignore[call-overload]
        "Products",
        __config__=cfg,
        **{k.id: (Count | None, Field(None, description=f"Số sản phẩm: {k.name}")) for k in plan.product_kinds},
    )
    task_report = create_model(
        "TaskReport",
        __config__=cfg,
        activities=(Count | None, Field(None, description="Số hoạt động đã thực hiện")),
        products=(products | None, Field(None, description="Sản phẩm truyền thông theo loại")),
        events=(list[Event] | None, Field(None, description="Các sự kiện đã tổ chức")),
        note=(str | None, Field(None, description="Ghi chú")),
    )
    tasks = create_model(  # type: ignore[call-overload]
        "Tasks",
        __config__=cfg,
        **{
            f"t_{i}": (task_report | None, Field(None, alias=t.id, description=f"Nhiệm vụ {t.id}"))
            for i, t in enumerate(plan.tasks)
        },
    )
    extra: dict[str, Any] = {}
    if plan.indicators:
        indicators = create_model(  # type: ignore[call-overload]
            "Indicators",
            __config__=cfg,
            **{
                i.id: (
                    Count | None,
                    Field(
                        None, description=indicator_description(i), json_schema_extra=PERSISTS if i.persists else None
                    ),
                )
                for i in plan.indicators
            },
        )
        extra["indicators"] = (indicators | None, Field(None, description="Các chỉ số riêng của kế hoạch"))
    network = create_model(  # type: ignore[call-overload]
        "Network",
        __config__=cfg,
        **{g.id: (Count | None, Field(None, description=f"Số thành viên: {g.name}")) for g in plan.network_groups},
    )
    training = create_model(
        "Training",
        __config__=cfg,
        name=(str, Field(description="Tên chương trình đào tạo, bồi dưỡng")),
        audience=(
            _lit([a.id for a in plan.training_audiences]),
            Field(description="Đối tượng: " + ", ".join(f"{a.id} ({a.name})" for a in plan.training_audiences)),
        ),
        participants=(Count, Field(description="Số người tham gia")),
    )
    first, last = plan.plan.period.start, plan.plan.period.end
    # the plan's channel numbers, as a list type built at run time (typed Any for the type checker)
    channel_list: Any = list.__class_getitem__(_lit([c.id for c in plan.channels])) | None
    return create_model(
        "Submission",
        __config__=ConfigDict(extra="forbid", strict=True, title=schema_title(plan)),
        unit=(_lit([u.id for u in plan.units]), Field(description="Mã đơn vị (trùng tên tệp)")),
        year=(Annotated[int, Field(ge=first, le=last)], Field(description="Năm báo cáo (trùng tên thư mục)")),
        submitted=(
            VnDate | None,
            Field(
                description="Ngày gửi báo cáo (NĂM-THÁNG-NGÀY); để trống khi chưa gửi: tệp là bản nháp, chưa được tính"
            ),
        ),
        reference=(str | None, Field(None, description="Số, ký hiệu, ngày của văn bản báo cáo")),
        sample=(
            bool,
            Field(
                False,
                description="true nếu số liệu chỉ là minh họa, không phải số liệu thật",
                json_schema_extra=PERSISTS,  # figures carried from sample data stay sample data
            ),
        ),
        contact=(Contact | None, Field(None, description="Người liên hệ")),
        implementation_plan=(ImplementationPlan | None, Field(None, description="Kế hoạch triển khai của đơn vị")),
        portal_section=(
            PortalSection | None,
            Field(None, description="Chuyên mục NQ57 trên Cổng/Trang thông tin điện tử"),
        ),
        staff=(Staff | None, Field(None, description="Lãnh đạo, cán bộ, công chức, viên chức")),
        communication_staff=(CommunicationStaff | None, Field(None, description="Cán bộ làm công tác truyền thông")),
        population=(Population | None, Field(None, description="Người dân (xã, phường)")),
        grassroots=(Grassroots | None, Field(None, description="Hạ tầng truyền thông cơ sở ở các bản (xã, phường)")),
        science_tasks=(ScienceTasks | None, Field(None, description="Nhiệm vụ KH&CN sử dụng ngân sách nhà nước")),
        press=(Press | None, Field(None, description="Cơ quan báo chí")),
        network=(network | None, Field(None, description="Mạng lưới truyền thông KH, CN, ĐMST và CĐS")),
        training=(list[training] | None, Field(None, description="Chương trình đào tạo, bồi dưỡng trong năm")),
        **extra,
        tasks=(tasks | None, Field(None, description="Kết quả theo từng nhiệm vụ của mục III")),
        channels=(
            channel_list,
            Field(None, description="Các phương thức truyền thông đã dùng (mục IV, số 1–10)"),
        ),
        budget_vnd=(Count | None, Field(None, description="Kinh phí đã chi (đồng)")),
        difficulties=(list[str] | None, Field(None, description="Khó khăn, vướng mắc")),
        proposals=(list[str] | None, Field(None, description="Đề xuất, kiến nghị")),
    )


def _untitled(node: Any) -> Any:
    """Drop pydantic's English class-name titles: editors show the Vietnamese descriptions."""
    if isinstance(node, dict):
        return {k: _untitled(v) for k, v in node.items() if not (k == "title" and isinstance(v, str))}
    if isinstance(node, list):
        return [_untitled(v) for v in node]
    return node


def json_schema(plan: Plan) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a submission for this plan."""
    schema = _untitled(submission_model(plan).model_json_schema(by_alias=True))
    schema["title"] = schema_title(plan)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://plan57.invalid/submission.schema.json",
        **schema,
    }
