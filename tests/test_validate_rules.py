"""`plan57 validate` on submission files: every rule of SPEC §2.2 and §3, each located.

Every case starts from a valid submission of `xa-muong-la` (or `so-khcn` for `science_tasks`)
and replaces a few of its lines, so it knows the exact line and column of the offending key or
value. The CLI is driven in-process with typer's CliRunner.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from plan57.cli import app

PLAN = Path(__file__).resolve().parents[1] / "data" / "plan.yaml"
runner = CliRunner()

# A valid 2025 submission of a xã: every block its targets need (SPEC §2.2, §4).
BASE_XA = [
    "unit: xa-muong-la",  # 1
    "year: 2025",  # 2
    "submitted: 2025-12-03",  # 3
    'reference: "Báo cáo số 245/BC-UBND ngày 03/12/2025"',  # 4
    "implementation_plan:",  # 5
    "  issued: true",  # 6
    '  reference: "Kế hoạch số 12/KH-UBND"',  # 7
    "  date: 2025-10-15",  # 8
    "portal_section:",  # 9
    "  exists: true",  # 10
    "  url: https://muongla.sonla.gov.vn/nq57",  # 11
    "  posts: 24",  # 12
    "staff:",  # 13
    "  total: 85",  # 14
    "  informed: 80",  # 15
    "communication_staff:",  # 16
    "  total: 6",  # 17
    "  trained: 4",  # 18
    "population:",  # 19
    "  total: 12500",  # 20
    "  reached: 9800",  # 21
    "grassroots:",  # 22
    "  villages_total: 45",  # 23
    "  villages_equipped: 30",  # 24
    "network:",  # 25
    "  managers: 5",  # 26
    "  experts: 3",  # 27
    "  press_agencies: 1",  # 28
    "  journalists: 10",  # 29
    "  digital_platforms: 2",  # 30
    "  social_networks: 2",  # 31
    "  science_organizations: 1",  # 32
    "  scientists: 6",  # 33
    "  businesses: 8",  # 34
    "  social_organizations: 2",  # 35
    "training:",  # 36
    '  - name: "Bồi dưỡng kỹ năng truyền thông số cho đoàn viên"',  # 37
    "    audience: youth",  # 38
    "    participants: 120",  # 39
    "tasks:",  # 40
    "  1a:",  # 41
    "    activities: 12",  # 42
    "    products: {news: 30, articles: 10, photos: 50, infographics: 4, videos: 3}",  # 43
    "channels: [1, 2, 3, 7, 8]",  # 44
    "contact:",  # 45
    '  name: "Lò Văn Minh"',  # 46
    '  phone: "0912345678"',  # 47
]

# Line numbers of BASE_XA, checked by test_base_line_numbers.
UNIT, YEAR, SUBMITTED, REFERENCE = 1, 2, 3, 4
IP, IP_ISSUED, IP_REFERENCE, IP_DATE = 5, 6, 7, 8
PS, PS_EXISTS, PS_URL = 9, 10, 11
STAFF, STAFF_TOTAL, STAFF_INFORMED = 13, 14, 15
CS_TOTAL, CS_TRAINED = 17, 18
POPULATION, POP_TOTAL, POP_REACHED = 19, 20, 21
GR_TOTAL, GR_EQUIPPED = 23, 24
TRAINING_NAME, TRAINING_AUDIENCE = 37, 38
TASKS, PRODUCTS = 40, 43
CHANNELS = 44
PHONE = 47

# so-khcn (kind `so`): no population/grassroots, but science_tasks (target 2026.nhiem-vu-khcn).
SC, SC_TOTAL, SC_SECRET, SC_COMMUNICATED = 19, 20, 21, 22
SCIENCE = {
    UNIT: "unit: so-khcn",
    19: "science_tasks:",
    20: "  total: 14",
    21: "  secret: 1",
    22: "  communicated: 13",
    23: "# (không có khối grassroots)",
    24: "#",
}

LINE_RE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<sev>lỗi|cảnh báo): (?P<msg>.*)$")
SEVERITY = {"lỗi": "error", "cảnh báo": "warning"}


# ---- helpers -------------------------------------------------------------------------------


def render(changes: dict[int, str | None] | None = None, base: list[str] = BASE_XA) -> str:
    """BASE with lines replaced (1-based); None turns a line into a comment (numbering kept)."""
    lines = list(base)
    for number, text in (changes or {}).items():
        lines[number - 1] = "#" if text is None else text
    return "\n".join(lines) + "\n"


def write(
    tmp_path: Path,
    changes: dict[int, str | None] | None = None,
    *,
    unit: str = "xa-muong-la",
    year: str = "2025",
    suffix: str = ".yaml",
    base: list[str] = BASE_XA,
    text: str | None = None,
    root: str = "units",
) -> Path:
    folder = tmp_path / root / year
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{unit}{suffix}"
    path.write_text(render(changes, base) if text is None else text, encoding="utf-8")
    return path


def science(changes: dict[int, str | None] | None = None) -> dict[int, str | None]:
    return {**SCIENCE, **(changes or {})}


def col(line: str, needle: str, last: bool = False) -> int:
    """1-based column of needle in line."""
    return (line.rindex(needle) if last else line.index(needle)) + 1


def run(*args: str | Path, plan: Path = PLAN, fmt: str | None = None):
    argv = ["validate", "--plan", str(plan)]
    if fmt:
        argv += ["--format", fmt]
    return runner.invoke(app, argv + [str(a) for a in args])


def diagnostics(output: str) -> list[dict]:
    out = []
    for line in output.splitlines():
        m = LINE_RE.match(line)
        if m:
            out.append(
                {
                    "path": m["path"],
                    "line": int(m["line"]),
                    "col": int(m["col"]),
                    "severity": SEVERITY[m["sev"]],
                    "message": m["msg"],
                }
            )
    return out


def at(result, line: int, column: int, severity: str = "error") -> list[str]:
    """Messages of the diagnostics at LINE:COL with that severity."""
    return [
        d["message"]
        for d in diagnostics(result.output)
        if (d["line"], d["col"], d["severity"]) == (line, column, severity)
    ]


def assert_one_at(result, line: int, column: int, *words: str, severity: str = "error") -> str:
    """Some diagnostic at LINE:COL of that severity contains every word; return its message."""
    found = at(result, line, column, severity)
    assert found, f"no {severity} at {line}:{column}\n{result.output}"
    hits = [m for m in found if all(w in m for w in words)]
    assert hits, f"no {severity} at {line}:{column} containing {words}\n{result.output}"
    return hits[0]


def errors(result) -> list[dict]:
    return [d for d in diagnostics(result.output) if d["severity"] == "error"]


# ---- the base --------------------------------------------------------------------------------


def test_base_line_numbers():
    assert BASE_XA[STAFF - 1] == "staff:"
    assert BASE_XA[STAFF_INFORMED - 1] == "  informed: 80"
    assert BASE_XA[POPULATION - 1] == "population:"
    assert BASE_XA[CHANNELS - 1].startswith("channels:")
    assert BASE_XA[PHONE - 1].startswith("  phone:")
    assert BASE_XA[PRODUCTS - 1].startswith("    products:")
    assert BASE_XA[TRAINING_AUDIENCE - 1] == "    audience: youth"


@pytest.mark.parametrize(
    "unit, changes",
    [("xa-muong-la", {}), ("so-khcn", SCIENCE)],
    ids=["xa", "so-khcn"],
)
def test_base_is_valid_without_warnings(tmp_path, unit, changes):
    write(tmp_path, changes, unit=unit)
    result = run(tmp_path / "units")
    assert result.exit_code == 0, result.output
    assert diagnostics(result.output) == [], result.output
    assert "1 hợp lệ" in result.output
    assert "0 lỗi, 0 cảnh báo" in result.output


# ---- 1. unknown keys, task ids, channel ids, product kinds, audiences -------------------------


def test_unknown_top_level_key(tmp_path):
    line = 'referense: "Báo cáo số 245/BC-UBND"'
    write(tmp_path, {REFERENCE: line})
    result = run(tmp_path / "units")
    assert result.exit_code == 1, result.output
    assert_one_at(result, REFERENCE, 1, "referense", "có phải ý bạn là 'reference'")


def test_unknown_nested_key(tmp_path):
    line = "  informd: 80"
    write(tmp_path, {STAFF_INFORMED: line})
    result = run(tmp_path / "units")
    assert result.exit_code == 1, result.output
    assert_one_at(result, STAFF_INFORMED, col(line, "informd"), "staff.informd", "có phải ý bạn là 'informed'")


def test_unknown_product_kind(tmp_path):
    line = "    products: {news: 30, articles: 10, photos: 50, infographics: 4, vidoes: 3}"
    write(tmp_path, {PRODUCTS: line})
    result = run(tmp_path / "units")
    assert result.exit_code == 1, result.output
    assert_one_at(result, PRODUCTS, col(line, "vidoes"), "vidoes", "có phải ý bạn là 'videos'")


def test_unknown_task_id(tmp_path):
    line = "  9z:"
    write(tmp_path, {41: line})
    result = run(tmp_path / "units")
    assert result.exit_code == 1, result.output
    assert_one_at(result, 41, 3, "9z")


def test_unknown_channel_id(tmp_path):
    line = "channels: [1, 2, 11, 8]"
    write(tmp_path, {CHANNELS: line})
    result = run(tmp_path / "units")
    assert result.exit_code == 1, result.output
    assert_one_at(result, CHANNELS, col(line, "11"), "11")


def test_unknown_training_audience(tmp_path):
    line = "    audience: studnets"
    write(tmp_path, {TRAINING_AUDIENCE: line})
    result = run(tmp_path / "units")
    assert result.exit_code == 1, result.output
    assert_one_at(result, TRAINING_AUDIENCE, col(line, "studnets"), "studnets", "có phải ý bạn là 'students'")


def test_quoted_channel_id(tmp_path):
    line = 'channels: [1, "2", 3]'
    write(tmp_path, {CHANNELS: line})
    result = run(tmp_path / "units")
    assert result.exit_code == 1, result.output
    message = assert_one_at(result, CHANNELS, col(line, '"2"'), "channels (mục 2)")
    assert "ý bạn là '2'" not in message
    assert "ngoặc kép" in message


# ---- 2. counts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, word",
    [("-5", "≥ 0"), ("12.5", "số nguyên"), ('"9800"', "ngoặc kép"), ("true", "số nguyên")],
    ids=["negative", "float", "string", "bool"],
)
def test_bad_count(tmp_path, value, word):
    line = f"  reached: {value}"
    write(tmp_path, {POP_REACHED: line})
    result = run(tmp_path / "units")
    assert result.exit_code == 1, result.output
    assert_one_at(result, POP_REACHED, col(line, value), "population.reached", word)
    assert len(errors(result)) == 1, result.output


# ---- 3. part ≤ whole -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, line, key",
    [
        ({STAFF_INFORMED: "  informed: 86"}, STAFF_INFORMED, "staff.informed"),
        ({CS_TRAINED: "  trained: 7"}, CS_TRAINED, "communication_staff.trained"),
        ({POP_REACHED: "  reached: 12501"}, POP_REACHED, "population.reached"),
        ({GR_EQUIPPED: "  villages_equipped: 46"}, GR_EQUIPPED, "grassroots.villages_equipped"),
        (science({SC_SECRET: "  secret: 15"}), SC_SECRET, "science_tasks.secret"),
        (science({SC_COMMUNICATED: "  communicated: 14"}), SC_COMMUNICATED, "science_tasks.communicated"),
    ],
    ids=["informed", "trained", "reached", "villages_equipped", "secret", "communicated"],
)
def test_part_at_most_whole(tmp_path, changes, line, key):
    unit = "so-khcn" if key.startswith("science_tasks") else "xa-muong-la"
    write(tmp_path, changes, unit=unit)
    result = run(tmp_path / "units")
    assert result.exit_code == 1, result.output
    text = render(changes).splitlines()[line - 1]
    value = text.split(":", 1)[1].strip()
    assert_one_at(result, line, col(text, ": " + value) + 2, key)
    assert len(errors(result)) == 1, result.output


def test_communicated_equal_to_total_minus_secret_is_valid(tmp_path):
    write(tmp_path, science({SC_COMMUNICATED: "  communicated: 13"}), unit="so-khcn")
    result = run(tmp_path / "units")
    assert result.exit_code == 0, result.output


# ---- 4. required-when, url, date order -------------------------------------------------------


@pytest.mark.parametrize(
    "changes, line, column, word",
    [
        ({IP_REFERENCE: None}, IP, 1, "implementation_plan.reference"),
        ({IP_DATE: None}, IP, 1, "implementation_plan.date"),
        ({PS_URL: None}, PS, 1, "portal_section.url"),
    ],
    ids=["plan-without-reference", "plan-without-date", "portal-without-url"],
)
def test_required_when(tmp_path, changes, line, column, word):
    write(tmp_path, changes)
    result = run(tmp_path / "units")
    assert result.exit_code == 1, result.output
    assert_one_at(result, line, column, word)


@pytest.mark.parametrize(
    "changes, line, word",
    [
        ({IP_REFERENCE: "  reference:"}, IP_REFERENCE, "implementation_plan.reference"),
        ({IP_DATE: '  date: ""'}, IP_DATE, "implementation_plan.date"),
        ({PS_URL: "  url: null"}, PS_URL, "portal_section.url"),
    ],
    ids=["empty-reference", "empty-date", "null-url"],
)
def test_required_when_written_empty_is_said_at_its_key(tmp_path, changes, line, word):
    """A required key written with no value is said at that key, where the value goes; left out
    (above), at the key of its mapping."""
    write(tmp_path, changes)
    result = run(tmp_path / "units")
    assert result.exit_code == 1, result.output
    assert_one_at(result, line, 3, word, "bắt buộc")


@pytest.mark.parametrize("year, example", [("2025", "2025-12-03"), ("2027", "2027-12-03")])
def test_a_dates_example_is_a_day_of_the_files_year(tmp_path, year, example):
    """Not a fixed day: two days before the units' deadline (05/12) of the year the file reports
    on, as the form of that year shows it."""
    from plan57.model.form import example_date
    from plan57.validation.plan_file import load_plan

    assert example_date(load_plan(PLAN), int(year)) == f"{example[8:]}/{example[5:7]}/{year}"
    line = "  date: hôm qua"
    write(tmp_path, {YEAR: f"year: {year}", SUBMITTED: f"submitted: {year}-12-01", IP_DATE: line}, year=year)
    result = run(tmp_path / "units")
    assert result.exit_code == 1, result.output
    said = assert_one_at(result, IP_DATE, col(line, "hôm"), "NĂM-THÁNG-NGÀY", f"ví dụ {example} ")
    assert "2025-12-03" not in said or year == "2025", said


def test_a_dates_example_of_a_lone_file_is_of_its_stated_year(tmp_path):
    line = "  date: hôm qua"
    path = write(tmp_path, {YEAR: "year: 2027", SUBMITTED: "submitted: 2027-12-01", IP_DATE: line}, year="gui-ve")
    result = run(path)
    assert_one_at(result, IP_DATE, col(line, "hôm"), "ví dụ 2027-12-03 ")


def test_not_issued_needs_no_reference_nor_date(tmp_path):
    write(
        tmp_path,
        {IP_ISSUED: "  issued: false", IP_REFERENCE: None, IP_DATE: None, PS_EXISTS: "  exists: false", PS_URL: None},
    )
    result = run(tmp_path / "units")
    assert result.exit_code == 0, result.output


def test_url_not_http(tmp_path):
    line = "  url: ftp://muongla.sonla.gov.vn/nq57"
    write(tmp_path, {PS_URL: line})
    result = run(tmp_path / "units")
    assert result.exit_code == 1, result.output
    assert_one_at(result, PS_URL, col(line, "ftp"), "http://", "https://", "ftp://")
    assert len(errors(result)) == 1, result.output


def test_plan_date_after_submitted(tmp_path):
    line = "  date: 2025-12-10"
    write(tmp_path, {IP_DATE: line})
    result = run(tmp_path / "units")
    assert result.exit_code == 1, result.output
    assert_one_at(result, IP_DATE, col(line, "2025"), "10/12/2025", "03/12/2025", "kỳ báo cáo năm 2025")


@pytest.mark.parametrize("quote", ["'", '"'])
def test_a_date_in_quotes_is_held_to_the_rules_on_dates(tmp_path, quote):
    """The model reads a date in quotes (a form's text cell gives one) as the date it writes: the
    rules on dates hold for it as for a date written bare, never skipped."""
    line = f"  date: {quote}2025-12-10{quote}"
    write(tmp_path, {IP_DATE: line})
    result = run(tmp_path / "units")
    assert result.exit_code == 1, result.output
    assert_one_at(result, IP_DATE, col(line, quote), "10/12/2025", "03/12/2025", "kỳ báo cáo năm 2025")

    write(tmp_path, {3: f"submitted: {quote}2019-12-03{quote}"})
    result = run(tmp_path / "units")
    assert result.exit_code == 1, result.output
    assert_one_at(result, 3, 12, "2019-12-03", "01/01/2025")

    write(tmp_path, {3: f"submitted: {quote}2025-12-03{quote}"})
    result = run(tmp_path / "units")
    assert result.exit_code == 0 and errors(result) == [], result.output


# ---- 5. missing required keys ----------------------------------------------------------------


@pytest.mark.parametrize("key", ["unit", "year", "submitted"])
def test_missing_required_top_level_key(tmp_path, key):
    number = {"unit": UNIT, "year": YEAR, "submitted": SUBMITTED}[key]
    lines = [line for i, line in enumerate(BASE_XA, 1) if i != number]
    write(tmp_path, text="\n".join(lines) + "\n")
    result = run(tmp_path / "units")
    assert result.exit_code == 1, result.output
    assert_one_at(result, 1, 1, f"'{key}'", "thiếu")


def test_missing_staff_total(tmp_path):
    write(tmp_path, {STAFF_TOTAL: None})
    result = run(tmp_path / "units")
    assert result.exit_code == 1, result.output
    assert_one_at(result, STAFF, 1, "staff.total", "thiếu")


def test_missing_required_key_after_leading_comment(tmp_path):
    # `plan57 new` starts files with a schema comment: the root mapping then begins on line 2
    lines = ["# yaml-language-server: $schema=plan57.schema.json"] + BASE_XA[1:]
    write(tmp_path, text="\n".join(lines) + "\n")
    result = run(tmp_path / "units")
    assert result.exit_code == 1, result.output
    assert_one_at(result, 2, 1, "'unit'", "thiếu")


def test_missing_event_date_names_the_key(tmp_path):
    line = '      - {name: "Hưởng ứng Ngày Chuyển đổi số quốc gia", participants: 300}'
    write(tmp_path, {41: "  1c:", 42: "    events:", 43: line})
    result = run(tmp_path / "units")
    assert result.exit_code == 1, result.output
    assert_one_at(result, 43, col(line, "{"), "tasks.1c.events (mục 1).date", "thiếu")


# ---- 6. year, unit, registry -----------------------------------------------------------------


@pytest.mark.parametrize("year, word", [(2024, "2025"), (2031, "2030")])
def test_year_out_of_range(tmp_path, year, word):
    write(tmp_path, {YEAR: f"year: {year}"})
    result = run(tmp_path / "units")
    assert result.exit_code == 1, result.output
    assert_one_at(result, YEAR, 7, "'year'", word)


def test_year_disagrees_with_folder(tmp_path):
    write(tmp_path, {YEAR: "year: 2026"})
    result = run(tmp_path / "units")
    assert result.exit_code == 1, result.output
    assert_one_at(result, YEAR, 7, "2026", "2025")


def test_unit_disagrees_with_file_stem(tmp_path):
    write(tmp_path, {UNIT: "unit: xa-muong-bu"})
    result = run(tmp_path / "units")
    assert result.exit_code == 1, result.output
    assert_one_at(result, UNIT, 7, "xa-muong-bu", "xa-muong-la.yaml")


def test_unit_not_in_registry(tmp_path):
    write(tmp_path, {UNIT: "unit: xa-muong-lla"})
    result = run(tmp_path / "units")
    assert result.exit_code == 1, result.output
    assert_one_at(result, UNIT, 7, "xa-muong-lla", "có phải ý bạn là 'xa-muong-la'")


def test_file_stem_not_a_registered_unit(tmp_path):
    write(tmp_path, {UNIT: "unit: xa-muong-lla"}, unit="xa-muong-lla")
    result = run(tmp_path / "units")
    assert result.exit_code == 1, result.output
    found = [e for e in errors(result) if "tên tệp 'xa-muong-lla'" in e["message"]]
    assert found, result.output
    assert "có phải ý bạn là 'xa-muong-la'" in found[0]["message"]
    assert_one_at(result, UNIT, 7, "xa-muong-lla")


# ---- 7. the same unit twice in a year --------------------------------------------------------


def test_same_unit_twice_in_one_year(tmp_path):
    first = write(tmp_path, suffix=".yaml")
    second = write(tmp_path, suffix=".yml")
    result = run(tmp_path / "units")
    assert result.exit_code == 1, result.output
    found = errors(result)
    assert len(found) == 2, result.output
    assert {Path(e["path"]).name for e in found} == {first.name, second.name}
    for e in found:
        assert (e["line"], e["col"]) == (UNIT, 7)
        assert "xa-muong-la" in e["message"] and "2025" in e["message"]


def test_same_unit_in_two_years_is_fine(tmp_path):
    write(tmp_path)
    write(tmp_path, {YEAR: "year: 2026", SUBMITTED: "submitted: 2026-12-03"}, year="2026")
    result = run(tmp_path / "units")
    assert result.exit_code == 0, result.output


# ---- 8. duplicates ---------------------------------------------------------------------------


def test_duplicate_channel(tmp_path):
    line = "channels: [1, 2, 2]"
    write(tmp_path, {CHANNELS: line})
    result = run(tmp_path / "units")
    assert result.exit_code == 1, result.output
    assert_one_at(result, CHANNELS, col(line, "2", last=True), "2", "lặp")
    assert len(errors(result)) == 1, result.output


def test_duplicate_yaml_key(tmp_path):
    write(tmp_path, {STAFF_INFORMED: "  total: 80"})
    result = run(tmp_path / "units")
    assert result.exit_code == 1, result.output
    assert_one_at(result, STAFF_INFORMED, 3, "total", "lặp")


# ---- 9. a block the unit's targets need ------------------------------------------------------


def test_missing_block_is_a_warning(tmp_path):
    write(tmp_path, {POPULATION: None, POP_TOTAL: None, POP_REACHED: None})
    result = run(tmp_path / "units")
    assert result.exit_code == 0, result.output
    found = diagnostics(result.output)
    assert len(found) == 1, result.output
    assert found[0]["severity"] == "warning"
    assert (found[0]["line"], found[0]["col"]) == (1, 1)
    assert "population" in found[0]["message"]
    assert "cảnh báo:" in result.output
    assert "1 hợp lệ" in result.output and "0 lỗi, 1 cảnh báo" in result.output


def test_block_not_needed_by_kind_is_no_warning(tmp_path):
    # a sở needs neither population nor grassroots
    write(tmp_path, {UNIT: "unit: so-gddt", 19: None, 20: None, 21: None, 22: None, 23: None, 24: None}, unit="so-gddt")
    result = run(tmp_path / "units")
    assert result.exit_code == 0, result.output
    assert diagnostics(result.output) == [], result.output


# ---- 10. hints for typical mistakes ----------------------------------------------------------


def test_day_month_year_date(tmp_path):
    line = "submitted: 06/12/2025"
    write(tmp_path, {SUBMITTED: line})
    result = run(tmp_path / "units")
    assert result.exit_code == 1, result.output
    assert_one_at(result, SUBMITTED, col(line, "06"), "2025-12-06")


def test_yes_for_boolean(tmp_path):
    line = "  issued: yes"
    write(tmp_path, {IP_ISSUED: line})
    result = run(tmp_path / "units")
    assert result.exit_code == 1, result.output
    assert_one_at(result, IP_ISSUED, col(line, "yes"), "true", "false", "implementation_plan.issued")


def test_unquoted_phone(tmp_path):
    line = "  phone: 0912345678"
    write(tmp_path, {PHONE: line})
    result = run(tmp_path / "units")
    assert result.exit_code == 1, result.output
    assert_one_at(result, PHONE, col(line, "0912"), '"0912345678"', "ngoặc kép")


# ---- 11. NFC ---------------------------------------------------------------------------------


def test_decomposed_vietnamese_is_accepted(tmp_path):
    nfd = unicodedata.normalize("NFD", "Bồi dưỡng kỹ năng truyền thông số cho đoàn viên")
    assert nfd != unicodedata.normalize("NFC", nfd)
    ref = unicodedata.normalize("NFD", "Báo cáo số 245/BC-UBND ngày 03/12/2025")
    write(tmp_path, {TRAINING_NAME: f'  - name: "{nfd}"', REFERENCE: f'reference: "{ref}"'})
    result = run(tmp_path / "units")
    assert result.exit_code == 0, result.output
    assert diagnostics(result.output) == [], result.output


# ---- 12. every error is reported -------------------------------------------------------------


def test_every_error_of_a_file(tmp_path):
    write(
        tmp_path,
        {
            STAFF_INFORMED: "  informed: 86",  # > total
            CS_TRAINED: "  trained: -1",  # negative
            REFERENCE: 'referense: "x"',  # unknown key
        },
    )
    result = run(tmp_path / "units")
    assert result.exit_code == 1, result.output
    found = errors(result)
    assert [(e["line"], e["col"]) for e in found] == [(REFERENCE, 1), (STAFF_INFORMED, 13), (CS_TRAINED, 12)]
    assert "3 lỗi" in result.output


def test_two_bad_files_both_reported(tmp_path):
    write(tmp_path, {STAFF_INFORMED: "  informed: 86"})
    write(tmp_path, {UNIT: "unit: xa-muong-bu", POP_REACHED: "  reached: -3"}, unit="xa-muong-bu")
    result = run(tmp_path / "units")
    assert result.exit_code == 1, result.output
    found = errors(result)
    assert {Path(e["path"]).name for e in found} == {"xa-muong-la.yaml", "xa-muong-bu.yaml"}, result.output
    assert "2 có lỗi" in result.output


def test_single_file_argument(tmp_path):
    path = write(tmp_path, {STAFF_INFORMED: "  informed: 86"})
    result = run(path)
    assert result.exit_code == 1, result.output
    assert_one_at(result, STAFF_INFORMED, 13, "staff.informed")


# ---- 13. output formats ----------------------------------------------------------------------


def _messy(tmp_path: Path) -> Path:
    write(
        tmp_path,
        {
            STAFF_INFORMED: "  informed: 86",
            CS_TRAINED: "  trained: -1",
            POPULATION: None,
            POP_TOTAL: None,
            POP_REACHED: None,
        },
    )
    write(tmp_path, {UNIT: "unit: xa-muong-bu", REFERENCE: 'referense: "x"'}, unit="xa-muong-bu")
    return tmp_path / "units"


def test_json_matches_text(tmp_path):
    units = _messy(tmp_path)
    text = run(units)
    as_json = run(units, fmt="json")
    assert text.exit_code == 1, text.output
    assert as_json.exit_code == 1, as_json.output
    data = json.loads(as_json.output)
    assert isinstance(data, list)
    for item in data:
        assert set(item) == {"path", "line", "col", "severity", "code", "message"}
    from_text = [(d["path"], d["line"], d["col"], d["severity"], d["message"]) for d in diagnostics(text.output)]
    from_json = [(d["path"], d["line"], d["col"], d["severity"], d["message"]) for d in data]
    assert len(from_json) == len(from_text) == 4, text.output
    assert sorted(from_json) == sorted(from_text)  # the same problems; the text puts errors first
    severities = [d[3] for d in from_text]
    assert severities == sorted(severities), text.output  # "error" < "warning"
    assert {d["severity"] for d in data} == {"error", "warning"}


def test_json_exit_zero_with_only_warnings(tmp_path):
    write(tmp_path, {POPULATION: None, POP_TOTAL: None, POP_REACHED: None})
    result = run(tmp_path / "units", fmt="json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [d["severity"] for d in data] == ["warning"]


GH_RE = re.compile(
    r"^::(?P<kind>error|warning) file=(?P<file>[^,]*),line=(?P<line>\d+),col=(?P<col>\d+)(,[^:]*)?::(?P<msg>.*)$"
)


def test_github_annotations(tmp_path):
    units = _messy(tmp_path)
    text = run(units)
    gh = run(units, fmt="github")
    assert gh.exit_code == 1, gh.output
    lines = [line for line in gh.output.splitlines() if line.strip()]
    assert lines and all(GH_RE.match(line) for line in lines), gh.output
    got = [(m["kind"], int(m["line"]), int(m["col"])) for m in map(GH_RE.match, lines)]
    want = [(d["severity"], d["line"], d["col"]) for d in diagnostics(text.output)]
    assert sorted(got) == sorted(want)  # the same problems; the text puts errors first


def test_github_escaping(tmp_path):
    # a folder name with %, : and , in the path; an unknown key with % in the message, whose
    # list of valid keys brings ':' and ',' into the message
    line = "  a%b: 1"
    path = write(tmp_path, {STAFF_INFORMED: line}, root="u%1:2,3/units")
    gh = run(tmp_path / "u%1:2,3" / "units", fmt="github")
    assert gh.exit_code == 1, gh.output
    found = [row for row in gh.output.splitlines() if "a%25b" in row]
    assert len(found) == 1, gh.output
    row = found[0]
    shown = str(path)  # outside the working directory: shown in full
    escaped = shown.replace("%", "%25").replace(":", "%3A").replace(",", "%2C")
    assert row.startswith(f"::error file={escaped},line={STAFF_INFORMED},col={col(line, 'a%b')}"), row
    props, sep, message = row[len("::error ") :].partition("::")
    assert sep and "u%251%3A2%2C3" in props, row
    # in the message only %, CR and LF are escaped: ':' and ',' stay as they are
    assert "'staff.a%25b'" in message, row
    assert ":" in message and "," in message, row
    assert "%3A" not in message and "%2C" not in message, row


# ---- 14. unreadable plan ---------------------------------------------------------------------


def test_plan_missing(tmp_path):
    write(tmp_path)
    result = run(tmp_path / "units", plan=tmp_path / "nowhere.yaml")
    assert result.exit_code == 2, result.output
    assert "nowhere.yaml" in result.output
    assert "Traceback" not in result.output


def test_plan_invalid_yaml(tmp_path):
    write(tmp_path)
    bad = tmp_path / "plan.yaml"
    bad.write_text("plan:\n  number: [2493\nunits: {\n", encoding="utf-8")
    result = run(tmp_path / "units", plan=bad)
    assert result.exit_code == 2, result.output
    assert "plan.yaml" in result.output
    assert "Traceback" not in result.output


# ---- 15. no units folder ---------------------------------------------------------------------


def test_units_folder_missing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the default folder is absent (a folder named with --units must exist)
    result = runner.invoke(app, ["validate", "--plan", str(PLAN)])
    assert result.exit_code == 0, result.output
    assert "Ghi chú" in result.output
    assert errors(result) == []


# ---- the reporting period (SPEC §4): what counts for a year is what happened in its period -------

from .conftest import dump, plan_data  # noqa: E402


def _period_file(tmp_path: Path, year: int, submitted: str, events: list[str], plan_date: str = "") -> Path:
    """A so-khcn file of `year` whose task 1c holds an event on each day of `events` (the first
    event's date on line 9, the next on 10, …); the implementation plan's date on line 6."""
    lines = [
        "unit: so-khcn",  # 1
        f"year: {year}",  # 2
        f"submitted: {submitted}",  # 3
        "implementation_plan:",  # 4
        "  issued: true",  # 5
        f"  date: {plan_date or f'{year}-01-15' if year > 2025 else plan_date or '2025-10-15'}",  # 6
        '  reference: "Kế hoạch số 12/KH-SKHCN"',  # 7
        "tasks:\n  1c:\n    events:",  # 8-10
    ]
    lines += [f"      - {{date: {d}, name: Hội thảo}}" for d in events]
    path = tmp_path / "units" / str(year) / "so-khcn.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _errors(result: object) -> list[str]:
    return [line for line in result.output.splitlines() if ": lỗi: " in line]  # type: ignore[attr-defined]


def test_an_event_of_the_previous_period_is_an_error_at_its_date(tmp_path):
    path = _period_file(tmp_path, 2026, "2026-11-25", ["2025-11-20", "2025-12-15", "2026-12-14"])
    r = runner.invoke(app, ["validate", "--plan", str(PLAN), "--date", "2026-12-15", str(path)])
    assert r.exit_code == 1, r.output
    errors = _errors(r)
    assert len(errors) == 2, r.output
    # 20/11/2025 belongs to 2025's period, which ends on 14/12/2025
    assert f"{path}:11:16: lỗi: sự kiện ngày 20/11/2025 thuộc kỳ báo cáo năm 2025, không tính vào năm 2026" in errors[0]
    assert "kỳ báo cáo năm 2026: từ 15/12/2025 đến 14/12/2026" in errors[0]
    # 15/12/2025 opens 2026's period; 14/12/2026 is in it, but after the sending date
    assert f"{path}:13:16: lỗi: sự kiện ngày 14/12/2026 sau ngày gửi báo cáo (25/11/2026)" in errors[1], r.output
    assert errors[1].endswith("(kỳ báo cáo năm 2026: từ 15/12/2025 đến 14/12/2026)"), "the error names the period"


def test_the_day_before_the_period_and_the_plan_date_are_errors(tmp_path):
    path = _period_file(tmp_path, 2026, "2026-12-01", ["2025-12-14"], plan_date="2025-09-30")
    r = runner.invoke(app, ["validate", "--plan", str(PLAN), "--date", "2026-12-15", str(path)])
    errors = _errors(r)
    assert r.exit_code == 1 and len(errors) == 2, r.output
    assert ":6:9: lỗi: kế hoạch triển khai ngày 30/09/2025 trước ngày ban hành Kế hoạch" in errors[0], r.output
    assert ":11:16: lỗi: sự kiện ngày 14/12/2025 thuộc kỳ báo cáo năm 2025" in errors[1], r.output


def test_the_implementation_plan_may_carry_an_earlier_years_date_not_a_later_one(tmp_path):
    path = _period_file(tmp_path, 2027, "2027-12-01", [], plan_date="2025-10-15")
    r = runner.invoke(app, ["validate", "--plan", str(PLAN), "--date", "2027-12-15", str(path)])
    assert _errors(r) == [], r.output
    path = _period_file(tmp_path, 2025, "2025-12-20", [], plan_date="2025-12-16")
    r = runner.invoke(app, ["validate", "--plan", str(PLAN), "--date", "2026-01-15", str(path)])
    errors = _errors(r)
    assert len(errors) == 1 and ":6:9: lỗi: kế hoạch triển khai ngày 16/12/2025 thuộc kỳ báo cáo năm 2026" in errors[0]


def test_the_period_comes_from_the_plan(tmp_path):
    data = plan_data()
    data["reporting"]["period"] = {"start": "01-01", "end": "12-31"}  # the calendar year
    plan = tmp_path / "plan.yaml"
    plan.write_text(dump(data), encoding="utf-8")
    path = _period_file(tmp_path, 2026, "2026-12-01", ["2025-12-20", "2026-01-01"])
    r = runner.invoke(app, ["validate", "--plan", str(plan), "--date", "2026-12-15", str(path)])
    errors = _errors(r)
    assert len(errors) == 1, r.output
    assert ":11:16: lỗi: sự kiện ngày 20/12/2025 thuộc kỳ báo cáo năm 2025" in errors[0]
    assert "từ 01/01/2026 đến 31/12/2026" in errors[0]


@pytest.mark.parametrize("day", ["2026-11-24", "24/11/2026"])
def test_a_sending_date_after_today_is_an_error_whatever_the_cache_holds(tmp_path, day):
    path = _period_file(tmp_path, 2026, "2026-11-25", ["2026-10-10"])
    units = tmp_path / "units"
    fine = runner.invoke(app, ["validate", "--plan", str(PLAN), "--units", str(units), "--date", "2026-12-15"])
    assert fine.exit_code == 0, fine.output
    runner.invoke(app, ["validate", "--plan", str(PLAN), "--units", str(units)])  # the cache, filled today
    r = runner.invoke(app, ["validate", "--plan", str(PLAN), "--units", str(units), "--date", day])
    assert r.exit_code == 1, r.output
    assert _errors(r) == [
        f"{path}:3:12: lỗi: ngày gửi báo cáo 25/11/2026 sau ngày hôm nay (24/11/2026): một báo cáo chưa thể "
        "gửi vào ngày chưa đến; hãy kiểm tra lại ngày gửi (kỳ báo cáo năm 2026: từ 15/12/2025 đến 14/12/2026)"
    ], r.output
    # score and report take the same day: the file counts as not submitted
    for command in (["score", "--year", "2026"], ["report", "--year", "2026"]):
        r = runner.invoke(app, [*command, "--plan", str(PLAN), "--units", str(units), "--date", day])
        assert r.exit_code == 0 and "so-khcn.yaml" in r.stderr, (command, r.output)


@pytest.mark.parametrize("value", ["31/02/2026", "2026-02-31", "15/13/2026", "15.12.2026"])
def test_an_impossible_date_is_one_line_on_every_command(tmp_path, value):
    for command in (["validate"], ["score"], ["report"]):
        r = runner.invoke(app, [*command, "--plan", str(PLAN), "--units", str(tmp_path), "--date", value])
        assert r.exit_code == 2, (command, r.output)
        lines = r.output.strip().splitlines()
        assert len(lines) == 1 and value in lines[0] or "/02/2026" in lines[0], (command, r.output)
        assert "Traceback" not in r.output


def test_the_vietnamese_form_of_a_date_is_the_same_day() -> None:
    from plan57.api import parse_date

    assert parse_date("15/12/2026") == parse_date("2026-12-15") == __import__("datetime").date(2026, 12, 15)
    assert parse_date("1/2/2027").isoformat() == "2027-02-01"
