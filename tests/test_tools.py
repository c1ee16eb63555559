"""The tool commands of SPEC §6: `plan57 new`, `plan57 units`, `plan57 schema`, help and README.

Every command is driven in-process with typer's CliRunner, except check-jsonschema, which runs
as a subprocess (it is a separate tool, the one editors and CI would use on our schema).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

from plan57.cli import app
from plan57.model.plan import Plan

from .conftest import MINI_UNITS, PLAN, REPO, UNITS, submission, write

runner = CliRunner()
YEAR = 2026

# One real registry unit of each kind (SPEC §1): so-khcn is the sở with science_tasks.
KIND_UNITS = {
    "so": "so-khcn",
    "ban": "bql-kcn",
    "bao_chi": "bao-ptth-son-la",
    "truong": "truong-dh-tay-bac",
    "xa": "xa-muong-la",
    "phuong": "phuong-to-hieu",
}
COMMANDS = ["validate", "score", "report", "schema", "new", "units"]
VIETNAMESE = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", re.I)


# ---- helpers -------------------------------------------------------------------------------


def run(*args: Any):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [str(a) for a in args])


def safe_load(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)


def new(units_dir: Path, *args: Any, plan: Path = PLAN):  # type: ignore[no-untyped-def]
    return run("new", *args, "--year", YEAR, "--plan", plan, "--units", units_dir)


DRAFT = "chưa ghi ngày gửi báo cáo (submitted): tệp được coi là bản nháp"


def validate_clean(plan: Path, *paths: Path) -> None:
    """`plan57 validate` exits 0 with no error; a fresh template's only warning says it is a draft."""
    result = run("validate", "--plan", plan, *paths)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert not [line for line in lines if ": lỗi: " in line], result.output
    warnings = [line for line in lines if ": cảnh báo: " in line]
    assert all(DRAFT in line for line in warnings), result.output
    assert " 0 lỗi, " in result.output, result.output


def all_blocks(plan: Plan) -> set[str]:
    return {b for t in plan.targets for b in t.blocks}


def comments(text: str) -> set[str]:
    """Every `#` comment of a YAML text (the templates hold no '#' inside values)."""
    found = set()
    for line in text.splitlines():
        if "#" in line:
            found.add(line[line.index("#") :].strip())
    return found


def check_jsonschema(schema: Path, *files: Path) -> subprocess.CompletedProcess[str]:
    args = ["--schemafile", str(schema), *map(str, files)]
    proc = subprocess.run([sys.executable, "-m", "check_jsonschema", *args], capture_output=True, text=True, timeout=60)
    if "No module named" in proc.stderr:  # pragma: no cover - fall back on the console script
        exe = shutil.which("check-jsonschema")
        assert exe, "check-jsonschema is not installed"
        proc = subprocess.run([exe, *args], capture_output=True, text=True, timeout=60)
    return proc


# ---- plan57 new: one unit of each kind -----------------------------------------------------


@pytest.mark.parametrize("kind, unit_id", list(KIND_UNITS.items()))
def test_new_template_per_kind(tmp_path: Path, plan: Plan, kind: str, unit_id: str) -> None:
    unit = plan.unit_index[unit_id]
    assert unit.kind == kind
    units_dir = tmp_path / "units"
    target = units_dir / str(YEAR) / f"{unit_id}.yaml"

    result = new(units_dir, unit_id)
    assert result.exit_code == 0, result.output
    assert target.is_file(), result.output
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema="), text[:200]

    # The fresh file validates: exit 0, no error, no warning.
    validate_clean(PLAN, units_dir)

    # Exactly the blocks the unit's kind needs.
    data = safe_load(text)
    assert data["unit"] == unit_id and data["year"] == YEAR
    assert set(data) & all_blocks(plan) == set(plan.blocks_for(unit))
    if kind in ("xa", "phuong"):
        assert {"population", "grassroots"} <= set(data)
    else:
        assert not {"population", "grassroots"} & set(data)
    assert ("science_tasks" in data) == (unit_id == "so-khcn")
    assert ("press" in data) == (kind == "bao_chi")

    # A second `new` without --force refuses, in Vietnamese, and keeps the file as it is.
    edited = text + "# số liệu của đơn vị đã điền\n"
    target.write_text(edited, encoding="utf-8")
    before = target.read_bytes()
    again = new(units_dir, unit_id)
    assert again.exit_code != 0, again.output
    assert "đã có" in again.output and "--force" in again.output, again.output
    assert target.read_bytes() == before

    # With --force it overwrites with a fresh template.
    forced = new(units_dir, unit_id, "--force")
    assert forced.exit_code == 0, forced.output
    fresh = target.read_text(encoding="utf-8")
    assert "# số liệu của đơn vị đã điền" not in fresh
    assert safe_load(fresh) == data


