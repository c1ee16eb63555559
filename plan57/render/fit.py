"""How wide a text is set in Times New Roman, and how a Word table's columns fit a page (SPEC §8).

A cell's text breaks only at spaces and at the line breaks the report puts in it: a number, a
percentage, a date or an id is one piece, which must fit its column whole, else Word and
LibreOffice break it in the middle ("83,|2%"). `layout` gives each column the width of its widest
piece, shares what the page leaves among the columns of running text, and says whether the table
fits a portrait page, needs a landscape one, or must be split into tables that each fit one.

The widths are Times New Roman's (Liberation Serif, which LibreOffice uses in its place, has the
same metrics), in thousandths of an em, for the characters a figure or an id is made of; any
other character counts as wide as the widest letter of its kind, so an estimate errs wide.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

# Times-Roman advance widths (1/1000 em)
_ROMAN = dict(
    zip(
        " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~",
        (
            250,
            333,
            408,
            500,
            500,
            833,
            778,
            180,
            333,
            333,
            500,
            564,
            250,
            333,
            250,
            278,
            500,
            500,
            500,
            500,
            500,
            500,
            500,
            500,
            500,
            500,
            278,
            278,
            564,
            564,
            564,
            444,
            921,
            722,
            667,
            667,
            722,
            611,
            556,
            722,
            722,
            333,
            389,
            722,
            611,
            889,
            722,
            722,
            556,
            722,
            667,
            556,
            611,
            722,
            722,
            944,
            722,
            722,
            611,
            333,
            278,
            333,
            469,
            500,
            333,
            444,
            500,
            444,
            500,
            444,
            333,
            500,
            500,
            278,
            278,
            500,
            278,
            778,
            500,
            500,
            500,
            500,
            333,
            389,
            278,
            500,
            500,
            722,
            500,
            500,
            444,
            480,
            200,
            480,
            541,
        ),  # fmt: skip
        strict=True,
    )
)
_OTHER = {"—": 1000, "–": 500, "…": 1000, "\u2011": 333, "\u00a0": 250, "“": 444, "”": 444}
BOLD = 1.1  # Times-Bold is at most a tenth wider than Times-Roman in these characters
MM_PER_PT = 25.4 / 72
HEADER_LINES = 3


def _width(ch: str) -> int:
    w = _ROMAN.get(ch) or _OTHER.get(ch)
    if w is not None:
        return w
    base = unicodedata.normalize("NFD", ch)[:1]  # a Vietnamese letter is as wide as its base letter
    if base == "Đ":
        base = "D"
    elif base == "đ":
        base = "d"
    return _ROMAN.get(base) or (944 if ch.isupper() else 778)


def text_mm(text: str, size: float, bold: bool = False) -> float:
    """The width of `text` on one line, in mm, at `size` pt."""
    em = sum(_width(ch) for ch in text) / 1000
    return em * size * MM_PER_PT * (BOLD if bold else 1.0)


def pieces(text: str) -> list[str]:
    """What a line breaker may not cut: the text's words, between spaces and line breaks."""
    return text.split()


def widest_piece_mm(text: str, size: float, bold: bool = False) -> float:
    return max((text_mm(p, size, bold) for p in pieces(text)), default=0.0)


@dataclass(frozen=True)
class Need:
    """What a column needs: its narrowest (its widest piece) and how much of its text runs on
    (its body's longest line, for sharing the rest of the page among the running-text columns)."""

    least: float  # mm
    longest: float  # mm
    prose: bool


def need(header: str, cells: Sequence[str], size: float, margin: float, prose: bool) -> Need:
    """A column's need, from its header (bold) and its cells (lines split at "\\n")."""
    least = widest_piece_mm(header, size, bold=True)
    # the header wraps at its spaces: the room a column wants is its body's, or a third of its
    # header's (a heading on three lines at most, so that the repeated header row stays short)
    longest = text_mm(header, size, bold=True) / HEADER_LINES
    for cell in cells:
        for line in cell.split("\n"):
            least = max(least, widest_piece_mm(line, size))
            longest = max(longest, text_mm(line, size))
    slack = 1.04  # an estimate's error, and the renderer's own rounding
    return Need(least * slack + 2 * margin + 0.5, longest * slack + 2 * margin + 0.5, prose)


def widths(needs: Sequence[Need], page: float) -> list[float] | None:
    """Column widths filling `page` mm, each at least its need; None when they cannot fit.
    The room left goes to running-text columns, in proportion to what they would take on one
    line; a column of figures gets no more than its longest line."""
    least = [n.least for n in needs]
    if sum(least) > page:
        return None
    out = list(least)
    room = page - sum(out)
    # first, figure columns up to their longest line (a header on one line), as room allows
    for i, n in enumerate(needs):
        if not n.prose and room > 0:
            add = min(room, max(n.longest - out[i], 0.0))
            out[i] += add
            room -= add
    prose = [i for i, n in enumerate(needs) if n.prose]
    if not prose:
        prose = list(range(len(needs)))
    while room > 0.01 and prose:
        wants = {i: max(needs[i].longest - out[i], 0.0) for i in prose}
        total = sum(wants.values())
        if total <= 0.01:
            for i in prose:
                out[i] += room / len(prose)
            break
        given = 0.0
        for i in prose:
            add = min(wants[i], room * wants[i] / total)
            out[i] += add
            given += add
        room -= given
        prose = [i for i in prose if needs[i].longest - out[i] > 0.01]
        if not prose:
            extra = [i for i, n in enumerate(needs) if n.prose] or list(range(len(needs)))
            for i in extra:
                out[i] += room / len(extra)
            break
    return out


def split(needs: Sequence[Need], keep: int, page: float) -> list[list[int]]:
    """Columns in groups that each fit `page` mm with the first `keep` columns repeated in each
    (the row's number and name), in their order; a column wider than a page alone has its own."""
    groups: list[list[int]] = []
    head = list(range(keep))
    current: list[int] = []
    for i in range(keep, len(needs)):
        trial = head + current + [i]
        if current and sum(needs[j].least for j in trial) > page:
            groups.append(head + current)
            current = []
        current.append(i)
    if current or not groups:
        groups.append(head + current)
    return groups
