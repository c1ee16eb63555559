"""Validation of unit submissions: every problem of every file, located."""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plan57.base.diagnostics import Diagnostic, one_line
from plan57.base.errors import UsageError, os_message
from plan57.base.files import DEFAULT_MAX_SIZE
from plan57.base.numbers import vn_int
from plan57.base.paths import RECEIPT_LOG, SCHEMA_FILE

if TYPE_CHECKING:  # a run the cache answers loads neither the parser nor the models
    from plan57.loading.yamlsafe import Document
    from plan57.model.plan import Plan

YAML_SUFFIXES = (".yaml", ".yml")
# Submission fields that are personal data (SPEC §10): a record kept by the cache, or served from
# it, never holds them, nor does the cache keep a result whose messages quote them; a command that
# needs them reads the unit's file without the cache.
PERSONAL_DATA = ("contact",)

# The day no `submitted` date may come after (SPEC §4): the real date, or the one a command was
# given (`--date`, `set_today`). The cache holds no result that the passing days could change: a
# file sent after the real date is never stored, and a run given an earlier day than the real one
# (or, without the records to check, any other day) neither reads nor fills the cache.
_TODAY: dt.date | None = None
FUTURE = "submitted-future"


def set_today(day: dt.date | None) -> dt.date | None:
    """The day validation takes as today (None: the real date); the one it took before."""
    global _TODAY
    before, _TODAY = _TODAY, day
    return before


def real_today() -> dt.date:
    """The real date (one place, so that a test can say which day it is)."""
    return dt.date.today()


def today() -> dt.date:
    return _TODAY or real_today()


def _lasting(result: FileResult) -> bool:
    """Whether the result holds whatever day it is read on (see `_TODAY`)."""
    if any(d.code == FUTURE for d in result.diagnostics):
        return False
    sent = result.record.get("submitted") if isinstance(result.record, dict) else None
    return not (isinstance(sent, dt.date) and sent > real_today())


@dataclass
class FileResult:
    """One submission file after validation."""

    path: Path
    display: str
    folder_year: int | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    record: dict[str, Any] | None = None  # the validated submission, as plain data
    unit_id: str | None = None  # the registry unit this file is filed for, if any
    unit_loc: tuple[int, int] = (1, 1)  # where `unit:` stands, for cross-file diagnostics
    derived: Any = None  # what the caller's `derive` worked out from the valid record, if it ran
    personal: bool = False  # a diagnostic quotes personal data: the cache does not keep this result

    @property
    def valid(self) -> bool:
        found = self.diagnostics
        return self.record is not None and not (found and any(d.is_error for d in found))


