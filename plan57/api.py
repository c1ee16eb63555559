"""The library entry points the commands call: load a workspace, score a year."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import UsageError
from .paths import default_plan, default_units
from .plan import Plan, load_plan
from .score import YearResult, latest_year, score_year
from .validate import Collection, validate_tree
from .yamlsafe import DEFAULT_MAX_SIZE


@dataclass
class Workspace:
    """The plan in use and every submission found, validated."""

    plan: Plan
    collection: Collection
    plan_path: Path
    units_dir: Path


def open_plan(plan: Path | None = None) -> tuple[Plan, Path]:
    path = plan or default_plan()
    if not path.is_file():
        raise UsageError(f"không tìm thấy tệp kế hoạch '{path}'")
    return load_plan(path), path


def open_workspace(plan: Path | None = None, units: Path | None = None, max_size: int = DEFAULT_MAX_SIZE) -> Workspace:
    the_plan, plan_path = open_plan(plan)
    units_dir = units or default_units()
    return Workspace(the_plan, validate_tree(units_dir, the_plan, max_size), plan_path, units_dir)


def check_year(plan: Plan, year: int) -> int:
    if year not in plan.years:
        raise UsageError(
            f"năm {year} nằm ngoài thời gian của kế hoạch ({plan.years.start}–{plan.years.stop - 1})"
        )
    return year


def score(ws: Workspace, year: int | None) -> YearResult:
    """Score `year`, by default the latest year with submissions (else the plan's first year)."""
    if year is None:
        year = latest_year(ws.plan, ws.collection) or ws.plan.years.start
    return score_year(ws.plan, ws.collection, check_year(ws.plan, year))
