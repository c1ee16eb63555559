"""A unit's scorecard and the --explain output show the figures that decide each verdict."""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner

from plan57.cli import app

from .conftest import PLAN, UNITS

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
