"""Scoring (SPEC §4): a few generic measures over the targets the plan declares.

Everything a report shows is computed here once, in a YearResult; renderers only format it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal, NamedTuple

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


_PARTS: dict[str, tuple[str, ...]] = {}


def get(record: Record | None, path: str) -> Any:
    """The value at a dotted key path, None where the path stops."""
    return _value(record, _keys(path))


def _keys(path: str) -> tuple[str, ...]:
    """A dotted key path split once: a measure reads it for every unit."""
    parts = _PARTS.get(path)
    if parts is None:
        parts = _PARTS[path] = tuple(path.split("."))
    return parts


# ---- one year's submissions ----------------------------------------------------------------


@dataclass
class YearData:
    """The submissions of one year, by unit: valid records, invalid files, states."""

    year: int
    records: dict[str, Record]
    files: dict[str, list[FileResult]]
    invalid_files: list[FileResult]
    _deadline: dt.date | None = field(default=None, repr=False, compare=False)
    _task_reports: dict[str, list[tuple[Unit, dict[str, Any]]]] | None = field(default=None, repr=False, compare=False)
    # each ratio target's (numerator, denominator) by unit, as measured: the annex shows them again
    pairs: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict, repr=False, compare=False)
    # each valid submission's readings (`readings`), by unit: those worked out as the files were
    # validated come with them, the others (records from the cache) are worked out here when first
    # needed
    _readings: dict[str, Readings] | None = field(default=None, repr=False, compare=False)
    # the readings by target: for each target of the plan, every registry unit's reading in
    # registry order (False for a unit without a valid submission)
    _columns: list[tuple[Any, ...]] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def build(cls, plan: Plan, coll: Collection, year: int) -> YearData:
        files: dict[str, list[FileResult]] = {}
        invalid: list[FileResult] = []
        for f in coll.for_year(year):
            if f.unit_id is not None:
                files.setdefault(f.unit_id, []).append(f)
            if not f.valid:
                invalid.append(f)
        records = {}
        given = {}
        digest = None
        for uid, fs in files.items():
            if len(fs) == 1 and fs[0].valid and fs[0].record is not None and fs[0].record.get("submitted"):
                records[uid] = fs[0].record
                derived = fs[0].derived
                if derived is not None:  # readings the workers made, if made for these targets
                    if digest is None:
                        digest = targets_digest(plan)
                    if derived[0] == digest:
                        given[uid] = derived[1]
        data = cls(year, records, files, invalid)
        data._readings = given
        return data

    def readings(self, plan: Plan) -> dict[str, Readings]:
        """Each valid submission's readings, by unit."""
        known = self._readings
        if known is None:
            known = self._readings = {}
        if len(known) < len(self.records):
            for uid, record in self.records.items():
                if uid not in known:
                    known[uid] = _readings(plan, record)
        return known

    def columns(self, plan: Plan) -> list[tuple[Any, ...]]:
        """`readings` turned by target (see `_columns`), made once a year: a measure then takes
        its expected units' readings in one step instead of one unit at a time."""
        if self._columns is None:
            known = self.readings(plan)
            none = (False,) * len(plan.targets)
            rows = [known.get(u.id, none) for u in plan.units]
            self._columns = list(zip(*rows)) if rows else [() for _ in plan.targets]
        return self._columns

    def state(self, plan: Plan, unit_id: str) -> str:
        """on_time, late, invalid, or missing (no file, or only a draft without a sending date)."""
        if unit_id in self.records:
            deadline = self._deadline
            if deadline is None:
                deadline = self._deadline = plan.unit_deadline(self.year)
            return "on_time" if self.submitted_on(unit_id) < deadline else "late"
        files = self.files.get(unit_id)
        if files and (len(files) > 1 or not files[0].valid):
            return "invalid"
        return "missing"

    def task_reports(self, plan: Plan, task_id: str) -> list[tuple[Unit, dict[str, Any]]]:
        """Each unit that wrote something under a task, in the plan's order, with what it wrote
        (every unit's `tasks` block is read once, for all the tasks)."""
        if self._task_reports is None:
            found: dict[str, list[tuple[Unit, dict[str, Any]]]] = {}
            for unit in plan.units:
                record = self.records.get(unit.id)
                reports = record.get("tasks") if record else None
                if reports:
                    for tid, report in reports.items():
                        if report:
                            found.setdefault(tid, []).append((unit, report))
            self._task_reports = found
        return self._task_reports.get(task_id, [])

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


