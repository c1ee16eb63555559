"""What every report shows, arranged once from a YearResult for all the report formats.

The Markdown, Word, HTML and Excel reports are each given this view (plain data: dicts, lists,
numbers, dates and the plan's own texts) and only format it; none computes a figure of its own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from fractions import Fraction
from typing import Any

from pydantic import BaseModel

from plan57.base.numbers import percent, percent_of, vn_int
from plan57.model.plan import Document, Plan, Unit
from plan57.scoring.score import STATE_LABEL, STATUS_LABEL, TASK_STATUS_LABEL, UnitRow, YearResult, get

_PROPERTIES = ("status_label",)
# per-unit detail a report does not show: each target's contributions and expected units
_LEAVE_OUT = {"TargetResult": frozenset({"contributions_of", "expected"})}
_SCALARS = (str, int, float, bool, Fraction, dt.date, type(None))


class Attrs(dict[str, Any]):
    """A plain dict whose keys also read as attributes: `row.unit.id` in a template finds the key
    at once instead of failing over from attribute to item, which counts in a 3,400-row annex."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def plain(value: Any) -> Any:
    """Models and dataclasses as plain dicts and lists: a template gets data, never methods."""
    return _plain(value, {})


_SCALAR_TYPES = frozenset(_SCALARS)
# how each class met is converted, worked out once per class: a 3,400-row annex converts
# thousands of objects of a handful of classes
_DICT, _LIST, _MODEL, _DATACLASS, _TEXT, _ROW = range(6)
_HOW: dict[type, tuple[int, tuple[str, ...], tuple[str, ...]]] = {}


def _how(cls: type) -> tuple[int, tuple[str, ...], tuple[str, ...]]:
    """(kind, fields, properties) of a class, by the first test it passes."""
    if cls is UnitRow:
        return _ROW, (), ()
    if issubclass(cls, _SCALARS):
        return _TEXT, (), ()  # a subclass of a scalar type (an enum of str, a bool…) stays as it is
    if issubclass(cls, dict):
        return _DICT, (), ()
    if issubclass(cls, (list, tuple)):
        return _LIST, (), ()
    if issubclass(cls, BaseModel):
        return _MODEL, tuple(cls.model_fields), ()
    if dataclasses.is_dataclass(cls):
        skip = _LEAVE_OUT.get(cls.__name__, ())
        names = tuple(f.name for f in dataclasses.fields(cls) if f.name not in skip)
        return _DATACLASS, names, tuple(p for p in _PROPERTIES if hasattr(cls, p))
    return -1, (), ()


def _plain(value: Any, memo: dict[int, Any]) -> Any:
    """`plain`, with each model converted once however often it is shown (a unit in every row).
    Exact types are tried first: this runs for every value of every unit's record."""
    scalar = _SCALAR_TYPES
    cls = type(value)
    if cls in scalar:
        return value
    if cls is Attrs:  # plain already: made here, or by `_context` of plain values
        return value
    if cls is dict:
        return Attrs({k: v if type(v) in scalar else _plain(v, memo) for k, v in value.items()})
    if cls is list or cls is tuple:
        return [v if type(v) in scalar else _plain(v, memo) for v in value]
    how = _HOW.get(cls)
    if how is None:
        how = _HOW[cls] = _how(cls)
    kind, names, properties = how
    if kind == _TEXT:
        return value
    if kind == _DICT:
        return Attrs({k: _plain(v, memo) for k, v in value.items()})
    if kind == _LIST:
        return [_plain(v, memo) for v in value]
    if kind == _MODEL:
        done = memo.get(id(value))
        if done is None:
            done = memo[id(value)] = Attrs()
            for name in names:
                v = getattr(value, name)
                done[name] = v if type(v) in scalar else _plain(v, memo)
        return done
    if kind == _ROW:
        return _row(value, memo)
    if kind == _DATACLASS:
        out = Attrs()
        for name in names:
            v = getattr(value, name)
            out[name] = v if type(v) in scalar else _plain(v, memo)
        for p in properties:
            out[p] = getattr(value, p)
        return out
    return str(value)


