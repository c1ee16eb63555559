"""Worker processes (issue 27 item 5): validation in parallel gives what it gives in one process,
whichever way the platform starts processes (spawn on Windows, where there is no fork)."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from plan57.cli import app
from plan57.validation import validate as validate_mod
from plan57.validation.plan_file import load_plan

from .conftest import dump, plan_data, submission, write
from .test_cache import _age

N = validate_mod.PARALLEL_MIN_FILES + 30


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A plan of N communes and their files of 2025: valid, with warnings, drafts and errors."""
    root = tmp_path_factory.mktemp("many")
    data = plan_data()
    xa = next(u for u in data["units"] if u["kind"] == "xa")
    data["units"] = data["units"] + [
        dict(copy.deepcopy(xa), id=f"xa-thu-{i:03d}", name=f"Xã Thử {i}") for i in range(N)
    ]
    plan_path = root / "plan.yaml"
    plan_path.write_text(dump(data), encoding="utf-8")
    plan = load_plan(plan_path)
    units = root / "units"
    for i in range(N):
        uid = f"xa-thu-{i:03d}"
        sub: dict[str, Any] = submission(plan, uid, 2025)
        if i % 7 == 1:
            sub.pop("network", None)  # a warning
        elif i % 7 == 2:
            sub["submitted"] = None  # a draft
        elif i % 7 == 3:
            sub["staff"] = {"total": 5, "informed": 9}  # an error
        elif i % 7 == 4:
            sub["contact"] = {"name": "Quàng Văn Một", "phone": "0212 1 000 000"}
        write(units, 2025, uid, sub)
    write(units, 2025, "hong", "unit: hong\nyear: [2025\n")  # a syntax error
    _age(units)
    return plan_path, units


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout


def _both(plan: Path, units: Path, *extra: str) -> list[tuple[int, str]]:
    return [
        _cli("validate", "--plan", str(plan), "--units", str(units), "--format", "json", *extra),
        _cli("score", "--year", "2025", "--plan", str(plan), "--units", str(units), "--format", "json", *extra),
    ]


@pytest.mark.parametrize("cache", [False, True], ids=["no cache", "cache"])
def test_spawned_workers_give_the_serial_result(
    many: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cache: bool
) -> None:
    plan, units = many
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    extra = () if cache else ("--no-cache",)
    monkeypatch.setattr(validate_mod, "PARALLEL_MIN_FILES", 10**6)
    serial = _both(plan, units, "--no-cache")
    monkeypatch.setattr(validate_mod, "PARALLEL_MIN_FILES", N - 30)
    monkeypatch.delattr(os, "fork")  # as on Windows: the start method is chosen by what the platform has
    assert validate_mod.start_method() == "spawn"
    started: list[str] = []
    real = validate_mod._run

    def watched(jobs: Any, *args: Any, **kwargs: Any) -> Any:
        if len(jobs) >= validate_mod.PARALLEL_MIN_FILES:
            started.append(validate_mod.start_method())
        return real(jobs, *args, **kwargs)

    monkeypatch.setattr(validate_mod, "_run", watched)
    assert _both(plan, units, *extra) == serial
    assert started == (["spawn"] if cache else ["spawn", "spawn"])  # a warm score finds every file in the cache
    if cache:  # every file touched: read again by spawned workers, which know the cache's keys
        for f in (units / "2025").iterdir():
            os.utime(f)
        started.clear()
        assert _both(plan, units) == serial
        assert started and set(started) == {"spawn"}


def test_the_start_method_is_chosen_by_what_the_platform_has(monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    monkeypatch.setattr(multiprocessing, "get_start_method", lambda allow_none=False: None)
    assert validate_mod.start_method() == ("fork" if hasattr(os, "fork") else "spawn")
    monkeypatch.delattr(os, "fork", raising=False)
    assert validate_mod.start_method() == "spawn"
    monkeypatch.setattr(multiprocessing, "get_start_method", lambda allow_none=False: "spawn")
    monkeypatch.setattr(os, "fork", lambda: 0, raising=False)
    assert validate_mod.start_method() == "spawn"  # as the program chose it
