"""Cross-field rules of a submission (SPEC §2.2), each located at the field that breaks it.

They run on the parsed data whatever pydantic said, guarding every type, so one pass reports
every problem of the file.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from plan57.base.diagnostics import Diagnostic
from plan57.base.numbers import shown_int
from plan57.loading.yamlsafe import Document, Loc
from plan57.model.plan import Plan

# (block, part, whole): part ≤ whole
AT_MOST = (
    ("staff", "informed", "total"),
    ("communication_staff", "trained", "total"),
    ("population", "reached", "total"),
    ("grassroots", "villages_equipped", "villages_total"),
    ("science_tasks", "secret", "total"),
)


# Characters no report text may hold: C0/C1 controls but tab and newline (a YAML escape "\\e",
# "\\0", "\\x9b" writes them), lone surrogates ("\\ud800"), line and paragraph separators,
# bidirectional overrides and isolates (text that reads differently from what it holds), and
# the non-characters U+FFFE/U+FFFF. Refused at their value, so they never reach a report or a terminal.
UNSAFE_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff\ud800-\udfff]")
# The same in a file's source, less the carriage return: YAML reads it as a line break, so it never
# reaches a key or a value (a file saved on Windows ends its lines with one).
_UNSAFE_SOURCE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff\ud800-\udfff]"
)


def unsafe_text(doc: Document, path: str) -> list[Diagnostic]:
    """One error per key or value holding a character that must never be printed."""
    src = doc.source
    if src is not None and "\\" not in src and _UNSAFE_SOURCE.search(src) is None:
        return []  # no character of the file, and no escape (only "\\…" writes one), can make one
    from plan57.validation.locate import dotted

    out: list[Diagnostic] = []

    def report(at: tuple[Any, ...], text: str, key: bool) -> None:
        m = UNSAFE_TEXT.search(text)
        if m is None:
            return
        loc = doc.key_loc(at) if key else doc.value_loc(at)
        what = "tên khóa" if key else "giá trị"
        out.append(
            Diagnostic(
                path,
                loc.line,
                loc.col,
                "error",
                "control-char",
                f"{what} '{dotted(at)}' chứa ký tự điều khiển không in được (U+{ord(m.group()):04X}, "
                f"ở ký tự thứ {m.start() + 1}): hãy xóa ký tự này hoặc gõ lại đoạn chữ",
            )
        )

    def walk(node: Any, at: tuple[Any, ...]) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if isinstance(k, str):
                    report(at + (k,), k, True)
                walk(v, at + (k,))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, at + (i,))
        elif isinstance(node, str):
            report(at, node, False)

    walk(doc.data, ())
    return out


def submitted_range(doc: Document, plan: Plan, path: str, year: int | None) -> list[Diagnostic]:
    """A date of sending before the reporting year began (years before the plan, a slip of the
    year), or more than a year after it ended."""
    submitted = _date(doc.data.get("submitted")) if isinstance(doc.data, dict) else None
    if submitted is None:
        return []
    if year is None:
        stated = _int(doc.data.get("year"))
        year = stated if stated is not None and stated in plan.years else None
    earliest, latest = _sending_range(plan, year)
    if earliest <= submitted <= latest:
        return []
    loc = doc.value_loc(("submitted",))
    if submitted < earliest:
        why = f"trước ngày {earliest.strftime('%d/%m/%Y')}" + (
            f" (đầu năm báo cáo {year})" if year is not None else " (đầu thời gian của Kế hoạch)"
        )
    else:
        why = f"sau ngày {latest.strftime('%d/%m/%Y')} (cuối năm sau năm báo cáo)"
    return [
        Diagnostic(
            path,
            loc.line,
            loc.col,
            "error",
            "submitted-range",
            f"ngày gửi báo cáo {submitted.isoformat()} không hợp lý: {why}; hãy kiểm tra lại năm của ngày gửi",
        )
    ]


def missing_loc(doc: Document, at: tuple[Any, ...]) -> Loc:
    """Where a required field left out or empty is said: its key when written (empty), the cell
    to type into when a form left it blank, else the key of the mapping it belongs in."""
    if at in doc.keys:
        return doc.key_loc(at)
    if at in doc.blanks:
        return Loc(*doc.blanks[at])
    return doc.key_loc(at[:-1]) if at[:-1] else doc.value_loc(())


def _sending_range(plan: Plan, year: int | None) -> tuple[dt.date, dt.date]:
    """The first and last plausible days of sending a report of `year` (of any year of the plan
    when None): from the start of the year to the end of the next."""
    earliest = dt.date(year if year is not None else plan.years.start, 1, 1)
    latest = dt.date((year if year is not None else plan.years.stop - 1) + 1, 12, 31)
    return earliest, latest


def _at(data: Any, path: str) -> Any:
    """The value at a dotted key path, None where the path stops."""
    for key in path.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _date(value: Any) -> dt.date | None:
    """A date as the model reads it: a YAML date, or a date written as text in quotes (a form's
    text cell), which the model accepts in the same ISO form; the rules on dates hold for both."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return value if isinstance(value, dt.date) and not isinstance(value, dt.datetime) else None


