"""Windows (issue 27, SPEC §9) and the write/stdout half of issue 28.

- the simulated Windows process of tests/winshim: each thing it removes really is absent under it;
- writes with only calls every platform has: the mode kept without os.fchmod, "never overwrite"
  without os.link and race-free with it or without, a file Word holds open, SIGTERM mid-write;
- `-o` refuses another user's link in a folder others can write (Linux's protected_symlinks);
- stdout flushed and checked: /dev/full and `ulimit -f`, buffered and with PYTHONUNBUFFERED=1;
- consoles: redirected output is UTF-8 whatever the code page, a console that cannot show
  Vietnamese (cp1258, cp437) degrades readably, never a traceback;
- two imports at once lose nothing; a named pipe or device as --plan, an empty plan.

The whole cycle under the shim is tests/test_windows_cycle.py; the ast walk for POSIX-only calls
is tests/test_portable.py; the offline zip is tests/test_windows_zip.py.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap
import threading
import time
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from plan57.base import atomic
from plan57.base.atomic import OutputExists, write_bytes, write_text
from plan57.base.console import readable, readable_errors
from plan57.cli import app

REPO = Path(__file__).resolve().parents[1]
SHIM = REPO / "tests" / "winshim"
PLAN = REPO / "data" / "plan.yaml"
UNITS = REPO / "data" / "units"
runner = CliRunner()


def _shim_module() -> Any:
    """The shim's own lists, read without installing it (that needs PLAN57_WINSHIM)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("winshim", SHIM / "sitecustomize.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    saved = os.environ.pop("PLAN57_WINSHIM", None)
    try:
        spec.loader.exec_module(module)
    finally:
        if saved is not None:
            os.environ["PLAN57_WINSHIM"] = saved
    return module


winshim = _shim_module()


def env_for(shim: str | None = None, **extra: str) -> dict[str, str]:
    """The environment of a plan57 subprocess, under the Windows shim when `shim` names a code page."""
    env = dict(os.environ)
    for name in ("PLAN57_WINSHIM", "PLAN57_WINSHIM_TTY", "PLAN57_WINSHIM_LOCKED", "PYTHONIOENCODING"):
        env.pop(name, None)
    env["PYTHONPATH"] = os.pathsep.join([str(SHIM), str(REPO)] if shim else [str(REPO)])
    if shim:
        env["PLAN57_WINSHIM"] = shim
    env.update(extra)
    return env


def plan57(*args: Any, cwd: Path | None = None, env: dict[str, str] | None = None, **kw: Any) -> Any:
    kw.setdefault("capture_output", "stdout" not in kw)
    return subprocess.run(
        [sys.executable, "-m", "plan57", *[str(a) for a in args]],
        cwd=cwd,
        env=env or env_for(),
        timeout=300,
        **kw,
    )


def invoke(*args: Any) -> Any:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


# ---- the shim itself ------------------------------------------------------------------------------

_PROBE = textwrap.dedent(
    """
    import importlib, json, os, signal, sys, multiprocessing
    out = {"os": [n for n in sys.argv[1].split(",") if hasattr(os, n)],
           "signal": [n for n in sys.argv[2].split(",") if hasattr(signal, n)],
           "modules": [], "binary": getattr(os, "O_BINARY", None),
           "methods": multiprocessing.get_all_start_methods(), "default": multiprocessing.get_start_method()}
    for name in sys.argv[3].split(","):
        try:
            importlib.import_module(name)
            out["modules"].append(name)
        except ImportError:
            pass
    try:
        multiprocessing.get_context("fork")
        out["fork"] = True
    except ValueError:
        out["fork"] = False
    out["encodings"] = [sys.stdout.encoding, sys.stderr.encoding]
    print(json.dumps(out))
    """
)


