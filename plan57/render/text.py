"""Terminal rendering of scores with rich, in Vietnamese."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from plan57.base.numbers import percent, vn_int
from plan57.model.plan import KIND_LABEL
from plan57.render.grid import Cell, Column, Grid, print_grid
from plan57.scoring.score import STATE_LABEL, Point, TargetResult, YearResult, get

# A unit's state in `units`: the scoring states, and a draft (a file without a sending date),
# which counts as not sent.
UNIT_STATE_LABEL = {**STATE_LABEL, "draft": "Bản nháp"}
UNIT_STATE_STYLE = {"on_time": "green", "late": "yellow", "invalid": "red", "missing": "", "draft": "cyan"}

STATUS_STYLE = {
    "met": "green",
    "not_met": "red",
    "off_track": "red",
    "on_track": "green",
    "baseline": "cyan",
    "not_due": "dim",
    "insufficient_data": "yellow",
}


def value_text(t: TargetResult | Point) -> str:
    if t.value is None:
        return "—"
    if isinstance(t.value, bool):
        return "Có" if t.value else "Không"
    return f"{percent(t.value)} ({vn_int(t.numerator or 0)}/{vn_int(t.denominator or 0)})"


def short_value(p: TargetResult | Point) -> str:
    """A figure without its sums, for notes and the trend line."""
    if p.value is None:
        return "—"
    if isinstance(p.value, bool):
        return "Có" if p.value else "Không"
    return percent(p.value)


def threshold_text(t: TargetResult) -> str:
    return "điều kiện" if t.threshold is None else percent(t.threshold)


def _status(status: str, label: str) -> str:
    return f"[{STATUS_STYLE.get(status, '')}]{label}[/]"


def render_score(result: YearResult, console: Console) -> None:
    r = result.reporting
    console.print(
        f"[bold]Kết quả thực hiện Kế hoạch ban hành kèm theo Quyết định số {result.plan.plan.number} — năm {result.year}[/]"
    )
    console.print(
        f"Đơn vị phải báo cáo: {len(r.expected)}; đã gửi hợp lệ: {len(r.submitted)} "
        f"(đúng hạn {len(r.on_time)}, gửi muộn {len(r.late)}); chưa gửi: {len(r.missing)}; tệp lỗi: {len(r.invalid)}. "
        f"Hạn gửi: trước ngày {r.deadline.strftime('%d/%m/%Y')}.",
        highlight=False,
    )
    for label, ids in (
        (STATE_LABEL["late"], r.late),
        (STATE_LABEL["invalid"], r.invalid),
        (STATE_LABEL["missing"], r.missing),
    ):
        if ids:
            console.print(f"{label} ({len(ids)}): " + escape(", ".join(ids)), highlight=False, soft_wrap=False)
    if r.invalid_files:
        console.print("Tệp có lỗi, không được tính: " + escape(", ".join(r.invalid_files)), highlight=False)
    print_grid(targets_grid(result), console)
    trend = trend_lines(result)
    if trend:
        console.print("[bold]Diễn biến qua các năm có báo cáo[/] (giá trị; độ phủ khi dưới 100%)", highlight=False)
        for line in trend:
            console.print(escape(line), highlight=False)
        console.print()
    print_grid(tasks_grid(result), console)
    b = result.budget
    if b.units:
        kinds = "; ".join(f"{KIND_LABEL[k]} {vn_int(p.total)} ({p.units} đơn vị)" for k, p in b.by_kind.items())
        console.print(
            f"Kinh phí đã chi (mục V): {vn_int(b.total)} đồng, {b.units} đơn vị ghi kinh phí — {kinds}.",
            highlight=False,
        )


def trend_lines(result: YearResult) -> list[str]:
    """Each target's values over the years with submissions: '2025.can-bo: 2025 93,9% → 2026 96,8%'."""
    out = []
    for t in result.targets:
        if len(t.history) < 2:
            continue
        steps = []
        for p in t.history:
            cover = f" (phủ {percent(p.coverage)})" if p.coverage is not None and p.coverage < 1 else ""
            steps.append(f"{p.year} {short_value(p)}{cover}")
        out.append(f"  {t.target.id}: " + " → ".join(steps))
    return out


def target_note(t: TargetResult, year: int) -> str:
    """The verdict's own year when it is earlier, and last year's figure."""
    notes = []
    if t.judged_year < year:  # a milestone keeps the verdict of its year
        notes.append(f"đánh giá theo số liệu năm {t.judged_year}: {short_value(t)}")
    if t.previous is not None and t.previous.year != t.judged_year:
        notes.append(f"năm {t.previous.year}: {short_value(t.previous)}")
    return "; ".join(notes) or "—"


