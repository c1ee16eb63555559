"""Terminal rendering of scores with rich, in Vietnamese."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from rich.console import Console
from rich.markup import escape

from plan57.base.numbers import percent, vn_int
from plan57.model.form import field_label, item_label, value_names
from plan57.render.grid import Cell, Column, Grid, print_grid
from plan57.render.view import sample_notice
from plan57.scoring.score import STATE_LABEL, Point, TargetResult, YearResult

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


class _QuietConsole(Console):
    def on_broken_pipe(self) -> None:
        raise BrokenPipeError  # the reader has gone: the command ends quietly (its caller's part)


def stdout_console() -> Console:
    """A console on stdout: piped, whole lines, never wrapped at 80 columns."""
    console = _QuietConsole(highlight=False)
    console.soft_wrap = not console.is_terminal
    return console


def value_text(t: TargetResult | Point) -> str:
    if t.value is None:
        return "—"
    if isinstance(t.value, bool):
        word = "Có" if t.value else "Không"
        if t.numerator is not None and t.denominator is not None:  # a sum against the number it must reach
            return f"{word} ({vn_int(t.numerator)}/{vn_int(t.denominator)})"
        return word
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


def render_sample_notice(result: YearResult, console: Console) -> None:
    """The notice every output opens with when sample data was read for a figure (SPEC §5)."""
    notice = sample_notice(result.sample_years)
    if notice:
        console.print(f"[bold yellow]{escape(notice)}[/]", highlight=False)


def render_score(result: YearResult, console: Console) -> None:
    r = result.reporting
    render_sample_notice(result, console)
    console.print(
        f"[bold]Kết quả thực hiện {escape(result.plan.said(result.plan.wording.plan_name))} — năm {result.year}[/]"
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
        kinds = "; ".join(
            f"{result.plan.kind_name(k)} {vn_int(p.total)} ({p.units} đơn vị)" for k, p in b.by_kind.items()
        )
        console.print(
            f"Kinh phí đã chi{result.plan.section_ref('budget')}: {vn_int(b.total)} đồng, {b.units} đơn vị ghi kinh phí — {kinds}.",
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
        f"Các chỉ tiêu cụ thể{result.plan.section_ref('targets')}",
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
        f"Các nhiệm vụ{result.plan.section_ref('tasks')}",
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
    from plan57.render.explain import explain

    for t in result.targets:
        console.print(
            f"\n[bold]{escape(t.target.id)}[/] — {escape(t.target.label)}: {_status(t.status, t.status_label)}",
            highlight=False,
        )
        for line in explain(result, t).lines:
            console.print("  " + line, markup=False, highlight=False)


def render_unit(result: YearResult, unit_id: str, console: Console) -> None:
    """One unit's scorecard: each target and task that applies to it, met or not, and why."""
    unit = result.plan.unit_index[unit_id]
    row = next(r for r in result.rows if r.unit.id == unit_id)
    render_sample_notice(result, console)
    console.print(
        f"[bold]{escape(unit.name)}[/] ({escape(unit.id)}) — năm {result.year}: {STATE_LABEL[row.state]}",
        highlight=False,
    )
    if row.submitted:
        console.print(f"Ngày gửi báo cáo: {row.submitted.strftime('%d/%m/%Y')}", highlight=False)
    print_grid(unit_grid(result, unit_id), console)


def unit_grid(result: YearResult, unit_id: str) -> Grid:
    """The scorecard's table: ids whole, the unit's figures in words (labels and names from the plan)."""
    row = next(r for r in result.rows if r.unit.id == unit_id)
    grid = Grid(
        "",
        [
            Column("Mục", "atom"),
            Column("Nội dung", "prose"),
            Column("Số liệu của đơn vị", "prose"),
            Column("Đánh giá", "prose"),
        ],
    )
    for t in result.targets:
        if unit_id not in t.expected:
            continue
        c = next((c for c in t.contributions if c.unit == unit_id), None)
        figures, verdict = unit_figures(result, t, c, row.state)
        grid.add(t.target.id, t.target.label, figures, verdict)
    for task in result.tasks:
        if unit_id in task.leads_expected:
            if unit_id in task.leads_unreported:  # no valid report: nothing is known of its work (SPEC §4)
                figures = f"không có số liệu ({STATE_LABEL[row.state].lower()})"
                grid.add(f"NV {task.task.id}", "Chủ trì nhiệm vụ", figures, Cell("Chưa có số liệu", "yellow"))
                continue
            done = unit_id in task.leads_done
            grid.add(
                f"NV {task.task.id}",
                "Chủ trì nhiệm vụ",
                "đã báo cáo hoạt động" if done else "chưa có hoạt động hoặc sự kiện",
                Cell("Đã thực hiện", "green") if done else Cell("Chưa thực hiện", "red"),
            )
    return grid


def listed(names: list[str]) -> str:
    """Names joined so that one holding a comma ('cơ quan báo chí, truyền thông') stays one."""
    return ("; " if any("," in n for n in names) else ", ").join(names)