def _probe(shim: str | None) -> dict[str, Any]:
    argv = [
        sys.executable,
        "-c",
        _PROBE,
        ",".join(winshim.REMOVED_OS),
        ",".join(winshim.REMOVED_SIGNALS),
        ",".join(winshim.BLOCKED_MODULES),
    ]
    proc = subprocess.run(argv, capture_output=True, env=env_for(shim), timeout=120)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    return json.loads(proc.stdout.decode("ascii"))  # type: ignore[no-any-return]


@pytest.mark.parametrize("page", ["cp1258", "cp437"])
def test_the_shim_removes_what_windows_lacks(page: str) -> None:
    got = _probe(page)
    assert got["os"] == [], got["os"]  # fchmod, fchown, chown, link, fork, getuid, O_NOFOLLOW, …
    assert got["signal"] == []
    assert got["modules"] == []  # fcntl, pwd, grp, termios, resource
    assert got["binary"] == 0x8000
    assert got["methods"] == ["spawn"] and got["default"] == "spawn" and got["fork"] is False
    assert got["encodings"] == [page, page]


def test_without_the_shim_they_are_there() -> None:
    """So the test above proves something: on this Linux the same probe finds them."""
    got = _probe(None)
    assert {"fchmod", "link", "fork", "getuid", "O_NOFOLLOW"} <= set(got["os"])
    assert {"fcntl", "pwd", "grp"} <= set(got["modules"])
    assert got["fork"] is True


