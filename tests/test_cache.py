"""The content-hash cache: an unchanged file is not parsed again; any change is a miss."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from plan57.cli import app
from plan57.loading import cache as cache_mod
from plan57.validation import validate as validate_mod
from plan57.validation.plan_file import load_plan

from .conftest import PLAN, dump, submission, write


@pytest.fixture()
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records every file that really gets parsed and validated."""
    calls: list[str] = []
    real = validate_mod.validate_bytes

    def counting(raw, path, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(path.name)
        return real(raw, path, *args, **kwargs)

    monkeypatch.setattr(validate_mod, "validate_bytes", counting)
    return calls


@pytest.fixture()
def units(tmp_path: Path, plan) -> Path:  # type: ignore[no-untyped-def]
    d = tmp_path / "units"
    for uid in ("xa-muong-la", "so-khcn", "bao-ptth-son-la"):
        write(d, 2025, uid, submission(plan, uid, 2025))
    bad = submission(plan, "phuong-to-hieu", 2025)
    bad["staff"]["informed"] = 99
    write(d, 2025, "phuong-to-hieu", bad)
    return d


@pytest.fixture()
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(root))
    return root / "plan57"


def run(units: Path, *extra: str, plan: Path = PLAN):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["validate", "--plan", str(plan), "--format", "json", *extra, str(units)])


def test_warm_run_parses_nothing_and_says_the_same(units: Path, own_cache: Path, parses: list[str]) -> None:
    first = run(units)
    assert first.exit_code == 1, first.output
    assert sorted(set(parses)) == sorted(p.name for p in units.rglob("*.yaml"))
    parses.clear()
    second = run(units)
    assert second.exit_code == 1, second.output
    assert parses == []
    assert second.output == first.output
    assert (own_cache / "results.jsonl").is_file()


def test_changed_file_is_parsed_again(units: Path, own_cache: Path, parses: list[str], plan) -> None:  # type: ignore[no-untyped-def]
    run(units)
    parses.clear()
    changed = submission(plan, "so-khcn", 2025)
    changed["staff"]["informed"] = 9
    write(units, 2025, "so-khcn", changed)
    result = run(units)
    assert parses == ["so-khcn.yaml"]
    assert '"staff' not in result.output or "so-khcn" not in result.output  # still valid: 9 ≤ 10


def test_changed_plan_parses_everything_again(units: Path, own_cache: Path, parses: list[str], tmp_path: Path) -> None:
    run(units)
    parses.clear()
    other = tmp_path / "plan-copy.yaml"
    other.write_text(PLAN.read_text(encoding="utf-8") + "\n# một thay đổi nhỏ\n", encoding="utf-8")
    run(units, plan=other)
    assert len(set(parses)) == 4


def test_new_version_parses_everything_again(
    units: Path, own_cache: Path, parses: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run(units)
    parses.clear()
    monkeypatch.setattr(cache_mod, "__version__", "999.0.0")
    run(units)
    assert len(set(parses)) == 4


def test_no_cache_bypasses_it(units: Path, own_cache: Path, parses: list[str]) -> None:
    run(units)
    parses.clear()
    result = run(units, "--no-cache")
    assert result.exit_code == 1, result.output
    assert len(set(parses)) == 4


def test_damaged_entry_is_a_miss(units: Path, own_cache: Path, parses: list[str]) -> None:
    first = run(units)
    for entry in own_cache.rglob("results.*"):
        entry.write_bytes(b"\x80\x05 h\xe1\xbb\x8fng")
    parses.clear()
    second = run(units)
    assert len(set(parses)) == 4
    assert second.output == first.output


def test_cache_key_covers_name_year_and_limit(plan) -> None:  # type: ignore[no-untyped-def]
    c = cache_mod.Cache(load_plan(PLAN).source_hash, root=Path(os.devnull))
    assert c.salt.endswith(load_plan(PLAN).source_hash)
    raw = dump(submission(plan, "so-khcn", 2025)).encode()
    base = c.key(raw, Path("2025/so-khcn.yaml"), 2025, 1 << 20)
    assert base != c.key(raw, Path("2025/so-vhttdl.yaml"), 2025, 1 << 20)
    assert base != c.key(raw, Path("2026/so-khcn.yaml"), 2026, 1 << 20)
    assert base != c.key(raw, Path("2025/so-khcn.yaml"), 2025, 1 << 10)
    assert base != c.key(raw + b" ", Path("2025/so-khcn.yaml"), 2025, 1 << 20)


@pytest.fixture()
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records every file whose bytes are read."""
    calls: list[str] = []
    real = validate_mod.read_bytes

    def counting(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(Path(path).name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(validate_mod, "read_bytes", counting)
    return calls


def _age(folder: Path, seconds: int = 3600) -> None:
    for f in folder.rglob("*.yaml"):
        st = f.stat()
        os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns - seconds * 10**9))


def test_old_unchanged_files_are_not_even_read(units: Path, own_cache: Path, reads: list[str]) -> None:
    _age(units)
    first = run(units)
    assert len(reads) == 4
    reads.clear()
    second = run(units)
    assert reads == [] and second.output == first.output


def test_an_edit_of_the_same_size_is_seen(units: Path, own_cache: Path, reads: list[str], plan) -> None:  # type: ignore[no-untyped-def]
    _age(units)
    run(units)
    target = units / "2025" / "so-khcn.yaml"
    text = target.read_text(encoding="utf-8")
    assert "informed: 10" in text
    target.write_text(text.replace("informed: 10", "informed: 99"), encoding="utf-8")  # same size, now > total
    reads.clear()
    result = run(units)
    assert reads == ["so-khcn.yaml"]
    assert "so-khcn.yaml" in result.output and "staff.informed" in result.output


def test_a_just_written_file_is_read_again(units: Path, own_cache: Path, reads: list[str]) -> None:
    """A file changed within the clock's step of the last save is never trusted by its stat."""
    run(units)
    reads.clear()
    run(units)
    assert len(reads) == 4


def score_json(units: Path, *extra: str) -> str:
    result = CliRunner().invoke(
        app, ["score", "--plan", str(PLAN), "--units", str(units), "--year", "2025", "--format", "json", *extra]
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def test_score_after_validate_uses_the_same_data(units: Path, own_cache: Path, parses: list[str]) -> None:
    truth = score_json(units, "--no-cache")
    run(units)  # validate fills the cache, records included
    parses.clear()
    assert score_json(units) == truth
    assert parses == []
    assert (own_cache / "records.jsonl").is_file()


def test_damaged_records_are_a_miss_not_a_wrong_score(units: Path, own_cache: Path, parses: list[str]) -> None:
    truth = score_json(units, "--no-cache")
    run(units)
    (own_cache / "records.jsonl").write_bytes(b"\x80\x05hong")
    parses.clear()
    assert score_json(units) == truth
    assert len(set(parses)) == 3  # the valid files are read again for their data
