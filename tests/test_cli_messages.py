"""Messages that read as written for a person: a unit's scorecard in words, dates, stderr, system errors."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from plan57.api import open_workspace, score
from plan57.cli import app
from plan57.model.form import field_label
from plan57.render.grid import plain_lines
from plan57.render.text import render_unit, unit_grid

from .conftest import PLAN, UNITS, submission, write
from .test_cli_help import consoles, whole_on_a_line

runner = CliRunner()


@pytest.fixture(scope="module")
def results() -> dict[int, Any]:
    ws = open_workspace(PLAN, UNITS, cache=False)
    return {y: score(ws, y) for y in (2025, 2026)}


def one_of_each_kind(result: Any) -> list[str]:
    seen: dict[str, str] = {}
    for u in result.plan.units:
        if u.kind not in seen and u.id in result.records:
            seen[u.kind] = u.id
    return [*seen.values(), "so-khcn"]


def scorecard_figures(result: Any, unit_id: str) -> list[str]:
    lines = plain_lines(unit_grid(result, unit_id))
    return [line.split("\t")[2] for line in lines[1:]]


# ---- 1. the unit's figures in words ------------------------------------------------------------


def test_every_target_path_has_a_label(results: dict[int, Any]) -> None:
    plan = results[2025].plan
    for t in plan.targets:
        for path in t.paths:
            label = field_label(plan, path)
            assert label != path and not re.search(r"[a-z]+_[a-z]+|≤|\(\s*\)", label), (path, label)


@pytest.mark.parametrize("year", [2025, 2026])
def test_scorecard_speaks_vietnamese(results: dict[int, Any], year: int) -> None:
    result = results[year]
    plan = result.plan
    paths = {p for t in plan.targets for p in t.paths}
    ids = {a.id for a in plan.training_audiences}
    for unit_id in one_of_each_kind(result):
        figures = scorecard_figures(result, unit_id)
        assert figures
        text = "\n".join(figures)
        for path in paths:
            assert path not in text, (unit_id, path, text)
        assert not re.search(r"\btrue\b|\bfalse\b", text), text
        assert not (set(re.findall(r"[a-z_]+", text)) & ids), text


def test_scorecard_so_khcn_reads_as_the_form(results: dict[int, Any]) -> None:
    text = "\n".join(scorecard_figures(results[2025], "so-khcn"))
    assert "Đơn vị đã ban hành Kế hoạch triển khai: Có (cần Có)" in text
    assert "có: giới trẻ" in text


def test_condition_and_covers_lines_name_what_is_missing(results: dict[int, Any]) -> None:
    text = "\n".join(scorecard_figures(results[2026], "bao-ptth-son-la"))
    assert "Số chương trình hợp tác, đặt hàng với kênh quốc gia: " in text  # a single-field condition
    assert re.search(r"\d+/10 nhóm có từ 1 trở lên", text)  # the network groups
    assert "chưa có: giới trẻ, học sinh, sinh viên" in text


def test_a_name_holding_a_comma_stays_one_in_a_list() -> None:
    from plan57.render.text import listed

    assert listed(["giới trẻ", "học sinh"]) == "giới trẻ, học sinh"
    assert listed(["chuyên gia", "cơ quan báo chí, truyền thông"]) == "chuyên gia; cơ quan báo chí, truyền thông"


def test_scorecard_json_keeps_ids(results: dict[int, Any]) -> None:
    out = runner.invoke(app, ["score", "--unit", "so-khcn", "--year", "2025", "--format", "json", "--plan", str(PLAN)])
    assert out.exit_code == 0 and '"id": "2025.ke-hoach"' in out.stdout


# ---- 2. ids whole at every width ---------------------------------------------------------------


@pytest.mark.parametrize("year", [2025, 2026])
def test_scorecard_never_splits_an_id(results: dict[int, Any], year: int) -> None:
    result = results[year]
    for label, console in consoles():
        render_unit(result, "so-khcn", console)
        out = console.file.getvalue()  # type: ignore[attr-defined]
        for t in result.targets:
            if "so-khcn" in t.expected:
                assert whole_on_a_line(t.target.id, out), (label, t.target.id, out)
        if label == "piped":
            assert not re.search(r"[─│]", out)


# ---- 3. a milestone judged in an earlier year says so ------------------------------------------


def test_milestone_of_an_earlier_year_names_its_year(results: dict[int, Any]) -> None:
    for year, result in results.items():
        lines = plain_lines(unit_grid(result, "so-khcn"))[1:]
        for line in lines:
            target_id, _, figures, _ = line.split("\t")
            earlier = target_id[:4].isdigit() and int(target_id[:4]) < year
            assert figures.startswith("Năm 2025: ") == earlier, (year, line)


def test_milestone_shows_the_judged_years_figures(tmp_path: Path, plan: Any) -> None:
    units = tmp_path / "units"
    old = submission(plan, "so-khcn", 2025)
    write(units, 2025, "so-khcn", old)
    new = submission(plan, "so-khcn", 2026)
    new["implementation_plan"] = {"issued": None}  # this year's template left it empty
    write(units, 2026, "so-khcn", new)
    result = score(open_workspace(PLAN, units, cache=False), 2026)
    figures = dict(line.split("\t")[:3:2] for line in plain_lines(unit_grid(result, "so-khcn"))[1:])
    assert figures["2025.ke-hoach"] == "Năm 2025: Đơn vị đã ban hành Kế hoạch triển khai: Có (cần Có)"


# ---- 5. a day the calendar does not have -------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-02-30", "ngày 30/02/2026 không có trong lịch: tháng 2 năm 2026 có 28 ngày"),
        ("2025-04-31", "ngày 31/04/2025 không có trong lịch"),
        ("2026-13-01", "không có tháng 13"),
        ("2026/02/03", "hãy viết theo dạng NGÀY/THÁNG/NĂM (15/12/2026) hoặc NĂM-THÁNG-NGÀY"),
        ("30-02-2026", "hãy viết theo dạng NGÀY/THÁNG/NĂM (15/12/2026) hoặc NĂM-THÁNG-NGÀY"),
        ("30/02/2026", "ngày 30/02/2026 không có trong lịch: tháng 2 năm 2026 có 28 ngày"),
    ],
)
def test_report_date_that_does_not_exist(value: str, message: str) -> None:
    out = runner.invoke(app, ["report", "--date", value, "--plan", str(PLAN), "--units", str(UNITS)])
    assert out.exit_code == 2
    assert message in out.stderr, out.stderr
    if "lịch" in message:
        assert "hãy viết theo dạng" not in out.stderr


def test_leap_day_is_a_day() -> None:
    from plan57.api import parse_date

    assert parse_date("2028-02-29").isoformat() == "2028-02-29"


# ---- 7. --unit names only the unit's own invalid file ------------------------------------------


def test_score_unit_does_not_list_other_invalid_files(tmp_path: Path, plan: Any) -> None:
    units = tmp_path / "units"
    write(units, 2025, "so-khcn", submission(plan, "so-khcn", 2025))
    for uid in ("xa-muong-la", "so-gddt"):
        bad = submission(plan, uid, 2025)
        bad["staff"]["informed"] = 99
        write(units, 2025, uid, bad)
    args = ["score", "--year", "2025", "--plan", str(PLAN), "--units", str(units)]
    whole = runner.invoke(app, args)
    assert "xa-muong-la.yaml" in whole.stderr and "so-gddt.yaml" in whole.stderr
    mine = runner.invoke(app, [*args, "--unit", "so-khcn"])
    assert mine.exit_code == 0
    assert "xa-muong-la" not in mine.stderr and "so-gddt" not in mine.stderr, mine.stderr
    assert "2 tệp của đơn vị khác có lỗi" in mine.stderr
    theirs = runner.invoke(app, [*args, "--unit", "xa-muong-la"])
    assert "xa-muong-la.yaml" in theirs.stderr and "so-gddt" not in theirs.stderr, theirs.stderr
    assert "1 tệp của đơn vị khác" in theirs.stderr


# ---- 6. --explain with --format json -----------------------------------------------------------


def test_explain_in_json_carries_each_targets_formula() -> None:
    import json

    import jsonschema

    args = ["score", "--year", "2026", "--format", "json", "--plan", str(PLAN), "--units", str(UNITS)]
    plain = json.loads(runner.invoke(app, args).stdout)
    out = runner.invoke(app, [*args, "--explain"])
    assert out.exit_code == 0
    data = json.loads(out.stdout)
    schema = json.loads((Path(__file__).parent / "data" / "score.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(data)
    assert all("explain" not in t for t in plain["targets"])  # the contract's shape unless asked
    by_id = {t["id"]: t["explain"] for t in data["targets"]}
    assert set(by_id) == {t["id"] for t in plain["targets"]}
    for e in by_id.values():
        assert e["formula"] in e["lines"]
    assert by_id["2026.nhiem-vu-khcn"]["formula"].startswith(
        "Σ(science_tasks.communicated) / Σ(science_tasks.total − science_tasks.secret) = "
    )
    text = runner.invoke(app, [*args[:3], "--explain", "--plan", str(PLAN), "--units", str(UNITS)]).stdout
    for e in by_id.values():
        assert all(line in text for line in e["lines"])  # the same words as the text explanation


def test_sum_text_is_unambiguous() -> None:
    from plan57.render.explain import sum_text

    assert sum_text(["a.total", "-a.secret"]) == "a.total − a.secret"
    assert sum_text(["a.x", "a.y", "-a.z"]) == "a.x + a.y − a.z"
    assert sum_text(["-a.z", "a.x"]) == "− a.z + a.x"


# ---- 8. system errors in Vietnamese, with the path ---------------------------------------------

ENGLISH = re.compile(r"Permission denied|Is a directory|Not a directory|No such file|Errno|No space|Traceback")


@pytest.fixture
def deny(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Make the system refuse access under a path, as it does for a file or folder without rights
    (tests run as any user, root included, so the refusal is the system call's own error)."""
    import errno
    import os

    real_open = os.open
    denied: list[str] = []

    def guarded_open(path: Any, *args: Any, **kwargs: Any) -> int:
        full = os.path.abspath(os.fsdecode(path))
        if any(full == d or full.startswith(d + os.sep) for d in denied):
            raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded_open)

    def add(path: Path) -> None:
        denied.append(os.path.abspath(path))

    return add