def _row(row: UnitRow, memo: dict[int, Any]) -> Attrs:
    """An annex row, as `_plain` makes any dataclass, in a fifth of the time: its fields are its
    __dict__, all scalars but the unit (a model) and its ratios (pairs of integers by target);
    a report has one row per unit. A test holds it to the general conversion."""
    out = Attrs(row.__dict__)
    unit = row.unit
    done = memo.get(id(unit))
    out["unit"] = done if done is not None else _plain(unit, memo)
    out["ratios"] = Attrs({k: list(p) for k, p in row.ratios.items()})
    out["indicators"] = Attrs(row.indicators)
    return out


def context(result: YearResult, date: dt.date, number: str | None) -> dict[str, Any]:
    """The template's variables, as plain data."""
    return plain(_context(result, date, number))  # type: ignore[no-any-return]


def _context(result: YearResult, date: dt.date, number: str | None) -> dict[str, Any]:
    plan = result.plan
    r = result.reporting
    names = {u.id: reporter_name(u, plan) for u in plan.units}
    row_of = {row.unit.id: row for row in result.rows}
    claimed = _claimed(result)
    kinds = {u.id: u.kind for u in plan.units}

    def by_kind(ids: list[str]) -> list[dict[str, Any]]:
        groups: dict[str, list[str]] = {}
        for uid in ids:
            groups.setdefault(kinds[uid], []).append(short_name(plan.unit_index[uid], plan))
        return [{"label": group_label(plan, k), "names": groups[k]} for k in plan.kind_ids if k in groups]

    ratio_targets = [t.target for t in result.targets if t.target.measure == "ratio"]
    tasks = []
    for t in result.tasks:
        # what units wrote (notes, events, trainings, feedback) is plain data already: each entry
        # is made an Attrs here, which `plain` then takes as it is (thousands of them in a year)
        notes = [Attrs(unit=names[uid], text=note) for uid, note in t.notes]
        done = set(t.leads_done)
        tasks.append(
            {
                "r": t,
                "group": t.task.group,
                "done_names": [names[u] for u in t.leads_done],
                "todo_names": [names[u] for u in t.leads_expected if u not in done],
                # a lead that sent no valid report, apart from one that reported and did nothing
                "unreported_names": [names[u] for u in t.leads_unreported],
                "idle_names": [names[u] for u in t.leads_idle],
                "products": [
                    {"name": k.name, "count": t.products.get(k.id, 0)}
                    for k in plan.product_kinds
                    if t.products.get(k.id, 0)
                ],
                "key_days": [
                    {"day": k, "events": [Attrs(unit=names[u], event=e) for u, e in t.key_day_events[k.date]]}
                    for k in plan.key_days
                ],
                "other_events": [
                    Attrs(unit=names[u], event=e)
                    for u, e in t.events
                    if e["date"].strftime("%m-%d") not in t.key_day_events
                ],
                "notes": notes,
            }
        )
    trainings = []
    for row in result.rows:
        for item in get(result_record(result, row.unit.id), "training") or []:
            trainings.append(Attrs(unit=names[row.unit.id], item=item))
    audiences = {a.id: a.name for a in plan.training_audiences}
    document = _document(plan, names.get(plan.reporting.compiler, ""))
    doc_number = number.strip() if number else "…"
    if doc_number.isdigit() and len(doc_number) < 2:
        doc_number = doc_number.zfill(2)  # NĐ 30: numbers below 10 take a leading zero
    if "/" not in doc_number:
        doc_number = f"{doc_number}/{document.symbol}"
    return {
        "y": result.year,
        "info": plan.plan,
        "compiler": names.get(plan.reporting.compiler, ""),
        "document": document,
        "date": date,
        "number": doc_number,
        # a submission read for any figure is sample data (SPEC §5): `sample_years` the years it is
        # of, `sample_notice` the sentence every output opens with (None when none is)
        "sample": result.sample,
        "sample_years": result.sample_years,
        "sample_notice": sample_notice(result.sample_years),
        "reporting": r,
        "synthesis_deadline": plan.synthesis_deadline(result.year),
        "missing_groups": by_kind(r.missing),
        "late": [{"name": names[u], "date": row_of[u].submitted} for u in r.late],
        "invalid": [{"name": names[u], "file": row_of[u].file} for u in r.invalid],
        # section I as every format says it: its heading's lines, then lists under a bold title
        "reporting_lines": reporting_lines(
            r, names.get(plan.reporting.compiler, ""), document.addressee, plan.synthesis_deadline(result.year)
        ),
        "reporting_lists": reporting_lists(result, names, by_kind(r.missing)),
        "headings": headings(result.year, plan),
        # the report's opening sentence and the act a footer cites, in the plan's words
        "basis": plan.said(plan.wording.basis),
        "act": plan.said(plan.wording.act),
        "invalid_files": r.invalid_files,
        # invalid files no registry unit claims (a unit with two files claims both)
        "unidentified_files": [f for f in r.invalid_files if f not in claimed],
        "targets": result.targets,
        "targets_note": targets_note(result.year, plan.years.start),
        # per target: `judged_year` (the verdict's year), `current` (Y's own figure when the verdict
        # is of an earlier year), `previous` (Y − 1's figure, when that year has submissions) and
        # `history` (every year with submissions): each a point {year, numerator, denominator,
        # value, coverage, status, status_label, required}
        # one row per target as every report shows it: `this_year` is Y's own figure (the verdict's
        # when the target is judged in Y, else `current`), `previous` Y − 1's figure or None, and
        # `earlier` true when the verdict is of an earlier year (`r.judged_year`)
        # `shown`: the row's cells as text, the same in every format (see `target_cells`)
        "target_rows": [
            {
                "r": t,
                "this_year": t.current if t.current is not None else t,
                "previous": t.previous,
                "earlier": t.judged_year < result.year,
                "shown": target_cells(t, result.year),
            }
            for t in result.targets
        ],
        # the NQ57 portal sections (2025.chuyen-muc): how many units have one, and their posts
        # `text`: the sentence every report gives after its label (`PORTALS_LABEL`), None when no
        # unit has a section nor wrote a number of posts
        "portals": {
            "sections": result.portals.sections,
            "posts": result.portals.posts,
            "posts_units": result.portals.posts_units,
            "label": PORTALS_LABEL,
            "text": portals_text(result.portals.sections, result.portals.posts, result.portals.posts_units),
        },
        # `lead`: the sentence every report opens the section with; each kind's `text`, its line of
        # the list that follows, with its punctuation (`;`, the last `.`)
        "budget": {
            "total": result.budget.total,
            "units": result.budget.units,
            "lead": budget_lead(result.budget.total, result.budget.units),
            "by_kind": [
                {
                    "kind": k,
                    "label": group_label(plan, k),
                    "total": p.total,
                    "units": p.units,
                    "text": f"{group_label(plan, k)}: {vn_int(p.total)} đồng ({vn_int(p.units)} đơn vị)"
                    + ("." if i == len(result.budget.by_kind) else ";"),
                }
                for i, (k, p) in enumerate(result.budget.by_kind.items(), 1)
            ],
        },
        "groups": plan.task_groups,
        "key_days_task": plan.key_days_task,
        "tasks": tasks,
        "channels": [{"c": c, "units": result.channels[c.id]} for c in plan.channels],
        "feedback": [Attrs(unit=names[u], difficulties=d, proposals=p) for u, d, p in result.feedback],
        "trainings": trainings,
        "audiences": audiences,
        "ratio_targets": ratio_targets,
        # the plan's own counts, each an annex column after the ratios
        "indicators": [Attrs(id=i.id, label=i.label) for i in plan.indicators],
        # the annex's plan and portal columns, when the plan asks units for them
        "annex_plan": _in_use(plan, "implementation_plan"),
        "annex_portal": _in_use(plan, "portal_section"),
        "kind_names": {k.id: k.name for k in plan.kinds},
        "by_kind": reporting_by_kind(result),
        "trends": trends(result),
        "rows": result.rows,
        "names": names,
        "state_label": STATE_LABEL,
        "status_label": STATUS_LABEL,
        "task_label": TASK_STATUS_LABEL,
    }


