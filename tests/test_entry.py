"""A `validate` the cache answers before the command line is loaded (plan57/entry.py) prints exactly
what the full command prints, and anything it does not recognise goes to the full command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from plan57 import cli, entry

from .conftest import PLAN, REPO, submission, write


def _age(folder: Path, seconds: int = 3600) -> None:
    """Files older than the cache's clock margin, as a unit's files are on the next day."""
    for f in folder.rglob("*"):
        if f.is_file():
            st = f.stat()
            os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns - seconds * 10**9))


@pytest.fixture()
def tree(tmp_path: Path, plan, monkeypatch: pytest.MonkeyPatch) -> Path:  # type: ignore[no-untyped-def]
    """A units folder with every kind of result: valid, warnings, a draft, a rule broken, a YAML
    syntax error, the same unit twice, a file that is not YAML."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "xdg"))  # the same on Windows
    monkeypatch.chdir(tmp_path)
    units = tmp_path / "units"
    write(units, 2026, "so-khcn", submission(plan, "so-khcn", 2026))
    lacking = submission(plan, "xa-muong-la", 2026)
    lacking.pop("network", None)
    lacking.pop("communication_staff", None)
    write(units, 2026, "xa-muong-la", lacking)
    draft = submission(plan, "xa-chieng-la", 2026)
    draft["submitted"] = None
    write(units, 2026, "xa-chieng-la", draft)
    broken = submission(plan, "phuong-to-hieu", 2026)
    broken["staff"]["informed"] = 99
    write(units, 2026, "phuong-to-hieu", broken)
    write(units, 2026, "so-vhttdl", "unit: so-vhttdl\nyear: [2026\n")
    write(units, 2025, "bao-ptth-son-la", submission(plan, "bao-ptth-son-la", 2025))
    write(units, 2025, "bao-ptth-son-la-copy", submission(plan, "bao-ptth-son-la", 2025))
    (units / "2026" / "ghi-chu.docx").write_bytes(b"not yaml")
    _age(units)
    return units


