"""Next year's template from last year's submission (`plan57 new --from-year`).

What carries over is declared on the submission model itself: a field whose definition holds
`json_schema_extra=PERSISTS` (model/submission.py) is a fact about the unit that stays true from one
year to the next (its contact person, its implementation plan, its portal section, its headcounts);
every other field is this year's figure and starts empty (null), `submitted` included, so the new
file is a draft.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from plan57.model.form import unwrap
from plan57.model.plan import Plan
from plan57.model.submission import submission_model


def persists(field: FieldInfo) -> bool:
    """Whether a field of the submission model carries over to the next year."""
    extra = field.json_schema_extra
    return isinstance(extra, dict) and extra.get("persists") is True


def carried_blocks(plan: Plan, unit_id: str) -> list[str]:
    """The blocks of this unit's template: the contact and the blocks its targets read."""
    return ["contact", *plan.blocks_for(plan.unit_index[unit_id])]


def persistent_paths(plan: Plan, unit_id: str) -> list[tuple[str, ...]]:
    """The key paths of this unit's template that carry over, in the model's order."""
    model = submission_model(plan)
    blocks = set(carried_blocks(plan, unit_id))
    out: list[tuple[str, ...]] = []
    for name, field in model.model_fields.items():
        if persists(field):
            out.append((name,))
            continue
        if name not in blocks:
            continue
        sub = unwrap(field.annotation)
        if isinstance(sub, type) and issubclass(sub, BaseModel):
            out += [(name, key) for key, f in sub.model_fields.items() if persists(f)]
    return out


def _default(model: type[BaseModel], path: tuple[str, ...]) -> Any:
    """A field's default when it has one (`sample: false`), else None."""
    fields = model.model_fields
    for key in path[:-1]:
        fields = unwrap(fields[key].annotation).model_fields
    field = fields[path[-1]]
    return None if field.is_required() else field.default


def carry_over(plan: Plan, unit_id: str, year: int, previous: Mapping[str, Any]) -> dict[str, Any]:
    """What next year's template holds from `previous`, a valid submission of an earlier year
    (as validated data): the unit, the new year, and the value of every persistent field of the
    unit's blocks, nested as in a submission — null where the earlier file left it empty, so the
    template says "not reported" as that file did. A field at its default (`sample: false`) is
    left out, as a fresh template leaves it."""
    model = submission_model(plan)
    out: dict[str, Any] = {"unit": unit_id, "year": year}
    for path in persistent_paths(plan, unit_id):
        node: Any = previous
        for key in path:
            node = node.get(key) if isinstance(node, Mapping) else None
        default = _default(model, path)
        if default is not None and node == default:
            continue
        target = out
        for key in path[:-1]:
            target = target.setdefault(key, {})
        target[path[-1]] = node
    return out