def test_the_shim_locks_the_listed_files(tmp_path: Path) -> None:
    locked, free = tmp_path / "mo-trong-word.docx", tmp_path / "khac.docx"
    locked.write_bytes(b"old")
    code = textwrap.dedent(
        """
        import os, sys
        open("a", "wb").close(); open("b", "wb").close()
        try:
            os.replace("a", sys.argv[1])
        except PermissionError as exc:
            print(exc.errno, exc.winerror, exc.filename == sys.argv[1])
        os.replace("b", sys.argv[2])
        print(os.path.exists(sys.argv[2]))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(locked), str(free)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env_for("cp1258", PLAN57_WINSHIM_LOCKED=str(locked)),
        timeout=60,
    )
    assert proc.stdout.split() == ["13", "32", "True", "True"], proc.stderr
    assert locked.read_bytes() == b"old"


def test_the_shim_puts_the_cache_under_localappdata(tmp_path: Path) -> None:
    local = tmp_path / "AppData" / "Local"
    code = "from plan57.loading.cache import cache_root; print(cache_root())"
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env_for("cp1258", LOCALAPPDATA=str(local)),
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert Path(proc.stdout.strip()) == local / "plan57" / "Cache"


# ---- writes with only what every platform has -----------------------------------------------------


@pytest.fixture()
def windows_os(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process's os module without the calls Windows lacks, for the writes under test."""
    for name in ("fchmod", "link", "fchown", "geteuid", "O_NOFOLLOW"):
        monkeypatch.delattr(os, name, raising=False)


def test_a_replaced_file_keeps_its_mode_without_fchmod(tmp_path: Path, windows_os: None) -> None:
    target = tmp_path / "tonghop.md"
    target.write_text("cũ\n", encoding="utf-8")
    os.chmod(target, 0o640)
    write_text(target, "mới\n")
    assert target.read_text(encoding="utf-8") == "mới\n"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
    fresh = tmp_path / "moi.md"
    write_text(fresh, "x\n")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(os.stat(fresh).st_mode) == 0o666 & ~umask  # not mkstemp's 0600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["moi.md", "tonghop.md"]


@pytest.mark.parametrize("links", ["os.link", "no os.link", "os.link refused (FAT)"])
def test_never_overwrite_without_hard_links(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, links: str) -> None:
    if links == "no os.link":
        monkeypatch.delattr(os, "link", raising=False)
    elif links == "os.link refused (FAT)":

        def refused(*_: Any, **__: Any) -> None:
            raise PermissionError(errno.EPERM, "Operation not permitted")

        monkeypatch.setattr(os, "link", refused, raising=False)
    target = tmp_path / "2025" / "xa-muong-la.yaml"
    write_text(target, "một\n", overwrite=False)
    assert target.read_text(encoding="utf-8") == "một\n"
    with pytest.raises(OutputExists, match="dùng --force"):
        write_text(target, "hai\n", overwrite=False)
    assert target.read_text(encoding="utf-8") == "một\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["xa-muong-la.yaml"]


@pytest.mark.parametrize("links", [True, False], ids=["os.link", "reservation"])
def test_never_overwrite_is_race_free(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, links: bool) -> None:
    """Eight writers at once, each checking first that the file is absent: exactly one writes."""
    if not links:
        monkeypatch.delattr(os, "link", raising=False)
    target = tmp_path / "xa-muong-la.yaml"
    writers = 8
    everyone_checked = threading.Barrier(writers)
    real_lexists = os.path.lexists

    def lexists(path: Any) -> bool:  # every writer finds it absent, then they all go on at once
        found = real_lexists(path)
        if os.fspath(path) == str(target):
            everyone_checked.wait(timeout=30)
        return found

    monkeypatch.setattr(atomic.os.path, "lexists", lexists)
    won: list[int] = []
    refused: list[int] = []

    def write(i: int) -> None:
        try:
            write_bytes(target, f"lần nhập {i}\n".encode() * 1000, overwrite=False)
            won.append(i)
        except OutputExists:
            refused.append(i)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(won) == 1 and len(refused) == writers - 1
    assert target.read_bytes() == f"lần nhập {won[0]}\n".encode() * 1000
    assert [p.name for p in tmp_path.iterdir()] == ["xa-muong-la.yaml"]


def _held_open(*_: Any, **__: Any) -> None:
    exc = PermissionError(13, "The process cannot access the file because it is being used by another process")
    exc.winerror = 32  # type: ignore[attr-defined]
    raise exc


def test_a_file_word_holds_open_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = out / "tonghop.docx"
    target.write_bytes(b"old")
    monkeypatch.setattr(atomic, "_RETRIES", (0.0,))
    monkeypatch.setattr(os, "replace", _held_open)
    result = invoke("report", "--plan", PLAN, "--units", UNITS, "--no-cache", "-o", target)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, lines
    assert str(target) in lines[0] and "Word, Excel" in lines[0] and "đóng tệp" in lines[0] and "chạy lại" in lines[0]
    assert target.read_bytes() == b"old"
    assert [p.name for p in out.iterdir()] == ["tonghop.docx"]  # no temporary file left


def test_a_file_held_for_a_moment_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An indexer or an antivirus that holds the new file for a moment: tried again, written."""
    target = tmp_path / "tonghop.md"
    target.write_text("cũ\n", encoding="utf-8")
    real = os.replace
    tries: list[int] = []

    def busy_once(src: Any, dst: Any) -> None:
        tries.append(1)
        if len(tries) == 1:
            _held_open()
        real(src, dst)

    monkeypatch.setattr(os, "replace", busy_once)
    write_text(target, "mới\n")
    assert target.read_text(encoding="utf-8") == "mới\n" and len(tries) == 2


def test_sigterm_during_the_final_rename_leaves_no_temporary_file(tmp_path: Path) -> None:
    """SIGTERM while `report -o` renames: the run stops as on Ctrl+C, the temporary file goes."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        textwrap.dedent(
            """
            import os, time
            _real = os.replace
            def _slow(src, dst, *a, **k):
                if str(dst).endswith("tonghop.md"):
                    open(os.environ["READY"], "w").close()
                    time.sleep(60)
                return _real(src, dst, *a, **k)
            os.replace = _slow
            """
        ),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    out.mkdir()
    (out / "tonghop.md").write_text("cũ\n", encoding="utf-8")
    ready = tmp_path / "ready"
    env = env_for(READY=str(ready))
    env["PYTHONPATH"] = os.pathsep.join([str(hook), str(REPO)])
    proc = subprocess.Popen(
        [sys.executable, "-m", "plan57", "report", "--plan", PLAN, "--units", UNITS, "-o", out / "tonghop.md"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    deadline = time.monotonic() + 120
    while not ready.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ready.exists(), proc.communicate()
    assert any(p.name.endswith(".tmp") for p in out.iterdir())  # caught in the act
    proc.terminate()  # SIGTERM
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    assert b"Traceback" not in err and "đã dừng" in err.decode("utf-8")
    assert [p.name for p in out.iterdir()] == ["tonghop.md"]
    assert (out / "tonghop.md").read_text(encoding="utf-8") == "cũ\n"


# ---- -o and another user's link (issue 28 item 4) --------------------------------------------------

needs_root = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="making a link another user owns needs root"
)


@needs_root
@pytest.mark.parametrize("folder_mode", [0o1777, 0o777], ids=["sticky", "world-writable"])
def test_output_refuses_another_users_link_in_a_shared_folder(tmp_path: Path, folder_mode: int) -> None:
    victim = tmp_path / "root-only.conf"
    victim.write_text("bí mật\n", encoding="utf-8")
    os.chmod(victim, 0o600)
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, folder_mode)
    link = shared / "tonghop.md"
    link.symlink_to(victim)
    os.lchown(link, 65534, 65534)  # nobody's link
    result = invoke("report", "--plan", PLAN, "--units", UNITS, "--no-cache", "-o", link)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "liên kết tượng trưng của người dùng khác" in lines[0] and str(link) in lines[0]
    assert victim.read_text(encoding="utf-8") == "bí mật\n"
    assert link.is_symlink() and sorted(p.name for p in shared.iterdir()) == ["tonghop.md"]


