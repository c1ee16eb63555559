"""Issue 14, bad input round two: floods, special files, writes in the wrong place, the cache.

Each case is built in the test's tmp_path; bounds are on memory (tracemalloc) and on the count
of diagnostics, never on time. The one-file hazards (control characters, huge numbers, sending
dates) are in tests/data/bad/ and the table of tests/test_bad_input.py.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import threading
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from plan57.base.atomic import write_text
from plan57.base.errors import OutputError
from plan57.cli import app
from plan57.loading.cache import Cache
from plan57.loading.yamlsafe import MAX_NODES
from plan57.validation.validate import MAX_PER_FILE, discover, validate_file, validate_paths

REPO = Path(__file__).resolve().parents[1]
PLAN = REPO / "data" / "plan.yaml"
BASE = (Path(__file__).resolve().parent / "data" / "bad" / "utf8-bom.yaml").read_bytes()[3:].decode("utf-8")
runner = CliRunner()


def units_with(tmp_path: Path, text: str, unit: str = "xa-muong-la", year: str = "2025") -> Path:
    folder = tmp_path / "units" / year
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{unit}.yaml").write_text(text, encoding="utf-8")
    return tmp_path / "units"


def invoke(*args: Any) -> Any:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


def measured(fn: Any) -> tuple[Any, int]:
    tracemalloc.start()
    try:
        value = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return value, peak


# ---- item 3: floods under the size limit ---------------------------------------------------------

BASE_NO_LISTS = "".join(
    ln
    for ln in BASE.splitlines(keepends=True)
    if not ln.startswith(("difficulties", "proposals", '  - "Nhiều', '  - "Đề nghị'))
)


def _fill(head: str, line: str, size: int = 1_000_000) -> str:
    return head + line * ((size - len(head)) // len(line))


FLOODS = {
    # a MiB of bad list items: refused where the key/value limit is passed
    "bad-list-items": _fill(BASE_NO_LISTS + "difficulties:\n", "  - {a: 1}\n"),
    # a MiB of unknown keys
    "unknown-keys": BASE_NO_LISTS + "".join(f"unknown_key_{i}: 1\n" for i in range(48_000)),
    # a MiB of one channel repeated
    "repeated-channels": BASE.replace("channels: [3, 4, 5, 7, 8, 10]", "channels: [" + ", 3" * 330_000 + "]").replace(
        "[, ", "["
    ),
    # deep flow maps, line after line
    "deep-flow-maps": _fill(BASE_NO_LISTS + "proposals:\n", "  - " + "{a: " * 30 + "1" + "}" * 30 + "\n"),
}


@pytest.mark.parametrize("name", sorted(FLOODS))
def test_a_flood_gets_few_lines_in_bounded_memory(tmp_path, plan, name):
    text = FLOODS[name]
    assert 900_000 < len(text.encode()) <= 1024 * 1024
    units = units_with(tmp_path, text)
    path = units / "2025" / "xa-muong-la.yaml"
    result, peak = measured(lambda: validate_file(path, plan, 2025))
    assert 1 <= len(result.diagnostics) <= MAX_PER_FILE + 1, len(result.diagnostics)
    assert not result.valid
    assert peak < 300 * 1024 * 1024, peak
    if name != "deep-flow-maps":
        codes = {d.code for d in result.diagnostics}
        assert "yaml-too-many" in codes, codes
        (d,) = [d for d in result.diagnostics if d.code == "yaml-too-many"]
        assert "5.000" in d.message and d.line > 1


@pytest.mark.parametrize(
    "extra, code",
    [
        ("".join(f"unknown_key_{i}: 1\n" for i in range(2_000)), "schema-extra_forbidden"),
        ("".join(f"  - {{name: x, audience: foo, participants: -1, k{i}: 2}}\n" for i in range(400)), None),
    ],
    ids=["unknown-keys", "bad-items"],
)
def test_many_problems_under_the_limits_are_capped_then_counted(tmp_path, plan, extra, code):
    text = BASE + extra if code else BASE.replace("training:\n", "training:\n" + extra)
    units = units_with(tmp_path, text)
    path = units / "2025" / "xa-muong-la.yaml"
    result, peak = measured(lambda: validate_file(path, plan, 2025))
    found = result.diagnostics
    assert len(found) == MAX_PER_FILE + 1
    last = found[-1]
    assert last.code == "too-many-problems" and last.is_error
    assert f"chỉ liệt kê {MAX_PER_FILE}" in last.message
    assert [(d.line, d.col) for d in found] == sorted((d.line, d.col) for d in found)
    if code:
        assert all(d.code == code for d in found[:-1])
        assert "1.950 lỗi" in last.message  # 2,000 unknown keys, 50 shown
    assert peak < 300 * 1024 * 1024, peak


def test_the_key_and_value_limit_leaves_room_for_a_real_report(tmp_path, plan):
    many = "".join(f'  - "Khó khăn {i}"\n' for i in range(MAX_NODES // 3))
    units = units_with(tmp_path, BASE.replace("difficulties:\n", "difficulties:\n" + many))
    assert validate_file(units / "2025" / "xa-muong-la.yaml", plan, 2025).valid


def test_flood_on_the_command_line_prints_few_lines(tmp_path):
    units = units_with(tmp_path, BASE + "".join(f"unknown_key_{i}: 1\n" for i in range(1_000)))
    result = invoke("validate", "--plan", PLAN, "--units", units, "--no-cache")
    assert result.exit_code == 1
    assert len(result.output.splitlines()) == MAX_PER_FILE + 2  # the cap, the count, the summary


# ---- item 2: what a unit or a file name holds never reaches the terminal raw ---------------------


def test_file_name_with_control_characters_is_printed_escaped(tmp_path):
    folder = tmp_path / "units" / "2025"
    folder.mkdir(parents=True)
    (folder / "x\x1b[31mđỏ\n.yaml").write_text("unit: [\n", encoding="utf-8")
    for fmt in ("text", "json", "github"):
        result = invoke("validate", "--plan", PLAN, "--units", tmp_path / "units", "--no-cache", "--format", fmt)
        assert result.exit_code == 1
        assert "\x1b" not in result.output
        assert "\\x1b[31mđỏ\\n.yaml" in (json.loads(result.output)[0]["path"] if fmt == "json" else result.output)


def test_lone_surrogate_fails_validation_and_breaks_no_output(tmp_path):
    units = units_with(tmp_path, BASE.replace("Nhiều bản", "Nhiều \\ud800 bản"))
    for fmt in ("text", "json", "github"):
        result = invoke("validate", "--plan", PLAN, "--units", units, "--no-cache", "--format", fmt)
        assert result.exit_code == 1, result.output
        assert "U+D800" in result.output
    out = tmp_path / "out" / "tonghop.md"
    result = invoke("report", "--plan", PLAN, "--units", units, "--no-cache", "-o", out)
    assert result.exit_code == 0, result.output
    assert out.is_file() and "\ud800" not in out.read_text(encoding="utf-8")
    assert sorted(p.name for p in out.parent.iterdir()) == ["tonghop.md"]


def test_huge_number_never_crashes_score(tmp_path):
    units = units_with(tmp_path, BASE.replace("  total: 12500", "  total: " + "9" * 5000))
    for args in (["score"], ["score", "--format", "json"], ["report"], ["units"]):
        result = invoke(*args, "--plan", PLAN, "--units", units, "--no-cache")
        assert result.exit_code == 0, result.output
        assert "9" * 50 not in result.output


# ---- item 1: a year folder in other digits ---------------------------------------------------------


@pytest.mark.parametrize("folder", ["２０２５", "٢٠٢٥"])
def test_year_folder_in_other_digits_is_one_clear_line(tmp_path, folder):
    units = units_with(tmp_path, BASE, year=folder)
    result = invoke("validate", "--plan", PLAN, "--units", units, "--no-cache")
    assert result.exit_code == 1, result.output
    lines = [ln for ln in result.output.splitlines() if ": lỗi: " in ln]
    assert len(lines) == 1, result.output
    assert folder in lines[0] and "2025" in lines[0]
    result = invoke("score", "--plan", PLAN, "--units", units, "--no-cache")
    assert result.exit_code == 2 and "2025" in result.output


# ---- item 4: silence where there should be an error; nothing blocks --------------------------------


def test_unreadable_year_folder_is_an_error(tmp_path, monkeypatch):
    units = units_with(tmp_path, BASE)
    real_scandir = os.scandir

    def scandir(path: Any = ".") -> Any:
        if str(path).endswith("2025"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    found, problems = discover(units)
    assert found == []
    assert [(p.code, p.severity) for p in problems] == [("unreadable-folder", "error")]
    assert "không có quyền truy cập" in problems[0].message
    result = invoke("validate", "--plan", PLAN, "--units", units, "--no-cache")
    assert result.exit_code == 1, result.output
    result = invoke("report", "--plan", PLAN, "--units", units, "--no-cache")
    assert result.exit_code == 2, result.output
    assert "không đọc được thư mục" in result.output


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_named_pipe_in_the_units_folder_never_blocks(tmp_path):
    units = units_with(tmp_path, BASE)
    os.mkfifo(units / "2025" / "xa-chieng-la.yaml")
    result = invoke("validate", "--plan", PLAN, "--units", units, "--no-cache")
    assert result.exit_code == 1, result.output
    (line,) = [ln for ln in result.output.splitlines() if "xa-chieng-la" in ln]
    assert "không phải một tệp thông thường" in line


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_template_that_is_not_a_file_never_blocks(tmp_path, kind):
    units = units_with(tmp_path, BASE)
    template = tmp_path / "mau.md.j2"
    os.mkfifo(template) if kind == "fifo" else template.mkdir()
    result = invoke("report", "--plan", PLAN, "--units", units, "--no-cache", "--template", template)
    assert result.exit_code == 2, result.output
    assert "mẫu báo cáo" in result.output
    assert "Is a directory" not in result.output and "Errno" not in result.output


# ---- item 5: -o writes where it should, and only there ----------------------------------------------


@pytest.fixture()
def ws(tmp_path: Path) -> Path:
    units = units_with(tmp_path, BASE)
    shutil.copyfile(PLAN, tmp_path / "plan.yaml")
    return units


def _report(tmp_path: Path, units: Path, out: Path, *more: Any) -> Any:
    return invoke("report", "--plan", tmp_path / "plan.yaml", "--units", units, "--no-cache", "-o", out, *more)


@pytest.mark.parametrize("which", ["plan", "submission", "template"])
def test_output_onto_an_input_file_is_refused(tmp_path, ws, which):
    template = tmp_path / "mau.md.j2"
    template.write_text("{{ year }}\n", encoding="utf-8")
    target = {
        "plan": tmp_path / "plan.yaml",
        "submission": ws / "2025" / "xa-muong-la.yaml",
        "template": template,
    }[which]
    before = target.read_bytes()
    result = _report(tmp_path, ws, target, "--template", template)
    assert result.exit_code == 2, result.output
    assert "tệp dữ liệu plan57 đang đọc" in result.output
    assert target.read_bytes() == before


def test_schema_output_onto_the_plan_is_refused(tmp_path, ws):
    before = (tmp_path / "plan.yaml").read_bytes()
    result = invoke("schema", "--plan", tmp_path / "plan.yaml", "-o", tmp_path / "plan.yaml")
    assert result.exit_code == 2
    assert (tmp_path / "plan.yaml").read_bytes() == before


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_output_onto_a_named_pipe_writes_into_it(tmp_path, ws):
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    result = _report(tmp_path, ws, fifo)
    reader.join(timeout=120)
    if reader.is_alive():  # nothing was written: release the reader before failing
        with open(fifo, "wb"):
            pass
        reader.join()
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # still a pipe, not replaced by a file
    assert got and "BÁO CÁO" in got[0].decode("utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.fifo", "plan.yaml", "units"]


def test_output_onto_a_symlink_writes_its_target(tmp_path, ws):
    target = tmp_path / "that" / "report.md"
    target.parent.mkdir()
    target.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    result = _report(tmp_path, ws, link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert "BÁO CÁO" in target.read_text(encoding="utf-8")
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.md"]


def test_output_onto_a_folder_is_one_line(tmp_path, ws):
    result = _report(tmp_path, ws, tmp_path)
    assert result.exit_code == 2
    assert "thư mục" in result.output and "Errno" not in result.output


@pytest.mark.parametrize("fault", [KeyboardInterrupt, OSError(28, "No space left on device"), RuntimeError])
def test_interrupted_write_leaves_no_temporary_file(tmp_path, monkeypatch, fault):
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.md").write_text("old\n", encoding="utf-8")

    def replace(*_: Any) -> None:
        raise fault if not isinstance(fault, type) else fault()

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises((KeyboardInterrupt, OutputError, RuntimeError)) as info:
        write_text(out / "report.md", "new\n")
    if isinstance(fault, OSError):
        assert "ổ đĩa đã đầy" in str(info.value)
    assert sorted(p.name for p in out.iterdir()) == ["report.md"]
    assert (out / "report.md").read_text(encoding="utf-8") == "old\n"


# ---- item 6: the cache --------------------------------------------------------------------------------


@pytest.mark.posix("mode bits that make a folder untrusted")
def test_cache_in_a_folder_others_can_write_is_ignored_with_a_note(tmp_path, plan):
    folder = tmp_path / "cache"
    folder.mkdir()
    folder.chmod(0o777)
    (folder / "results.pickle").write_bytes(b"not read")
    store = Cache("h", root=folder)
    assert store.get("anything") is None
    assert store.note is not None and "chmod go-w" in store.note
    store.put("k", {"diagnostics": [], "record": None, "unit_id": None, "unit_loc": (1, 1)})
    store.save()
    assert (folder / "results.pickle").read_bytes() == b"not read"  # never written either


@pytest.mark.posix("mode bits that make a folder untrusted")
def test_cache_note_reaches_the_user_once(tmp_path, monkeypatch):
    units = units_with(tmp_path, BASE)
    xdg = tmp_path / "xdg"
    (xdg / "plan57").mkdir(parents=True)
    (xdg / "plan57").chmod(0o777)
    monkeypatch.setenv("XDG_CACHE_HOME", str(xdg))
    monkeypatch.setenv("LOCALAPPDATA", str(xdg))  # the same on Windows
    result = invoke("validate", "--plan", PLAN, "--units", units)
    assert result.exit_code == 0, result.output
    assert result.output.count("bỏ qua bộ nhớ đệm") == 1


def test_cache_compares_ctime_too(tmp_path, plan):
    units = units_with(tmp_path, BASE)
    path = units / "2025" / "xa-muong-la.yaml"
    store = Cache("h", root=tmp_path / "cache")
    old = os.stat(path)
    store.remember(path, old, 2025, 1024, "key")
    store._saved_ns = old.st_mtime_ns + 10**12  # saved long after the file's last change
    assert store.known_key(path, old, 2025, 1024) == "key"
    path.chmod(0o600)  # changes ctime only
    new = os.stat(path)
    assert (new.st_size, new.st_mtime_ns, new.st_ino) == (old.st_size, old.st_mtime_ns, old.st_ino)
    if new.st_ctime_ns != old.st_ctime_ns:
        assert store.known_key(path, new, 2025, 1024) is None


def test_symlink_loop_given_as_a_path_is_one_line(tmp_path, plan):
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop)
    result = invoke("validate", "--plan", PLAN, loop)
    assert result.exit_code == 2 and "vòng lặp" in result.output
    folder = tmp_path / "units" / "2025"
    folder.mkdir(parents=True)
    (folder / "xa-muong-la.yaml").symlink_to(folder / "xa-muong-la.yaml")
    coll = validate_paths([tmp_path / "units"], plan, cache=False)
    assert [d.code for d in coll.diagnostics] == ["unreadable"]
    result = invoke("validate", "--plan", PLAN, tmp_path / "units")
    assert result.exit_code == 1 and "vòng lặp" in result.output


# ---- item 7: smaller faults, each as a class ----------------------------------------------------------


def test_two_files_of_one_unit_are_never_called_unidentified(tmp_path):
    units = units_with(tmp_path, BASE)
    (units / "2025" / "xa-muong-la.yml").write_text(BASE, encoding="utf-8")
    (units / "2025" / "khong-co.yaml").write_text(BASE.replace("xa-muong-la", "khong-co"), encoding="utf-8")
    result = invoke("report", "--plan", PLAN, "--units", units, "--no-cache")
    assert result.exit_code == 0, result.output
    unidentified = [ln for ln in result.stdout.splitlines() if "không xác định được đơn vị" in ln]
    # the signed report names no file path: the one file no unit claims is counted, not named
    assert len(unidentified) == 1 and "1 tệp" in unidentified[0], unidentified


def test_validate_into_a_closed_pipe_keeps_exit_1(tmp_path):
    import subprocess
    import sys

    folder = tmp_path / "units" / "2025"
    folder.mkdir(parents=True)
    for i in range(400):  # far more output than a pipe holds
        (folder / f"f{i}.yaml").write_text("unit: [\n", encoding="utf-8")
    read, write = os.pipe()
    argv = [sys.executable, "-m", "plan57", "validate", "--plan", str(PLAN), "--units", str(tmp_path / "units")]
    proc = subprocess.Popen(argv, cwd=REPO, stdout=write, stderr=subprocess.PIPE)
    os.close(write)
    os.close(read)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 1, err.decode()
    assert b"Traceback" not in err


@pytest.mark.parametrize(
    "raw, code, where, word",
    [
        ("unit: xa-muong-la\n".encode("utf-32"), "encoding-utf32", (1, 1), "UTF-32"),
        ("unit: xa-muong-la\n".encode("utf-32-le"), "encoding-utf32", (1, 1), "UTF-32"),
        (b"unit: xa-muong-la\nyear: 20\x0025\n", "nul-byte", (2, 9), "NUL"),
        ("unit: xa-muong-la\n".encode("utf-16-le"), "encoding-utf16", (1, 1), "UTF-16"),
    ],
    ids=["utf32", "utf32-le", "nul-in-utf8", "utf16-le"],
)
def test_encodings_are_named_rightly(tmp_path, plan, raw, code, where, word):
    folder = tmp_path / "units" / "2025"
    folder.mkdir(parents=True)
    (folder / "xa-muong-la.yaml").write_bytes(raw)
    (d,) = validate_file(folder / "xa-muong-la.yaml", plan, 2025).diagnostics
    assert (d.code, (d.line, d.col)) == (code, where) and word in d.message, d


def test_an_empty_key_is_not_called_the_root(tmp_path, plan):
    units = units_with(tmp_path, BASE + '"": 1\n')
    found = validate_file(units / "2025" / "xa-muong-la.yaml", plan, 2025).diagnostics
    assert [d.message for d in found if d.code == "schema-extra_forbidden"] == [
        "khóa lạ '(khóa rỗng)' không có trong mẫu báo cáo"
    ]
    assert not any("(gốc)" in d.message for d in found)


@pytest.mark.parametrize(
    "old, new, words",
    [
        ("period: {start: 2025, end: 2030}", "period: {start: 2025, end: 999999999}", ["plan.period.end", "2100"]),
        ('threshold: "1"', 'threshold: "1e100000000"', ["threshold", "tỷ lệ"]),
        ('threshold: "1"', 'threshold: "5"', ["threshold", "không quá 1"]),
        ('threshold: "1"', 'threshold: "0"', ["threshold", "lớn hơn 0"]),
    ],
    ids=["period", "huge-exponent", "above-one", "zero"],
)
def test_absurd_plan_values_are_one_located_plan_error(tmp_path, old, new, words):
    text = PLAN.read_text(encoding="utf-8")
    assert old in text
    bad = tmp_path / "plan.yaml"
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    result, peak = measured(lambda: invoke("score", "--plan", bad, "--units", tmp_path / "none", "--no-cache"))
    assert result.exit_code == 2, result.output
    (line,) = [ln for ln in result.output.splitlines() if ": lỗi: " in ln]
    assert line.startswith(f"{bad}:") and all(w in line for w in words), line
    assert peak < 100 * 1024 * 1024


def test_the_key_and_value_limit_is_for_submissions_not_the_plan(tmp_path):
    """A province's registry can be large: the plan is bounded by its size alone."""
    from plan57.validation.plan_file import load_plan

    from .conftest import dump, plan_data

    data = plan_data()
    data["units"] = data["units"] + [
        {"id": f"xa-thu-{i}", "name": f"Xã Thử {i}", "kind": "xa"} for i in range(MAX_NODES // 2)
    ]
    path = tmp_path / "plan.yaml"
    path.write_text(dump(data), encoding="utf-8")
    assert len(load_plan(path).units) == len(data["units"])
