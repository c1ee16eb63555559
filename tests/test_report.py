"""`plan57 report` (SPEC §5): the province-wide synthesis report.

- golden files, compared byte for byte: the shipped sample data and a hand-written scenario
  (tests/data/scenario) over the mini registry, with missing, late and invalid units;
  `PLAN57_REGEN_GOLDEN=1 python -m pytest tests/test_report.py` rewrites them instead;
- completeness of the scenario report (targets, tasks, channels, units, section I, section V);
- unit-written text stays text (tables, headings, HTML, links), checked with markdown-it-py;
- the sample-data notice, determinism, the atomic `-o`, the sandboxed `--template`,
  the default year and the administrative header of Nghị định 30/2020/NĐ-CP.

The CLI is driven in-process with typer's CliRunner; every run passes `--date 2025-12-15`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
import pickle
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token
from ruamel.yaml import YAML
from typer.testing import CliRunner, Result

from plan57.cli import app
from plan57.model.plan import Plan
from plan57.render.view import reporter_name, short_name
from plan57.validation.plan_file import load_plan

from .conftest import PLAN, REPO, submission, write

runner = CliRunner()
DATE = "2025-12-15"
TESTS = Path(__file__).resolve().parent
GOLDEN = TESTS / "golden"
SCENARIO = TESTS / "data" / "scenario"
REGEN = os.environ.get("PLAN57_REGEN_GOLDEN") == "1"


# ---- helpers -------------------------------------------------------------------------------


def report(*args: str | Path) -> Result:
    """`plan57 report ARGS --date 2025-12-15`, in-process."""
    return runner.invoke(app, ["report", *map(str, args), "--date", DATE])


def ok(*args: str | Path) -> str:
    result = report(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def check_golden(name: str, produced: bytes) -> None:
    """Compare with tests/golden/NAME byte for byte, or rewrite it under PLAN57_REGEN_GOLDEN=1."""
    path = GOLDEN / name
    if REGEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(produced)
        return
    assert path.is_file(), f"thiếu tệp mẫu {path}: tạo bằng PLAN57_REGEN_GOLDEN=1 python -m pytest {__file__}"
    expected = path.read_bytes()
    if produced != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.decode("utf-8", "replace").splitlines(keepends=True),
                produced.decode("utf-8", "replace").splitlines(keepends=True),
                fromfile=f"tests/golden/{name}",
                tofile="plan57 report",
            )
        )
        pytest.fail(
            f"báo cáo khác tệp mẫu tests/golden/{name} "
            f"(nếu thay đổi là cố ý: PLAN57_REGEN_GOLDEN=1 python -m pytest {Path(__file__).name}):\n{diff}",
            pytrace=False,
        )


def load_yaml(path: Path) -> Any:
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


MD = MarkdownIt("commonmark").enable("table")


def tokens(text: str) -> list[Token]:
    return MD.parse(text)


def walk(toks: list[Token]) -> Iterator[Token]:
    """Every token, inline children included."""
    for tok in toks:
        yield tok
        if tok.children:
            yield from walk(tok.children)


def inline_text(tok: Token) -> str:
    """The plain text of one inline token: its text and code spans, breaks as spaces."""
    parts = []
    for child in tok.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def plain_lines(text: str) -> list[str]:
    """The report as a reader sees it: one string per block of inline text."""
    return [inline_text(t) for t in tokens(text) if t.type == "inline"]


def flat(s: str) -> str:
    """A unit's string as it should read in the report: newlines become spaces."""
    return " ".join(s.split())


def section(text: str, start: str, end: str | None = None) -> str:
    i = text.index(start)
    return text[i : text.index(end, i)] if end else text[i:]


def attributed(lines: list[str]) -> list[str]:
    """'Unit: text' for each item listed under a 'Unit:' line (section V lists a unit's items under it)."""
    out, unit = [], None
    for line in lines:
        if line.endswith(":") and not line[0].isdigit():
            unit = line[:-1]
        elif unit is not None:
            out.append(f"{unit}: {line}")
    return out


def first_nonempty_line(text: str) -> str:
    return next(line for line in text.splitlines() if line.strip())


def unescaped_pipes(line: str) -> int:
    """Number of `|` in a source line that are cell separators (not `\\|`)."""
    count, i = 0, 0
    while i < len(line):
        if line[i] == "\\":
            i += 2
            continue
        count += line[i] == "|"
        i += 1
    return count


# ---- scenario (tests/data/scenario) over the mini registry ------------------------------------

SCENARIO_FILES = sorted((SCENARIO / "units" / "2025").glob("*.yaml"))
INVALID_UNIT = "truong-dh-tay-bac"  # staff.informed > staff.total
LATE_UNIT = "bao-ptth-son-la"  # submitted 2025-12-05
MISSING_UNITS = ["bql-kcn", "xa-muong-la"]


@pytest.fixture(scope="module")
def scenario(mini_plan_path: Path) -> Result:
    """The scenario report, run from the scenario folder so that file paths shown are stable."""
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(SCENARIO)
        return report("--plan", mini_plan_path, "--units", "units", "--year", "2025")


@pytest.fixture(scope="module")
def scenario_text(scenario: Result) -> str:
    assert scenario.exit_code == 0, scenario.output
    return scenario.stdout


