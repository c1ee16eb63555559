"""The command line: each command parses its arguments, calls one library function, renders."""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, ParamSpec

import typer

from plan57 import __version__
from plan57.base.diagnostics import one_line
from plan57.base.errors import Plan57Error, UsageError
from plan57.clihelp import VietGroup

if TYPE_CHECKING:
    from rich.console import Console

P = ParamSpec("P")

app = typer.Typer(
    name="plan57",
    help=(
        "Kiểm tra, chấm điểm và tổng hợp báo cáo của các đơn vị về thực hiện kế hoạch truyền thông "
        "Nghị quyết số 57-NQ/TW của tỉnh, theo kế hoạch ghi trong tệp kế hoạch (--plan)."
    ),
    cls=VietGroup,
    add_completion=True,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Fmt(str, Enum):
    text = "text"
    json = "json"


class NewFmt(str, Enum):
    text = "text"
    json = "json"
    xlsx = "xlsx"


class ValidateFmt(str, Enum):
    text = "text"
    json = "json"
    github = "github"


PlanOpt = Annotated[
    Path | None,
    typer.Option(
        "--plan",
        metavar="TỆP",
        help="Tệp kế hoạch (mặc định: plan.yaml của thư mục làm việc, hoặc data/plan.yaml, hoặc kế hoạch kèm theo gói).",
        show_default=False,
    ),
]
UnitsOpt = Annotated[
    Path | None,
    typer.Option(
        "--units",
        metavar="THƯ_MỤC",
        help="Thư mục báo cáo của các đơn vị (mặc định: units của thư mục làm việc, hoặc data/units).",
        show_default=False,
    ),
]
MaxSizeOpt = Annotated[
    int, typer.Option("--max-size", metavar="SỐ_BYTE", help="Kích thước tối đa của một tệp, tính bằng byte.", min=1)
]
TodayOpt = Annotated[
    str | None,
    typer.Option(
        "--date",
        metavar="NGÀY",
        help="Ngày được coi là hôm nay, dạng NGÀY/THÁNG/NĂM hoặc NĂM-THÁNG-NGÀY (mặc định: hôm nay): "
        "ngày gửi báo cáo sau ngày này là lỗi.",
        show_default=False,
    ),
]
NoCacheOpt = Annotated[
    bool, typer.Option("--no-cache", help="Không dùng bộ nhớ đệm kết quả kiểm tra (đọc lại mọi tệp).")
]
StrictOpt = Annotated[
    bool,
    typer.Option(
        "--strict", help="Thoát với mã 1 khi có tệp lỗi hoặc chỉ tiêu đến hạn chưa đạt (kể cả khi chưa đủ dữ liệu)."
    ),
]
FmtOpt = Annotated[Fmt, typer.Option("--format", help="Cách in kết quả: text hoặc json.")]
YearOpt = Annotated[
    int | None,
    typer.Option("--year", metavar="NĂM", help="Năm báo cáo (trong thời gian của kế hoạch).", show_default=False),
]


def _command(fn: Callable[P, None], name: str | None = None) -> Callable[P, None]:
    """Register a command; a reader that closes the pipe early ends it quietly, exit 0."""
    import functools

    @functools.wraps(fn)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            fn(*args, **kwargs)
            sys.stdout.flush()
        except BrokenPipeError:
            _quiet_pipe()
        except typer.Exit:
            try:
                sys.stdout.flush()
            except BrokenPipeError:
                _quiet_pipe()
            raise

    return app.command(name)(guarded)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"plan57 {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", help="In phiên bản rồi thoát.", callback=_version, is_eager=True)
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Hiện chi tiết kỹ thuật khi có lỗi không mong đợi.")] = False,
) -> None:
    """Kiểm tra, chấm điểm và tổng hợp báo cáo thực hiện kế hoạch theo tệp kế hoạch đang dùng."""


def _fail(error: Plan57Error) -> NoReturn:
    """The one place where the library's errors become messages and exit codes."""
    from plan57.commands import fail

    raise typer.Exit(code=fail(error))


def _console() -> Console:
    from plan57.render.text import stdout_console

    return stdout_console()