class Contribution(NamedTuple):
    """What one expected unit brought to a target (for --explain and --unit). A named tuple:
    a score makes one per unit and target, tens of thousands at 3,400 units, and `_new` makes
    one without a Python-level constructor call."""

    unit: str
    numerator: int | None = None
    denominator: int | None = None
    met: bool | None = None
    note: str = ""
    value: Any = None  # a share: the unit's value; a group of fields: each field's value


_new = Contribution._make  # (unit, numerator, denominator, met, note, value)


@dataclass(slots=True)
class Point:
    """A target measured on one year's files alone, with the status that year would give."""

    year: int
    numerator: int | None
    denominator: int | None
    value: Fraction | bool | None
    coverage: Fraction | None
    status: str
    required: Fraction | None = None
    baseline_year: int | None = None

    @property
    def status_label(self) -> str:
        return STATUS_LABEL[self.status]


@dataclass
class TargetResult:
    """A target for year Y. Its verdict (value … status) comes from the files of `judged_year`:
    the target's own year when that is before Y (a milestone is judged in its year), else Y."""

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
    # what each expected unit brought: a list, or the function that works it out when first asked
    contributions_of: list[Contribution] | Callable[[], list[Contribution]] = field(
        default_factory=list, repr=False, compare=False
    )
    judged_year: int = 0
    current: Point | None = None  # Y's own measure, when judged_year < Y
    history: list[Point] = field(default_factory=list)  # every year ≤ Y with any submission
    previous: Point | None = None  # the measure of Y − 1, when that year has submissions

    @property
    def status_label(self) -> str:
        return STATUS_LABEL[self.status]

    @property
    def contributions(self) -> list[Contribution]:
        """What each expected unit brought to the verdict's measure (`--explain`, `--unit`)."""
        found = self.contributions_of
        if callable(found):
            found = self.contributions_of = found()
        return found

    def __getstate__(self) -> dict[str, Any]:
        """Pickled with its contributions worked out (the function that works them out is not data)."""
        state = self.__dict__.copy()
        state["contributions_of"] = self.contributions
        return state


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
    leads_unreported: list[str] = field(default_factory=list)  # expected leads with no valid report for Y
    leads_idle: list[str] = field(default_factory=list)  # expected leads that reported, nothing under the task
    notes: list[tuple[str, str]] = field(default_factory=list)  # (unit, the note it wrote under the task)

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
    budget_vnd: int | None = None
    portal_posts: int | None = None  # posts on the unit's NQ57 portal section, when it wrote a number
    indicators: dict[str, int | None] = field(default_factory=dict)  # the plan's own counts the unit reports


@dataclass(slots=True)
class Portals:
    """The units' NQ57 portal sections (target 2025.chuyen-muc's field and its posts): how many
    units have one, and the posts written, totalled over the units that wrote a number."""

    sections: int
    posts: int
    posts_units: int


@dataclass(slots=True)
class BudgetPart:
    total: int  # Σ budget_vnd of the units that wrote one
    units: int  # how many units wrote one


@dataclass
class Budget:
    """Funding reported (plan section V): `budget_vnd` totalled; an empty value is not reported."""

    total: int
    units: int
    by_kind: dict[str, BudgetPart]  # kinds with at least one unit reporting, in the plan's order


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
    sample: bool  # some submission read for a figure is sample data (`sample_years`)
    records: dict[str, Record] = field(default_factory=dict)  # the year's valid submissions
    budget: Budget = field(default_factory=lambda: Budget(0, 0, {}))
    portals: Portals = field(default_factory=lambda: Portals(0, 0, 0))
    # the years up to Y whose valid submissions include one marked `sample: true`: year Y's, and
    # the earlier years read for a milestone, a baseline or the history (SPEC §5)
    sample_years: list[int] = field(default_factory=list)

    def unit_name(self, unit_id: str) -> str:
        return self.plan.unit_index[unit_id].name


