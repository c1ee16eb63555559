"""Forms that cannot be poisoned, forged or mistaken for reports."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from plan57.cli import app

UNIT = "xa-muong-la"


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


@pytest.mark.parametrize("part", ["xl/styles.xml", "xl/sharedStrings.xml", "docProps/custom.xml"])
def test_one_oversized_part_is_refused_before_the_workbook_is_loaded(
    tmp_path: Path, mini_plan_path: Path, monkeypatch: pytest.MonkeyPatch, part: str
) -> None:
    monkeypatch.chdir(tmp_path)
    plan = ["--plan", str(mini_plan_path)]
    assert run("new", UNIT, "--year", "2025", "--format", "xlsx", *plan).exit_code == 0
    form = tmp_path / "forms" / "2025" / f"{UNIT}.xlsx"
    with zipfile.ZipFile(form) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts[part] = parts.get(part, b"<x/>") + b" " * (31 * 1024 * 1024)
    with zipfile.ZipFile(form, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    assert form.stat().st_size < 5 * 1024 * 1024
    r = run("import", str(form), *plan)
    assert r.exit_code == 1, r.output
    lines = [line for line in r.output.splitlines() if "lỗi:" in line]
    assert len(lines) == 1, r.output
    assert f"phần '{part}' của sổ làm việc quá lớn" in lines[0]
    assert lines[0].startswith(str(form)) or str(Path("forms") / "2025") in lines[0]
    assert not list((tmp_path / "data").rglob("*.yaml"))