# ---- 1. golden files ---------------------------------------------------------------------------


def test_golden_sample_2025(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = report("--plan", "data/plan.yaml", "--units", "data/units", "--year", "2025")
    assert result.exit_code == 0, result.output
    check_golden("sample-2025.md", result.stdout_bytes)


def test_golden_scenario_2025(scenario: Result) -> None:
    assert scenario.exit_code == 0, scenario.output
    # The invalid file is named on stderr, never silently dropped (SPEC §4).
    assert f"units/2025/{INVALID_UNIT}.yaml" in scenario.stderr
    check_golden("scenario-2025.md", scenario.stdout_bytes)


# ---- 2. scenario completeness ------------------------------------------------------------------


def test_scenario_has_every_target_task_channel_and_unit(scenario_text: str, mini_plan: Plan) -> None:
    text = scenario_text
    plain = "\n".join(plain_lines(text))
    assert len(mini_plan.targets) == 11
    for target in mini_plan.targets:
        assert target.id in text, target.id
    assert [t.id for t in mini_plan.tasks] == [
        "1a",
        "1b",
        "1c",
        "1d",
        "2a",
        "2b",
        "2c",
        "2d",
        "3a",
        "3b",
        "4a",
        "4b",
        "4c",
        "5a",
        "5b",
        "5c",
    ]
    tasks_part = section(text, "## III.", "## IV.")
    for task in mini_plan.tasks:
        assert re.search(rf"^#+ .*\b{task.id}\b", tasks_part, re.M), f"nhiệm vụ {task.id} không có mục riêng"
    assert len(mini_plan.channels) == 10
    channels_part = "\n".join(plain_lines(section(text, "## IV.", "## V.")))
    for channel in mini_plan.channels:
        assert channel.text in channels_part, channel.text
    for unit in mini_plan.units:
        assert reporter_name(unit, mini_plan) in plain, unit.name
    # the annex: one row per registry unit, in registry order
    annex = section(text, "## Phụ lục")
    positions = [annex.find(f"| {reporter_name(u, mini_plan)} |") for u in mini_plan.units]
    assert -1 not in positions and positions == sorted(positions), positions


def test_scenario_section_one_names_missing_late_and_invalid(scenario_text: str, mini_plan: Plan) -> None:
    names = {u.id: reporter_name(u, mini_plan) for u in mini_plan.units}
    short = {u.id: short_name(u, mini_plan) for u in mini_plan.units}
    part = section(scenario_text, "## I.", "## II.")
    assert re.search(r"phải báo cáo: 8\b", part)
    assert re.search(r"hợp lệ: 5\b", part)
    assert re.search(r"đúng hạn[^:]*: 4\b", part)
    assert re.search(r"gửi muộn[^:]*: 1\b", part)
    assert re.search(r"chưa gửi báo cáo: 2\b", part)
    assert re.search(r"không hợp lệ[^:]*: 1\b", part)
    chunks = part.split("\n\n")

    def listed_under(word: str) -> str:
        heads = [i for i, c in enumerate(chunks) if c.startswith("**") and word in c]
        assert heads, f"không có mục '{word}' trong phần I"
        return chunks[heads[0] + 1]

    late = listed_under("muộn")
    assert names[LATE_UNIT] in late and "05/12/2025" in late
    invalid = listed_under("không hợp lệ")
    assert names[INVALID_UNIT] in invalid and ".yaml" not in invalid  # by its name, never its file (SPEC §5)
    missing = listed_under("chưa gửi")
    for uid in MISSING_UNITS:
        assert short[uid] in missing, uid
    # units that reported on time are not named in section I
    for uid in ("so-khcn", "phuong-to-hieu", "xa-chieng-la"):
        assert names[uid] not in part, uid


def test_scenario_feedback_is_attributed_to_its_unit(scenario_text: str, mini_plan: Plan) -> None:
    names = {u.id: reporter_name(u, mini_plan) for u in mini_plan.units}
    part = section(scenario_text, "## V.", "## Phụ lục")
    lines = attributed(plain_lines(part))
    seen = 0
    for path in SCENARIO_FILES:
        data = load_yaml(path)
        for text in (data.get("difficulties") or []) + (data.get("proposals") or []):
            if data["unit"] == INVALID_UNIT:  # an invalid file's data is not used
                assert text not in scenario_text
                continue
            assert any(names[data["unit"]] in line and text in line for line in lines), (data["unit"], text)
            seen += 1
    assert seen == 8


def test_scenario_key_day_events(scenario_text: str) -> None:
    part = section(scenario_text, "#### Nhiệm vụ 1c", "#### Nhiệm vụ 1d")
    lines = plain_lines(part)
    for day, event in (
        ("18/5", "Hưởng ứng Ngày Khoa học và Công nghệ Việt Nam"),
        ("1/10", "Ngày hội Đổi mới sáng tạo tỉnh Sơn La"),
        ("10/10", "Hưởng ứng Ngày Chuyển đổi số quốc gia"),
        ("10/10", "Ngày hội chuyển đổi số phường Tô Hiệu"),
    ):
        assert any(f"({day})" in line and event in line for line in lines), (day, event)
    # the 20/11 workshop is an event of the task, not of a key day
    workshop = "Hội thảo chuyển đổi số trong nông nghiệp"
    assert workshop in part
    assert not any(workshop in line and re.search(r"\((18/5|1/10|10/10)\)", line) for line in lines)


# ---- 3. unit-written text stays text ----------------------------------------------------------

HOSTILE = [
    "a | b",
    "dòng một\ndòng hai",
    "# Tiêu đề giả",
    "<script>alert(1)</script>",
    "[bấm vào](javascript:alert(1))",
    "dùng `mã` và ``hai``",
    "**đậm**",
    "1. mục đánh số",
    "- gạch đầu dòng",
    # a few more of the same kind
    "<b>in đậm</b> &amp; <https://example.com>",
    "C:\\thư mục\\ | cột",
    "> trích dẫn",
]


def hostile_submission(plan: Plan) -> dict[str, Any]:
    data = submission(plan, "so-khcn", 2025, dt.date(2025, 12, 1))
    data["difficulties"] = list(HOSTILE)
    data["proposals"] = list(HOSTILE)
    task_ids = [t.id for t in plan.tasks]
    tasks: dict[str, Any] = {tid: {"activities": 1, "note": s} for tid, s in zip(task_ids, HOSTILE)}
    key_days = ["05-18", "10-01", "10-10"]
    tasks["1c"]["events"] = [
        {"date": dt.date.fromisoformat(f"2025-{key_days[i % 3] if i < 6 else '11-20'}"), "name": s, "participants": 10}
        for i, s in enumerate(HOSTILE)
    ]
    data["tasks"] = tasks
    data["training"] = data.get("training", []) + [
        {"name": s, "audience": "citizens", "participants": 5} for s in HOSTILE
    ]
    return data


@pytest.fixture(scope="module")
def hostile_text(tmp_path_factory: pytest.TempPathFactory, mini_plan_path: Path, mini_plan: Plan) -> str:
    units = tmp_path_factory.mktemp("hostile") / "units"
    write(units, 2025, "so-khcn", hostile_submission(mini_plan))
    return ok("--plan", mini_plan_path, "--units", units, "--year", "2025")


def test_hostile_text_keeps_every_table_whole(hostile_text: str) -> None:
    toks = tokens(hostile_text)
    source = hostile_text.splitlines()
    tables = 0
    for i, tok in enumerate(toks):
        if tok.type != "table_open":
            continue
        tables += 1
        head_cells, body_rows, cells, part = None, [], 0, None
        for t in toks[i + 1 :]:
            if t.type == "table_close":
                break
            if t.type in ("thead_open", "tbody_open"):
                part = t.type
            elif t.type == "tr_open":
                cells = 0
            elif t.type in ("th_open", "td_open"):
                cells += 1
            elif t.type == "tr_close":
                if part == "thead_open":
                    head_cells = cells
                else:
                    body_rows.append(cells)
        assert head_cells and all(n == head_cells for n in body_rows), (head_cells, body_rows)
        # markdown-it pads or truncates short and long rows, so also count separators in the source
        start, end = tok.map  # type: ignore[misc]
        pipes = {unescaped_pipes(line) for line in source[start:end]}
        assert pipes == {head_cells + 1}, (source[start], pipes)
    assert tables >= 5  # header, targets, trainings, channels, annex
    # the trainings table has one row per programme, and each name sits whole in its own cell
    table = section(hostile_text, "| STT | Đơn vị | Chương trình", "\n\n")
    assert len(table.splitlines()) == 2 + 3 + len(HOSTILE)
    cells = [inline_text(t) for t in tokens(table) if t.type == "inline"]
    for s in HOSTILE:  # whole in one cell (exactness: test_hostile_text_reads_exactly_as_written)
        assert any(flat(s) in cell for cell in cells), s


def test_hostile_text_injects_no_html(hostile_text: str) -> None:
    found = [t for t in walk(tokens(hostile_text)) if t.type in ("html_block", "html_inline")]
    assert not found, [t.content for t in found]
    html = MD.render(hostile_text)
    assert "<script" not in html and "<b>" not in html


def test_hostile_text_creates_no_link(hostile_text: str) -> None:
    found = [t for t in walk(tokens(hostile_text)) if t.type in ("link_open", "image")]
    assert not found, [t.attrs for t in found]
    assert "href=" not in MD.render(hostile_text)


def test_hostile_text_starts_no_heading(hostile_text: str) -> None:
    toks = tokens(hostile_text)
    for i, tok in enumerate(toks):
        if tok.type == "heading_open":
            assert "Tiêu đề giả" not in toks[i + 1].content, toks[i + 1].content
    # nor a list item or block quote of its own: every hostile string sits inside a line of ours
    for line in hostile_text.splitlines():
        for s in HOSTILE:
            assert not line.startswith(flat(s)[:4]), line


def test_hostile_text_is_all_there(hostile_text: str) -> None:
    plain = "\n".join(plain_lines(hostile_text))
    for s in HOSTILE:
        assert plain.count(flat(s)) >= 5, s  # difficulty, proposal, note, event, training


@pytest.mark.parametrize(
    "s",
    [s for s in HOSTILE],
)
def test_hostile_text_reads_exactly_as_written(hostile_text: str, s: str) -> None:
    """Each difficulty reads 'Unit: text' with nothing added or lost."""
    lines = attributed(plain_lines(section(hostile_text, "### 1. Khó khăn", "### 2. Đề xuất")))
    assert f"Sở Khoa học và Công nghệ: {flat(s)}" in lines, lines


# ---- 4. the sample notice ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "sample_in, notice",
    [("none", False), ("valid", True), ("invalid", False), ("other-year", False)],
)
def test_sample_notice(tmp_path: Path, mini_plan_path: Path, mini_plan: Plan, sample_in: str, notice: bool) -> None:
    units = tmp_path / "units"
    plain = submission(mini_plan, "so-vhttdl", 2025)
    write(units, 2025, "so-vhttdl", plain)
    other = submission(mini_plan, "so-khcn", 2025)
    if sample_in == "valid":
        other["sample"] = True
    if sample_in == "invalid":
        other["sample"] = True
        other["staff"] = {"total": 1, "informed": 2}
    write(units, 2025, "so-khcn", other)
    if sample_in == "other-year":
        write(units, 2026, "so-khcn", {**submission(mini_plan, "so-khcn", 2026), "sample": True})
    text = ok("--plan", mini_plan_path, "--units", units, "--year", "2025")
    if notice:
        first = first_nonempty_line(text)
        assert "là dữ liệu mẫu" in first, first
        toks = tokens(text)
        assert toks[0].type in ("blockquote_open", "paragraph_open", "heading_open"), toks[0].type
        first_inline = next(t for t in toks if t.type == "inline")
        assert "là dữ liệu mẫu" in inline_text(first_inline)  # visible text, not a comment
    else:
        assert "dữ liệu mẫu" not in text.lower()