# ---- measures -----------------------------------------------------------------------------


_Compiled = tuple[tuple[int, tuple[str, ...]], ...]
_COMPILED: dict[tuple[str, ...], _Compiled] = {}


def _compiled(paths: list[str]) -> _Compiled:
    """Each path as (sign, its keys), split once: a measure reads them for every unit."""
    key = tuple(paths)
    done = _COMPILED.get(key)
    if done is None:
        done = _COMPILED[key] = tuple((-1 if p.startswith("-") else 1, tuple(p.lstrip("-").split("."))) for p in paths)
    return done


def _value(record: Record | None, keys: tuple[str, ...]) -> Any:
    node: Any = record
    try:
        for k in keys:
            node = node.get(k)  # records hold dicts, lists, numbers, text and dates: only a dict has .get
    except AttributeError:  # the path stops before its end
        return None
    return node


_Ratio = tuple[tuple[tuple[str, ...], ...], tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]]
_RATIOS: dict[tuple[tuple[str, ...], tuple[str, ...]], _Ratio] = {}


def _ratio(target: Target) -> _Ratio:
    """A ratio's fields, each read once: their key paths, and the numerator's and the
    denominator's terms as (sign, index of the field)."""
    memo = (tuple(target.numerator), tuple(target.denominator))
    done = _RATIOS.get(memo)
    if done is None:
        fields = list(dict.fromkeys(keys for _, keys in _compiled(target.paths)))

        def terms(paths: list[str]) -> tuple[tuple[int, int], ...]:
            return tuple((sign, fields.index(keys)) for sign, keys in _compiled(paths))

        done = _RATIOS[memo] = (tuple(fields), terms(target.numerator), terms(target.denominator))
    return done


@dataclass
class _Measured:
    value: Fraction | bool | None
    numerator: int | None = None
    denominator: int | None = None
    coverage: Fraction | None = None
    contributions: Callable[[], list[Contribution]] = list  # worked out when asked for


# ---- readings: what scoring reads from one submission ------------------------------------------
#
# A reading is all a measure takes from one valid submission for one target, worked out from that
# record alone: validation works it out as each record comes in (SPEC §4 is unchanged: a
# reading is the unit's own contribution; missing units, coverage and verdicts are the measure's).

Reading = tuple[Any, ...] | None
Readings = tuple[Reading, ...]  # one per target, in the plan's order


def readings(plan: Plan, record: Record) -> tuple[bytes, Readings] | None:
    """A valid submission's reading for every target of the plan, in the plan's order, with the
    digest of the targets they were read for (`targets_digest`); None for a draft, without a
    sending date: no year scores it. What validation works out as each record comes in, while
    its workers go on with the next files."""
    if not record.get("submitted"):
        return None
    return targets_digest(plan), _readings(plan, record)


def _readings(plan: Plan, record: Record) -> Readings:
    readers = plan.derived.get("readers")
    if readers is None:
        readers = plan.derived["readers"] = tuple(_reader(t) for t in plan.targets)
    return tuple([read(record) for read in readers])


def targets_digest(plan: Plan) -> bytes:
    """A digest of the plan's targets, in order: readings made for other targets are not used."""
    digest = plan.derived.get("targets_digest")
    if digest is None:
        import hashlib

        text = repr([t.model_dump() for t in plan.targets]).encode("utf-8")
        digest = plan.derived["targets_digest"] = hashlib.blake2b(text, digest_size=16).digest()
    return digest


def reading(target: Target, rec: Record) -> Reading:
    """What the target takes from one unit's submission:

    - share: (met, note, value);
    - ratio: (numerator, denominator, met, note), both sums None when a field it reads is empty;
    - totals_at_least: (met, complete, values), or None without the target's block;
    - sum_at_least: (its own values reach the sum, complete, values), or None without the block;
    - covers: (values of the list's key it requires, all values of that key), or None without the list.
    """
    return _reader(target)(rec)


