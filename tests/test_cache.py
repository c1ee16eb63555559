"""The content-hash cache: an unchanged file is not parsed again; any change is a miss."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
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


def test_a_file_written_just_before_a_save_is_trusted_once_it_is_old(
    units: Path, own_cache: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file read again only because it changed just before the last save (as `import` writes
    files just before the `validate` that follows) is saved again once it is old enough, and not
    read after that, its stat unchanged all along."""
    run(units)  # saved within the clock's step of the files' writing: their stat proves nothing
    real = time.time_ns
    monkeypatch.setattr(time, "time_ns", lambda: real() + 10 * 10**9)  # ten seconds later
    reads.clear()
    first = run(units)
    assert len(reads) == 4
    reads.clear()
    second = run(units)
    assert reads == [] and second.output == first.output


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


# ---- issue 28 items 1, 2 and issue 27 item 4: a store that cannot run code nor change a result ----

NOTE = "bỏ qua bộ nhớ đệm"


def _store_lines(path: Path) -> list[tuple[str, str]]:
    return [tuple(line.split("\t", 1)) for line in path.read_text(encoding="utf-8").splitlines()]  # type: ignore[misc]


def _forge(path: Path, change: Any) -> None:
    """Rewrite a store file as someone who knows its format would: every checksum made anew."""
    out = []
    for _, payload in _store_lines(path):
        payload = change(payload)
        out.append(cache_mod._line(payload))
    path.write_bytes(b"".join(out))


def _valid_says_invalid(payload: str) -> str:
    """A forged index line: the broken file (phuong-to-hieu) without its errors."""
    if "phuong-to-hieu" in payload and payload.startswith("["):
        row = json.loads(payload)
        row[5] = []
        return json.dumps(row, ensure_ascii=False)
    return payload


def test_nothing_in_the_store_is_a_pickle(units: Path, own_cache: Path) -> None:
    run(units)
    score_json(units)
    names = sorted(p.name for p in own_cache.iterdir())
    assert "results.jsonl" in names and "records.jsonl" in names and any(n.startswith("plan-") for n in names)
    for f in own_cache.iterdir():
        data = f.read_bytes()
        assert not data.startswith(b"\x80"), f.name  # a pickle's first byte
        for line in data.decode("utf-8").splitlines():
            found, payload = line.split("\t", 1)
            json.loads(payload.split("\t", 1)[-1] if f.name == "records.jsonl" else payload)
            assert found.encode() == cache_mod._sum(payload.encode())


def test_a_forged_store_under_a_parent_others_can_write_is_not_read(
    units: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parses: list[str]
) -> None:
    """The parent-folder swap: whoever can write a folder above the cache can put a store of their
    own there. The store is checked from the root down: it is neither read nor written, once said."""
    shared = tmp_path / "shared"
    shared.mkdir()
    monkeypatch.setenv("XDG_CACHE_HOME", str(shared))
    truth = run(units)
    _forge(shared / "plan57" / "results.jsonl", _valid_says_invalid)
    shared.chmod(0o777)  # now anyone may swap the folder below it
    parses.clear()
    second = run(units)
    assert second.output.count(NOTE) == 1 and "chmod go-w" in second.output
    assert second.exit_code == 1 and len(set(parses)) == 4
    assert second.stdout == truth.stdout  # the broken file still broken


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs to give a folder away")
def test_a_store_under_a_folder_of_another_user_is_not_read(
    units: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parses: list[str]
) -> None:
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    monkeypatch.setenv("XDG_CACHE_HOME", str(theirs))
    truth = run(units)
    _forge(theirs / "plan57" / "results.jsonl", _valid_says_invalid)
    os.chown(theirs, 4242, 4242)
    parses.clear()
    second = run(units)
    assert second.output.count(NOTE) == 1 and "không thuộc người dùng này" in second.output
    assert second.stdout == truth.stdout and len(set(parses)) == 4