def test_sample_notice_on_shipped_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    text = ok("--plan", "data/plan.yaml", "--units", "data/units", "--year", "2025")
    assert "là dữ liệu mẫu" in first_nonempty_line(text)


# ---- 5. determinism and -o ----------------------------------------------------------------------


def test_two_runs_are_byte_identical(mini_plan_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(SCENARIO)
    args = ("--plan", mini_plan_path, "--units", "units", "--year", "2025")
    first, second = report(*args), report(*args)
    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    assert first.stdout_bytes == second.stdout_bytes


def test_output_file_is_stdout_and_replaced_atomically(tmp_path: Path, mini_plan_path: Path) -> None:
    units = SCENARIO / "units"
    args = ("--plan", mini_plan_path, "--units", units, "--year", "2025")
    stdout = report(*args)
    assert stdout.exit_code == 0, stdout.output
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "tonghop.md"
    target.write_text("bản cũ, dài hơn nhiều " * 5000, encoding="utf-8")
    for _ in range(2):  # replaces an existing file, then its own output
        result = report(*args, "-o", target)
        assert result.exit_code == 0, result.output
        assert result.stdout == ""
        assert target.read_bytes() == stdout.stdout_bytes
        assert sorted(p.name for p in out_dir.iterdir()) == ["tonghop.md"]  # no temporary file left


# ---- 6. --template -----------------------------------------------------------------------------


def test_user_template_renders(tmp_path: Path, mini_plan_path: Path) -> None:
    tpl = tmp_path / "ngan.md.j2"
    tpl.write_text(
        "# Tóm tắt năm {{ y }}\n\n"
        "Đã nộp {{ reporting.submitted | length }}/{{ reporting.expected | length }}.\n"
        "{% for f in feedback %}{% for d in f.difficulties %}- {{ f.unit | md }}: {{ d | md }}\n{% endfor %}{% endfor %}",
        encoding="utf-8",
    )
    text = ok("--plan", mini_plan_path, "--units", SCENARIO / "units", "--year", "2025", "--template", tpl)
    assert text.startswith("# Tóm tắt năm 2025\n\nĐã nộp 5/8.\n"), text
    assert "- UBND phường Tô Hiệu: Một bộ phận người cao tuổi còn hạn chế kỹ năng sử dụng thiết bị số." in text


SECRET = "BÍ-MẬT-42"


def _assert_refused(result: Result) -> None:
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert result.stderr.startswith("plan57: "), result.stderr
    assert "root:" not in result.output and SECRET not in result.output
    assert SECRET not in str(result.exception)


# pytest turns warnings into errors (pyproject); a user's run does not, so neither do these tests.
_AS_USERS_RUN = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ lipsum.__globals__['os'].system('true') }}",
        "{{ range.__self__ }}",
        "{% for x in ''.__class__.__mro__ %}{{ x }}{% endfor %}",
        "{{ y",  # a syntax error
        pytest.param("{% include '/etc/passwd' %}"),
        pytest.param("{% import '/etc/passwd' as p %}{{ p }}"),
        pytest.param("{% extends '/etc/passwd' %}"),
        pytest.param("{{ plan.parse_file(SECRET_FILE) }}", marks=[_AS_USERS_RUN]),
        pytest.param("{{ rows[0].unit.parse_file(SECRET_FILE) }}", marks=[_AS_USERS_RUN]),
    ],
)
def test_malicious_template_is_refused(tmp_path: Path, mini_plan_path: Path, source: str) -> None:
    secret = tmp_path / "secret.json"
    secret.write_text(f'{{"plan": "{SECRET}", "id": "{SECRET}"}}', encoding="utf-8")
    tpl = tmp_path / "xau.md.j2"
    tpl.write_text(source.replace("SECRET_FILE", repr(str(secret))), encoding="utf-8")
    result = report("--plan", mini_plan_path, "--units", SCENARIO / "units", "--template", tpl)
    _assert_refused(result)