Reader = Callable[[Record], Reading]
Getter = Callable[[Record], Any]


def _getter(keys: tuple[str, ...]) -> Getter:
    """The value at a key path of a record, None where the path stops (as `get`), made for the
    path once: every submission is read through it. Only a dict has keys."""
    if len(keys) == 1:
        (k1,) = keys
        return lambda rec: rec.get(k1)
    if len(keys) == 2:
        k1, k2 = keys

        def two(rec: Record) -> Any:
            node = rec.get(k1)
            return node.get(k2) if isinstance(node, dict) else None

        return two

    def deep(rec: Record) -> Any:
        node: Any = rec
        for k in keys:
            if not isinstance(node, dict):
                return None
            node = node.get(k)
        return node

    return deep


def _reader(target: Target) -> Reader:
    """The target's reading of a submission (see `reading`), made for the target once."""
    m = target.measure
    if m == "share":
        value = _getter(_keys(target.field or ""))
        least = target.at_least
        if least is None:
            return lambda rec: ((v := value(rec)) is True, "" if v is not None else "blank", v)
        at_least: int = least
        return lambda rec: (
            type(v := value(rec)) is int and v >= at_least,
            "" if v is not None else "blank",
            v,
        )
    blocks = tuple(target.blocks)

    def has_blocks(rec: Record) -> bool:
        return all(rec.get(b) is not None for b in blocks)

    if m == "ratio":
        fields, numerator, denominator = _ratio(target)
        getters = [_getter(keys) for keys in fields]
        thr: Fraction = target.threshold  # type: ignore[assignment]
        t_num, t_den = thr.numerator, thr.denominator

        def ratio(rec: Record) -> Reading:
            values = []
            for get_one in getters:
                v = get_one(rec)
                if v is None:  # a field it reads is empty, or its block is missing
                    return (None, None, None, "blank" if has_blocks(rec) else "no_block")
                values.append(v)
            a = b = 0
            for sign, i in numerator:
                a += sign * values[i]
            for sign, i in denominator:
                b += sign * values[i]
            # a / b ≥ threshold, exact, without a Fraction, whatever the sign of b
            if b == 0:
                return (a, b, None, "")
            return (a, b, a * t_den >= t_num * b if b > 0 else a * t_den <= t_num * b, "")

        return ratio
    if m == "sum_at_least":
        adders = [_getter(_keys(p)) for p in target.fields]
        least_sum = target.at_least or 0

        def summed(rec: Record) -> Reading:
            if not has_blocks(rec):
                return None
            values = tuple([g(rec) for g in adders])
            mine = sum(v for v in values if v is not None)
            return (mine >= least_sum, None not in values, values)

        return summed
    if m == "totals_at_least":
        getters = [_getter(_keys(p)) for p in target.fields]
        least_total = target.at_least or 1

        def totals(rec: Record) -> Reading:
            if not has_blocks(rec):
                return None
            values = tuple([g(rec) for g in getters])
            # a field not reported counts as 0 against the least, and nothing in the totals
            met = all((0 if v is None else v) >= least_total for v in values)
            return (met, None not in values, values)

        return totals
    # covers
    block, _, key = (target.field or "").partition(".")
    wanted = frozenset(target.values)

    def covers(rec: Record) -> Reading:
        items = rec.get(block)
        if items is None:
            return None
        mine = frozenset(item.get(key) for item in items if isinstance(item, dict))
        return (mine & wanted, mine)

    return covers


def _position(plan: Plan, target: Target) -> int | None:
    """The target's place among the plan's targets (its reading's place), None if not the plan's."""
    i = plan.target_number.get(target.id)
    return i if i is not None and plan.targets[i] is target else None


