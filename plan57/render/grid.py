"""Tables that fit the terminal, and plain text when the output goes to a pipe or a file.

A grid is columns and rows of plain text. Two kinds of column: an `atom` column (an id, a path,
a number) is never split; a `prose` column wraps at spaces only. On a terminal the grid is a
table when every atom fits whole beside the prose at its narrowest, else one block per row
(the first cell, then each other cell under its header). Piped, it is tab-separated lines with
a header line, ready for `grep` and `cut`.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Literal

from rich import box
from rich.cells import cell_len  # the columns a text takes on a terminal (a wide letter: two)
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

Kind = Literal["atom", "prose"]

GAP = 3  # columns between two table columns: one pad each side and the (blank) divider
PROSE_MIN = 12  # below this a prose column reads as a list of single words


@dataclass
class Column:
    header: str
    kind: Kind = "prose"
    justify: Literal["left", "right"] = "left"


@dataclass
class Cell:
    """A cell's text and an optional rich style (colour of a status)."""

    text: str
    style: str = ""


@dataclass
class Grid:
    title: str
    columns: list[Column]
    rows: list[list[Cell]] = field(default_factory=list)

    def add(self, *cells: str | Cell) -> None:
        self.rows.append([c if isinstance(c, Cell) else Cell(c) for c in cells])


def _lines(text: str) -> list[str]:
    return text.split("\n")


def atom_width(grid: Grid, i: int) -> int:
    """The width an atom column needs to show each of its lines whole."""
    header_words = max((cell_len(w) for w in grid.columns[i].header.split()), default=0)
    body = max((cell_len(line) for r in grid.rows for line in _lines(r[i].text)), default=0)
    return max(body, header_words)


def prose_width(grid: Grid, i: int) -> int:
    """The narrowest a prose column may be: its longest word, and not below PROSE_MIN."""
    words = [w for r in grid.rows for w in r[i].text.split()] + grid.columns[i].header.split()
    return max([PROSE_MIN, *(cell_len(w) for w in words)])


def min_table_width(grid: Grid) -> int:
    widths = [atom_width(grid, i) if c.kind == "atom" else prose_width(grid, i) for i, c in enumerate(grid.columns)]
    return sum(widths) + GAP * (len(widths) - 1)


def fits(grid: Grid, console: Console) -> bool:
    """True when the table, every atom whole and every prose column at its narrowest, fits the width."""
    return min_table_width(grid) <= console.width


def print_grid(grid: Grid, console: Console) -> None:
    if not console.is_terminal:
        print_plain(grid, console)
    elif fits(grid, console):
        console.print(as_table(grid, console.width))
    else:
        print_blocks(grid, console)


def plain_lines(grid: Grid) -> list[str]:
    """Tab-separated lines: the title, the header, one line per row; no cell holds a tab or a newline."""

    def flat(text: str) -> str:
        return " ".join(text.replace("\t", " ").split())

    lines = [grid.title] if grid.title else []
    lines.append("\t".join(flat(c.header) for c in grid.columns))
    lines.extend("\t".join(flat(c.text) or "—" for c in row) for row in grid.rows)
    return lines


def print_plain(grid: Grid, console: Console) -> None:
    console.file.write("".join(line + "\n" for line in plain_lines(grid)))  # tabs kept, not expanded


def _header_lines(header: str, width: int) -> str:
    """An atom column's header in lines of at most `width` (its words whole): the column does not
    wrap, so its header is wrapped here, else the header alone would widen it past `fits`."""
    return "\n".join(textwrap.wrap(header, width=max(width, 1), break_long_words=False, break_on_hyphens=False))


def column_widths(grid: Grid, width: int) -> list[int]:
    """Each column's width in a table of at most `width` columns (when `fits`): an atom column
    its atom width, a prose column at least its longest word, the rest shared among the prose
    columns by how much their text would take on one line. Decided here, not by rich, whose own
    sharing can come out a column or two wider than the terminal (and the terminal then cuts
    the last characters of a line)."""
    out = [atom_width(grid, i) if c.kind == "atom" else prose_width(grid, i) for i, c in enumerate(grid.columns)]
    prose = [i for i, c in enumerate(grid.columns) if c.kind == "prose"]
    natural = {
        i: max([cell_len(line) for r in grid.rows for line in _lines(r[i].text)] + [cell_len(grid.columns[i].header)])
        for i in prose
    }
    room = width - sum(out) - GAP * (len(out) - 1)
    while room > 0:
        wanting = [i for i in prose if out[i] < natural[i]]
        if not wanting:
            break
        total = sum(natural[i] - out[i] for i in wanting)
        given = 0
        for i in wanting:
            add = min(natural[i] - out[i], max(1, room * (natural[i] - out[i]) // total), room - given)
            out[i] += add
            given += add
            if given >= room:
                break
        room -= given
        if given == 0:
            break
    return out


def as_table(grid: Grid, width: int | None = None) -> Table:
    """The grid as a rich table; given the terminal's `width`, every column's width is fixed."""
    table = Table(title=grid.title or None, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    widths = column_widths(grid, width) if width is not None and fits_width(grid, width) else None
    for i, c in enumerate(grid.columns):
        fixed = widths[i] if widths is not None else None
        if c.kind == "atom":
            w = atom_width(grid, i)
            table.add_column(
                escape(_header_lines(c.header, fixed or w)), justify=c.justify, no_wrap=True, min_width=w, width=fixed
            )
        else:
            table.add_column(
                escape(c.header),
                justify=c.justify,
                ratio=None if fixed else 1,
                min_width=prose_width(grid, i),
                width=fixed,
                overflow="fold",
            )
    for row in grid.rows:
        table.add_row(*(Text(c.text, style=c.style) for c in row))
    return table


def fits_width(grid: Grid, width: int) -> bool:
    return min_table_width(grid) <= width


def print_blocks(grid: Grid, console: Console) -> None:
    """Two lines per row: its atoms whole on the first, its prose wrapped at spaces, indented, below."""
    atoms = [i for i, c in enumerate(grid.columns) if c.kind == "atom"]
    prose = [i for i, c in enumerate(grid.columns) if c.kind == "prose"]
    if grid.title:
        console.print(Text(grid.title, style="bold"), soft_wrap=True)
    widths = {i: max(atom_width(grid, i), cell_len(grid.columns[i].header)) for i in atoms}
    aligned = sum(widths.values()) + GAP * (len(atoms) - 1) <= console.width

    def pad(text: str, i: int) -> str:
        return text.ljust(widths[i]) if aligned and i != atoms[-1] else text

    legend = "  ".join(pad(grid.columns[i].header, i) for i in atoms)
    if prose:
        legend += "\n  " + " — ".join(grid.columns[i].header for i in prose)
    console.print(Text(legend, style="dim"), soft_wrap=True)
    for row in grid.rows:
        line = Text()
        for n, i in enumerate(atoms):  # ids and paths run on whole; the terminal may fold them, never we
            line.append("  " if n else "")
            line.append(pad(row[i].text.replace("\n", " "), i), style=row[i].style or ("bold" if n == 0 else ""))
        console.print(line, soft_wrap=True)
        text = " — ".join(" ".join(row[i].text.split()) for i in prose if row[i].text.strip() not in ("", "—"))
        for wrapped in textwrap.wrap(
            text,
            width=max(console.width, PROSE_MIN + 4),
            initial_indent="  ",
            subsequent_indent="  ",
            break_long_words=False,
            break_on_hyphens=False,
        ):
            console.print(wrapped, markup=False, highlight=False, soft_wrap=True)
