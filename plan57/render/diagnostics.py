"""`validate`'s text output (one line per problem, drafts grouped, a summary), and the stderr line
naming the invalid files a score or a report leaves out.

Kept apart from the tables of `render/text.py` (and their terminal library): a `validate` run that
finds every file in the cache, or a report written to a file, should not pay for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from plan57.base.diagnostics import Diagnostic, count, one_line, to_json

if TYPE_CHECKING:
    from plan57.scoring.score import YearResult

DRAFT_CODE = "draft"  # the warning of a file without a sending date


def validation_lines(
    found: list[Diagnostic], files: list[Any], quiet: bool = False, list_drafts: str = "plan57 units --state nhap"
) -> list[str]:
    """`validate` in text: each problem on its line, the drafts grouped into one, then a summary
    that counts sent files, drafts and files with errors apart."""
    valid = {f.display for f in files if f.valid}
    drafts = [d for d in found if d.code == DRAFT_CODE and not d.is_error and d.path in valid]
    grouped = {id(d) for d in drafts}  # by identity: comparing dataclasses made this quadratic
    if quiet:
        return [d.text() for d in found if d.is_error]
    every = "plan57 validate --format json" + list_drafts.removeprefix("plan57 units --state nhap")  # its --units
    lines = problem_lines([d for d in found if id(d) not in grouped], every)
    draft_paths = {d.path for d in drafts}
    if len(drafts) == 1:
        lines.append(drafts[0].text())
    elif drafts:
        years = sorted({f.folder_year for f in files if f.display in draft_paths and f.folder_year})
        list_drafts += f" --year {years[0]}" if len(years) == 1 else ""
        lines.append(
            f"{len(drafts)} tệp là bản nháp (chưa ghi ngày gửi 'submitted'): các đơn vị này được tính là chưa "
            f"gửi báo cáo; xem danh sách bằng: {list_drafts}"
        )
    errors = sum(1 for d in found if d.is_error)
    warnings = sum(1 for d in found if not d.is_error) - len(drafts)
    invalid = sum(1 for f in files if not f.valid)
    draft_files = sum(1 for f in files if f.valid and f.display in draft_paths)
    sent = len(files) - invalid - draft_files
    drafts_part = f" (trong đó {draft_files} bản nháp chưa gửi, {sent} đã gửi)" if draft_files else ""
    other = " khác" if drafts else ""
    lines.append(
        f"Đã kiểm tra {len(files)} tệp: {len(files) - invalid} hợp lệ{drafts_part}, {invalid} có lỗi; "
        f"{errors} lỗi, {warnings} cảnh báo{other}."
    )
    return lines


# what each kind of warning is about, for the line that counts a kind seen many times
WARNING_KINDS = {
    "empty-fields": "còn trường để trống",
    "missing-block": "thiếu khối số liệu mà chỉ tiêu của đơn vị cần",
    "unused-block": "có khối số liệu không chỉ tiêu nào của đơn vị dùng",
    "event-year": "sự kiện ghi ngày ngoài năm báo cáo",
    "event-before-plan": "sự kiện ghi ngày trước khi kế hoạch bắt đầu",
    "not-yaml": "tệp không phải YAML trong thư mục báo cáo",
    "form-label": "nhãn của ô trong biểu mẫu đã bị sửa",
    "too-many-problems": "tệp có quá nhiều vấn đề",
    DRAFT_CODE: "bản nháp, chưa ghi ngày gửi",
}
GROUP_FROM = 4  # a kind of warning seen this many times is said in one line


def problem_lines(found: list[Diagnostic], every: str) -> list[str]:
    """Errors first, each on its line; then warnings: a kind seen a few times line by line, a
    kind seen GROUP_FROM times or more in one line that counts it (`every` says how to see them
    all), so that warnings never drown an error."""
    from plan57.base.numbers import vn_int

    lines = [d.text() for d in found if d.is_error]
    kinds: dict[str, list[Diagnostic]] = {}
    for d in found:
        if not d.is_error:
            kinds.setdefault(d.code, []).append(d)
    for code, group in kinds.items():
        if len(group) < GROUP_FROM:
            lines += [d.text() for d in group]
            continue
        files = len({d.path for d in group})
        label = WARNING_KINDS.get(code, group[0].message)
        lines.append(
            one_line(
                f"cảnh báo: {label}: {vn_int(len(group))} cảnh báo trong {vn_int(files)} tệp "
                f"(ví dụ {group[0].where}); xem từng cảnh báo bằng: {every}"
            )
        )
    return lines


def validation_output(
    diagnostics: list[Diagnostic], files: list[Any], notes: list[str], fmt: str, quiet: bool, list_drafts: str
) -> tuple[list[str], str, int]:
    """Everything `validate` prints, whether its results were just worked out or read from the
    cache: the notes for stderr, the text for stdout (text, json or github) and the exit code."""
    found = sorted(diagnostics, key=lambda d: (d.path, d.line, d.col))
    errors, _ = count(found)
    code = 1 if errors else 0
    if quiet:
        found = [d for d in found if d.is_error]
        notes = []
    if fmt == "json":
        return [one_line(f"Ghi chú: {n}") for n in notes], to_json(found), code
    lines = [d.github() for d in found] if fmt == "github" else validation_lines(found, files, quiet, list_drafts)
    return [one_line(f"Ghi chú: {n}") for n in notes], "\n".join(lines), code


def later_invalid_note(year: int, later: dict[int, list[str]]) -> str | None:
    """The stderr lines naming the invalid files of years after the default year `year`."""
    lines = [
        f"plan57: năm {y} chưa có báo cáo nào được tính (tệp của năm có lỗi hoặc là bản nháp) nên kết quả "
        f"là của năm {year}; "
        f"{len(files)} tệp có lỗi (xem bằng plan57 validate, chọn năm bằng --year {y}): " + ", ".join(files)
        for y, files in later.items()
    ]
    return "\n".join(lines) or None


def invalid_note(result: YearResult, unit_id: str | None = None) -> str | None:
    """The stderr line naming the year's invalid files; under `--unit` only the unit's own file is
    named, the others are one count."""
    from pathlib import PurePath

    files = result.reporting.invalid_files
    if not files:
        return None
    if unit_id is None:
        return f"plan57: {len(files)} tệp có lỗi nên không được tính (xem bằng plan57 validate): " + ", ".join(files)
    own = [f for f in files if PurePath(f).stem == unit_id]
    others = len(files) - len(own)
    parts = []
    if own:
        parts.append(
            f"plan57: tệp của đơn vị có lỗi nên không được tính (xem bằng plan57 validate {own[0]}): " + ", ".join(own)
        )
    if others:
        parts.append(f"plan57: ngoài ra {others} tệp của đơn vị khác có lỗi (xem bằng plan57 validate)")
    return "\n".join(parts)


LIST_ONE_BY_ONE = 10  # up to this many files written are listed one per line, more in one line


def _listed(paths: list[Any], what: str) -> str:
    """Many files written, in one line: how many, into which folders, and their names."""
    from plan57.base.numbers import vn_int

    folders = sorted({str(p.parent) for p in paths})
    return one_line(
        f"Đã ghi {vn_int(len(paths))} {what} vào {', '.join(folders)}: " + ", ".join(p.stem for p in paths) + "."
    )


def import_lines(done: list[Any], quiet: bool) -> tuple[list[str], list[str]]:
    """`import` in text: (stdout lines, stderr lines). Errors first, warnings counted by kind,
    the files written (a long list in one line), then the summary; with `quiet`, errors only.
    A run stopped by a write that failed (a full disk) still lists what it wrote."""
    from plan57.base.numbers import vn_int

    found = [d for item in done for d in item.diagnostics]
    errors = sum(1 for d in found if d.is_error)
    warnings = len(found) - errors
    written = [item for item in done if item.written is not None]
    skipped = [item for item in done if item.skipped is not None]
    stopped = [item for item in done if item.failed is not None]
    unread = [item for item in done if not item.read]
    err: list[str] = []
    for item in stopped:
        err.append(one_line(f"plan57: {item.display}: {item.failed}"))
    if unread:
        err.append(
            one_line(
                f"plan57: {vn_int(len(unread))} biểu mẫu chưa được đọc vì việc nhập đã dừng: "
                + ", ".join(item.display for item in unread)
            )
        )
    for item in skipped:
        err.append(one_line(f"plan57: bỏ qua {item.display}: đã có {item.skipped}; dùng --force để ghi đè"))
    for item in done:
        if item.log_error is not None:
            err.append(one_line(f"plan57: {item.log_error}"))
            break
    if quiet:
        return [d.text() for d in found if d.is_error], err
    out = problem_lines(found, "plan57 import … --format json")
    if len(written) <= LIST_ONE_BY_ONE:
        for item in written:
            kept = f" (bản trước được lưu ở {item.kept})" if item.kept is not None else ""
            out.append(one_line(f"Đã ghi {item.written} từ {item.display}{kept}."))
    else:
        out.append(_listed([item.written for item in written], "tệp báo cáo"))
        replaced = [item for item in written if item.kept is not None]
        if replaced:
            folder = replaced[0].kept.parent
            out.append(f"Bản trước của {vn_int(len(replaced))} tệp được thay đã được lưu trong {folder}.")
    returned = [item for item in done if getattr(item, "feedback", None) is not None]
    if len(returned) <= LIST_ONE_BY_ONE:
        for item in returned:
            out.append(one_line(f"Đã ghi tệp phản hồi {item.feedback} cho {item.display}: gửi lại cho đơn vị sửa."))
    else:
        out.append(_listed([item.feedback for item in returned], "tệp phản hồi"))
    blank = [item for item in done if getattr(item, "untouched", False)]
    bad = len(done) - len(written) - len(skipped) - len(blank) - len(unread) - len(stopped)
    not_read = f", {vn_int(len(blank))} chưa được điền" if blank else ""
    not_read += f", {vn_int(len(stopped))} không ghi được" if stopped else ""
    not_read += f", {vn_int(len(unread))} chưa đọc" if unread else ""
    out.append(
        f"Đã kiểm tra {vn_int(len(done) - len(unread))} biểu mẫu: {vn_int(len(written))} đã ghi, "
        f"{vn_int(len(skipped))} bỏ qua, {vn_int(bad)} có lỗi{not_read}; {vn_int(errors)} lỗi, "
        f"{vn_int(warnings)} cảnh báo."
    )
    return out, err