@needs_root
def test_output_follows_a_link_of_ones_own_or_in_a_private_folder(tmp_path: Path) -> None:
    target = tmp_path / "that.md"
    target.write_text("cũ\n", encoding="utf-8")
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    mine = shared / "mine.md"
    mine.symlink_to(target)  # this user's link in a sticky folder: followed, as a shell's `>`
    assert invoke("report", "--plan", PLAN, "--units", UNITS, "--no-cache", "-o", mine).exit_code == 0
    assert "BÁO CÁO" in target.read_text(encoding="utf-8")
    private = tmp_path / "private"
    private.mkdir()
    theirs = private / "theirs.md"
    theirs.symlink_to(target)
    os.lchown(theirs, 65534, 65534)  # another user's link in a folder only this user writes
    target.write_text("cũ\n", encoding="utf-8")
    assert invoke("report", "--plan", PLAN, "--units", UNITS, "--no-cache", "-o", theirs).exit_code == 0
    assert "BÁO CÁO" in target.read_text(encoding="utf-8")


@needs_root
def test_a_chain_through_another_users_link_is_refused(tmp_path: Path) -> None:
    victim = tmp_path / "root-only.conf"
    victim.write_text("bí mật\n", encoding="utf-8")
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    theirs = shared / "theirs"
    theirs.symlink_to(victim)
    os.lchown(theirs, 65534, 65534)
    mine = tmp_path / "mine.md"
    mine.symlink_to(theirs)
    result = invoke("report", "--plan", PLAN, "--units", UNITS, "--no-cache", "-o", mine)
    assert result.exit_code == 2 and "người dùng khác" in result.output
    assert victim.read_text(encoding="utf-8") == "bí mật\n"


# ---- stdout flushed and checked (issue 28 item 5) -------------------------------------------------