@_command
def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="TỆP_HOẶC_THƯ_MỤC",
            help=(
                "Tệp báo cáo (YAML, hoặc biểu mẫu Excel .xlsx: kiểm tra như import mà không ghi gì) hoặc thư mục "
                "cần kiểm tra (mặc định: kế hoạch và toàn bộ data/units)."
            ),
            show_default=False,
        ),
    ] = None,
    plan: PlanOpt = None,
    units: UnitsOpt = None,
    max_size: MaxSizeOpt = 1024 * 1024,
    no_cache: NoCacheOpt = False,
    fmt: Annotated[
        ValidateFmt, typer.Option("--format", help="Cách in kết quả: text, json hoặc github.")
    ] = ValidateFmt.text,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Chỉ in các lỗi (không in cảnh báo, ghi chú và dòng tổng kết).")
    ] = False,
    date: TodayOpt = None,
) -> None:
    """Kiểm tra từng tệp báo cáo; mỗi lỗi được chỉ rõ tệp:dòng:cột."""
    from plan57.validate_command import run

    notes, out, code = run(paths, plan, units, max_size, no_cache, fmt.value, quiet, date)
    _exit_on_closed_pipe(code)  # `validate | head` still fails when a file is invalid
    for note in notes:
        typer.echo(note, err=True)
    if out:
        typer.echo(out)
    raise typer.Exit(code=code)


@_command
def schema(
    plan: PlanOpt = None,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", metavar="TỆP", help="Ghi ra tệp thay vì in ra màn hình.", show_default=False),
    ] = None,
) -> None:
    """In JSON Schema của tệp báo cáo (cho trình soạn thảo và công cụ khác)."""
    import json

    from plan57.api import open_plan, refuse_input_as_output
    from plan57.base.atomic import write_text
    from plan57.model.submission import json_schema

    try:
        the_plan, plan_path = open_plan(plan)
        text = json.dumps(json_schema(the_plan), ensure_ascii=False, indent=2) + "\n"
        if output is None or str(output) == "-":  # `-o -`: standard output, as `report` reads it
            typer.echo(text, nl=False)
        else:
            refuse_input_as_output(output, [plan_path])
            write_text(output, text)
    except Plan57Error as exc:
        _fail(exc)


@_command
def score(
    year: YearOpt = None,
    plan: PlanOpt = None,
    units: UnitsOpt = None,
    fmt: FmtOpt = Fmt.text,
    unit: Annotated[
        str | None,
        typer.Option(
            "--unit", metavar="MÃ_ĐƠN_VỊ", help="Chỉ in phiếu đánh giá của một đơn vị (mã đơn vị).", show_default=False
        ),
    ] = None,
    explain: Annotated[
        bool, typer.Option("--explain", help="Giải thích cách tính từng chỉ tiêu (với --format json: trường explain).")
    ] = False,
    strict: StrictOpt = False,
    max_size: MaxSizeOpt = 1024 * 1024,
    no_cache: NoCacheOpt = False,
    date: TodayOpt = None,
) -> None:
    """Chấm từng chỉ tiêu (so với ngưỡng của kế hoạch) và nhiệm vụ của kế hoạch cho một năm."""
    from plan57.commands import score as run

    raise typer.Exit(code=run(year, plan, units, fmt.value, unit, explain, strict, max_size, no_cache, date))


def _report_formats() -> str:
    from plan57.render.formats import FORMATS

    return ", ".join(FORMATS)


REPORT_FORMATS = _report_formats()
FORMAT_NAMES = REPORT_FORMATS.split(", ")


@_command
def report(
    year: YearOpt = None,
    plan: PlanOpt = None,
    units: UnitsOpt = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            metavar="TỆP",
            help="Ghi báo cáo ra tệp (ghi an toàn, thay tệp cũ); đuôi tệp (.md, .docx…) chọn định dạng.",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            metavar="|".join(FORMAT_NAMES),
            help=f"Định dạng báo cáo: {REPORT_FORMATS} (mặc định: theo đuôi tệp -o, không thì md).",
            show_default=False,
        ),
    ] = None,
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            metavar="NGÀY",
            help="Ngày của báo cáo, dạng NGÀY/THÁNG/NĂM hoặc NĂM-THÁNG-NGÀY (mặc định: hôm nay); "
            "không đơn vị nào được ghi ngày gửi sau ngày này.",
            show_default=False,
        ),
    ] = None,
    number: Annotated[
        str | None,
        typer.Option(
            "--number",
            metavar="SỐ",
            help="Số văn bản, ví dụ 312 (thêm ký hiệu của cơ quan tổng hợp) hoặc 312/BC-….",
            show_default=False,
        ),
    ] = None,
    template: Annotated[
        Path | None,
        typer.Option("--template", metavar="TỆP", help="Mẫu Jinja2 khác để trình bày báo cáo.", show_default=False),
    ] = None,
    strict: StrictOpt = False,
    max_size: MaxSizeOpt = 1024 * 1024,
    no_cache: NoCacheOpt = False,
) -> None:
    """Lập báo cáo tổng hợp gửi UBND tỉnh: Markdown, Word (docx) theo thể thức Nghị định 30/2020/NĐ-CP,
    trang tiến độ HTML (html) hoặc phụ lục số liệu Excel (xlsx)."""
    from plan57.commands import report as run

    code = run(year, plan, units, output, fmt, date, number, template, strict, max_size, no_cache)
    raise typer.Exit(code=code)


