"""The command line as a Vietnamese reader meets it: help pages, tables that fit, completion."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Annotated, Any

import pytest
import typer
from hypothesis import example, given, settings
from hypothesis import strategies as st
from rich.console import Console
from typer.main import get_command
from typer.testing import CliRunner

from plan57.api import open_workspace, score, unit_states
from plan57.cli import app
from plan57.clihelp import VietGroup, chrome_words
from plan57.render.grid import Cell, Column, Grid, plain_lines, print_grid
from plan57.render.text import render_score, render_units

from .conftest import PLAN, REPO, UNITS

runner = CliRunner()
PYTHON_TYPES = re.compile(r"list\[|<\w|\bPath\b|\bstr\b|\bint\b|int range|x>=|x<=|\bbool\b|\bNoneType\b|\bEnum\b")
BOX = re.compile(r"[─━│┃┌┐└┘├┤┬┴┼╭╮╯╰═║]")


def help_of(*args: str, width: int = 80) -> str:
    result = runner.invoke(app, [*args, "--help"], env={"COLUMNS": str(width)}, prog_name="plan57")
    assert result.exit_code == 0, result.output
    return result.output


def command_names() -> list[str]:
    return list(get_command(app).commands)  # type: ignore[attr-defined]


def check_help_page(text: str, width: int = 80) -> None:
    assert not chrome_words(text), chrome_words(text)
    assert not PYTHON_TYPES.search(text), PYTHON_TYPES.search(text)
    assert "Cách dùng:" in text and "Tùy chọn:" in text
    assert all(len(line) <= width for line in text.splitlines()), text
    assert not re.search(r"[a-zà-ỹ]\.\.\.", text), text  # nothing cut short with an ellipsis


@pytest.mark.parametrize("command", ["", *["validate", "schema", "score", "report", "units", "new"]])
def test_every_help_page_is_vietnamese_at_80_columns(command: str) -> None:
    check_help_page(help_of(*([command] if command else [])))


def test_help_of_every_registered_command() -> None:
    """Commands added later are covered without being listed anywhere."""
    for name in command_names():
        check_help_page(help_of(name))


def test_root_summaries_whole() -> None:
    """Each command's summary appears whole in the root list (wrapped at spaces, never cut)."""
    text = help_of()
    listing = " ".join(text.split("Lệnh:")[1].split())
    for name, command in get_command(app).commands.items():  # type: ignore[attr-defined]
        summary = " ".join((command.help or "").split("\n\n")[0].split())
        assert f"{name} {summary}" in listing, (name, summary, listing)