def sample_notice(years: list[int]) -> str | None:
    """The notice every output opens with when sample data was read for a figure (SPEC §5): "Số
    liệu năm 2025 là dữ liệu mẫu", "Số liệu các năm 2025, 2026 là dữ liệu mẫu"; None without any."""
    if not years:
        return None
    named = f"năm {years[0]}" if len(years) == 1 else "các năm " + ", ".join(map(str, years))
    return (
        f"LƯU Ý: Số liệu {named} là dữ liệu mẫu (báo cáo đơn vị ghi sample: true), "
        "chỉ mang tính minh họa, không phải số liệu thật."
    )


def headings(year: int, plan: Plan | None = None) -> Attrs:
    """The report's section headings, worded once: every format heads its sections so (the plan's
    own sections referred to as its wording places them)."""

    def ref(part: str) -> str:
        return plan.section_ref(part, " của Kế hoạch") if plan is not None else ""

    return Attrs(
        reporting="I. TÌNH HÌNH BÁO CÁO CỦA CÁC CƠ QUAN, ĐƠN VỊ, ĐỊA PHƯƠNG",
        targets="II. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU CỤ THỂ",
        tasks="III. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ",
        channels=f"IV. CÁC PHƯƠNG THỨC TRUYỀN THÔNG{ref('channels')}",
        feedback="V. KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT, KIẾN NGHỊ",
        difficulties="1. Khó khăn, vướng mắc của các cơ quan, đơn vị, địa phương",
        proposals="2. Đề xuất, kiến nghị của các cơ quan, đơn vị, địa phương",
        budget=f"3. Kinh phí thực hiện{ref('budget')}",
        annex=f"Phụ lục: KẾT QUẢ CỦA TỪNG ĐƠN VỊ NĂM {year}",
    )


