"""The plan as data: targets, tasks, channels, product kinds and the unit registry."""

from __future__ import annotations

import datetime as dt
import re
from fractions import Fraction
from functools import cached_property
from typing import Annotated, Any, Literal, Self, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

# A unit kind, a product kind, an indicator…: an id the plan declares (its words are the plan's)
IDENT_PATTERN = r"^[a-z][a-z0-9_]*$"
Kind = Annotated[str, Field(pattern=IDENT_PATTERN)]
UNIT_ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
TASK_ID_PATTERN = r"^[0-9a-z][0-9a-z._-]*$"


def _month_day(value: Any) -> Any:
    if isinstance(value, str):
        try:
            dt.date(2024, int(value[:2]), int(value[3:]))  # a leap year: 02-29 exists
        except ValueError:
            raise ValueError(f"'{value}' không phải một ngày có thật (dạng THÁNG-NGÀY, ví dụ 12-05)") from None
    return value


MonthDay = Annotated[str, Field(pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"), AfterValidator(_month_day)]


def _fraction(value: Any) -> Any:
    """ "4/5", "0.8", 0.8 or 1 as an exact fraction (a float by its decimal text, never its binary)."""
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, str) and (len(value) > 40 or re.search(r"[eE][+-]?\d{3,}", value)):
        raise ValueError(f'ngưỡng \'{value[:40]}\' không phải một tỷ lệ (ví dụ "4/5" hoặc "0.8")')
    if isinstance(value, (int, str)) and not isinstance(value, bool):
        try:
            return Fraction(value)
        except ZeroDivisionError:
            raise ValueError(f"ngưỡng '{value}' chia cho 0") from None
        except ValueError:
            raise ValueError(f'ngưỡng \'{value}\' không phải một tỷ lệ (ví dụ "4/5" hoặc "0.8")') from None
    return value


Rational = Annotated[Fraction, BeforeValidator(_fraction)]


class _Model(BaseModel):
    """A plan's part. What a `cached_property` works out from the fields (lookups, memos) belongs
    to the object that worked it out: a copy (`model_copy`, whose `update` may change the fields)
    works it out again, and pickling leaves it out."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    def __copy__(self) -> Self:
        return _without_cached(super().__copy__())

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Self:
        return _without_cached(super().__deepcopy__(memo))

    def __getstate__(self) -> dict[Any, Any]:
        state = super().__getstate__()
        cached = _cached_names(type(self))
        state["__dict__"] = {k: v for k, v in state["__dict__"].items() if k not in cached}
        return state


_CACHED_NAMES: dict[type, frozenset[str]] = {}
_M = TypeVar("_M", bound=_Model)


def _cached_names(cls: type) -> frozenset[str]:
    """The names of a model class's cached properties."""
    names = _CACHED_NAMES.get(cls)
    if names is None:
        names = _CACHED_NAMES[cls] = frozenset(
            name for klass in cls.__mro__ for name, v in vars(klass).items() if isinstance(v, cached_property)
        )
    return names


def _without_cached(model: _M) -> _M:
    for name in _cached_names(type(model)):
        model.__dict__.pop(name, None)
    return model


class Period(_Model):
    start: int = Field(ge=2000, le=2100)
    end: int = Field(ge=2000, le=2100)

    @model_validator(mode="after")
    def _order(self) -> Period:
        if not self.start <= self.end <= self.start + 50:
            raise ValueError(
                f"thời gian kế hoạch {self.start}–{self.end} không hợp lý (năm kết thúc phải từ năm bắt đầu đến 50 năm sau)"
            )
        return self


class PlanInfo(_Model):
    number: str
    date: dt.date
    issuer: str
    signer: str | None = None
    signer_title: str | None = None
    title: str
    period: Period
    general_objective: str | None = None


class Document(_Model):
    """How the compiling body signs its synthesis report (Nghị định 30/2020/NĐ-CP, Phụ lục I)."""

    superior: str  # the issuing body's superior, as the header prints it (capitals; a newline breaks the line)
    issuer: str  # the issuing body, as the header prints it (bold capitals; a newline breaks the line)
    symbol: str  # the document symbol after the number: "BC-SVHTTDL" in "Số: 312/BC-SVHTTDL"
    place: str  # the place of the date line: "Sơn La, ngày …"
    addressee: str  # "Kính gửi: …"
    recipients: list[str]  # "Nơi nhận:", one line each, without the leading dash
    authority: str | None = None  # "KT. GIÁM ĐỐC" when a deputy signs for the head
    signer_title: str  # "GIÁM ĐỐC", or the deputy's title under the authority line
    signer_name: str | None = None  # left empty, the report leaves room for the name


def _month_day_of(year: int, month_day: str) -> dt.date:
    """A month-day in a given year; 02-29 is the 28th in a year without it."""
    month, day = int(month_day[:2]), int(month_day[3:])
    try:
        return dt.date(year, month, day)
    except ValueError:
        return dt.date(year, month, day - 1)


class ReportingPeriod(_Model):
    """What counts for year Y (SPEC §4): the dates from `start` to `end`, both included, month-day
    values. A start later in the year than the end begins in Y − 1: the default is the annual
    window of Nghị định 09/2019/NĐ-CP Art. 12, 15 December of Y − 1 to 14 December of Y."""

    start: MonthDay = "12-15"
    end: MonthDay = "12-14"

    def window(self, year: int) -> tuple[dt.date, dt.date]:
        """The first and the last day of year `year`'s reporting period."""
        begins = year - 1 if self.start > self.end else year
        return _month_day_of(begins, self.start), _month_day_of(year, self.end)

    def year_of(self, day: dt.date) -> int | None:
        """The reporting year whose period holds `day`, None when none does."""
        for year in (day.year, day.year + 1):
            first, last = self.window(year)
            if first <= day <= last:
                return year
        return None


class Reporting(_Model):
    unit_deadline: MonthDay
    synthesis_deadline: MonthDay
    compiler: str
    document: Document | None = None
    text: str
    start_text: str | None = None
    start: dt.date | None = None  # the day the plan began to be carried out: events before it are flagged
    period: ReportingPeriod = ReportingPeriod()  # what counts for a year (SPEC §4)


class KeyDay(_Model):
    date: MonthDay
    name: str


class Named(_Model):
    id: Annotated[str, Field(pattern=IDENT_PATTERN)]
    name: str


class UnitKind(_Model):
    """A kind of reporting unit the plan declares: its id, its Vietnamese name, and the blocks of
    the submission a unit of that kind fills (besides those its targets read)."""

    id: Kind
    name: str  # "Xã", "Sở và tương đương": a unit's kind, as a table names it
    group: str | None = None  # "UBND các xã": the units of the kind as a report heads them (default: name)
    reporter: str | None = None  # "UBND {name}": the body that reports for a unit of the kind ({name} lowercased)
    short_prefix: str | None = None  # "Xã ": left out of a unit's name in a list headed by `group`
    blocks: list[str] = []

    @property
    def group_name(self) -> str:
        return self.group or self.name


class Indicator(_Model):
    """A further count the plan asks units to report (`indicators.<id>` in a submission)."""

    id: Annotated[str, Field(pattern=IDENT_PATTERN)]
    label: str  # Vietnamese, as a form's label shows it
    hint: str | None = None  # what to count, as the template's comment and the form's note say it
    kinds: list[Kind] | None = None  # the kinds that report it; None: every unit
    at_most: str | None = None  # a key path the value may not exceed ("population.total")
    persists: bool = False  # a fact about the unit that carries over to next year's template


class Unit(_Model):
    id: Annotated[str, Field(pattern=UNIT_ID_PATTERN)]
    name: str
    kind: Kind


class Selector(_Model):
    """A named agency (`unit`) or a class of units (`kinds`)."""

    unit: str | None = None
    kinds: list[Kind] | None = None

    @model_validator(mode="after")
    def _one(self) -> Selector:
        if (self.unit is None) == (self.kinds is None):
            raise ValueError("một mục chọn đơn vị phải có đúng một trong hai khóa 'unit' hoặc 'kinds'")
        return self


class AppliesTo(_Model):
    all: bool = False
    kinds: list[Kind] = []
    units: list[str] = []


Measure = Literal["share", "ratio", "totals_at_least", "sum_at_least", "covers"]


class Target(_Model):
    id: str
    year: int
    section: str
    bullet: int
    label: str
    text: str
    applies_to: AppliesTo
    measure: Measure
    field: str | None = None
    at_least: int | None = None
    numerator: list[str] = []
    denominator: list[str] = []
    fields: list[str] = []
    values: list[str] = []
    threshold: Rational | None = None
    every_year: bool = False  # judged in each year of the period from `year` on, on that year's files

    @property
    def is_condition(self) -> bool:
        return self.measure in ("totals_at_least", "sum_at_least", "covers")

    def year_for(self, year: int) -> int:
        """The target's year as year Y sees it: a yearly target falls due in each year from its own."""
        return year if self.every_year and year >= self.year else self.year

    @cached_property
    def paths(self) -> list[str]:
        """Every submission field the measure reads (a leading '-' marks a subtraction)."""
        paths = [self.field] if self.field else []
        return [p.lstrip("-") for p in paths + self.numerator + self.denominator + self.fields]

    @cached_property
    def blocks(self) -> list[str]:
        return list(dict.fromkeys(p.split(".")[0] for p in self.paths))

    @model_validator(mode="after")
    def _shape(self) -> Target:
        need = {
            "share": bool(self.field),
            "ratio": bool(self.numerator and self.denominator),
            "totals_at_least": bool(self.fields),
            "sum_at_least": bool(self.fields and self.at_least is not None),
            "covers": bool(self.field and self.values),
        }[self.measure]
        if not need:
            raise ValueError(f"chỉ tiêu {self.id}: thiếu trường dữ liệu cho phép đo '{self.measure}'")
        if self.is_condition == (self.threshold is not None):
            if self.threshold is None:
                raise ValueError(f'chỉ tiêu {self.id}: thiếu ngưỡng (threshold) của tỷ lệ, ví dụ "4/5"')
            raise ValueError(f"chỉ tiêu {self.id}: ngưỡng (threshold) chỉ dành cho tỷ lệ, không cho điều kiện")
        return self


class TaskGroup(_Model):
    id: int
    title: str


class Task(_Model):
    id: Annotated[str, Field(pattern=TASK_ID_PATTERN)]
    group: int
    text: str
    lead_text: str
    leads: list[Selector]
    coordinator_text: str
    coordinators: list[Selector] = []
    timeframe: str


class Channel(_Model):
    id: int
    text: str


class Plan(_Model):
    plan: PlanInfo
    reporting: Reporting
    key_days: list[KeyDay]
    key_days_task: str | None = None  # the task whose events the key days belong to
    kinds: Annotated[list[UnitKind], Field(min_length=1)]
    indicators: list[Indicator] = []
    product_kinds: list[Named]
    training_audiences: list[Named]
    network_groups: list[Named]
    targets: list[Target]
    task_groups: list[TaskGroup]
    tasks: list[Task]
    channels: list[Channel]
    units: Annotated[list[Unit], Field(min_length=1)]
    source_hash: str = ""

    # ---- lookups -------------------------------------------------------------------------
    @cached_property
    def unit_index(self) -> dict[str, Unit]:
        return {u.id: u for u in self.units}

    @cached_property
    def kind_index(self) -> dict[str, UnitKind]:
        return {k.id: k for k in self.kinds}

    def kind_name(self, kind: str) -> str:
        """The kind's Vietnamese name, as the plan declares it."""
        found = self.kind_index.get(kind)
        return found.name if found is not None else kind

    @property
    def kind_ids(self) -> tuple[str, ...]:
        return tuple(k.id for k in self.kinds)

    def indicators_for(self, unit: Unit) -> list[Indicator]:
        """The plan's indicators a unit of this kind reports, in the plan's order."""
        return [i for i in self.indicators if i.kinds is None or unit.kind in i.kinds]

    @cached_property
    def unit_order(self) -> dict[str, int]:
        return {u.id: i for i, u in enumerate(self.units)}

    @cached_property
    def target_number(self) -> dict[str, int]:
        """Each target's place in the plan's order."""
        return {t.id: i for i, t in enumerate(self.targets)}

    @cached_property
    def task_index(self) -> dict[str, Task]:
        return {t.id: t for t in self.tasks}

    @property
    def years(self) -> range:
        return range(self.plan.period.start, self.plan.period.end + 1)

    def select(self, selectors: list[Selector]) -> list[Unit]:
        """Registry units that any selector names, in registry order."""
        ids: set[str] = set()
        kinds: set[str] = set()
        for sel in selectors:
            if sel.unit is not None:
                ids.add(sel.unit)  # a unit not in the registry selects nothing
            else:
                kinds.update(sel.kinds or [])
        return [u for u in self.units if u.kind in kinds or u.id in ids]

    def applies(self, target: Target, unit: Unit) -> bool:
        a = target.applies_to
        return a.all or unit.kind in a.kinds or unit.id in a.units

    def expected_units(self, target: Target) -> list[Unit]:
        """The registry units the target applies to, in registry order (worked out once per
        target: each year's measure and the report ask again)."""
        known = self._expected_of.get(target.id)
        if known is None or known[0] is not target:
            a = target.applies_to  # as `applies` reads it, for the whole registry at once
            kinds, ids = set(a.kinds), set(a.units)
            units = self.units if a.all else [u for u in self.units if u.kind in kinds or u.id in ids]
            known = self._expected_of[target.id] = (target, tuple(units))
        return list(known[1])

    @cached_property
    def _expected_of(self) -> dict[str, tuple[Target, tuple[Unit, ...]]]:
        return {}

    @cached_property
    def derived(self) -> dict[Any, Any]:
        """Lookups the other layers work out from the plan once, keyed by their own names."""
        return {}

    def blocks_for(self, unit: Unit) -> list[str]:
        """The submission blocks this unit's targets read, in target order (worked out once per
        unit: every file of the unit asks)."""
        # units no target names one by one share their kind's blocks
        memo = ("unit", unit.id) if unit.id in self._named_units else ("kind", unit.kind)
        known = self._blocks_of.get(memo)
        if known is None:
            known = self._blocks_of[memo] = self._blocks_for(unit)
        return known

    @cached_property
    def _blocks_of(self) -> dict[tuple[str, str], list[str]]:
        return {}

    @cached_property
    def _named_units(self) -> frozenset[str]:
        return frozenset(u for t in self.targets for u in t.applies_to.units)

    @cached_property
    def targets_reading(self) -> dict[str, list[Target]]:
        """Each submission block and the targets that read it, in target order."""
        out: dict[str, list[Target]] = {}
        for target in self.targets:
            for block in dict.fromkeys(target.blocks):
                out.setdefault(block, []).append(target)
        return out

    def _blocks_for(self, unit: Unit) -> list[str]:
        blocks: dict[str, None] = {}
        for target in self.targets:
            if self.applies(target, unit):
                blocks.update(dict.fromkeys(target.blocks))
        kind = self.kind_index.get(unit.kind)
        if kind is not None:  # the blocks the kind fills besides, in the plan's order
            blocks.update(dict.fromkeys(kind.blocks))
        if self.indicators_for(unit):
            blocks["indicators"] = None
        return list(blocks)

    def unit_deadline(self, year: int) -> dt.date:
        month, day = map(int, self.reporting.unit_deadline.split("-"))
        return dt.date(year, month, day)

    def reporting_window(self, year: int) -> tuple[dt.date, dt.date]:
        """The first and the last day of year `year`'s reporting period (SPEC §4)."""
        return self.reporting.period.window(year)

    def synthesis_deadline(self, year: int) -> dt.date:
        month, day = map(int, self.reporting.synthesis_deadline.split("-"))
        return dt.date(year, month, day)
