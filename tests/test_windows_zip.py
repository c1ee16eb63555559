"""The offline install for Windows (issue 27 item 6, SPEC §9): tools/windows_zip.py builds one zip,
and pip resolves plan57 and every dependency from that zip alone for win_amd64, CPython 3.11-3.13.

The build downloads wheels from the package index (kept in ~/.cache/plan57-windows-wheels, so a
second run is quick); when the index cannot be reached the tests are skipped, saying so.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]


def _tool() -> Any:
    spec = importlib.util.spec_from_file_location("windows_zip", REPO / "tools" / "windows_zip.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


wz = _tool()


@pytest.fixture(scope="module")
def unzipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("zip")
    try:
        built = wz.build(out, wz.DEFAULT_CACHE)
    except wz.Unreachable as exc:
        pytest.skip(f"the package index cannot be reached, no wheels to put in the zip: {exc}")
    assert [p.name for p in out.iterdir()] == [built.name]  # one zip, nothing half-written beside it
    with zipfile.ZipFile(built) as zf:
        names = zf.namelist()
        (top,) = {n.split("/")[0] for n in names}
        zf.extractall(out / "unzipped")
    return out / "unzipped" / top


def test_the_zip_holds_the_wheels_and_the_two_batch_files(unzipped: Path) -> None:
    assert sorted(p.name for p in unzipped.iterdir()) == ["HUONG-DAN.txt", "cai-dat.bat", "goi", "plan57.bat"]
    wheels = unzipped / "goi"
    assert len(list(wheels.glob("plan57-*-py3-none-any.whl"))) == 1
    for version in wz.PYTHONS:  # a compiled dependency has a wheel for each Python
        tag = "cp" + version.replace(".", "")
        assert list(wheels.glob(f"pydantic_core-*-{tag}-{tag}-win_amd64.whl")), version
    assert not [p.name for p in wheels.iterdir() if re.search(r"(linux|macosx|musl)", p.name)]
    install = (unzipped / "cai-dat.bat").read_bytes()
    run = (unzipped / "plan57.bat").read_bytes()
    for bat in (install, run):
        assert b"\n" not in bat.replace(b"\r\n", b"")  # CRLF only: cmd.exe misreads labels otherwise
        assert bat.startswith(b"@echo off\r\nchcp 65001 >nul\r\n")
        bat.decode("utf-8")
    text = install.decode("utf-8")
    assert "--no-index" in text and '--find-links "%HERE%goi"' in text and "-m venv" in text
    assert "runas" not in text.lower() and "--user" not in text  # no administrator, nothing outside the folder
    assert "PYTHONUTF8=1" in run.decode("utf-8") and "plan57.exe" in run.decode("utf-8")
    assert "Không tìm thấy Python" in text  # a person is told what to do, in Vietnamese


@pytest.mark.parametrize("version", wz.PYTHONS)
def test_pip_resolves_plan57_from_the_zip_alone(unzipped: Path, version: str, tmp_path: Path) -> None:
    """`pip install --dry-run --no-index --find-links DIR --platform win_amd64 --python-version V
    --only-binary=:all: --target T plan57`, this machine's pip settings left out."""
    argv = [sys.executable, "-m", "pip", "--disable-pip-version-check", "install", "--dry-run", "--no-index"]
    argv += ["--find-links", str(unzipped / "goi"), "--platform", "win_amd64", "--python-version", version]
    argv += ["--implementation", "cp", "--only-binary=:all:", "--target", str(tmp_path / "t"), "plan57"]
    proc = subprocess.run(argv, capture_output=True, text=True, env=wz.isolated_env(), timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (would,) = [line for line in proc.stdout.splitlines() if line.startswith("Would install")]
    installing = {wz._canonical(re.sub(r"-[^-]+$", "", item)) for item in would.split()[2:]}
    with open(REPO / "pyproject.toml", "rb") as fh:
        wanted = tomllib.load(fh)["project"]["dependencies"]
    required = {wz._canonical(re.split(r"[<>=!~;\[ ]", dep, maxsplit=1)[0]) for dep in wanted}
    assert {"plan57", *required} <= installing, sorted({"plan57", *required} - installing)


@pytest.mark.parametrize("version", wz.PYTHONS)
def test_what_only_windows_needs_is_in_the_zip_too(unzipped: Path, version: str) -> None:
    """pip on Linux judges `colorama; platform_system == "Windows"` by Linux and leaves it out; on
    Windows it is needed, so the zip has it: every such requirement resolves from the zip."""
    wheels = unzipped / "goi"
    (plan57,) = wheels.glob("plan57-*.whl")
    found = wz.resolve(wheels, version, [str(plan57)])
    extra = wz.windows_only(wheels, found, version)
    assert any(r.lower().startswith("colorama") for r in extra)  # typer's, on Windows
    everything = wz.resolve(wheels, version, [str(plan57), *extra])
    assert {wz._canonical(re.split(r"[<>=!~ ]", r, maxsplit=1)[0]) for r in extra} <= set(everything)
    assert set(everything.values()) <= {p.name for p in wheels.glob("*.whl")}