@_AS_USERS_RUN
@_AS_USERS_RUN
def test_template_cannot_unpickle_a_file(tmp_path: Path, mini_plan_path: Path) -> None:
    marker = tmp_path / "da-chay-ma"

    class Payload:  # unpickling calls os.mkdir(marker): proof that code ran
        def __reduce__(self) -> tuple[Any, ...]:
            return (os.mkdir, (str(marker),))

    blob = tmp_path / "blob.pkl"
    blob.write_bytes(pickle.dumps(Payload()))
    tpl = tmp_path / "xau.md.j2"
    tpl.write_text(
        f"{{{{ plan.parse_file({str(blob)!r}, allow_pickle=True, content_type='application/pickle') }}}}",
        encoding="utf-8",
    )
    result = report("--plan", mini_plan_path, "--units", SCENARIO / "units", "--template", tpl)
    assert not marker.exists(), "mẫu báo cáo đã chạy được mã Python qua pickle"
    _assert_refused(result)


def test_missing_template_is_a_usage_error(tmp_path: Path, mini_plan_path: Path) -> None:
    result = report("--plan", mini_plan_path, "--units", SCENARIO / "units", "--template", tmp_path / "khong-co.j2")
    _assert_refused(result)


# ---- 7. default year ------------------------------------------------------------------------------