COMMANDS = {
    "report": ["report", "--date", "2026-12-15"],
    "score --format json": ["score", "--format", "json"],
    "units": ["units"],
    "validate --format json": ["validate", "--format", "json"],
    "validate": ["validate"],
}


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("unbuffered", ["", "1"], ids=["buffered", "PYTHONUNBUFFERED=1"])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_stdout_on_a_full_disk_is_exit_2_with_one_line(tmp_path: Path, command: str, unbuffered: str) -> None:
    env = env_for(PYTHONUNBUFFERED=unbuffered)
    with open("/dev/full", "wb") as full:
        proc = plan57(
            *COMMANDS[command], "--plan", PLAN, "--units", UNITS, stdout=full, stderr=subprocess.PIPE, env=env
        )
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2, err
    assert err.strip().splitlines()[-1] == "plan57: lỗi hệ thống: ổ đĩa đã đầy" and "Traceback" not in err
    assert err.count("ổ đĩa đã đầy") == 1  # said once, not again by the final flush


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash for ulimit")
@pytest.mark.parametrize("unbuffered", ["", "1"], ids=["buffered", "PYTHONUNBUFFERED=1"])
@pytest.mark.parametrize("command", ["report", "score --format json", "units"])
def test_stdout_past_ulimit_is_exit_2_never_a_cut_file(tmp_path: Path, command: str, unbuffered: str) -> None:
    """Past `ulimit -f` (SIGXFSZ ignored, so the write fails with EFBIG) the run says so, exit 2;
    with PYTHONUNBUFFERED=1 a short write used to be taken for a whole one: exit 0, a cut file."""
    args = " ".join(f"'{a}'" for a in [*COMMANDS[command], "--plan", PLAN, "--units", UNITS])
    out = tmp_path / "out.txt"
    script = f"trap '' XFSZ; ulimit -f 4; exec '{sys.executable}' -m plan57 {args} > '{out}'"
    proc = subprocess.run(
        ["bash", "-c", script], capture_output=True, env=env_for(PYTHONUNBUFFERED=unbuffered), timeout=300
    )
    err = proc.stderr.decode("utf-8")
    assert out.stat().st_size == 4096  # the limit was reached: the whole output is larger
    assert proc.returncode == 2, err
    assert err.strip().splitlines()[-1] == "plan57: lỗi hệ thống: tệp quá lớn" and "Traceback" not in err
    assert err.count("tệp quá lớn") == 1


# ---- consoles (SPEC §9) ----------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["cp1258", "cp437"])
def test_redirected_output_is_utf8_whatever_the_code_page(tmp_path: Path, page: str) -> None:
    """`plan57 report > tonghop.md` in a cp1258 console: the same bytes as `-o tonghop.md`."""
    args = ["report", "--plan", PLAN, "--units", UNITS, "--date", "2026-12-15"]
    written = tmp_path / "tonghop.md"
    assert plan57(*args, "-o", written).returncode == 0
    piped = plan57(*args, env=env_for(PYTHONIOENCODING=page))
    assert piped.returncode == 0, piped.stderr.decode("utf-8", "replace")
    assert piped.stdout == written.read_bytes()
    units = plan57("units", "--plan", PLAN, "--units", UNITS, env=env_for(PYTHONIOENCODING=page))
    assert units.returncode == 0 and "Đúng hạn" in units.stdout.decode("utf-8")


def _on_a_console(page: str, *args: Any) -> tuple[int, str]:
    """plan57 run on a terminal (a pseudo-terminal) whose code page is `page`."""
    pty = pytest.importorskip("pty")
    master, slave = pty.openpty()
    env = env_for(PYTHONIOENCODING=page, COLUMNS="160", TERM="dumb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "plan57", *[str(a) for a in args]], stdin=slave, stdout=slave, stderr=slave, env=env
    )
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 1 << 16)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    return proc.wait(timeout=120), out.decode(page)


