"""The yearly cycle with the units (SPEC §10): the workspace, versions, the receipt log, reminders,
quiet and counted output, progress bars, a full disk during import, contacts kept out of reports."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import subprocess
import sys
import threading
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from docx import Document
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from plan57.base import paths
from plan57.base.history import RECEIPT_HEADER, append_receipt, csv_line, version_name
from plan57.cli import app
from plan57.model.plan import Plan
from plan57.render.form import build_form

from .conftest import PLAN, REPO, cell_of, submission, write

UNIT = "xa-muong-la"


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def fill(path: Path, values: dict[str, Any]) -> None:
    """Type values into named cells, as a person would, and save."""
    wb = openpyxl.load_workbook(path)
    for name, value in values.items():
        sheet, ref = cell_of(wb, name)
        wb[sheet][ref] = value
    wb.save(path)


GOOD = {
    "submitted": dt.date(2026, 12, 1),
    "staff.total": 40,
    "staff.informed": 38,
    "population.total": 12500,
    "population.reached": 9800,
}


def reminded(root: Path) -> dict[str, dict[str, str]]:
    """The rows of the workspace's nhac-viec.csv, by unit id."""
    text = (root / "nhac-viec.csv").read_text(encoding="utf-8-sig")
    return {row["Mã đơn vị"]: row for row in csv.DictReader(io.StringIO(text, newline=""))}


def receipts(log: Path) -> list[list[str]]:
    raw = log.read_bytes()
    assert raw.startswith("\ufeff".encode()), "the receipt log opens with a BOM for Excel"
    return list(csv.reader(io.StringIO(raw[3:].decode("utf-8"), newline="")))