def test_default_year_is_latest_with_submissions(tmp_path: Path, mini_plan_path: Path, mini_plan: Plan) -> None:
    units = tmp_path / "units"
    for uid in ("so-vhttdl", "so-khcn", "xa-muong-la"):
        write(units, 2025, uid, submission(mini_plan, uid, 2025))
    write(units, 2026, "phuong-to-hieu", submission(mini_plan, "phuong-to-hieu", 2026))
    # dated after the 2026 file was sent: a report dated before it counts it as not sent (SPEC §4)
    result = runner.invoke(
        app, ["report", "--plan", str(mini_plan_path), "--units", str(units), "--date", "2026-12-15"]
    )
    assert result.exit_code == 0, result.output
    text = result.stdout
    title = text.split("# BÁO CÁO", 1)[1].strip().splitlines()[0]
    assert title.rstrip("*").endswith("năm 2026"), title
    assert "NĂM 2026" in text and "năm 2025" not in title
    assert re.search(r"đã gửi báo cáo hợp lệ: 1\b", text)
    # an explicit --year still wins
    text = ok("--plan", mini_plan_path, "--units", units, "--year", "2025")
    title = text.split("# BÁO CÁO", 1)[1].strip().splitlines()[0]
    assert title.rstrip("*").endswith("năm 2025"), title


# ---- 8. the administrative header and footer (Nghị định 30/2020/NĐ-CP) -----------------------------


def test_document_header_and_recipients(mini_plan_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "report",
            "--plan",
            str(mini_plan_path),
            "--units",
            str(SCENARIO / "units"),
            "--year",
            "2025",
            "--date",
            DATE,
            "--number",
            "312",
        ],
    )
    assert result.exit_code == 0, result.output
    text = result.stdout
    plain = "\n".join(plain_lines(text))
    ordered = [
        "ỦY BAN NHÂN DÂN TỈNH SƠN LA",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 312/BC-SVHTTDL",
        "Sơn La, ngày 15 tháng 12 năm 2025",
        "BÁO CÁO",
        "Kính gửi",
        "Nơi nhận",
    ]
    positions = [plain.find(s) for s in ordered]
    assert -1 not in positions, dict(zip(ordered, positions))
    assert positions == sorted(positions), dict(zip(ordered, positions))
    headings = [tokens(text)[i + 1].content for i, t in enumerate(tokens(text)) if t.type == "heading_open"]
    assert "BÁO CÁO" in headings
    # sections I–V and the annex, in order
    marks = ["## I.", "## II.", "## III.", "## IV.", "## V.", "Trên đây là báo cáo", "***Nơi nhận", "## Phụ lục"]
    at = [text.find(m) for m in marks]
    assert -1 not in at and at == sorted(at), dict(zip(marks, at))


def test_full_number_is_kept(mini_plan_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "report",
            "--plan",
            str(mini_plan_path),
            "--units",
            str(SCENARIO / "units"),
            "--year",
            "2025",
            "--date",
            DATE,
            "--number",
            "312/BC-SVHTTDL",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Số: 312/BC-SVHTTDL |" in result.stdout
    assert "312/BC-SVHTTDL/BC-SVHTTDL" not in result.stdout


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="\n\r a-", max_size=80))
def test_runs_of_blank_lines_become_one_as_the_pattern_says(text: str) -> None:
    """The report's text keeps one blank line where the template left several: exactly what
    `re.sub(r"\\n{3,}", "\\n\\n", …)` gives, on any text."""
    from plan57.render.markdown import blank_lines_once

    assert blank_lines_once(text) == re.sub(r"\n{3,}", "\n\n", text)