class State(str, Enum):
    """A unit's state, by its Vietnamese name or its English id."""

    dung_han = "dung-han"
    muon = "muon"
    loi = "loi"
    chua_gui = "chua-gui"
    nhap = "nhap"
    on_time = "on_time"
    late = "late"
    invalid = "invalid"
    missing = "missing"
    draft = "draft"


STATE_ALIAS = {"dung-han": "on_time", "muon": "late", "loi": "invalid", "chua-gui": "missing", "nhap": "draft"}


@_command
def units(
    year: YearOpt = None,
    plan: PlanOpt = None,
    units: UnitsOpt = None,
    kind: Annotated[
        list[str] | None,
        typer.Option(
            "--kind",
            metavar="LOẠI",
            help="Chỉ liệt kê loại đơn vị này (so, ban, bao_chi, truong, xa, phuong).",
            show_default=False,
        ),
    ] = None,
    state: Annotated[
        list[State] | None,
        typer.Option(
            "--state",
            metavar="dung-han|muon|loi|chua-gui|nhap",
            help="Chỉ liệt kê đơn vị ở tình trạng này: đúng hạn, gửi muộn, tệp lỗi, chưa gửi, bản nháp "
            "(cũng nhận mã tiếng Anh on_time, late, invalid, missing, draft).",
            show_default=False,
        ),
    ] = None,
    fmt: FmtOpt = Fmt.text,
    max_size: MaxSizeOpt = 1024 * 1024,
    no_cache: NoCacheOpt = False,
) -> None:
    """Liệt kê danh mục đơn vị và tình trạng báo cáo của từng đơn vị trong năm."""
    import json

    from plan57.api import open_workspace, unit_states

    try:
        ws = open_workspace(plan, units, max_size, cache=not no_cache, scoring=False)
        kinds = ws.plan.kind_ids
        bad = [k for k in kind or [] if k not in kinds]
        if bad:
            raise UsageError(f"loại đơn vị không hợp lệ: {', '.join(bad)} (các loại: {', '.join(kinds)})")
        the_year, rows = unit_states(ws, year)
    except Plan57Error as exc:
        _fail(exc)
    for note in ws.collection.notes:
        typer.echo(one_line(f"Ghi chú: {note}"), err=True)
    if year is None:  # a year whose files all have errors, passed over by the default year
        from plan57.api import invalid_after
        from plan57.render.diagnostics import later_invalid_note

        later = later_invalid_note(the_year, invalid_after(ws, the_year))
        if later:
            typer.echo(later, err=True)
    wanted = {STATE_ALIAS.get(s.value, s.value) for s in state or []}
    rows = [
        r
        for r in rows
        if (not kind or r["kind"] in kind)
        and (not wanted or r["state"] in wanted or ("draft" in wanted and r["draft"]))
    ]
    if fmt is Fmt.json:
        # the contract's fields, `file` null when missing (SPEC §6): a draft is a missing unit's file
        # that does not count, and only the table shows it (state "Bản nháp", with its file)
        listed = [
            {"id": r["id"], "name": r["name"], "kind": r["kind"], "state": r["state"], "file": r["file"]}
            | ({"file": None} if r["state"] == "missing" else {})
            for r in rows
        ]
        typer.echo(json.dumps(listed, ensure_ascii=False, indent=2))
        return
    from plan57.render.text import render_units

    render_units(the_year, rows, _console(), {k.id: k.name for k in ws.plan.kinds})