def day_text(value: dt.date | None) -> str:
    """A date as every report shows it: 05/12/2026; — for none."""
    return value.strftime("%d/%m/%Y") if value else "—"


def reporting_lines(r: Any, compiler: str, addressee: str, synthesis: dt.date) -> list[str]:
    """Section I's counts, and the deadlines the report is made against (SPEC §5)."""
    deadline = day_text(r.deadline)
    return [
        f"Số đơn vị phải báo cáo: {vn_int(len(r.expected))}; hạn gửi báo cáo về {compiler}: trước ngày "
        f"{deadline}; hạn báo cáo tổng hợp gửi {addressee}: trước ngày {day_text(synthesis)}.",
        f"Số đơn vị đã gửi báo cáo hợp lệ: {vn_int(len(r.submitted))}, trong đó đúng hạn (gửi trước ngày "
        f"{deadline}): {vn_int(len(r.on_time))}; gửi muộn (từ ngày {deadline} trở đi): {vn_int(len(r.late))}.",
        f"Số đơn vị chưa gửi báo cáo: {vn_int(len(r.missing))}.",
        f"Số đơn vị có báo cáo không hợp lệ (chưa sử dụng được số liệu): {vn_int(len(r.invalid))}.",
    ]


def reporting_lists(result: YearResult, names: dict[str, str], missing: list[dict[str, Any]]) -> list[Attrs]:
    """The late, invalid and missing units by their registry names, each list under its title;
    a file no unit claims is counted, never named by its path (what is signed has no path)."""
    r = result.reporting
    row_of = {row.unit.id: row for row in result.rows}
    out = []
    if r.late:
        items = [f"{names[u]} (gửi ngày {day_text(row_of[u].submitted)})" for u in r.late]
        out.append(Attrs(title="Các đơn vị gửi báo cáo muộn:", entries=items))
    if r.invalid_files:
        items = list(map(names.__getitem__, r.invalid))
        claimed = _claimed(result)
        others = sum(1 for f in r.invalid_files if f not in claimed)
        if others:
            items.append(f"{vn_int(others)} tệp không xác định được đơn vị")
        out.append(
            Attrs(
                title="Các báo cáo không hợp lệ, chưa được tổng hợp:",
                entries=items,
            )
        )
    if missing:
        items = [f"{g['label']} ({vn_int(len(g['names']))}): {'; '.join(g['names'])}" for g in missing]
        out.append(Attrs(title="Các đơn vị chưa gửi báo cáo:", entries=items))
    return out


