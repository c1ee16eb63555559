"""Edges an official meets: drafts, odd plans, file modes, dates, paths, links."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from plan57.cli import app
from plan57.loading import cache as cache_mod
from plan57.render.markdown import md

from .conftest import PLAN, UNITS, dump, submission, write

runner = CliRunner()


def run(*args: object):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [str(a) for a in args])


# ---- drafts: a template sent out but not yet returned ------------------------------------------


def test_untouched_template_is_a_draft_and_the_unit_still_missing(tmp_path: Path) -> None:
    units = tmp_path / "units"
    assert run("new", "xa-muong-la", "--year", 2026, "--plan", PLAN, "--units", units).exit_code == 0
    checked = run("validate", "--plan", PLAN, units)
    assert checked.exit_code == 0, checked.output
    text = (units / "2026" / "xa-muong-la.yaml").read_text(encoding="utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith("submitted:"))
    assert f"xa-muong-la.yaml:{line}:1: cảnh báo: chưa ghi ngày gửi báo cáo" in checked.output
    scored = json.loads(run("score", "--year", 2026, "--plan", PLAN, "--units", units, "--format", "json").output)
    assert scored["reporting"]["submitted"] == 0 and "xa-muong-la" in scored["reporting"]["missing"]
    states = json.loads(run("units", "--year", 2026, "--plan", PLAN, "--units", units, "--format", "json").output)
    row = next(r for r in states if r["id"] == "xa-muong-la")
    assert row["state"] == "missing" and row["file"] is None  # SPEC §6: `file` null when missing
    table = run("units", "--year", 2026, "--plan", PLAN, "--units", units).output
    line = next(t for t in table.splitlines() if t.startswith("xa-muong-la"))
    assert "Bản nháp" in line and "xa-muong-la.yaml" in line, line  # the table still shows the draft


def test_a_file_without_the_submitted_key_is_an_error(tmp_path: Path, plan) -> None:  # type: ignore[no-untyped-def]
    data = submission(plan, "xa-muong-la", 2025)
    del data["submitted"]
    write(tmp_path / "units", 2025, "xa-muong-la", data)
    result = run("validate", "--plan", PLAN, tmp_path / "units")
    assert result.exit_code == 1, result.output
    assert "thiếu khóa bắt buộc 'submitted'" in result.output


# ---- one line per problem; locations of empty values and a missing ':' -------------------------


def test_a_newline_in_a_key_cannot_forge_a_line(tmp_path: Path) -> None:
    write(tmp_path / "units", 2025, "xa-muong-la", 'unit: xa-muong-la\n"staff\\nfake.yaml:1:1: lỗi: giả": 1\n')
    result = run("validate", "--plan", PLAN, tmp_path / "units")
    assert result.exit_code == 1, result.output
    assert not any(line.startswith("fake.yaml") for line in result.output.splitlines())
    assert "staff\\nfake.yaml" in result.output


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ("unit: xa-muong-la\nyear 2025\nsubmitted: 2025-12-01\n", "2:1", "thiếu dấu ':'"),
        ("unit: xa-muong-la\nyear: 2025.0\nsubmitted: 2025-12-01\n", "2:7", "viết 2025"),
        ("unit: xa-muong-la\nyear: 2025\nsubmitted: 2025-12-01\nreference: @abc\n", "4:12", "ngoặc kép"),
    ],
)
def test_located_where_the_official_looks(tmp_path: Path, text: str, where: str, words: str) -> None:
    write(tmp_path / "units", 2025, "xa-muong-la", text)
    result = run("validate", "--plan", PLAN, tmp_path / "units")
    assert result.exit_code == 1, result.output
    assert any(f"xa-muong-la.yaml:{where}: lỗi: " in line and words in line for line in result.output.splitlines()), (
        result.output
    )


# ---- --strict ----------------------------------------------------------------------------------


def test_strict_fails_on_a_due_target_without_enough_data(tmp_path: Path, mini_plan_path: Path, mini_plan) -> None:  # type: ignore[no-untyped-def]
    units = tmp_path / "units"
    for u in mini_plan.units:
        write(units, 2025, u.id, submission(mini_plan, u.id, 2025))
    lacking = submission(mini_plan, "xa-muong-la", 2025)
    del lacking["staff"]  # a warning only: 2025.can-bo keeps a value, its coverage drops below 1
    write(units, 2025, "xa-muong-la", lacking)
    loose = run("score", "--year", 2025, "--plan", mini_plan_path, "--units", units, "--format", "json")
    assert loose.exit_code == 0, loose.output
    target = next(t for t in json.loads(loose.output)["targets"] if t["id"] == "2025.can-bo")
    assert target["status"] == "insufficient_data" and target["due"]
    strict = run("score", "--year", 2025, "--plan", mini_plan_path, "--units", units, "--strict")
    assert strict.exit_code == 1, strict.output


# ---- the plan file -----------------------------------------------------------------------------


def test_a_float_threshold_is_read_exactly(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN.read_text(encoding="utf-8").replace('threshold: "4/5"', "threshold: 0.8"), encoding="utf-8")
    (tmp_path / "empty").mkdir()
    result = run("score", "--year", 2025, "--plan", plan, "--units", tmp_path / "empty", "--format", "json")
    assert result.exit_code == 0, result.output
    target = next(t for t in json.loads(result.stdout)["targets"] if t["id"] == "2030.tiep-can")
    assert target["threshold"] == "0.8"


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ('threshold: "4/5"', 'threshold: "4/0"', "chia cho 0"),
        ('unit_deadline: "12-05"', 'unit_deadline: "02-30"', "không phải một ngày có thật"),
    ],
)
def test_a_broken_plan_is_located_and_exits_2(tmp_path: Path, old: str, new: str, words: str) -> None:
    text = PLAN.read_text(encoding="utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if old in t)
    plan = tmp_path / "plan.yaml"
    plan.write_text(text.replace(old, new), encoding="utf-8")
    result = run("score", "--year", 2025, "--plan", plan, "--units", UNITS)
    assert result.exit_code == 2, result.output
    assert f"plan.yaml:{line}:" in result.output and words in result.output


def test_a_plan_without_units_exits_2(tmp_path: Path) -> None:
    text = PLAN.read_text(encoding="utf-8")
    plan = tmp_path / "plan.yaml"
    plan.write_text(text[: text.index("\nunits:")] + "\nunits: []\n", encoding="utf-8")
    result = run("validate", "--plan", plan, "--units", UNITS)
    assert result.exit_code == 2, result.output
    assert "'units' phải có ít nhất 1 mục" in result.output


# ---- what plan57 writes ------------------------------------------------------------------------


def test_report_file_gets_ordinary_permissions(tmp_path: Path) -> None:
    out = tmp_path / "tonghop.md"
    assert run("report", "--plan", PLAN, "--units", UNITS, "--date", "2025-12-15", "-o", out).exit_code == 0
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask
    out.chmod(0o640)
    assert run("report", "--plan", PLAN, "--units", UNITS, "--date", "2025-12-15", "-o", out).exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


def test_new_keeps_an_existing_schema_file(tmp_path: Path) -> None:
    schema = tmp_path / "units" / "submission.schema.json"
    schema.parent.mkdir()
    schema.write_text("{}", encoding="utf-8")
    assert run("new", "xa-muong-la", "--year", 2026, "--plan", PLAN, "--units", tmp_path / "units").exit_code == 0
    assert schema.read_text(encoding="utf-8") == "{}"
    assert (
        run("new", "xa-muong-la", "--year", 2026, "--plan", PLAN, "--units", tmp_path / "units", "--force").exit_code
        == 0
    )
    assert json.loads(schema.read_text(encoding="utf-8"))["$schema"].endswith("2020-12/schema")


@pytest.mark.parametrize(
    ("date", "line"), [("2026-03-05", "ngày 05 tháng 3 năm 2026"), ("2026-02-15", "ngày 15 tháng 02 năm 2026")]
)
def test_date_line_as_decree_30_writes_it(date: str, line: str) -> None:
    result = run("report", "--plan", PLAN, "--units", UNITS, "--year", 2025, "--date", date)
    assert result.exit_code == 0, result.output
    assert f"Sơn La, {line}" in result.output


def test_schema_speaks_vietnamese_to_editors() -> None:
    schema = json.loads(run("schema", "--plan", PLAN).output)
    titles: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            titles.extend(v for k, v in node.items() if k == "title" and isinstance(v, str))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(schema)
    assert titles == ["Báo cáo kết quả thực hiện Kế hoạch 2493/QĐ-UBND"]


# ---- paths given wrongly -----------------------------------------------------------------------


def test_wrong_paths_are_usage_errors(tmp_path: Path) -> None:
    missing = run("validate", "--plan", PLAN, tmp_path / "khong-co.yaml")
    assert missing.exit_code == 2 and "không tìm thấy" in missing.output
    a_file = run("score", "--plan", PLAN, "--units", PLAN)
    assert a_file.exit_code == 2 and "không phải thư mục" in a_file.output


def test_notes_reach_every_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the default units folder, data/units, does not exist here
    for args in (["units"], ["validate", "--format", "json"]):
        result = run(*args, "--plan", PLAN)
        assert result.exit_code == 0, result.output
        assert "Ghi chú: chưa có thư mục báo cáo" in result.stderr
    assert json.loads(run("validate", "--format", "json", "--plan", PLAN).stdout) == []


# ---- links and the cache -----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["xem https://evil.example/auto", "www.evil.example", "thư gửi a@b.example"])
def test_unit_text_never_becomes_a_link(text: str) -> None:
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("gfm-like").parse(f"- {md(text)}\n")
    kinds = {t.type for tok in tokens for t in [tok, *(tok.children or [])]}
    assert "link_open" not in kinds
    rendered = "".join(c.content for tok in tokens for c in (tok.children or []) if c.type == "text")
    assert rendered == text


def test_changed_code_invalidates_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, plan) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "xdg"))  # the same on Windows
    write(tmp_path / "units", 2025, "xa-muong-la", dump(submission(plan, "xa-muong-la", 2025)))
    first = cache_mod.Cache(plan.source_hash)
    monkeypatch.setattr(cache_mod, "code_fingerprint", lambda: "another-build")
    assert cache_mod.Cache(plan.source_hash).salt != first.salt


def test_one_misspelt_key_is_one_error(tmp_path: Path, plan) -> None:  # type: ignore[no-untyped-def]
    data = submission(plan, "xa-muong-la", 2025)
    data["staff"] = {"total": 10, "informd": 10}
    write(tmp_path / "units", 2025, "xa-muong-la", data)
    result = run("validate", "--plan", PLAN, tmp_path / "units")
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if ": lỗi: " in line]
    assert len(errors) == 1 and "có phải ý bạn là 'informed'" in errors[0], result.output


def test_a_thousands_dot_is_explained(tmp_path: Path, plan) -> None:  # type: ignore[no-untyped-def]
    text = dump(submission(plan, "xa-muong-la", 2025)).replace("total: 1000\n", "total: 18.500\n", 1)
    write(tmp_path / "units", 2025, "xa-muong-la", text)
    result = run("validate", "--plan", PLAN, tmp_path / "units")
    assert result.exit_code == 1, result.output
    assert "nếu là 18.500" in result.output and "viết liền 18500" in result.output


def test_list_items_are_counted_from_one(tmp_path: Path, plan) -> None:  # type: ignore[no-untyped-def]
    data = submission(plan, "xa-muong-la", 2025)
    data["training"][0]["audience"] = "studnets"
    write(tmp_path / "units", 2025, "xa-muong-la", data)
    result = run("validate", "--plan", PLAN, tmp_path / "units")
    assert "'training (mục 1).audience'" in result.output, result.output


def test_every_value_of_a_new_template_is_empty(plan) -> None:  # type: ignore[no-untyped-def]
    """SPEC §6: the template's values are left empty (null), texts as well as figures: only the
    unit and the year are written."""
    from plan57.loading.yamlsafe import load_bytes
    from plan57.render.template import new_submission

    def leaves(node, at=()):  # type: ignore[no-untyped-def]
        if isinstance(node, dict):
            for k, v in node.items():
                yield from leaves(v, at + (k,))
        else:
            yield at, node

    for kind in {u.kind for u in plan.units}:
        unit = next(u.id for u in plan.units if u.kind == kind)
        data = load_bytes(new_submission(plan, unit, 2026).encode("utf-8"), "x.yaml").data
        assert (data["unit"], data["year"]) == (unit, 2026)
        filled = {at: v for at, v in leaves(data) if at not in (("unit",), ("year",)) and v is not None}
        assert filled == {}, (unit, filled)
