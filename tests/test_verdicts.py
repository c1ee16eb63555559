"""The six status rules of SPEC §4 at their edges, milestones judged in their own year, blanks.

Targets are scored by `score_target` on hand-built years of records (a record is what a valid
submission's file gives the scorer), so each figure below is computed by hand beside it. The plan
is the shipped one with a registry of 75 xã (`xa-01` … `xa-75`) and 5 agencies, so coverage can
be 74/75.
"""

from __future__ import annotations

import copy
import datetime as dt
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plan57.model.plan import Plan
from plan57.scoring.score import YearData, budget_of, expected_leads, score_target
from plan57.validation.plan_file import load_plan

from .conftest import MINI_UNITS, dump, plan_data

XA = [f"xa-{i:02d}" for i in range(1, 76)]
AGENCIES = [u for u in MINI_UNITS if u["kind"] not in ("xa", "phuong")]  # 5 units


@pytest.fixture(scope="module")
def plan75(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    data = plan_data()
    data["units"] = copy.deepcopy(AGENCIES) + [{"id": x, "name": f"Xã Số {x[3:]}", "kind": "xa"} for x in XA]
    path = tmp_path_factory.mktemp("plan75") / "plan.yaml"
    path.write_text(dump(data), encoding="utf-8")
    return load_plan(path)


def rec(year: int, **blocks: Any) -> dict[str, Any]:
    return {"submitted": dt.date(year, 12, 1), **blocks}


def year_of(year: int, records: dict[str, dict[str, Any]]) -> YearData:
    return YearData(year, records, {}, [])


def scored(plan: Plan, target_id: str, year: int, by_year: dict[int, dict[str, dict[str, Any]]]):  # type: ignore[no-untyped-def]
    target = next(t for t in plan.targets if t.id == target_id)
    years = {y: year_of(y, by_year.get(y, {})) for y in plan.years if y <= year}
    return score_target(plan, target, years, year)


def population(reached: list[int], total: int = 100) -> dict[str, dict[str, Any]]:
    """Records for the first len(reached) xã, each `total` people of whom reached[i] were reached."""
    return {x: {"population": {"total": total, "reached": r}} for x, r in zip(XA, reached)}


def with_year(year: int, blocks: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {uid: rec(year, **b) for uid, b in blocks.items()}


# ---- rules 2–4 for a pooled ratio ---------------------------------------------------------------


def test_threshold_100_with_partial_coverage(plan75):
    # 2025.can-bo (all 80 units, threshold 100%) in 2025, 40 units reporting → coverage 40/80 = 1/2
    short = {u: {"staff": {"total": 10, "informed": 10}} for u in XA[:39]}
    short[XA[39]] = {"staff": {"total": 10, "informed": 9}}
    t = scored(plan75, "2025.can-bo", 2025, {2025: with_year(2025, short)})
    # Σ 399/400 < 1 and a shortfall already reported cannot be made up: not_met at any coverage
    assert (t.numerator, t.denominator, t.coverage) == (399, 400, Fraction(1, 2))
    assert t.status == "not_met"
    full = {u: {"staff": {"total": 10, "informed": 10}} for u in XA[:40]}
    t = scored(plan75, "2025.can-bo", 2025, {2025: with_year(2025, full)})
    # 400/400 = 1 but 40 units not reported could be short: not proven → rule 4
    assert (t.value, t.coverage, t.status) == (Fraction(1), Fraction(1, 2), "insufficient_data")


@pytest.mark.parametrize(
    ("reached", "n_reporting", "status"),
    [
        # 74/75 coverage: 80% threshold, below (79/100 each) → could be lifted by the missing xã
        (79, 74, "insufficient_data"),
        # 74/75 coverage, above (81/100 each) → could be pulled down by the missing xã
        (81, 74, "insufficient_data"),
        # 75/75: proven either way
        (79, 75, "not_met"),
        (80, 75, "met"),  # exactly 4/5 = threshold → met (≥)
    ],
)
def test_threshold_80_with_74_of_75(plan75, reached, n_reporting, status):
    by_year = {2030: with_year(2030, population([reached] * n_reporting))}
    t = scored(plan75, "2030.tiep-can", 2030, by_year)
    assert t.coverage == Fraction(n_reporting, 75)
    assert t.value == Fraction(reached, 100)
    assert (t.due, t.judged_year, t.status) == (True, 2030, status)


def test_not_due_ratio_above_threshold_with_partial_coverage_is_on_its_path(plan75):
    # 2025: 75 xã × 50/100 = 1/2, coverage 1 → baseline; 2026: 74 xã × 90/100 = 9/10, coverage 74/75
    by_year = {2025: with_year(2025, population([50] * 75)), 2026: with_year(2026, population([90] * 74))}
    t = scored(plan75, "2030.tiep-can", 2026, by_year)
    # not proven met (coverage < 1), not due: rule 6; required(2026) = 1/2 + (4/5 − 1/2)·1/5 = 14/25
    assert (t.value, t.coverage, t.required, t.baseline_year) == (
        Fraction(9, 10),
        Fraction(74, 75),
        Fraction(14, 25),
        2025,
    )
    assert t.status == "on_track"
    # the same with 75/75 is met early (rule 2 holds before the target year)
    by_year[2026] = with_year(2026, population([90] * 75))
    assert scored(plan75, "2030.tiep-can", 2026, by_year).status == "met"


def test_met_early_ratio(plan75):
    # 2026.ha-tang in 2025: every xã 10/10 villages → 750/750 = 1, coverage 1 → met before 2026
    recs = {x: {"grassroots": {"villages_total": 10, "villages_equipped": 10}} for x in XA}
    t = scored(plan75, "2026.ha-tang", 2025, {2025: with_year(2025, recs)})
    assert (t.due, t.value, t.coverage, t.status) == (False, Fraction(1), Fraction(1), "met")


def test_not_due_ratio_below_is_baseline_whatever_its_coverage(plan75):
    recs = {x: {"grassroots": {"villages_total": 10, "villages_equipped": 5}} for x in XA[:3]}
    t = scored(plan75, "2026.ha-tang", 2025, {2025: with_year(2025, recs)})
    # 15/30 = 1/2, coverage 3/75; first year with a value → baseline (not "insufficient_data")
    assert (t.value, t.coverage, t.status, t.required) == (Fraction(1, 2), Fraction(3, 75), "baseline", None)


# ---- conditions ---------------------------------------------------------------------------------

NETWORK_ALL = {
    g: 1
    for g in (
        "managers",
        "experts",
        "press_agencies",
        "journalists",
        "digital_platforms",
        "social_networks",
        "science_organizations",
        "scientists",
        "businesses",
        "social_organizations",
    )
}


def test_condition_met_by_one_unit(plan75):
    # one unit of 80 shows a member in every group: the condition holds → met, even before 2026
    recs = {"so-khcn": {"network": dict(NETWORK_ALL)}}
    for year in (2025, 2026):
        t = scored(plan75, "2026.mang-luoi", year, {year: with_year(year, recs)})
        assert (t.value, t.coverage, t.status) == (True, Fraction(1, 80), "met")


def test_condition_failing_with_full_and_with_partial_coverage(plan75):
    empty = dict(NETWORK_ALL, experts=0)
    everyone = {u: {"network": dict(empty)} for u in [a["id"] for a in AGENCIES] + XA}
    t = scored(plan75, "2026.mang-luoi", 2026, {2026: with_year(2026, everyone)})
    # Σ experts = 0 over all 80 units, coverage 1 → not_met
    assert (t.value, t.coverage, t.status) == (False, Fraction(1), "not_met")
    del everyone["xa-75"]
    t = scored(plan75, "2026.mang-luoi", 2026, {2026: with_year(2026, everyone)})
    # xa-75 did not report: it might have an expert → not proven: insufficient_data
    assert (t.value, t.coverage, t.status) == (False, Fraction(79, 80), "insufficient_data")
    # not due: a condition not yet holding is "not_due"
    t = scored(plan75, "2026.mang-luoi", 2025, {2025: with_year(2025, everyone)})
    assert t.status == "not_due"


def test_condition_with_a_blank_group_is_not_covered(plan75):
    # a unit that left one group empty (null) reports a value for the others but does not cover
    recs = {"so-khcn": {"network": dict(NETWORK_ALL, experts=None)}}
    t = scored(plan75, "2026.mang-luoi", 2026, {2026: with_year(2026, recs)})
    assert (t.value, t.coverage, t.status) == (False, Fraction(0), "insufficient_data")


# ---- shares and blanks ---------------------------------------------------------------------------


def test_share_counts_a_blank_as_not_met(plan75):
    recs = {u: {"implementation_plan": {"issued": True}} for u in [a["id"] for a in AGENCIES] + XA}
    recs["xa-01"]["implementation_plan"]["issued"] = None  # left empty
    t = scored(plan75, "2025.ke-hoach", 2025, {2025: with_year(2025, recs)})
    assert (t.numerator, t.denominator, t.coverage, t.status) == (79, 80, Fraction(1), "not_met")


def test_blank_counts_neither_in_sums_nor_in_coverage(plan75):
    recs = population([90, 70])
    recs["xa-03"] = {"population": {"total": 100, "reached": None}}  # reached left empty
    recs["xa-04"] = {"population": {"total": None, "reached": None}}  # an untouched block
    t = scored(plan75, "2030.tiep-can", 2030, {2030: with_year(2030, recs)})
    # Σ (90 + 70)/(100 + 100) = 4/5 over 2 reporting xã of 75
    assert (t.numerator, t.denominator, t.value, t.coverage) == (160, 200, Fraction(4, 5), Fraction(2, 75))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), min_size=1, max_size=20))
