"""Shared test helpers: the real plan, a small-registry plan, and submission builders."""

from __future__ import annotations

import copy
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from plan57.model.plan import Plan
from plan57.validation.plan_file import load_plan

REPO = Path(__file__).resolve().parents[1]
PLAN = REPO / "data" / "plan.yaml"
UNITS = REPO / "data" / "units"

# A small registry of real units, one or two of each kind, for hand-computed scenarios.
MINI_UNITS = [
    {"id": "so-vhttdl", "name": "Sở Văn hóa, Thể thao và Du lịch", "kind": "so"},
    {"id": "so-khcn", "name": "Sở Khoa học và Công nghệ", "kind": "so"},
    {"id": "bql-kcn", "name": "Ban Quản lý các khu công nghiệp tỉnh", "kind": "ban"},
    {"id": "bao-ptth-son-la", "name": "Báo và Phát thanh, Truyền hình Sơn La", "kind": "bao_chi"},
    {"id": "truong-dh-tay-bac", "name": "Trường Đại học Tây Bắc", "kind": "truong"},
    {"id": "phuong-to-hieu", "name": "Phường Tô Hiệu", "kind": "phuong"},
    {"id": "xa-muong-la", "name": "Xã Mường La", "kind": "xa"},
    {"id": "xa-chieng-la", "name": "Xã Chiềng La", "kind": "xa"},
]


def _yaml() -> YAML:
    y = YAML(typ="safe", pure=True)
    y.default_flow_style = False
    y.allow_unicode = True
    y.sort_base_mapping_type_on_output = False  # type: ignore[attr-defined]
    return y


def dump(data: Any) -> str:
    buf = io.StringIO()
    _yaml().dump(data, buf)
    return buf.getvalue()


def plan_data() -> dict[str, Any]:
    return _yaml().load(PLAN.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def with_registry(data: dict[str, Any], units: list[dict[str, Any]]) -> dict[str, Any]:
    """The plan data with another registry: the agencies it no longer holds are taken out of
    the tasks' leads and coordinators and the targets' units (a plan may name only registry
    units), and the compiler, when gone, becomes the registry's first unit."""
    data["units"] = units
    ids = {u["id"] for u in units}
    for task in data["tasks"]:
        for role in ("leads", "coordinators"):
            task[role] = [s for s in task.get(role) or [] if s.get("unit") is None or s["unit"] in ids]
    for target in data["targets"]:
        applies = target["applies_to"]
        if applies.get("units"):
            applies["units"] = [u for u in applies["units"] if u in ids]
    if data["reporting"]["compiler"] not in ids:
        data["reporting"]["compiler"] = units[0]["id"]
    return data


@pytest.fixture(scope="session")
def plan() -> Plan:
    return load_plan(PLAN)


@pytest.fixture(scope="session")
def mini_plan_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped plan with the registry replaced by MINI_UNITS (built once; never written to)."""
    data = plan_data()
    with_registry(data, copy.deepcopy(MINI_UNITS))
    path = tmp_path_factory.mktemp("plan") / "mini-plan.yaml"
    path.write_text(dump(data), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def mini_plan(mini_plan_path: Path) -> Plan:
    return load_plan(mini_plan_path)


def submission(plan: Plan, unit_id: str, year: int, submitted: dt.date | None = None) -> dict[str, Any]:
    """A valid submission with every block the unit's targets need, every target met."""
    unit = plan.unit_index[unit_id]
    data: dict[str, Any] = {
        "unit": unit_id,
        "year": year,
        "submitted": submitted or dt.date(year, 12, 1),
    }
    blocks = {
        "implementation_plan": {"issued": True, "reference": "Kế hoạch số 12/KH-UBND", "date": dt.date(year, 10, 15)},
        "portal_section": {"exists": True, "url": "https://sonla.gov.vn/nq57", "posts": 10},
        "staff": {"total": 10, "informed": 10},
        "communication_staff": {"total": 10, "trained": 10},
        "population": {"total": 1000, "reached": 1000},
        "grassroots": {"villages_total": 10, "villages_equipped": 10},
        "science_tasks": {"total": 10, "secret": 0, "communicated": 10},
        "press": {"dedicated_sections": 1, "national_cooperation": 1},
        "network": {g.id: 1 for g in plan.network_groups},
        "training": [
            {"name": "Chương trình A", "audience": a, "participants": 10} for a in ("youth", "pupils", "students")
        ],
    }
    for block in plan.blocks_for(unit):
        data[block] = copy.deepcopy(blocks[block])
    return data


def write(units_dir: Path, year: int, unit_id: str, content: dict[str, Any] | str, suffix: str = ".yaml") -> Path:
    folder = units_dir / str(year)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{unit_id}{suffix}"
    text = content if isinstance(content, str) else dump(content)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(autouse=True, scope="session")
def _last_day_of_the_plan() -> Any:
    """Tests write files of every year of the plan, sent on 1 December of their year: validation
    runs in-process as on the plan's last day, when none of them is sent in the future (a command's
    `--date` still says otherwise)."""
    mp = pytest.MonkeyPatch()
    mp.setattr("plan57.validation.validate.real_today", lambda: dt.date(2030, 12, 31))
    yield
    mp.undo()


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Tests never read or write the user's cache."""
    mp = pytest.MonkeyPatch()
    mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
    mp.setenv("LOCALAPPDATA", str(tmp_path_factory.mktemp("localappdata")))  # Windows, or the shim's
    yield
    mp.undo()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "posix(why): a test of POSIX behaviour, left out of the simulated Windows pass")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In the simulated Windows pass (.ci/run: pytest itself under tests/winshim) a test of POSIX
    behaviour (mode bits, fork) is skipped, saying why."""
    import os

    if not os.environ.get("PLAN57_WINSHIM") or hasattr(os, "fork"):
        return
    for item in items:
        for mark in item.iter_markers("posix"):
            why = mark.args[0] if mark.args else "POSIX"
            item.add_marker(pytest.mark.skip(reason=f"needs POSIX ({why}): not in the simulated Windows pass"))


def cell_of(wb: Any, name: str) -> tuple[str, str]:
    """(sheet, 'C14') of a defined name: tests find cells by name, never by coordinates."""
    (sheet, ref), *_ = list(wb.defined_names[name].destinations)
    return sheet, ref.replace("$", "")


def soffice_convert(src: Path, to: str, outdir: Path, timeout: int = 300) -> Path:
    """`src` converted by LibreOffice (headless) to `to` ("pdf", "xlsx") in `outdir`, with a private
    profile and HOME so that runs side by side never clash; the converted file's path."""
    import os
    import shutil
    import subprocess

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("cần LibreOffice (soffice)")
    outdir.mkdir(parents=True, exist_ok=True)
    profile = outdir / f".lo-profile-{src.stem}"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            to,
            "--outdir",
            str(outdir),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=timeout,
        env={**os.environ, "HOME": str(outdir)},
    )
    out = outdir / f"{src.stem}.{to}"
    assert out.is_file(), f"LibreOffice không tạo được {out.name}"
    return out
