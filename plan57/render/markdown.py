"""The province-wide synthesis report (báo cáo tổng hợp), rendered from a YearResult.

Templates run in a sandboxed Jinja2 environment that sees only its own source: a user template
cannot read files or call into Python. Everything a unit wrote passes through `md`, so it stays
text: it cannot break a table, start a heading, or inject HTML or links.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

from plan57.base.errors import UsageError
from plan57.base.files import NotReadable, read_regular
from plan57.base.numbers import percent, percent_of, vn_int
from plan57.base.paths import templates_dir
from plan57.render.view import annex_cells, context
from plan57.scoring.score import YearResult

DEFAULT_TEMPLATE = "tonghop.md.j2"
_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~&!{}])")
_AUTOLINK = re.compile(r"(?i)(?:[a-z][a-z0-9+.-]*:(?=//)|\bwww\.|@)")
_LINE_START = re.compile(r"^(\s*)(?:([-+=>])|(\d+)([.)]))")
# whatever any of the three above could change, looked for at once: most names and sentences have
# none of it, and one search costs a third of three substitutions (a report escapes thousands)
_MAY_ESCAPE = re.compile(r"(?i)[\\`*_\[\]<>|#~&!{}@:]|www\.|^[-+=>\d]")


def md(value: Any) -> str:
    """Unit-written text as inert Markdown: one line, every markup character escaped."""
    if value is None:
        return ""
    return _md(str(value))


@functools.lru_cache(maxsize=16384)
def _md(value: str) -> str:
    text = " ".join(value.split())  # newlines and runs of spaces become one space
    return _escape(text) if _MAY_ESCAPE.search(text) else text


def _escape(text: str) -> str:
    text = _SPECIAL.sub(r"\\\1", text)
    text = _AUTOLINK.sub(lambda m: m.group(0)[:-1] + "\\" + m.group(0)[-1], text)  # no bare-URL links
    return _LINE_START.sub(
        lambda m: m.group(1) + ("\\" + m.group(2) if m.group(2) else m.group(3) + "\\" + m.group(4)), text
    )


def vn_date(value: dt.date | None) -> str:
    if not value:
        return "—"
    if type(value) is dt.date:
        return _date_text(value)
    return value.strftime("%d/%m/%Y")  # a datetime, or whatever a template gives: as it says


@functools.lru_cache(maxsize=4096)  # a year's thousands of submissions share a few dozen dates
def _date_text(value: dt.date) -> str:
    return value.strftime("%d/%m/%Y")


def ratio_text(pair: tuple[int, int] | None) -> str:
    if not pair:
        return "—"
    num, den = pair
    if not den:
        return f"{vn_int(num)}/0"
    shown = percent_of(num, den) if den > 0 else percent(Fraction(num, den))
    return f"{shown} ({vn_int(num)}/{vn_int(den)})"


def annex_rows(
    rows: list[Any],
    ratio_targets: list[Any],
    names: dict[str, str],
    state_label: dict[str, str],
    indicators: list[Any] | None = None,
    plan_column: bool = True,
    portal_column: bool = True,
) -> str:
    """The annex table's body, one line per unit, as the default template shows it. A filter
    rather than a loop in the template: at thousands of units, Jinja's per-cell work would cost
    more than the whole rest of the report."""
    ids = [t["id"] for t in ratio_targets]
    lines = []
    for i, row in enumerate(rows, 1):
        name, *rest = annex_cells(row, ids, names, [x["id"] for x in indicators or []], plan_column, portal_column)
        cells = [str(i), md(name), *(c if isinstance(c, str) else c["text"] for c in rest)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def md_names(names: list[Any]) -> str:
    """Names as inert Markdown, joined by "; " (what `map("md") | join("; ")` gives, without
    Jinja's per-item call: a task's leads are thousands of xã at 3,400 units)."""
    return "; ".join(map(md, names))


def training_rows(trainings: list[Any], audiences: dict[str, str]) -> str:
    """The body of the table of trainings, one line per programme (a filter, as `annex_rows`)."""
    return "\n".join(
        f"| {i} | {md(x['unit'])} | {md(x['item']['name'])} | {md(audiences[x['item']['audience']])}"
        f" | {vn_int(x['item']['participants'])} |"
        for i, x in enumerate(trainings, 1)
    )


def feedback_items(feedback: list[Any], key: str) -> str:
    """Each unit that wrote some `key` (difficulties, proposals), in bold, with its items below."""
    lines = []
    for f in feedback:
        if f[key]:
            lines.append(f"- **{md(f['unit'])}:**")
            lines.extend(f"  - {md(item)}" for item in f[key])
    return "\n".join(lines)


def note_lines(notes: list[Any]) -> str:
    """A task's notes, one line per unit that wrote one."""
    return "\n".join(f"- Ghi chú của {md(n['unit'])}: {md(n['text'])}" for n in notes)


