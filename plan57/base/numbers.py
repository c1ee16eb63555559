"""Exact rationals, shown the Vietnamese way (78,5%; 12.500)."""

from __future__ import annotations

import math
from fractions import Fraction


def decimal_string(value: Fraction | None) -> str | None:
    """Exact decimal where the fraction terminates, else rounded half up to 6 places (JSON)."""
    if value is None:
        return None
    sign = "-" if value < 0 else ""
    num, den = abs(value.numerator), value.denominator
    rest, twos, fives = den, 0, 0
    while rest % 2 == 0:
        rest //= 2
        twos += 1
    while rest % 5 == 0:
        rest //= 5
        fives += 1
    if rest == 1:
        places = max(twos, fives)
        scaled = num * 10**places // den  # exact
    else:
        places = 6
        scaled = (2 * num * 10**places + den) // (2 * den)
    digits = str(scaled).rjust(places + 1, "0")
    whole, frac = digits[: len(digits) - places], digits[len(digits) - places :].rstrip("0")
    text = f"{whole}.{frac}" if frac else whole
    return "0" if text == "0" else sign + text


def vn_int(n: int) -> str:
    """12500 → '12.500'."""
    if 0 <= n < 1000:
        return str(n)
    sign = "-" if n < 0 else ""
    return sign + f"{abs(n):,}".replace(",", ".")


def percent(value: Fraction | None) -> str:
    """Rounded DOWN to one decimal, so 100% shows only when exactly met; 75% not 75,0%.
    The one rounding of every shown percentage, in every format (SPEC §5)."""
    if value is None:
        return "—"
    return _tenths(tenths(value))


def tenths(value: Fraction) -> int:
    """A share in tenths of a percent, rounded down: 0,9996 → 999 (99,9%), 0,8325 → 832."""
    return math.floor(value * 1000)


def percent_cell(value: Fraction) -> tuple[float, str]:
    """A share as a spreadsheet cell shows it: the number the report shows (rounded down to a
    tenth of a percent, so the cell never rounds it up) and the number format that shows it as
    the report does ("0%" for a whole percentage, "0.0%" else)."""
    t = tenths(value)
    return t / 1000, "0%" if t % 10 == 0 else "0.0%"


def percent_of_cell(number: float, number_format: str) -> str:
    """What a spreadsheet shows of a cell `percent_cell` made, in the report's words."""
    t = round(number * 1000)
    return _tenths(t - t % 10 if number_format == "0%" else t)


def percent_of(num: int, den: int) -> str:
    """percent(num/den) in integers alone (den > 0): the same text, without building a Fraction."""
    return _tenths(num * 1000 // den)


def _tenths(tenths: int) -> str:
    """Tenths of a percent as text: 785 → '78,5%', 750 → '75%'."""
    whole, frac = divmod(tenths, 10)
    return f"{vn_int(whole)}%" if frac == 0 else f"{vn_int(whole)},{frac}%"


def shown_int(n: int) -> str:
    """An integer as a message may quote it: a huge one (past what Python prints, or just
    unreadable) is described by its length, never written out whole."""
    if n.bit_length() <= 64:
        return str(n)
    digits = int(n.bit_length() * 0.30103) + 1
    return f"một số khoảng {vn_int(digits)} chữ số"