def _read(plan: Plan, target: Target, data: YearData, expected: list[Unit]) -> list[tuple[str, Any]]:
    """(unit, its reading) for each expected unit; False for a unit without a valid submission
    that year, None for one whose submission lacks the target's block (totals, covers)."""
    i = _position(plan, target)
    if i is None:  # a target the plan does not hold: read each record now
        records = data.records
        return [(u.id, reading(target, records[u.id]) if u.id in records else False) for u in expected]
    ids, positions = _expected_places(plan, target, expected)
    if positions is False:  # a unit the registry does not hold: each one looked up
        known = data.readings(plan)
        return [(uid, known[uid][i] if uid in known else False) for uid in ids]
    column = data.columns(plan)[i]
    if positions is None:  # every registry unit
        return list(zip(ids, column))
    return list(zip(ids, [column[j] for j in positions]))


def _expected_places(
    plan: Plan, target: Target, expected: list[Unit]
) -> tuple[list[str], list[int] | None | Literal[False]]:
    """The expected units' ids, and their places in the registry: None when they are all of it,
    False when one of them is not in it."""
    ids = [u.id for u in expected]
    memo = plan.derived.get(("places", target.id))
    if memo is None or memo[0] != ids:
        place = {u.id: j for j, u in enumerate(plan.units)}
        positions: list[int] | None | Literal[False] = False  # a unit the registry does not hold
        if all(uid in place for uid in ids):
            found = [place[uid] for uid in ids]
            positions = None if found == list(range(len(plan.units))) else found
        memo = plan.derived[("places", target.id)] = (ids, positions)
    return ids, memo[1]


def measure(plan: Plan, target: Target, data: YearData, expected: list[Unit] | None = None) -> _Measured:
    """The target on one year's files: value, sums and coverage (SPEC §4). Blanks are not data.
    `expected` is `plan.expected_units(target)`, when the caller has it already. Each unit's
    contribution is worked out when first asked for (`--explain`, `--unit`): a report shows none."""
    if expected is None:
        expected = plan.expected_units(target)
    read: list[tuple[str, Any]] = (
        _read(plan, target, data, expected) if data.records else [(u.id, False) for u in expected]
    )
    n_expected = len(read)
    m = target.measure

    def contributions() -> list[Contribution]:
        return _contributions(plan, target, data, read)

    if m == "share":
        # a unit that is missing, invalid or left the field empty does not meet it: coverage is 1
        n = sum(1 for _, r in read if r is not False and r[0])
        return _Measured(
            Fraction(n, n_expected) if n_expected else None,
            n,
            n_expected,
            Fraction(1) if n_expected else None,
            contributions,
        )
    coverage_of: Callable[[int], Fraction | None] = lambda have: Fraction(have, n_expected) if n_expected else None  # noqa: E731
    if m == "ratio":
        num, den, have = 0, 0, 0
        pairs = data.pairs[target.id] = {}
        for uid, r in read:
            if r is not False and r[0] is not None:
                a, b = pairs[uid] = r[0], r[1]
                num, den, have = num + a, den + b, have + 1
        value = Fraction(num, den) if have and den > 0 else None
        return _Measured(value, num if have else None, den if have else None, coverage_of(have), contributions)
    if m == "totals_at_least":
        totals = [0] * len(target.fields)
        any_value, have = False, 0
        for _, r in read:
            if not r:  # no valid submission, or no block
                continue
            _, complete, values = r
            for j, v in enumerate(values):
                if v is not None:
                    totals[j] += v
                    any_value = True
            have += complete
        least = target.at_least or 1
        holds = all(t >= least for t in totals) if any_value else None
        return _Measured(holds, coverage=coverage_of(have), contributions=contributions)
    if m == "sum_at_least":
        total, any_value, have = 0, False, 0
        for _, r in read:
            if not r:
                continue
            _, complete, values = r
            for v in values:
                if v is not None:
                    total += v
                    any_value = True
            have += complete
        # counts only add up: a sum reached with units missing is reached, one short is not proven short
        return _Measured(
            total >= (target.at_least or 0) if any_value else None,
            total if any_value else None,
            target.at_least,
            coverage_of(have),
            contributions,
        )
    # covers: the values seen across the units' lists cover the required ones
    seen: set[Any] = set()
    have = 0
    for _, r in read:
        if r:
            have += 1
            seen |= r[1]
    return _Measured(
        set(target.values) <= seen if have else None, coverage=coverage_of(have), contributions=contributions
    )