def check_vietnamese(result: Any, *expected: str) -> None:
    assert result.exit_code != 0
    assert not ENGLISH.search(result.output + result.stderr), result.stderr
    for text in expected:
        assert text in result.stderr + result.stdout, (text, result.stderr, result.stdout)


def test_validate_unreadable_file(tmp_path: Path, plan: Any, deny: Any) -> None:
    path = write(tmp_path / "units", 2025, "so-khcn", submission(plan, "so-khcn", 2025))
    deny(path)
    r = runner.invoke(app, ["validate", str(path), "--plan", str(PLAN), "--no-cache"])
    check_vietnamese(r, str(path), "không có quyền truy cập")


def test_validate_plan_that_is_a_folder(tmp_path: Path) -> None:
    r = runner.invoke(app, ["validate", "--plan", str(tmp_path)])
    check_vietnamese(r, f"'{tmp_path}' là một thư mục")
    assert r.exit_code == 2


def test_report_output_denied_or_a_folder(tmp_path: Path, deny: Any) -> None:
    base = ["report", "--plan", str(PLAN), "--units", str(UNITS), "--date", "2026-12-15"]
    folder = tmp_path / "ra"
    folder.mkdir()
    r = runner.invoke(app, [*base, "-o", str(folder)])
    check_vietnamese(r, f"không ghi được '{folder}': đây là một thư mục")
    a_file = tmp_path / "tep"
    a_file.write_text("x", encoding="utf-8")
    r = runner.invoke(app, [*base, "-o", str(a_file / "tonghop.md")])
    check_vietnamese(r, f"'{a_file}' là một tệp, không phải thư mục")
    locked = tmp_path / "khoa"
    locked.mkdir()
    deny(locked)
    r = runner.invoke(app, [*base, "-o", str(locked / "tonghop.md")])
    check_vietnamese(r, f"không ghi được '{locked / 'tonghop.md'}': không có quyền truy cập")
    assert list(locked.iterdir()) == []


