"""plan.yaml is checked as strictly as a submission (SPEC §11): each problem located at its line
and column, exit 2 before any submission is read; a declared block or indicator nothing reads is
a warning."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from plan57.cli import app

from .conftest import PLAN, UNITS

runner = CliRunner()
TEXT = PLAN.read_text(encoding="utf-8")


def run(*args: object):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [str(a) for a in args])


def edited(tmp_path: Path, old: str, new: str, nth: int = 0) -> Path:
    """The shipped plan with the `nth` occurrence of `old` replaced by `new`."""
    at = -1
    for _ in range(nth + 1):
        at = TEXT.index(old, at + 1)
    path = tmp_path / "plan.yaml"
    path.write_text(TEXT[:at] + new + TEXT[at + len(old) :], encoding="utf-8")
    return path


def nth_index(old: str, nth: int) -> int:
    at = -1
    for _ in range(nth + 1):
        at = TEXT.index(old, at + 1)
    return at


def place(path: Path, needle: str, start: int = 0) -> tuple[int, int]:
    """The 1-based line and column of `needle` in the file (the first from `start`)."""
    text = path.read_text(encoding="utf-8")
    at = text.index(needle, start)
    line = text.count("\n", 0, at) + 1
    return line, at - (text.rfind("\n", 0, at) + 1) + 1


# (what is changed, into what, which occurrence, where the error stands, the message's words)
CASES = [
    pytest.param(
        "  period: {start: 2025, end: 2030}\n",
        "  period: {start: 2025, end: 2030}\n  province_name: x\n",
        0,
        "province_name",
        "khóa lạ 'plan.province_name' không có trong tệp kế hoạch",
        id="unknown-key",
    ),
    pytest.param(
        "numerator: [staff.informed]",
        "numerator: [staff.infromed]",
        0,
        "staff.infromed",
        "trường 'staff.infromed' không có trong mẫu báo cáo",
        id="misspelt-field",
    ),
    pytest.param(
        "field: implementation_plan.issued",
        "field: implementation_plan.reference",
        0,
        "implementation_plan.reference",
        "không phải trường có/không",
        id="field-of-wrong-type",
    ),
    pytest.param(
        "- {unit: so-gddt}",
        "- {unit: so-gdt}",
        0,
        "so-gdt",
        "cơ quan chủ trì 'so-gdt' không có trong danh mục đơn vị",
        id="unknown-lead",
    ),
    pytest.param(
        "- {unit: so-khcn}\n    timeframe",
        "- {unit: so-khc}\n    timeframe",
        0,
        "so-khc}",
        "cơ quan phối hợp 'so-khc' không có trong danh mục đơn vị",
        id="unknown-coordinator",
    ),
    pytest.param(
        "compiler: so-vhttdl",
        "compiler: so-vhtt",
        0,
        "so-vhtt\n",
        "cơ quan tổng hợp (compiler) 'so-vhtt' không có",
        id="unknown-compiler",
    ),
    pytest.param(
        'name: "Xã Mường La", kind: xa}',
        'name: "Xã Mường La", kind: xaa}',
        0,
        "xaa}",
        "loại đơn vị 'xaa' chưa được khai báo trong 'kinds'",
        id="undeclared-kind-of-a-unit",
    ),
    pytest.param(
        "applies_to: {kinds: [bao_chi]}",
        "applies_to: {kinds: [bao_chi, toa_an]}",
        0,
        "toa_an",
        "loại đơn vị 'toa_an' chưa được khai báo",
        id="undeclared-kind-of-a-target",
    ),
    pytest.param(
        "  - id: 9\n",
        "  - id: 8\n",
        0,
        "8\n",
        "mã '8' bị lặp trong 'channels'",
        id="duplicate-channel",
    ),
    pytest.param(
        '- id: "2026.ha-tang"',
        '- id: "2026.dao-tao"',
        0,
        '"2026.dao-tao"',
        "mã '2026.dao-tao' bị lặp trong 'targets'",
        id="duplicate-target",
    ),
    pytest.param(
        '{id: xa-muong-la, name: "Xã Mường La"',
        '{id: xa-chieng-la, name: "Xã Mường La"',
        0,
        'xa-chieng-la, name: "Xã Mường La"',
        "mã 'xa-chieng-la' bị lặp trong 'units'",
        id="duplicate-unit",
    ),
    pytest.param(
        'threshold: "7/10"',
        'threshold: "7/5"',
        0,
        '"7/5"',
        "ngưỡng của chỉ tiêu 2030.dao-tao-can-bo phải lớn hơn 0% và không quá 100%",
        id="threshold-above-100",
    ),
    pytest.param(
        "    year: 2030\n",
        "    year: 2031\n",
        0,
        "2031",
        "năm 2031 của chỉ tiêu 2030.tiep-can nằm ngoài thời gian kế hoạch 2025–2030",
        id="target-year-outside-the-period",
    ),
    pytest.param(
        "blocks: [implementation_plan, portal_section, staff, press,",
        "blocks: [implementation_plan, portal_section, staff, pres,",
        0,
        "pres,",
        "khối 'pres' không có trong mẫu báo cáo",
        id="unknown-block-of-a-kind",
    ),
]


@pytest.mark.parametrize(("old", "new", "nth", "where", "words"), CASES)
def test_each_plan_error_is_located_and_exits_2_before_any_submission(
    tmp_path: Path, old: str, new: str, nth: int, where: str, words: str
) -> None:
    plan = edited(tmp_path, old, new, nth)
    line, col = place(plan, where, start=nth_index(old, nth))
    for command in (["validate"], ["score", "--year", "2025"], ["report", "--year", "2025"]):
        result = run(*command, "--plan", plan, "--units", UNITS, "--no-cache")
        assert result.exit_code == 2, (command, result.output)
        assert f"plan.yaml:{line}:{col}: lỗi: " in result.output, (line, col, result.output)
        assert words in result.output, result.output
        assert "data/units" not in result.output  # no submission was read


def test_a_plan_error_is_one_line_each_without_traceback(tmp_path: Path) -> None:
    plan = edited(tmp_path, "compiler: so-vhttdl", "compiler: so-vhtt")
    result = run("validate", "--plan", plan, "--units", UNITS, "--no-cache")
    assert "Traceback" not in result.output
    assert result.output.count("lỗi:") == 1


def test_an_indicator_nothing_reads_is_a_warning(tmp_path: Path) -> None:
    plan = edited(
        tmp_path,
        "product_kinds:",
        'indicators:\n  - {id: zalo_posts, label: "Số bài đăng trên Zalo"}\n\nproduct_kinds:',
    )
    line, col = place(plan, "zalo_posts")
    result = run("validate", "--plan", plan, "--units", UNITS, "--no-cache")
    assert result.exit_code == 0, result.output
    assert f"plan.yaml:{line}:{col}: cảnh báo: chỉ số 'zalo_posts' không được chỉ tiêu nào đọc" in result.output


def test_a_block_a_kind_declares_that_nothing_reads_is_a_warning(tmp_path: Path) -> None:
    plan = edited(
        tmp_path,
        'name: "Trường đại học, cao đẳng"\n    group: "Các trường đại học, cao đẳng"\n    blocks: [',
        'name: "Trường đại học, cao đẳng"\n    group: "Các trường đại học, cao đẳng"\n    blocks: [science_tasks, ',
    )
    # science_tasks is read by a target of so-khcn: declared for a kind, it is read; the press
    # block read by no target of a plan that has none is not
    text = plan.read_text(encoding="utf-8")
    start = text.index('  - id: "2025.bao-chi"')
    end = text.index('  - id: "2026.mang-luoi"')
    plan.write_text(text[:start] + text[end:], encoding="utf-8")
    line, col = place(plan, "press,")
    result = run("validate", "--plan", plan, "--units", UNITS, "--no-cache")
    assert f"plan.yaml:{line}:{col}: cảnh báo: khối 'press' của loại 'bao_chi' không được" in result.output
    assert "science_tasks' của loại" not in result.output


def test_the_shipped_plan_has_no_problem() -> None:
    from plan57.model.plancheck import problems
    from plan57.validation.plan_file import load_plan

    assert problems(load_plan(PLAN)) == []
