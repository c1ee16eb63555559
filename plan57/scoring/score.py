"""Scoring (SPEC §4): a few generic measures over the targets the plan declares.

Everything a report shows is computed here once, in a YearResult; renderers only format it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from plan57.model.plan import Plan, Target, Task, Unit
from plan57.validation.validate import Collection, FileResult

STATUS_LABEL = {
    "insufficient_data": "Chưa đủ dữ liệu",
    "met": "Đạt",
    "not_met": "Chưa đạt",
    "not_due": "Chưa đến hạn",
    "baseline": "Mốc cơ sở",
    "on_track": "Đúng tiến độ",
    "off_track": "Chậm tiến độ",
}
# Tasks are done or not, in the words used of a task
TASK_STATUS_LABEL = {"met": "Hoàn thành", "not_met": "Chưa hoàn thành", "insufficient_data": "Chưa đủ dữ liệu"}
STATE_LABEL = {"on_time": "Đúng hạn", "late": "Gửi muộn", "invalid": "Tệp lỗi", "missing": "Chưa gửi"}

Record = dict[str, Any]


_PARTS: dict[str, list[str]] = {}


def get(record: Record | None, path: str) -> Any:
    parts = _PARTS.get(path)
    if parts is None:
        parts = _PARTS[path] = path.split(".")
    node: Any = record
    for part in parts:
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


# ---- one year's submissions ----------------------------------------------------------------


@dataclass
class YearData:
    """The submissions of one year, by unit: valid records, invalid files, states."""

    year: int
    records: dict[str, Record]
    files: dict[str, list[FileResult]]
    invalid_files: list[FileResult]

    @classmethod
    def build(cls, plan: Plan, coll: Collection, year: int) -> YearData:
        files: dict[str, list[FileResult]] = {}
        invalid: list[FileResult] = []
        for f in coll.for_year(year):
            if f.unit_id is not None:
                files.setdefault(f.unit_id, []).append(f)
            if not f.valid:
                invalid.append(f)
        records = {
            uid: fs[0].record
            for uid, fs in files.items()
            if len(fs) == 1 and fs[0].valid and fs[0].record is not None and fs[0].record.get("submitted")
        }
        return cls(year, records, files, invalid)  # type: ignore[arg-type]

    def state(self, plan: Plan, unit_id: str) -> str:
        """on_time, late, invalid, or missing (no file, or only a draft without a sending date)."""
        if unit_id in self.records:
            return "on_time" if self.submitted_on(unit_id) < plan.unit_deadline(self.year) else "late"
        files = self.files.get(unit_id)
        if files and (len(files) > 1 or not files[0].valid):
            return "invalid"
        return "missing"

    def submitted_on(self, unit_id: str) -> dt.date:
        return self.records[unit_id]["submitted"]  # type: ignore[no-any-return]


# ---- results ------------------------------------------------------------------------------


@dataclass
class Reporting:
    expected: list[str]
    submitted: list[str]
    on_time: list[str]
    missing: list[str]
    late: list[str]
    invalid: list[str]
    invalid_files: list[str]
    deadline: dt.date


@dataclass(slots=True)
class Contribution:
    """What one expected unit brought to a target (for --explain and --unit)."""

    unit: str
    numerator: int | None = None
    denominator: int | None = None
    met: bool | None = None
    note: str = ""


@dataclass
class TargetResult:
    target: Target
    due: bool
    threshold: Fraction | None
    numerator: int | None
    denominator: int | None
    value: Fraction | bool | None
    coverage: Fraction | None
    required: Fraction | None
    status: str
    baseline_year: int | None
    expected: list[str]
    contributions: list[Contribution] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return STATUS_LABEL[self.status]


@dataclass
class TaskResult:
    task: Task
    leads_expected: list[str]
    leads_done: list[str]
    status: str
    activities: int
    products: dict[str, int]
    reporters: list[str]  # units that reported anything on the task
    events: list[tuple[str, Record]]  # (unit, event) in registry then date order
    key_day_events: dict[str, list[tuple[str, Record]]]

    @property
    def status_label(self) -> str:
        return TASK_STATUS_LABEL[self.status]


@dataclass
class UnitRow:
    unit: Unit
    state: str
    file: str | None
    submitted: dt.date | None
    plan_issued: bool | None
    portal_section: bool | None
    ratios: dict[str, tuple[int, int]]  # target id → (numerator, denominator) of this unit
    sample: bool


@dataclass
class YearResult:
    year: int
    plan: Plan
    reporting: Reporting
    targets: list[TargetResult]
    tasks: list[TaskResult]
    channels: dict[int, list[str]]
    feedback: list[tuple[str, list[str], list[str]]]  # (unit, difficulties, proposals)
    rows: list[UnitRow]
    sample: bool
    records: dict[str, Record] = field(default_factory=dict)  # the year's valid submissions

    def unit_name(self, unit_id: str) -> str:
        return self.plan.unit_index[unit_id].name


# ---- measures -----------------------------------------------------------------------------


def _sum(record: Record, paths: list[str]) -> int:
    total = 0
    for p in paths:
        sign = -1 if p.startswith("-") else 1
        total += sign * (get(record, p.lstrip("-")) or 0)
    return total


def _block_present(record: Record | None, target: Target) -> bool:
    return record is not None and all(record.get(b) is not None for b in target.blocks)


@dataclass
class _Measured:
    value: Fraction | bool | None
    numerator: int | None = None
    denominator: int | None = None
    coverage: Fraction | None = None
    contributions: list[Contribution] = field(default_factory=list)


def measure(plan: Plan, target: Target, data: YearData) -> _Measured:
    expected = plan.expected_units(target)
    records = [(u.id, data.records.get(u.id)) for u in expected]
    m = target.measure
    if m == "share":
        contribs = []
        for uid, rec in records:
            v = get(rec, target.field or "")
            ok = (
                (v is True)
                if target.at_least is None
                else (isinstance(v, int) and not isinstance(v, bool) and v >= target.at_least)
            )
            contribs.append(Contribution(uid, met=ok, note="" if rec is not None else data.state(plan, uid)))
        n, d = sum(1 for c in contribs if c.met), len(contribs)
        return _Measured(Fraction(n, d) if d else None, n, d, Fraction(1) if d else None, contribs)
    if m == "ratio":
        contribs, num, den, have = [], 0, 0, 0
        for uid, rec in records:
            if _block_present(rec, target):
                a, b = _sum(rec, target.numerator), _sum(rec, target.denominator)  # type: ignore[arg-type]
                num, den, have = num + a, den + b, have + 1
                thr: Fraction = target.threshold  # type: ignore[assignment]
                met = None if b == 0 else a * thr.denominator >= thr.numerator * b  # exact, without a Fraction
                contribs.append(Contribution(uid, a, b, met=met))
            else:
                contribs.append(Contribution(uid, note=data.state(plan, uid) if rec is None else "no_block"))
        value = Fraction(num, den) if have and den > 0 else None
        coverage = Fraction(have, len(records)) if records else None
        return _Measured(value, num if have else None, den if have else None, coverage, contribs)
    if m == "totals_at_least":
        with_block = [(uid, rec) for uid, rec in records if _block_present(rec, target)]
        totals = {p: sum(get(rec, p) or 0 for _, rec in with_block) for p in target.fields}
        contribs = [
            Contribution(uid, met=all((get(rec, p) or 0) >= (target.at_least or 1) for p in target.fields))
            for uid, rec in with_block
        ]
        value = all(t >= (target.at_least or 1) for t in totals.values()) if with_block else None
        return _Measured(value, contributions=contribs)
    # covers: the values seen across the units' lists cover the required ones
    block, _, key = (target.field or "").partition(".")
    seen: set[Any] = set()
    contribs = []
    any_block = False
    for uid, rec in records:
        items = rec.get(block) if rec is not None else None
        if items is None:
            continue
        any_block = True
        mine = {item.get(key) for item in items if isinstance(item, dict)}
        seen |= mine
        contribs.append(
            Contribution(
                uid, met=bool(mine & set(target.values)), note=", ".join(sorted(map(str, mine & set(target.values))))
            )
        )
    return _Measured(set(target.values) <= seen if any_block else None, contributions=contribs)


def status_of(
    target: Target, year: int, measured: _Measured, earlier: Callable[[int], _Measured], first_year: int
) -> tuple[str, Fraction | None, int | None]:
    """(status, required value, baseline year) by the five rules of SPEC §4, in order.

    `earlier(y)` measures the target in an earlier year y, from the plan's first year; it is called
    only to find the baseline of a not-yet-due ratio, and no further than the first year with a value.
    """
    value = measured.value
    required: Fraction | None = None
    base: int | None = None
    if value is not None and not target.is_condition and target.year > year:
        # the trajectory of a not-yet-due ratio, from the first year with a value (rule 5)
        history = {year: measured}
        base = year
        for y in range(first_year, year):
            history[y] = earlier(y)
            if history[y].value is not None:
                base = y
                break
        if base < year:
            vb: Fraction = history[base].value  # type: ignore[assignment]
            thr: Fraction = target.threshold  # type: ignore[assignment]
            required = vb + (thr - vb) * Fraction(year - base, target.year - base)
    if value is None:
        return "insufficient_data", None, None
    if target.is_condition:
        if value is True:
            return "met", None, None
    elif value >= target.threshold:  # type: ignore[operator]
        if measured.coverage is not None and measured.coverage < 1:
            return "insufficient_data", required, base
        return "met", required, base
    if target.year <= year:
        return "not_met", None, None
    if target.is_condition:
        return "not_due", None, None
    if base == year:
        return "baseline", None, base
    return ("on_track" if value >= required else "off_track"), required, base  # type: ignore[operator]


def score_target(plan: Plan, target: Target, years: dict[int, YearData], year: int) -> TargetResult:
    measured = measure(plan, target, years[year])
    status, required, base = status_of(
        target, year, measured, lambda y: measure(plan, target, years[y]), plan.plan.period.start
    )
    cond = target.is_condition
    return TargetResult(
        target=target,
        due=target.year <= year,
        threshold=None if cond else target.threshold,
        numerator=None if cond else measured.numerator,
        denominator=None if cond else measured.denominator,
        value=measured.value,
        coverage=None if cond else measured.coverage,
        required=required,
        status=status,
        baseline_year=base,
        expected=[u.id for u in plan.expected_units(target)],
        contributions=measured.contributions,
    )


def score_task(plan: Plan, task: Task, data: YearData) -> TaskResult:
    leads = [u.id for u in plan.select(task.leads)]
    lead_set = set(leads)
    done, reporters, events = [], [], []
    activities = 0
    products = {k.id: 0 for k in plan.product_kinds}
    key_days = {k.date: [] for k in plan.key_days}  # type: dict[str, list[tuple[str, Record]]]
    for unit in plan.units:
        record = data.records.get(unit.id)
        report = (record.get("tasks") or {}).get(task.id) if record else None
        if not report:
            continue
        reporters.append(unit.id)
        activities += report.get("activities") or 0
        for kind, n in (report.get("products") or {}).items():
            products[kind] = products.get(kind, 0) + (n or 0)
        unit_events = sorted(report.get("events") or [], key=lambda e: e["date"])
        for ev in unit_events:
            events.append((unit.id, ev))
            md = ev["date"].strftime("%m-%d")
            if md in key_days:
                key_days[md].append((unit.id, ev))
        if unit.id in lead_set and ((report.get("activities") or 0) >= 1 or unit_events):
            done.append(unit.id)
    status = "insufficient_data" if not leads else ("met" if len(done) == len(leads) else "not_met")
    return TaskResult(task, leads, done, status, activities, products, reporters, events, key_days)


def score_year(plan: Plan, coll: Collection, year: int) -> YearResult:
    """Every target, task and channel of the plan, measured for `year` (SPEC §4)."""
    years = {y: YearData.build(plan, coll, y) for y in plan.years if y <= year}
    data = years[year]
    states = {u.id: data.state(plan, u.id) for u in plan.units}
    by_state = {s: [uid for uid, st in states.items() if st == s] for s in STATE_LABEL}
    reporting = Reporting(
        expected=[u.id for u in plan.units],
        submitted=[u.id for u in plan.units if u.id in data.records],
        on_time=by_state["on_time"],
        missing=by_state["missing"],
        late=by_state["late"],
        invalid=by_state["invalid"],
        invalid_files=sorted(f.display for f in data.invalid_files),
        deadline=plan.unit_deadline(year),
    )
    targets = [score_target(plan, t, years, year) for t in plan.targets]
    tasks = [score_task(plan, t, data) for t in plan.tasks]
    channels: dict[int, list[str]] = {c.id: [] for c in plan.channels}
    feedback = []
    for unit in plan.units:
        rec = data.records.get(unit.id)
        if rec is None:
            continue
        for ch in rec.get("channels") or []:
            channels[ch].append(unit.id)
        if rec.get("difficulties") or rec.get("proposals"):
            feedback.append((unit.id, list(rec.get("difficulties") or []), list(rec.get("proposals") or [])))
    rows = [_row(plan, unit, data, states[unit.id]) for unit in plan.units]
    sample = any(rec.get("sample") for rec in data.records.values())
    return YearResult(year, plan, reporting, targets, tasks, channels, feedback, rows, sample, data.records)


def _row(plan: Plan, unit: Unit, data: YearData, state: str) -> UnitRow:
    rec = data.records.get(unit.id)
    files = data.files.get(unit.id) or []
    ratios = {}
    for t in plan.targets:
        if t.measure == "ratio" and plan.applies(t, unit) and _block_present(rec, t):
            ratios[t.id] = (_sum(rec, t.numerator), _sum(rec, t.denominator))  # type: ignore[arg-type]
    return UnitRow(
        unit=unit,
        state=state,
        file=", ".join(f.display for f in files) or None,
        submitted=rec["submitted"] if rec else None,
        plan_issued=get(rec, "implementation_plan.issued") if rec else None,
        portal_section=get(rec, "portal_section.exists") if rec else None,
        ratios=ratios,
        sample=bool(rec and rec.get("sample")),
    )


def latest_year(plan: Plan, coll: Collection) -> int | None:
    years = [y for y in coll.years() if y in plan.years]
    return max(years) if years else None
