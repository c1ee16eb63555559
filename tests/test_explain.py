"""A unit's scorecard and the --explain output show the figures that decide each verdict."""

from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from plan57.cli import app

from .conftest import MINI_UNITS, PLAN, UNITS, submission, write

runner = CliRunner()


def cli(*args: str) -> Any:
    out = runner.invoke(app, [*args, "--plan", str(PLAN), "--units", str(UNITS), "--no-cache"])
    assert out.exit_code == 0, out.output
    return out


# ---- a unit's scorecard for a later year keeps the milestone's own year --------------------------


def test_unit_scorecard_shows_an_earlier_milestone_with_its_years_figure() -> None:
    text = cli("score", "--year", "2026", "--unit", "xa-muong-la").stdout
    lines = {line.split("\t")[0]: line.split("\t") for line in text.splitlines() if "\t" in line}
    # xa-muong-la's 2025 file: staff 58/64, plan issued, no portal section; its 2026 file differs.
    assert lines["2025.can-bo"][2] == "Năm 2025: 90,6% (58/64), ngưỡng 100%"
    assert lines["2025.ke-hoach"][2].startswith("Năm 2025: ") and lines["2025.ke-hoach"][3] == "Đạt"
    assert lines["2025.chuyen-muc"][2].startswith("Năm 2025: ")
    for target_id, cells in lines.items():
        if target_id.startswith("2025."):
            assert "không có số liệu" not in cells[2], cells
        elif target_id[:4].isdigit():
            assert not cells[2].startswith("Năm "), cells
    card = json.loads(cli("score", "--year", "2026", "--unit", "xa-muong-la", "--format", "json").stdout)
    by_id = {t["id"]: t for t in card["targets"]}
    assert by_id["2025.can-bo"] == {
        "id": "2025.can-bo",
        "judged_year": 2025,
        "numerator": 58,
        "denominator": 64,
        "met": False,
    }
    assert by_id["2025.ke-hoach"]["judged_year"] == 2025 and by_id["2025.ke-hoach"]["met"] is True


# ---- --explain adds up: the units counted are the coverage's, each group's Σ decides -------------


def explained(plan_path: Path, units: Path, year: int) -> list[dict[str, Any]]:
    args = ["score", "--year", str(year), "--explain", "--format", "json", "--plan", str(plan_path)]
    out = runner.invoke(app, [*args, "--units", str(units), "--no-cache"])
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)["targets"]  # type: ignore[no-any-return]


def listed_units(lines: list[str]) -> list[str]:
    for line in lines:
        for head in ("Các đơn vị được tính: ", "Đơn vị có số liệu: "):
            if line.startswith(head):
                return [term.strip().split(" ")[0] for term in re.split(r" \+ |, ", line[len(head) :])]
    return []


def check_adds_up(targets: list[dict[str, Any]]) -> None:
    for t in targets:
        lines = t["explain"]["lines"]
        coverage = Fraction(t["coverage"])
        expected = int(re.fullmatch(r"Áp dụng cho (\d+) đơn vị\.", lines[0]).group(1))  # type: ignore[union-attr]
        if "share" in t["explain"]["formula"] or t["explain"]["formula"].startswith("Tỷ lệ"):
            continue  # a share counts every expected unit (coverage 1)
        assert abs(Fraction(len(listed_units(lines)), expected) - coverage) < Fraction(1, 10**6), (
            t["id"],
            lines,
        )  # 6 places
        groups = [g for g in lines if g.startswith("Σ nhóm ")]
        for g in groups:
            head, _, terms = g.partition(": ")
            total = int(re.search(r"= ([\d.]+) ", head).group(1).replace(".", ""))  # type: ignore[union-attr]
            parts = (
                [int(x.split(" ")[-1].replace(".", "")) for x in terms.split(" + ")]
                if "+" in terms or terms[-1].isdigit()
                else []
            )
            assert sum(parts) == total, g
            assert ("(đạt)" in head) == (total >= 1), g
        if groups and t["value"] is not None:
            assert t["value"] == all("(đạt)" in g for g in groups), (t["id"], groups)


def test_explanation_adds_up_on_the_shipped_data() -> None:
    for year in (2025, 2026):
        check_adds_up(explained(PLAN, UNITS, year))


def test_explanation_adds_up_with_a_partial_network_block(tmp_path: Path, mini_plan_path: Path, mini_plan: Any) -> None:
    units = tmp_path / "units"
    for i, u in enumerate(MINI_UNITS):
        data = submission(mini_plan, u["id"], 2026)
        if i % 3 == 0:
            data["network"] = {g: (None if j % 2 else 0) for j, g in enumerate(data["network"])}  # partial, zeros
        elif i % 3 == 1:
            data["network"] = {g: 0 for g in data["network"]}
        write(units, 2026, u["id"], data)
    targets = explained(mini_plan_path, units, 2026)
    check_adds_up(targets)
    network = next(t for t in targets if t["id"] == "2026.mang-luoi")
    assert any(line.startswith("Báo cáo thiếu") for line in network["explain"]["lines"])
    assert Fraction(network["coverage"]) < 1