def test_bare_plan57_shows_help_and_exits_0(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    from plan57 import cli

    monkeypatch.setattr(sys, "argv", ["plan57"])
    monkeypatch.setenv("COLUMNS", "80")
    with pytest.raises(SystemExit) as stop:
        cli.main()
    out, err = capsys.readouterr()
    assert stop.value.code == 0 and err == ""
    check_help_page(out)
    assert "Lệnh:" in out and "validate" in out


def test_a_later_command_gets_vietnamese_help() -> None:
    later = typer.Typer(cls=VietGroup, rich_markup_mode=None)

    @later.command()
    def first(
        files: Annotated[list[Path], typer.Argument(help="Các tệp.")],
        count: Annotated[int, typer.Option("--count", min=1, help="Số lần.")] = 3,
        name: Annotated[str, typer.Option("--name", help="Tên.")] = ...,
    ) -> None:
        """Lệnh thứ nhất."""

    @later.command()
    def second() -> None:
        """Lệnh thứ hai."""

    result = runner.invoke(later, ["first", "--help"], env={"COLUMNS": "80"}, prog_name="x")
    text = result.output
    assert result.exit_code == 0, text
    assert not chrome_words(text) and not PYTHON_TYPES.search(text), text
    assert "ĐƯỜNG_DẪN..." in text and "--count SỐ" in text and "mặc định: 3" in text
    assert "từ 1 trở lên" in text and "bắt buộc" in text


def test_state_accepts_vietnamese_values(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["units", "--units", str(UNITS), "--plan", str(PLAN), "--state", "dung-han", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    english = runner.invoke(
        app, ["units", "--units", str(UNITS), "--plan", str(PLAN), "--state", "on_time", "--format", "json"]
    )
    assert result.output == english.output and '"on_time"' in result.output


def test_show_completion_prints_a_script() -> None:
    result = runner.invoke(app, ["--show-completion", "bash"], prog_name="plan57", env={"SHELL": "/bin/bash"})
    assert result.exit_code == 0
    assert "_PLAN57_COMPLETE" in result.output and "complete" in result.output


def test_completion_offers_vietnamese_states(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    from plan57 import cli

    monkeypatch.setattr(sys, "argv", ["plan57"])
    monkeypatch.setenv("_PLAN57_COMPLETE", "complete_bash")
    monkeypatch.setenv("COMP_WORDS", "plan57 units --state n")
    monkeypatch.setenv("COMP_CWORD", "3")
    with pytest.raises(SystemExit) as stop:
        cli.main()
    assert stop.value.code == 0
    assert capsys.readouterr().out.split() == ["nhap"]


# ---- tables that fit ----------------------------------------------------------------------


def consoles() -> list[tuple[str, Console]]:
    made = [
        (f"{w} cột", Console(file=io.StringIO(), width=w, force_terminal=True, color_system=None, highlight=False))
        for w in (60, 80, 120)
    ]
    piped = Console(file=io.StringIO(), width=80, force_terminal=False, color_system=None, highlight=False)
    piped.soft_wrap = True
    return [*made, ("piped", piped)]


def whole_on_a_line(token: str, text: str) -> bool:
    pattern = re.compile(r"(?<![\w./-])" + re.escape(token) + r"(?![\w/-])")
    return any(pattern.search(line) for line in text.splitlines())


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Any:
    import os

    here = os.getcwd()
    os.chdir(REPO)  # files shown as data/units/2025/…, as an official sees them
    try:
        return open_workspace(PLAN, Path("data/units"), cache=False)
    finally:
        os.chdir(here)


def test_units_ids_and_paths_whole(workspace: Any) -> None:
    year, rows = unit_states(workspace, None)
    paths = [str(r["file"]) for r in rows if r["file"]]
    assert paths and any("/" in p for p in paths)
    for label, console in consoles():
        render_units(year, rows, console)
        out = console.file.getvalue()  # type: ignore[attr-defined]
        for r in rows:
            assert whole_on_a_line(str(r["id"]), out), (label, r["id"], out)
        for p in paths:
            assert whole_on_a_line(p, out), (label, p, out)
        if label == "piped":
            assert not BOX.search(out), out


def test_score_ids_whole(workspace: Any) -> None:
    result = score(workspace, None)
    for label, console in consoles():
        render_score(result, console)
        out = console.file.getvalue()  # type: ignore[attr-defined]
        for t in result.targets:
            assert whole_on_a_line(t.target.id, out), (label, t.target.id, out)
        for uid in result.reporting.missing:
            assert whole_on_a_line(uid, out), (label, uid)
        if label == "piped":
            assert not BOX.search(out), out
            rows = [line for line in out.splitlines() if line.startswith("2025.")]  # id … status, note
            assert rows and all(len(line.split("\t")) == 8 for line in rows), rows


def test_piped_units_cut_friendly() -> None:
    result = runner.invoke(app, ["units", "--units", str(UNITS), "--plan", str(PLAN)])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    header = lines[1].split("\t")
    assert header[0] == "Mã" and "Tệp" in header
    body = [line.split("\t") for line in lines[2:-1]]
    assert body and all(len(cells) == len(header) for cells in body)
    assert not BOX.search(result.output)


ATOM = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,4}(/[a-z0-9.-]{1,12}){0,3}", fullmatch=True)
WORD = st.from_regex(r"[A-Za-zÀ-ỹ,.()]{1,14}", fullmatch=True)
PROSE = st.lists(WORD, min_size=1, max_size=12).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(st.tuples(ATOM, PROSE, ATOM), min_size=1, max_size=6),
    width=st.integers(min_value=20, max_value=200),
    terminal=st.booleans(),
)
@example(rows=[("0", "A", "0"), ("0", "AAAAAAAAAAAAA\u112d", "0")], width=122, terminal=True)  # a wide letter
def test_grid_never_splits_an_atom_or_a_word(rows: list[tuple[str, str, str]], width: int, terminal: bool) -> None:
    grid = Grid("Bảng", [Column("Mã", "atom"), Column("Nội dung", "prose"), Column("Tệp", "atom")])
    for a, p, b in rows:
        grid.add(a, p, Cell(b))
    console = Console(file=io.StringIO(), width=width, force_terminal=terminal, color_system=None)
    console.soft_wrap = not terminal
    print_grid(grid, console)
    out = console.file.getvalue()  # type: ignore[attr-defined]
    tokens = {tok for line in out.splitlines() for tok in re.split(r"[\s—]+", line) if tok}
    for a, p, b in rows:
        assert whole_on_a_line(a, out) and whole_on_a_line(b, out), out
        for word in p.split():
            assert word in tokens, (word, out)
    if not terminal:
        assert out.splitlines() == plain_lines(grid)


# ---- signal over noise; a unit checks its own file anywhere ----------------------------------


def test_validate_groups_drafts_and_quiet_prints_errors_only(tmp_path: Path) -> None:
    units = tmp_path / "units"
    assert (
        runner.invoke(app, ["new", "--all", "--year", "2026", "--plan", str(PLAN), "--units", str(units)]).exit_code
        == 0
    )
    bad = units / "2026" / "so-khcn.yaml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("unit: so-khcn", "unit: so-khcm"), encoding="utf-8")
    result = runner.invoke(app, ["validate", "--plan", str(PLAN), "--units", str(units)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert sum("tệp là bản nháp" in line for line in lines) == 1, lines  # the 91 valid drafts on one line
    assert len(lines) <= 5, lines
    assert (
        "91 tệp là bản nháp" in result.stdout
        and f"plan57 units --state nhap --units {units} --year 2026" in result.stdout
    )
    assert lines[-1].startswith("Đã kiểm tra 92 tệp: 91 hợp lệ (trong đó 91 bản nháp chưa gửi, 0 đã gửi), 1 có lỗi;")
    quiet = runner.invoke(app, ["validate", "--plan", str(PLAN), "--units", str(units), "--quiet"])
    assert (
        quiet.exit_code == 1
        and quiet.stdout.splitlines()
        and all(": lỗi: " in line for line in quiet.stdout.splitlines())
    )
    drafts = runner.invoke(
        app, ["units", "--plan", str(PLAN), "--units", str(units), "--year", "2026", "--state", "nhap"]
    )
    assert drafts.stdout.count("Bản nháp") == 91, drafts.stdout
    # the schema sits inside the units folder, where each template's $schema line points
    assert (units / "submission.schema.json").is_file() and not (tmp_path / "submission.schema.json").exists()


def test_a_file_outside_a_year_folder_is_checked_against_its_own_year(tmp_path: Path) -> None:
    units = tmp_path / "units"
    assert (
        runner.invoke(
            app, ["new", "xa-muong-la", "--year", "2027", "--plan", str(PLAN), "--units", str(units)]
        ).exit_code
        == 0
    )
    downloads = tmp_path / "Downloads"
    downloads.mkdir()
    text = (units / "2027" / "xa-muong-la.yaml").read_text(encoding="utf-8")
    (downloads / "xa-muong-la.yaml").write_text(text, encoding="utf-8")
    ok = runner.invoke(app, ["validate", "--plan", str(PLAN), str(downloads / "xa-muong-la.yaml")])
    assert ok.exit_code == 0 and ": lỗi:" not in ok.stdout, ok.stdout
    (downloads / "xa-muong-lo.yaml").write_text(text, encoding="utf-8")
    renamed = runner.invoke(app, ["validate", "--plan", str(PLAN), str(downloads / "xa-muong-lo.yaml")])
    assert renamed.exit_code == 1 and "khác tên tệp 'xa-muong-lo.yaml'" in renamed.stdout, renamed.stdout
    assert "năm" not in renamed.stdout.split("lỗi:")[1].split("\n")[0][:5]


@pytest.mark.parametrize("command", ["validate", "score", "report", "units"])
def test_units_given_that_does_not_exist_is_a_usage_error(tmp_path: Path, command: str) -> None:
    result = runner.invoke(app, [command, "--plan", str(PLAN), "--units", str(tmp_path / "khong-co")])
    assert result.exit_code == 2 and "không có thư mục báo cáo" in result.output, result.output


def test_the_help_option_reads_the_same_in_every_run() -> None:
    """`-h, --help`, short name first, for every command, whatever the process's hash seed (click
    keeps the help option's names in a set)."""
    import os
    import subprocess
    import sys

    seen = set()
    for seed in ("0", "1", "2", "3", "4", "5"):
        for command in ([], ["validate"], ["score"], ["import"]):
            out = subprocess.run(
                [sys.executable, "-m", "plan57", *command, "--help"],
                capture_output=True,
                text=True,
                encoding="utf-8",
                env={**os.environ, "PYTHONHASHSEED": seed, "COLUMNS": "100"},
                check=True,
            ).stdout
            line = next(x for x in out.splitlines() if "Hiện hướng dẫn này" in x)
            seen.add(line.split("Hiện")[0].strip())
    assert seen == {"-h, --help"}
