"""The JSON shape of `score --format json` (SPEC §4)."""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

from plan57.base.numbers import decimal_string
from plan57.scoring.score import Point, TargetResult, YearResult


def _rational(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (Fraction, int)):
        return decimal_string(Fraction(value))
    return value


def target_json(t: TargetResult) -> dict[str, Any]:
    out = {
        "id": t.target.id,
        "due": t.due,
        "judged_year": t.judged_year,
        "threshold": _rational(t.threshold),
        "numerator": t.numerator,
        "denominator": t.denominator,
        "value": _rational(t.value),
        "coverage": _rational(t.coverage),
        "required": _rational(t.required),
        "status": t.status,
    }
    if t.current is not None:
        out["current"] = _current(t.current)
    out["history"] = [
        {"year": p.year, "value": _rational(p.value), "coverage": _rational(p.coverage), "status": p.status}
        for p in t.history
    ]
    return out


def _current(p: Point) -> dict[str, Any]:
    return {
        "numerator": p.numerator,
        "denominator": p.denominator,
        "value": _rational(p.value),
        "coverage": _rational(p.coverage),
    }


def score_dict(result: YearResult) -> dict[str, Any]:
    r = result.reporting
    return {
        "year": result.year,
        "reporting": {
            "expected": len(r.expected),
            "submitted": len(r.submitted),
            "on_time": len(r.on_time),
            "missing": r.missing,
            "late": r.late,
            "invalid": r.invalid,
            "invalid_files": r.invalid_files,
        },
        "targets": [target_json(t) for t in result.targets],
        "tasks": [
            {
                "id": t.task.id,
                "leads_expected": len(t.leads_expected),
                "leads_done": len(t.leads_done),
                "status": t.status,
            }
            for t in result.tasks
        ],
        "budget_vnd": {
            "total": result.budget.total,
            "units": result.budget.units,
            "by_kind": {k: {"total": p.total, "units": p.units} for k, p in result.budget.by_kind.items()},
        },
        # some submission read for a figure is sample data: the years it is of (SPEC §5)
        "sample": result.sample,
        "sample_years": result.sample_years,
    }


def score_json(result: YearResult, explain: bool = False) -> str:
    """The result as JSON; with `explain`, each target carries `explain`: its `formula` with its
    numbers and every line `score --explain` prints for it (Vietnamese text)."""
    data = score_dict(result)
    if explain:
        from plan57.render.explain import explain as explain_target

        for out, t in zip(data["targets"], result.targets):
            e = explain_target(result, t)
            out["explain"] = {"formula": e.formula, "lines": e.lines}
    return json.dumps(data, ensure_ascii=False, indent=2)


def unit_dict(result: YearResult, unit_id: str) -> str:
    """One unit's scorecard as JSON: its state, its own figures per target, its lead tasks."""
    row = next(r for r in result.rows if r.unit.id == unit_id)
    targets = []
    for t in result.targets:
        if unit_id not in t.expected:
            continue
        c = next((c for c in t.contributions if c.unit == unit_id), None)
        targets.append(
            {
                "id": t.target.id,
                "judged_year": t.judged_year,  # the year the unit's figures below are of
                "numerator": c.numerator if c else None,
                "denominator": c.denominator if c else None,
                "met": c.met if c else None,
            }
        )
    tasks = [{"id": t.task.id, "done": unit_id in t.leads_done} for t in result.tasks if unit_id in t.leads_expected]
    return json.dumps(
        {
            "year": result.year,
            "sample": result.sample,
            "sample_years": result.sample_years,
            "unit": unit_id,
            "state": row.state,
            "targets": targets,
            "tasks": tasks,
        },
        ensure_ascii=False,
        indent=2,
    )