def figure(p: Any) -> Attrs:
    """A target's figure (its verdict's, or a point of its history) as every report shows it:
    `main` the percentage (or Có/Không, — without data), `fraction` its "num/den" or None,
    `text` both ("83,2% (5/6)")."""
    value = None if p is None else p.value
    if value is None:
        return Attrs(text="—", main="—", fraction=None)
    if value is True or value is False:
        word = "Có" if value else "Không"
        if p.numerator is not None and p.denominator is not None:  # a sum against the number it must reach
            fraction = f"{vn_int(p.numerator)}/{vn_int(p.denominator)}"
            return Attrs(text=f"{word} ({fraction})", main=word, fraction=fraction)
        return Attrs(text=word, main=word, fraction=None)
    main = percent(value)
    if p.numerator is None or p.denominator is None:
        return Attrs(text=main, main=main, fraction=None)
    fraction = f"{vn_int(p.numerator)}/{vn_int(p.denominator)}"
    return Attrs(text=f"{main} ({fraction})", main=main, fraction=fraction)


def pct_or_dash(value: Fraction | None) -> str:
    return "—" if value is None else percent(value)


def target_cells(t: Any, year: int) -> Attrs:
    """A target's row of the targets table, decided once for every format: `threshold`, `deadline`,
    `previous` (Y − 1's figure), `value` and `coverage` (year Y's own, whichever year the verdict
    is of), `required` (for Y, on the straight path), `status` (the verdict's code) and `verdict`
    (its label; for a milestone of an earlier year, the year, and its figure where the Y − 1
    column does not show it already, and its coverage when partial)."""
    now = t.current if t.current is not None else t
    verdict = t.status_label
    if t.judged_year < year:
        said = [f"năm {t.judged_year}"]
        if not (t.previous is not None and t.judged_year == year - 1):
            said[0] += f": {figure(t).text}"
        if t.coverage is not None and t.coverage < 1:
            said.append(f"độ phủ {percent(t.coverage)}")
        verdict += f" ({', '.join(said)})"
    return Attrs(
        id=t.target.id,
        label=t.target.label,
        deadline="Hằng năm" if t.target.every_year else str(t.target.year),
        threshold="Điều kiện" if t.threshold is None else percent(t.threshold),
        previous=figure(t.previous),
        value=figure(now),
        coverage=pct_or_dash(now.coverage),
        required=pct_or_dash(t.required),
        status=t.status,
        verdict=verdict,
    )


def yes_no(value: bool | None) -> str:
    """A yes/no of the annex: Có, Chưa, or — when not reported."""
    return "—" if value is None else ("Có" if value else "Chưa")


def ratio_cell(pair: Any) -> Attrs:
    """One unit's own ratio in the annex, as `figure` shows a target's."""
    if not pair:
        return Attrs(text="—", main="—", fraction=None)
    num, den = pair
    fraction = f"{vn_int(num)}/{vn_int(den)}"
    if not den:
        return Attrs(text=fraction, main=fraction, fraction=None)
    main = percent_of(num, den) if den > 0 else percent(Fraction(num, den))
    return Attrs(text=f"{main} ({fraction})", main=main, fraction=fraction)


ANNEX_HEADS = ("STT", "Đơn vị", "Tình trạng", "Ngày gửi", "Kế hoạch", "Chuyên mục")


def _in_use(plan: Plan, block: str) -> bool:
    """Whether the plan asks units for a block: a kind fills it or a target reads it."""
    return any(block in k.blocks for k in plan.kinds) or block in plan.targets_reading