def test_new_schema_line_points_at_the_schema(tmp_path: Path) -> None:
    """The `$schema=` line resolves, from the new file, to the schema `plan57 schema` prints."""
    units_dir = tmp_path / "units"
    result = new(units_dir, "xa-muong-la")
    assert result.exit_code == 0, result.output
    target = units_dir / str(YEAR) / "xa-muong-la.yaml"
    ref = target.read_text(encoding="utf-8").splitlines()[0].split("$schema=", 1)[1].strip()
    schema_file = (target.parent / ref).resolve()
    assert schema_file.is_file(), ref
    printed = run("schema", "--plan", PLAN)
    assert printed.exit_code == 0, printed.output
    assert json.loads(schema_file.read_text(encoding="utf-8")) == json.loads(printed.stdout)


def test_new_refuses_over_a_yml_file(tmp_path: Path, plan: Plan) -> None:
    units_dir = tmp_path / "units"
    other = write(units_dir, YEAR, "xa-muong-la", submission(plan, "xa-muong-la", YEAR), suffix=".yml")
    before = other.read_bytes()
    result = new(units_dir, "xa-muong-la")
    assert result.exit_code == 2, result.output
    assert "đã có" in result.output and "--force" in result.output, result.output
    assert other.read_bytes() == before
    assert not (units_dir / str(YEAR) / "xa-muong-la.yaml").exists()


def test_new_force_over_a_yml_file_leaves_one_valid_report(tmp_path: Path, plan: Plan) -> None:
    units_dir = tmp_path / "units"
    write(units_dir, YEAR, "xa-muong-la", submission(plan, "xa-muong-la", YEAR), suffix=".yml")
    result = new(units_dir, "xa-muong-la", "--force")
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in (units_dir / str(YEAR)).iterdir() if p.stem == "xa-muong-la")
    assert len(files) == 1, files
    validate_clean(PLAN, units_dir)


def test_new_unknown_unit_and_bad_arguments(tmp_path: Path) -> None:
    units_dir = tmp_path / "units"
    unknown = new(units_dir, "xa-muong-lax")
    assert unknown.exit_code == 2, unknown.output
    assert "không có đơn vị 'xa-muong-lax'" in unknown.output
    neither = new(units_dir)
    assert neither.exit_code == 2, neither.output
    both = new(units_dir, "xa-muong-la", "--all")
    assert both.exit_code == 2, both.output
    assert not units_dir.exists() or not any(units_dir.rglob("*.yaml"))


# ---- plan57 new --all ----------------------------------------------------------------------


def test_new_all(tmp_path: Path, plan: Plan) -> None:
    units_dir = tmp_path / "units"
    have_yaml = write(units_dir, YEAR, "so-vhttdl", submission(plan, "so-vhttdl", YEAR))
    have_yml = write(units_dir, YEAR, "xa-chieng-la", submission(plan, "xa-chieng-la", YEAR), suffix=".yml")
    kept = {have_yaml: have_yaml.read_bytes(), have_yml: have_yml.read_bytes()}

    result = new(units_dir, "--all")
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert f"Đã tạo {len(plan.units) - 2} tệp mẫu" in out, result.output
    assert "Bỏ qua 2 đơn vị đã có tệp: so-vhttdl, xa-chieng-la" in out, result.output

    folder = units_dir / str(YEAR)
    written = {p.stem for p in folder.glob("*.yaml")} - {"so-vhttdl"}
    assert written == {u.id for u in plan.units} - {"so-vhttdl", "xa-chieng-la"}
    assert not (folder / "xa-chieng-la.yaml").exists()
    for path, content in kept.items():
        assert path.read_bytes() == content
    validate_clean(PLAN, units_dir)

    # Run again: nothing left to write, every unit listed as skipped, still exit 0.
    again = new(units_dir, "--all")
    assert again.exit_code == 0, again.output
    assert "Đã tạo 0 tệp mẫu" in again.output, again.output
    assert f"Bỏ qua {len(plan.units)} đơn vị" in again.output, again.output


# ---- round trip ----------------------------------------------------------------------------


@pytest.mark.parametrize("unit_id", list(KIND_UNITS.values()))
def test_template_round_trip_keeps_comments_and_data(tmp_path: Path, unit_id: str) -> None:
    units_dir = tmp_path / "units"
    result = new(units_dir, unit_id)
    assert result.exit_code == 0, result.output
    original = (units_dir / str(YEAR) / f"{unit_id}.yaml").read_text(encoding="utf-8")

    rt = YAML(typ="rt")
    doc = rt.load(original)
    buf = io.StringIO()
    rt.dump(doc, buf)
    dumped = buf.getvalue()

    assert len(comments(original)) > 10
    assert comments(dumped) == comments(original)
    assert safe_load(dumped) == safe_load(original)


