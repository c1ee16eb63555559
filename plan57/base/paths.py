"""Where the default plan, units, forms and templates are found.

A workspace (`plan57 init DIR`) is a folder holding the marker file WORKSPACE_MARK beside its
`plan.yaml`, `units/` and `forms/`. A command run in it, or in any folder below it, takes that
plan and those units by default, never the shipped sample data. Elsewhere the defaults are
`data/plan.yaml` and `data/units` of the current folder (a checkout's root), and the plan shipped
with the package anywhere else.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # plan57/
_SHIPPED = _PACKAGE / "_shipped"  # filled by the wheel build (pyproject force-include)
_SOURCE = _PACKAGE.parent  # the repository, for an editable install or a checkout


# The JSON Schema `new` writes inside the units folder, where every template's $schema line points.
SCHEMA_FILE = "submission.schema.json"
# What a workspace holds (plan57 init): its marker, its plan, its folders and its guide.
WORKSPACE_MARK = ".plan57"
WORKSPACE_PLAN = "plan.yaml"
WORKSPACE_UNITS = "units"
WORKSPACE_FORMS = "forms"
WORKSPACE_GUIDE = "HUONG-DAN.txt"
# Beside a year's submissions: the previous versions of replaced files and the receipt log of
# `import`; discovery reads neither as a submission.
VERSIONS_DIR = ".phien-ban"
RECEIPT_LOG = "nhat-ky-nhan.csv"


def workspace_root(start: Path | None = None) -> Path | None:
    """The workspace the current folder (or `start`) is in, as a path relative to it ("." at its
    root, ".." one folder below…), or None outside any workspace."""
    try:
        here = Path(os.path.abspath(start if start is not None else os.curdir))
    except OSError:  # the current folder was removed
        return None
    for up, folder in enumerate([here, *here.parents]):
        try:
            found = os.path.isfile(folder / WORKSPACE_MARK)
        except (OSError, ValueError):
            found = False
        if found:
            return Path(*([os.pardir] * up)) if up else Path(os.curdir)
    return None


def shipped_plan() -> Path:
    """The plan shipped with the package (the wheel's copy, else the checkout's)."""
    for candidate in (_SHIPPED / "plan.yaml", _SOURCE / "data" / "plan.yaml"):
        if candidate.is_file():
            return candidate
    return _SOURCE / "data" / "plan.yaml"


def default_plan() -> Path:
    """The workspace's plan.yaml inside a workspace, else ./data/plan.yaml in a checkout's root,
    else the plan shipped with the package."""
    root = workspace_root()
    if root is not None:
        return root / WORKSPACE_PLAN
    local = Path("data/plan.yaml")
    if local.is_file():
        return local
    shipped = shipped_plan()
    return shipped if shipped.is_file() else local


def default_units() -> Path:
    """The workspace's units/ inside a workspace, else ./data/units."""
    root = workspace_root()
    if root is not None:
        return root / WORKSPACE_UNITS
    return Path("data/units")


def default_forms(year: int) -> Path:
    """Where `new --format xlsx` writes a year's forms: the workspace's forms/Y inside a
    workspace, else forms/Y of the current folder."""
    root = workspace_root()
    base = root / WORKSPACE_FORMS if root is not None else Path(WORKSPACE_FORMS)
    return base / str(year)


def templates_dir() -> Path:
    for candidate in (_SHIPPED / "templates", _SOURCE / "templates"):
        if candidate.is_dir():
            return candidate
    return _SOURCE / "templates"
