"""The default plan and the templates ship with the package and are found outside a checkout."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from plan57.base import paths as paths

from .conftest import PLAN, REPO


def test_wheel_ships_plan_and_templates() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    shipped = config["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert shipped == {"data/plan.yaml": "plan57/_shipped/plan.yaml", "templates": "plan57/_shipped/templates"}
    for source in shipped:
        assert (REPO / source).exists(), source


def test_defaults_outside_a_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    plan = paths.default_plan()
    assert plan.is_absolute() and plan.read_bytes() == PLAN.read_bytes()
    assert (paths.templates_dir() / "tonghop.md.j2").is_file()
    assert paths.default_units() == Path("data/units")


def test_checkout_plan_wins_in_its_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "plan.yaml").write_text("plan: {}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert paths.default_plan() == Path("data/plan.yaml")
