"""Where the default plan, units and templates are found."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # plan57/
_SHIPPED = _PACKAGE / "_shipped"  # filled by the wheel build (pyproject force-include)
_SOURCE = _PACKAGE.parent  # the repository, for an editable install or a checkout


# The JSON Schema `new` writes inside the units folder, where every template's $schema line points.
SCHEMA_FILE = "submission.schema.json"


def default_plan() -> Path:
    """./data/plan.yaml in a checkout's root, else the plan shipped with the package."""
    local = Path("data/plan.yaml")
    if local.is_file():
        return local
    for candidate in (_SHIPPED / "plan.yaml", _SOURCE / "data" / "plan.yaml"):
        if candidate.is_file():
            return candidate
    return local


def default_units() -> Path:
    return Path("data/units")


def templates_dir() -> Path:
    for candidate in (_SHIPPED / "templates", _SOURCE / "templates"):
        if candidate.is_dir():
            return candidate
    return _SOURCE / "templates"