def _contributions(plan: Plan, target: Target, data: YearData, read: list[tuple[str, Any]]) -> list[Contribution]:
    """What each expected unit brought to the target, from its reading (see `measure`)."""
    m = target.measure
    out = []
    if m == "share":
        for uid, r in read:
            if r is False:
                out.append(_new((uid, None, None, False, data.state(plan, uid), None)))
            else:
                ok, note, v = r
                out.append(_new((uid, None, None, ok, note, v)))
    elif m == "ratio":
        for uid, r in read:
            if r is False:
                out.append(_new((uid, None, None, None, data.state(plan, uid), None)))
            else:
                a, b, met, note = r
                out.append(_new((uid, a, b, met, note, None)))
    elif m in ("totals_at_least", "sum_at_least"):
        names = target.fields
        for uid, r in read:
            if r:
                met, _, values = r
                out.append(_new((uid, None, None, met, "", dict(zip(names, values)))))
    else:
        for uid, r in read:
            if r:
                wanted_mine = r[0]
                out.append(Contribution(uid, met=bool(wanted_mine), note=", ".join(sorted(map(str, wanted_mine)))))
    return out


def status_of(
    target: Target, year: int, measured: _Measured, baseline: tuple[int, Fraction] | None
) -> tuple[str, Fraction | None]:
    """(status, required value) by the six rules of SPEC §4, first rule that applies.

    `baseline` is (b, v_b): the first year from the plan's start in which the target had a value
    (this year included), whatever its status or coverage that year.
    """
    value = measured.value
    if value is None:  # 1. nothing reported, or an empty denominator
        return "insufficient_data", None
    complete = measured.coverage == 1
    cond = target.is_condition
    thr: Fraction = target.threshold  # type: ignore[assignment]
    share = target.measure == "share"
    # 2. proven met: a share at or above its threshold; a pooled ratio too, with every unit counted;
    #    a condition that holds (one unit's report shows that the thing exists). Early too.
    if (cond and value is True) or (not cond and value >= thr and (share or complete)):
        return "met", _required(target, year, value, baseline)
    if target.year_for(year) <= year:
        # 3. due and proven short: no missing unit could lift a share, a complete ratio, a ratio
        #    already below 100% where 100% is needed, or a condition every unit reported on.
        if cond:
            short = complete
        else:
            short = share or (value < thr and (complete or thr >= 1))
        # 4. due otherwise: not enough data to judge
        return ("not_met" if short else "insufficient_data"), None
    if cond:  # 5.
        return "not_due", None
    # 6. not due, a ratio: against the straight path from its baseline to the threshold
    if baseline is None or baseline[0] >= year:
        return "baseline", None
    required = _required(target, year, value, baseline)
    return ("on_track" if value >= required else "off_track"), required  # type: ignore[operator]


def _required(
    target: Target, year: int, value: Fraction | bool, baseline: tuple[int, Fraction] | None
) -> Fraction | None:
    """required(Y) = min(threshold, v_b + (threshold − v_b) × (Y − b)/(T − b)), for a not-yet-due
    ratio past its baseline: a baseline already at or above the threshold asks the threshold, never
    more (SPEC §4 rule 6), so a value that meets the target is never behind its path."""
    if target.is_condition or target.year_for(year) <= year or baseline is None or baseline[0] >= year:
        return None
    b, vb = baseline
    thr: Fraction = target.threshold  # type: ignore[assignment]
    return min(thr, vb + (thr - vb) * Fraction(year - b, target.year - b))