def test_a_date_reads_as_before_whatever_a_template_gives() -> None:
    """`vndate` takes a date's text once (a year's submissions share a few dozen dates); what else
    a template gives it reads as it did: a datetime by its date, nothing and empty values as "—"."""
    from plan57.render.markdown import vn_date

    assert vn_date(dt.date(2026, 3, 5)) == vn_date(dt.date(2026, 3, 5)) == "05/03/2026"
    assert vn_date(dt.datetime(2026, 3, 5, 8, 0)) == "05/03/2026"
    assert [vn_date(v) for v in (None, "", [], {}, 0)] == ["—"] * 5  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="\n\r a-", max_size=40))
def test_the_report_ends_in_one_newline_on_any_text(text: str) -> None:
    from plan57.render.markdown import one_final_newline

    assert one_final_newline(text) == text.rstrip("\n") + "\n"


# The loops the report template held before its per-unit sections became filters: each filter
# must print exactly what its loop printed.
_LOOPS = {
    "training_rows": (
        "{% for x in trainings %}\n"
        "| {{ loop.index }} | {{ x.unit | md }} | {{ x.item.name | md }} | {{ audiences[x.item.audience] | md }}"
        " | {{ x.item.participants | num }} |\n{% endfor %}"
    ),
    "feedback_items": (
        "{% for f in feedback if f.difficulties %}\n- **{{ f.unit | md }}:**\n"
        "{% for d in f.difficulties %}\n  - {{ d | md }}\n{% endfor %}\n{% endfor %}"
    ),
    "note_lines": "{% for n in notes %}\n- Ghi chú của {{ n.unit | md }}: {{ n.text | md }}\n{% endfor %}",
    "md_names": '{{ names | map("md") | join("; ") }}',
    "event_list": (
        "{% for e in events %}{{ e.unit | md }}: {{ e.event.name | md }}{% if e.event.participants is not none %}"
        " ({{ e.event.participants | num }} người tham dự){% endif %}{{ '; ' if not loop.last }}{% endfor %}"
    ),
    "event_lines": (
        "{% for e in events %}\n  - {{ e.event.date | vndate }}, {{ e.unit | md }}: {{ e.event.name | md }}"
        "{% if e.event.participants is not none %} ({{ e.event.participants | num }} người tham dự){% endif +%}\n"
        "{% endfor %}"
    ),
}

_TEXT = st.text(alphabet=st.sampled_from(list("aĐ ệ|*_\\<>#-1.\n\t`[]")), max_size=12)
_EVENT = st.fixed_dictionaries(
    {
        "unit": _TEXT,
        "event": st.fixed_dictionaries(
            {
                "date": st.dates(dt.date(2025, 1, 1), dt.date(2030, 12, 31)),
                "name": _TEXT,
                "participants": st.none() | st.integers(0, 10**7),
            }
        ),
    }
)


@settings(max_examples=150, deadline=None)
@given(
    trainings=st.lists(
        st.fixed_dictionaries(
            {
                "unit": _TEXT,
                "item": st.fixed_dictionaries(
                    {"name": _TEXT, "audience": st.sampled_from(["a", "b"]), "participants": st.integers(0, 10**6)}
                ),
            }
        ),
        max_size=4,
    ),
    feedback=st.lists(
        st.fixed_dictionaries({"unit": _TEXT, "difficulties": st.lists(_TEXT, max_size=3)}),
        max_size=4,
    ),
    notes=st.lists(st.fixed_dictionaries({"unit": _TEXT, "text": _TEXT}), max_size=4),
    events=st.lists(_EVENT, max_size=4),
)
def test_each_section_filter_prints_what_its_loop_printed(
    trainings: list[Any], feedback: list[Any], notes: list[Any], events: list[Any]
) -> None:
    from plan57.render.markdown import _environment
    from plan57.render.view import plain

    env = _environment(sandboxed=False)
    data = plain(
        {
            "trainings": trainings,
            "audiences": {"a": "Cán bộ", "b": "Người | dân"},
            "feedback": feedback,
            "notes": notes,
            "events": events,
            "names": [n["text"] for n in notes],
        }
    )
    calls = {
        "training_rows": "{{ trainings | training_rows(audiences) }}",
        "feedback_items": '{{ feedback | feedback_items("difficulties") }}',
        "note_lines": "{{ notes | note_lines }}",
        "md_names": "{{ names | md_names }}",
        "event_list": "{{ events | event_list }}",
        "event_lines": "{{ events | event_lines }}",
    }
    for name, loop in _LOOPS.items():
        before = env.from_string(loop).render(**data)
        after = env.from_string(calls[name]).render(**data)
        lines = before.removesuffix("\n") if name not in ("event_list", "md_names") else before
        assert after == lines, name


# ---- the template compiled ahead -----------------------------------------------------------


@pytest.mark.posix("fork: the template compiled ahead")
def test_the_report_uses_the_template_compiled_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    """`report` compiles its template in a child process while it reads the files, and uses that
    code: compiling it here again would lose the time won, silently."""
    import jinja2

    def compiled_here(*args: object, **kwargs: object) -> None:
        raise AssertionError("the template was compiled again")

    plain = ok()  # compiled ahead or not, the same text; and the golden test checks this one
    monkeypatch.setattr(jinja2.Environment, "from_string", compiled_here)
    assert ok() == plain