def test_blanks_never_move_a_figure(plan75, pairs):
    """Adding units whose block is all blanks changes no sum and no coverage."""
    base = {XA[i]: {"staff": {"total": t + r, "informed": r}} for i, (r, t) in enumerate(pairs)}
    with_blanks = dict(base)
    for x in XA[len(pairs) : len(pairs) + 5]:
        with_blanks[x] = {"staff": {"total": None, "informed": None}}
    a = scored(plan75, "2025.can-bo", 2025, {2025: with_year(2025, base)})
    b = scored(plan75, "2025.can-bo", 2025, {2025: with_year(2025, with_blanks)})
    assert (a.numerator, a.denominator, a.value, a.coverage, a.status) == (
        b.numerator,
        b.denominator,
        b.value,
        b.coverage,
        b.status,
    )


# ---- milestones: judged_year, current, history ----------------------------------------------------


def test_milestone_keeps_the_verdict_of_its_year(plan75):
    everyone = [a["id"] for a in AGENCIES] + XA
    y25 = {u: {"implementation_plan": {"issued": True}, "staff": {"total": 10, "informed": 10}} for u in everyone}
    # 2026: templates left `issued` empty, staff partly filled
    y26 = {u: {"implementation_plan": {"issued": None}, "staff": {"total": 10, "informed": 9}} for u in everyone[:8]}
    by_year = {2025: with_year(2025, y25), 2026: with_year(2026, y26)}
    ke = scored(plan75, "2025.ke-hoach", 2026, by_year)
    # verdict from 2025: 80/80 → met; 2026's figure beside it: 0/80
    assert (ke.judged_year, ke.value, ke.status, ke.due) == (2025, Fraction(1), "met", True)
    assert ke.current is not None and (ke.current.numerator, ke.current.denominator) == (0, 80)
    assert [(p.year, p.value, p.status) for p in ke.history] == [
        (2025, Fraction(1), "met"),
        (2026, Fraction(0), "not_met"),
    ]
    assert ke.previous is not None and ke.previous.year == 2025 and ke.previous.value == Fraction(1)
    cb = scored(plan75, "2025.can-bo", 2026, by_year)
    # 2025: 800/800 → met; current 72/80 = 9/10 with coverage 8/80 = 1/10
    assert (cb.judged_year, cb.status) == (2025, "met")
    assert cb.current is not None
    assert (cb.current.value, cb.current.coverage, cb.current.status) == (Fraction(9, 10), Fraction(1, 10), "not_met")