def _full(argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> tuple[str, str, int]:
    monkeypatch.setattr(sys, "argv", ["plan57", *argv])
    with pytest.raises(SystemExit) as ended:
        cli.main()
    cap = capsys.readouterr()
    return cap.out, cap.err, int(ended.value.code or 0)


def _printed(done: tuple[list[str], str, int] | None) -> tuple[str, str, int] | None:
    if done is None:
        return None
    notes, out, code = done
    return (out + "\n" if out else ""), "".join(n + "\n" for n in notes), code


def _served(argv: list[str]) -> tuple[str, str, int] | None:
    """What the entry point answers from the cache alone (None: it cannot)."""
    parsed = entry._options(argv[1:])
    return None if parsed is None else _printed(entry._validate_from_cache(*parsed))


def _run_here(argv: list[str]) -> tuple[str, str, int] | None:
    """What the entry point answers running `validate` whole, without the command-line library."""
    parsed = entry._options(argv[1:])
    return None if parsed is None else _printed(entry._validate(*parsed))


CASES = [
    [],
    ["--format", "json"],
    ["--format=github"],
    ["-q"],
    ["--quiet", "--format", "json"],
    ["--max-size", "4096"],
]


@pytest.mark.parametrize("extra", CASES, ids=lambda a: " ".join(a) or "text")
def test_the_cache_answers_as_the_full_command_does(
    tree: Path, extra: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = ["validate", "--plan", str(PLAN), "--units", "units/", *extra]
    assert _served(argv) is None  # nothing cached yet
    assert _run_here(argv) == _full([*argv, "--no-cache"], capsys, monkeypatch)
    full = _full(argv, capsys, monkeypatch)  # fills the cache
    assert full[2] == 1 and full[0]  # the tree holds errors
    assert _served(argv) == full
    assert _run_here(argv) == full
    assert _full(argv, capsys, monkeypatch) == full  # and the full command, served from its cache, agrees


def test_named_files_and_folders_too(
    tree: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    lone = tree.parent / "bao-cao.yaml"
    lone.write_text((tree / "2026" / "so-khcn.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    _age(tree.parent)
    argv = ["validate", "--plan", str(PLAN), "units/2026", str(lone), "units/2025/bao-ptth-son-la.yaml"]
    full = _full(argv, capsys, monkeypatch)
    assert _served(argv) == full


def test_what_the_cache_has_not_seen_goes_to_the_full_command(
    tree: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, plan
) -> None:  # type: ignore[no-untyped-def]
    argv = ["validate", "--plan", str(PLAN), "--units", "units"]
    assert _served(argv) is None  # nothing cached yet
    _full(argv, capsys, monkeypatch)
    assert _served(argv) is not None
    assert _served([*argv, "--max-size", "999"]) is None  # another size limit: other keys
    # a file changed, a file added, a file removed
    target = tree / "2026" / "so-khcn.yaml"
    target.write_text(target.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert _served(argv) is None
    _age(tree)
    _full(argv, capsys, monkeypatch)
    assert _served(argv) is not None
    added = write(tree, 2026, "so-gddt", submission(plan, "so-gddt", 2026))
    st = added.stat()
    os.utime(added, ns=(st.st_atime_ns, st.st_mtime_ns - 3600 * 10**9))
    assert _served(argv) is None
    (tree / "2026" / "so-gddt.yaml").unlink()
    assert _served(argv) is not None  # the files left are all known
    # another plan (same registry, other bytes): never answered from the old plan's results
    other = tmp_path / "plan.yaml"
    other.write_text(PLAN.read_text(encoding="utf-8") + "\n# sửa\n", encoding="utf-8")
    assert _served(["validate", "--plan", str(other), "--units", "units"]) is None


@pytest.mark.posix("mode bits that make a folder untrusted")
def test_an_untrusted_cache_goes_to_the_full_command(
    tree: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    argv = ["validate", "--plan", str(PLAN), "--units", "units"]
    _full(argv, capsys, monkeypatch)
    assert _served(argv) is not None
    folder = tmp_path / "xdg" / "plan57"
    folder.chmod(0o777)
    try:
        assert _served(argv) is None  # the full command says why it is not read
        out, err, _ = _full(argv, capsys, monkeypatch)
        assert "bộ nhớ đệm" in err
    finally:
        folder.chmod(0o700)


@pytest.mark.parametrize(
    "args",
    [
        ["--no-cache"],
        ["--help"],
        ["-h"],
        ["--debug"],
        ["--format", "xml"],
        ["--format"],
        ["--format", "json", "--format", "text"],
        ["--max-size", "0"],
        ["--max-size", "1_000"],
        ["--max-size", "-5"],
        ["--plan"],
        ["--plan="],
        ["--quiet=yes"],
        ["-qq"],
        ["-q", "--quiet"],
        ["--"],
        ["-"],
        ["không-có-tệp-này.yaml"],
        ["--units", "không-có-thư-mục"],
    ],
    ids=lambda a: " ".join(a),
)
def test_anything_else_goes_to_the_full_command(
    tree: Path, args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = ["validate", "--plan", str(PLAN), "--units", "units"]
    _full(argv, capsys, monkeypatch)
    assert _served(argv) is not None
    assert _served([*argv, *args]) is None


@pytest.mark.parametrize(
    "argv",
    [
        ["validate", "--plan", "không-có.yaml"],
        ["validate", "--plan", "units"],
        ["validate", "--plan", str(PLAN), "--units", "không-có-thư-mục"],
        ["validate", "--plan", str(PLAN), "không-có-tệp.yaml"],
        ["validate", "--plan", str(REPO / "README.md")],
    ],
    ids=["no plan", "plan is a folder", "no units folder", "no such file", "plan not YAML"],
)
def test_errors_are_said_as_the_full_command_says_them(
    tree: Path, argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    full = _full(argv, capsys, monkeypatch)
    assert full[2] == 2 and full[0] == "" and full[1].splitlines()[-1].startswith("plan57: ")
    assert _run_here(argv) == full


def test_the_options_read_before_the_command_line() -> None:
    assert entry._options(["a.yaml", "--plan=p.yaml", "-q", "--units", "u", "--format", "github"]) == (
        {"--plan": "p.yaml", "--quiet": "", "--units": "u", "--format": "github"},
        ["a.yaml"],
    )
    assert entry._options(["--max-size", "12"]) == ({"--max-size": "12"}, [])
    assert entry._options(["--plan", "--units"]) is None


def test_a_warm_validate_loads_neither_the_command_line_nor_the_models(tree: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    argv = [sys.executable, "-m", "plan57", "validate", "--plan", str(PLAN), "--units", "units"]
    cold = subprocess.run(argv, capture_output=True, text=True, env=env)
    warm = subprocess.run([sys.executable, "-X", "importtime", *argv[1:]], capture_output=True, text=True, env=env)
    imported = {line.split("|")[-1].strip() for line in warm.stderr.splitlines() if line.startswith("import time:")}
    assert "plan57.entry" in imported and "plan57.validation.validate" in imported
    assert not imported & {"typer", "pydantic", "ruamel.yaml", "yaml", "rich", "plan57.cli"}
    said = "".join(line + "\n" for line in warm.stderr.splitlines() if not line.startswith("import time:"))
    assert (warm.stdout, said, warm.returncode) == (cold.stdout, cold.stderr, cold.returncode)
    assert cold.returncode == 1


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("cached", [False, True], ids=["run", "from the cache"])
def test_validate_to_a_full_disk_is_one_vietnamese_line(tree: Path, cached: bool) -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    argv = [sys.executable, "-m", "plan57", "validate", "--plan", str(PLAN), "--units", "units"]
    if cached:
        subprocess.run(argv, capture_output=True, env=env)
    with open("/dev/full", "w") as full:
        proc = subprocess.run(argv, stdout=full, stderr=subprocess.PIPE, text=True, env=env)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and proc.stderr.strip().endswith("ổ đĩa đã đầy"), proc.stderr


@pytest.mark.parametrize("cached", [False, True], ids=["run", "from the cache"])
def test_a_closed_pipe_ends_quietly_with_the_runs_code(tree: Path, cached: bool) -> None:
    """stdout a pipe whose reader has already gone: the first write gets EPIPE. Nothing is said,
    and the exit code is still the run's (`validate | head` fails when a file is invalid)."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    argv = [sys.executable, "-m", "plan57", "validate", "--plan", str(PLAN), "--units", "units"]
    if cached:
        subprocess.run(argv, capture_output=True, env=env)
    read, write = os.pipe()
    proc = subprocess.Popen(argv, stdout=write, stderr=subprocess.PIPE, env=env)
    os.close(write)
    os.close(read)  # plan57 takes far longer than this to start: no reader exists when it writes
    _, err = proc.communicate(timeout=120)
    assert (proc.returncode, err) == (1, b"")


# ---- score and report, read here ----------------------------------------------------------


def _here(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[str, str, int] | None:
    """What the entry point prints running `score` or `report` without the command-line library
    (None: it leaves the arguments to the full command line)."""
    known = entry._SCORE if argv[0] == "score" else entry._REPORT
    options = entry._command_options(argv[1:], known)
    if options is None:
        return None
    capsys.readouterr()
    code = entry._run(argv[0], options)
    cap = capsys.readouterr()
    return cap.out, cap.err, code


SCORE_CASES = [
    [],
    ["--format", "json"],
    ["--format=json", "--explain"],
    ["--year", "2025"],
    ["--year=2026", "--strict"],
    ["--unit", "so-khcn"],
    ["--unit", "so-khcn", "--format", "json"],
    ["--explain"],
    ["--max-size", "4096", "--no-cache"],
    ["--unit", "so-khcnn"],  # no such unit: said with a suggestion
    ["--year", "2019"],  # outside the plan
]


@pytest.mark.parametrize("extra", SCORE_CASES, ids=lambda a: " ".join(a) or "text")
def test_score_read_here_prints_what_the_full_command_prints(
    tree: Path, extra: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = ["score", "--plan", str(PLAN), "--units", "units", *extra]
    full = _full(argv, capsys, monkeypatch)
    assert full[0] or full[2] == 2
    assert _here(argv, capsys) == full


REPORT_CASES = [
    ["--date", "2026-12-15"],
    ["--date=2026-12-15", "--year", "2025", "--number", "312"],
    ["--date", "2026-12-15", "--strict"],
    ["--date", "2026-12-25"],  # past the synthesis deadline: a warning
    ["--date", "2026-02-30"],  # no such day
    ["--date", "2026-12-15", "--format", "html"],  # a page to open needs -o
    ["--date", "2026-12-15", "--format", "pdf"],
    ["--date", "2026-12-15", "-o", "tonghop.md"],
    ["--date", "2026-12-15", "--output=tien-do.html"],
    ["--date", "2026-12-15", "-o", "tonghop.pdf"],
    ["--date", "2026-12-15", "-o", "units/2026/so-khcn.yaml"],  # never over an input
    ["--date", "2026-12-15", "--template", "mau.md.j2"],
    ["--date", "2026-12-15", "--template", "không-có.j2"],
]


@pytest.mark.parametrize("extra", REPORT_CASES, ids=lambda a: " ".join(a))
def test_report_read_here_prints_and_writes_what_the_full_command_does(
    tree: Path, extra: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tree.parent / "mau.md.j2").write_text("# {{ y }}: {{ reporting.submitted | length }}\n", encoding="utf-8")
    argv = ["report", "--plan", str(PLAN), "--units", "units", *extra]
    written = [tree.parent / "tonghop.md", tree.parent / "tien-do.html"]
    full = _full(argv, capsys, monkeypatch)
    files = {p: p.read_bytes() for p in written if p.exists()}
    for p in files:
        p.unlink()
    assert _here(argv, capsys) == full
    assert {p: p.read_bytes() for p in written if p.exists()} == files
    assert (tree / "2026" / "so-khcn.yaml").read_text(encoding="utf-8").startswith("unit: so-khcn")


@pytest.mark.parametrize(
    ("command", "args"),
    [
        ("score", ["--year", "x"]),
        ("score", ["--year", "+2026"]),
        ("score", ["--year", " 2026"]),
        ("score", ["--format", "JSON"]),
        ("score", ["--format", "github"]),
        ("score", ["--explain=yes"]),
        ("score", ["--unit="]),
        ("score", ["--unit", "--explain"]),
        ("score", ["--year", "2026", "--year", "2025"]),
        ("score", ["--help"]),
        ("score", ["--debug"]),
        ("score", ["thừa"]),
        ("score", ["--max-size", "0"]),
        ("report", ["-o"]),
        ("report", ["-o", "-"]),
        ("report", ["-o", "a.md", "--output", "b.md"]),
        ("report", ["-oa.md"]),
        ("report", ["--number", ""]),
        ("report", ["--unit", "so-khcn"]),
        ("report", ["--"]),
    ],
    ids=lambda a: a if isinstance(a, str) else " ".join(a),
)
def test_other_score_and_report_arguments_go_to_the_full_command(command: str, args: list[str]) -> None:
    assert entry._command_options(args, entry._SCORE if command == "score" else entry._REPORT) is None


def test_score_and_report_options_read_here() -> None:
    assert entry._command_options(["--year=2026", "--format", "json", "--explain"], entry._SCORE) == {
        "--year": "2026",
        "--format": "json",
        "--explain": "",
    }
    assert entry._command_options(["-o", "r.docx", "--date", "2026-12-15"], entry._REPORT) == {
        "--output": "r.docx",
        "--date": "2026-12-15",
    }


def test_score_and_report_run_without_the_command_line_library(tree: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    for command in (["score"], ["report", "--date", "2026-12-15"]):
        argv = ["-m", "plan57", *command, "--plan", str(PLAN), "--units", "units"]
        run = subprocess.run([sys.executable, "-X", "importtime", *argv], capture_output=True, text=True, env=env)
        imported = {line.split("|")[-1].strip() for line in run.stderr.splitlines() if line.startswith("import time:")}
        assert "plan57.commands" in imported
        assert not imported & {"typer", "plan57.cli"}, command
        assert run.stdout and run.returncode == 0


@pytest.mark.parametrize("command", [["score"], ["report", "--date", "2026-12-15"]], ids=["score", "report"])
def test_score_and_report_to_a_closed_pipe_end_quietly(tree: Path, command: list[str]) -> None:
    """stdout a pipe whose reader has gone: exit 0 and stderr as the full command line has them."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    args = [*command, "--plan", str(PLAN), "--units", "units", "--strict"]
    full = "import sys; from plan57.cli import main; sys.argv[0] = 'plan57'; main()"
    ended = []
    for head in (["-m", "plan57"], ["-c", full]):
        read, write = os.pipe()
        proc = subprocess.Popen([sys.executable, *head, *args], stdout=write, stderr=subprocess.PIPE, env=env)
        os.close(write)
        os.close(read)
        _, err = proc.communicate(timeout=120)
        ended.append((proc.returncode, err))
    assert ended[0] == ended[1] and ended[0][0] == 0 and b"Traceback" not in ended[0][1]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("command", [["score"], ["report", "--date", "2026-12-15"]], ids=["score", "report"])
def test_score_and_report_to_a_full_disk_are_one_vietnamese_line(tree: Path, command: list[str]) -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    argv = [sys.executable, "-m", "plan57", *command, "--plan", str(PLAN), "--units", "units"]
    with open("/dev/full", "w") as full:
        proc = subprocess.run(argv, stdout=full, stderr=subprocess.PIPE, text=True, env=env)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1].endswith("ổ đĩa đã đầy"), proc.stderr


@pytest.mark.parametrize("command", ["score", "report"])
def test_an_unexpected_failure_read_here_is_one_line(
    tree: Path, command: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from plan57 import commands

    def broken(*args: object) -> int:
        raise ValueError("hỏng")

    monkeypatch.setattr(commands, command, broken)
    capsys.readouterr()
    assert entry._run(command, {}) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith("plan57: lỗi không mong đợi (ValueError: hỏng)")


def test_a_commands_objects_are_kept_only_for_the_entry_points_exit(
    tree: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The entry point ends the process with os._exit, so it lets the run's large objects go with
    the process (base/lifetime.py); a command called from a program or a test keeps nothing."""
    import weakref

    from plan57 import commands
    from plan57.base import lifetime
    from plan57.scoring.score import YearResult

    monkeypatch.setattr(lifetime, "_KEPT", None)
    results: list[weakref.ref[YearResult]] = []
    keep = lifetime.keep

    def watch(*objects: object) -> None:
        results.extend(weakref.ref(o) for o in objects if isinstance(o, YearResult))
        keep(*objects)

    monkeypatch.setattr(commands, "keep", watch)
    assert commands.report(None, PLAN, tree, None, None, "2026-12-15", None, None, False, 1 << 20, True) == 0
    assert len(results) == 1 and results[0]() is None  # freed as the command returned
    lifetime.until_exit()
    assert commands.report(None, PLAN, tree, None, None, "2026-12-15", None, None, False, 1 << 20, True) == 0
    assert len(results) == 2 and results[1]() is not None
    kept = lifetime._KEPT or []
    assert any(isinstance(o, YearResult) for o in kept) and any(isinstance(o, str) and "BÁO CÁO" in o for o in kept)
    capsys.readouterr()