def test_new_out_denied_or_a_file(tmp_path: Path, deny: Any) -> None:
    base = ["new", "so-khcn", "--year", "2026", "--format", "xlsx", "--plan", str(PLAN), "--units", str(UNITS)]
    a_file = tmp_path / "tep"
    a_file.write_text("x", encoding="utf-8")
    r = runner.invoke(app, [*base, "--out", str(a_file)])
    check_vietnamese(r, f"'{a_file}' là một tệp, không phải thư mục")
    locked = tmp_path / "khoa"
    locked.mkdir()
    deny(locked)
    r = runner.invoke(app, [*base, "--out", str(locked)])
    check_vietnamese(r, str(locked / "so-khcn.xlsx"), "không có quyền truy cập")
    yaml_base = ["new", "so-khcn", "--year", "2026", "--plan", str(PLAN)]
    r = runner.invoke(app, [*yaml_base, "--units", str(a_file)])
    check_vietnamese(r, f"'{a_file}' là một tệp, không phải thư mục")


def test_import_of_a_folder(tmp_path: Path) -> None:
    (tmp_path / "u").mkdir()
    r = runner.invoke(app, ["import", str(tmp_path), "--plan", str(PLAN), "--units", str(tmp_path / "u")])
    check_vietnamese(r, f"'{tmp_path}' là một thư mục")


