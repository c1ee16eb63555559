"""The library entry points the commands call: load a workspace, score a year."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from plan57.base.errors import OutputError, UsageError
from plan57.base.paths import default_plan, default_units
from plan57.loading.yamlsafe import DEFAULT_MAX_SIZE
from plan57.model.plan import Plan
from plan57.scoring.score import YearResult, latest_year, score_year
from plan57.validation.plan_file import load_plan
from plan57.validation.validate import Collection, validate_tree


@dataclass
class Workspace:
    """The plan in use and every submission found, validated."""

    plan: Plan
    collection: Collection
    plan_path: Path
    units_dir: Path


def open_plan(plan: Path | None = None, cache: bool = False) -> tuple[Plan, Path]:
    path = plan or default_plan()
    if not path.is_file():
        raise UsageError(f"không tìm thấy tệp kế hoạch '{path}'")
    return load_plan(path, cache=cache), path


def open_workspace(
    plan: Path | None = None, units: Path | None = None, max_size: int = DEFAULT_MAX_SIZE, cache: bool = True
) -> Workspace:
    the_plan, plan_path = open_plan(plan, cache)
    units_dir = units or default_units()
    return Workspace(the_plan, validate_tree(units_dir, the_plan, max_size, cache=cache), plan_path, units_dir)


def check_year(plan: Plan, year: int) -> int:
    if year not in plan.years:
        raise UsageError(f"năm {year} nằm ngoài thời gian của kế hoạch ({plan.years.start}–{plan.years.stop - 1})")
    return year


def score(ws: Workspace, year: int | None) -> YearResult:
    """Score `year`, by default the latest year with submissions (else the plan's first year)."""
    if year is None:
        year = latest_year(ws.plan, ws.collection) or ws.plan.years.start
    return score_year(ws.plan, ws.collection, check_year(ws.plan, year))


def unit_states(ws: Workspace, year: int | None) -> tuple[int, list[dict[str, object]]]:
    """(year, each registry unit with its state for that year and its file), in registry order.

    The state is the scoring state (on_time, late, invalid, missing); `draft` is true for a
    missing unit whose file is a valid draft (no sending date yet).
    """
    from plan57.scoring.score import YearData

    if year is None:
        year = latest_year(ws.plan, ws.collection) or ws.plan.years.start
    check_year(ws.plan, year)
    data = YearData.build(ws.plan, ws.collection, year)
    rows: list[dict[str, object]] = []
    for unit in ws.plan.units:
        files = data.files.get(unit.id) or []
        state = data.state(ws.plan, unit.id)
        rows.append(
            {
                "id": unit.id,
                "name": unit.name,
                "kind": unit.kind,
                "state": state,
                "draft": state == "missing" and bool(files),
                "file": ", ".join(f.display for f in files) or None,
            }
        )
    return year, rows


def existing_file(units_dir: Path, year: int, unit_id: str) -> Path | None:
    for suffix in (".yaml", ".yml"):
        path = units_dir / str(year) / f"{unit_id}{suffix}"
        if path.exists():
            return path
    return None


def write_template(plan: Plan, units_dir: Path, unit_id: str, year: int, force: bool = False) -> Path:
    """Write a fresh template for one unit (never over an existing file without force)."""
    from plan57.base.atomic import write_text
    from plan57.render.template import new_submission

    check_year(plan, year)
    target = units_dir / str(year) / f"{unit_id}.yaml"
    other = existing_file(units_dir, year, unit_id)
    if other is not None and not force:
        raise OutputError(f"đơn vị '{unit_id}' đã có báo cáo năm {year}: '{other}'; dùng --force để ghi đè")
    write_text(target, new_submission(plan, unit_id, year), overwrite=force)
    if other is not None and other != target:
        other.unlink()  # the unit keeps one file: the fresh .yaml replaces its .yml
    return target


def write_schema(plan: Plan, units_dir: Path, force: bool = False) -> Path:
    """The JSON Schema beside the units folder, where every template's $schema line points.

    Written when absent (or with force): an existing file is never replaced unasked.
    """
    import json

    from plan57.base.atomic import write_text
    from plan57.model.submission import json_schema
    from plan57.render.template import SCHEMA_FILE

    path = units_dir.parent / SCHEMA_FILE
    if force or not path.exists():
        write_text(path, json.dumps(json_schema(plan), ensure_ascii=False, indent=2) + "\n")
    return path
