"""How each target was computed, in words: the formula with its numbers and the units that counted.

Plain text lines, shared by `score --explain` (text) and `score --explain --format json`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from plan57.base.numbers import percent, vn_int
from plan57.scoring.score import Contribution, TargetResult, YearResult


@dataclass
class Explanation:
    formula: str  # the measure with its numbers, one line
    lines: list[str] = field(default_factory=list)  # every line, the formula among them, in order


def _threshold(t: TargetResult) -> str:
    return "điều kiện" if t.threshold is None else percent(t.threshold)


def _value(t: TargetResult) -> str:
    if t.value is None:
        return "—"
    if isinstance(t.value, bool):
        return "Có" if t.value else "Không"
    return f"{percent(t.value)} ({vn_int(t.numerator or 0)}/{vn_int(t.denominator or 0)})"


def sum_text(paths: list[str]) -> str:
    """A sum of fields, '-' marking a subtraction: 'science_tasks.total − science_tasks.secret'."""
    out = ""
    for i, p in enumerate(paths):
        minus = p.startswith("-")
        name = p.lstrip("-")
        out += (("− " if minus else "") + name) if i == 0 else ((" − " if minus else " + ") + name)
    return out


COUNTED = "Các đơn vị được tính: "
GROUP = "Σ nhóm "
PARTIAL = "Báo cáo thiếu (cộng vào Σ, không tính vào độ phủ): "


def _own_sum(values: dict[str, int | None]) -> int:
    return sum(v for v in values.values() if v is not None)


def _reported(t: TargetResult) -> tuple[list[Contribution], list[Contribution]]:
    """The units that reported every field of the group (those the coverage counts) and those
    that reported only some of them (their values still add to the sums)."""
    complete, partial = [], []
    for c in t.contributions:
        if not isinstance(c.value, dict):
            continue
        values = list(c.value.values())
        if all(v is not None for v in values):
            complete.append(c)
        elif any(v is not None for v in values):
            partial.append(c)
    return complete, partial


def explain(result: YearResult, t: TargetResult) -> Explanation:
    tg = t.target
    fraction = t.value if isinstance(t.value, Fraction) else None
    lines = [f"Áp dụng cho {len(t.expected)} đơn vị."]
    if t.judged_year != result.year:
        lines.append(
            f"Chỉ tiêu đến hạn năm {t.judged_year}: đánh giá theo số liệu năm {t.judged_year} (các số dưới đây); "
            f"số liệu năm {result.year} chỉ để tham khảo."
        )
    if tg.measure == "share":
        met = [c.unit for c in t.contributions if c.met]
        formula = (
            f"Tỷ lệ đơn vị đạt '{tg.field}'"
            + (f" ≥ {tg.at_least}" if tg.at_least is not None else "")
            + f" = {len(met)}/{len(t.expected)} = {percent(fraction)}; ngưỡng {_threshold(t)}."
        )
        lines.append(formula)
        not_met = [c.unit for c in t.contributions if not c.met]
        if not_met:
            lines.append("Chưa đạt: " + ", ".join(not_met))
    elif tg.measure == "ratio":
        used = [c for c in t.contributions if c.numerator is not None]
        formula = (
            f"Σ({sum_text(tg.numerator)}) / Σ({sum_text(tg.denominator)}) = "
            f"{vn_int(t.numerator or 0)}/{vn_int(t.denominator or 0)} = {percent(fraction)}"
            f"; ngưỡng {_threshold(t)}; độ phủ {len(used)}/{len(t.expected)}."
        )
        lines.append(formula)
        terms = " + ".join(f"{c.unit} {vn_int(c.numerator or 0)}/{vn_int(c.denominator or 0)}" for c in used)
        if terms:
            lines.append(f"Các đơn vị được tính: {terms}")
        if t.required is not None:
            lines.append(
                f"Mốc cơ sở năm {t.baseline_year}; giá trị cần đạt năm {result.year} theo lộ trình: "
                f"{percent(t.required)}."
            )
    elif tg.measure == "sum_at_least":
        complete, partial = _reported(t)
        reached = "Có" if t.value is True else ("Không" if t.value is False else "—")
        formula = (
            f"Σ({' + '.join(tg.fields)}) = {vn_int(t.numerator or 0)} ≥ {vn_int(tg.at_least or 0)}: {reached}"
            f"; độ phủ {len(complete)}/{len(t.expected)}."
        )
        lines.append(formula)
        terms = " + ".join(f"{c.unit} {vn_int(_own_sum(c.value))}" for c in complete)
        if terms:
            lines.append(f"{COUNTED}{terms}")
        if partial:
            lines.append(PARTIAL + " + ".join(f"{c.unit} {vn_int(_own_sum(c.value))}" for c in partial))
    elif tg.measure == "totals_at_least":
        complete, partial = _reported(t)
        least = tg.at_least or 1
        formula = (
            f"Mỗi nhóm {', '.join(tg.fields)} có Σ ≥ {vn_int(least)}: {_value(t)}"
            f"; độ phủ {len(complete)}/{len(t.expected)}."
        )
        lines.append(formula)
        for name in tg.fields:
            have = [(c.unit, c.value[name]) for c in [*complete, *partial] if c.value.get(name) is not None]
            total = sum(v for _, v in have)
            verdict = "đạt" if total >= least else "chưa đạt"
            units = " + ".join(f"{u} {vn_int(v)}" for u, v in have) or "không đơn vị nào báo cáo"
            lines.append(f"{GROUP}{name} = {vn_int(total)} ({verdict}): {units}")
        if complete:
            lines.append(COUNTED + ", ".join(c.unit for c in complete))
        if partial:
            lines.append(PARTIAL + ", ".join(c.unit for c in partial))
    else:
        formula = f"Điều kiện trên {', '.join(tg.fields or [tg.field or ''])}: {_value(t)}."
        lines.append(formula)
        if t.contributions:
            lines.append("Đơn vị có số liệu: " + ", ".join(c.unit for c in t.contributions))
    return Explanation(formula, lines)