def annex_heads(c: Any) -> list[str]:
    """The annex's first headings, without a column the plan does not ask for (`annex_plan`,
    `annex_portal`): the ratio and indicator columns follow."""
    skip = {"Kế hoạch": not c.get("annex_plan", True), "Chuyên mục": not c.get("annex_portal", True)}
    return [h for h in ANNEX_HEADS if not skip.get(h)]


def count_cell(value: int | None) -> Attrs:
    """One unit's count of an indicator in the annex ('—' when not reported, or not of its kind)."""
    shown = "—" if value is None else vn_int(value)
    return Attrs(text=shown, main=shown, fraction=None)


def annex_cells(
    row: Any,
    ratio_ids: list[str],
    names: dict[str, str],
    indicator_ids: Any = (),
    plan_column: bool = True,
    portal_column: bool = True,
) -> list[Any]:
    """One unit's annex row as every format shows it (after its number): its registry name, state,
    submission date, plan issued, portal section (texts; each when its column is shown), then one
    `ratio_cell` per ratio target and one `count_cell` per indicator of the plan."""
    ratios = row["ratios"]
    counts = row.get("indicators") or {}
    return [
        names[row["unit"]["id"]],
        STATE_LABEL[row["state"]],
        day_text(row["submitted"]),
        *([yes_no(row["plan_issued"])] if plan_column else []),
        *([yes_no(row["portal_section"])] if portal_column else []),
        *(ratio_cell(ratios.get(t)) for t in ratio_ids),
        *(count_cell(counts.get(i)) for i in indicator_ids),
    ]


# The sentences on portal sections and funding, worded once for every report format
PORTALS_LABEL = "Chuyên mục NQ57 trên cổng/trang thông tin điện tử:"


def portals_text(sections: int, posts: int, posts_units: int) -> str | None:
    """The units with an NQ57 portal section and the posts on them (a blank is not counted)."""
    if not (sections or posts_units):
        return None
    said = f"{vn_int(sections)} đơn vị có chuyên mục"
    if posts_units:
        said += (
            f"; tổng số tin, bài đã đăng: {vn_int(posts)} ({vn_int(posts_units)} đơn vị ghi số tin, bài; "
            "đơn vị để trống không được tính)"
        )
    return said + "."


def budget_lead(total: int, units: int) -> str:
    """The funding spent, in total, as the section on plan section V opens (a blank is not counted)."""
    if not units:
        return "Chưa có đơn vị nào báo cáo kinh phí đã chi."
    return (
        f"Tổng kinh phí các đơn vị báo cáo đã chi: {vn_int(total)} đồng ({vn_int(units)} đơn vị ghi kinh phí; "
        "đơn vị để trống không được tính), trong đó:"
    )


def _document(plan: Plan, compiler: str) -> Document:
    """The compiler's header and signature from the plan; a plan without them gets neutral ones."""
    if plan.reporting.document is not None:
        return plan.reporting.document
    return Document(
        superior=plan.plan.issuer.upper(),
        issuer=compiler.upper(),
        symbol="BC",
        place=plan.plan.province or "……",
        addressee=plan.plan.issuer,
        recipients=["Như trên", "Lưu: VT"],
        signer_title="THỦ TRƯỞNG CƠ QUAN",
    )


