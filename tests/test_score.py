"""`plan57 score` (SPEC §4): reporting, the five status rules, conditions, tasks, the JSON shape.

Most scenarios use the mini plan (the shipped plan with the 8-unit registry MINI_UNITS of
conftest), so every share, sum and trajectory below is computed by hand in a comment next to it.
In the mini registry:
  all units (8):      so-vhttdl, so-khcn, bql-kcn, bao-ptth-son-la, truong-dh-tay-bac,
                      phuong-to-hieu, xa-muong-la, xa-chieng-la
  xã/phường (3):      phuong-to-hieu, xa-muong-la, xa-chieng-la
  bao_chi (1):        bao-ptth-son-la
  so-khcn (1):        the only unit of 2026.nhiem-vu-khcn
`submission(plan, unit, year)` gives each unit every block it needs with every target met
(staff 10/10, communication_staff 10/10, population 1000/1000, grassroots 10/10, science_tasks
10/10 with secret 0, press 1 section and 1 cooperation, every network group 1, training for youth,
pupils and students), submitted on 1 December (on time).

Scoring is driven two ways: the library (`open_workspace` + `score` → YearResult) and the CLI
through typer's CliRunner (stdout and stderr read separately).
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import os
import re
import uuid
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from plan57.api import Workspace, open_workspace, score
from plan57.base.numbers import decimal_string, percent
from plan57.cli import app
from plan57.model.plan import Plan
from plan57.render.json import score_dict
from plan57.render.text import value_text
from plan57.validation.plan_file import load_plan
from plan57.validation.validate import validate_tree

from .conftest import MINI_UNITS, PLAN, UNITS, dump, plan_data, submission, with_registry, write

SCHEMA_PATH = Path(__file__).resolve().parent / "data" / "score.schema.json"

MINI_IDS = [u["id"] for u in MINI_UNITS]
XP = ["phuong-to-hieu", "xa-muong-la", "xa-chieng-la"]  # the xã/phường of MINI_UNITS, in registry order

# SPEC §4: JSON status → Vietnamese label.
TASK_LABEL = {"met": "Hoàn thành", "not_met": "Chưa hoàn thành", "insufficient_data": "Chưa đủ dữ liệu"}
LABEL = {
    "insufficient_data": "Chưa đủ dữ liệu",
    "met": "Đạt",
    "not_met": "Chưa đạt",
    "not_due": "Chưa đến hạn",
    "baseline": "Mốc cơ sở",
    "on_track": "Đúng tiến độ",
    "off_track": "Chậm tiến độ",
}


def _runner() -> CliRunner:
    # click < 8.2 mixes stderr into stdout unless told not to; click ≥ 8.2 keeps them apart
    # (result.stdout, result.stderr) and has no `mix_stderr` parameter any more.
    if "mix_stderr" in inspect.signature(CliRunner.__init__).parameters:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    return CliRunner()


RUNNER = _runner()


# ---- helpers --------------------------------------------------------------------------------


def cli(*args: Any, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return RUNNER.invoke(app, [str(a) for a in args], env=env)


def score_cli(plan: Path, units: Path, year: int, *extra: Any, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return cli("score", "--plan", plan, "--units", units, "--year", year, *extra, env=env)


def score_json(plan: Path, units: Path, year: int, *extra: Any) -> dict[str, Any]:
    result = score_cli(plan, units, year, "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def lib(plan: Plan, units: Path, year: int):  # type: ignore[no-untyped-def]
    """The library on an already loaded plan: what `score(open_workspace(plan_path, units), year)`
    does, without parsing the plan file again (the tests that check equivalence use open_workspace)."""
    return score(Workspace(plan, validate_tree(units, plan), Path("plan.yaml"), units), year)


def lib_json(plan: Plan, units: Path, year: int) -> dict[str, Any]:
    """The JSON object of `score --format json`, from the library."""
    return score_dict(lib(plan, units, year))  # type: ignore[no-any-return]


def tj(doc: dict[str, Any], target_id: str) -> dict[str, Any]:
    """A target of the JSON output."""
    return next(t for t in doc["targets"] if t["id"] == target_id)


def kj(doc: dict[str, Any], task_id: str) -> dict[str, Any]:
    """A task of the JSON output."""
    return next(t for t in doc["tasks"] if t["id"] == task_id)


def tl(result, target_id: str):  # type: ignore[no-untyped-def]
    """A target of a library YearResult."""
    return next(t for t in result.targets if t.target.id == target_id)


def all_subs(plan, year: int, skip: tuple[str, ...] = ()) -> dict[str, dict[str, Any]]:  # type: ignore[no-untyped-def]
    return {uid: submission(plan, uid, year) for uid in MINI_IDS if uid not in skip}


def write_all(units: Path, year: int, subs: dict[str, dict[str, Any]]) -> None:
    for uid, data in subs.items():
        write(units, year, uid, data)


def ref_decimal(value: Fraction) -> str:
    """SPEC §4 decimal rule, written independently: exact where the fraction terminates, else
    rounded to 6 places; no trailing zeros (the spec's examples: "1", "0.95")."""
    den = value.denominator
    for p in (2, 5):
        while den % p == 0:
            den //= p
    with localcontext() as ctx:
        ctx.prec = 1000
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        if den == 1:  # terminates: 1000 digits of precision are plenty for these tests
            text = format(exact.normalize(), "f")
        else:
            text = format(exact.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def parse_percent(text: str) -> Fraction:
    """'99,9%' → 999/1000 (Vietnamese: decimal comma, dot between thousands)."""
    m = re.fullmatch(r"(\d{1,3}(?:\.\d{3})*)(?:,(\d))?%", text)
    assert m, text
    whole = int(m.group(1).replace(".", ""))
    tenths = int(m.group(2) or 0)
    return Fraction(whole * 10 + tenths, 1000)


@pytest.fixture()
def units(tmp_path: Path) -> Path:
    return tmp_path / "units"


# ---- 1. a missing unit ----------------------------------------------------------------------


def test_missing_unit_counts_as_not_meeting_a_share(mini_plan, mini_plan_path, units):
    # 7 of the 8 units file (all met); bql-kcn files nothing.
    write_all(units, 2025, all_subs(mini_plan, 2025, skip=("bql-kcn",)))

    result = score(open_workspace(mini_plan_path, units), 2025)
    assert result.reporting.missing == ["bql-kcn"]
    assert result.reporting.invalid == []
    assert "bql-kcn" not in result.reporting.submitted
    ke = tl(result, "2025.ke-hoach")
    # share: 7 units issued a plan, the missing one counts as not → 7/8; coverage of a share is 1
    assert isinstance(ke.value, Fraction) and ke.value == Fraction(7, 8)
    assert ke.coverage == Fraction(1)
    assert ke.status == "not_met"

    doc = score_json(mini_plan_path, units, 2025)
    rep = doc["reporting"]
    # expected 8; submitted 7; all on 1 December → on_time 7
    assert (rep["expected"], rep["submitted"], rep["on_time"]) == (8, 7, 7)
    assert rep["missing"] == ["bql-kcn"] and rep["late"] == [] and rep["invalid"] == []
    t = tj(doc, "2025.ke-hoach")
    # 7/8 = 0.875 (terminates: exact)
    assert (t["numerator"], t["denominator"], t["value"], t["coverage"]) == (7, 8, "0.875", "1")
    assert t["status"] == "not_met" and t["due"] is True
    assert tj(doc, "2025.chuyen-muc")["value"] == "0.875"
    # a pooled ratio, unlike a share, has coverage < 1: staff 7 × 10/10 = 70/70 = 1 ≥ 1 but
    # coverage 7/8 = 0.875 → rule 2: insufficient_data
    cb = tj(doc, "2025.can-bo")
    assert (cb["numerator"], cb["denominator"], cb["value"], cb["coverage"]) == (70, 70, "1", "0.875")
    assert cb["status"] == "insufficient_data"


# ---- 2. an invalid unit ----------------------------------------------------------------------


def test_invalid_unit_is_listed_not_counted_and_named_on_stderr(mini_plan, mini_plan_path, units):
    subs = all_subs(mini_plan, 2025)
    subs["xa-muong-la"]["staff"] = {"total": 1000, "informed": 1001}  # informed > total: an error
    write_all(units, 2025, subs)
    bad = units / "2025" / "xa-muong-la.yaml"

    result = lib(mini_plan, units, 2025)
    assert result.reporting.invalid == ["xa-muong-la"]
    assert result.reporting.missing == []
    assert "xa-muong-la" not in result.reporting.submitted

    r = score_cli(mini_plan_path, units, 2025, "--format", "json")
    assert r.exit_code == 0, r.output
    assert str(bad) in r.stderr or os.path.relpath(bad) in r.stderr
    doc = json.loads(r.stdout)
    rep = doc["reporting"]
    assert rep["invalid"] == ["xa-muong-la"] and rep["missing"] == []
    assert (rep["expected"], rep["submitted"], rep["on_time"]) == (8, 7, 7)
    assert len(rep["invalid_files"]) == 1 and rep["invalid_files"][0].endswith("xa-muong-la.yaml")
    # its figures are not counted: staff of the 7 valid units 7 × 10/10 = 70/70 (not 1071/1070);
    # coverage 7/8 → value 1 ≥ 1 but rule 2 → insufficient_data
    cb = tj(doc, "2025.can-bo")
    assert (cb["numerator"], cb["denominator"], cb["coverage"], cb["status"]) == (70, 70, "0.875", "insufficient_data")
    # a share counts it as not meeting: 7/8
    assert tj(doc, "2025.ke-hoach")["value"] == "0.875"
    # xã/phường population: 2 valid × 1000/1000 → 2000/2000; coverage 2/3 = 0.666667
    tc = tj(doc, "2030.tiep-can")
    assert (tc["numerator"], tc["denominator"], tc["coverage"]) == (2000, 2000, "0.666667")

    # the text table names it on stderr too
    r = score_cli(mini_plan_path, units, 2025)
    assert r.exit_code == 0, r.output
    assert str(bad) in r.stderr or os.path.relpath(bad) in r.stderr


def test_file_whose_year_disagrees_with_its_folder_is_invalid_for_the_folder_year(mini_plan, mini_plan_path, units):
    subs = all_subs(mini_plan, 2025)
    subs["so-khcn"]["year"] = 2026  # filed under 2025/ but says 2026
    write_all(units, 2025, subs)
    doc = score_json(mini_plan_path, units, 2025)
    assert doc["reporting"]["invalid"] == ["so-khcn"]
    assert doc["reporting"]["submitted"] == 7
    # it is not a 2026 submission either: in 2026 nobody filed
    doc26 = lib_json(mini_plan, units, 2026)
    assert doc26["reporting"]["missing"] == MINI_IDS and doc26["reporting"]["invalid"] == []


def test_two_files_for_one_unit_make_it_invalid_once(mini_plan, mini_plan_path, units):
    write_all(units, 2025, all_subs(mini_plan, 2025))
    # a second file for xa-muong-la (.yml next to .yaml): the same unit and year twice → both invalid
    write(units, 2025, "xa-muong-la", submission(mini_plan, "xa-muong-la", 2025), suffix=".yml")
    doc = lib_json(mini_plan, units, 2025)
    rep = doc["reporting"]
    assert rep["invalid"] == ["xa-muong-la"] and rep["missing"] == []
    assert len(rep["invalid_files"]) == 2
    # neither file counts: staff 7 × 10/10 = 70/70, coverage 7/8
    cb = tj(doc, "2025.can-bo")
    assert (cb["numerator"], cb["denominator"], cb["coverage"]) == (70, 70, "0.875")


def test_text_output_names_an_invalid_file_exactly(mini_plan, mini_plan_path, units):
    write_all(units, 2025, all_subs(mini_plan, 2025, skip=("xa-muong-la",)))
    # a revised copy saved under another name: its `unit:` disagrees with its stem → invalid
    bad = write(units, 2025, "xa-muong-la [bản sửa]", submission(mini_plan, "xa-muong-la", 2025))
    r = score_cli(mini_plan_path, units, 2025, env={"COLUMNS": "400"})
    assert r.exit_code == 0, r.output
    assert bad.name in r.stderr  # named on stderr (SPEC §4)
    assert bad.name in r.stdout  # and listed by its real name in the table's header lines


def test_units_folder_that_does_not_exist_means_no_submissions(mini_plan_path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the default folder, data/units, is absent: no submissions (a named one: exit 2)
    r = cli("score", "--plan", mini_plan_path, "--year", 2025, "--format", "json")
    assert r.exit_code == 0, r.output
    assert r.stderr.strip() != ""  # a note
    rep = json.loads(r.stdout)["reporting"]
    assert (rep["expected"], rep["submitted"], rep["missing"]) == (8, 0, MINI_IDS)


# ---- 3. on time / late -------------------------------------------------------------------------


def test_fifth_of_december_is_late_fourth_is_on_time(mini_plan, mini_plan_path, units):
    subs = all_subs(mini_plan, 2025)
    subs["so-vhttdl"]["submitted"] = dt.date(2025, 12, 5)  # not strictly before 5/12 → late
    subs["so-khcn"]["submitted"] = dt.date(2025, 12, 4)  # the last day on time
    write_all(units, 2025, subs)

    result = lib(mini_plan, units, 2025)
    assert result.reporting.late == ["so-vhttdl"]
    assert "so-khcn" in result.reporting.on_time and "so-vhttdl" not in result.reporting.on_time

    rep = score_json(mini_plan_path, units, 2025)["reporting"]
    # 8 submitted (a late file still counts), 7 on time
    assert (rep["expected"], rep["submitted"], rep["on_time"]) == (8, 8, 7)
    assert rep["late"] == ["so-vhttdl"] and rep["missing"] == [] and rep["invalid"] == []


def test_reporting_lists_are_in_registry_order(mini_plan, mini_plan_path, units):
    # late: xa-chieng-la and so-vhttdl (registry order: so-vhttdl first); missing: xa-muong-la, so-khcn
    subs = all_subs(mini_plan, 2025, skip=("xa-muong-la", "so-khcn"))
    subs["xa-chieng-la"]["submitted"] = dt.date(2025, 12, 20)
    subs["so-vhttdl"]["submitted"] = dt.date(2025, 12, 6)
    write_all(units, 2025, subs)
    rep = score_json(mini_plan_path, units, 2025)["reporting"]
    assert rep["late"] == ["so-vhttdl", "xa-chieng-la"]
    assert rep["missing"] == ["so-khcn", "xa-muong-la"]
    # 6 submitted, 2 of them late → 4 on time
    assert (rep["submitted"], rep["on_time"]) == (6, 4)


# ---- 4. a block absent from one file -----------------------------------------------------------


def test_absent_block_lowers_coverage_and_blocks_met(mini_plan, mini_plan_path, units):
    subs = all_subs(mini_plan, 2025)
    del subs["xa-chieng-la"]["population"]  # a warning, not an error: the rest still counts
    write_all(units, 2025, subs)

    result = lib(mini_plan, units, 2025)
    assert "xa-chieng-la" in result.reporting.submitted
    tc = tl(result, "2030.tiep-can")
    # 2 of the 3 xã/phường have population → coverage 2/3; Σ 2000/2000 = 1 ≥ 4/5 but not proven
    # met (rule 2 needs coverage 1); not due → rule 6: the first year with a value is the baseline
    assert tc.coverage == Fraction(2, 3)
    assert tc.value == Fraction(1)
    assert tc.status == "baseline"

    doc = score_json(mini_plan_path, units, 2025)
    t = tj(doc, "2030.tiep-can")
    # 2/3 does not terminate → 6 places: 0.666667
    assert (t["numerator"], t["denominator"], t["value"], t["coverage"]) == (2000, 2000, "1", "0.666667")
    # not due in 2025, and the first year with a value: rule 6, the baseline (coverage shown beside it)
    assert t["status"] == "baseline" and t["threshold"] == "0.8"
    # its other data still counts: staff 8 × 10/10 = 80/80, coverage 1 → met
    cb = tj(doc, "2025.can-bo")
    assert (cb["numerator"], cb["denominator"], cb["coverage"], cb["status"]) == (80, 80, "1", "met")
    assert doc["reporting"]["invalid"] == []


# ---- 5. trajectory of a 2030 target ------------------------------------------------------------


@pytest.mark.parametrize(
    ("reached_2026", "status"),
    [
        # 560 × 3 = 1680/3000 = 14/25 = required(2026) exactly → on_track (≥)
        ((560, 560, 560), "on_track"),
        # 1679/3000 < 1680/3000 → off_track
        ((560, 560, 559), "off_track"),
    ],
)
def test_on_track_and_off_track_against_the_baseline(mini_plan, mini_plan_path, units, reached_2026, status):
    s25 = all_subs(mini_plan, 2025)
    for uid in XP:  # 2025: 3 × 500/1000 = 1500/3000 = 1/2
        s25[uid]["population"] = {"total": 1000, "reached": 500}
    for uid in MINI_IDS:  # 2025: 8 × 3/10 = 24/80 = 3/10
        s25[uid]["communication_staff"] = {"total": 10, "trained": 3}
    write_all(units, 2025, s25)
    s26 = all_subs(mini_plan, 2026)
    for uid, reached in zip(XP, reached_2026):
        s26[uid]["population"] = {"total": 1000, "reached": reached}
    # 2026: trained 4,4,4,4,4,4,3,3 = 30 of 80 → 3/8 = 0.375
    for uid, trained in zip(MINI_IDS, (4, 4, 4, 4, 4, 4, 3, 3)):
        s26[uid]["communication_staff"] = {"total": 10, "trained": trained}
    write_all(units, 2026, s26)

    d25 = score_json(mini_plan_path, units, 2025)
    for tid, value in (("2030.tiep-can", "0.5"), ("2030.dao-tao-can-bo", "0.3")):
        t = tj(d25, tid)
        assert (t["value"], t["coverage"], t["status"], t["required"], t["due"]) == (
            value,
            "1",
            "baseline",
            None,
            False,
        )

    # tiếp cận: required(2026) = 1/2 + (4/5 − 1/2)·(2026 − 2025)/(2030 − 2025) = 1/2 + 3/10·1/5 = 14/25 = 0.56
    d26 = score_json(mini_plan_path, units, 2026)
    t = tj(d26, "2030.tiep-can")
    assert (t["required"], t["coverage"], t["status"], t["due"]) == ("0.56", "1", status, False)
    assert t["numerator"] == sum(reached_2026) and t["denominator"] == 3000
    # đào tạo: required(2026) = 3/10 + (7/10 − 3/10)·1/5 = 3/10 + 2/25 = 19/50 = 0.38; 0.375 < 0.38
    d = tj(d26, "2030.dao-tao-can-bo")
    assert (d["value"], d["required"], d["coverage"], d["status"]) == ("0.375", "0.38", "1", "off_track")

    result = lib(mini_plan, units, 2026)
    t = tl(result, "2030.tiep-can")
    assert t.required == Fraction(14, 25) and t.baseline_year == 2025
    assert tl(result, "2030.dao-tao-can-bo").required == Fraction(19, 50)

    # the table shows the required value as a percentage: 14/25 = 56%, 19/50 = 38%
    r = score_cli(mini_plan_path, units, 2026, env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    row = next(line for line in r.stdout.splitlines() if "2030.tiep-can" in line)
    assert "56%" in row and LABEL[status] in row
    row = next(line for line in r.stdout.splitlines() if "2030.dao-tao-can-bo" in line)
    assert "38%" in row and LABEL["off_track"] in row


# ---- 6. the baseline is the first year with a value ---------------------------------------------


def test_baseline_is_first_year_with_a_value(mini_plan, mini_plan_path, units):
    s25 = all_subs(mini_plan, 2025)
    for uid in XP:  # 2025: nobody reports population → 2030.tiep-can has no value
        del s25[uid]["population"]
    write_all(units, 2025, s25)
    s26 = all_subs(mini_plan, 2026)
    for uid in XP:  # 2026: 3 × 500/1000 = 1/2
        s26[uid]["population"] = {"total": 1000, "reached": 500}
    write_all(units, 2026, s26)
    s27 = all_subs(mini_plan, 2027)
    for uid in XP:  # 2027: 3 × 575/1000 = 1725/3000 = 23/40 = 0.575
        s27[uid]["population"] = {"total": 1000, "reached": 575}
    write_all(units, 2027, s27)

    t25 = tj(lib_json(mini_plan, units, 2025), "2030.tiep-can")
    assert (t25["value"], t25["coverage"], t25["status"]) == (None, "0", "insufficient_data")
    t26 = tj(lib_json(mini_plan, units, 2026), "2030.tiep-can")
    assert (t26["value"], t26["status"], t26["required"]) == ("0.5", "baseline", None)
    # b = 2026: required(2027) = 1/2 + (4/5 − 1/2)·(2027 − 2026)/(2030 − 2026) = 1/2 + 3/40 = 23/40
    t27 = tj(lib_json(mini_plan, units, 2027), "2030.tiep-can")
    assert (t27["value"], t27["required"], t27["status"]) == ("0.575", "0.575", "on_track")
    assert tl(lib(mini_plan, units, 2027), "2030.tiep-can").baseline_year == 2026


def test_baseline_counts_a_year_with_partial_coverage(mini_plan, mini_plan_path, units):
    s25 = all_subs(mini_plan, 2025)
    s25["xa-muong-la"]["population"] = {"total": 1000, "reached": 900}
    for uid in ("phuong-to-hieu", "xa-chieng-la"):
        del s25[uid]["population"]
    write_all(units, 2025, s25)
    s26 = all_subs(mini_plan, 2026)
    for uid in XP:  # 2026: 3 × 700/1000 = 7/10
        s26[uid]["population"] = {"total": 1000, "reached": 700}
    write_all(units, 2026, s26)

    # 2025: 900/1000 = 9/10 ≥ 4/5 but coverage 1/3: not proven met; not due → the baseline year
    t25 = tj(lib_json(mini_plan, units, 2025), "2030.tiep-can")
    assert (t25["value"], t25["coverage"], t25["status"]) == ("0.9", "0.333333", "baseline")
    # the baseline 9/10 is above the threshold: required(2026) = min(4/5, 9/10 + (4/5 − 9/10)·1/5)
    # = 4/5 (SPEC §4 rule 6 never asks more than the threshold); 0.7 < 0.8
    t26 = tj(lib_json(mini_plan, units, 2026), "2030.tiep-can")
    assert (t26["value"], t26["required"], t26["status"]) == ("0.7", "0.8", "off_track")


# ---- 7. met exactly at the threshold -----------------------------------------------------------


def test_seven_of_ten_trained_meets_seventy_percent(mini_plan, mini_plan_path, units):
    subs = all_subs(mini_plan, 2025)
    # totals 3+1+1+1+1+1+1+1 = 10, trained 3+1+1+1+1+0+0+0 = 7 → 7/10 = threshold exactly
    for uid, total, trained in zip(MINI_IDS, (3, 1, 1, 1, 1, 1, 1, 1), (3, 1, 1, 1, 1, 0, 0, 0)):
        subs[uid]["communication_staff"] = {"total": total, "trained": trained}
    write_all(units, 2025, subs)

    t = tl(lib(mini_plan, units, 2025), "2030.dao-tao-can-bo")
    assert t.value == Fraction(7, 10) and t.status == "met"
    assert percent(t.value) == "70%"  # a whole number drops ",0"

    d = tj(score_json(mini_plan_path, units, 2025), "2030.dao-tao-can-bo")
    # met before 2030: value ≥ threshold with coverage 1 (rule 2 comes before rule 5)
    assert (d["numerator"], d["denominator"], d["value"], d["threshold"]) == (7, 10, "0.7", "0.7")
    assert (d["coverage"], d["required"], d["due"], d["status"]) == ("1", None, False, "met")


# ---- 8. 9,999 of 10,000 is not 100% ------------------------------------------------------------


def test_9999_of_10000_informed_is_not_met_and_never_shows_100(mini_plan, mini_plan_path, units):
    subs = all_subs(mini_plan, 2025)
    # so-vhttdl 9992/9993 + 7 units × 1/1 → Σ 9999/10000
    subs["so-vhttdl"]["staff"] = {"total": 9993, "informed": 9992}
    for uid in MINI_IDS[1:]:
        subs[uid]["staff"] = {"total": 1, "informed": 1}
    write_all(units, 2025, subs)

    result = lib(mini_plan, units, 2025)
    t = tl(result, "2025.can-bo")
    assert t.value == Fraction(9999, 10000) and t.status == "not_met"
    # floor(99.99 · 10)/10 = 99.9 → "99,9%", never "100%"
    assert percent(t.value) == "99,9%"
    assert "100%" not in value_text(t)
    assert value_text(t) == "99,9% (9.999/10.000)"

    d = tj(score_json(mini_plan_path, units, 2025), "2025.can-bo")
    assert (d["numerator"], d["denominator"], d["value"], d["status"]) == (9999, 10000, "0.9999", "not_met")

    r = score_cli(mini_plan_path, units, 2025, "--explain", env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert "99,9%" in r.stdout and "9.999/10.000" in r.stdout
    row = next(line for line in r.stdout.splitlines() if "2025.can-bo" in line and "99,9%" in line)
    # on the table row, "100%" is the threshold (1) and the coverage (8/8), never the value
    assert row.count("100%") == 2


# ---- 9. conditions -----------------------------------------------------------------------------


def test_hop_tac_with_no_cooperation_is_not_met_in_2025(mini_plan, mini_plan_path, units):
    subs = all_subs(mini_plan, 2025)
    subs["bao-ptth-son-la"]["press"] = {"dedicated_sections": 1, "national_cooperation": 0}
    write_all(units, 2025, subs)
    t = tj(lib_json(mini_plan, units, 2025), "2025.hop-tac")
    # Σ national_cooperation = 0 < 1 → false; the one press agency reported it: coverage 1/1;
    # due in 2025 and failing with coverage 1 → not_met (rule 3)
    assert t["value"] is False and t["due"] is True and t["status"] == "not_met"
    assert (t["threshold"], t["numerator"], t["denominator"], t["required"]) == (None,) * 4
    assert t["coverage"] == "1"
    # the press agency's dedicated section still counts: 1/1
    assert tj(lib_json(mini_plan, units, 2025), "2025.bao-chi")["status"] == "met"


def test_network_group_empty_everywhere_is_not_due_then_not_met(mini_plan, mini_plan_path, units):
    for year in (2025, 2026):
        subs = all_subs(mini_plan, year)
        for uid in MINI_IDS:
            subs[uid]["network"]["experts"] = 0  # Σ experts = 0 across all 8 units
        write_all(units, year, subs)
    t25 = tj(lib_json(mini_plan, units, 2025), "2026.mang-luoi")
    assert (t25["value"], t25["due"], t25["status"]) == (False, False, "not_due")
    t26 = tj(lib_json(mini_plan, units, 2026), "2026.mang-luoi")
    assert (t26["value"], t26["due"], t26["status"]) == (False, True, "not_met")


def test_network_groups_spread_across_units_are_met(mini_plan, mini_plan_path, units):
    groups = [g.id for g in mini_plan.network_groups]
    subs = all_subs(mini_plan, 2026)
    # unit i has only group i (mod 10) → groups 0..7 from the 8 units; groups 8, 9 also from so-vhttdl
    for i, uid in enumerate(MINI_IDS):
        subs[uid]["network"] = {g: 0 for g in groups}
        subs[uid]["network"][groups[i]] = 1
    subs["so-vhttdl"]["network"][groups[8]] = 2
    subs["so-vhttdl"]["network"][groups[9]] = 3
    write_all(units, 2026, subs)
    t = tj(lib_json(mini_plan, units, 2026), "2026.mang-luoi")
    assert (t["value"], t["status"]) == (True, "met")


@pytest.mark.parametrize(
    ("audiences", "value", "status"),
    [
        # youth (so-vhttdl) + students (truong) + pupils (xa-muong-la) → all three covered
        (
            {"so-vhttdl": ["youth"], "truong-dh-tay-bac": ["students"], "xa-muong-la": ["pupils", "citizens"]},
            True,
            "met",
        ),
        # no unit trains pupils → not covered; due in 2026 → not_met
        ({"so-vhttdl": ["youth"], "truong-dh-tay-bac": ["students", "teachers"]}, False, "not_met"),
    ],
)
def test_training_audiences_across_units(mini_plan, mini_plan_path, units, audiences, value, status):
    subs = all_subs(mini_plan, 2026)
    for uid in MINI_IDS:
        subs[uid]["training"] = [
            {"name": f"Lớp {i + 1}", "audience": a, "participants": 20}
            for i, a in enumerate(audiences.get(uid, ["officials"]))
        ]
    write_all(units, 2026, subs)
    t = tj(lib_json(mini_plan, units, 2026), "2026.dao-tao")
    assert (t["value"], t["status"]) == (value, status)


def test_condition_without_any_data_is_insufficient(mini_plan, mini_plan_path, units):
    for year in (2025, 2026):
        subs = all_subs(mini_plan, year)
        for uid in MINI_IDS:
            del subs[uid]["network"]  # no unit has a `network` block (a warning each)
        write_all(units, year, subs)
    for year in (2025, 2026):
        doc = lib_json(mini_plan, units, year)
        assert doc["reporting"]["invalid"] == []
        t = tj(doc, "2026.mang-luoi")
        assert (t["value"], t["status"]) == (None, "insufficient_data")


# ---- 10. an empty denominator ------------------------------------------------------------------


@pytest.mark.parametrize(
    "science",
    [
        {"total": 0, "secret": 0, "communicated": 0},  # Σ(total − secret) = 0
        {"total": 3, "secret": 3, "communicated": 0},  # all secret: 3 − 3 = 0
    ],
)
def test_empty_denominator_is_insufficient_data(mini_plan, mini_plan_path, units, science):
    subs = all_subs(mini_plan, 2026)
    subs["so-khcn"]["science_tasks"] = science
    write_all(units, 2026, subs)
    t = tj(lib_json(mini_plan, units, 2026), "2026.nhiem-vu-khcn")
    assert (t["value"], t["status"], t["required"]) == (None, "insufficient_data", None)
    assert t["coverage"] == "1"  # so-khcn reported the block; there is just nothing to divide
    assert tl(lib(mini_plan, units, 2026), "2026.nhiem-vu-khcn").value is None


def test_secret_tasks_are_excluded_from_the_ratio(mini_plan, mini_plan_path, units):
    subs = all_subs(mini_plan, 2026)
    subs["so-khcn"]["science_tasks"] = {"total": 14, "secret": 1, "communicated": 13}
    write_all(units, 2026, subs)
    t = tj(lib_json(mini_plan, units, 2026), "2026.nhiem-vu-khcn")
    # 13 / (14 − 1) = 1 → met
    assert (t["numerator"], t["denominator"], t["value"], t["status"]) == (13, 13, "1", "met")


# ---- 11. nothing carries over ------------------------------------------------------------------


def test_nothing_carries_over_to_the_next_year(mini_plan, mini_plan_path, units):
    write_all(units, 2025, all_subs(mini_plan, 2025))
    write_all(units, 2026, all_subs(mini_plan, 2026, skip=("bql-kcn",)))  # bql-kcn filed only in 2025
    doc = lib_json(mini_plan, units, 2026)
    rep = doc["reporting"]
    assert rep["missing"] == ["bql-kcn"]
    assert (rep["expected"], rep["submitted"], rep["on_time"]) == (8, 7, 7)
    # the 2025 milestone keeps its verdict from the 2025 files: 8/8, met; its 2025 plan does not
    # count in 2026's own figure: current 7/8
    t = tj(doc, "2025.ke-hoach")
    assert (t["judged_year"], t["value"], t["status"], t["due"]) == (2025, "1", "met", True)
    assert t["current"] == {"numerator": 7, "denominator": 8, "value": "0.875", "coverage": "1"}
    assert t["history"] == [
        {"year": 2025, "value": "1", "coverage": "1", "status": "met"},
        {"year": 2026, "value": "0.875", "coverage": "1", "status": "not_met"},
    ]
    assert tj(lib_json(mini_plan, units, 2025), "2025.ke-hoach")["status"] == "met"


def test_a_year_without_files_has_everyone_missing(mini_plan, mini_plan_path, units):
    write_all(units, 2025, all_subs(mini_plan, 2025))
    doc = lib_json(mini_plan, units, 2026)
    assert doc["reporting"]["missing"] == MINI_IDS and doc["reporting"]["submitted"] == 0
    # 2025 milestones keep their 2025 verdict (all met); 2026's own figures: a share 0/8 = 0
    ke = tj(doc, "2025.ke-hoach")
    assert (ke["judged_year"], ke["value"], ke["status"]) == (2025, "1", "met")
    assert (ke["current"]["value"], ke["current"]["coverage"]) == ("0", "1")
    # a ratio has no value with nothing reported: coverage 0
    assert tj(doc, "2025.can-bo")["current"] == {"numerator": None, "denominator": None, "value": None, "coverage": "0"}
    # 2026 targets judged on 2026's files: no value → insufficient_data
    for tid in ("2026.ha-tang", "2026.mang-luoi", "2026.dao-tao"):
        t = tj(doc, tid)
        assert (t["judged_year"], t["value"], t["status"]) == (2026, None, "insufficient_data"), tid
        assert "current" not in t
    # 2026 has no submission: the history holds 2025 alone
    assert [h["year"] for h in tj(doc, "2026.ha-tang")["history"]] == [2025]


# ---- 12. tasks ---------------------------------------------------------------------------------


EVENT = {"date": dt.date(2025, 10, 10), "name": "Hưởng ứng Ngày Chuyển đổi số quốc gia"}


@pytest.mark.parametrize(
    ("tasks", "done", "status"),
    [
        ({"1c": {"activities": 0, "events": [EVENT]}}, 1, "met"),  # one event is enough
        ({"1c": {"activities": 1}}, 1, "met"),  # one activity is enough
        ({"1c": {"activities": 0}}, 0, "not_met"),  # neither
        (None, 0, "not_met"),  # no `tasks` at all
    ],
)
def test_task_1c_done_by_its_lead(mini_plan, mini_plan_path, units, tasks, done, status):
    subs = all_subs(mini_plan, 2025)
    if tasks is not None:
        subs["so-khcn"]["tasks"] = tasks
    # a coordinator's activity (xa-muong-la coordinates 1c) does not make it done
    subs["xa-muong-la"]["tasks"] = {"1c": {"activities": 5, "events": [EVENT]}}
    write_all(units, 2025, subs)
    k = kj(lib_json(mini_plan, units, 2025), "1c")
    # 1c lead: so-khcn → 1 expected lead in the mini registry
    assert (k["leads_expected"], k["leads_done"], k["status"]) == (1, done, status)


def test_task_counts_and_leads_absent_from_the_registry(mini_plan, mini_plan_path, units):
    subs = all_subs(mini_plan, 2025)
    # 1b leads: kinds so, ban, xa, phuong → so-vhttdl, so-khcn, bql-kcn, phuong-to-hieu,
    # xa-muong-la, xa-chieng-la, less the coordinators named individually (so-vhttdl, so-khcn)
    # = 4; done by xa-muong-la = 1 (so-vhttdl's activity is a coordinator's)
    subs["so-vhttdl"]["tasks"] = {"1b": {"activities": 2}}
    subs["xa-muong-la"]["tasks"] = {"1b": {"activities": 1}, "1a": {"activities": 3}}
    subs["bao-ptth-son-la"]["tasks"] = {"1b": {"activities": 9}}  # not a lead of 1b
    write_all(units, 2025, subs)
    doc = lib_json(mini_plan, units, 2025)
    assert kj(doc, "1b") == {"id": "1b", "leads_expected": 4, "leads_done": 1, "status": "not_met"}
    # 1a leads: bao-ptth-son-la, vp-ubnd-tinh (not in the mini registry), so/ban (3 less the two
    # coordinators = 1), xã/phường (3) → 1 + 1 + 3 = 5; done by xa-muong-la only
    assert kj(doc, "1a") == {"id": "1a", "leads_expected": 5, "leads_done": 1, "status": "not_met"}
    # 2a's only lead, so-gddt, is not in the mini registry → insufficient_data
    assert kj(doc, "2a") == {"id": "2a", "leads_expected": 0, "leads_done": 0, "status": "insufficient_data"}
    assert [k["id"] for k in doc["tasks"]] == "1a 1b 1c 1d 2a 2b 2c 2d 3a 3b 4a 4b 4c 5a 5b 5c".split()


def test_task_of_an_invalid_lead_is_not_done(mini_plan, mini_plan_path, units):
    subs = all_subs(mini_plan, 2025)
    subs["so-khcn"]["tasks"] = {"1c": {"activities": 4}}
    subs["so-khcn"]["staff"] = {"total": 1, "informed": 2}  # an error: the file is invalid
    write_all(units, 2025, subs)
    k = kj(lib_json(mini_plan, units, 2025), "1c")
    assert (k["leads_expected"], k["leads_done"], k["status"]) == (1, 0, "not_met")


def test_targets_and_tasks_with_no_expected_unit_in_the_registry(tmp_path, units):
    # another registry: the mini one without the press agency and without so-khcn
    data = plan_data()
    with_registry(data, [dict(u) for u in MINI_UNITS if u["id"] not in ("bao-ptth-son-la", "so-khcn")])
    plan_path = tmp_path / "plan-no-press.yaml"
    plan_path.write_text(dump(data), encoding="utf-8")
    the_plan = load_plan(plan_path)
    write_all(units, 2025, {u.id: submission(the_plan, u.id, 2025) for u in the_plan.units})
    doc = score_json(plan_path, units, 2025)
    assert doc["reporting"]["expected"] == 6
    # no bao_chi unit, no so-khcn: the share, the condition and the ratio have nothing to measure
    # (no expected unit, nothing reported: rule 1; coverage 0/0 is left unchecked — see the report)
    for tid in ("2025.bao-chi", "2025.hop-tac", "2026.nhiem-vu-khcn"):
        t = tj(doc, tid)
        assert (t["value"], t["status"]) == (None, "insufficient_data"), t
    # task 1c's only lead is so-khcn → no lead in the registry
    assert kj(doc, "1c") == {"id": "1c", "leads_expected": 0, "leads_done": 0, "status": "insufficient_data"}
    # the others still score: 6 of 6 issued a plan
    assert tj(doc, "2025.ke-hoach")["value"] == "1"


# ---- 13. usage and exit codes ------------------------------------------------------------------


@pytest.mark.parametrize("year", [2031, 2024])
def test_year_outside_the_plan_exits_2_in_vietnamese(mini_plan, mini_plan_path, units, year):
    write_all(units, 2025, all_subs(mini_plan, 2025))
    r = score_cli(mini_plan_path, units, year, "--format", "json")
    assert r.exit_code == 2, r.output
    assert str(year) in r.stderr
    assert re.search(r"[ăâđêôơưàáảãạèéẻẽẹìíỉĩịòóỏõọùúủũụỳýỷỹỵ]", r.stderr.lower()), r.stderr
    assert "Traceback" not in r.output and r.stdout == ""


def _all_met_2025(mini_plan, units: Path) -> None:  # type: ignore[no-untyped-def]
    subs = all_subs(mini_plan, 2025)
    for uid in XP:  # 2026.ha-tang (not due in 2025) below its 100%: 3 × 5/10 → baseline, not a failure
        subs[uid]["grassroots"] = {"villages_total": 10, "villages_equipped": 5}
    write_all(units, 2025, subs)


def test_strict_exit_0_when_every_due_target_is_met(mini_plan, mini_plan_path, units):
    _all_met_2025(mini_plan, units)
    doc = score_json(mini_plan_path, units, 2025)
    assert tj(doc, "2026.ha-tang")["status"] == "baseline"
    assert all(t["status"] == "met" for t in doc["targets"] if t["due"])
    r = score_cli(mini_plan_path, units, 2025, "--strict")
    assert r.exit_code == 0, r.output


def test_strict_exit_1_on_a_due_target_not_met(mini_plan, mini_plan_path, units):
    _all_met_2025(mini_plan, units)
    sub = submission(mini_plan, "bql-kcn", 2025)
    sub["portal_section"] = {"exists": False}  # 2025.chuyen-muc 7/8 → not_met (due)
    write(units, 2025, "bql-kcn", sub)
    assert score_cli(mini_plan_path, units, 2025, "--strict").exit_code == 1
    assert score_cli(mini_plan_path, units, 2025, "--strict", "--format", "json").exit_code == 1
    r = score_cli(mini_plan_path, units, 2025)
    assert r.exit_code == 0, r.output  # without --strict, whatever the statuses


def test_strict_exit_1_on_an_invalid_file(mini_plan, mini_plan_path, units):
    _all_met_2025(mini_plan, units)
    # a stray file that is no unit's: every registry unit still valid, every due target met
    stray_data = submission(mini_plan, "so-vhttdl", 2025)
    stray_data["unit"] = "khong-phai-don-vi"
    stray = write(units, 2025, "khong-phai-don-vi", stray_data)
    doc = score_json(mini_plan_path, units, 2025)
    assert all(t["status"] == "met" for t in doc["targets"] if t["due"])
    assert len(doc["reporting"]["invalid_files"]) == 1
    r = score_cli(mini_plan_path, units, 2025, "--strict")
    assert r.exit_code == 1, r.output
    assert stray.name in r.stderr
    r = score_cli(mini_plan_path, units, 2025)
    assert r.exit_code == 0, r.output
    assert stray.name in r.stderr


# ---- 14. the JSON shape ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    data = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(data)
    return data  # type: ignore[no-any-return]


def check_json(doc: dict[str, Any], schema: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(schema).validate(doc)
    # keys in the order of SPEC §4
    assert list(doc) == ["year", "reporting", "targets", "tasks", "budget_vnd", "sample", "sample_years"]
    assert list(doc["reporting"]) == ["expected", "submitted", "on_time", "missing", "late", "invalid", "invalid_files"]
    for t in doc["targets"]:
        current = ["current"] if t["judged_year"] < doc["year"] else []
        assert list(t) == [
            "id",
            "due",
            "judged_year",
            "threshold",
            "numerator",
            "denominator",
            "value",
            "coverage",
            "required",
            "status",
            *current,
            "history",
        ]
        # due ⇔ target year ≤ Y; the verdict's year is the target's year, or Y before it
        assert t["due"] == (int(t["id"][:4]) <= doc["year"])
        assert t["judged_year"] == min(int(t["id"][:4]), doc["year"])
        years = [h["year"] for h in t["history"]]
        assert years == sorted(set(years)) and all(y <= doc["year"] for y in years)
        # the value of a ratio is numerator/denominator in the decimal rule
        if t["threshold"] is not None and t["denominator"]:
            assert t["value"] == ref_decimal(Fraction(t["numerator"], t["denominator"])), t
        for key in ("threshold", "value", "coverage", "required"):
            if isinstance(t[key], str):  # canonical: no trailing zeros, no "+", no exponent
                assert t[key] == ref_decimal(Fraction(t[key])), t
    rep = doc["reporting"]
    assert rep["submitted"] == rep["expected"] - len(rep["missing"]) - len(rep["invalid"])
    assert rep["on_time"] == rep["submitted"] - len(rep["late"])
    assert [t["id"] for t in doc["targets"]] == [
        "2025.ke-hoach",
        "2025.chuyen-muc",
        "2025.can-bo",
        "2025.bao-chi",
        "2025.hop-tac",
        "2026.mang-luoi",
        "2026.dao-tao",
        "2026.nhiem-vu-khcn",
        "2026.ha-tang",
        "2030.tiep-can",
        "2030.dao-tao-can-bo",
    ]


def test_json_of_the_shipped_data_matches_the_schema(schema):
    for year in (2025, 2026, 2030):
        r = cli("score", "--plan", PLAN, "--units", UNITS, "--year", year, "--format", "json")
        assert r.exit_code == 0, r.output
        check_json(json.loads(r.stdout), schema)


def test_json_of_mixed_scenarios_matches_the_schema(mini_plan, mini_plan_path, units, schema):
    s25 = all_subs(mini_plan, 2025, skip=("bql-kcn",))
    s25["xa-muong-la"]["staff"] = {"total": 3, "informed": 4}  # invalid
    s25["so-vhttdl"]["submitted"] = dt.date(2025, 12, 9)  # late
    del s25["xa-chieng-la"]["population"]
    for uid in s25:
        s25[uid].pop("network", None)  # a condition with no data: value null
    s25["bao-ptth-son-la"]["press"]["national_cooperation"] = 0  # a condition false
    write_all(units, 2025, s25)
    s26 = all_subs(mini_plan, 2026)
    for uid in XP:
        s26[uid]["population"] = {"total": 3, "reached": 1}  # 3/9 = 1/3: rounded to 6 places
    s26["so-khcn"]["science_tasks"] = {"total": 0, "secret": 0, "communicated": 0}
    write_all(units, 2026, s26)
    for year in (2025, 2026):
        doc = score_json(mini_plan_path, units, year)
        check_json(doc, schema)
        # the library result renders to the same object the CLI prints
        assert score_dict(score(open_workspace(mini_plan_path, units), year)) == doc
    doc = score_json(mini_plan_path, units, 2026)
    assert tj(doc, "2030.tiep-can")["value"] == "0.333333"


def test_schema_rejects_what_the_spec_forbids(schema):
    r = cli("score", "--plan", PLAN, "--units", UNITS, "--year", 2025, "--format", "json")
    good = json.loads(r.stdout)
    validator = jsonschema.Draft202012Validator(schema)
    validator.validate(good)
    bad_docs = []
    for mutate in (
        lambda d: d["targets"][0].__setitem__("value", 0.5),  # a float, not a decimal string
        lambda d: d["targets"][0].__setitem__("status", "ok"),
        lambda d: tj(d, "2025.hop-tac").__setitem__("threshold", "1"),
        lambda d: tj(d, "2025.hop-tac").__setitem__("value", "1"),
        lambda d: d["reporting"].pop("invalid_files"),
        lambda d: d.__setitem__("extra", 1),
        lambda d: d["tasks"][0].__setitem__("status", "not_due"),
    ):
        bad = json.loads(json.dumps(good))
        mutate(bad)
        bad_docs.append(bad)
    for bad in bad_docs:
        assert not validator.is_valid(bad)


# ---- 15. the rich table at 80 columns -----------------------------------------------------------


def test_text_table_at_80_columns_keeps_every_status():
    r = cli("score", "--plan", PLAN, "--units", UNITS, "--year", 2025, "--format", "json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    # as on a terminal 80 columns wide (piped output is plain tab-separated text instead)
    r = cli("score", "--plan", PLAN, "--units", UNITS, "--year", 2025, env={"COLUMNS": "80", "TTY_COMPATIBLE": "1"})
    assert r.exit_code == 0, r.output
    text = re.sub(r"\x1b\[[0-9;]*m", "", r.stdout)
    lines = text.splitlines()
    assert lines and max(len(line) for line in lines) <= 80, max(lines, key=len)
    # every row shows its whole label (not cut or wrapped): at least one occurrence per row;
    # tasks are rated in their own words (Hoàn thành / Chưa hoàn thành)
    rows = [(LABEL[x["status"]], x) for x in doc["targets"]] + [(TASK_LABEL[x["status"]], x) for x in doc["tasks"]]
    for label in {label for label, _ in rows}:
        needed = sum(1 for other, _ in rows if other == label)
        assert text.count(label) >= needed, label


# ---- 16. properties ----------------------------------------------------------------------------


COUNTS = st.integers(min_value=0, max_value=10**6).flatmap(
    lambda total: st.tuples(st.just(total), st.integers(min_value=0, max_value=total))
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(staff=st.lists(COUNTS, min_size=8, max_size=8))
def test_pooled_ratio_value_is_the_exact_sum_ratio(mini_plan, mini_plan_path, tmp_path, staff):
    units = tmp_path / uuid.uuid4().hex
    subs = all_subs(mini_plan, 2025)
    for uid, (total, informed) in zip(MINI_IDS, staff):
        subs[uid]["staff"] = {"total": total, "informed": informed}
    write_all(units, 2025, subs)
    t = tj(score_dict(lib(mini_plan, units, 2025)), "2025.can-bo")
    num, den = sum(i for _, i in staff), sum(n for n, _ in staff)
    assert (t["numerator"], t["denominator"], t["coverage"]) == (num, den, "1")
    if den == 0:
        assert (t["value"], t["status"]) == (None, "insufficient_data")
    else:
        assert t["value"] == ref_decimal(Fraction(num, den))
        # threshold 1, coverage 1, due in 2025: met iff Σnum == Σden
        assert t["status"] == ("met" if num == den else "not_met")


@settings(max_examples=50, deadline=None)
@given(den=st.integers(min_value=1, max_value=10**7), data=st.data())
def test_percent_rounds_down_and_never_shows_100_below_1(den, data):
    num = data.draw(st.integers(min_value=0, max_value=den))
    value = Fraction(num, den)
    shown = percent(value)
    back = parse_percent(shown)
    assert back <= value < back + Fraction(1, 1000)  # rounded down to one decimal of a percent
    assert not shown.endswith(",0%")  # 75%, not 75,0%
    if value < 1:
        assert shown != "100%"
    else:
        assert shown == "100%"


@settings(max_examples=50, deadline=None)
@given(num=st.integers(min_value=0, max_value=10**7), den=st.integers(min_value=1, max_value=10**7))
def test_decimal_string_follows_the_rule(num, den):
    value = Fraction(num, den)
    text = decimal_string(value)
    assert text == ref_decimal(value)
    if Fraction(text) != value:  # not exact: the fraction does not terminate → 6 places at most
        assert abs(Fraction(text) - value) <= Fraction(1, 2 * 10**6)
        assert len(text.partition(".")[2]) <= 6


def test_decimal_string_is_exact_for_any_terminating_fraction():
    value = Fraction(1, 2**100)  # terminates after 100 places
    assert decimal_string(value) == ref_decimal(value)
    assert Fraction(decimal_string(value)) == value  # type: ignore[arg-type]


def test_score_survives_a_huge_terminating_ratio(mini_plan, mini_plan_path, units):
    subs = all_subs(mini_plan, 2025)
    for uid in MINI_IDS:
        del subs[uid]["staff"]
    # the largest power of two a count may be (counts stop at 15 digits): Σ 1/2**49 terminates, 49 places
    subs["so-vhttdl"]["staff"] = {"total": 2**49, "informed": 1}
    write_all(units, 2025, subs)
    doc = score_json(mini_plan_path, units, 2025)
    assert Fraction(tj(doc, "2025.can-bo")["value"]) == Fraction(1, 2**49)


# ---- 17. one unit's scorecard, --explain ---------------------------------------------------------


def _scorecard_data(mini_plan, units: Path) -> None:  # type: ignore[no-untyped-def]
    subs = all_subs(mini_plan, 2025)
    subs["xa-muong-la"]["staff"] = {"total": 8, "informed": 6}  # its own ratio 6/8 = 75%
    subs["xa-muong-la"]["population"] = {"total": 12500, "reached": 9800}  # 9800/12500 = 78,4%
    write_all(units, 2025, subs)


def test_unit_scorecard_shows_its_own_ratio(mini_plan, mini_plan_path, units):
    _scorecard_data(mini_plan, units)
    r = score_cli(mini_plan_path, units, 2025, "--unit", "xa-muong-la", env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    out = r.stdout
    assert "xa-muong-la" in out and "Xã Mường La" in out
    assert "75% (6/8)" in out  # 6/8 = 3/4 → "75%", not "75,0%"
    assert "78,4% (9.800/12.500)" in out  # 9800/12500 = 0.784 → 78,4%; thousands with a dot
    # every target that applies to a xã is listed (all but the press, so-khcn ones)
    for tid in ("2025.ke-hoach", "2025.can-bo", "2026.ha-tang", "2030.tiep-can", "2030.dao-tao-can-bo"):
        assert tid in out
    for tid in ("2025.bao-chi", "2025.hop-tac", "2026.nhiem-vu-khcn"):
        assert tid not in out
    # the pooled figures of the province are not this unit's: Σ staff is 76/78 = 97,4%
    assert "97,4%" not in out


def test_unknown_unit_exits_2_with_a_suggestion(mini_plan, mini_plan_path, units):
    _scorecard_data(mini_plan, units)
    r = score_cli(mini_plan_path, units, 2025, "--unit", "xa-khong-co")
    assert r.exit_code == 2, r.output
    assert "xa-khong-co" in r.stderr
    # a did-you-mean names a registry unit close to the typo
    assert any(f"'{uid}'" in r.stderr for uid in MINI_IDS), r.stderr
    assert r.stdout == ""


def test_explain_shows_the_formula_numbers(mini_plan, mini_plan_path, units):
    _scorecard_data(mini_plan, units)
    r = score_cli(mini_plan_path, units, 2025, "--explain", env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    out = r.stdout
    # staff: xa-muong-la 6/8 + 7 × 10/10 = 76/78 = 0.97435… → 97,4% (rounded down)
    assert "76/78" in out and "97,4%" in out
    assert "xa-muong-la 6/8" in out
    # population: 9800 + 1000 + 1000 = 11.800 of 12500 + 1000 + 1000 = 14.500 → 0.81379… → 81,3%
    assert "11.800/14.500" in out and "81,3%" in out
    # the share: 8 of 8 units issued a plan
    assert "8/8" in out


def _plain_pair(record: dict[str, Any] | None, target: Any) -> tuple[int, int] | None:
    """A unit's (Σ numerator, Σ denominator) of a ratio target, read path by path with `get`;
    None when a field it reads is empty or absent."""
    from plan57.scoring.score import get

    if record is None:
        return None
    sums = []
    for paths in (target.numerator, target.denominator):
        total = 0
        for path in paths:
            v = get(record, path.lstrip("-"))
            if v is None:
                return None
            total += -v if path.startswith("-") else v
        sums.append(total)
    return sums[0], sums[1]


@pytest.mark.parametrize("year", [2025, 2026])
def test_annex_ratios_are_each_units_own_sums_for_the_year(year: int) -> None:
    """Each unit's row shows, for every ratio target that applies to it, the (numerator,
    denominator) its own file of that year gives, and nothing for a target that does not apply
    or a field it left empty; the same sums the target's measure of that year added up."""
    from plan57.scoring.score import YearData

    ws = open_workspace(PLAN, UNITS, cache=False)
    result = score(ws, year)
    data = YearData.build(ws.plan, ws.collection, year)
    ratio_targets = [t for t in ws.plan.targets if t.measure == "ratio"]
    assert ratio_targets
    shown = 0
    for row in result.rows:
        expected = {}
        for t in ratio_targets:
            pair = _plain_pair(data.records.get(row.unit.id), t) if ws.plan.applies(t, row.unit) else None
            if pair is not None:
                expected[t.id] = pair
        assert row.ratios == expected, row.unit.id
        shown += len(expected)
    assert shown  # the shipped data give some
    for t in result.targets:
        if t.target.measure == "ratio" and t.judged_year == year:
            sums = {c.unit: (c.numerator, c.denominator) for c in t.contributions if c.numerator is not None}
            assert sums == {r.unit.id: r.ratios[t.target.id] for r in result.rows if t.target.id in r.ratios}


def test_a_unit_without_a_valid_report_is_not_judged_short_where_it_has_no_figure() -> None:
    """The scorecard of a unit that sent nothing: a share counts it as not meeting the target
    (SPEC §4), but a pooled ratio, a group of counts or a list of values has no figure of the unit
    to judge, so nothing is stated as not met."""
    from plan57.api import open_plan

    the_plan = open_plan(PLAN)[0]
    measure = {t.id: t.measure for t in the_plan.targets}
    r = CliRunner().invoke(
        app, ["score", "--year", "2026", "--unit", "so-ngoai-vu", "--plan", str(PLAN), "--units", str(UNITS)]
    )
    assert r.exit_code == 0, r.output
    rows = [line.split("\t") for line in r.stdout.splitlines() if line.split("\t")[0] in measure]
    assert rows, r.stdout
    for target, _, figures, verdict in rows:
        assert "không có số liệu (chưa gửi)" in figures, figures
        assert verdict == ("Chưa đạt" if measure[target] == "share" else "Chưa có số liệu"), (target, verdict)
    assert {measure[row[0]] for row in rows} > {"share"}
    # its tasks: nothing is known of its work, which is not "did nothing" (SPEC §4)
    tasks = [line.split("\t") for line in r.stdout.splitlines() if line.startswith("NV ")]
    assert tasks and all(t[2:] == ["không có số liệu (chưa gửi)", "Chưa có số liệu"] for t in tasks), tasks


def test_readings_worked_out_while_validating_give_what_scoring_here_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    """Validation works out each valid record's readings (what scoring takes from it) as the
    workers' results come in; scoring on them gives exactly what scoring gives reading each record
    itself: every figure, verdict and unit contribution, and the annex rows."""
    import plan57.validation.validate as validate

    monkeypatch.setattr(validate, "PARALLEL_MIN_FILES", 2)  # the shipped files, in worker processes
    ws = open_workspace(PLAN, UNITS, cache=False)
    dated = [f for f in ws.collection.files if f.valid and f.record and f.record.get("submitted")]
    assert dated and all(f.derived is not None for f in dated)
    derived = [f.derived for f in ws.collection.files]
    for year in (2025, 2026):
        given = score(ws, year)
        for f in ws.collection.files:
            f.derived = None
        here = score(ws, year)
        for f, d in zip(ws.collection.files, derived):
            f.derived = d
        assert score_dict(given) == score_dict(here)
        assert [t.contributions for t in given.targets] == [t.contributions for t in here.targets]
        assert given.rows == here.rows


def test_a_derive_that_fails_leaves_that_record_to_scoring(monkeypatch: pytest.MonkeyPatch) -> None:
    """What `derive` raises for one record does not stop validation: that file comes without its
    readings and scoring works them out itself, with the same figures."""
    import plan57.validation.validate as validate
    from plan57.scoring.score import readings

    monkeypatch.setattr(validate, "PARALLEL_MIN_FILES", 2)
    failed: list[dict[str, Any]] = []

    def derive(plan: Plan, record: dict[str, Any]) -> Any:
        if not failed and record.get("submitted"):
            failed.append(record)
            raise ValueError("hỏng")
        return readings(plan, record)

    plan = load_plan(PLAN)
    coll = validate_tree(UNITS, plan, cache=False, derive=derive)
    assert failed
    assert [f.derived for f in coll.files if f.record is failed[0]] == [None]
    assert any(f.derived is not None for f in coll.files)
    ws = Workspace(plan, coll, PLAN, UNITS)
    plain = open_workspace(PLAN, UNITS, cache=False, scoring=False)
    for year in (2025, 2026):
        assert score_dict(score(ws, year)) == score_dict(score(plain, year))


def _reference_reading(target: Any, rec: dict[str, Any]) -> Any:
    """A target's reading of a record, written plainly from `get` (the shape `reading` gives)."""
    from plan57.scoring.score import get

    def has_blocks(rec: dict[str, Any]) -> bool:
        return all(rec.get(b) is not None for b in target.blocks)

    if target.measure == "share":
        v = get(rec, target.field)
        ok = (v is True) if target.at_least is None else (type(v) is int and v >= target.at_least)
        return (ok, "blank" if v is None else "", v)
    if target.measure == "ratio":
        pair = _plain_pair(rec, target)
        if pair is None:
            return (None, None, None, "blank" if has_blocks(rec) else "no_block")
        a, b = pair
        return (a, b, None if b == 0 else Fraction(a, b) >= target.threshold, "")
    if target.measure == "totals_at_least":
        if not has_blocks(rec):
            return None
        values = tuple(get(rec, p) for p in target.fields)
        least = target.at_least or 1
        return (all((v or 0) >= least for v in values), all(v is not None for v in values), values)
    block, _, key = target.field.partition(".")
    items = rec.get(block)
    if items is None:
        return None
    mine = frozenset(i.get(key) for i in items if isinstance(i, dict))
    return (mine & frozenset(target.values), mine)


_LEAF = st.none() | st.booleans() | st.integers(-5, 200)  # what a validated field holds
_ITEM = st.dictionaries(st.sampled_from(["audience", "name"]), st.none() | st.sampled_from(["youth", "can_bo", "x"]))


@st.composite
def _records_for(draw: st.DrawFn, plan: Plan) -> dict[str, Any]:
    """A record holding, or not, each block the plan's targets read: a block may be a mapping of
    the fields read (each empty, a number or a flag), a list of items (a list a target covers), or
    a value in place of the mapping (a path that goes on where the record stops)."""
    paths = {p.lstrip("-") for t in plan.targets for p in (t.paths or [])} | {t.field for t in plan.targets if t.field}
    covered = {t.field.partition(".")[0] for t in plan.targets if t.measure == "covers" and t.field}
    rec: dict[str, Any] = {"submitted": dt.date(2026, 12, 1)}
    for path in sorted(paths):
        block, _, rest = path.partition(".")
        if block in covered:  # validated: a list of items, or nothing
            if draw(st.booleans()):
                rec[block] = draw(st.lists(_ITEM, max_size=3))
            continue
        shape = draw(st.sampled_from(["absent", "map", "map", "map", "leaf"]))
        if shape == "absent":
            continue
        if shape == "leaf":
            rec[block] = draw(_LEAF)
        else:
            node = rec.get(block)
            if not isinstance(node, dict):
                node = rec[block] = {}
            if rest:
                node[rest.split(".")[0]] = draw(_LEAF)
    return rec


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_each_reading_is_what_the_plain_reading_gives(data: st.DataObject) -> None:
    """The readers made once per target (and run in the validation workers) read a record as
    the plain path-by-path reading does, on any record validation lets through and more: fields
    empty, numbers or flags; blocks missing, or a value in place of a mapping."""
    from plan57.scoring.score import reading, readings, targets_digest

    plan = load_plan(PLAN)
    rec = data.draw(_records_for(plan))
    expected = tuple(_reference_reading(t, rec) for t in plan.targets)
    assert tuple(reading(t, rec) for t in plan.targets) == expected
    assert readings(plan, rec) == (targets_digest(plan), expected)


# ---- the memos of a plan, and a result as data (for those who use plan57 as a library) ---------


def test_a_copy_of_a_scored_plan_works_its_lookups_out_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """A plan copied with other units or other targets (`model_copy(update=…)`) does not keep the
    original's expected units, leads or readers; nor does a target copied with another field."""
    from plan57.scoring.score import score_year

    ws = open_workspace(PLAN, UNITS, cache=False)
    plan = ws.plan
    first = score_year(plan, ws.collection, 2026)
    fewer = plan.model_copy(update={"units": [u for u in plan.units if u.kind not in ("xa", "phuong")]})
    target = plan.targets[0]
    assert len(fewer.expected_units(target)) == sum(plan.applies(target, u) for u in fewer.units)
    assert len(fewer.expected_units(target)) < len(plan.expected_units(target))
    again = score_year(fewer, ws.collection, 2026)
    assert again.targets[0].denominator == len(fewer.expected_units(target))
    assert set(again.tasks[0].leads_expected) <= {u.id for u in fewer.units}
    assert first.targets[0].denominator == len(plan.expected_units(target))
    # a target reading another field, in a copy of the plan
    other = target.model_copy(update={"field": "sample"})
    assert other.paths == ["sample"] and target.paths != ["sample"]
    swapped = plan.model_copy(update={"targets": [other, *plan.targets[1:]]})
    scored = score_year(swapped, ws.collection, 2026).targets[0]
    assert scored.numerator == sum(1 for r in first.records.values() if r.get("sample") is True)


def test_lists_handed_out_are_the_callers_own() -> None:
    """Changing the expected units or leads a caller was given changes nothing scored after."""
    ws = open_workspace(PLAN, UNITS, cache=False)
    target = ws.plan.targets[0]
    before = score(ws, 2026)
    expected, leads = list(before.targets[0].expected), list(before.tasks[0].leads_expected)
    assert expected and leads
    ws.plan.expected_units(target).pop()
    before.tasks[0].leads_expected.clear()
    after = score(ws, 2026)
    assert after.targets[0].expected == expected
    assert after.tasks[0].leads_expected == leads


def test_a_scored_plan_and_a_result_pickle() -> None:
    """A plan after scoring (its memos hold functions) and a year's result (whose contributions are
    worked out when asked) pickle; the result comes back with its contributions."""
    import pickle

    ws = open_workspace(PLAN, UNITS, cache=False)
    result = score(ws, 2026)
    plan = pickle.loads(pickle.dumps(ws.plan))
    assert plan == ws.plan and plan.expected_units(plan.targets[0])
    back = pickle.loads(pickle.dumps(result))
    assert [t.contributions for t in back.targets] == [t.contributions for t in result.targets]
    assert score_dict(back) == score_dict(result)


def test_a_measure_of_any_units_reads_each_as_before() -> None:
    """`measure` takes its expected units' readings from the year's readings turned by target; given
    units in another order, some twice, or one the registry does not hold (read as without a valid
    submission), it gives what reading each unit's record on its own gives (a copy of the target,
    which the plan does not hold, is read that way)."""
    from plan57.model.plan import Unit
    from plan57.scoring.score import YearData, measure

    ws = open_workspace(PLAN, UNITS, cache=False)
    stranger = Unit(id="khong-co-trong-danh-muc", name="Không có", kind="xa")
    for year in (2025, 2026):
        data = YearData.build(ws.plan, ws.collection, year)
        for target in ws.plan.targets:
            units = ws.plan.expected_units(target)
            for expected in (units, list(reversed(units)), units[:3] * 2, [*units[:2], stranger]):
                got = measure(ws.plan, target, data, expected)
                want = measure(ws.plan, target.model_copy(), data, expected)
                assert (got.value, got.numerator, got.denominator, got.coverage) == (
                    want.value,
                    want.numerator,
                    want.denominator,
                    want.coverage,
                ), (target.id, year)
                assert got.contributions() == want.contributions(), (target.id, year)


def test_readings_made_for_other_targets_are_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files validated (and read as they came in) for one plan, scored with a plan whose targets
    are in another order: those readings are left aside, the figures are the plan's own."""
    import plan57.validation.validate as validate
    from plan57.scoring.score import score_year

    monkeypatch.setattr(validate, "PARALLEL_MIN_FILES", 2)
    ws = open_workspace(PLAN, UNITS, cache=False)
    assert any(f.derived is not None for f in ws.collection.files)
    reversed_plan = ws.plan.model_copy(update={"targets": list(reversed(ws.plan.targets))})
    fresh = open_workspace(PLAN, UNITS, cache=False, scoring=False)
    assert all(f.derived is None for f in fresh.collection.files)
    got = score_year(reversed_plan, ws.collection, 2026)
    want = score_year(reversed_plan, fresh.collection, 2026)
    assert score_dict(got) == score_dict(want)
    assert [t.target.id for t in got.targets] == [t.id for t in reversed(ws.plan.targets)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    all_=st.booleans(),
    kinds=st.lists(st.sampled_from(["so", "ban", "bao_chi", "truong", "xa", "phuong"]), max_size=3),
    named=st.lists(st.sampled_from([*MINI_IDS[:6], "khong-co"]), max_size=3),
)
def test_expected_units_and_selectors_are_the_registry_units_they_name(
    plan: Plan, all_: bool, kinds: list[str], named: list[str]
) -> None:
    """`expected_units` (worked out for the whole registry at once) holds exactly the units
    `applies` accepts, and `select` those a selector names, each in registry order; a unit
    id the registry lacks selects nothing."""
    from plan57.model.plan import AppliesTo, Selector

    target = plan.targets[0].model_copy(
        update={"id": f"t-{uuid.uuid4().hex[:8]}", "applies_to": AppliesTo(all=all_, kinds=kinds, units=named)}
    )
    assert plan.expected_units(target) == [u for u in plan.units if plan.applies(target, u)]
    selectors = [Selector(kinds=kinds)] if kinds else []
    selectors += [Selector(unit=u) for u in named]
    assert plan.select(selectors) == [u for u in plan.units if u.kind in kinds or u.id in named]