def _yes_no(value: Any) -> str:
    if value is None:
        return "chưa khai báo"
    if isinstance(value, bool):
        return "Có" if value else "Không"
    return vn_int(value) if isinstance(value, int) else str(value)


def unit_figures(result: YearResult, t: TargetResult, c: Any, state: str) -> tuple[str, Cell]:
    """The unit's own figures for one target, in words, and a verdict that says why. A milestone
    judged in an earlier year shows that year's figures, and says which year."""
    figures, verdict = _unit_figures(result, t, c, state)
    if t.judged_year < result.year:
        figures = f"Năm {t.judged_year}: {figures}"
    return figures, verdict


def _unit_figures(result: YearResult, t: TargetResult, c: Any, state: str) -> tuple[str, Cell]:
    plan = result.plan
    tg = t.target
    earlier = t.judged_year < result.year
    absent = (c.note if c is not None and c.note in STATE_LABEL else None) if earlier else state
    if absent in ("missing", "invalid"):
        # a share counts a unit without a valid report as not meeting it (SPEC §4); any other
        # measure has no figure of the unit to judge: nothing is proven either way
        verdict = Cell("Chưa đạt", "red") if tg.measure == "share" else Cell("Chưa có số liệu", "yellow")
        return f"không có số liệu ({STATE_LABEL[absent].lower()})", verdict
    red, green, yellow = "red", "green", "yellow"
    if tg.measure == "share":
        path = tg.field or ""
        need = "Có" if tg.at_least is None else f"≥ {vn_int(tg.at_least)}"
        shown = _yes_no(c.value if c is not None else None)
        verdict = Cell("Đạt", green) if c is not None and c.met else Cell("Chưa đạt", red)
        return f"{field_label(plan, path)}: {shown} (cần {need})", verdict
    if tg.measure == "ratio":
        if c is None or c.numerator is None:
            return "chưa khai báo khối số liệu", Cell("Thiếu số liệu", yellow)
        if not c.denominator:
            return f"{vn_int(c.numerator)}/0", Cell("Thiếu số liệu", yellow)
        ratio = Fraction(c.numerator, c.denominator)
        figures = f"{percent(ratio)} ({vn_int(c.numerator)}/{vn_int(c.denominator)}), ngưỡng {percent(tg.threshold)}"
        if ratio >= (tg.threshold or 0):
            return figures, Cell("Đạt ngưỡng", green)
        return figures, Cell("Dưới ngưỡng" + ("" if t.due else " (chưa đến hạn)"), red)
    if tg.measure == "totals_at_least":
        if c is None:
            return "chưa khai báo khối số liệu", Cell("Thiếu số liệu", yellow)
        least = tg.at_least or 1
        values = dict(c.value or {})
        have = [p for p in tg.fields if (values.get(p) or 0) >= least]
        if len(tg.fields) == 1:
            figures = f"{field_label(plan, tg.fields[0])}: {_yes_no(values.get(tg.fields[0]))} (cần ≥ {vn_int(least)})"
        else:
            lacking = [item_label(plan, p) for p in tg.fields if p not in have]
            figures = f"{len(have)}/{len(tg.fields)} nhóm có từ {vn_int(least)} trở lên"
            if lacking:
                figures += " (chưa có: " + listed(lacking) + ")"
        return figures, (Cell("Có đóng góp", green) if have else Cell("Chưa có", yellow))
    if tg.measure == "sum_at_least":
        if c is None:
            return "chưa khai báo khối số liệu", Cell("Thiếu số liệu", yellow)
        written = [v for v in dict(c.value or {}).values() if v is not None]
        if not written:
            return "chưa ghi số liệu", Cell("Thiếu số liệu", yellow)
        mine = sum(written)
        figures = f"{vn_int(mine)} (tổng của mọi đơn vị cần ≥ {vn_int(tg.at_least or 0)})"
        return figures, (Cell("Có đóng góp", green) if mine else Cell("Chưa có", yellow))
    if c is None:
        return "chưa khai báo khối số liệu", Cell("Thiếu số liệu", yellow)
    names = value_names(plan, tg.field or "")
    if c.met:
        got = [v.strip() for v in c.note.split(",") if v.strip()]
        return "có: " + listed([names.get(v, v) for v in got]), Cell("Có đóng góp", green)
    return "chưa có: " + listed([names.get(v, v) for v in tg.values]), Cell("Chưa có", yellow)


def units_grid(year: int, rows: list[dict[str, object]], kind_names: dict[str, str] | None = None) -> Grid:
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
            (kind_names or {}).get(str(r["kind"]), str(r["kind"])),
            str(r["file"] or "—"),
        )
    return grid


def render_units(
    year: int, rows: list[dict[str, object]], console: Console, kind_names: dict[str, str] | None = None
) -> None:
    print_grid(units_grid(year, rows, kind_names), console)
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