def check(doc: Document, plan: Plan, path: str, year: int | None, today: dt.date | None = None) -> list[Diagnostic]:
    """Every cross-field rule; `today` is the day a `submitted` date may not come after (none
    checked without it)."""
    data = doc.data
    out: list[Diagnostic] = []

    def err(at: tuple[Any, ...], code: str, message: str, key: bool = False, severity: str = "error") -> None:
        loc = doc.key_loc(at) if key else doc.value_loc(at)
        out.append(Diagnostic(path, loc.line, loc.col, severity, code, message))  # type: ignore[arg-type]

    def lacking(at: tuple[Any, ...], code: str, message: str) -> None:
        """A required field left out or empty, said where it is typed (see `missing_loc`)."""
        loc = missing_loc(doc, at)
        out.append(Diagnostic(path, loc.line, loc.col, "error", code, message))

    for block, part, whole in AT_MOST:
        b = data.get(block)
        if isinstance(b, dict):
            p, w = _int(b.get(part)), _int(b.get(whole))
            if p is not None and w is not None and p > w:
                err(
                    (block, part),
                    "at-most",
                    f"'{block}.{part}' ({shown_int(p)}) không được lớn hơn '{block}.{whole}' ({shown_int(w)})",
                )

    reported = data.get("indicators")
    if isinstance(reported, dict):
        for ind in plan.indicators:
            if ind.at_most is None:
                continue
            p, w = _int(reported.get(ind.id)), _int(_at(data, ind.at_most))
            if p is not None and w is not None and p > w:
                err(
                    ("indicators", ind.id),
                    "at-most",
                    f"'indicators.{ind.id}' ({shown_int(p)}) không được lớn hơn '{ind.at_most}' ({shown_int(w)})",
                )

    st = data.get("science_tasks")
    if isinstance(st, dict):
        total, secret, comm = _int(st.get("total")), _int(st.get("secret", 0)), _int(st.get("communicated"))
        if None not in (total, secret, comm) and secret <= total and comm > total - secret:  # type: ignore[operator]
            err(
                ("science_tasks", "communicated"),
                "at-most",
                f"'science_tasks.communicated' ({shown_int(comm)}) không được lớn hơn số nhiệm vụ không mật "  # type: ignore[arg-type]
                f"'total' − 'secret' ({shown_int(total)} − {shown_int(secret)} = {shown_int(total - secret)})",  # type: ignore[arg-type, operator]
            )

    submitted = _date(data.get("submitted"))
    if submitted is not None:  # a sending date out of all reason is said once (submitted_range), not compared
        stated = _int(data.get("year"))
        earliest, latest = _sending_range(plan, year if year is not None else stated if stated in plan.years else None)
        if not earliest <= submitted <= latest:
            submitted = None
    if "submitted" in data and data["submitted"] is None:
        err(
            ("submitted",),
            "draft",
            "chưa ghi ngày gửi báo cáo (submitted): tệp được coi là bản nháp và đơn vị được tính là "
            "chưa gửi; khi gửi báo cáo, hãy ghi ngày gửi theo dạng NĂM-THÁNG-NGÀY",
            key=True,
            severity="warning",
        )
    ip = data.get("implementation_plan")
    if isinstance(ip, dict) and ip.get("issued") is True:
        for key in ("reference", "date"):
            if ip.get(key) in (None, ""):
                lacking(
                    ("implementation_plan", key),
                    "required-when",
                    f"thiếu 'implementation_plan.{key}': bắt buộc khi 'issued' là true",
                )

    ps = data.get("portal_section")
    if isinstance(ps, dict) and ps.get("exists") is True and ps.get("url") in (None, ""):
        lacking(("portal_section", "url"), "required-when", "thiếu 'portal_section.url': bắt buộc khi 'exists' là true")

    channels = data.get("channels")
    if isinstance(channels, list):
        seen: dict[Any, int] = {}
        for i, ch in enumerate(channels):
            if isinstance(ch, (int, str)) and ch in seen:
                err(
                    ("channels", i), "duplicate-channel", f"phương thức {ch} bị ghi lặp (đã có ở vị trí {seen[ch] + 1})"
                )
            elif isinstance(ch, (int, str)):
                seen[ch] = i

    out.extend(_in_period(doc, plan, path, year, submitted, today))
    if submitted is not None:
        empty = empty_fields(data)
        if empty:
            loc = doc.key_loc(empty[0])
            shown = ", ".join(".".join(map(str, p)) for p in empty)
            out.append(
                Diagnostic(
                    path,
                    loc.line,
                    loc.col,
                    "warning",
                    "empty-fields",
                    f"còn {len(empty)} ô để trống, được tính là chưa báo cáo (không phải 0): {shown}",
                )
            )
    return out