def score_target(plan: Plan, target: Target, years: dict[int, YearData], year: int) -> TargetResult:
    """The target for `year`: its verdict from the files of its judged year, Y's figure beside it,
    and its history. Each year is measured once."""
    judged = min(target.year_for(year), year)  # a yearly target is judged in each year
    expected = plan.expected_units(target)
    points: dict[int, Point] = {}
    judged_measure: _Measured | None = None
    baseline: tuple[int, Fraction] | None = None
    for y in sorted(years):
        if y > year:
            break
        if not years[y].records and y not in (judged, year):
            continue
        m = measure(plan, target, years[y], expected)
        if baseline is None and m.value is not None and not isinstance(m.value, bool):
            baseline = (y, m.value)
        status, required = status_of(target, y, m, baseline)
        cond = target.is_condition
        sums = target.measure == "sum_at_least"  # its sum and the number it must reach
        points[y] = Point(
            y,
            None if cond and not sums else m.numerator,
            None if cond and not sums else m.denominator,
            m.value,
            m.coverage,
            status,
            required,
            baseline[0] if baseline is not None and not cond and target.year_for(y) > y else None,
        )
        if y == judged:
            judged_measure = m
    assert judged_measure is not None
    p = points[judged]
    return TargetResult(
        target=target,
        due=target.year_for(year) <= year,
        threshold=None if target.is_condition else target.threshold,
        numerator=p.numerator,
        denominator=p.denominator,
        value=p.value,
        coverage=p.coverage,
        required=p.required,
        status=p.status,
        baseline_year=p.baseline_year,
        expected=[u.id for u in expected],
        contributions_of=judged_measure.contributions,
        judged_year=judged,
        current=points[year] if judged < year else None,
        history=[points[y] for y in sorted(points) if years[y].records],
        # the previous year's figure: of its files, or the figure a milestone of that year was judged on
        previous=points.get(year - 1)
        if (years.get(year - 1) and years[year - 1].records) or judged == year - 1
        else None,
    )


def prepare(plan: Plan) -> None:
    """Work out what scoring asks of the plan alone (each target's expected units, each task's
    expected leads), for a caller that has a moment before the submissions are in."""
    for target in plan.targets:
        plan.expected_units(target)
    for task in plan.tasks:
        expected_leads(plan, task)


def expected_leads(plan: Plan, task: Task) -> list[str]:
    """The registry units the task's lead agencies select, less any unit the task names
    individually as a coordinator and reaches only through a kind-wide group (SPEC §4: Sở VHTTDL
    and Sở KHCN guide tasks 1a and 1b; they are not expected leads of them). Worked out once per
    task."""
    memo = plan.derived.get(("leads", task.id))
    if memo is None or memo[0] is not task:
        named = {s.unit for s in task.leads if s.unit is not None}
        coordinators = {s.unit for s in task.coordinators if s.unit is not None}
        leads = tuple(u.id for u in plan.select(task.leads) if u.id in named or u.id not in coordinators)
        memo = plan.derived[("leads", task.id)] = (task, leads)
    return list(memo[1])


def _event_date(event: Record) -> dt.date:
    return event["date"]  # type: ignore[no-any-return]


def score_task(plan: Plan, task: Task, data: YearData) -> TaskResult:
    leads = expected_leads(plan, task)
    lead_set = set(leads)
    done, reporters, events = [], [], []
    notes: list[tuple[str, str]] = []
    activities = 0
    products = {k.id: 0 for k in plan.product_kinds}
    key_days = {k.date: [] for k in plan.key_days}  # type: dict[str, list[tuple[str, Record]]]
    # a key day by (month, day), as an event's date gives them without formatting it
    key_day_of = {(int(d[:2]), int(d[3:])): events_of for d, events_of in key_days.items()}
    for unit, report in data.task_reports(plan, task.id):
        uid = unit.id
        reporters.append(uid)
        did = report.get("activities") or 0
        activities += did
        made = report.get("products")
        if made:
            for kind, n in made.items():
                products[kind] = products.get(kind, 0) + (n or 0)
        unit_events = report.get("events")
        if unit_events:
            if len(unit_events) > 1:
                unit_events = sorted(unit_events, key=_event_date)
            for ev in unit_events:
                events.append((uid, ev))
                day = ev["date"]
                on_key_day = key_day_of.get((day.month, day.day))
                if on_key_day is not None:
                    on_key_day.append((uid, ev))
        note = report.get("note")
        if note:
            notes.append((uid, note))
        if uid in lead_set and (did >= 1 or unit_events):  # a lead did it: an activity or an event
            done.append(uid)
    status = "insufficient_data" if not leads else ("met" if len(done) == len(leads) else "not_met")
    done_set = set(done)
    unreported = [uid for uid in leads if uid not in data.records]
    idle = [uid for uid in leads if uid in data.records and uid not in done_set]
    return TaskResult(
        task, leads, done, status, activities, products, reporters, events, key_days, unreported, idle, notes
    )


