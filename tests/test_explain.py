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
