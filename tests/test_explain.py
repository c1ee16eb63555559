"""What `score` says about how a verdict was reached, for the province and for one unit."""

from __future__ import annotations

from typer.testing import CliRunner

from plan57.cli import app
from tests.conftest import PLAN, UNITS

runner = CliRunner()


def test_unit_scorecard_of_a_later_year_shows_the_milestone_figure_of_its_own_year() -> None:
    """A 2025 milestone in the 2026 scorecard shows the unit's 2025 figure, labelled with 2025."""
    args = ["score", "--year", "2026", "--unit", "xa-muong-la", "--plan", str(PLAN), "--units", str(UNITS)]
    result = runner.invoke(app, args, env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    lines = {line.split("\t")[0]: line for line in result.output.splitlines() if line.startswith("2025.")}
    assert set(lines) == {"2025.ke-hoach", "2025.chuyen-muc", "2025.can-bo"}
    for line in lines.values():
        assert "Năm 2025:" in line
        assert "không có số liệu" not in line
    assert "90,6% (58/64)" in lines["2025.can-bo"]


def test_explain_of_network_groups_adds_up_and_agrees_with_coverage() -> None:
    """Per group Σ decides the verdict; the units counted are the coverage's numerator."""
    import json
    import re
    from fractions import Fraction

    args = ["score", "--year", "2026", "--explain", "--format", "json", "--plan", str(PLAN), "--units", str(UNITS)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    t = next(x for x in data["targets"] if x["id"] == "2026.mang-luoi")
    lines = t["explain"]["lines"]
    counted = next(line for line in lines if line.startswith("Các đơn vị được tính ("))
    n = int(re.search(r"\((\d+)\)", counted).group(1))  # type: ignore[union-attr]
    assert n == len(counted.split(": ", 1)[1].split(", "))
    expected = int(re.search(r"Áp dụng cho (\d+)", lines[0]).group(1))  # type: ignore[union-attr]
    assert abs(Fraction(n, expected) - Fraction(t["coverage"])) < Fraction(1, 10**6)
    sums = []
    for line in lines:
        m = re.match(r"network\.\w+: Σ = ([\d.]+) \((?:đạt|chưa đạt)\)(?: = (.*))?$", line)
        if m:
            total = int(m.group(1).replace(".", ""))
            terms = [int(x.rsplit(" ", 1)[1].replace(".", "")) for x in (m.group(2) or "").split(" + ") if x]
            assert total == sum(terms)
            sums.append(total)
    assert len(sums) == 10
    assert all(s >= 1 for s in sums) == t["value"]