def targets_grid(result: YearResult) -> Grid:
    grid = Grid(
        "Các chỉ tiêu cụ thể (mục II.2)",
        [
            Column("Mã chỉ tiêu", "atom"),
            Column("Nội dung", "prose"),
            Column("Ngưỡng", "atom", "right"),
            Column(f"Năm {result.year}", "prose", "right"),
            Column("Độ phủ", "atom", "right"),
            Column("Cần đạt", "atom", "right"),
            Column("Trạng thái", "atom"),
            Column("Ghi chú", "prose"),
        ],
    )
    for t in result.targets:
        now: TargetResult | Point = t.current if t.current is not None else t
        grid.add(
            t.target.id,
            t.target.label,
            threshold_text(t),
            value_text(now),
            percent(now.coverage) if now.coverage is not None else "—",
            percent(t.required) if t.required is not None else "—",
            Cell(t.status_label, STATUS_STYLE.get(t.status, "")),
            target_note(t, result.year),
        )
    return grid


def tasks_grid(result: YearResult) -> Grid:
    grid = Grid(
        "Các nhiệm vụ (mục III)",
        [
            Column("Mã", "atom"),
            Column("Cơ quan chủ trì", "prose"),
            Column("Đã làm", "atom", "right"),
            Column("Hoạt động", "atom", "right"),
            Column("Trạng thái", "atom"),
        ],
    )
    for t in result.tasks:
        grid.add(
            t.task.id,
            t.task.lead_text,
            f"{len(t.leads_done)}/{len(t.leads_expected)}",
            vn_int(t.activities),
            Cell(t.status_label, STATUS_STYLE.get(t.status, "")),
        )
    return grid


def render_explain(result: YearResult, console: Console) -> None:
    """For each target: the units that counted and the formula with its numbers."""
    for t in result.targets:
        tg = t.target
        console.print(
            f"\n[bold]{escape(tg.id)}[/] — {escape(tg.label)}: {_status(t.status, t.status_label)}", highlight=False
        )
        console.print(f"  Áp dụng cho {len(t.expected)} đơn vị.", highlight=False)
        if t.judged_year != result.year:
            console.print(
                f"  Chỉ tiêu đến hạn năm {t.judged_year}: đánh giá theo số liệu năm {t.judged_year} (các số dưới đây); "
                f"số liệu năm {result.year} chỉ để tham khảo.",
                highlight=False,
            )
        if tg.measure == "share":
            met = [c.unit for c in t.contributions if c.met]
            console.print(
                f"  Tỷ lệ đơn vị đạt '{tg.field}'"
                + (f" ≥ {tg.at_least}" if tg.at_least is not None else "")
                + f" = {len(met)}/{len(t.expected)} = {percent(t.value if isinstance(t.value, Fraction) else None)}"
                + f"; ngưỡng {threshold_text(t)}.",
                highlight=False,
            )
            not_met = [c.unit for c in t.contributions if not c.met]
            if not_met:
                console.print("  Chưa đạt: " + escape(", ".join(not_met)), highlight=False)
        elif tg.measure == "ratio":
            used = [c for c in t.contributions if c.numerator is not None]
            terms = " + ".join(f"{c.unit} {vn_int(c.numerator or 0)}/{vn_int(c.denominator or 0)}" for c in used)
            console.print(
                f"  Σ {' + '.join(tg.numerator)} / Σ({' '.join(_signed(tg.denominator))}) = "
                f"{vn_int(t.numerator or 0)}/{vn_int(t.denominator or 0)} = {percent(t.value if isinstance(t.value, Fraction) else None)}"
                f"; ngưỡng {threshold_text(t)}; độ phủ {len(used)}/{len(t.expected)}.",
                highlight=False,
            )
            if terms:
                console.print(f"  Các đơn vị được tính: {escape(terms)}", highlight=False)
            if t.required is not None:
                console.print(
                    f"  Mốc cơ sở năm {t.baseline_year}; giá trị cần đạt năm {result.year} theo lộ trình: "
                    f"{percent(t.required)}.",
                    highlight=False,
                )
        else:
            console.print(
                f"  Điều kiện trên {escape(', '.join(tg.fields or [tg.field or '']))}: {value_text(t)}.",
                highlight=False,
            )
            if t.contributions:
                console.print(
                    "  Đơn vị có số liệu: " + escape(", ".join(c.unit for c in t.contributions)), highlight=False
                )


def _signed(paths: list[str]) -> list[str]:
    return [("− " + p[1:]) if p.startswith("-") else p for p in paths]