@pytest.fixture
def workspace(tmp_path: Path, mini_plan_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A workspace on the small registry, the current folder being its root."""
    root = tmp_path / "ky-2026"
    r = run("init", str(root), "--plan", str(mini_plan_path))
    assert r.exit_code == 0, r.output
    monkeypatch.chdir(root)
    return root


# ---- the workspace -------------------------------------------------------------------------------


def test_init_makes_a_workspace(tmp_path: Path) -> None:
    root = tmp_path / "bao-cao"
    r = run("init", str(root))
    assert r.exit_code == 0, r.output
    assert (root / "plan.yaml").read_bytes() == paths.shipped_plan().read_bytes()
    assert (root / "units").is_dir() and (root / "forms").is_dir()
    assert not any((root / "units").glob("*/*.yaml")), "no sample data in a workspace"
    guide = (root / "HUONG-DAN.txt").read_text(encoding="utf-8-sig")
    for command in ("plan57 new --all", "plan57 import", "plan57 remind", "plan57 report"):
        assert command in guide
    steps = [line for line in guide.splitlines() if line[:2] in {f"{i}." for i in range(1, 10)}]
    assert len(steps) == 6, steps
    assert "Đã tạo thư mục làm việc" in r.output


def test_init_refuses_a_folder_in_use(tmp_path: Path, mini_plan_path: Path) -> None:
    root = tmp_path / "dang-dung"
    root.mkdir()
    (root / "plan.yaml").write_text("# mine\n", encoding="utf-8")
    r = run("init", str(root))
    assert r.exit_code == 2
    assert "--force" in r.output and "Traceback" not in r.output
    r = run("init", str(root), "--force", "--plan", str(mini_plan_path))
    assert r.exit_code == 0, r.output
    assert (root / "plan.yaml").read_text(encoding="utf-8") == "# mine\n", "--force never replaces a file"
    assert "Giữ nguyên" in r.output and "plan.yaml" in r.output
    assert (root / "units").is_dir() and (root / "HUONG-DAN.txt").is_file()


def test_init_refuses_a_plan_that_does_not_read(tmp_path: Path) -> None:
    bad = tmp_path / "ke-hoach.yaml"
    bad.write_text("plan: [\n", encoding="utf-8")
    r = run("init", str(tmp_path / "moi"), "--plan", str(bad))
    assert r.exit_code == 2
    assert not (tmp_path / "moi").exists(), "nothing written for a plan that does not read"


def test_commands_inside_a_workspace_use_it(workspace: Path, mini_plan: Plan, monkeypatch: pytest.MonkeyPatch) -> None:
    write(workspace / "units", 2026, UNIT, submission(mini_plan, UNIT, 2026))
    below = workspace / "forms"
    monkeypatch.chdir(below)  # any folder of the workspace
    r = run("units", "--year", "2026", "--format", "json")
    assert r.exit_code == 0, r.output
    listed = json.loads(r.output)
    assert [u["id"] for u in listed] == [u.id for u in mini_plan.units], "the workspace's own registry"
    assert next(u for u in listed if u["id"] == UNIT)["state"] == "on_time"
    assert paths.default_plan() == Path("..") / "plan.yaml"
    assert paths.default_units() == Path("..") / "units"
    assert paths.default_forms(2026) == Path("..") / "forms" / "2026"


def test_defaults_in_the_repository_root_are_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    assert paths.workspace_root() is None
    assert paths.default_plan() == Path("data/plan.yaml")
    assert paths.default_units() == Path("data/units")


# ---- versions and the receipt log ----------------------------------------------------------------


def test_new_force_keeps_the_previous_version(workspace: Path) -> None:
    assert run("new", UNIT, "--year", "2026").exit_code == 0
    target = workspace / "units" / "2026" / f"{UNIT}.yaml"
    target.write_text(target.read_text(encoding="utf-8").replace("submitted:", "submitted: 2026-12-01"), "utf-8")
    before = target.read_bytes()
    r = run("new", UNIT, "--year", "2026", "--force")
    assert r.exit_code == 0, r.output
    versions = sorted((workspace / "units" / "2026" / ".phien-ban").iterdir())
    assert len(versions) == 1 and versions[0].read_bytes() == before
    assert versions[0].name.startswith(f"{UNIT}.") and versions[0].suffix == ".yaml"
    assert ":" not in versions[0].name
    assert "Bản trước" in r.output
    r = run("new", UNIT, "--year", "2026", "--force")
    versions = sorted((workspace / "units" / "2026" / ".phien-ban").iterdir())
    assert len(versions) == 1, "a file replaced by the same bytes loses nothing: no copy"
    target.write_text(target.read_text(encoding="utf-8") + "# sửa tay\n", "utf-8")
    r = run("new", UNIT, "--year", "2026", "--force")
    versions = sorted((workspace / "units" / "2026" / ".phien-ban").iterdir())
    assert len(versions) == 2 and versions[0].read_bytes() == before, "sorted by name = in the order made"
    assert versions[1].read_bytes().endswith("# sửa tay\n".encode())
    r = run("validate")
    assert r.exit_code == 0, r.output
    assert "Đã kiểm tra 1 tệp" in r.output, "the versions are not submissions"


def test_import_logs_every_form_and_keeps_versions(workspace: Path, mini_plan: Plan) -> None:
    assert run("new", UNIT, "--year", "2026", "--format", "xlsx").exit_code == 0
    form = workspace / "forms" / "2026" / f"{UNIT}.xlsx"
    fill(form, GOOD | {"staff.informed": 41})  # an error: informed > total
    r = run("import", str(form))
    assert r.exit_code == 1, r.output
    log = workspace / "units" / "2026" / "nhat-ky-nhan.csv"
    rows = receipts(log)
    assert rows[0] == list(RECEIPT_HEADER)
    assert (
        rows[1][1:3] == [UNIT, str(form)]
        and rows[1][4] == "lỗi"
        and "'Số người đã được tuyên truyền, phổ biến NQ57' (41)" in rows[1][5]
    )
    assert rows[1][3] == hashlib.sha256(form.read_bytes()).hexdigest()
    assert dt.datetime.fromisoformat(rows[1][0]).tzinfo is not None
    fill(form, {"staff.informed": 38})
    assert run("import", str(form)).exit_code == 0
    first = (workspace / "units" / "2026" / f"{UNIT}.yaml").read_bytes()
    r = run("import", str(form))
    assert r.exit_code == 2 and "--force" in r.output
    fill(form, {"staff.informed": 30})
    r = run("import", str(form), "--force")
    assert r.exit_code == 0, r.output
    versions = list((workspace / "units" / "2026" / ".phien-ban").glob(f"{UNIT}.*.yaml"))
    assert [v.read_bytes() for v in versions] == [first]
    rows = receipts(log)
    assert [row[4] for row in rows[1:]] == ["lỗi", "ghi", "bỏ qua", "ghi"]
    assert ".phien-ban" in rows[4][5]
    assert rows[4][3] == hashlib.sha256(form.read_bytes()).hexdigest()
    assert sum(1 for row in rows if row == list(RECEIPT_HEADER)) == 1
    r = run("validate")
    assert r.exit_code == 0, r.output
    assert "nhat-ky-nhan" not in r.output and ".phien-ban" not in r.output
    assert "Đã kiểm tra 1 tệp" in r.output


def test_a_workbook_of_no_year_is_logged_at_the_units_root(workspace: Path) -> None:
    other = workspace / "bang-tinh.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "không phải biểu mẫu"
    wb.save(other)
    r = run("import", str(other))
    assert r.exit_code == 1, r.output
    rows = receipts(workspace / "units" / "nhat-ky-nhan.csv")
    assert rows[1][1:3] == ["", str(other)] and rows[1][4] == "lỗi"
    r = run("validate")
    assert r.exit_code == 0 and "nhat-ky-nhan" not in r.output, r.output


def test_receipt_lines_of_two_imports_at_once_stay_whole(tmp_path: Path) -> None:
    log = tmp_path / "2026" / "nhat-ky-nhan.csv"
    log.parent.mkdir()

    def one(n: int) -> None:
        for i in range(50):
            append_receipt(log, f"don-vi-{n}", f"form-{n}-{i}.xlsx", "ab" * 32, "ghi", "x" * 300)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rows = receipts(log)
    assert rows[0] == list(RECEIPT_HEADER) and len(rows) == 201
    assert all(len(row) == 6 and row[5] == "x" * 300 for row in rows[1:])


def test_two_import_processes_at_once_share_the_log(workspace: Path, mini_plan: Plan) -> None:
    forms = many_forms(workspace, mini_plan)
    halves = [forms[: len(forms) // 2], forms[len(forms) // 2 :]]
    started = [
        subprocess.Popen(
            [sys.executable, "-m", "plan57", "import", *map(str, half)],
            cwd=workspace,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for half in halves
    ]
    for p in started:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, (out, err)
    rows = receipts(workspace / "units" / "2026" / "nhat-ky-nhan.csv")
    assert rows[0] == list(RECEIPT_HEADER) and rows.count(list(RECEIPT_HEADER)) == 1
    assert sorted(row[2] for row in rows[1:]) == sorted(map(str, forms))
    assert all(row[4] == "ghi" for row in rows[1:])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(), min_size=1, max_size=6))
def test_a_csv_line_reads_back_as_its_fields(fields: list[str]) -> None:
    line = csv_line(list(fields))
    assert line.endswith("\r\n")
    (row,) = list(csv.reader(io.StringIO(line, newline="")))
    formula = ("=", "+", "-", "@", "\t", "\r")
    assert row == [("'" + f) if f.startswith(formula) else f for f in fields]


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2031, 1, 1), timezones=st.just(dt.UTC)),
    st.timedeltas(min_value=dt.timedelta(seconds=1), max_value=dt.timedelta(days=900)),
)
def test_version_names_sort_as_they_were_made(when: dt.datetime, later: dt.timedelta) -> None:
    path = Path("units/2026/xa-muong-la.yaml")
    first, second = version_name(path, when), version_name(path, when + later)
    assert first < second
    for name in (first, second):
        assert name.startswith("xa-muong-la.") and name.endswith(".yaml")
        assert not set(name) & set('<>:"/\\|?*'), "a name Windows can hold"


def test_a_text_excel_would_run_is_kept_as_text(tmp_path: Path) -> None:
    log = tmp_path / "nhat-ky-nhan.csv"
    append_receipt(log, "u", '=HYPERLINK("http://x")', "", "lỗi", "@SUM(A1)")
    row = receipts(log)[1]
    assert row[2].startswith("'=") and row[5].startswith("'@")


# ---- reminders -----------------------------------------------------------------------------------


def letter_text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


def test_remind_writes_the_letter_and_the_list(workspace: Path, mini_plan: Plan) -> None:
    on_time = submission(mini_plan, "so-khcn", 2026)
    late = submission(mini_plan, "phuong-to-hieu", 2026, dt.date(2026, 12, 9))
    late["contact"] = {"name": "Lò Thị Hoa", "phone": "0212 3852 111", "email": "hoa@tohieu.gov.vn"}
    bad = submission(mini_plan, "xa-chieng-la", 2026) | {"staff": {"total": 5, "informed": 9}}
    older = submission(mini_plan, UNIT, 2025) | {"contact": {"name": "Quàng Văn Minh", "phone": "0987654321"}}
    bad["contact"] = {"name": '=HYPERLINK("http://x")', "phone": '+84912"345'}
    for data in (on_time, late, bad, older):
        write(workspace / "units", data["year"], data["unit"], data)
    out = workspace / "don-doc"
    r = run("remind", "--year", "2026", "--date", "2026-12-10", "-o", str(out))
    assert r.exit_code == 0, r.output
    text = letter_text(out / "cong-van-don-doc.docx")
    doc = Document(str(out / "cong-van-don-doc.docx"))
    section = doc.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert 30 <= round(section.left_margin.mm) <= 35 and doc.styles["Normal"].font.name == "Times New Roman"
    assert len(doc.tables) == 3, "header, the list of units, Nơi nhận beside the signature"
    assert "V/v đôn đốc báo cáo kết quả thực hiện Kế hoạch số 2493/QĐ-UBND năm 2026" in text
    assert "05/12/2026" in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Nơi nhận:" in text
    listed = {u.id: u.name for u in mini_plan.units}
    for unit in ("phuong-to-hieu", "xa-chieng-la", UNIT):
        assert listed[unit] in text
    assert mini_plan.reporting.compiler == "so-vhttdl"
    assert "kính gửi " + listed["so-vhttdl"] not in (out / "nhac-viec.csv").read_text(encoding="utf-8-sig")
    assert listed["so-khcn"] not in text, "a unit on time is not reminded"
    for private in ("Lò Thị Hoa", "0212 3852 111", "hoa@tohieu.gov.vn"):
        assert private not in text, "contacts stay out of the letter"
    raw = (out / "nhac-viec.csv").read_bytes()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw[3:].decode("utf-8"), newline="")))
    by_id = {row["Mã đơn vị"]: row for row in rows}
    assert list(by_id) == [u.id for u in mini_plan.units if u.id not in ("so-khcn", "so-vhttdl")], (
        "registry order; the compiling body does not remind itself"
    )
    assert by_id["phuong-to-hieu"]["Tình trạng"] == "Gửi muộn, ngày 09/12/2026"
    assert by_id["phuong-to-hieu"]["Điện thoại"] == "0212 3852 111"
    assert by_id["xa-chieng-la"]["Tình trạng"] == "Báo cáo có lỗi, chưa được tính"
    assert by_id[UNIT]["Tình trạng"] == "Chưa gửi báo cáo"
    assert by_id[UNIT]["Người liên hệ"] == "Quàng Văn Minh", "from its latest file, of any year"
    assert by_id[UNIT]["Điện thoại"] == '="0987654321"', "Excel keeps the leading 0 of a text formula"
    assert by_id["xa-chieng-la"]["Người liên hệ"].startswith("'="), "a contact is never a formula"
    assert by_id["xa-chieng-la"]["Điện thoại"] == "'+84912\"345"
    assert listed[UNIT] in by_id[UNIT]["Lời nhắn"] and "05/12/2026" in by_id[UNIT]["Lời nhắn"]


def test_remind_takes_the_year_of_the_cycle(workspace: Path, mini_plan: Plan) -> None:
    write(workspace / "units", 2025, UNIT, submission(mini_plan, UNIT, 2025))
    assert run("new", "--all", "--year", "2026").exit_code == 0  # drafts start the 2026 cycle
    r = run("remind", "--date", "2026-11-20")
    assert r.exit_code == 0, r.output
    assert r.output.startswith("Năm 2026: 7 đơn vị cần đôn đốc (7 chưa gửi"), "the compiling body not among them"
    text = letter_text(workspace / "cong-van-don-doc.docx")
    assert "trước ngày 05/12/2026" in text


def test_remind_with_nobody_to_remind(workspace: Path, mini_plan: Plan) -> None:
    for unit in mini_plan.units:
        write(workspace / "units", 2026, unit.id, submission(mini_plan, unit.id, 2026))
    r = run("remind", "--year", "2026")
    assert r.exit_code == 0, r.output
    assert "không có đơn vị nào cần đôn đốc" in r.output
    assert not (workspace / "cong-van-don-doc.docx").exists()


def test_remind_never_writes_among_the_submissions(workspace: Path) -> None:
    r = run("remind", "--year", "2026", "-o", "units/2026")
    assert r.exit_code == 2 and "thư mục báo cáo" in r.output


# ---- quiet, counted, progress --------------------------------------------------------------------


def many_forms(root: Path, plan: Plan, extra: dict[str, Any] | None = None) -> list[Path]:
    folder = root / "nhan-ve"
    folder.mkdir(exist_ok=True)
    made = []
    for unit in plan.units:
        path = folder / f"{unit.id}.xlsx"
        path.write_bytes(build_form(plan, unit.id, 2026, None))
        fill(path, {"submitted": dt.date(2026, 12, 1)} | (extra or {}))
        made.append(path)
    return made


def test_import_counts_warnings_by_kind_and_quiet_prints_errors_only(workspace: Path, mini_plan: Plan) -> None:
    forms = many_forms(workspace, mini_plan)
    bad = forms[0]
    fill(bad, {"staff.total": 5, "staff.informed": 9})
    r = run("import", *map(str, forms))
    assert r.exit_code == 1, r.output
    lines = r.output.splitlines()
    first_error = next(i for i, line in enumerate(lines) if ": lỗi: " in line)
    assert first_error == 0, "errors come first"
    warning_lines = [line for line in lines if "cảnh báo" in line and not line.startswith("Đã kiểm tra")]
    assert len(warning_lines) <= 4, warning_lines
    assert any("xem từng cảnh báo" in line for line in warning_lines)
    assert len(lines) < 12, r.output
    assert lines[-1].startswith("Đã kiểm tra 8 biểu mẫu: 7 đã ghi")
    for path in forms[1:]:
        (workspace / "units" / "2026" / f"{path.stem}.yaml").unlink()
    r = run("import", "--quiet", *map(str, forms))
    assert r.exit_code == 1
    assert r.output.splitlines() and all(": lỗi: " in line for line in r.output.splitlines()), r.output


def test_validate_counts_warnings_by_kind(tmp_path: Path, mini_plan_path: Path, mini_plan: Plan) -> None:
    units = tmp_path / "units"
    for unit in mini_plan.units:
        data = submission(mini_plan, unit.id, 2026)
        data["budget_vnd"] = None  # an empty field: one warning per file
        write(units, 2026, unit.id, data)
    bad = submission(mini_plan, UNIT, 2026) | {"staff": {"total": 5, "informed": 9}}
    write(units, 2026, UNIT, bad)
    r = run("validate", "--units", str(units), "--plan", str(mini_plan_path), "--no-cache")
    lines = r.output.splitlines()
    assert ": lỗi: " in lines[0], r.output
    counted = [line for line in lines if "xem từng cảnh báo bằng: plan57 validate --format json" in line]
    assert len(counted) == 1 and "trong" in counted[0], r.output
    r = run("validate", "--units", str(units), "--plan", str(mini_plan_path), "--no-cache", "--quiet")
    assert all(": lỗi: " in line for line in r.output.splitlines()), r.output


def test_progress_on_a_terminal_only(workspace: Path, monkeypatch: pytest.MonkeyPatch, mini_plan: Plan) -> None:
    from plan57.render import progress

    monkeypatch.setattr(progress, "MIN_ITEMS", 2)
    monkeypatch.setattr(progress, "stderr_is_terminal", lambda: True)
    runner = CliRunner()
    r = runner.invoke(app, ["new", "--all", "--year", "2026"])
    assert r.exit_code == 0, r.output
    assert "Tạo tệp mẫu" in r.output and "\x1b[" in r.output, "a bar on a terminal"
    monkeypatch.setattr(progress, "stderr_is_terminal", lambda: False)
    r = runner.invoke(app, ["new", "--all", "--year", "2026", "--force", "--format", "xlsx"])
    assert r.exit_code == 0, r.output
    assert "Tạo biểu mẫu" not in r.output and "\x1b[" not in r.output, "nothing of it otherwise"


def test_long_validation_shows_progress_on_a_terminal(
    tmp_path: Path, mini_plan_path: Path, mini_plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    from plan57.render import progress
    from plan57.validation import validate

    units = tmp_path / "units"
    for unit in mini_plan.units:
        write(units, 2026, unit.id, submission(mini_plan, unit.id, 2026))
    monkeypatch.setattr(validate, "PARALLEL_MIN_FILES", 4)  # as long as thousands of files would be
    monkeypatch.setattr(progress, "MIN_ITEMS", 4)
    args = ["--units", str(units), "--plan", str(mini_plan_path), "--no-cache"]
    monkeypatch.setattr(progress, "stderr_is_terminal", lambda: True)
    r = run("validate", *args)
    assert r.exit_code == 0, r.output
    assert "Kiểm tra tệp báo cáo" in r.output
    r = run("score", "--year", "2026", *args)
    assert r.exit_code == 0 and "Kiểm tra tệp báo cáo" in r.output
    monkeypatch.setattr(progress, "stderr_is_terminal", lambda: False)
    r = run("validate", *args)
    assert r.exit_code == 0 and "Kiểm tra tệp báo cáo" not in r.output and "\x1b[" not in r.output


def test_progress_on_a_real_terminal(workspace: Path) -> None:
    pty = pytest.importorskip("pty")
    leader, follower = pty.openpty()
    code = (
        "import sys; from plan57.render import progress; progress.MIN_ITEMS = 2; "
        "sys.argv = ['plan57', 'new', '--all', '--year', '2026', '--format', 'xlsx']; "
        "from plan57.entry import main; main()"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], cwd=workspace, stdout=subprocess.PIPE, stderr=follower, stdin=subprocess.DEVNULL
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        seen += chunk
    out, _ = proc.communicate(timeout=300)
    os.close(leader)
    assert proc.returncode == 0
    assert "Tạo biểu mẫu".encode() in seen and b"/8" in seen, seen[-300:]
    assert b"\x1b" not in out, "stdout, a pipe, has nothing of the bar"


def test_no_progress_when_piped(workspace: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "plan57", "new", "--all", "--year", "2026", "--format", "xlsx"],
        capture_output=True,
        cwd=workspace,
        env={**os.environ, "COLUMNS": "100"},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == b"", done.stderr


# ---- a full disk ---------------------------------------------------------------------------------


def test_an_import_stopped_by_a_full_disk_lists_what_it_wrote(
    workspace: Path, mini_plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from plan57.base import atomic

    forms = many_forms(workspace, mini_plan)
    real = atomic.write_text
    calls = {"n": 0}

    def filling_up(path: Path, text: str, overwrite: bool = True) -> None:
        calls["n"] += 1
        if calls["n"] > 3:
            raise atomic.OutputError(f"không ghi được '{path}': {atomic.os_message(OSError(errno.ENOSPC, ''))}")
        real(path, text, overwrite)

    monkeypatch.setattr(atomic, "write_text", filling_up)
    r = run("import", *map(str, forms))
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    written = [line for line in r.output.splitlines() if line.startswith("Đã ghi ")]
    assert len(written) == 3, r.output
    assert "ổ đĩa đã đầy" in r.output
    assert "chưa được đọc" in r.output
    summary = [line for line in r.output.splitlines() if line.startswith("Đã kiểm tra")]
    assert summary and "3 đã ghi" in summary[0] and "1 không ghi được" in summary[0], r.output
    rows = receipts(workspace / "units" / "2026" / "nhat-ky-nhan.csv")
    assert [row[4] for row in rows[1:]] == ["ghi", "ghi", "ghi", "lỗi"]


# ---- contacts ------------------------------------------------------------------------------------

PRIVATE = ("Nguyễn Thị Riêngtư", "0912 777 555", "rieng.tu.lienhe@example.vn", "Chuyên viên Bímật")


def test_contacts_appear_in_no_output(tmp_path: Path, mini_plan_path: Path, mini_plan: Plan) -> None:
    units = tmp_path / "units"
    for unit in mini_plan.units:
        data = submission(mini_plan, unit.id, 2026)
        data["contact"] = {"name": PRIVATE[0], "phone": PRIVATE[1], "email": PRIVATE[2], "position": PRIVATE[3]}
        write(units, 2026, unit.id, data)
    common = ["--units", str(units), "--plan", str(mini_plan_path), "--year", "2026"]
    outputs: list[str] = []
    for fmt in ("md", "docx", "html", "xlsx"):
        out = tmp_path / f"tonghop.{fmt}"
        r = run("report", *common, "-o", str(out))
        assert r.exit_code == 0, r.output
        raw = out.read_bytes()
        if fmt in ("docx", "xlsx"):
            with zipfile.ZipFile(io.BytesIO(raw)) as z:
                outputs.extend(z.read(n).decode("utf-8", "replace") for n in z.namelist())
        else:
            outputs.append(raw.decode("utf-8"))
        outputs.append(r.output)
    for extra in ([], ["--format", "json"], ["--explain"], ["--unit", UNIT], ["--unit", UNIT, "--format", "json"]):
        r = run("score", *common, *extra)
        assert r.exit_code == 0, r.output
        outputs.append(r.output)
    r = run("units", *common, "--format", "json")
    outputs.append(r.output)
    whole = "\n".join(outputs)
    for private in PRIVATE:
        assert private not in whole, private
        assert private.replace(" ", "&#160;") not in whole
    assert mini_plan.unit_index[UNIT].name in whole  # the outputs were searched


# ---- the whole loop (issue 30's acceptance) ------------------------------------------------------


def test_one_unit_through_the_loop(workspace: Path, mini_plan: Plan) -> None:
    r = run("new", UNIT, "--year", "2026", "--format", "xlsx")
    assert r.exit_code == 0, r.output
    form = workspace / "forms" / "2026" / f"{UNIT}.xlsx"
    received = workspace / "forms" / "2026" / "nhan-ve"
    received.mkdir()
    sent_back = received / form.name
    sent_back.write_bytes(form.read_bytes())
    # filled with three errors: informed, reached and trained each over its total
    errors = {"staff.informed": 45, "population.reached": 13000, "communication_staff.total": 3}
    fill(sent_back, GOOD | errors | {"communication_staff.trained": 5})
    r = run("import", str(sent_back))
    assert r.exit_code == 1, r.output
    assert len([line for line in r.output.splitlines() if ": lỗi: " in line]) >= 3, r.output
    assert not (workspace / "units" / "2026" / f"{UNIT}.yaml").exists()
    r = run("remind", "--year", "2026", "--date", "2026-12-02")
    assert r.exit_code == 0, r.output
    listed = reminded(workspace)
    today = dt.datetime.now().astimezone().date().strftime("%d/%m/%Y")
    assert listed[UNIT]["Tình trạng"] == f"Biểu mẫu nhận ngày {today} có lỗi, chưa được tính", "from the receipt log"
    assert "(3 lỗi; Báo cáo!" in listed[UNIT]["Lời nhắn"], "the message says what was wrong"
    corrected = workspace / "forms" / "2026" / "phan-hoi" / f"{UNIT}.xlsx"  # the feedback workbook
    assert corrected.is_file(), r.output
    assert openpyxl.load_workbook(corrected).sheetnames[0] == "Lỗi cần sửa"
    fill(corrected, GOOD | {"communication_staff.total": 5})
    r = run("import", str(corrected))
    assert r.exit_code == 0, r.output
    target = workspace / "units" / "2026" / f"{UNIT}.yaml"
    first = target.read_bytes()
    r = run("remind", "--year", "2026", "--date", "2026-12-02")
    assert r.exit_code == 0, r.output
    assert UNIT not in (workspace / "nhac-viec.csv").read_text(encoding="utf-8-sig")
    fill(corrected, {"staff.informed": 40})
    r = run("import", str(corrected), "--force")
    assert r.exit_code == 0, r.output
    assert [v.read_bytes() for v in (workspace / "units" / "2026" / ".phien-ban").iterdir()] == [first]
    assert b"informed: 40" in target.read_bytes()
    rows = receipts(workspace / "units" / "2026" / "nhat-ky-nhan.csv")
    assert [row[4] for row in rows[1:]] == ["lỗi", "ghi", "ghi"]
    r = run("remind", "--year", "2026", "--date", "2026-12-02")
    assert r.exit_code == 0, r.output
    names = (workspace / "nhac-viec.csv").read_text(encoding="utf-8-sig")
    assert UNIT not in names and mini_plan.unit_index[UNIT].name not in letter_text(workspace / "cong-van-don-doc.docx")
    assert "so-khcn" in names
    r = run("validate")
    assert r.exit_code == 0, r.output


def test_plan_of_the_repository_is_the_shipped_one() -> None:
    assert paths.shipped_plan().read_bytes() == PLAN.read_bytes()


def test_remind_reads_the_files_as_on_its_date(workspace: Path, mini_plan: Plan) -> None:
    """A letter dated 20/11 cannot call a report sent on 06/12 late: on that day it was not sent
    (`submitted` after `--date` is an error, as `validate --date` says)."""
    write(workspace / "units", 2026, "so-khcn", submission(mini_plan, "so-khcn", 2026, dt.date(2026, 12, 6)))
    r = run("remind", "--year", "2026", "--date", "2026-11-20")
    assert r.exit_code == 0, r.output
    rows = reminded(workspace)
    assert not rows["so-khcn"]["Tình trạng"].startswith("Gửi muộn"), rows["so-khcn"]
    r = run("remind", "--year", "2026", "--date", "2026-12-10")
    rows = reminded(workspace)
    assert rows["so-khcn"]["Tình trạng"] == "Gửi muộn, ngày 06/12/2026"


@pytest.mark.parametrize("typed", [{"unit": "xa-chieng-la"}, {"unit": None}, {"year": 2025}])
def test_feedback_and_log_go_to_the_unit_the_form_was_made_for(
    workspace: Path, mini_plan: Plan, typed: dict[str, Any]
) -> None:
    """A form whose unit or year cell was typed over is refused, and its feedback and receipt line
    are its own unit's and year's, never another unit's (whose own feedback it would replace)."""
    assert run("new", UNIT, "--year", "2026", "--format", "xlsx").exit_code == 0
    form = workspace / "forms" / "2026" / f"{UNIT}.xlsx"
    fill(form, GOOD | typed)
    r = run("import", str(form))
    assert r.exit_code == 1, r.output
    assert "được tạo cho" in r.output and "'None'" not in r.output
    feedback = list((workspace / "forms").rglob("phan-hoi/*.xlsx"))
    assert feedback == [workspace / "forms" / "2026" / "phan-hoi" / f"{UNIT}.xlsx"], feedback
    rows = receipts(workspace / "units" / "2026" / "nhat-ky-nhan.csv")
    assert [(row[1], row[4]) for row in rows[1:]] == [(UNIT, "lỗi")]
    assert not (workspace / "units" / "2025").exists()