@pytest.mark.posix("fork: the template compiled ahead")
def test_code_compiled_ahead_renders_what_compiling_here_does(tmp_path: Path) -> None:
    from jinja2.exceptions import SecurityError

    from plan57.api import open_workspace, score
    from plan57.render.markdown import CompiledAhead, _environment, _template, default_template
    from plan57.render.view import context

    ws = open_workspace(REPO / "data" / "plan.yaml", REPO / "data" / "units", cache=False)
    data = context(score(ws, 2026), dt.date(2026, 12, 15), "312")
    source = default_template().read_text(encoding="utf-8")
    env = _environment(sandboxed=False)
    assert _template(env, source, CompiledAhead(None)).render(**data) == env.from_string(source).render(**data)
    # a user template: compiled ahead, it still runs in the sandbox, whose checks are in the
    # environment the code calls
    mine = tmp_path / "mau.md.j2"
    mine.write_text("{{ y }} {{ ''.__class__.__mro__ }}\n", encoding="utf-8")
    boxed = _environment(sandboxed=True)
    assert CompiledAhead(mine).code(mine.read_text(encoding="utf-8")) is not None
    there = _template(boxed, mine.read_text(encoding="utf-8"), CompiledAhead(mine))
    with pytest.raises(SecurityError):
        there.render(**data)


@pytest.mark.posix("fork: the template compiled ahead")
def test_code_compiled_ahead_is_used_only_for_the_source_it_was_compiled_from(tmp_path: Path) -> None:
    from plan57.render.markdown import CompiledAhead, default_template

    source = default_template().read_text(encoding="utf-8")
    assert CompiledAhead(None).code(source) is not None
    assert CompiledAhead(None).code(source + "{# sửa #}") is None  # changed in between
    closed = CompiledAhead(None)
    closed.close()
    assert closed.code(source) is None
    broken = tmp_path / "hong.md.j2"
    broken.write_text("{% if %}\n", encoding="utf-8")
    assert CompiledAhead(broken).code("{% if %}\n") is None  # the child could not: compiled here, and said


def test_an_environment_prepared_ahead_is_the_one_its_template_needs(tmp_path: Path) -> None:
    """`prepare` makes the environment while the workers read the files; a user template still
    renders in the sandbox with it, and our own never gets a sandboxed one (nor the reverse)."""
    from jinja2.sandbox import SandboxedEnvironment

    from plan57.render.markdown import CompiledAhead

    mine = tmp_path / "mau.md.j2"
    mine.write_text("{{ y }}\n", encoding="utf-8")
    for template, boxed in ((None, False), (mine, True)):
        ahead = CompiledAhead(template)
        ahead.prepare()
        env = ahead.environment(boxed)
        assert isinstance(env, SandboxedEnvironment) is boxed and ahead.environment(boxed) is env
        assert isinstance(ahead.environment(not boxed), SandboxedEnvironment) is (not boxed)
        ahead.close()
    unprepared = CompiledAhead(None)
    assert unprepared.environment(False) is not unprepared.environment(False)  # made when asked
    unprepared.close()


@pytest.mark.posix("fork workers")
@pytest.mark.parametrize("fails", [False, True])
def test_work_done_while_the_workers_read_is_done_once_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fails: bool
) -> None:
    """`meanwhile` runs once, after the worker processes have started (none is forked after it),
    and what it raises is ignored: the files are validated as without it."""
    import multiprocessing

    from plan57.validation import validate as v

    units = tmp_path / "units"
    plan = load_plan(PLAN)
    for i in range(v.PARALLEL_MIN_FILES + 10):
        write(units, 2026, f"x{i}", submission(plan, "so-khcn", 2026))
    started: list[int] = []
    real = multiprocessing.get_context("fork").Process.start

    def start(self: object) -> None:
        started.append(1)
        real(self)  # type: ignore[arg-type]

    monkeypatch.setattr(multiprocessing.get_context("fork").Process, "start", start)
    calls: list[int] = []

    def meanwhile() -> None:
        calls.append(len(started))
        if fails:
            raise RuntimeError("hỏng")

    coll = v.validate_tree(units, plan, cache=False, meanwhile=meanwhile)
    assert calls == [len(started)] and len(started) >= 2
    plain = v.validate_tree(units, plan, cache=False)
    assert [(f.display, [d.code for d in f.diagnostics]) for f in coll.files] == [
        (f.display, [d.code for d in f.diagnostics]) for f in plain.files
    ]


@pytest.mark.posix("fork: the template compiled ahead")
def test_no_child_is_left_behind(tmp_path: Path) -> None:
    import os

    from plan57.render.markdown import CompiledAhead

    for finish in ("code", "close"):
        ahead = CompiledAhead(None)
        pid = ahead._pid
        assert pid
        if finish == "code":
            ahead.code("")
        else:
            ahead.close()
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # collected already