@_command
def new(
    unit: Annotated[
        str | None,
        typer.Argument(
            metavar="MÃ_ĐƠN_VỊ", help="Mã đơn vị trong danh mục của kế hoạch (plan57 units).", show_default=False
        ),
    ] = None,
    year: Annotated[
        int, typer.Option("--year", metavar="NĂM", help="Năm báo cáo (trong thời gian của kế hoạch).")
    ] = ...,  # type: ignore[assignment]
    all_units: Annotated[bool, typer.Option("--all", help="Tạo mẫu cho mọi đơn vị chưa có tệp của năm.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Ghi đè tệp đã có.")] = False,
    plan: PlanOpt = None,
    units: UnitsOpt = None,
    fmt: Annotated[
        NewFmt,
        typer.Option(
            "--format",
            help="text hoặc json: tệp YAML, in danh sách tệp đã tạo dạng chữ hoặc JSON; "
            "xlsx: biểu mẫu Excel cho đơn vị điền (điền sẵn từ tệp YAML của năm nếu có).",
        ),
    ] = NewFmt.text,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="THƯ_MỤC",
            help="Thư mục ghi biểu mẫu Excel (mặc định: forms/NĂM, trong thư mục làm việc nếu có).",
            show_default=False,
        ),
    ] = None,
    from_year: Annotated[
        int | None,
        typer.Option(
            "--from-year",
            metavar="NĂM",
            help="Điền sẵn từ báo cáo hợp lệ của năm trước đó những gì không đổi theo năm (người liên hệ, "
            "kế hoạch triển khai, chuyên mục, các tổng số); số liệu của năm để trống.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Tạo tệp báo cáo mẫu (có chú thích tiếng Việt) hoặc biểu mẫu Excel cho một đơn vị hoặc mọi đơn vị."""

    from plan57.api import carried_from, existing_file, open_plan, write_schema, write_template
    from plan57.base.paths import default_units
    from plan57.validation.locate import did_you_mean

    if fmt is NewFmt.xlsx:
        _new_forms(unit, year, all_units, force, plan, units, out, from_year)
        return
    try:
        the_plan = open_plan(plan)[0]
        units_dir = units or default_units()  # `new` may start a units folder: it says where it wrote
        if all_units == (unit is not None):
            raise UsageError("hãy ghi một mã đơn vị, hoặc dùng --all (không dùng cả hai)")
        if unit is not None and unit not in the_plan.unit_index:
            raise UsageError(f"không có đơn vị '{unit}' trong danh mục" + did_you_mean(unit, the_plan.unit_index))
        carried = None if from_year is None else carried_from(the_plan, units_dir, year, from_year)
        if out is not None:
            raise UsageError(
                "--out chỉ dùng với --format xlsx (thư mục ghi biểu mẫu Excel); tệp YAML mẫu được ghi vào "
                "thư mục báo cáo, chọn bằng --units"
            )
        written: list[Path] = []
        skipped: list[str] = []
        kept: list[Path] = []  # the files replaced with --force, kept in units/Y/.phien-ban/
        if unit is not None:
            written.append(write_template(the_plan, units_dir, unit, year, force, carried, kept))
        else:
            from plan57.render.progress import track

            for u in track(the_plan.units, "Tạo tệp mẫu"):
                if existing_file(units_dir, year, u.id) is not None and not force:
                    skipped.append(u.id)
                else:
                    written.append(write_template(the_plan, units_dir, u.id, year, force, carried, kept))
        schema_path = write_schema(the_plan, units_dir, force)
    except Plan57Error as exc:
        _fail(exc)
    made = [p.stem for p in written]
    prefilled = _carry_notes(carried, made, from_year)
    if fmt is NewFmt.json:
        import json

        shown: dict[str, object] = {"written": [str(p) for p in written], "skipped": skipped}
        if carried is not None:
            shown["prefilled"] = {u: carried.sources[u] for u in prefilled}
        shown["schema"] = str(schema_path)
        shown["kept"] = [str(p) for p in kept]
        typer.echo(json.dumps(shown, ensure_ascii=False, indent=2))
        return
    if unit is not None:
        if prefilled:
            typer.echo(
                f"Đã tạo {written[0]}, điền sẵn từ báo cáo năm {from_year} những gì không đổi theo năm. "
                f"Kiểm tra lại, điền số liệu năm {year} rồi kiểm tra bằng: plan57 validate {written[0]}"
            )
        else:
            typer.echo(f"Đã tạo {written[0]}. Điền số liệu rồi kiểm tra bằng: plan57 validate {written[0]}")
    else:
        typer.echo(f"Đã tạo {len(written)} tệp mẫu trong {units_dir / str(year)}.")
        if carried is not None:
            typer.echo(f"Điền sẵn {len(prefilled)} tệp từ báo cáo năm {from_year} (những gì không đổi theo năm).")
        if skipped:
            typer.echo(f"Bỏ qua {len(skipped)} đơn vị đã có tệp: " + ", ".join(skipped))
    if len(kept) == 1:
        typer.echo(f"Bản trước của tệp được lưu ở {kept[0]}.")
    elif kept:
        typer.echo(f"Bản trước của {len(kept)} tệp được thay đã được lưu trong {kept[0].parent}.")


def _carry_notes(carried: Any, made: list[str], from_year: int | None, own_file: list[str] | None = None) -> list[str]:
    """Say on stderr which of the units given a template got nothing from `from_year`, and why;
    returns the units whose template was pre-filled."""
    if carried is None:
        return []
    made = [u for u in made if u not in (own_file or [])]
    prefilled = [u for u in made if u in carried.data]
    for u in made:
        if u in carried.invalid:
            typer.echo(
                one_line(
                    f"Ghi chú: không điền sẵn cho '{u}' từ {carried.invalid[u]} vì tệp có lỗi "
                    f"(xem: plan57 validate {carried.invalid[u]}); đơn vị nhận mẫu trống."
                ),
                err=True,
            )
    absent = [u for u in made if u not in carried.data and u not in carried.invalid]
    if len(absent) == 1:
        typer.echo(f"Ghi chú: đơn vị '{absent[0]}' không có báo cáo năm {from_year} nên nhận mẫu trống.", err=True)
    elif absent:
        listed = ", ".join(absent) if len(absent) <= 12 else ", ".join(absent[:12]) + ", …"
        typer.echo(
            f"Ghi chú: {len(absent)} đơn vị không có báo cáo năm {from_year} nên nhận mẫu trống: {listed}", err=True
        )
    if own_file:
        typer.echo(
            f"Ghi chú: {len(own_file)} đơn vị đã có tệp YAML của năm: biểu mẫu điền sẵn từ tệp đó, "
            f"không từ năm {from_year}: " + ", ".join(own_file),
            err=True,
        )
    return prefilled


def _new_forms(
    unit: str | None,
    year: int,
    all_units: bool,
    force: bool,
    plan: Path | None,
    units: Path | None,
    out: Path | None,
    from_year: int | None = None,
) -> None:
    from plan57.api import carried_from, check_year, existing_file, open_plan, write_form
    from plan57.base.paths import default_forms, default_units
    from plan57.validation.locate import did_you_mean

    try:
        the_plan = open_plan(plan)[0]
        check_year(the_plan, year)
        units_dir = units or default_units()
        out_dir = out or default_forms(year)
        if all_units == (unit is not None):
            raise UsageError("hãy ghi một mã đơn vị, hoặc dùng --all (không dùng cả hai)")
        if unit is not None and unit not in the_plan.unit_index:
            raise UsageError(f"không có đơn vị '{unit}' trong danh mục" + did_you_mean(unit, the_plan.unit_index))
        carried = None if from_year is None else carried_from(the_plan, units_dir, year, from_year)
        written: list[Path] = []
        skipped: list[str] = []
        from plan57.render.progress import track

        for u in [unit] if unit is not None else track([x.id for x in the_plan.units], "Tạo biểu mẫu"):
            if unit is None and (out_dir / f"{u}.xlsx").exists() and not force:
                skipped.append(u)
                continue
            written.append(write_form(the_plan, units_dir, out_dir, u, year, force, carried))
    except Plan57Error as exc:
        _fail(exc)
    made = [p.stem for p in written]
    own = [u for u in made if existing_file(units_dir, year, u) is not None] if carried is not None else []
    prefilled = _carry_notes(carried, made, from_year, own)
    if unit is not None:
        filled = f", điền sẵn từ báo cáo năm {from_year} những gì không đổi theo năm" if prefilled else ""
        typer.echo(
            f"Đã tạo biểu mẫu {written[0]}{filled}. Gửi cho đơn vị điền rồi nhập lại bằng: plan57 import {written[0]}"
        )
    else:
        typer.echo(f"Đã tạo {len(written)} biểu mẫu Excel trong {out_dir}.")
        if carried is not None:
            typer.echo(f"Điền sẵn {len(prefilled)} biểu mẫu từ báo cáo năm {from_year} (những gì không đổi theo năm).")
        if skipped:
            typer.echo(f"Bỏ qua {len(skipped)} đơn vị đã có biểu mẫu: " + ", ".join(skipped))


def import_(  # registered below as `plan57 import`
    forms: Annotated[
        list[Path], typer.Argument(metavar="TỆP_XLSX", help="Các biểu mẫu Excel (.xlsx) đã điền.", show_default=False)
    ],
    plan: PlanOpt = None,
    units: UnitsOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Ghi đè tệp YAML đã có của đơn vị.")] = False,
    max_size: Annotated[
        int,
        typer.Option(
            "--max-size", metavar="SỐ_BYTE", help="Kích thước tối đa của một biểu mẫu, tính bằng byte.", min=1
        ),
    ] = 5 * 1024 * 1024,
    fmt: Annotated[
        ValidateFmt, typer.Option("--format", help="Cách in kết quả: text, json hoặc github.")
    ] = ValidateFmt.text,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Chỉ in các lỗi (không in cảnh báo, tệp đã ghi và dòng tổng kết).")
    ] = False,
) -> None:
    """Nhập biểu mẫu Excel đã điền: kiểm tra như validate rồi ghi data/units/NĂM/ĐƠN-VỊ.yaml."""
    from plan57.api import import_forms, open_plan, units_folder
    from plan57.base import diagnostics as dg

    try:
        the_plan = open_plan(plan)[0]
        done = import_forms(the_plan, forms, units_folder(units), force, max_size)
    except Plan57Error as exc:
        _fail(exc)
    found = [d for item in done for d in item.diagnostics]
    errors, warnings = dg.count(found)
    # a form kept out because its unit's file exists is exit 2 (SPEC §7); one returned as `new` wrote
    # it is no error of the data and no wrong use: it is said, logged "bỏ qua", and the exit is as validate's
    skipped = [item for item in done if item.skipped is not None]
    written = [item for item in done if item.written is not None]
    failed = any(item.failed is not None or item.log_error is not None for item in done)
    if fmt is ValidateFmt.text:
        from plan57.render.diagnostics import import_lines

        out, err = import_lines(done, quiet)
        for line in out:
            typer.echo(line)
        for line in err:
            typer.echo(line, err=True)
        raise typer.Exit(code=2 if failed else 1 if errors else 2 if skipped else 0)
    if quiet:
        found = [d for d in found if d.is_error]
    if fmt is ValidateFmt.json:
        import json

        typer.echo(
            json.dumps(
                {
                    "diagnostics": [d.as_dict() for d in found],
                    "written": [str(i.written) for i in written],
                    "skipped": [str(i.skipped) for i in skipped if i.skipped is not None],
                    "untouched": [i.display for i in done if i.untouched],
                    "kept": [str(i.kept) for i in written if i.kept is not None],
                    "failed": {i.display: i.failed for i in done if i.failed is not None},
                    "not_read": [i.display for i in done if not i.read],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        for d in found:
            typer.echo(d.github())
    for item in (i for i in skipped if i.skipped is not None):
        typer.echo(f"plan57: bỏ qua {item.display}: đã có {item.skipped}; dùng --force để ghi đè", err=True)
    for item in done:
        if item.failed is not None:
            typer.echo(one_line(f"plan57: {item.display}: {item.failed}"), err=True)
    raise typer.Exit(code=2 if failed else 1 if errors else 2 if skipped else 0)


_command(import_, "import")


@_command
def init(
    folder: Annotated[
        Path,
        typer.Argument(metavar="THƯ_MỤC", help="Thư mục làm việc sẽ tạo, ví dụ bao-cao-2026.", show_default=False),
    ],
    plan: Annotated[
        Path | None,
        typer.Option(
            "--plan",
            metavar="TỆP",
            help="Tệp kế hoạch chép vào thư mục (mặc định: kế hoạch kèm theo gói).",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Dùng cả thư mục đã có tệp: chỉ thêm những gì còn thiếu, không ghi đè tệp nào."),
    ] = False,
) -> None:
    """Tạo thư mục làm việc cho một kỳ báo cáo thật: kế hoạch, units/, forms/ và HUONG-DAN.txt."""
    from plan57.api import init_workspace
    from plan57.base.paths import WORKSPACE_GUIDE

    try:
        made = init_workspace(folder, plan, force)
    except Plan57Error as exc:
        _fail(exc)
    shown = [n for n in made.written if not n.startswith(".")]
    typer.echo(one_line(f"Đã tạo thư mục làm việc {folder}: " + ", ".join(shown) + "."))
    kept = [n for n in made.kept if not n.startswith(".")]
    if kept:
        typer.echo(one_line("Giữ nguyên những gì đã có: " + ", ".join(kept) + "."))
    typer.echo(
        one_line(
            f"Các lệnh chạy trong {folder} dùng kế hoạch và báo cáo của thư mục này. Xem các bước trong "
            f"{folder / WORKSPACE_GUIDE}; bước đầu: cd {folder} rồi plan57 new --all --year {made.year} "
            "--format xlsx"
        )
    )


@_command
def remind(
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            metavar="NĂM",
            help="Năm báo cáo cần đôn đốc (mặc định: năm mới nhất đã có tệp báo cáo, kể cả bản nháp).",
            show_default=False,
        ),
    ] = None,
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            metavar="NGÀY",
            help="Ngày của công văn, dạng NĂM-THÁNG-NGÀY (mặc định: hôm nay).",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            metavar="THƯ_MỤC",
            help="Thư mục ghi cong-van-don-doc.docx và nhac-viec.csv (mặc định: thư mục hiện tại).",
            show_default=False,
        ),
    ] = None,
    number: Annotated[
        str | None,
        typer.Option(
            "--number", metavar="SỐ", help="Số công văn, ví dụ 415 hoặc 415/SVHTTDL-QLVH.", show_default=False
        ),
    ] = None,
    plan: PlanOpt = None,
    units: UnitsOpt = None,
    max_size: MaxSizeOpt = 1024 * 1024,
    no_cache: NoCacheOpt = False,
) -> None:
    """Đôn đốc các đơn vị chưa gửi, gửi muộn hoặc gửi báo cáo có lỗi: công văn (docx) và nhac-viec.csv."""
    import datetime as dt

    from plan57.api import (
        check_year,
        cycle_of,
        on_day,
        open_workspace,
        parse_date,
        refuse_input_as_output,
        reminders,
    )
    from plan57.base.atomic import write_bytes
    from plan57.render.remind import CSV_FILE, LETTER_FILE, letter, reminders_csv

    try:
        day = parse_date(date) if date is not None else dt.date.today()
        with on_day(day):  # a file sent after the letter's date is not yet received (SPEC §4)
            ws = open_workspace(plan, units, max_size, cache=not no_cache, scoring=False)
        year = check_year(ws.plan, year if year is not None else cycle_of(ws))
        for note in ws.collection.notes:
            typer.echo(one_line(f"Ghi chú: {note}"), err=True)
        rows = reminders(ws, year)
        if not rows:
            typer.echo(f"Năm {year}: mọi đơn vị đã gửi báo cáo hợp lệ, đúng hạn; không có đơn vị nào cần đôn đốc.")
            return
        folder = output or Path(".")
        _refuse_inside(folder, ws.units_dir)
        docx_path, csv_path = folder / LETTER_FILE, folder / CSV_FILE
        inputs = [ws.plan_path, *(f.path for f in ws.collection.files)]
        for path in (docx_path, csv_path):
            refuse_input_as_output(path, inputs)
        write_bytes(docx_path, letter(ws.plan, year, day, rows, number))
        write_bytes(csv_path, reminders_csv(ws.plan, year, day, rows))
    except Plan57Error as exc:
        _fail(exc)
    counts = {s: sum(1 for r in rows if r["state"] == s) for s in ("missing", "late", "invalid")}
    typer.echo(
        f"Năm {year}: {len(rows)} đơn vị cần đôn đốc ({counts['missing']} chưa gửi, {counts['late']} gửi muộn, "
        f"{counts['invalid']} có lỗi)."
    )
    typer.echo(f"Đã ghi {docx_path} (công văn đôn đốc) và {csv_path} (người liên hệ, lời nhắn).")
    no_contact = [str(r["id"]) for r in rows if not r["contact"]]
    if no_contact:
        listed = ", ".join(no_contact[:12]) + (", …" if len(no_contact) > 12 else "")
        typer.echo(
            one_line(f"Ghi chú: {len(no_contact)} đơn vị chưa có người liên hệ trong tệp báo cáo nào: {listed}"),
            err=True,
        )


def _refuse_inside(folder: Path, units_dir: Path) -> None:
    """Reminders are never written among the submissions plan57 reads."""
    import os

    where, units = os.path.realpath(folder), os.path.realpath(units_dir)
    if where == units or where.startswith(units + os.sep):
        raise UsageError(
            f"không ghi công văn vào '{folder}': đây là thư mục báo cáo của các đơn vị; hãy chọn thư mục khác (-o)"
        )


def main() -> None:
    """Console entry point: a closed pipe ends quietly, an unexpected error is one line."""
    import gc

    from plan57.base.console import setup

    setup()  # UTF-8 when redirected, a console's code page degraded readably, SIGTERM cleans up
    # A short-lived run over acyclic data: the cyclic collector only costs time here.
    gc.disable()
    try:
        _main()
    finally:
        gc.enable()


def _main() -> None:
    debug = "--debug" in sys.argv[1:]
    Abort = typer.Abort
    try:  # typer ships its own copy of click
        from typer._click.exceptions import ClickException, NoArgsIsHelpError
        from typer._click.exceptions import UsageError as ClickUsageError
    except ImportError:  # pragma: no cover - a typer that uses click itself
        from click.exceptions import ClickException, NoArgsIsHelpError  # type: ignore[assignment]
        from click.exceptions import UsageError as ClickUsageError  # type: ignore[assignment]
    try:
        code = app(prog_name="plan57", standalone_mode=False)
    except NoArgsIsHelpError as exc:  # bare `plan57` (or a command without its arguments): the help
        if exc.ctx is not None:
            sys.stdout.write(exc.ctx.get_help() + "\n")
        sys.exit(0)
    except ClickUsageError as exc:
        where = exc.ctx.command_path if exc.ctx is not None else "plan57"
        sys.stderr.write(
            f"plan57: sai cách dùng: {usage_message(exc.format_message())}\nXem hướng dẫn: {where} --help\n"
        )
        sys.exit(2)
    except ClickException as exc:
        sys.stderr.write(one_line(f"plan57: {exc.format_message()}") + "\n")
        sys.exit(exc.exit_code)
    except Abort:
        sys.stderr.write("plan57: đã dừng.\n")
        sys.exit(1)
    except BrokenPipeError:
        _quiet_pipe()
    except OSError as exc:  # a system error nothing below caught: in Vietnamese, with its path
        if debug:
            raise
        from plan57.base.console import settle_stdout
        from plan57.base.errors import os_message

        where = f" '{exc.filename}'" if exc.filename else ""
        sys.stderr.write(one_line(f"plan57: lỗi hệ thống{where}: {os_message(exc)}") + "\n")
        settle_stdout()  # said once: the final flush does not say it again
        sys.exit(2)
    except Exception as exc:  # the top of the program: never a traceback unless asked
        if debug:
            raise
        from plan57.base.errors import unexpected_message

        sys.stderr.write(unexpected_message(exc))
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)