def test_an_uncaught_system_error_is_vietnamese(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    import errno
    import sys

    from plan57 import cli

    def boom(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", "/tmp/x")

    monkeypatch.setattr(cli, "app", boom)
    monkeypatch.setattr(sys, "argv", ["plan57", "units"])
    with pytest.raises(SystemExit) as stop:
        cli.main()
    err = capsys.readouterr().err
    assert stop.value.code == 2 and err == "plan57: lỗi hệ thống '/tmp/x': ổ đĩa đã đầy\n", err


# ---- 4. hints that match what the template teaches ---------------------------------------------


def _validate_one(tmp_path: Path, plan: Any, change: Any) -> list[Any]:
    from plan57.validation.validate import validate_paths

    data = submission(plan, "so-khcn", 2026)
    change(data)
    path = write(tmp_path / "units", 2026, "so-khcn", data)
    coll = validate_paths([path], plan, 1024 * 1024, cache=False)
    return [d for d in coll.diagnostics if d.is_error]


def _located_like(tmp_path: Path, plan: Any, change: Any, other: Any) -> tuple[Any, Any]:
    """The hinted diagnostic and the one a plain wrong value gives at the same place."""
    (hinted,) = _validate_one(tmp_path / "a", plan, change)
    (plain,) = _validate_one(tmp_path / "b", plan, other)
    return hinted, plain


def test_channels_written_as_words_get_the_flow_form(tmp_path: Path, plan: Any) -> None:
    def words(d: dict[str, Any]) -> None:
        d["channels"] = "3, 7, 8"

    def other(d: dict[str, Any]) -> None:
        d["channels"] = "ba"

    hinted, plain = _located_like(tmp_path, plan, words, other)
    assert "viết [3, 7, 8]" in hinted.message, hinted.message
    assert (hinted.line, hinted.col) == (plain.line, plain.col)


def test_audience_named_in_vietnamese_gets_its_id(tmp_path: Path, plan: Any) -> None:
    def named(d: dict[str, Any]) -> None:
        d["training"][0]["audience"] = "học sinh"

    def other(d: dict[str, Any]) -> None:
        d["training"][0]["audience"] = "zzz"

    hinted, plain = _located_like(tmp_path, plan, named, other)
    assert "hãy dùng mã 'pupils' (học sinh)" in hinted.message, hinted.message
    assert (hinted.line, hinted.col) == (plain.line, plain.col)
    assert "pupils" not in plain.message.split("các giá trị hợp lệ")[0]


def test_product_key_in_vietnamese_gets_its_id(tmp_path: Path, plan: Any) -> None:
    def named(d: dict[str, Any]) -> None:
        d["tasks"] = {"1c": {"activities": 1, "products": {"tin": 3}}}

    def other(d: dict[str, Any]) -> None:
        d["tasks"] = {"1c": {"activities": 1, "products": {"zzz": 3}}}

    hinted, plain = _located_like(tmp_path, plan, named, other)
    assert "khóa 'tasks.1c.products.tin': 'tin' là tên tiếng Việt: hãy dùng mã 'news' (tin)" in hinted.message
    assert (hinted.line, hinted.col) == (plain.line, plain.col)


def _variants(name: str) -> Any:
    from hypothesis import strategies as st

    from plan57.validation.locate import fold

    bare = fold(name)
    return st.sampled_from([name, name.upper(), name.title(), bare, bare.upper(), f"  {name}  "])


def test_names_map_to_ids_whatever_the_accents_and_case(plan: Any) -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from plan57.model.form import audience_names
    from plan57.validation.locate import id_of_name

    names = audience_names(plan)
    pairs = st.sampled_from(sorted(names.items())).flatmap(lambda kv: st.tuples(st.just(kv[0]), _variants(kv[1])))

    @settings(max_examples=60, deadline=None)
    @given(pair=pairs)
    def check(pair: tuple[str, str]) -> None:
        ident, written = pair
        assert id_of_name(written, names) == ident

    check()
    assert id_of_name("học", names) is None and id_of_name("", names) is None


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_output_to_a_full_disk_is_vietnamese() -> None:
    import subprocess
    import sys

    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "plan57", "units", "--plan", str(PLAN), "--units", str(UNITS), "--no-cache"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert proc.returncode == 2
    assert proc.stderr.strip().endswith("ổ đĩa đã đầy"), proc.stderr
    assert not ENGLISH.search(proc.stderr), proc.stderr


def with_template(tmp_path: Path, source: str) -> tuple[Path, Any]:
    """`report` with a user's template of this source: the template's path, and the run."""
    template = tmp_path / "mau.md.j2"
    template.write_text(source, encoding="utf-8")
    r = runner.invoke(
        app, ["report", "--template", str(template), "--date", "2026-12-15", "--plan", str(PLAN), "--units", str(UNITS)]
    )
    return template, r


def test_a_broken_template_names_its_line_in_vietnamese(tmp_path: Path) -> None:
    template, r = with_template(tmp_path, "# Báo cáo\n{{ x \n")
    assert r.exit_code == 2
    assert f"mẫu báo cáo '{template}' có lỗi ở dòng 2: mẫu kết thúc giữa chừng" in r.stderr, r.stderr


@pytest.mark.parametrize(
    "source, line, said",
    [
        ("# a\n{{ khong_co }}\n", 2, "không có biến 'khong_co' trong dữ liệu của báo cáo"),
        ("# a\n\n{{ reporting.khong }}\n", 3, "dữ liệu không có trường 'khong'"),
        ("{{ y | khongloc }}\n", 1, "không có bộ lọc 'khongloc'"),
        ("{{ y is khongthu }}\n", 1, "không có phép thử 'khongthu'"),
        ("a\n{% foo %}\n", 2, "thẻ lạ '{% foo %}'"),
        ("{% for x in y %}\n{{ x }}\n", 2, "khối '{% for %}' chưa được đóng (thiếu '{% endfor %}')"),
        ("{% if %}{% endif %}\n", 1, "cú pháp Jinja2 sai ở đây"),
        ("a\n{{ ''.__class__ }}\n", 2, "mẫu báo cáo dùng thứ không được phép trong mẫu"),
    ],
)
def test_a_template_error_is_said_in_vietnamese_at_its_line(tmp_path: Path, source: str, line: int, said: str) -> None:
    """A user's template error names its line, even where Jinja2 gives it only in its traceback
    (an undefined name), and what is wrong in Vietnamese before Jinja2's own words."""
    template, r = with_template(tmp_path, source)
    assert r.exit_code == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert f"mẫu báo cáo '{template}' có lỗi ở dòng {line}: {said} (chi tiết kỹ thuật: " in lines[0], lines[0]


def test_a_template_that_fails_while_running_names_its_line(tmp_path: Path) -> None:
    template, r = with_template(tmp_path, "# a\n{{ 1 / 0 }}\n")
    assert r.exit_code == 2
    assert r.stderr.strip() == f"plan57: mẫu báo cáo '{template}' không chạy được ở dòng 2: ZeroDivisionError", r.stderr


def test_every_typed_day_is_a_date_or_a_day_the_calendar_lacks() -> None:
    import datetime as dt

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from plan57.api import parse_date
    from plan57.base.errors import UsageError

    @settings(max_examples=200, deadline=None)
    @given(y=st.integers(1, 9999), m=st.integers(0, 99), d=st.integers(0, 99))
    def check(y: int, m: int, d: int) -> None:
        typed = f"{y:04d}-{m:02d}-{d:02d}"
        try:
            real = dt.date(y, m, d)
        except ValueError:
            with pytest.raises(UsageError, match="không có trong lịch"):
                parse_date(typed)
        else:
            assert parse_date(typed) == real

    check()


def test_report_to_a_dash_is_standard_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`-o -` prints the report, as the command-line convention has it, and writes no file named
    '-'; a format that is a file to open still needs a file's name."""
    monkeypatch.chdir(tmp_path)
    common = ["--date", "2026-12-15", "--plan", str(PLAN), "--units", str(UNITS)]
    to_dash = runner.invoke(app, ["report", "-o", "-", *common])
    plain = runner.invoke(app, ["report", *common])
    assert to_dash.exit_code == 0 and to_dash.stdout == plain.stdout != ""
    r = runner.invoke(app, ["report", "-o", "-", "--format", "docx", *common])
    assert r.exit_code == 2 and "hãy ghi ra tệp" in r.stderr, r.stderr
    schema = runner.invoke(app, ["schema", "-o", "-", "--plan", str(PLAN)])
    assert schema.exit_code == 0 and schema.stdout == runner.invoke(app, ["schema", "--plan", str(PLAN)]).stdout
    assert list(tmp_path.iterdir()) == []


def test_import_into_a_units_folder_that_does_not_exist_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SPEC §2: an explicit --units that does not exist is a usage error; `import` made a new tree
    at a mistyped path instead, where no later command would look. (`new` starts a folder.)"""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bieu-mau.xlsx").write_bytes(b"")
    r = runner.invoke(app, ["import", "bieu-mau.xlsx", "--plan", str(PLAN), "--units", str(tmp_path / "dta" / "units")])
    assert r.exit_code == 2, r.output
    assert "không có thư mục báo cáo" in r.stderr and "(--units)" in r.stderr, r.stderr
    assert not (tmp_path / "dta").exists()


def test_new_yaml_with_a_forms_folder_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--out is the folder of Excel forms: with a YAML template it would be silently ignored."""
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(app, ["new", "xa-muong-la", "--year", "2026", "--out", "d", "--plan", str(PLAN)])
    assert r.exit_code == 2 and "--out chỉ dùng với --format xlsx" in r.stderr, r.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_import_of_a_pipe_says_it_is_no_file(tmp_path: Path) -> None:
    fifo = tmp_path / "bieu-mau.xlsx"
    os.mkfifo(fifo)
    (tmp_path / "u").mkdir()
    r = runner.invoke(app, ["import", str(fifo), "--plan", str(PLAN), "--units", str(tmp_path / "u")])
    assert r.exit_code == 2
    assert f"'{fifo}' không phải một tệp thường" in r.stderr and "không tìm thấy" not in r.stderr, r.stderr


def test_explain_with_unit_is_said_to_add_nothing() -> None:
    """`--explain` explains province-wide figures; with `--unit` it is not silently dropped."""
    common = ["score", "--year", "2026", "--unit", "so-khcn", "--plan", str(PLAN), "--units", str(UNITS)]
    plain = runner.invoke(app, common)
    explained = runner.invoke(app, [*common, "--explain"])
    assert explained.exit_code == plain.exit_code == 0
    assert explained.stdout == plain.stdout
    assert "--explain không dùng cùng --unit" in explained.stderr and "--explain" not in plain.stderr