def test_the_posts_on_portal_sections_are_reported(tmp_path: Path, mini_plan: Plan, mini_plan_path: Path) -> None:
    """SPEC §4: nothing a unit writes is silently ignored. `portal_section.posts` is totalled in
    section II, over the units that wrote a number (a blank is not 0), and each unit's figure is
    a number in its row of the Excel annex."""
    import io

    import openpyxl

    from plan57.api import open_workspace, score
    from plan57.render import xlsx

    units = tmp_path / "units"
    given = {}
    for uid in [u.id for u in mini_plan.units][:3]:
        data = submission(mini_plan, uid, 2025)
        if "portal_section" not in data:
            continue
        data["portal_section"]["posts"] = {0: 12, 1: None}.get(len(given), 30)
        given[uid] = data["portal_section"]["posts"]
        write(units, 2025, uid, data)
    assert len(given) >= 2 and None in given.values()
    written = [v for v in given.values() if v is not None]
    r = CliRunner().invoke(
        app, ["report", "--year", "2025", "--date", "2025-12-15", "--plan", str(mini_plan_path), "--units", str(units)]
    )
    assert r.exit_code == 0, r.output
    assert (
        f"tổng số tin, bài đã đăng: {sum(written)} ({len(written)} đơn vị ghi số tin, bài; đơn vị để trống "
        "không được tính)" in r.stdout
    ), r.stdout
    book = openpyxl.load_workbook(
        io.BytesIO(xlsx.render(score(open_workspace(mini_plan_path, units), 2025), dt.date(2025, 12, 15)))
    )
    sheet = book["Phụ lục 2025"]
    heads = [c.value for c in sheet[1]]
    col = heads.index("Số tin, bài trên chuyên mục")
    ids = heads.index("Mã đơn vị")
    shown = {row[ids]: row[col] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert {uid: shown[uid] for uid in given} == given


def _shipped(*args: str) -> Result:
    return CliRunner().invoke(
        app, [*args, "--plan", str(REPO / "data" / "plan.yaml"), "--units", str(REPO / "data" / "units")]
    )


def test_a_milestone_row_states_its_own_years_verdict_and_figure() -> None:
    """SPEC §4/§5: a target due before Y keeps the verdict of its year, said with that year
    ("(năm 2025)"), its figure in the column of that year (Y − 1) and never twice, beside Y's own
    figure. Checked on the shipped 2026 report against `score --format json`."""
    scored = json.loads(_shipped("score", "--year", "2026", "--format", "json").stdout)
    text = _shipped("report", "--year", "2026", "--date", "2026-12-15").stdout
    earlier = [t for t in scored["targets"] if t["judged_year"] < 2026]
    assert earlier, "the shipped data has milestones judged in 2025"
    labels = {"met": "Đạt", "not_met": "Chưa đạt", "insufficient_data": "Chưa đủ dữ liệu"}
    for t in earlier:
        row = next(line for line in text.splitlines() if f"({t['id']})" in line and line.startswith("| "))
        cells = row.strip(" |").split(" | ")
        verdict, previous, now = cells[-1], cells[4], cells[5]
        assert t["judged_year"] == 2025
        assert verdict.startswith(f"{labels[t['status']]} (năm 2025"), (t["id"], verdict)
        if t["numerator"] is not None:
            fraction = f"({t['numerator']:,}/{t['denominator']:,})".replace(",", ".")
            assert fraction in previous and fraction not in verdict, (t["id"], row)
            current = t["current"]
            assert f"({current['numerator']:,}/{current['denominator']:,})".replace(",", ".") in now
        assert t["current"] is not None


def test_the_channels_table_counts_the_units_that_used_each_channel() -> None:
    """SPEC §5: each channel of plan section IV with the number of units that used it, as each
    valid submission of the year lists them."""
    from plan57.api import open_workspace, score

    result = score(open_workspace(REPO / "data" / "plan.yaml", REPO / "data" / "units", cache=False), 2026)
    used: dict[int, int] = {}
    for record in result.records.values():
        for channel in record.get("channels") or []:
            used[channel] = used.get(channel, 0) + 1
    text = _shipped("report", "--year", "2026", "--date", "2026-12-15").stdout
    section = text.split("## IV.", 1)[1].split("## V.", 1)[0]
    counts = {int(c): int(n) for c, n in re.findall(r"^\| (\d+) \| .* \| (\d+) \|$", section, re.M)}
    assert counts == {c.id: used.get(c.id, 0) for c in result.plan.channels}, counts
    assert any(counts.values())


_MARKUP = st.text(
    alphabet=st.sampled_from(list("aAwW.:/@ Đệ1 9-+=>|*_\\<>#~&!{}[]`()\n\t\u00a0\u2003١Kſ")) | st.characters(),
    max_size=24,
)


@settings(max_examples=400, deadline=None)
@given(_MARKUP)
def test_text_without_markup_skips_the_escapes_and_loses_nothing(value: str) -> None:
    """`md` looks once for anything its three escapes could change and leaves text without any
    as it is: on any text, what the three substitutions themselves give."""
    from plan57.render import markdown

    markdown._md.cache_clear()
    joined = " ".join(value.split())
    assert markdown.md(value) == markdown._escape(joined)
    if markdown._MAY_ESCAPE.search(joined) is None:
        assert markdown.md(value) == joined