def test_a_store_reached_by_a_link_is_not_read(
    units: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parses: list[str]
) -> None:
    """The cache folder, or a file in it, that is a symbolic link is refused, even to a folder of
    this user's: the link could be changed under the check."""
    xdg = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(xdg))
    truth = run(units)
    real = tmp_path / "elsewhere"
    (xdg / "plan57").rename(real)
    _forge(real / "results.jsonl", _valid_says_invalid)
    (xdg / "plan57").symlink_to(real, target_is_directory=True)
    parses.clear()
    second = run(units)
    assert second.output.count(NOTE) == 1 and "liên kết" in second.output
    assert second.stdout == truth.stdout and len(set(parses)) == 4


def test_a_symlinked_store_file_is_not_read(units: Path, own_cache: Path, tmp_path: Path, parses: list[str]) -> None:
    truth = run(units)
    forged = tmp_path / "forged.jsonl"
    (own_cache / "results.jsonl").rename(forged)
    _forge(forged, _valid_says_invalid)
    (own_cache / "results.jsonl").symlink_to(forged)
    parses.clear()
    second = run(units)
    assert second.output.count(NOTE) == 1 and "liên kết" in second.output
    assert second.stdout == truth.stdout and len(set(parses)) == 4
    assert (own_cache / "results.jsonl").is_symlink() and forged.read_bytes()  # neither replaced nor written


def test_a_store_file_others_can_write_is_not_read(units: Path, own_cache: Path, parses: list[str]) -> None:
    truth = run(units)
    _forge(own_cache / "results.jsonl", _valid_says_invalid)
    (own_cache / "results.jsonl").chmod(0o666)
    parses.clear()
    second = run(units)
    assert second.output.count(NOTE) == 1 and second.stdout == truth.stdout and len(set(parses)) == 4


def test_a_sticky_shared_folder_above_is_fine(
    units: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parses: list[str]
) -> None:
    """/tmp is writable by all, but sticky: no one can rename what another put in it."""
    sticky = tmp_path / "sticky"
    sticky.mkdir()
    sticky.chmod(0o1777)
    (sticky / "mine").mkdir(mode=0o700)
    monkeypatch.setenv("XDG_CACHE_HOME", str(sticky / "mine"))
    _age(units)
    first = run(units)
    parses.clear()
    second = run(units)
    assert NOTE not in second.output and parses == [] and second.output == first.output