class _PeriodName:
    """'kỳ báo cáo năm Y: từ … đến …', formatted only when a message says it."""

    __slots__ = ("first", "last", "year")

    def __init__(self, year: int, first: dt.date, last: dt.date) -> None:
        self.year, self.first, self.last = year, first, last

    def __str__(self) -> str:
        return f"kỳ báo cáo năm {self.year}: từ {_day(self.first)} đến {_day(self.last)}"


def _day(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _in_period(
    doc: Document, plan: Plan, path: str, year: int | None, submitted: dt.date | None, today: dt.date | None
) -> list[Diagnostic]:
    """What counts for year Y is what happened in its reporting period (SPEC §4): a dated item
    outside it, or after the file's `submitted` date, is an error naming the period; so is a
    `submitted` date after today. The implementation plan, issued once, may carry any date from
    the plan's own date to the end of the period."""
    data = doc.data
    out: list[Diagnostic] = []

    def err(at: tuple[Any, ...], code: str, message: str, severity: str = "error") -> None:
        loc = doc.value_loc(at)
        out.append(Diagnostic(path, loc.line, loc.col, severity, code, message))  # type: ignore[arg-type]

    if year is None:  # a file outside any year folder is checked against its own year (SPEC §2)
        stated = _int(data.get("year"))
        year = stated if stated is not None and stated in plan.years else None
    period = plan.reporting.period
    named = _PeriodName(year, *period.window(year)) if year is not None else None  # written out only in a message
    if submitted is not None and today is not None and submitted > today:
        err(
            ("submitted",),
            "submitted-future",
            f"ngày gửi báo cáo {_day(submitted)} sau ngày hôm nay ({_day(today)}): một báo cáo chưa thể "
            "gửi vào ngày chưa đến; hãy kiểm tra lại ngày gửi" + (f" ({named})" if named is not None else ""),
        )
    if year is None or named is None:
        return out
    first, last = named.first, named.last

    def dated(at: tuple[Any, ...], what: str, when: dt.date) -> bool:
        """An error when `when` lies outside year Y's period or after the sending date."""
        if not first <= when <= last:
            other = period.year_of(when)
            where = f"thuộc kỳ báo cáo năm {other}" if other is not None else "không thuộc kỳ báo cáo nào"
            err(at, "out-of-period", f"{what} ngày {_day(when)} {where}, không tính vào năm {year} ({named})")
            return True
        if submitted is not None and when > submitted:
            err(
                at,
                "after-submitted",
                f"{what} ngày {_day(when)} sau ngày gửi báo cáo ({_day(submitted)}): báo cáo chỉ ghi "
                f"những việc đã diễn ra trong kỳ, trước khi gửi ({named})",
            )
            return True
        return False

    start = plan.reporting.start
    tasks = data.get("tasks")
    if isinstance(tasks, dict):
        for tid, report in tasks.items():
            events = report.get("events") if isinstance(report, dict) else None
            for i, ev in enumerate(events if isinstance(events, list) else []):
                at = ("tasks", tid, "events", i, "date")
                when = _date(ev.get("date")) if isinstance(ev, dict) else None
                if when is None or dated(at, "sự kiện", when):
                    continue
                if start is not None and when < start:
                    err(
                        at,
                        "event-before-plan",
                        f"sự kiện ngày {_day(when)} diễn ra trước khi Kế hoạch bắt đầu thực hiện "
                        f"({_day(start)}): không phải kết quả thực hiện Kế hoạch",
                        severity="warning",
                    )
    training = data.get("training")
    for i, item in enumerate(training if isinstance(training, list) else []):
        when = _date(item.get("date")) if isinstance(item, dict) else None
        if when is not None:
            dated(("training", i, "date"), "chương trình đào tạo", when)
    ip = data.get("implementation_plan")
    issued_on = _date(ip.get("date")) if isinstance(ip, dict) else None
    if issued_on is not None:
        own = plan.plan.date
        if issued_on < own:
            err(
                ("implementation_plan", "date"),
                "out-of-period",
                f"kế hoạch triển khai ngày {_day(issued_on)} trước ngày ban hành Kế hoạch {plan.plan.number} "
                f"({_day(own)}): kế hoạch triển khai được ban hành sau Kế hoạch",
            )
        elif issued_on > last:
            other = period.year_of(issued_on)
            where = f"thuộc kỳ báo cáo năm {other}" if other is not None else "không thuộc kỳ báo cáo nào"
            err(
                ("implementation_plan", "date"),
                "out-of-period",
                f"kế hoạch triển khai ngày {_day(issued_on)} {where}, không tính vào năm {year} ({named})",
            )
        elif submitted is not None and issued_on > submitted:
            err(
                ("implementation_plan", "date"),
                "date-order",
                f"ngày ban hành kế hoạch triển khai ({_day(issued_on)}) không được sau ngày gửi báo cáo "
                f"({_day(submitted)}) ({named})",
            )
    return out


# Fields whose emptiness is no gap in the figures: who wrote the report, and details asked only
# when the field before them is true (checked by the rules above).
_NOT_FIGURES = frozenset({"reference", "contact", "sample", "difficulties", "proposals", "submitted"})
_DETAILS = frozenset({("implementation_plan", "reference"), ("implementation_plan", "date"), ("portal_section", "url")})


def empty_fields(data: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Key paths of the figures a file leaves empty (null), in file order."""
    out: list[tuple[Any, ...]] = []

    def walk(node: Any, at: tuple[Any, ...]) -> None:
        if node is None:
            if at not in _DETAILS and not (len(at) == 3 and at[0] == "tasks" and at[2] == "note"):
                out.append(at)
        elif isinstance(node, dict):
            for k, v in node.items():
                walk(v, (*at, k))

    for key, value in data.items():
        if key not in _NOT_FIGURES:
            walk(value, (key,))
    return out


def missing_blocks(doc: Document, plan: Plan, path: str, unit_id: str) -> list[Diagnostic]:
    """Warnings for blocks the unit's targets read but the file lacks."""
    unit = plan.unit_index.get(unit_id)
    if unit is None or not isinstance(doc.data, dict):
        return []
    loc = doc.value_loc(())
    out = []
    blocks = plan.blocks_for(unit)
    for block in blocks:
        if block not in doc.data:
            needing = [t.id for t in plan.targets if plan.applies(t, unit) and block in t.blocks]
            if not needing:  # a block the kind fills that no target of the unit needs
                continue
            out.append(
                Diagnostic(
                    path,
                    loc.line,
                    loc.col,
                    "warning",
                    "missing-block",
                    f"thiếu khối '{block}' mà chỉ tiêu {', '.join(needing)} cần; "
                    "các số liệu khác của đơn vị vẫn được tính",
                )
            )
    reported = doc.data.get("indicators")
    if isinstance(reported, dict):
        mine = {i.id for i in plan.indicators_for(unit)}
        for ind in plan.indicators:
            if ind.id in reported and reported[ind.id] is not None and ind.id not in mine:
                at = doc.key_loc(("indicators", ind.id))
                kinds = ", ".join(plan.kind_name(k).lower() for k in ind.kinds or [])
                out.append(
                    Diagnostic(
                        path,
                        at.line,
                        at.col,
                        "warning",
                        "unused-block",
                        f"chỉ số '{ind.id}' ({ind.label}) không được tính cho {unit.name}: chỉ số này dành cho {kinds}",
                    )
                )
    # a block no target reads for this unit's kind: say where it would count (SPEC §4)
    for block, value in doc.data.items():
        if value is None or block in blocks:
            continue
        targets = plan.targets_reading.get(block) if isinstance(block, str) else None
        if not targets:
            continue
        at = doc.key_loc((block,))
        whom = sorted({_applies_text(plan, t) for t in targets})
        out.append(
            Diagnostic(
                path,
                at.line,
                at.col,
                "warning",
                "unused-block",
                f"khối '{block}' không được tính cho {unit.name}: khối này chỉ dùng "
                f"cho chỉ tiêu {', '.join(t.id for t in targets)} ({'; '.join(whom)})",
            )
        )
    return out


def _applies_text(plan: Plan, target: Any) -> str:
    a = target.applies_to
    if a.all:
        return "mọi đơn vị"
    parts = [plan.kind_name(k).lower() for k in a.kinds]
    parts += [plan.unit_index[u].name if u in plan.unit_index else u for u in a.units]
    return ", ".join(parts)