def test_target_of_the_year_has_no_current_and_history_skips_empty_years(plan75):
    by_year = {
        2025: with_year(2025, population([50] * 75)),
        2027: with_year(2027, population([62] * 75)),
    }
    t = scored(plan75, "2030.tiep-can", 2028, by_year)
    # 2026 and 2028 have no submission: not in the history; 2028 has no value
    assert [p.year for p in t.history] == [2025, 2027]
    assert (t.judged_year, t.current, t.value, t.status) == (2028, None, None, "insufficient_data")
    # 2027: required = 1/2 + 3/10 · 2/5 = 31/50 = 0.62 → on_track at exactly 62/100
    p27 = t.history[1]
    assert (p27.value, p27.required, p27.status) == (Fraction(31, 50), Fraction(31, 50), "on_track")
    assert t.previous is not None and t.previous.year == 2027  # Y − 1 = 2027 has submissions


def test_no_previous_when_last_year_had_no_submission(plan75):
    t = scored(plan75, "2030.tiep-can", 2027, {2025: with_year(2025, population([50] * 75))})
    assert t.previous is None


# ---- tasks and budget ------------------------------------------------------------------------------


def test_coordinators_named_individually_are_not_leads_through_a_kind(plan):
    for tid in ("1a", "1b"):
        leads = expected_leads(plan, plan.task_index[tid])
        assert "so-vhttdl" not in leads and "so-khcn" not in leads, tid
        assert "so-gddt" in leads and "xa-muong-la" in leads
    assert "bao-ptth-son-la" in expected_leads(plan, plan.task_index["1a"])
    # a unit named as lead keeps its place even when it also coordinates
    assert expected_leads(plan, plan.task_index["1c"]) == ["so-khcn"]


def test_budget_totals_by_kind_without_blanks(plan75):
    recs = {
        "so-khcn": {"budget_vnd": 50_000_000},
        "bql-kcn": {"budget_vnd": 20_000_000},
        "xa-01": {"budget_vnd": 5_000_000},
        "xa-02": {"budget_vnd": 0},  # a written zero is data
        "xa-03": {"budget_vnd": None},  # a blank is not
    }
    b = budget_of(plan75, year_of(2025, with_year(2025, recs)))
    assert (b.total, b.units) == (75_000_000, 4)
    assert {k: (p.total, p.units) for k, p in b.by_kind.items()} == {
        "so": (50_000_000, 1),
        "ban": (20_000_000, 1),
        "xa": (5_000_000, 2),
    }