def _flip(path: Path, bit: int) -> None:
    data = bytearray(path.read_bytes())
    data[bit // 8] ^= 1 << (bit % 8)
    path.write_bytes(bytes(data))


def test_a_flipped_bit_in_the_store_never_changes_a_score(units: Path, own_cache: Path) -> None:
    """Issue 28 item 1: a bit flipped anywhere in either file (the records, the index): the score
    is the one the files give, every time."""
    truth = score_json(units, "--no-cache")
    run(units)
    assert score_json(units) == truth
    for name in ("records.jsonl", "results.jsonl"):
        original = (own_cache / name).read_bytes()
        size = len(original) * 8
        for bit in sorted({size * k // 13 + k for k in range(13)}):
            (own_cache / name).write_bytes(original)
            _flip(own_cache / name, bit)
            assert score_json(units) == truth, (name, bit)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_a_flipped_bit_gives_the_record_or_a_miss(filled: tuple[Path, dict[str, Any]], data: st.DataObject) -> None:
    """Whatever bit flips, a record read back is the one stored, or nothing (read the file again)."""
    root, stored = filled
    name = data.draw(st.sampled_from(["records.jsonl", "results.jsonl"]))
    original = (root / name).read_bytes()
    bit = data.draw(st.integers(0, len(original) * 8 - 1))
    try:
        _flip(root / name, bit)
        store = cache_mod.Cache("plan", root=root)
        for key, entry in stored.items():
            got = store.get(key)
            assert got is None or got == entry
        store.close()
    finally:
        (root / name).write_bytes(original)


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    import datetime as dt

    root = tmp_path_factory.mktemp("store") / "plan57"
    store = cache_mod.Cache("plan", root=root)
    stored: dict[str, Any] = {}
    for i in range(6):
        key = cache_mod.Cache.key(f"tệp {i}".encode(), Path(f"2025/u{i}.yaml"), 2025, 1 << 20)
        record = None if i % 3 == 0 else {"unit": f"u{i}", "submitted": dt.date(2025, 11, i + 1), "n": [i, 1.5]}
        entry = {
            "diagnostics": [(i + 1, 2, "warning", "code", f"thông báo số {i}")],
            "record": record,
            "unit_id": f"u{i}",
            "unit_loc": (1, 7),
        }
        store.put(key, entry)
        stored[key] = entry
    store.save()
    store.close()
    return root, stored


def _planted_plan(own_cache: Path, change: Any) -> None:
    """Rewrite the cached plan data, checksums made anew."""
    (plan_file,) = own_cache.glob("plan-*.json")
    head, body = _store_lines(plan_file)
    data = cache_mod.decode_data(body[1])
    change(data)
    plan_file.write_bytes(cache_mod._line(head[1]) + cache_mod._line(cache_mod.encode_data(data)))


def _halve_thresholds(data: dict[str, Any]) -> None:
    for target in data["targets"]:
        if isinstance(target.get("threshold"), int | float):
            target["threshold"] = target["threshold"] / 2
    data["plan"]["signer"] = "Người ký giả mạo"


def test_a_planted_plan_file_under_a_parent_others_can_write_changes_nothing(
    units: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 28 item 2: the plan data are read under the same checks as the results."""
    shared = tmp_path / "shared"
    shared.mkdir()
    monkeypatch.setenv("XDG_CACHE_HOME", str(shared))
    truth = score_json(units, "--no-cache")
    score_json(units)
    _planted_plan(shared / "plan57", _halve_thresholds)
    shared.chmod(0o777)
    assert score_json(units) == truth


def test_a_plan_file_that_does_not_hold_together_is_read_again(units: Path, own_cache: Path) -> None:
    truth = score_json(units, "--no-cache")
    score_json(units)
    (plan_file,) = own_cache.glob("plan-*.json")
    text = plan_file.read_text(encoding="utf-8").replace('"threshold":', '"threshold":0.0', 1)
    plan_file.write_text(text, encoding="utf-8")  # its checksum no longer holds
    assert score_json(units) == truth
    _planted_plan(own_cache, lambda data: data.update(source_hash="x"))
    (plan_file,) = own_cache.glob("plan-*.json")
    head, body = _store_lines(plan_file)
    moved = json.loads(head[1]) | {"source": "0" * 64}  # data of another plan file's bytes
    plan_file.write_bytes(cache_mod._line(json.dumps(moved)) + cache_mod._line(body[1]))
    assert score_json(units) == truth


def test_the_store_holds_no_contact(units: Path, own_cache: Path, plan) -> None:  # type: ignore[no-untyped-def]
    """SPEC §10: contacts are personal data; the cache holds none, not even quoted in a message."""
    quoted = submission(plan, "xa-muong-la", 2025)
    quoted["contact"] = {"name": "Lò Thị Bí Mật", "phone": "0912 000 111", "email": "khong-phai-thu.bimat"}
    write(units, 2025, "xa-muong-la", quoted)
    valid = submission(plan, "so-khcn", 2025)
    valid["contact"] = {"name": "Cầm Văn Riêng Tư", "phone": "0212 999 888", "email": "rieng.tu@sonla.gov.vn"}
    write(units, 2025, "so-khcn", valid)
    first = run(units)
    assert "khong-phai-thu.bimat" in first.output  # said to the user...
    score_json(units)
    for f in own_cache.iterdir():  # ...and kept nowhere
        text = f.read_text(encoding="utf-8")
        for secret in ("Bí Mật", "0912 000 111", "bimat", "Riêng Tư", "0212 999 888", "rieng.tu", '"contact"'):
            assert secret not in text, (f.name, secret)


def test_new_from_year_takes_contacts_from_the_files_after_a_warm_run(units: Path, own_cache: Path, plan) -> None:  # type: ignore[no-untyped-def]
    known = submission(plan, "so-khcn", 2025)
    known["contact"] = {"name": "Hà Thị Liên Hệ", "position": "Chuyên viên", "phone": "0212 3 456 789"}
    write(units, 2025, "so-khcn", known)
    _age(units)
    run(units)
    run(units)  # the records now come from the cache, without contacts
    result = CliRunner().invoke(
        app,
        ["new", "so-khcn", "--year", "2026", "--from-year", "2025", "--plan", str(PLAN), "--units", str(units)],
    )
    assert result.exit_code == 0, result.output
    made = (units / "2026" / "so-khcn.yaml").read_text(encoding="utf-8")
    assert "Hà Thị Liên Hệ" in made and "0212 3 456 789" in made


def _windows(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Python as on Windows, as far as the cache can tell: no owner ids, a per-user LOCALAPPDATA,
    platformdirs giving %LOCALAPPDATA%\\plan57\\Cache."""
    import platformdirs

    local = tmp_path / "Users" / "canbo" / "AppData" / "Local"
    local.mkdir(parents=True)
    for name in ("getuid", "geteuid", "getgid", "getegid"):
        monkeypatch.delattr(os, name, raising=False)
    monkeypatch.setenv("LOCALAPPDATA", str(local))
    monkeypatch.setenv("USERPROFILE", str(tmp_path / "Users" / "canbo"))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    root = local / "plan57" / "Cache"
    monkeypatch.setattr(platformdirs, "user_cache_dir", lambda *a, **k: str(root))
    return root


def test_on_windows_the_second_run_reuses_the_cache_without_a_note(
    units: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parses: list[str]
) -> None:
    """Issue 27 item 4: a normal %LOCALAPPDATA% folder is trusted (the mode bits mean nothing
    there, and there are no owner ids to compare)."""
    root = _windows(monkeypatch, tmp_path)
    _age(units)
    first = run(units)
    assert NOTE not in first.output and (root / "results.jsonl").is_file()
    parses.clear()
    second = run(units)
    assert NOTE not in second.output and parses == [] and second.output == first.output
    truth = score_json(units, "--no-cache")
    parses.clear()
    assert score_json(units) == truth and parses == []


def test_on_windows_a_cache_outside_the_profile_or_through_a_link_is_not_used(
    units: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parses: list[str]
) -> None:
    import platformdirs

    root = _windows(monkeypatch, tmp_path)
    elsewhere = tmp_path / "Public" / "plan57"
    monkeypatch.setattr(platformdirs, "user_cache_dir", lambda *a, **k: str(elsewhere))
    truth = run(units)
    assert truth.output.count(NOTE) == 1 and not elsewhere.exists()
    monkeypatch.setattr(platformdirs, "user_cache_dir", lambda *a, **k: str(root))
    (tmp_path / "Public").mkdir(exist_ok=True)
    root.parent.mkdir(parents=True)
    root.symlink_to(tmp_path / "Public", target_is_directory=True)  # a junction's stand-in
    parses.clear()
    second = run(units)
    assert second.output.count(NOTE) == 1 and "liên kết" in second.output and len(set(parses)) == 4
    assert second.stdout == truth.stdout


def test_without_owner_ids_a_cache_folder_the_user_named_is_used(
    units: Path, own_cache: Path, monkeypatch: pytest.MonkeyPatch, parses: list[str]
) -> None:
    """A process made to look like Windows that keeps its XDG_CACHE_HOME (the project's own
    simulated-Windows test pass) uses that folder without a note."""
    for name in ("getuid", "geteuid", "getgid", "getegid"):
        monkeypatch.delattr(os, name, raising=False)
    _age(units)
    first = run(units)
    parses.clear()
    second = run(units)
    assert NOTE not in first.output + second.output and parses == [] and second.output == first.output
    assert (own_cache / "results.jsonl").is_file()