def targets_note(year: int, first_year: int) -> str:
    """How the targets table is read, in every report format: coverage, blanks, when a verdict
    is stated, milestones judged in their own year (from the plan's second year on), rounding,
    the straight path."""
    earlier = (
        f"Chỉ tiêu có hạn trước năm {year} giữ đánh giá của năm đến hạn, tính từ báo cáo của năm "
        f"đó (ghi trong cột “Đánh giá”); số liệu năm {year} chỉ để tham khảo. "
    )
    return (
        "“Độ phủ” là tỷ lệ đơn vị thuộc diện áp dụng đã báo cáo đủ số liệu của chỉ tiêu; ô để "
        "trống là chưa báo cáo, không tính là 0. Một kết quả chỉ được kết luận khi số liệu chứng "
        "minh được: chỉ tiêu tính gộp được đánh giá “Đạt” khi đạt ngưỡng với độ phủ 100%, “Chưa "
        "đạt” khi đến hạn mà dưới ngưỡng với độ phủ 100% (hoặc với bất kỳ độ phủ nào khi ngưỡng "
        "là 100%); các trường hợp đến hạn khác ghi “Chưa đủ dữ liệu”. Chỉ tiêu dạng điều kiện "
        "“Đạt” khi có số liệu chứng minh điều kiện đã thỏa mãn, “Chưa đạt” khi đến hạn, mọi đơn "
        "vị đã báo cáo mà điều kiện chưa thỏa mãn. Với chỉ tiêu tính theo tỷ lệ đơn vị, đơn vị "
        "chưa gửi, có báo cáo lỗi hoặc để trống được tính là chưa đạt, nên độ phủ luôn là 100%. "
        + (earlier if year > first_year else "")
        + (
            "Tỷ lệ được làm tròn xuống một chữ số thập phân. Chỉ tiêu chưa đến hạn được so với lộ "
            "trình tuyến tính từ năm đầu tiên có số liệu (mốc cơ sở) đến ngưỡng của năm mục tiêu."
        )
    )


def group_label(plan: Plan, kind: str) -> str:
    """The units of a kind as a report heads them ("UBND các xã"), as the plan declares it."""
    found = plan.kind_index.get(kind)
    return found.group_name if found is not None else kind


def reporter_name(unit: Unit, plan: Plan) -> str:
    """The body that reports for the unit, by its kind's `reporter` pattern ('Xã Mường La'
    reports as 'UBND xã Mường La'); agencies by their own name."""
    kind = plan.kind_index.get(unit.kind)
    if kind is None or not kind.reporter:
        return unit.name
    return kind.reporter.replace("{name}", f"{unit.name[:1].lower()}{unit.name[1:]}")


def short_name(unit: Unit, plan: Plan) -> str:
    """'Xã Mường La' → 'Mường La', for lists already headed 'UBND các xã' (the kind's `short_prefix`)."""
    kind = plan.kind_index.get(unit.kind)
    prefix = kind.short_prefix if kind is not None else None
    return unit.name[len(prefix) :] if prefix and unit.name.startswith(prefix) else unit.name


def result_record(result: YearResult, unit_id: str) -> dict[str, Any] | None:
    return result.records.get(unit_id)


def reporting_by_kind(result: YearResult) -> list[dict[str, Any]]:
    """Reporting completeness per kind of unit (registry order of kinds), for charts and tables."""
    r = result.reporting
    state = {uid: s for s, ids in (("on_time", r.on_time), ("late", r.late), ("invalid", r.invalid)) for uid in ids}
    counts: dict[str, dict[str, int]] = {}
    for u in result.plan.units:
        of_kind = counts.get(u.kind)
        if of_kind is None:
            of_kind = counts[u.kind] = dict.fromkeys(STATE_LABEL, 0)
        of_kind[state.get(u.id, "missing")] += 1
    return [
        {"kind": kind, "label": group_label(result.plan, kind), "expected": sum(counts[kind].values()), **counts[kind]}
        for kind in result.plan.kind_ids
        if kind in counts
    ]


def trends(result: YearResult) -> list[dict[str, Any]]:
    """Each target with a threshold, measured on every year with submissions (the `history` of
    SPEC §4), its baseline (the first of those years with a value) and its goal (threshold, year)."""
    out = []
    for t in result.targets:
        if t.target.is_condition:
            continue
        points = list(getattr(t, "history", None) or [])
        base = next((p for p in points if p.value is not None), None)
        out.append(
            {
                "id": t.target.id,
                "label": t.target.label,
                "goal_year": t.target.year,
                "every_year": t.target.every_year,  # the threshold holds in each year from goal_year on
                "threshold": t.threshold,
                "points": points,
                "baseline": base,
            }
        )
    return out


def _claimed(result: YearResult) -> set[str]:
    """The files of every registry unit, as the report names them."""
    return {name for row in result.rows if row.file for name in row.file.split(", ")}