def render_unit(result: YearResult, unit_id: str, console: Console) -> None:
    """One unit's scorecard: each target and task that applies to it, met or not, and why."""
    plan = result.plan
    unit = plan.unit_index[unit_id]
    row = next(r for r in result.rows if r.unit.id == unit_id)
    console.print(
        f"[bold]{escape(unit.name)}[/] ({escape(unit.id)}) — năm {result.year}: {STATE_LABEL[row.state]}",
        highlight=False,
    )
    if row.submitted:
        console.print(f"Ngày gửi báo cáo: {row.submitted.strftime('%d/%m/%Y')}", highlight=False)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("Mục", overflow="fold", min_width=8)
    table.add_column("Nội dung", ratio=2, overflow="fold")
    table.add_column("Số liệu của đơn vị", ratio=3, overflow="fold")
    table.add_column("Đánh giá", ratio=2, overflow="fold", min_width=12)
    for t in result.targets:
        if unit_id not in t.expected:
            continue
        c = next((c for c in t.contributions if c.unit == unit_id), None)
        figures, verdict = _unit_figures(t, c, row.state, result.records.get(unit_id))
        table.add_row(escape(t.target.id), escape(t.target.label), escape(figures), verdict)
    for task in result.tasks:
        if unit_id in task.leads_expected:
            done = unit_id in task.leads_done
            table.add_row(
                f"NV {task.task.id}",
                "Chủ trì nhiệm vụ",
                "đã báo cáo hoạt động" if done else "chưa có hoạt động hoặc sự kiện",
                "[green]Đã thực hiện[/]" if done else "[red]Chưa thực hiện[/]",
            )
    console.print(table)


def _unit_figures(t: TargetResult, c: Any, state: str, record: dict[str, Any] | None) -> tuple[str, str]:
    """The unit's own figures for one target, and a verdict that says why."""
    if state in ("missing", "invalid"):
        return f"không có số liệu ({STATE_LABEL[state].lower()})", "[red]Chưa đạt[/]"
    tg = t.target
    if tg.measure == "share":
        value = get(record, tg.field or "")
        shown = (
            "chưa khai báo"
            if value is None
            else ("true" if value is True else "false" if value is False else str(value))
        )
        need = "true" if tg.at_least is None else f"≥ {tg.at_least}"
        return f"{tg.field} = {shown} (cần {need})", ("[green]Đạt[/]" if c and c.met else "[red]Chưa đạt[/]")
    if tg.measure == "ratio":
        if c is None or c.numerator is None:
            return "chưa khai báo khối số liệu", "[yellow]Thiếu số liệu[/]"
        if not c.denominator:
            return f"{vn_int(c.numerator)}/0", "[yellow]Thiếu số liệu[/]"
        ratio = Fraction(c.numerator, c.denominator)
        figures = f"{percent(ratio)} ({vn_int(c.numerator)}/{vn_int(c.denominator)}), ngưỡng {percent(tg.threshold)}"
        if ratio >= (tg.threshold or 0):
            return figures, "[green]Đạt ngưỡng[/]"
        return figures, "[red]Dưới ngưỡng[/]" + ("" if t.due else " (chưa đến hạn)")
    if tg.measure == "totals_at_least":
        if record is None or any(record.get(b) is None for b in tg.blocks):
            return "chưa khai báo khối số liệu", "[yellow]Thiếu số liệu[/]"
        have = [p for p in tg.fields if (get(record, p) or 0) >= (tg.at_least or 1)]
        return f"{len(have)}/{len(tg.fields)} mục có số liệu ≥ {tg.at_least or 1}", (
            "[green]Có đóng góp[/]" if have else "[yellow]Chưa có[/]"
        )
    if c is None:
        return "chưa khai báo khối số liệu", "[yellow]Thiếu số liệu[/]"
    return (f"có: {c.note}" if c.met else f"chưa có {', '.join(tg.values)}"), (
        "[green]Có đóng góp[/]" if c.met else "[yellow]Chưa có[/]"
    )


def units_grid(year: int, rows: list[dict[str, object]]) -> Grid:
    """The registry with each unit's state for the year: ids and paths whole, names wrapped."""
    grid = Grid(
        f"Danh mục đơn vị báo cáo — năm {year}",
        [
            Column("Mã", "atom"),
            Column("Tình trạng", "atom"),
            Column("Tên đơn vị", "prose"),
            Column("Loại", "prose"),
            Column("Tệp", "atom"),
        ],
    )
    for r in rows:
        state = "draft" if r.get("draft") else str(r["state"])
        grid.add(
            str(r["id"]),
            Cell(UNIT_STATE_LABEL[state], UNIT_STATE_STYLE.get(state, "")),
            str(r["name"]),
            KIND_LABEL.get(str(r["kind"]), str(r["kind"])),
            str(r["file"] or "—"),
        )
    return grid


def render_units(year: int, rows: list[dict[str, object]], console: Console) -> None:
    print_grid(units_grid(year, rows), console)
    counts = {s: sum(1 for r in rows if r["state"] == s) for s in STATE_LABEL}
    drafts = sum(1 for r in rows if r.get("draft"))
    parts = [
        f"{STATE_LABEL[s]}: {n}" + (f" (trong đó {drafts} bản nháp)" if s == "missing" and drafts else "")
        for s, n in counts.items()
    ]
    console.print(
        "; ".join(parts) + f"; tổng: {len(rows)}.",
        markup=False,
        highlight=False,
    )