_USAGE_PATTERNS = (
    (r"^No such option: (\S+)", r"không có tùy chọn \1"),
    (r"Did you mean ([^?]*)\?", r"có phải ý bạn là \1?"),
    (r"^Missing option '([^']*)'\.?", r"thiếu tùy chọn bắt buộc '\1'"),
    (r"^Missing argument '([^']*)'\.?", r"thiếu đối số '\1'"),
    (r"^Missing parameter: (\S+)", r"thiếu tham số \1"),
    (r"^Option '([^']*)' requires an argument\.?", r"tùy chọn '\1' cần một giá trị"),
    (r"^Got unexpected extra argument(?:s|\(s\))? \((.*)\)", r"thừa đối số: \1"),
    (r"\(Possible options: (.*)\)", r"(các tùy chọn gần giống: \1)"),
    (r"No such command '([^']*)'\. ", r"không có lệnh '\1'; "),
    (r"Value error, ", ""),
    (r"Input should be greater than or equal to (\S+)", r"phải ≥ \1"),
    (r"Input should be less than or equal to (\S+)", r"phải ≤ \1"),
    (r"^Invalid value for '([^']*)': ", r"giá trị không hợp lệ cho '\1': "),
    (r"'([^']*)' is not one of (.*)\.$", r"'\1' không phải một trong các giá trị \2"),
    (r"Input should be a valid integer.*$", "phải là một số nguyên"),
    (r"^No such command '([^']*)'\.?", r"không có lệnh '\1'"),
    (r"'?(-?\d+)'? is not in the range (.*)\.$", r"\1 nằm ngoài khoảng \2"),
    (r"is not a valid (\w+)\.?$", r"không hợp lệ (\1)"),
)


def usage_message(message: str) -> str:
    """The parser's English usage errors, in Vietnamese (unknown ones are kept as they are)."""
    import re

    for pattern, replacement in _USAGE_PATTERNS:
        message = re.sub(pattern, replacement, message)
    return message


_PIPE_EXIT = 0  # the exit code when the reader of stdout goes away early


def _exit_on_closed_pipe(code: int) -> None:
    global _PIPE_EXIT
    _PIPE_EXIT = code


def _quiet_pipe() -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY | getattr(os, "O_BINARY", 0))
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass
    sys.exit(_PIPE_EXIT)