def _event(e: Any) -> str:
    people = e["event"].get("participants")
    return f"{md(e['unit'])}: {md(e['event']['name'])}" + (
        "" if people is None else f" ({vn_int(people)} người tham dự)"
    )


def event_list(events: list[Any]) -> str:
    """A key day's events, on one line."""
    return "; ".join(_event(e) for e in events)


def event_lines(events: list[Any]) -> str:
    """Other events, one indented line each, dated."""
    return "\n".join(f"  - {vn_date(e['event']['date'])}, {_event(e)}" for e in events)


TEMPLATE_MAX_SIZE = 1024 * 1024


def _environment(sandboxed: bool) -> Any:
    """Our own template renders plainly; any other runs sandboxed, seeing only itself."""
    from jinja2 import DictLoader, Environment, StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    cls = ImmutableSandboxedEnvironment if sandboxed else Environment
    env = cls(
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
        loader=DictLoader({}),  # include/import/extends find nothing
    )
    env.filters.update(
        md=md,
        pct=percent,
        num=vn_int,
        vndate=vn_date,
        ratio=ratio_text,
        annex_rows=annex_rows,
        md_names=md_names,
        training_rows=training_rows,
        feedback_items=feedback_items,
        note_lines=note_lines,
        event_list=event_list,
        event_lines=event_lines,
    )
    return env


def default_template() -> Path:
    """The report template used when none is named: an input of every Markdown report."""
    return templates_dir() / DEFAULT_TEMPLATE


class CompiledAhead:
    """A report template compiled by a child process while this one reads the files.

    Compiling the template takes about a tenth of a second; the start of a run (loading the plan,
    starting the workers) leaves one core idle, so the child does it there. `code` gives the
    compiled code when the child compiled exactly the source given (its hash matches), else None,
    and the caller compiles as usual: a child that failed, a template changed in between or a
    platform without fork change nothing but the time. `close` ends the child in any case.

    `prepare` does the rest of what rendering needs before the data (importing Jinja2, making the
    environment), for a caller that has a moment while other processes work.
    """

    def __init__(self, template: Path | None) -> None:
        import os

        self._pid = 0
        self._read = -1
        self._sandboxed = template is not None
        self._env: Any = None
        if not hasattr(os, "fork"):  # pragma: no cover - platforms without fork
            return
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: compile, send, end without running anything of the parent's
            try:
                os.close(read)
                os.write(write, self._compiled(template))  # a pipe holds it whole: it is short
            except BaseException:  # noqa: BLE001 - the parent compiles it itself
                pass
            os._exit(0)
        os.close(write)
        self._pid, self._read = pid, read

    @staticmethod
    def _compiled(template: Path | None) -> bytes:
        import hashlib
        import marshal

        path = template or default_template()
        source = read_regular(path, TEMPLATE_MAX_SIZE).decode("utf-8")
        code = _environment(sandboxed=template is not None).compile(source)
        data = hashlib.sha256(source.encode("utf-8")).digest() + marshal.dumps(code)
        return data if len(data) <= _PIPE_SAFE else b""

    def prepare(self) -> None:
        """Import Jinja2 and make the template's environment now rather than when rendering."""
        self._env = _environment(self._sandboxed)

    def environment(self, sandboxed: bool) -> Any:
        """The environment `prepare` made, if it made one of this kind; else a new one."""
        if self._env is not None and self._sandboxed == sandboxed:
            return self._env
        return _environment(sandboxed)

    def code(self, source: str) -> Any:
        """The compiled code of `source`, if the child made it; None otherwise."""
        import hashlib
        import marshal
        import os

        if self._read < 0:
            return None
        chunks = []
        try:
            while chunk := os.read(self._read, 1 << 16):
                chunks.append(chunk)
        except OSError:
            chunks = []
        self.close()
        data = b"".join(chunks)
        if len(data) <= 32 or data[:32] != hashlib.sha256(source.encode("utf-8")).digest():
            return None
        try:
            return marshal.loads(data[32:])
        except (EOFError, ValueError, TypeError):
            return None

    def close(self) -> None:
        """Stop the child if it is still at work, and collect it."""
        import os
        import signal

        if self._read >= 0:
            os.close(self._read)
            self._read = -1
        if self._pid:
            try:
                os.kill(self._pid, getattr(signal, "SIGKILL", signal.SIGTERM))
            except OSError:
                pass
            try:
                os.waitpid(self._pid, 0)
            except ChildProcessError:
                pass
            self._pid = 0