@pytest.mark.parametrize("page", ["cp1258", "cp437"])
@pytest.mark.parametrize("command", [["validate"], ["units"], ["score"], ["validate", "nowhere/x.yaml"]])
def test_a_console_that_cannot_show_vietnamese_degrades_readably(page: str, command: list[str]) -> None:
    code, shown = _on_a_console(page, *command, "--plan", PLAN, "--units", UNITS)
    assert "Traceback" not in shown and "Error" not in shown, shown
    assert code in (0, 1, 2)
    if command == ["validate"]:
        assert code == 0
        word = {"cp1258": "Đã kiểm tra", "cp437": "Da kiêm tra"}[page]
        assert word in unicodedata.normalize("NFC", shown), shown


LETTERS = [
    unicodedata.normalize("NFC", base + tone)
    for base in "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY"
    for tone in ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
] + list("bcdđghklmnpqrstvxBCDĐGHKLMNPQRSTVX ,.")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=LETTERS))
def test_a_cp1258_console_shows_vietnamese_whole(text: str) -> None:
    """cp1258 has a few precomposed letters and the five tone marks: written as letter and mark."""
    shown = text.encode("cp1258", readable_errors("cp1258")).decode("cp1258")
    assert unicodedata.normalize("NFC", shown) == text


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_reaches_any_console(text: str) -> None:
    for page in ("cp1258", "cp437", "cp1252", "ascii"):
        shown = text.encode(page, readable_errors(page)).decode(page)
        assert len(shown) >= len(text) or not text  # every character stands for itself or a stand-in


def test_stand_ins_keep_what_the_code_page_has() -> None:
    assert readable("ệ", "cp437") == "ê"  # the circumflex cp437 has; the dot below it lacks
    assert readable("đ", "cp437") == "d" and readable("Ư", "cp437") == "U"
    assert readable("…", "cp437") == "..." and readable("“", "cp437") == '"' and readable("≥", "ascii") == ">="
    assert readable("\ud800", "cp437") == "?"


def test_paths_are_printed_as_typed() -> None:
    typed = r"C:\Users\an\forms\2026\xa-muong-la.yaml"
    proc = plan57("validate", typed, "--plan", PLAN)
    assert proc.returncode == 2
    assert f"'{typed}'" in proc.stderr.decode("utf-8")


# ---- --plan that is no plan (issue 28 item 11) -----------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
@pytest.mark.parametrize("command", ["validate", "report", "units"])
def test_a_named_pipe_or_device_as_plan_is_not_a_regular_file(tmp_path: Path, command: str) -> None:
    fifo = tmp_path / "plan.fifo"
    os.mkfifo(fifo)
    for given_plan in (fifo, Path(os.devnull)):
        proc = plan57(command, "--plan", given_plan, "--units", UNITS)
        err = proc.stderr.decode("utf-8")
        assert proc.returncode == 2, err
        assert err.strip().splitlines() == [
            f"plan57: '{given_plan}' không phải một tệp thường (một ống dẫn hay thiết bị), "
            "không phải tệp kế hoạch (--plan)"
        ]


@pytest.mark.parametrize("content", ["", "\n\n", "# chỉ có chú thích\n"])
def test_an_empty_plan_is_called_an_empty_plan(tmp_path: Path, content: str) -> None:
    empty = tmp_path / "plan.yaml"
    empty.write_text(content, encoding="utf-8")
    result = invoke("validate", "--plan", empty, "--units", UNITS)
    assert result.exit_code == 2
    assert "tệp kế hoạch rỗng" in result.output and "báo cáo" not in result.output.splitlines()[0]


# ---- two imports at once (issue 28 item 6) --------------------------------------------------------


