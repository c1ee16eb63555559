"""Terminal tables (render/grid.py): at any width from 40 to 220 columns no cell text is ever cut:
every word of every cell is printed whole, no line is wider than the terminal, and an atom (an
id, a path, a figure) is never split across lines."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from plan57.api import open_workspace, score
from plan57.render.grid import Cell, Column, Grid, fits_width, print_grid
from plan57.render.text import targets_grid, tasks_grid, unit_grid, units_grid
from plan57.scoring.score import YearResult
from tests.conftest import PLAN, UNITS

WIDTHS = range(40, 221)


def printed(grid: Grid, width: int) -> str:
    buf = io.StringIO()
    console = Console(file=buf, width=width, force_terminal=True, color_system=None, legacy_windows=False)
    print_grid(grid, console)
    return buf.getvalue()


def check_whole(grid: Grid, width: int) -> None:
    out = printed(grid, width)
    lines = out.splitlines()
    if fits_width(grid, width):  # a table: no line wider than the terminal, which would cut it
        assert all(len(line) <= width for line in lines), (width, max(len(line) for line in lines))
    # else one block per row, its atoms run on whole: the terminal folds such a line, never cuts it
    words = set(out.split())
    for row in grid.rows:
        for col, cell in zip(grid.columns, row):
            for word in cell.text.split():
                assert word in words, (width, col.header, word)
            if col.kind == "atom":
                for line in cell.text.split("\n"):  # an atom's line is on one line of the terminal
                    assert line.strip() in out, (width, col.header, line)


@pytest.fixture(scope="module")
def shipped() -> YearResult:
    return score(open_workspace(PLAN, UNITS, cache=False), 2026)


def test_score_tables_are_never_cut_at_any_width(shipped: YearResult) -> None:
    grids = [targets_grid(shipped), tasks_grid(shipped), unit_grid(shipped, "xa-muong-la")]
    for width in WIDTHS:
        for grid in grids:
            check_whole(grid, width)


def test_units_table_with_long_paths_is_never_cut() -> None:
    rows: list[dict[str, object]] = [
        {
            "id": f"xa-muong-{i}",
            "name": f"Xã Mường {i}",
            "kind": "xa",
            "state": "on_time",
            "file": f"C:\\Users\\van-thu\\Documents\\bao-cao-nq57\\data\\units\\2026\\xa-muong-{i}.yaml",
        }
        for i in range(3)
    ]
    grid = units_grid(2026, rows)
    for width in WIDTHS:
        check_whole(grid, width)


_word = st.text(alphabet="abcdđêơư0123456789%,./-()", min_size=1, max_size=18)
_cell = st.lists(_word, min_size=0, max_size=6).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(
    kinds=st.lists(st.sampled_from(["atom", "prose"]), min_size=1, max_size=7),
    data=st.data(),
    width=st.integers(min_value=40, max_value=220),
)
def test_any_grid_is_never_cut(kinds: list[str], data: st.DataObject, width: int) -> None:
    columns = [Column(f"Cột {i} {k}", k) for i, k in enumerate(kinds)]  # type: ignore[arg-type]
    grid = Grid("Bảng", columns)
    for _ in range(data.draw(st.integers(min_value=1, max_value=4))):
        grid.add(*(Cell(data.draw(_cell)) for _ in kinds))
    check_whole(grid, width)