@dataclass
class Collection:
    """All submission files found under a units folder."""

    files: list[FileResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    layout: list[Diagnostic] = field(default_factory=list)  # files that are not submissions

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [d for f in self.files for d in f.diagnostics] + self.layout

    def years(self) -> list[int]:
        return sorted({f.folder_year for f in self.files if f.folder_year is not None})

    def for_year(self, year: int) -> list[FileResult]:
        return [f for f in self.files if f.folder_year == year]


def display_path(path: Path) -> str:
    """The path as the user will recognise it: relative to here when below here; a control
    character or an undecodable byte in a name is shown escaped, never sent to the terminal."""
    parent, name = os.path.split(os.fspath(path))
    return one_line(os.path.join(_display_dir(parent or ".", os.getcwd()), name))


@functools.lru_cache(maxsize=256)
def _display_dir(parent: str, cwd: str) -> str:
    try:
        rel = os.path.relpath(parent, cwd)
    except ValueError:
        return parent
    return parent if rel.startswith("..") else ("" if rel == "." else rel)


_YEAR = re.compile(r"[0-9]{4}")  # ASCII digits only: '２０２５' or '٢٠٢٦' is not a year folder


def year_of_folder(name: str) -> int | None:
    return int(name) if _YEAR.fullmatch(name) else None


# The folder year of a file named on the command line outside any year folder (a unit checking
# the form it saved in Downloads): it is checked against its own `year:` (SPEC §2).
LONE = 0


def folder_year(path: Path) -> int | None:
    """A file is filed under the year of its folder."""
    return year_of_folder(path.parent.name)


def _lookalike_year(folder: str) -> bool:
    """Four digits of another script (full-width, Arabic-Indic…): a year typed with the wrong keyboard."""
    return len(folder) == 4 and folder.isdigit() and not folder.isascii()


BAD_FILE_NAME = (
    "tên tệp có byte không phải chữ UTF-8 (tên đặt bằng bảng mã cũ?) nên tệp không được đọc: hãy đổi tên "
    "tệp thành mã đơn vị, ví dụ xa-muong-la.yaml"
)
BAD_FOLDER_NAME = (
    "tên thư mục có byte không phải chữ UTF-8 (tên đặt bằng bảng mã cũ?) nên các tệp trong đó không được "
    "đọc: hãy đổi tên thư mục"
)
LINK_OUTSIDE = (
    "{what} này là một liên kết (symlink) trỏ ra ngoài thư mục báo cáo nên không được đọc: hãy chép chính "
    "báo cáo vào thư mục báo cáo"
)


def _decodable(name: str) -> bool:
    """A name the system gave as text: bytes that are not UTF-8 come as lone surrogates."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _leads_outside(path: Path, inside: str) -> bool:
    """A symbolic link whose target is not below the units folder (a link within it is read)."""
    if not os.path.islink(path):
        return False
    target = os.path.realpath(path)
    try:
        return os.path.commonpath([target, inside]) != inside
    except ValueError:  # another drive
        return True


def discover(units_dir: Path) -> tuple[list[tuple[Path, int | None]], list[Diagnostic]]:
    """(file, folder year) for every YAML file below units_dir, and problems with the layout."""
    found: list[tuple[Path, int | None]] = []
    problems: list[Diagnostic] = []

    def unreadable(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else units_dir
        problems.append(
            Diagnostic(
                display_path(where),
                1,
                1,
                "error",
                "unreadable-folder",
                f"không đọc được thư mục ({os_message(exc)}): các báo cáo trong đó không được kiểm tra",
            )
        )

    inside = os.path.realpath(units_dir)

    def refused(path: Path, code: str, message: str) -> None:
        problems.append(Diagnostic(display_path(path), 1, 1, "error", code, message))

    for root, dirs, files in os.walk(units_dir, onerror=unreadable):
        base = Path(root)
        for name in list(dirs):
            if name.startswith("."):  # .phien-ban: previous versions, not submissions
                dirs.remove(name)
                continue
            if not _decodable(name):
                dirs.remove(name)
                refused(base / name, "name-encoding", BAD_FOLDER_NAME)
            elif _leads_outside(base / name, inside):
                refused(base / name, "link-outside", LINK_OUTSIDE.format(what="thư mục"))
        dirs.sort()
        folder = os.path.basename(root)
        year = year_of_folder(folder)
        if _lookalike_year(folder):
            digits = "".join(str(int(ch)) for ch in folder)
            problems.append(
                Diagnostic(
                    display_path(base),
                    1,
                    1,
                    "error",
                    "year-folder-digits",
                    f"tên thư mục '{folder}' viết bằng chữ số không phải chữ số thường (0–9) nên không được "
                    f"coi là năm: hãy đổi tên thư mục thành {digits}; các tệp trong đó không được kiểm tra",
                )
            )
            dirs[:] = []
            continue
        for name in sorted(files):
            if name.startswith(".") or name in (SCHEMA_FILE, RECEIPT_LOG):
                continue
            path = base / name
            if not _decodable(name):
                refused(path, "name-encoding", BAD_FILE_NAME)
                continue
            if _leads_outside(path, inside):  # never read: its content is not shown in any message
                refused(path, "link-outside", LINK_OUTSIDE.format(what="tệp"))
                continue
            if not name.lower().endswith(YAML_SUFFIXES):
                problems.append(
                    Diagnostic(
                        display_path(path),
                        1,
                        1,
                        "warning",
                        "not-yaml",
                        "tệp không phải YAML (.yaml) nên không được đọc; nếu đây là báo cáo của một "
                        "đơn vị, hãy chuyển sang mẫu YAML (plan57 new)",
                    )
                )
                continue
            found.append((path, year))
    return found, problems


def read_bytes(path: Path, shown: str, max_size: int) -> bytes:
    """The loader's reading of a file, its module imported only when a file is read."""
    from plan57.loading.yamlsafe import read_bytes as read

    return read(path, shown, max_size)


def validate_file(
    path: Path, plan: Plan, folder_year: int | None, max_size: int = DEFAULT_MAX_SIZE, display: str | None = None
) -> FileResult:
    from plan57.loading.yamlsafe import LoadError

    shown = display or display_path(path)
    try:
        raw = read_bytes(path, shown, max_size)
    except LoadError as exc:
        return FileResult(path=path, display=shown, folder_year=folder_year, diagnostics=exc.diagnostics)
    return validate_bytes(raw, path, plan, folder_year, max_size, shown)


def validate_bytes(
    raw: bytes, path: Path, plan: Plan, folder_year: int | None, max_size: int, shown: str, fast: bool = True
) -> FileResult:
    """Validate one file's bytes. libyaml's parse gives the same data and places as the careful
    path (a property test checks it), so the careful round-trip parse runs only when libyaml
    cannot decide: a syntax error to locate and explain, an anchor, a tag, a directive."""
    from plan57.loading.yamlsafe import LoadError, load_bytes

    result = FileResult(path=path, display=shown, folder_year=folder_year)
    if path.stem in plan.unit_index:
        result.unit_id = path.stem
    try:
        doc = load_bytes(raw, shown, max_size, fast=fast)
    except LoadError as exc:
        result.diagnostics = exc.diagnostics
        return result
    if not isinstance(doc.data, dict):
        loc = doc.value_loc(())
        result.diagnostics = [
            Diagnostic(
                shown,
                loc.line,
                loc.col,
                "error",
                "not-mapping",
                "nội dung tệp phải là một bảng các khóa: giá trị (unit:, year:, …), không phải "
                + ("một danh sách" if isinstance(doc.data, list) else "một giá trị đơn"),
            )
        ]
        return result
    result.diagnostics = _check_document(doc, plan, shown, path, folder_year, result)
    return result


def validate_document(doc: Document, plan: Plan, shown: str, path: Path, folder_year: int | None) -> FileResult:
    """Validate data already parsed (an Excel form's): the rules and messages of every file."""
    result = FileResult(path=path, display=shown, folder_year=folder_year)
    if path.stem in plan.unit_index:
        result.unit_id = path.stem
    result.diagnostics = _check_document(doc, plan, shown, path, folder_year, result)
    return result


def _check_document(
    doc: Document, plan: Plan, shown: str, path: Path, folder_year: int | None, result: FileResult
) -> list[Diagnostic]:
    lone = folder_year == LONE
    if lone:
        folder_year = None
    # imported here: a run served from the cache never needs them
    from pydantic import ValidationError

    from plan57.model.submission import submission_model
    from plan57.validation.locate import did_you_mean, first_diagnostics
    from plan57.validation.rules import check, missing_blocks, submitted_range, unsafe_text

    data = doc.data
    model = submission_model(plan)
    out: list[Diagnostic] = []
    record = None
    omitted = 0
    try:
        record = model.model_validate(data).model_dump(by_alias=True)
    except ValidationError as exc:
        stated = data.get("year") if isinstance(data, dict) else None
        year = folder_year if folder_year is not None else stated if isinstance(stated, int) else None
        first, omitted = first_diagnostics(exc, doc, shown, root=model, limit=MAX_PER_FILE + 1, plan=plan, year=year)
        out.extend(first)
    out.extend(check(doc, plan, shown, folder_year, today()))
    out.extend(unsafe_text(doc, shown))
    out.extend(submitted_range(doc, plan, shown, folder_year))

    unit = data.get("unit")
    if ("unit",) in doc.values:
        loc = doc.value_loc(("unit",))
        result.unit_loc = (loc.line, loc.col)
    if result.unit_id is None and isinstance(unit, str) and unit in plan.unit_index:
        result.unit_id = unit
    if isinstance(unit, str) and unit != path.stem and unit in plan.unit_index:
        loc = doc.value_loc(("unit",))
        out.append(
            Diagnostic(
                shown,
                loc.line,
                loc.col,
                "error",
                "unit-path",
                f"mã đơn vị '{unit}' khác tên tệp '{path.name}': tệp của đơn vị này phải tên là '{unit}.yaml'",
            )
        )
    if path.stem not in plan.unit_index and not (isinstance(unit, str) and unit in plan.unit_index):
        out.append(
            Diagnostic(
                shown,
                1,
                1,
                "error",
                "unknown-unit-file",
                f"tên tệp '{path.stem}' không phải mã một đơn vị trong danh mục"
                + did_you_mean(path.stem, plan.unit_index),
            )
        )
    year = data.get("year")
    if folder_year is None and not lone:
        out.append(
            Diagnostic(
                shown,
                1,
                1,
                "error",
                "year-folder",
                "tệp phải nằm trong thư mục mang tên năm báo cáo, ví dụ data/units/2025/",
            )
        )
    elif folder_year is not None and isinstance(year, int) and not isinstance(year, bool) and year != folder_year:
        loc = doc.value_loc(("year",))
        out.append(
            Diagnostic(
                shown,
                loc.line,
                loc.col,
                "error",
                "year-path",
                f"năm {year} khác thư mục năm {folder_year} chứa tệp: tệp được tính cho năm {folder_year}",
            )
        )
    if result.unit_id is not None:
        out.extend(missing_blocks(doc, plan, shown, result.unit_id))
    if record is not None and not any(d.is_error for d in out) and not omitted:
        result.record = record
    result.personal = bool(out) and _quotes_personal_data(out, data)
    out.sort(key=lambda d: (d.line, d.col))
    return capped(out, shown, omitted)


def _quotes_personal_data(found: list[Diagnostic], data: dict[str, Any]) -> bool:
    """Whether a message repeats a value of a personal field (an e-mail address that is not one)."""
    values: list[str] = []

    def collect(value: Any) -> None:
        if isinstance(value, dict):
            for v in value.values():
                collect(v)
        elif isinstance(value, list):
            for v in value:
                collect(v)
        elif value is not None and not isinstance(value, bool):
            text = str(value).strip()
            if len(text) >= 3:
                values.append(text)

    for name in PERSONAL_DATA:
        collect(data.get(name))
    if not values:
        return False
    said = "\n".join(d.message for d in found)
    return any(v in said for v in values)


MAX_PER_FILE = 50  # problems listed per file; the rest are counted in one line


def capped(found: list[Diagnostic], shown: str, omitted: int = 0) -> list[Diagnostic]:
    """The first MAX_PER_FILE problems of a file (in its order), then one line counting the rest."""
    if len(found) <= MAX_PER_FILE and not omitted:
        return found
    rest = found[MAX_PER_FILE:]
    more = len(rest) + omitted
    errors = omitted + sum(1 for d in rest if d.is_error)
    at = rest[0] if rest else found[-1]
    counted = f"{vn_int(errors)} lỗi" + (f" và {vn_int(more - errors)} cảnh báo" if more > errors else "")
    return found[:MAX_PER_FILE] + [
        Diagnostic(
            shown,
            at.line,
            at.col,
            "error" if errors else "warning",
            "too-many-problems",
            f"từ đây trở đi tệp còn {counted} nữa chưa được liệt kê (chỉ liệt kê {MAX_PER_FILE} vấn đề đầu "
            "tiên); hãy sửa các lỗi trên rồi kiểm tra lại",
        )
    ]


def validate_tree(
    units_dir: Path,
    plan: Plan,
    max_size: int = DEFAULT_MAX_SIZE,
    years: Iterable[int] | None = None,
    cache: bool = True,
    records: bool = True,
    derive: Derive | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> Collection:
    """Validate every submission below units_dir, with the cross-file rules.

    With records=False (validation only), results served from the cache carry no data. `derive`,
    when given, is worked out from each valid record validated now, as its result comes in (while
    the workers go on with the next files), and kept beside it (`FileResult.derived`); a record
    read from the cache has none: the caller works it out when it needs it. `meanwhile`, when
    given, is called once worker processes have started, while this process waits for them; what
    it raises is ignored (it is work the caller can do again later).
    """
    if not units_dir.exists():
        return Collection(
            notes=[f"chưa có thư mục báo cáo '{display_path(units_dir)}': chưa có đơn vị nào nộp báo cáo"]
        )
    if not units_dir.is_dir():
        raise UsageError(f"'{units_dir}' là một tệp, không phải thư mục báo cáo (--units)")
    found, layout = discover(units_dir)
    if years is not None:
        wanted = set(years)
        found = [(p, y) for p, y in found if y in wanted]
    return _validate_found(found, layout, plan, max_size, cache, records, derive, meanwhile)


def validate_paths(
    paths: Iterable[Path], plan: Plan, max_size: int = DEFAULT_MAX_SIZE, cache: bool = True, records: bool = True
) -> Collection:
    """Validate the given files and folders (each folder searched like a units folder)."""
    found, layout = find_paths(paths)
    return _validate_found(found, layout, plan, max_size, cache, records)


def find_paths(paths: Iterable[Path]) -> tuple[list[tuple[Path, int | None]], list[Diagnostic]]:
    """(file, folder year) for the files and folders named on the command line, each file once."""
    found: list[tuple[Path, int | None]] = []
    layout: list[Diagnostic] = []
    for path in paths:
        if path.is_dir():
            more, problems = discover(path)
            found.extend(more)
            layout.extend(problems)
        elif path.exists():
            found.append((path, LONE if folder_year(path) is None else folder_year(path)))
        elif os.path.islink(path):
            try:
                os.stat(path)
            except OSError as exc:
                raise UsageError(f"không đọc được '{path}': {os_message(exc)}") from None
        else:
            raise UsageError(f"không tìm thấy tệp hoặc thư mục '{path}'")
    # realpath, not resolve(): a symbolic link that loops is a file that cannot be read, not a crash
    return list({os.path.realpath(p): (p, y) for p, y in found}.values()), layout


PARALLEL_MIN_FILES = 200  # below this, starting worker processes costs more than it saves
# what shows the files' progress while they are read, when a command sets it (render.progress:
# a bar on a terminal for long work); it is given the results as they come and how many there are
PROGRESS: Callable[[Iterator[Any], int], Iterator[Any]] | None = None
_WORKER_PLAN: Plan | None = None
Derive = Callable[["Plan", dict[str, Any]], Any]


def _validate_found(
    found: list[tuple[Path, int | None]],
    layout: list[Diagnostic],
    plan: Plan,
    max_size: int,
    cache: bool = True,
    records: bool = True,
    derive: Derive | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> Collection:
    """Validate files: cached results first, the rest in parallel where it pays."""
    from plan57.loading.cache import Cache

    # a plan with warnings gets no cache: `validate` answered from one would not say them
    cache = cache and not plan.derived.get("warnings") and (_TODAY is None or (records and _TODAY >= real_today()))
    store = Cache(plan.source_hash, with_records=records) if cache and plan.source_hash else None
    try:
        return _validate_with(found, layout, plan, max_size, store, records, derive, meanwhile)
    finally:
        if store is not None:
            store.close()


def _validate_with(
    found: list[tuple[Path, int | None]],
    layout: list[Diagnostic],
    plan: Plan,
    max_size: int,
    store: Any,
    records: bool,
    derive: Derive | None,
    meanwhile: Callable[[], object] | None,
) -> Collection:
    results, pending, used = _cached(found, store, max_size)
    # the rest are read, hashed and validated by the workers, in parallel; a file whose bytes
    # the cache knows (touched, not changed) comes back as its key alone
    jobs = [(path, year, max_size, shown) for _, path, year, shown, _ in pending]
    outcomes = _run(jobs, plan, store, meanwhile)
    if PROGRESS is not None and len(jobs) >= PARALLEL_MIN_FILES:
        outcomes = PROGRESS(outcomes, len(jobs))
    for (i, path, year, shown, st), (key, done) in zip(pending, outcomes):
        if store and key and st is not None:
            store.remember(path, st, year, max_size, key)
        if done is None and store and key:
            hit = _from_cache(store.get(key), path, shown, year)
            if hit is not None:
                results[i] = hit
                used.add(key)
                continue
        if done is None:  # pragma: no cover - the cache lost the entry in between
            done = validate_file(path, plan, year, max_size, shown)
        record: Any
        if isinstance(done, FileResult):
            if store is not None and done.record is not None:
                done.record = without_personal_data(done.record)
            result, record = done, done.record
        else:  # a worker's plain result: its record comes as JSON text, read only if needed
            result, record = _from_worker(done, path, shown, year, records), done[1]
        results[i] = result
        if derive is not None and records and result.valid:
            # here, as each result comes in, while the workers go on with the next files
            try:
                result.derived = derive(plan, result.record)  # type: ignore[arg-type]
            except Exception:  # noqa: BLE001 - the caller works it out itself, and says what fails
                result.derived = None
        if store and key and not result.personal and _lasting(result):
            used.add(key)
            store.put(
                key,
                {
                    "diagnostics": [(d.line, d.col, d.severity, d.code, d.message) for d in result.diagnostics],
                    "record": record,
                    "unit_id": result.unit_id,
                    "unit_loc": result.unit_loc,
                },
            )
    if store:
        store.save(keep=used)
    coll = Collection(layout=layout, files=[r for r in results if r is not None])
    if store and store.note:
        coll.notes.append(store.note)
    cross_file(coll)
    return coll


Pending = tuple[int, Path, int | None, str, os.stat_result | None]  # index, path, year, as shown, stat


def _cached(
    found: list[tuple[Path, int | None]], store: Any, max_size: int, stop_at_miss: bool = False
) -> tuple[list[FileResult | None], list[Pending], set[str]]:
    """The results the cache holds for files unchanged since it saw them (by size, time and inode),
    the files left to read, and the keys used."""
    results: list[FileResult | None] = [None] * len(found)
    pending: list[Pending] = []
    used: set[str] = set()
    for i, (path, year) in enumerate(found):
        shown = display_path(path)
        st = None
        if store:
            try:
                st = os.stat(path)
            except OSError:
                st = None
            known = store.known_key(path, st, year, max_size) if st is not None else None
            hit = _from_cache(store.get(known), path, shown, year) if known else None
            if hit is not None:
                results[i] = hit
                used.add(known)  # type: ignore[arg-type]
                continue
        pending.append((i, path, year, shown, st))
        if stop_at_miss:
            break
    return results, pending, used


def cached_collection(
    found: list[tuple[Path, int | None]], layout: list[Diagnostic], plan_hash: str, max_size: int
) -> Collection | None:
    """What `validate` would find, when the cache holds every file unchanged (None otherwise),
    without the plan's model: the cache is tied to the plan's bytes, which were valid when it was
    filled."""
    from plan57.loading.cache import Cache

    store = Cache(plan_hash, with_records=False)
    try:
        if not store.trusted() or not store.matched():  # a plan never read whole and valid
            return None
        results, pending, _ = _cached(found, store, max_size, stop_at_miss=True)
    finally:
        store.close()
    if pending:
        return None
    coll = Collection(layout=layout, files=[r for r in results if r is not None])
    cross_file(coll)
    return coll


def _from_cache(entry: dict[str, Any] | None, path: Path, shown: str, year: int | None) -> FileResult | None:
    """A FileResult from the cache's plain record of it (None on a miss or a damaged entry)."""
    if entry is None:
        return None
    try:
        return FileResult(
            path=path,
            display=shown,
            folder_year=year,
            diagnostics=[Diagnostic(shown, *d) for d in entry["diagnostics"]],
            record=entry["record"],
            unit_id=entry["unit_id"],
            unit_loc=entry["unit_loc"],
        )
    except (KeyError, TypeError, ValueError):
        return None


Job = tuple[Path, int | None, int, str]  # path, folder year, size limit, path as shown
# A worker's result as plain data, cheap to send back: the diagnostics (line, col, severity, code,
# message), the validated record as the cache's JSON text (None for an invalid file), the unit,
# where `unit:` stands
Plain = tuple[list[tuple[Any, ...]], str | None, str | None, tuple[int, int], bool]
Outcome = tuple[str | None, "FileResult | Plain | None"]  # cache key, result (None: the cache has it)
_WORKER_STORE: Any = None  # what `_one` asks whether a key is known: the cache, or its keys in a worker


def without_personal_data(record: dict[str, Any]) -> dict[str, Any]:
    if any(name in record for name in PERSONAL_DATA):
        return {k: v for k, v in record.items() if k not in PERSONAL_DATA}
    return record


class _Keys:
    """The keys a cache holds, as a worker started by spawn receives them."""

    def __init__(self, keys: frozenset[str]):
        self.keys = keys

    def has(self, key: str) -> bool:
        return key in self.keys


def _start_worker(plan: Plan, keys: frozenset[str] | None) -> None:
    """A worker's set-up when it does not inherit this process's memory (spawn)."""
    global _WORKER_PLAN, _WORKER_STORE
    _WORKER_PLAN, _WORKER_STORE = plan, None if keys is None else _Keys(keys)


def _one(job: Job) -> tuple[str | None, FileResult | None]:
    """Read, hash and validate one file."""
    from plan57.loading.cache import Cache
    from plan57.loading.yamlsafe import LoadError

    path, year, max_size, shown = job
    try:
        raw = read_bytes(path, shown, max_size)
    except LoadError as exc:
        return None, FileResult(path=path, display=shown, folder_year=year, diagnostics=exc.diagnostics)
    store = _WORKER_STORE
    key = Cache.key(raw, path, year, max_size) if store is not None else None
    if key is not None and store.has(key):
        return key, None
    assert _WORKER_PLAN is not None
    return key, validate_bytes(raw, path, _WORKER_PLAN, year, max_size, shown)


def _one_plain(job: Job) -> tuple[str | None, Plain | None]:
    """`_one` in a worker process: the result as plain data, the record turned into the cache's
    JSON text here, so the main process neither rebuilds objects it does not need nor reads a
    record `validate` never shows."""
    from plan57.loading.cache import encode_data

    key, result = _one(job)
    if result is None:
        return key, None
    record = None
    if result.record is not None:
        kept = without_personal_data(result.record) if _WORKER_STORE is not None else result.record
        record = encode_data(kept)
    diagnostics = [(d.line, d.col, d.severity, d.code, d.message) for d in result.diagnostics]
    return key, (diagnostics, record, result.unit_id, result.unit_loc, result.personal)


def _from_worker(plain: Plain, path: Path, shown: str, year: int | None, records: bool) -> FileResult:
    from plan57.loading.cache import VALID, decode_data

    diagnostics, text, unit_id, unit_loc, personal = plain
    record = None if text is None else (decode_data(text) if records else VALID)
    return FileResult(
        path=path,
        display=shown,
        folder_year=year,
        diagnostics=[Diagnostic(shown, *d) for d in diagnostics],
        record=record,
        unit_id=unit_id,
        unit_loc=unit_loc,
        personal=personal,
    )


def start_method() -> str:
    """How worker processes start: fork where the platform has it (the workers inherit the plan
    and the models already built), else spawn (Windows); spawn or forkserver when the program
    chose it (a fork once anything is asked of the default context is no choice)."""
    import multiprocessing

    chosen = multiprocessing.get_start_method(allow_none=True)
    if chosen in ("spawn", "forkserver"):
        return chosen
    return "fork" if hasattr(os, "fork") and "fork" in multiprocessing.get_all_start_methods() else "spawn"


def _run(
    jobs: list[Job],
    plan: Plan,
    store: Any = None,
    meanwhile: Callable[[], object] | None = None,
) -> Iterator[Outcome]:
    """Each job's outcome, in order, as the workers finish them: the caller takes in each result
    while the workers go on with the next ones (and this process does `meanwhile` first)."""
    global _WORKER_PLAN, _WORKER_STORE
    _WORKER_PLAN, _WORKER_STORE = plan, store
    if not jobs:
        return
    from plan57.model.submission import submission_model

    workers = min(os.cpu_count() or 1, 8)
    if len(jobs) < PARALLEL_MIN_FILES or workers < 2:
        submission_model(plan)
        yield from map(_one, jobs)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    method = start_method()
    context = multiprocessing.get_context(method)
    initializer: Callable[..., object] | None = None
    initargs: tuple[Any, ...] = ()
    if method == "fork":  # the workers inherit the plan, the model built once here and the cache's keys
        submission_model(plan)
    else:  # each worker is a new interpreter: it gets the plan (pickled) and the keys the cache has
        initializer = _start_worker
        initargs = (plan, None if store is None else store.known())
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=initializer, initargs=initargs
    ) as pool:
        # a chunk's results reach this process at once, when its worker ends it: sixteen chunks a
        # worker keep what is left to take in after the workers are done to a few per cent
        outcomes = pool.map(_one_plain, jobs, chunksize=max(1, len(jobs) // (workers * 16)))
        if meanwhile is not None:  # every job is handed out and every worker started: no fork follows
            try:
                meanwhile()
            except Exception:  # noqa: BLE001 - the caller does it again when it needs it
                pass
        yield from outcomes


def cross_file(coll: Collection) -> None:
    """The same unit and year in two files: an error in each."""
    groups: dict[tuple[int, str], list[FileResult]] = {}
    for f in coll.files:
        if f.unit_id is not None and f.folder_year not in (None, LONE):
            groups.setdefault((f.folder_year, f.unit_id), []).append(f)
    for (year, unit), files in groups.items():
        if len(files) < 2:
            continue
        for f in files:
            others = ", ".join(o.display for o in files if o is not f)
            f.diagnostics.append(
                Diagnostic(
                    f.display,
                    *f.unit_loc,
                    "error",
                    "duplicate-unit",
                    f"đơn vị '{unit}' có hơn một báo cáo năm {year} (cùng với {others}): chỉ giữ một tệp",
                )
            )