@pytest.fixture(scope="module")
def filled_forms(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped 2025 reports as filled Excel forms (`new` pre-fills a form from the YAML)."""
    base = tmp_path_factory.mktemp("forms")
    units = base / "units"
    shutil.copytree(UNITS, units)
    proc = plan57("new", "--all", "--year", "2025", "--format", "xlsx", "--force", "--out", base / "forms",
                  "--plan", PLAN, "--units", units)  # fmt: skip
    assert proc.returncode == 0, proc.stderr.decode("utf-8")
    shipped = {p.stem for p in (UNITS / "2025").glob("*.yaml")}
    for form in (base / "forms").rglob("*.xlsx"):
        if form.stem not in shipped:
            form.unlink()
        else:
            _retouch(form)
    return base / "forms"


def _retouch(form: Path) -> None:
    """A form a unit sent back corrected: a form returned untouched is no report (SPEC §10)."""
    import datetime as dt

    import openpyxl

    wb = openpyxl.load_workbook(form)
    (sheet, ref), *_ = list(wb.defined_names["submitted"].destinations)
    cell = wb[sheet][ref.replace("$", "")]
    cell.value = (cell.value or dt.datetime(2025, 12, 2)) - dt.timedelta(days=1)
    wb.save(form)


def _forms(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.xlsx"))


def test_an_import_loses_nothing_to_a_file_written_meanwhile(
    tmp_path: Path, filled_forms: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other import writes a unit's file after this one has looked: without --force it is kept."""
    from plan57 import api

    units = tmp_path / "units"
    units.mkdir()
    theirs = units / "2025" / "xa-muong-la.yaml"
    real = api.existing_file

    def looked_then_written(folder: Path, year: int, unit: str) -> Path | None:
        found = real(folder, year, unit)
        if unit == "xa-muong-la":
            theirs.parent.mkdir(parents=True, exist_ok=True)
            theirs.write_text("# của lần nhập kia\n", encoding="utf-8")
        return found

    monkeypatch.setattr(api, "existing_file", looked_then_written)
    result = invoke("import", *_forms(filled_forms), "--plan", PLAN, "--units", units)
    assert theirs.read_text(encoding="utf-8") == "# của lần nhập kia\n"
    assert result.exit_code == 2, result.output
    assert "bỏ qua" in result.output and str(theirs) in result.output
    written = sorted(p.name for p in (units / "2025").iterdir() if p.name != "nhat-ky-nhan.csv")  # the receipt log
    assert written == sorted(f"{f.stem}.yaml" for f in _forms(filled_forms))


def test_two_imports_at_once_write_each_file_once(tmp_path: Path, filled_forms: Path) -> None:
    units = tmp_path / "units"
    units.mkdir()
    forms = _forms(filled_forms)
    argv = [sys.executable, "-m", "plan57", "import", *map(str, forms), "--plan", str(PLAN), "--units", str(units)]
    argv += ["--format", "json"]
    procs = [subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env_for()) for _ in range(2)]
    results = [p.communicate(timeout=300) for p in procs]
    said = [json.loads(out) for out, _ in results]
    written = [w for s in said for w in s["written"]]
    skipped = [w for s in said for w in s["skipped"]]
    assert sorted(written) == sorted({*written}), "a file was written by both imports"
    assert len(written) == len(forms) and len(written) + len(skipped) == 2 * len(forms)
    assert all(p.returncode in (0, 2) for p in procs), [e for _, e in results]
    names = sorted(p.name for p in (units / "2025").iterdir() if p.name != "nhat-ky-nhan.csv")  # the receipt log
    assert names == sorted(f"{f.stem}.yaml" for f in forms)


def test_import_with_force_still_replaces(tmp_path: Path, filled_forms: Path) -> None:
    units = tmp_path / "units"
    form = _forms(filled_forms)[0]
    target = units / "2025" / f"{form.stem}.yaml"
    target.parent.mkdir(parents=True)
    target.write_text("# cũ\n", encoding="utf-8")
    assert invoke("import", form, "--plan", PLAN, "--units", units).exit_code == 2
    assert target.read_text(encoding="utf-8") == "# cũ\n"
    assert invoke("import", form, "--plan", PLAN, "--units", units, "--force").exit_code == 0
    assert target.read_text(encoding="utf-8") != "# cũ\n"
