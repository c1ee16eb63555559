"""Finding the files of a units folder (issue 28 items 8 and 9): a link out of the folder is
refused unread, a name that is not UTF-8 is one located error, and every other unit is checked."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from plan57.cli import app

from .conftest import PLAN, submission, write

SECRET = "root:$6$BiMatTuyetDoi$abcdefghijklmnop:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n"


@pytest.fixture()
def units(tmp_path: Path, plan) -> Path:  # type: ignore[no-untyped-def]
    d = tmp_path / "units"
    for uid in ("xa-muong-la", "so-khcn", "bao-ptth-son-la"):
        write(d, 2025, uid, submission(plan, uid, 2025))
    broken = submission(plan, "phuong-to-hieu", 2025)
    broken["staff"]["informed"] = 99
    write(d, 2025, "phuong-to-hieu", broken)
    return d


def cli(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


def validate(units: Path, *extra: str) -> tuple[int, str, str]:
    return cli("validate", "--plan", PLAN, "--units", units, *extra)


def _others(out: str, name: str) -> list[str]:
    return [line for line in out.splitlines() if name not in line and not line.startswith("Đã kiểm tra")]


@pytest.mark.parametrize("cache", [True, False], ids=["cache", "no cache"])
def test_a_link_to_a_secret_file_is_refused_unread(units: Path, tmp_path: Path, cache: bool) -> None:
    extra = () if cache else ("--no-cache",)
    code, alone, _ = validate(units, *extra)
    secret = tmp_path / "shadow"
    secret.write_text(SECRET, encoding="utf-8")
    (units / "2025" / "xa-chieng-la.yaml").symlink_to(secret)
    for _ in range(2):  # and again, from the cache
        code, out, err = validate(units, *extra)
        assert code == 1
        said = [line for line in (out + err).splitlines() if "xa-chieng-la" in line]
        assert (
            len(said) == 1
            and "liên kết" in said[0]
            and said[0].startswith(f"{units / '2025' / 'xa-chieng-la.yaml'}:1:1: lỗi:")
        ), said
        assert "BiMat" not in out + err and "daemon" not in out + err and "19000" not in out + err
        assert _others(out, "xa-chieng-la") == _others(alone, "xa-chieng-la")
    for command in (["score", "--year", "2025", "--format", "json"], ["report", "--year", "2025"]):
        code, out, err = cli(*command, "--plan", PLAN, "--units", units, *extra)
        assert code == 0 and "BiMat" not in out + err and "daemon" not in out + err


def test_a_link_to_a_folder_outside_is_refused(units: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere" / "2024"
    elsewhere.mkdir(parents=True)
    (elsewhere / "x.yaml").write_text(SECRET, encoding="utf-8")
    (units / "2024").symlink_to(elsewhere, target_is_directory=True)
    code, out, err = validate(units)
    assert code == 1 and "BiMat" not in out + err
    assert [line for line in out.splitlines() if "2024" in line and "liên kết" in line]


def test_a_link_within_the_folder_is_read(units: Path, plan) -> None:  # type: ignore[no-untyped-def]
    spare = units / "kho" / "xa-chieng-la.yaml"  # a folder of spares: not a year (an error, as before)
    spare.parent.mkdir()
    spare.write_text(
        (units / "2025" / "xa-muong-la.yaml").read_text(encoding="utf-8").replace("xa-muong-la", "xa-chieng-la"),
        encoding="utf-8",
    )
    (units / "2025" / "xa-chieng-la.yaml").symlink_to(spare)
    code, out, _ = validate(units)
    assert "liên kết" not in out and "Đã kiểm tra 6 tệp" in out, out
    assert [line for line in out.splitlines() if line.startswith(str(units / "2025" / "xa-chieng-la"))] == []


def _undecodable(folder: Path, name: bytes, content: bytes) -> Path:
    try:
        with open(os.path.join(os.fsencode(folder), name), "wb") as fh:
            fh.write(content)
    except (OSError, UnicodeError):
        pytest.skip("this file system takes only valid names")
    return folder


@pytest.mark.parametrize("cache", [True, False], ids=["cache", "no cache"])
def test_a_name_that_is_not_utf8_is_one_error_and_the_rest_is_checked(units: Path, cache: bool) -> None:
    extra = () if cache else ("--no-cache",)
    _, alone, _ = validate(units, *extra)
    content = (units / "2025" / "so-khcn.yaml").read_bytes()
    _undecodable(units / "2025", b"x\xe3-m\xf9\xf5ng-la.yaml", content)  # a name in Windows-1258
    for _ in range(2):
        code, out, err = validate(units, *extra)
        assert code == 1 and "Traceback" not in out + err and "lỗi không mong đợi" not in err
        said = [line for line in out.splitlines() if "\\udc" in line or "UTF-8" in line]
        assert len(said) == 1 and ":1:1: lỗi: tên tệp" in said[0] and "UTF-8" in said[0], out
        assert _others(out, "UTF-8") == _others(alone, "UTF-8")
    code, out, _ = cli("validate", "--plan", PLAN, "--units", units, "--format", "json", *extra)
    assert code == 1 and "name-encoding" in out
    for command in (["score", "--year", "2025"], ["report", "--year", "2025"]):
        code, out, err = cli(*command, "--plan", PLAN, "--units", units, *extra)
        assert code == 0 and out and "lỗi không mong đợi" not in err, err


def test_a_folder_name_that_is_not_utf8_is_one_error(units: Path) -> None:
    bad = os.path.join(os.fsencode(units), b"n\xe3m-c\xf5")
    try:
        os.mkdir(bad)
    except (OSError, UnicodeError):
        pytest.skip("this file system takes only valid names")
    with open(os.path.join(bad, b"a.yaml"), "wb") as fh:
        fh.write(b"unit: a\n")
    code, out, err = validate(units)
    assert code == 1 and len([line for line in out.splitlines() if "UTF-8" in line]) == 1, out