_PIPE_SAFE = 60 * 1024  # what a pipe holds on Linux (64 KiB) with room to spare: the child never waits


def _template(env: Any, source: str, ahead: CompiledAhead | None) -> Any:
    """The template of `source`: from the code compiled ahead when there is some, else compiled."""
    code = ahead.code(source) if ahead is not None else None
    if code is None:
        return env.from_string(source)
    return env.template_class.from_code(env, code, env.make_globals(None), None)


def render(
    result: YearResult,
    date: dt.date,
    number: str | None = None,
    template: Path | None = None,
    ahead: CompiledAhead | None = None,
) -> str:
    """The report as Markdown text (`ahead`: the template compiled ahead, if it was)."""
    from jinja2 import TemplateError

    path = template or default_template()
    try:
        source = read_regular(path, TEMPLATE_MAX_SIZE).decode("utf-8")
    except NotReadable as exc:
        raise UsageError(f"không đọc được mẫu báo cáo '{path}': {exc}") from None
    except UnicodeDecodeError:
        raise UsageError(f"không đọc được mẫu báo cáo '{path}': tệp không phải UTF-8") from None
    try:
        sandboxed = template is not None
        env = ahead.environment(sandboxed) if ahead is not None else _environment(sandboxed)
        text = _template(env, source, ahead).render(**context(result, date, number))
    except TemplateError as exc:
        line = getattr(exc, "lineno", None) or template_line(exc)
        where = f" ở dòng {line}" if line else ""
        raise UsageError(
            f"mẫu báo cáo '{path}' có lỗi{where}: {template_problem(exc)} (chi tiết kỹ thuật: {exc})"
        ) from None
    except Exception as exc:  # a user template must never crash the program
        line = template_line(exc)
        where = f" ở dòng {line}" if line else ""
        raise UsageError(f"mẫu báo cáo '{path}' không chạy được{where}: {type(exc).__name__}") from None
    return one_final_newline(blank_lines_once(text))


def one_final_newline(text: str) -> str:
    """The text ending in exactly one newline: what `text.rstrip("\n") + "\n"` gives, without
    copying a report of megabytes twice when it ends so already (as the default template does)."""
    if text.endswith("\n") and not text.endswith("\n\n"):
        return text
    return text.rstrip("\n") + "\n"


def template_line(exc: BaseException) -> int | None:
    """The template's line where a failure arose while it ran: Jinja2 gives a syntax error its
    line, but an undefined name or a failing expression only through the traceback, whose
    template frames it renumbers to the template's own lines."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


# What Jinja2 says of a template, in the words of a reader of the report's template: (a regular
# expression on its message, the Vietnamese of it); the first that matches is said
_TEMPLATE_PROBLEMS = (
    (r"^'([^']*)' is undefined$", "không có biến '{0}' trong dữ liệu của báo cáo"),
    (r"has no attribute '([^']*)'$", "dữ liệu không có trường '{0}'"),
    (r"^No filter named '([^']*)'", "không có bộ lọc '{0}'"),
    (r"^No test named '([^']*)'", "không có phép thử '{0}'"),
    (r"^Encountered unknown tag '([^']*)'", "thẻ lạ '{{% {0} %}}'"),
    (
        r"innermost block that needs to be closed is '([^']*)'",
        "khối '{{% {0} %}}' chưa được đóng (thiếu '{{% end{0} %}}')",
    ),
    (r"^unexpected end of template", "mẫu kết thúc giữa chừng: thiếu '}}}}' hoặc '%}}' đóng"),
    (
        r"unsafe|is not safely callable|not allowed|access to attribute",
        "mẫu báo cáo dùng thứ không được phép trong mẫu",
    ),
    (r"^[Uu]nexpected '([^']*)'|^[Ee]xpected .*, got '([^']*)'", "cú pháp Jinja2 sai ở đây"),
)


def template_problem(exc: BaseException) -> str:
    """A template error in Vietnamese: its kind and the name it concerns where Jinja2 gives one."""
    import re

    message = str(exc)
    for pattern, text in _TEMPLATE_PROBLEMS:
        m = re.search(pattern, message)
        if m is not None:
            return text.format(*(g for g in m.groups() if g is not None))
    return "hãy kiểm tra cú pháp Jinja2 và tên biến"


def blank_lines_once(text: str) -> str:
    """Runs of blank lines as one: what `re.sub(r"\n{3,}", "\n\n", text)` gives, in a fraction of
    its time on a report of thousands of units (each pass shortens every run by a third)."""
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text
