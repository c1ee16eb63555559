"""The library entry points the commands call: load a workspace, score a year."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plan57.base.diagnostics import Diagnostic
from plan57.base.errors import OutputError, UsageError
from plan57.base.files import DEFAULT_MAX_SIZE
from plan57.base.paths import default_plan, default_units
from plan57.model.plan import Plan
from plan57.validation.plan_file import load_plan
from plan57.validation.validate import Collection, validate_tree

if TYPE_CHECKING:  # scoring is imported where a command scores: `validate` does not
    from plan57.scoring.score import YearResult


@dataclass
class Workspace:
    """The plan in use and every submission found, validated."""

    plan: Plan
    collection: Collection
    plan_path: Path
    units_dir: Path


def open_plan(plan: Path | None = None, cache: bool = False) -> tuple[Plan, Path]:
    path = plan or default_plan()
    if path.is_dir():
        raise UsageError(f"'{path}' là một thư mục, không phải tệp kế hoạch (--plan)")
    if path.exists() and not path.is_file():
        raise UsageError(
            f"'{path}' không phải một tệp thường (một ống dẫn hay thiết bị), không phải tệp kế hoạch (--plan)"
        )
    if not path.is_file():
        raise UsageError(f"không tìm thấy tệp kế hoạch '{path}'")
    return load_plan(path, cache=cache), path


def open_workspace(
    plan: Path | None = None,
    units: Path | None = None,
    max_size: int = DEFAULT_MAX_SIZE,
    cache: bool = True,
    scoring: bool = True,
    meanwhile: Callable[[], object] | None = None,
) -> Workspace:
    """The plan and every submission validated. With `scoring`, the workers that validate the
    files also work out what scoring reads from each one (a command that only lists states
    needs none). `meanwhile` is work of the caller's this process can do while workers read the
    files (it is done then, or not at all)."""
    the_plan, plan_path = open_plan(plan, cache)
    units_dir = units_folder(units)
    from plan57.render.progress import show_reading
    from plan57.scoring.score import prepare, readings

    show_reading()

    derive = readings if scoring else None

    def meantime() -> None:  # while the workers read the files
        if scoring:
            prepare(the_plan)
        if meanwhile is not None:
            meanwhile()

    collection = validate_tree(units_dir, the_plan, max_size, cache=cache, derive=derive, meanwhile=meantime)
    for problem in collection.layout:
        if problem.code in FOLDER_ERRORS:  # a folder read as empty would read as units that sent nothing
            raise UsageError(f"{problem.path}: {problem.message}")
    return Workspace(the_plan, collection, plan_path, units_dir)


FOLDER_ERRORS = ("unreadable-folder", "year-folder-digits")


def same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def refuse_input_as_output(output: Path, inputs: list[Path]) -> None:
    """`-o` never names a file this run read (the plan, a submission, a template): writing it
    would replace the data plan57 reads with its own output."""
    for path in inputs:
        if same_file(output, path):
            raise UsageError(
                f"không ghi được '{output}': đây là tệp dữ liệu plan57 đang đọc ({path}); hãy chọn tên tệp khác"
            )


def workspace_inputs(ws: Workspace) -> list[Path]:
    return [ws.plan_path, *(f.path for f in ws.collection.files)]


def units_folder(units: Path | None) -> Path:
    """The folder of submissions to read: a folder named with --units must exist (a typo must not
    read as "nobody submitted"); the default folder may be absent (no submissions yet)."""
    if units is None:
        return default_units()
    if not units.exists():
        raise UsageError(f"không có thư mục báo cáo '{units}' (--units): hãy kiểm tra lại đường dẫn")
    return units


DATE_FORMS = "NGÀY/THÁNG/NĂM (15/12/2026) hoặc NĂM-THÁNG-NGÀY (2026-12-15)"


def parse_date(value: str) -> dt.date:
    """A date typed on the command line, the Vietnamese way (NGÀY/THÁNG/NĂM: 15/12/2026) or ISO
    (NĂM-THÁNG-NGÀY: 2026-12-15): a day the calendar does not have is said so, apart from a date
    written in another form."""
    import calendar
    import re

    iso = re.fullmatch(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*", value)
    vn = re.fullmatch(r"\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*", value)
    if iso is not None:
        year, month, day = (int(g) for g in iso.groups())
    elif vn is not None:
        day, month, year = (int(g) for g in vn.groups())
    else:
        raise UsageError(f"ngày '{value}' không hợp lệ: hãy viết theo dạng {DATE_FORMS}")
    if year < 1:
        raise UsageError(f"ngày '{value}' không có trong lịch: không có năm {year}")
    if not 1 <= month <= 12:
        raise UsageError(f"ngày '{value}' không có trong lịch: không có tháng {month} (tháng từ 1 đến 12)")
    try:
        return dt.date(year, month, day)
    except ValueError:
        last = calendar.monthrange(year, month)[1]
        raise UsageError(
            f"ngày {day:02d}/{month:02d}/{year} không có trong lịch: tháng {month} năm {year} có {last} ngày"
        ) from None


@contextmanager
def on_day(day: dt.date | None) -> Iterator[None]:
    """Validation takes `day` as today (a command's `--date`; None: the real date) while it lasts:
    a `submitted` date after it is an error (SPEC §4)."""
    from plan57.validation.validate import set_today

    before = set_today(day)
    try:
        yield
    finally:
        set_today(before)


def check_year(plan: Plan, year: int) -> int:
    if year not in plan.years:
        raise UsageError(f"năm {year} nằm ngoài thời gian của kế hoạch ({plan.years.start}–{plan.years.stop - 1})")
    return year


def invalid_after(ws: Workspace, year: int) -> dict[int, list[str]]:
    """The invalid files of years after `year`, by year: a default year passes over a year whose
    files all have errors (they count as not submitted), and they must still be named."""
    later: dict[int, list[str]] = {}
    for f in ws.collection.files:
        if not f.valid and f.folder_year in ws.plan.years and f.folder_year > year:  # type: ignore[operator]
            later.setdefault(f.folder_year, []).append(f.display)  # type: ignore[arg-type]
    return dict(sorted(later.items()))


def score(ws: Workspace, year: int | None) -> YearResult:
    from plan57.scoring.score import latest_year, score_year

    """Score `year`, by default the latest year with submissions (else the plan's first year)."""
    if year is None:
        year = latest_year(ws.plan, ws.collection) or ws.plan.years.start
    return score_year(ws.plan, ws.collection, check_year(ws.plan, year))


def unit_states(ws: Workspace, year: int | None) -> tuple[int, list[dict[str, object]]]:
    """(year, each registry unit with its state for that year and its file), in registry order.

    The state is the scoring state (on_time, late, invalid, missing); `draft` is true for a
    missing unit whose file is a valid draft (no sending date yet).
    """
    from plan57.scoring.score import YearData, latest_year

    if year is None:
        year = latest_year(ws.plan, ws.collection) or ws.plan.years.start
    check_year(ws.plan, year)
    data = YearData.build(ws.plan, ws.collection, year)
    rows: list[dict[str, object]] = []
    for unit in ws.plan.units:
        files = data.files.get(unit.id) or []
        state = data.state(ws.plan, unit.id)
        rows.append(
            {
                "id": unit.id,
                "name": unit.name,
                "kind": unit.kind,
                "state": state,
                "draft": state == "missing" and bool(files),
                "file": ", ".join(f.display for f in files) or None,
            }
        )
    return year, rows


def existing_file(units_dir: Path, year: int, unit_id: str) -> Path | None:
    for suffix in (".yaml", ".yml"):
        path = units_dir / str(year) / f"{unit_id}{suffix}"
        if path.exists():
            return path
    return None


@dataclass
class Carried:
    """What an earlier year's files give next year's templates (`new --from-year`)."""

    from_year: int
    data: dict[str, dict[str, object]]  # unit id → what persists of its valid file (model.carry)
    sources: dict[str, str]  # unit id → that file, as shown
    invalid: dict[str, str]  # unit id → its file(s) with an error, never copied

    def source(self, unit_id: str) -> str:
        return f"báo cáo năm {self.from_year} ({self.sources[unit_id]})"


def carried_from(plan: Plan, units_dir: Path, year: int, from_year: int, cache: bool = True) -> Carried:
    """The persistent fields of each unit's valid file of `from_year` (an earlier year than `year`);
    an invalid file (or one of two files for a unit) gives nothing."""
    from plan57.model.carry import carry_over

    check_year(plan, year)
    if from_year >= year:
        raise UsageError(
            f"--from-year {from_year} phải là một năm trước --year {year}: mẫu năm {year} được điền sẵn "
            "từ báo cáo của một năm đã qua"
        )
    check_year(plan, from_year)
    # read from the files themselves: the cache keeps no contact (personal data, SPEC §10)
    coll = validate_tree(units_dir, plan, years=[from_year], cache=False)
    out = Carried(from_year, {}, {}, {})
    for f in coll.for_year(from_year):
        unit = f.unit_id
        if unit is None or unit not in plan.unit_index:
            continue
        if not f.valid or f.record is None or unit in out.invalid:
            out.invalid[unit] = ", ".join(x for x in (out.invalid.get(unit), f.display) if x)
            out.data.pop(unit, None)
            out.sources.pop(unit, None)
            continue
        out.data[unit] = carry_over(plan, unit, year, f.record)
        out.sources[unit] = f.display
    return out


def write_template(
    plan: Plan,
    units_dir: Path,
    unit_id: str,
    year: int,
    force: bool = False,
    carried: Carried | None = None,
    kept: list[Path] | None = None,
) -> Path:
    """Write a fresh template for one unit (never over an existing file without force), pre-filled
    with what persists from the unit's valid file of an earlier year when `carried` has it. A file
    replaced with force is first kept in the year's versions folder (appended to `kept`)."""
    from plan57.base.atomic import write_text
    from plan57.render.template import new_submission

    check_year(plan, year)
    target = units_dir / str(year) / f"{unit_id}.yaml"
    other = existing_file(units_dir, year, unit_id)
    if other is not None and not force:
        raise OutputError(f"đơn vị '{unit_id}' đã có báo cáo năm {year}: '{other}'; dùng --force để ghi đè")
    if carried is not None and unit_id in carried.data:
        text = new_submission(plan, unit_id, year, carried.data[unit_id], carried.source(unit_id))
    else:
        text = new_submission(plan, unit_id, year)
    keep_previous(other, kept, by=text)
    write_text(target, text, overwrite=force)
    if other is not None and other != target:
        other.unlink()  # the unit keeps one file: the fresh .yaml replaces its .yml
    return target


def write_schema(plan: Plan, units_dir: Path, force: bool = False) -> Path:
    """The JSON Schema inside the units folder, where every template's $schema line points
    (`../submission.schema.json` from units/YEAR/UNIT.yaml), so `--units DIR` keeps it in DIR's tree.

    Written when absent (or with force): an existing file is never replaced unasked.
    """
    import json

    from plan57.base.atomic import write_text
    from plan57.base.paths import SCHEMA_FILE
    from plan57.model.submission import json_schema

    path = units_dir / SCHEMA_FILE
    if force or not path.exists():
        write_text(path, json.dumps(json_schema(plan), ensure_ascii=False, indent=2) + "\n")
    return path


def read_submission(units_dir: Path, year: int, unit_id: str) -> dict[str, object] | None:
    """The unit's existing file for the year as plain data (to pre-fill its form), if readable."""
    from plan57.loading.yamlsafe import LoadError, load_bytes, read_bytes

    path = existing_file(units_dir, year, unit_id)
    if path is None:
        return None
    try:
        doc = load_bytes(read_bytes(path, str(path)), str(path))
    except LoadError:
        return None
    return doc.data if isinstance(doc.data, dict) else None


def write_form(
    plan: Plan,
    units_dir: Path,
    out_dir: Path,
    unit_id: str,
    year: int,
    force: bool = False,
    carried: Carried | None = None,
) -> Path:
    """Write a unit's Excel form, pre-filled from its file for the year when there is one, else
    with what persists from its valid file of an earlier year when `carried` has it."""
    from plan57.base.atomic import write_bytes
    from plan57.render.form import build_form

    check_year(plan, year)
    target = out_dir / f"{unit_id}.xlsx"
    data = read_submission(units_dir, year, unit_id)
    if data is None and carried is not None:
        data = carried.data.get(unit_id)
    write_bytes(target, build_form(plan, unit_id, year, data), overwrite=force)
    return target


@dataclass
class Imported:
    """What became of one form: its diagnostics, and the file written or why none was."""

    form: Path
    display: str
    diagnostics: list[Diagnostic]
    written: Path | None = None
    skipped: Path | None = None  # an existing file kept (no --force)
    unit: str | None = None
    year: int | None = None
    kept: Path | None = None  # the previous version of the file replaced (units/Y/.phien-ban/)
    feedback: Path | None = None  # the feedback workbook written for a form with errors (SPEC §10)
    failed: str | None = None  # why a valid form was not written (a full disk): the run stopped there
    log_error: str | None = None  # why its line of the receipt log could not be written
    read: bool = True  # False: not read at all, the run having stopped before it
    untouched: bool = False  # a form returned as `new` wrote it: nothing written (SPEC §10)


def reads_back(text: str, data: dict[str, Any]) -> str | None:
    """Why the YAML written from a form does not read back, on both parse paths, as the data it
    was written from (the parser's own words where it refuses the text); None when it does."""
    from plan57.loading.yamlsafe import LoadError, parse, parse_fast

    try:
        careful = parse(text, "").data
    except LoadError as exc:
        return "; ".join(d.message for d in exc.diagnostics) or "tệp không đọc lại được"
    fast = parse_fast(text)
    if careful == data and (fast is None or fast.data == data):
        return None
    return "số liệu đọc lại khác số liệu của biểu mẫu"


def import_forms(
    plan: Plan, forms: list[Path], units_dir: Path, force: bool = False, max_size: int | None = None
) -> list[Imported]:
    """Check each form; write the valid ones to units_dir/Y/UNIT.yaml (never over a file unasked);
    every form read gets its line in the year's receipt log."""
    out: list[Imported] = []
    seen: dict[tuple[int, str], str] = {}
    for form in forms:
        if form.is_dir():
            raise UsageError(f"'{form}' là một thư mục, không phải biểu mẫu Excel (.xlsx)")
        if form.exists() and not form.is_file():
            raise UsageError(
                f"'{form}' không phải một tệp thường (một ống dẫn hay thiết bị): hãy ghi tên biểu mẫu .xlsx"
            )
        if not form.is_file():
            raise UsageError(f"không tìm thấy tệp '{form}'")
    # a form named twice (a.xlsx ./a.xlsx) is one form, read once
    forms = list({os.path.realpath(f): f for f in forms}.values())
    try:
        _import_each(plan, forms, units_dir, force, max_size, out, seen)
    finally:  # what was done is logged, whatever stopped the run
        log_receipts(plan, units_dir, out)
    return out


def _import_each(
    plan: Plan,
    forms: list[Path],
    units_dir: Path,
    force: bool,
    max_size: int | None,
    out: list[Imported],
    seen: dict[tuple[int, str], str],
) -> None:
    from plan57.base.atomic import write_text
    from plan57.loading.xlsx_form import DEFAULT_FORM_MAX_SIZE
    from plan57.render.template import filled_submission
    from plan57.validation.form import check_form

    for form in progress(forms, "Nhập biểu mẫu"):
        result = check_form(form, plan, max_size or DEFAULT_FORM_MAX_SIZE)
        done = Imported(form, result.display, result.diagnostics, unit=result.unit, year=result.year)
        out.append(done)
        if not result.valid or result.data is None or result.unit is None or result.year is None:
            write_feedback(form, result.unit, result.year, done)
            continue
        key = (result.year, result.unit)
        if key in seen:
            done.diagnostics.append(
                Diagnostic(
                    result.display,
                    0,
                    0,
                    "error",
                    "duplicate-unit",
                    f"đơn vị '{result.unit}' đã có biểu mẫu năm {result.year} khác trong lần nhập này "
                    f"({seen[key]}): chỉ nhập một biểu mẫu",
                )
            )
            continue
        seen[key] = result.display
        if result.untouched:
            done.untouched = True
            done.diagnostics.append(
                Diagnostic(
                    result.display,
                    0,
                    0,
                    "warning",
                    "form-untouched",
                    "biểu mẫu chưa được điền (không ô nào khác với lúc tạo bằng plan57 new): không ghi tệp nào",
                )
            )
            continue
        target = units_dir / str(result.year) / f"{result.unit}.yaml"
        other = existing_file(units_dir, result.year, result.unit)
        if other is not None and not force and not _is_draft(other):
            done.skipped = other
            continue
        text = filled_submission(plan, result.data, form.name)
        why = reads_back(text, result.data)
        if why is not None:  # never write, or replace a file with, one that says otherwise
            done.diagnostics.append(
                Diagnostic(
                    result.display,
                    0,
                    0,
                    "error",
                    "import-unreadable",
                    f"tệp YAML viết từ biểu mẫu này không đọc lại được đúng như đã điền ({why}): không ghi tệp "
                    "nào; nếu biểu mẫu không có gì bất thường, hãy gửi nó cho người bảo trì plan57",
                )
            )
            continue
        try:
            done.kept = keep_previous(other, by=text)
            # a new file is never written over one another import wrote meanwhile
            write_text(target, text, overwrite=force or other is not None)
        except OutputError as exc:
            if other is None and os.path.lexists(target):  # that other import's file is kept
                done.skipped = target
                continue
            stopped(done, out, forms, exc)  # a full disk: what was written is still listed, the rest not read
            return
        if other is not None and other != target:
            other.unlink()
        done.written = target


def write_feedback(form: Path, unit: str | None, year: int | None, done: Imported) -> None:
    """The feedback workbook of a form that was read (unit and year known) but has errors:
    forms/Y/phan-hoi/UNIT.xlsx, replacing an earlier one (SPEC §10)."""
    import zipfile

    from plan57.base.atomic import write_bytes
    from plan57.base.paths import default_forms
    from plan57.render.feedback import FEEDBACK_FOLDER, feedback_workbook

    if unit is None or year is None or not any(d.is_error for d in done.diagnostics):
        return
    target = default_forms(year) / FEEDBACK_FOLDER / f"{unit}.xlsx"
    try:
        write_bytes(target, feedback_workbook(form.read_bytes(), done.diagnostics))
    except OutputError as exc:
        done.diagnostics.append(
            Diagnostic(done.display, 0, 0, "warning", "feedback-unwritten", f"không ghi được tệp phản hồi: {exc}")
        )
        return
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as exc:
        done.diagnostics.append(
            Diagnostic(done.display, 0, 0, "warning", "feedback-unwritten", f"không tạo được tệp phản hồi ({exc})")
        )
        return
    done.feedback = target


def _is_draft(path: Path) -> bool:
    """A unit's file without a date of submission (SPEC §10): a real form replaces it unasked."""
    from plan57.loading.yamlsafe import LoadError, load_bytes

    try:
        data = load_bytes(path.read_bytes(), str(path)).data
    except (OSError, LoadError, ValueError):
        return False  # what cannot be read is kept, as any file is without --force
    return isinstance(data, dict) and data.get("submitted") is None


def keep_previous(previous: Path | None, kept: list[Path] | None = None, by: str | None = None) -> Path | None:
    """A file about to be replaced (by the text `by`), kept first in its year's versions folder
    (SPEC §10); a file replaced by the same bytes loses nothing and is not copied."""
    from plan57.base.history import keep_version

    if previous is None or not previous.is_file():
        return None
    if by is not None:
        try:
            if previous.read_bytes() == by.encode("utf-8", errors="backslashreplace"):
                return None
        except OSError:
            pass
    version = keep_version(previous)
    if kept is not None:
        kept.append(version)
    return version


def stopped(done: Imported, out: list[Imported], forms: list[Path], exc: OutputError) -> None:
    """An import stopped by a write that failed: that form and the forms not yet read say so."""
    done.failed = str(exc)
    for form in forms[len(out) :]:
        out.append(Imported(form, str(form), [], read=False))


def receipt_log(plan: Plan, units_dir: Path, year: int | None) -> Path:
    """The year's receipt log; a form whose year cannot be read is logged at the units folder's root."""
    from plan57.base.paths import RECEIPT_LOG

    if year is not None and year in plan.years:
        return units_dir / str(year) / RECEIPT_LOG
    return units_dir / RECEIPT_LOG


def receipt(item: Imported) -> tuple[str, str]:
    """(result, short reason) of one form, as the receipt log says them."""
    from plan57.base.history import FAILED, SKIPPED, WRITTEN

    errors = [d for d in item.diagnostics if d.is_error]
    if item.written is not None:
        if item.kept is not None:
            return WRITTEN, f"thay tệp trước, bản trước lưu ở {item.kept.parent.name}/{item.kept.name}"
        return WRITTEN, ""
    if item.failed is not None:
        return FAILED, item.failed
    if errors:
        first = errors[0]
        more = f" (và {len(errors) - 1} lỗi khác)" if len(errors) > 1 else ""
        where = f"{first.sheet}!{first.cell}: " if first.cell is not None else ""
        return FAILED, _short(f"{len(errors)} lỗi; {where}{first.message}{more}")
    if item.untouched:
        return SKIPPED, "biểu mẫu chưa được điền"
    if item.skipped is not None:
        return SKIPPED, f"đã có {item.skipped.name}; cần --force để thay"
    notes = [d.message for d in item.diagnostics]
    return SKIPPED, _short(notes[0]) if notes else "không ghi tệp"


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def log_receipts(plan: Plan, units_dir: Path, done: list[Imported]) -> None:
    """One line per form in its year's receipt log (time, unit, form as typed, SHA-256, result)."""
    from plan57.base.history import append_receipt, sha256_of

    for item in done:
        if not item.read:
            continue  # never read: nothing was received from it in this run
        result, reason = receipt(item)
        try:
            append_receipt(
                receipt_log(plan, units_dir, item.year), item.unit, str(item.form), sha256_of(item.form), result, reason
            )
        except OutputError as exc:
            item.log_error = str(exc)


def progress(items: list[Any], label: str) -> Any:
    """The items, with a progress bar on a terminal (render.progress)."""
    from plan57.render.progress import track

    return track(items, label)


@dataclass
class Initialised:
    """What `init` made of a workspace folder: the files and folders written, those kept as found."""

    root: Path
    plan_source: Path
    written: list[str]
    kept: list[str]
    year: int  # the year of the cycle the guide is written for


WORKSPACE_MARK_TEXT = (
    "Thư mục làm việc của plan57 (tạo bằng plan57 init). Các lệnh plan57 chạy trong thư mục này dùng "
    "plan.yaml và units/ của nó. Đừng xóa tệp này.\n"
)


def cycle_year(plan: Plan, today: dt.date | None = None) -> int:
    """The year a new cycle reports on: this year when the plan covers it, else its nearest year."""
    year = (today or dt.date.today()).year
    return min(max(year, plan.years.start), plan.years.stop - 1)


def init_workspace(folder: Path, plan: Path | None = None, force: bool = False) -> Initialised:
    """A workspace for a real cycle (SPEC §10): the plan (a copy of the shipped one, or of `plan`),
    empty units/ and forms/, the guide. A folder that holds anything is refused unless `force`,
    and even then no file in it is replaced: what is missing is added."""
    from plan57.base.atomic import write_bytes, write_text
    from plan57.base.paths import (
        WORKSPACE_FORMS,
        WORKSPACE_GUIDE,
        WORKSPACE_MARK,
        WORKSPACE_PLAN,
        WORKSPACE_UNITS,
        shipped_plan,
    )
    from plan57.render.guide import workspace_guide

    if folder.exists() and not folder.is_dir():
        raise UsageError(f"'{folder}' là một tệp, không phải thư mục: hãy chọn tên thư mục làm việc khác")
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise UsageError(
            f"thư mục '{folder}' đã có tệp: hãy chọn một thư mục mới (hoặc trống), hoặc dùng --force để thêm "
            "những gì còn thiếu (không tệp nào đã có bị ghi đè)"
        )
    source = plan or shipped_plan()
    the_plan, _ = open_plan(source)  # a plan that does not read is refused before anything is written
    made = Initialised(folder, source, [], [], cycle_year(the_plan))
    try:
        data = source.read_bytes()
    except OSError as exc:
        from plan57.base.errors import os_message

        raise UsageError(f"không đọc được tệp kế hoạch '{source}': {os_message(exc)}") from None

    def put(name: str, write: Callable[[Path], object]) -> None:
        path = folder / name
        if os.path.lexists(path):
            made.kept.append(name)
            return
        write(path)
        made.written.append(name)

    put(WORKSPACE_PLAN, lambda p: write_bytes(p, data, overwrite=False))
    for sub in (WORKSPACE_UNITS, WORKSPACE_FORMS):
        put(sub + "/", lambda p: _make_folder(p))
    put(
        WORKSPACE_GUIDE,
        lambda p: write_bytes(p, "\ufeff".encode() + workspace_guide(the_plan, made.year).encode(), False),
    )
    write_schema(the_plan, folder / WORKSPACE_UNITS)
    put(WORKSPACE_MARK, lambda p: write_text(p, WORKSPACE_MARK_TEXT, overwrite=False))
    return made


def _make_folder(path: Path) -> None:
    from plan57.base.errors import os_message

    try:
        path.mkdir(parents=True)
    except OSError as exc:
        raise OutputError(f"không tạo được thư mục '{path}': {os_message(exc)}") from None


REMIND_STATES = ("missing", "late", "invalid")


def cycle_of(ws: Workspace) -> int:
    """The year a reminder is about by default: the latest year of the plan with any file in the
    units folder (drafts count: `new --all` starts a cycle), else this year's cycle."""
    years = [f.folder_year for f in ws.collection.files if isinstance(f.folder_year, int)]
    years = [y for y in years if y in ws.plan.years]
    return max(years) if years else cycle_year(ws.plan)


def reminders(ws: Workspace, year: int) -> list[dict[str, object]]:
    """The units to remind for `year`, in registry order: not reported (a draft included), late or
    invalid (a file with errors, or a form refused for its errors by the latest import of the
    unit's forms), each with its name, state, sending date and contact. The contact is read from the
    unit's own latest file that has one (any year), never from the cache, which holds none."""
    from plan57.base.history import refused_units
    from plan57.scoring.score import YearData

    check_year(ws.plan, year)
    data = YearData.build(ws.plan, ws.collection, year)
    refused = refused_units(receipt_log(ws.plan, ws.units_dir, year))
    rows: list[dict[str, object]] = []
    for unit in ws.plan.units:
        if unit.id == ws.plan.reporting.compiler:
            continue  # the compiling body sends the letter: it does not remind itself
        state = data.state(ws.plan, unit.id)
        if state == "missing" and unit.id in refused:
            state = "invalid"  # its form came back with errors (the receipt log) and nothing was written
        if state not in REMIND_STATES:
            continue
        submitted = data.submitted_on(unit.id) if state == "late" else None
        rows.append(
            {"id": unit.id, "name": unit.name, "kind": unit.kind, "state": state, "submitted": submitted}
            | {"contact": latest_contact(ws, unit.id), "refused": refused.get(unit.id) if state == "invalid" else None}
        )
    return rows


def latest_contact(ws: Workspace, unit_id: str) -> dict[str, str] | None:
    """name, phone and email of the unit's contact, from its latest file holding one."""
    from plan57.loading.yamlsafe import LoadError, load_bytes, read_bytes

    files = [f for f in ws.collection.files if f.unit_id == unit_id and isinstance(f.folder_year, int)]
    for f in sorted(files, key=lambda f: f.folder_year or 0, reverse=True):
        try:
            doc = load_bytes(read_bytes(f.path, f.display), f.display, fast=True)
        except (LoadError, OSError):
            continue
        contact = doc.data.get("contact") if isinstance(doc.data, dict) else None
        if isinstance(contact, dict):
            found = {k: str(contact[k]) for k in ("name", "phone", "email") if contact.get(k) not in (None, "")}
            if found:
                return found
    return None
