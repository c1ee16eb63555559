"""The console entry point: exit codes, and the parser's usage errors in Vietnamese."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from plan57 import cli

from .conftest import PLAN, UNITS, submission, write


def run_main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["plan57", *args])
    with pytest.raises(SystemExit) as stop:
        cli.main()
    out, err = capsys.readouterr()
    return int(stop.value.code or 0), out, err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["score", "--year", "abc"], "giá trị không hợp lệ cho '--year': phải là một số nguyên"),
        (["score", "--yaer", "2025"], "không có tùy chọn --yaer (các tùy chọn gần giống: --date, --year)"),
        (["scor"], "không có lệnh 'scor'; có phải ý bạn là 'score'?"),
        (["score", "--year"], "tùy chọn '--year' cần một giá trị"),
        (["validate", "--max-size", "0"], "giá trị không hợp lệ cho '--max-size': phải ≥ 1"),
        (
            ["units", "--state", "zz"],
            "'zz' không phải một trong các giá trị 'dung-han', 'muon', 'loi', 'chua-gui', 'nhap'",
        ),
        (["new", "a", "b", "--year", "2026"], "thừa đối số: b"),
    ],
)
def test_usage_errors_in_vietnamese(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    code, out, err = run_main(monkeypatch, capsys, *args)
    assert code == 2, err
    assert err.startswith("plan57: sai cách dùng: ") and expected in err, err
    assert "Xem hướng dẫn: plan57" in err and "Traceback" not in err and out == ""


def test_exit_codes_through_main(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    plan,  # type: ignore[no-untyped-def]
) -> None:
    assert run_main(monkeypatch, capsys, "validate", "--plan", str(PLAN), "--units", str(UNITS))[0] == 0
    bad = submission(plan, "xa-muong-la", 2025)
    bad["staff"]["informed"] = 11
    write(tmp_path / "units", 2025, "xa-muong-la", bad)
    code, out, _ = run_main(monkeypatch, capsys, "validate", "--plan", str(PLAN), "--units", str(tmp_path / "units"))
    assert code == 1 and "lỗi:" in out
    code, out, _ = run_main(monkeypatch, capsys, "--help")
    assert code == 0 and "validate" in out
    code, _, err = run_main(monkeypatch, capsys, "score", "--year", "2031", "--plan", str(PLAN))
    assert code == 2 and "2025–2030" in err
