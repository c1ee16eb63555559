"""Exact rationals, shown the Vietnamese way (78,5%; 12.500)."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction


def decimal_string(value: Fraction | None) -> str | None:
    """Exact decimal where the fraction terminates, else rounded to 6 places (JSON)."""
    if value is None:
        return None
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    with localcontext() as ctx:
        ctx.prec = 60 + len(str(value.numerator))
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        if den == 1:
            text = format(exact.quantize(Decimal(1).scaleb(-max(twos, fives))), "f")
        else:
            text = format(exact.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def vn_int(n: int) -> str:
    """12500 → '12.500'."""
    sign = "-" if n < 0 else ""
    return sign + f"{abs(n):,}".replace(",", ".")


def percent(value: Fraction | None) -> str:
    """Rounded DOWN to one decimal, so 100% shows only when exactly met; 75% not 75,0%."""
    if value is None:
        return "—"
    tenths = math.floor(value * 1000)  # tenths of a percent
    whole, frac = divmod(tenths, 10)
    return f"{vn_int(whole)}%" if frac == 0 else f"{vn_int(whole)},{frac}%"
