"""The yearly cycle in a simulated Windows process (issue 27, SPEC §9): every step a subprocess
under tests/winshim, on a cp1258 and on a cp437 console, the cache under %LOCALAPPDATA%.

validate, units, score, report to Markdown redirected to a file, to Word, HTML and Excel,
`new --all --format xlsx`, import (over a file, with --force, and into a new folder, where "never
overwrite" has no os.link), a second validate answered by the cache without a rejection note,
and a report onto a file Word holds open. Then the same commands on a console that says it is
one and cannot show Vietnamese.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SHIM = REPO / "tests" / "winshim"
DATE = ("--date", "2026-12-15")
CACHE_NOTE = "bộ nhớ đệm"  # any word of the cache about itself: a rejection or a problem


class Windows:
    """A workspace (data/plan.yaml, data/units) and plan57 run in it as on Windows."""

    def __init__(self, root: Path, page: str):
        self.ws = root / "ws"
        (self.ws / "data").mkdir(parents=True)
        shutil.copyfile(REPO / "data" / "plan.yaml", self.ws / "data" / "plan.yaml")
        shutil.copytree(REPO / "data" / "units", self.ws / "data" / "units")
        an_hour_ago = time.time() - 3600  # files as a clerk's folder holds them, not written this second
        for path in (self.ws / "data").rglob("*"):
            os.utime(path, (an_hour_ago, an_hour_ago))
        self.local = root / "Users" / "can-bo" / "AppData" / "Local"
        self.local.mkdir(parents=True)  # Windows makes it with the profile
        self.env = {
            k: v for k, v in os.environ.items() if not k.startswith(("PLAN57_", "XDG_")) and k != "PYTHONIOENCODING"
        }
        self.env.update(
            PYTHONPATH=os.pathsep.join([str(SHIM), str(REPO)]),
            PLAN57_WINSHIM=page,
            LOCALAPPDATA=str(self.local),
            USERPROFILE=str(root / "Users" / "can-bo"),
        )
        self.page = page

    def run(self, *args: Any, stdout: Any = subprocess.PIPE, importtime: bool = False, **env: str) -> Any:
        argv = [sys.executable, *(["-X", "importtime"] if importtime else []), "-m", "plan57"]
        proc = subprocess.run(
            [*argv, *[str(a) for a in args]],
            cwd=self.ws,
            stdout=stdout,
            stderr=subprocess.PIPE,
            env={**self.env, **env},
            timeout=300,
        )
        # redirected stderr is UTF-8 too; a console's is in its code page
        err = proc.stderr.decode(self.page if env.get("PLAN57_WINSHIM_TTY") else "utf-8")
        said = "\n".join(line for line in err.splitlines() if not line.startswith("import time:"))
        assert "Traceback" not in said and "UnicodeEncodeError" not in said, said
        assert CACHE_NOTE not in said, said  # the cache under %LOCALAPPDATA% is trusted
        proc.said = said
        return proc

    def leftovers(self, folder: Path) -> list[str]:
        return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


@pytest.fixture(params=["cp1258", "cp437"])
def win(request: pytest.FixtureRequest, tmp_path: Path) -> Windows:
    return Windows(tmp_path, request.param)


def test_the_yearly_cycle_on_windows(win: Windows) -> None:
    ws = win.ws
    first = win.run("validate")
    assert first.returncode == 0, first.said
    assert "Đã kiểm tra 14 tệp" in first.stdout.decode("utf-8")  # redirected: UTF-8, whatever the page
    assert (win.local / "plan57" / "Cache").is_dir()

    second = win.run("validate", importtime=True)  # the cache answers: no model, no YAML library loaded
    assert second.returncode == 0 and second.stdout == first.stdout
    assert not _imported(second) & {"pydantic", "yaml", "ruamel.yaml"}, "the second validate did not use the cache"

    units = win.run("units")
    assert units.returncode == 0 and "Đúng hạn" in units.stdout.decode("utf-8")
    score = win.run("score", "--year", "2025")
    assert score.returncode == 0 and "Quyết định" in score.stdout.decode("utf-8")
    as_json = win.run("score", "--year", "2025", "--format", "json")
    assert as_json.returncode == 0 and json.loads(as_json.stdout.decode("utf-8"))

    # report > tonghop.md: UTF-8 with \n line ends, the same bytes as -o
    with open(ws / "tonghop-redirected.md", "wb") as out:
        assert win.run("report", "--year", "2026", *DATE, stdout=out).returncode == 0
    assert win.run("report", "--year", "2026", *DATE, "-o", ws / "tonghop.md").returncode == 0
    redirected = (ws / "tonghop-redirected.md").read_bytes()
    assert redirected == (ws / "tonghop.md").read_bytes()
    assert b"\r\n" not in redirected and "BÁO CÁO" in redirected.decode("utf-8")

    for suffix in ("docx", "html", "xlsx"):
        target = ws / "bao-cao" / f"tonghop.{suffix}"
        for _ in range(2):  # written, then replaced (os.replace without os.fchmod)
            made = win.run("report", "--year", "2026", *DATE, "-o", target)
            assert made.returncode == 0, made.said
        if suffix != "html":
            assert zipfile.is_zipfile(target)
        else:
            assert "BÁO CÁO" in target.read_text(encoding="utf-8")
    assert win.leftovers(ws / "bao-cao") == []

    forms = win.run("new", "--all", "--year", "2026", "--format", "xlsx")
    assert forms.returncode == 0, forms.said
    made = sorted((ws / "forms" / "2026").glob("*.xlsx"))
    assert len(made) > 7 and win.leftovers(ws / "forms" / "2026") == []
    again = win.run("new", "--all", "--year", "2026", "--format", "xlsx")  # never over a form unasked
    assert again.returncode in (0, 2) and "Bỏ qua" in again.stdout.decode("utf-8") + again.said

    form = ws / "forms" / "2026" / "xa-muong-la.xlsx"  # pre-filled from the unit's YAML
    yaml_file = ws / "data" / "units" / "2026" / "xa-muong-la.yaml"
    from tests.test_windows import _retouch

    _retouch(form)  # sent back corrected: a form returned untouched is no report (SPEC §10)
    refused = win.run("import", form)
    assert refused.returncode == 2 and "dùng --force" in refused.said
    forced = win.run("import", form, "--force")
    assert forced.returncode == 0, forced.said
    assert "Nhập từ biểu mẫu Excel" in yaml_file.read_text(encoding="utf-8")
    (ws / "moi").mkdir()
    fresh = win.run("import", form, "--units", ws / "moi")  # "never overwrite" without os.link
    assert fresh.returncode == 0, fresh.said
    assert (ws / "moi" / "2026" / "xa-muong-la.yaml").read_bytes() == yaml_file.read_bytes()
    assert win.leftovers(ws / "moi" / "2026") == [] and win.leftovers(yaml_file.parent) == []

    after = win.run("validate")  # reads the imported file again
    assert after.returncode == 0, after.said
    warm = win.run("validate")
    assert warm.returncode == 0 and warm.stdout == after.stdout

    # Word holds the report open: one line, exit 2, the old file intact, no temporary file
    held = ws / "bao-cao" / "tonghop.docx"
    before = held.read_bytes()
    locked = win.run("report", "--year", "2026", *DATE, "-o", held, PLAN57_WINSHIM_LOCKED=str(held))
    assert locked.returncode == 2
    lines = locked.said.strip().splitlines()
    assert len(lines) == 1 and str(held) in lines[0] and "Word, Excel" in lines[0] and "đóng tệp" in lines[0]
    assert held.read_bytes() == before and win.leftovers(held.parent) == []


@pytest.mark.parametrize(
    "command", [["validate"], ["units"], ["score", "--year", "2025"], ["validate", "khong-co.yaml"]]
)
def test_a_console_that_cannot_show_vietnamese_on_windows(win: Windows, command: list[str]) -> None:
    """stdout and stderr say they are a console in the code page: degraded, never a traceback."""
    proc = win.run(*command, PLAN57_WINSHIM_TTY="1")
    assert proc.returncode in ((2,) if "khong-co.yaml" in command else (0,)), proc.stderr
    shown = proc.stdout.decode(win.page) + proc.stderr.decode(win.page)
    assert "Traceback" not in shown and "lỗi không mong đợi" not in shown
    if command == ["validate"]:
        assert {"cp1258": "Đã kiểm tra", "cp437": "Da kiêm tra"}[win.page] in _nfc(shown)


def _imported(proc: Any) -> set[str]:
    """The modules a run under `-X importtime` imported."""
    return {line.split("|")[-1].strip() for line in proc.stderr.decode("utf-8").splitlines() if "|" in line}


def _nfc(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFC", text)


def test_many_files_validate_with_spawned_workers(tmp_path: Path) -> None:
    """Enough files for worker processes: under spawn (no fork) the same result as on Linux."""
    win = Windows(tmp_path, "cp1258")
    year = win.ws / "data" / "units" / "2025"
    source = (year / "xa-muong-la.yaml").read_text(encoding="utf-8")
    for i in range(260):  # more than validate's threshold for workers; unknown units are errors
        (year / f"them-{i:03d}.yaml").write_text(source.replace("xa-muong-la", f"them-{i:03d}"), encoding="utf-8")
    spawned = win.run("validate", "--format", "json", "--no-cache")
    linux = dict(win.env, PYTHONPATH=str(REPO))
    del linux["PLAN57_WINSHIM"]
    forked = subprocess.run(
        [sys.executable, "-m", "plan57", "validate", "--format", "json", "--no-cache"],
        cwd=win.ws,
        capture_output=True,
        env=linux,
        timeout=300,
    )
    assert spawned.returncode == forked.returncode == 1
    assert json.loads(spawned.stdout) == json.loads(forked.stdout)