# ---- plan57 units --------------------------------------------------------------------------


def units_json(plan: Path, units_dir: Path, *args: Any, year: int = YEAR) -> list[dict[str, Any]]:
    result = run("units", "--year", year, "--plan", plan, "--units", units_dir, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_units_json_registry_order(tmp_path: Path, plan: Plan) -> None:
    units_dir = tmp_path / "units"
    units_dir.mkdir()
    rows = units_json(PLAN, units_dir)
    assert [r["id"] for r in rows] == [u.id for u in plan.units]
    for row, unit in zip(rows, plan.units):
        assert row == {"id": unit.id, "name": unit.name, "kind": unit.kind, "state": "missing", "file": None}


def test_units_states_agree_with_score(tmp_path: Path, mini_plan_path: Path, mini_plan: Plan) -> None:
    units_dir = tmp_path / "units"
    write(units_dir, 2025, "so-vhttdl", submission(mini_plan, "so-vhttdl", 2025))  # 2025-12-01: on time
    write(units_dir, 2025, "so-khcn", submission(mini_plan, "so-khcn", 2025, dt.date(2025, 12, 5)))  # late
    bad = submission(mini_plan, "bql-kcn", 2025)
    bad["staff"] = {"total": 10, "informed": 11}
    write(units_dir, 2025, "bql-kcn", bad)  # invalid

    rows = units_json(mini_plan_path, units_dir, year=2025)
    assert [r["id"] for r in rows] == [u["id"] for u in MINI_UNITS]
    assert [list(r) for r in rows] == [["id", "name", "kind", "state", "file"]] * len(rows)
    state = {r["id"]: r["state"] for r in rows}
    assert state == {
        "so-vhttdl": "on_time",
        "so-khcn": "late",
        "bql-kcn": "invalid",
        **{u["id"]: "missing" for u in MINI_UNITS[3:]},
    }
    files = {r["id"]: r["file"] for r in rows}
    for uid in ("so-vhttdl", "so-khcn", "bql-kcn"):
        assert files[uid] is not None and files[uid].replace("\\", "/").endswith(f"2025/{uid}.yaml"), files
    assert all(files[u["id"]] is None for u in MINI_UNITS[3:])

    scored = run("score", "--year", 2025, "--plan", mini_plan_path, "--units", units_dir, "--format", "json")
    assert scored.exit_code == 0, scored.output
    reporting = json.loads(scored.stdout)["reporting"]
    for name in ("missing", "late", "invalid"):
        assert sorted(reporting[name]) == sorted(uid for uid, s in state.items() if s == name), name
    assert reporting["on_time"] == sum(1 for s in state.values() if s == "on_time") == 1

    xa = units_json(mini_plan_path, units_dir, "--kind", "xa", year=2025)
    assert [r["id"] for r in xa] == ["xa-muong-la", "xa-chieng-la"]
    missing = units_json(mini_plan_path, units_dir, "--state", "missing", year=2025)
    assert [r["id"] for r in missing] == [u["id"] for u in MINI_UNITS[3:]]
    both = units_json(mini_plan_path, units_dir, "--kind", "so", "--state", "late", year=2025)
    assert [r["id"] for r in both] == ["so-khcn"]

    text = run("units", "--year", 2025, "--plan", mini_plan_path, "--units", units_dir)
    assert text.exit_code == 0, text.output
    assert "so-khcn" in text.output and "xa-chieng-la" in text.output

    bad_kind = run("units", "--year", 2025, "--plan", mini_plan_path, "--units", units_dir, "--kind", "zz")
    assert bad_kind.exit_code == 2, bad_kind.output
    assert "zz" in bad_kind.output
    bad_state = run("units", "--year", 2025, "--plan", mini_plan_path, "--units", units_dir, "--state", "zz")
    assert bad_state.exit_code == 2, bad_state.output


# ---- plan57 schema -------------------------------------------------------------------------


def _enum(prop: dict[str, Any]) -> list[Any]:
    """The enum of a property, looking through anyOf [..., null] and array items."""
    for option in prop.get("anyOf", [prop]):
        if "enum" in option:
            return option["enum"]  # type: ignore[no-any-return]
        if "items" in option and "enum" in option["items"]:
            return option["items"]["enum"]  # type: ignore[no-any-return]
    raise AssertionError(f"no enum in {prop}")


def test_schema_enums_come_from_the_plan(tmp_path: Path, plan: Plan, mini_plan_path: Path) -> None:
    out = tmp_path / "schema.json"
    result = run("schema", "--plan", PLAN, "-o", out)
    assert result.exit_code == 0, result.output
    schema = json.loads(out.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    defs, props = schema["$defs"], schema["properties"]

    assert _enum(props["unit"]) == [u.id for u in plan.units]
    assert list(defs["Tasks"]["properties"]) == [t.id for t in plan.tasks]
    assert [t.id for t in plan.tasks][:1] == ["1a"] and [t.id for t in plan.tasks][-1] == "5c"
    assert _enum(props["channels"]) == list(range(1, 11))
    assert list(defs["Products"]["properties"]) == [k.id for k in plan.product_kinds]
    assert _enum(defs["Training"]["properties"]["audience"]) == [a.id for a in plan.training_audiences]
    for name in ("Staff", "Tasks", "Products", "Training"):
        assert defs[name]["additionalProperties"] is False, name

    # Printed to stdout without -o, the same document.
    printed = run("schema", "--plan", PLAN)
    assert printed.exit_code == 0, printed.output
    assert json.loads(printed.stdout) == schema

    # Another plan, another enum of unit ids.
    mini = run("schema", "--plan", mini_plan_path)
    assert mini.exit_code == 0, mini.output
    assert _enum(json.loads(mini.stdout)["properties"]["unit"]) == [u["id"] for u in MINI_UNITS]


def test_check_jsonschema_accepts_samples_and_templates_rejects_unknown_key(tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    result = run("schema", "--plan", PLAN, "-o", out)
    assert result.exit_code == 0, result.output

    samples = sorted((UNITS / "2025").glob("*.yaml"))
    assert len(samples) >= 7
    # Fresh templates too: they hold unquoted dates (submitted: 2026-..-..), which check-jsonschema
    # loads as strings, so `format: date` on a string applies.
    units_dir = tmp_path / "units"
    for unit_id in KIND_UNITS.values():
        made = new(units_dir, unit_id)
        assert made.exit_code == 0, made.output
    templates = sorted((units_dir / str(YEAR)).glob("*.yaml"))
    ok = check_jsonschema(out, *samples, *templates)
    assert ok.returncode == 0, ok.stdout + ok.stderr

    source = UNITS / "2025" / "xa-muong-la.yaml"
    text = source.read_text(encoding="utf-8")
    assert "\n  informed: " in text
    broken = tmp_path / "xa-muong-la.yaml"
    broken.write_text(text.replace("\n  informed: ", "\n  informd: ", 1), encoding="utf-8")
    rejected = check_jsonschema(out, broken)
    assert rejected.returncode == 1, rejected.stdout + rejected.stderr
    assert "informd" in rejected.stdout + rejected.stderr

    # plan57 itself agrees on both files.
    assert run("validate", "--plan", PLAN, source).exit_code == 0
    assert run("validate", "--plan", PLAN, broken).exit_code == 1


# ---- help and README -----------------------------------------------------------------------


def _docstring(name: str) -> str:
    for info in app.registered_commands:
        command = info.name or (info.callback.__name__ if info.callback else "")
        if command == name and info.callback is not None:
            return (info.callback.__doc__ or "").strip().splitlines()[0]
    raise AssertionError(f"no command {name}")


@pytest.mark.parametrize("command", COMMANDS)
def test_help_in_vietnamese(command: str) -> None:
    doc = _docstring(command)
    assert VIETNAMESE.search(doc), doc
    result = run(command, "--help")
    assert result.exit_code == 0, result.output
    assert " ".join(doc.split()) in " ".join(result.output.split()), result.output


def test_root_help_lists_every_command() -> None:
    result = run("--help")
    assert result.exit_code == 0, result.output
    for command in COMMANDS:
        assert re.search(rf"^\s+{command}\b", result.output, re.M), command


@pytest.mark.parametrize(
    "command",
    COMMANDS,
)
def test_readme_mentions_command(command: str) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"plan57 {command}" in readme


def test_new_prints_json_when_asked(tmp_path: Path) -> None:
    units_dir = tmp_path / "units"
    first = run("new", "xa-muong-la", "--year", 2026, "--plan", PLAN, "--units", units_dir, "--format", "json")
    assert first.exit_code == 0, first.output
    one = json.loads(first.output)
    assert one["written"] == [str(units_dir / "2026" / "xa-muong-la.yaml")] and one["skipped"] == []
    assert Path(one["schema"]) == units_dir / "submission.schema.json"
    pointer = (units_dir / "2026" / "xa-muong-la.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert pointer.endswith("$schema=../submission.schema.json")
    assert ((units_dir / "2026") / pointer.split("$schema=")[1]).resolve() == Path(one["schema"]).resolve()
    rest = run("new", "--all", "--year", 2026, "--plan", PLAN, "--units", units_dir, "--format", "json")
    assert rest.exit_code == 0, rest.output
    many = json.loads(rest.output)
    assert many["skipped"] == ["xa-muong-la"] and len(many["written"]) == 91