def budget_of(plan: Plan, data: YearData) -> Budget:
    """Σ budget_vnd over the year's valid submissions that wrote one, in total and by unit kind."""
    total = units = 0
    parts: dict[str, BudgetPart] = {}
    records = data.records
    for unit in plan.units:
        record = records.get(unit.id)
        value = record.get("budget_vnd") if record is not None else None
        if value is None:
            continue
        total, units = total + value, units + 1
        part = parts.setdefault(unit.kind, BudgetPart(0, 0))
        part.total += value
        part.units += 1
    return Budget(total, units, {k: parts[k] for k in plan.kind_ids if k in parts})


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
    ratio_pairs = [(t.id, data.pairs[t.id]) for t in plan.targets if t.measure == "ratio"]
    rows = [_row(plan, unit, data, states[unit.id], ratio_pairs) for unit in plan.units]
    sample_years = [y for y, d in sorted(years.items()) if any(rec.get("sample") for rec in d.records.values())]
    return YearResult(
        year,
        plan,
        reporting,
        targets,
        tasks,
        channels,
        feedback,
        rows,
        bool(sample_years),
        data.records,
        budget_of(plan, data),
        portals_of(rows),
        sample_years,
    )


def portals_of(rows: list[UnitRow]) -> Portals:
    """The portal sections of the year's valid submissions, and the posts on them."""
    posts = [r.portal_posts for r in rows if r.portal_posts is not None]
    return Portals(sum(1 for r in rows if r.portal_section is True), sum(posts), len(posts))


def _row(
    plan: Plan, unit: Unit, data: YearData, state: str, ratio_pairs: list[tuple[str, dict[str, tuple[int, int]]]]
) -> UnitRow:
    """The unit's annex row, once every target has been measured on the year's files
    (`ratio_pairs`: each ratio target's id and the sums its measure of this year added up)."""
    uid = unit.id
    rec = data.records.get(uid)
    files = data.files.get(uid)
    ratios = {}
    for tid, pairs in ratio_pairs:
        pair = pairs.get(uid)
        if pair is not None:
            ratios[tid] = pair
    if not files:
        shown = None
    else:
        shown = files[0].display if len(files) == 1 else ", ".join(f.display for f in files)
    if rec is None:
        return UnitRow(unit, state, shown, None, None, None, ratios, False)
    plan_block = rec.get("implementation_plan")
    portal = rec.get("portal_section")
    return UnitRow(
        unit,
        state,
        shown,
        rec["submitted"],
        plan_block.get("issued") if plan_block else None,
        portal.get("exists") if portal else None,
        ratios,
        bool(rec.get("sample")),
        rec.get("budget_vnd"),
        portal.get("posts") if portal else None,
        _indicators(plan, unit, rec),
    )


def _indicators(plan: Plan, unit: Unit, rec: Record) -> dict[str, int | None]:
    """The plan's indicators of the unit's kind, with what its file wrote (None: not reported)."""
    if not plan.indicators:
        return {}
    written = rec.get("indicators") or {}
    return {i.id: written.get(i.id) for i in plan.indicators_for(unit)}


def latest_year(plan: Plan, coll: Collection) -> int | None:
    """The latest year with a dated submission: drafts (no `submitted` date) and invalid files,
    which count as not submitted, never move it."""
    years = {
        f.folder_year
        for f in coll.files
        if f.folder_year is not None
        and f.folder_year in plan.years
        and f.valid  # an invalid file counts as not submitted (SPEC §4)
        and not any(d.code == "draft" for d in f.diagnostics)
    }
    return max(years) if years else None
