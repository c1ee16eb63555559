"""What a plan must hold together beyond its shape (SPEC §11): every id it uses declared once,
every unit it names in its registry, every field a measure reads a field of the submission, every
year in its period, every threshold a share. Each problem names the key path it stands at, so the
reader of the file can place it."""

from __future__ import annotations

import datetime as dt
import typing
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from plan57.model.plan import Plan, Selector, Target
from plan57.model.submission import submission_model

# The parts of a submission that are not blocks a kind fills: who sends it, for when, and how
_NOT_BLOCKS = frozenset({"unit", "year", "submitted", "reference", "sample", "contact"})
# Blocks the report reads for every unit, whatever the targets (the annex, tasks, channels,
# trainings, funding, difficulties and proposals)
REPORTED = frozenset(
    {
        "implementation_plan",
        "portal_section",
        "training",
        "tasks",
        "channels",
        "budget_vnd",
        "difficulties",
        "proposals",
    }
)


@dataclass(frozen=True)
class Problem:
    """One problem of the plan, at a key path of its file (`key`: at the key rather than the value)."""

    at: tuple[Any, ...]
    severity: Literal["error", "warning"]
    code: str
    message: str
    key: bool = False


def problems(plan: Plan) -> list[Problem]:
    """Every problem of the plan, errors and warnings, in the file's order of sections."""
    out: list[Problem] = []

    def error(at: tuple[Any, ...], code: str, message: str, key: bool = False) -> None:
        out.append(Problem(at, "error", code, message, key))

    _duplicates(plan, error)
    kinds = set(plan.kind_ids)
    units = set(plan.unit_index)
    known_kinds = ", ".join(plan.kind_ids)

    def kind_ok(at: tuple[Any, ...], kind: str) -> None:
        if kind not in kinds:
            error(at, "plan-kind", f"loại đơn vị '{kind}' chưa được khai báo trong 'kinds' (các loại: {known_kinds})")

    def unit_ok(at: tuple[Any, ...], uid: str, role: str) -> None:
        if uid not in units:
            error(at, "plan-unit", f"{role} '{uid}' không có trong danh mục đơn vị (units)")

    def selectors(at: tuple[Any, ...], sels: list[Selector], role: str) -> None:
        for j, sel in enumerate(sels):
            if sel.unit is not None:
                unit_ok((*at, j, "unit"), sel.unit, role)
            for k, kind in enumerate(sel.kinds or []):
                kind_ok((*at, j, "kinds", k), kind)

    model = submission_model(plan)
    blocks = [name for name in model.model_fields if name not in _NOT_BLOCKS]
    for i, kind in enumerate(plan.kinds):
        for j, block in enumerate(kind.blocks):
            if block not in blocks:
                error(
                    ("kinds", i, "blocks", j),
                    "plan-block",
                    f"khối '{block}' không có trong mẫu báo cáo (các khối: {', '.join(blocks)})",
                )
    for i, unit in enumerate(plan.units):
        kind_ok(("units", i, "kind"), unit.kind)
    unit_ok(("reporting", "compiler"), plan.reporting.compiler, "cơ quan tổng hợp (compiler)")
    start, end = plan.plan.period.start, plan.plan.period.end
    for i, target in enumerate(plan.targets):
        at = ("targets", i)
        if not start <= target.year <= end:
            error(
                (*at, "year"),
                "plan-year",
                f"năm {target.year} của chỉ tiêu {target.id} nằm ngoài thời gian kế hoạch {start}–{end}",
            )
        if target.threshold is not None and not 0 < target.threshold <= 1:
            error(
                (*at, "threshold"),
                "plan-threshold",
                f'ngưỡng của chỉ tiêu {target.id} phải lớn hơn 0% và không quá 100% (từ 0 đến 1, ví dụ "4/5")',
            )
        for k, kid in enumerate(target.applies_to.kinds):
            kind_ok((*at, "applies_to", "kinds", k), kid)
        for k, uid in enumerate(target.applies_to.units):
            unit_ok((*at, "applies_to", "units", k), uid, "đơn vị")
        for where, path in _paths(target):
            problem = _path_problem(model, target, path)
            if problem:
                error((*at, *where), "plan-field", f"chỉ tiêu {target.id}: {problem}")
    groups = {g.id for g in plan.task_groups}
    for i, task in enumerate(plan.tasks):
        if task.group not in groups:
            error(("tasks", i, "group"), "plan-group", f"nhóm nhiệm vụ {task.group} không có trong 'task_groups'")
        selectors(("tasks", i, "leads"), task.leads, "cơ quan chủ trì")
        selectors(("tasks", i, "coordinators"), task.coordinators, "cơ quan phối hợp")
    if plan.key_days_task is not None and plan.key_days_task not in plan.task_index:
        error(("key_days_task",), "plan-task", f"nhiệm vụ '{plan.key_days_task}' không có trong 'tasks'")
    for i, ind in enumerate(plan.indicators):
        for k, kid in enumerate(ind.kinds or []):
            kind_ok(("indicators", i, "kinds", k), kid)
        if ind.at_most is not None:
            leaf = _leaf(model, ind.at_most)
            if leaf is not int:
                error(
                    ("indicators", i, "at_most"),
                    "plan-field",
                    f"chỉ số {ind.id}: '{ind.at_most}' không phải một trường số của mẫu báo cáo",
                )
    if plan.reporting.start is not None and plan.reporting.start < dt.date(start - 1, 1, 1):
        error(("reporting", "start"), "plan-year", f"ngày bắt đầu thực hiện nằm ngoài thời gian kế hoạch {start}–{end}")
    if not [p for p in out if p.severity == "error"]:
        out.extend(_unused(plan))
    return out


