"""Reading the plan file: loaded with locations, checked by the plan model, cached by its bytes."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

from plan57.base.diagnostics import Diagnostic
from plan57.base.errors import PlanError
from plan57.loading.yamlsafe import PLAN_MAX_NODES, Document, LoadError, load_bytes, read_bytes
from plan57.model.plan import Plan


def plan_problems(plan: Plan, doc: Document, shown: str) -> list[Diagnostic]:
    """The plan's problems beyond its shape (`model.plancheck`), located in its file."""
    from plan57.model.plancheck import problems

    out = []
    for p in problems(plan):
        loc = doc.key_loc(p.at) if p.key else doc.value_loc(p.at)
        out.append(Diagnostic(shown, loc.line, loc.col, p.severity, p.code, p.message))
    return sorted(out, key=lambda d: (d.line, d.col))


def plan_warnings(plan: Plan) -> list[Diagnostic]:
    """The warnings of a plan read whole (a block or an indicator nothing reads)."""
    return list(plan.derived.get("warnings", []))


def load_plan(path: Path, display: str | None = None, cache: bool = False) -> Plan:
    """Load and check a plan file; any problem raises PlanError with located diagnostics.

    With cache, a plan already read once is rebuilt from its cached data (keyed by its bytes).
    """
    from pydantic import ValidationError

    shown = display or str(path)
    limit = 16 * 1024 * 1024
    try:
        raw = read_bytes(path, shown, limit)
    except LoadError as exc:
        raise PlanError(exc.diagnostics) from None
    digest = hashlib.sha256(raw).hexdigest()
    if cache:
        from plan57.loading.cache import plan_data_get

        data = plan_data_get(digest)
        if data is not None:
            try:
                return Plan.model_validate({**data, "source_hash": digest})
            except ValidationError:
                pass  # a stale or damaged entry: read the file itself
    try:
        doc = load_bytes(raw, shown, limit, fast=True, max_nodes=PLAN_MAX_NODES)
        if not isinstance(doc.data, dict) and doc.fast:
            doc = load_bytes(raw, shown, limit, max_nodes=PLAN_MAX_NODES)
    except LoadError as exc:
        raise PlanError([_plan_words(d) for d in exc.diagnostics]) from None
    if not isinstance(doc.data, dict):
        raise PlanError([Diagnostic(shown, 1, 1, "error", "plan-shape", "tệp kế hoạch phải là một bảng khóa: giá trị")])
    try:
        plan = Plan.model_validate({**doc.data, "source_hash": digest})
    except ValidationError as exc:
        from plan57.validation.locate import pydantic_diagnostics

        if doc.fast:  # locate on the careful path
            doc = load_bytes(raw, shown, limit, max_nodes=PLAN_MAX_NODES)
        raise PlanError(pydantic_diagnostics(exc, doc, shown, root=Plan)) from None
    found = plan_problems(plan, doc, shown)
    if any(d.is_error for d in found):
        raise PlanError([d for d in found if d.is_error]) from None
    if found:  # warnings: said by `validate`; such a plan is read whole each time, so they are said again
        plan.derived["warnings"] = found
        return plan
    if cache:
        from plan57.loading.cache import plan_data_put

        plan_data_put(digest, doc.data)
    return plan


def _plan_words(d: Diagnostic) -> Diagnostic:
    """The loader's words for a submission, said of the plan where they differ (an empty file)."""
    if d.code == "empty":
        return dataclasses.replace(d, message="tệp kế hoạch rỗng: chưa có nội dung kế hoạch")
    return d