def _duplicates(plan: Plan, error: Any) -> None:
    for name in (
        "kinds",
        "units",
        "indicators",
        "targets",
        "task_groups",
        "tasks",
        "channels",
        "product_kinds",
        "training_audiences",
        "network_groups",
    ):
        seen: dict[Any, int] = {}
        for i, item in enumerate(getattr(plan, name)):
            if item.id in seen:
                error(
                    (name, i, "id"),
                    "plan-duplicate",
                    f"mã '{item.id}' bị lặp trong '{name}' (đã có ở mục thứ {seen[item.id] + 1})",
                )
            else:
                seen[item.id] = i


def _paths(target: Target) -> list[tuple[tuple[Any, ...], str]]:
    """Each field the measure reads, with where it is written in the target."""
    out: list[tuple[tuple[Any, ...], str]] = []
    if target.field:
        out.append((("field",), target.field))
    for name in ("numerator", "denominator", "fields"):
        for j, path in enumerate(getattr(target, name)):
            out.append(((name, j), path.lstrip("-")))
    return out


def _leaf(model: type[BaseModel], path: str) -> Any:
    """The type of the field at a dotted key path of a submission (through a list to its items'
    fields), or None when the submission has no such field."""
    from plan57.model.form import unwrap

    current: Any = model
    for seg in path.split("."):
        current = unwrap(current)
        if typing.get_origin(current) is list:
            current = unwrap(typing.get_args(current)[0])
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = next((f for name, f in current.model_fields.items() if (f.alias or name) == seg), None)
        if field is None:
            return None
        current = field.annotation
    current = unwrap(current)
    if typing.get_origin(current) is typing.Literal:
        return typing.Literal
    return current


def _path_problem(model: type[BaseModel], target: Target, path: str) -> str | None:
    leaf = _leaf(model, path)
    if leaf is None:
        return f"trường '{path}' không có trong mẫu báo cáo (không khối hay chỉ số nào khai báo trường này)"
    m = target.measure
    if m == "share" and target.at_least is None and leaf is not bool:
        return f"trường '{path}' không phải trường có/không (true/false); với một số, hãy ghi thêm 'at_least'"
    if m == "share" and target.at_least is not None and leaf is not int:
        return f"trường '{path}' không phải một số"
    if m in ("ratio", "totals_at_least", "sum_at_least") and leaf is not int:
        return f"trường '{path}' không phải một số"
    if m == "covers" and leaf is not typing.Literal:
        return f"trường '{path}' không phải một danh mục mã"
    return None


def _unused(plan: Plan) -> list[Problem]:
    """A block a kind declares, or an indicator, that nothing reads: the units would fill it for nothing."""
    out: list[Problem] = []
    read = {p.split(".")[0] for t in plan.targets for p in t.paths}
    read_fields = {p for t in plan.targets for p in t.paths}
    for i, kind in enumerate(plan.kinds):
        for j, block in enumerate(kind.blocks):
            if block not in read and block not in REPORTED and block != "indicators":
                out.append(
                    Problem(
                        ("kinds", i, "blocks", j),
                        "warning",
                        "plan-unused",
                        f"khối '{block}' của loại '{kind.id}' không được chỉ tiêu, nhiệm vụ hay mục báo cáo nào đọc",
                    )
                )
    for i, ind in enumerate(plan.indicators):
        if f"indicators.{ind.id}" not in read_fields:
            out.append(
                Problem(
                    ("indicators", i, "id"),
                    "warning",
                    "plan-unused",
                    f"chỉ số '{ind.id}' không được chỉ tiêu nào đọc: đơn vị ghi số liệu này nhưng nó chỉ hiện ở phụ lục",
                )
            )
    return out
