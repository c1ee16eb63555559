"""Help pages in Vietnamese for every command, present and future.

The parser's own help (click, inside typer) writes English headings ("Usage:", "Options:"),
English annotations ("[default: …]", "[required]") and Python types as metavars (`<list[Path]>`).
Here the help page is built from each command's parameters instead: the group class below gives
every command it holds a context whose `get_help` renders this page, so a command or an option
added later is covered without listing it anywhere.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

import typer
from typer.core import TyperGroup

# Help texts of the options the parser itself adds (help, shell completion).
CHROME_HELP = {
    "Show this message and exit.": "Hiện hướng dẫn này rồi thoát.",
    "Install completion for the current shell.": "Cài tự hoàn thành lệnh (phím Tab) cho shell đang dùng.",
    "Show completion for the current shell, to copy it or customize the installation.": (
        "In mã tự hoàn thành lệnh của shell đang dùng, để chép hoặc tự cài."
    ),
    "Install completion for the specified shell.": "Cài tự hoàn thành lệnh (phím Tab) cho shell đã chỉ định.",
    "Show completion for the specified shell, to copy it or customize the installation.": (
        "In mã tự hoàn thành lệnh của shell đã chỉ định, để chép hoặc tự cài."
    ),
}

# Placeholders shown after an option, by the Python type of its value.
TYPE_METAVAR: dict[type, str] = {int: "SỐ", float: "SỐ", Path: "ĐƯỜNG_DẪN", str: "GIÁ_TRỊ"}
USAGE = "Cách dùng:"
SECTIONS = {"arguments": "Đối số", "options": "Tùy chọn", "commands": "Lệnh"}
OPTIONS_PIECE = "[TÙY_CHỌN]"
COMMAND_PIECE = "LỆNH [ĐỐI_SỐ]..."


def _base_type(annotation: Any) -> Any:
    """The element type of `list[X]` / `X | None`, else the annotation."""
    for _ in range(3):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if get_origin(annotation) is None or not args:
            break
        annotation = args[0]
    return annotation


def _choices(param: Any) -> list[str]:
    desc = getattr(param, "type_descriptor", None)
    if desc is None or not desc.is_choice:
        return []
    return [str(c.value if isinstance(c, Enum) else c) for c in desc.choices or ()]


def metavar(param: Any) -> str:
    """The placeholder a person reads after an option or for an argument, never a Python type."""
    if param.metavar:
        shown = str(param.metavar)
    elif _choices(param):
        shown = "|".join(_choices(param))
    else:
        desc = getattr(param, "type_descriptor", None)
        base = _base_type(desc.annotation) if desc is not None else str
        shown = next((v for t, v in TYPE_METAVAR.items() if isinstance(base, type) and issubclass(base, t)), "GIÁ_TRỊ")
    if param.param_type_name == "argument":
        if param.nargs == -1:
            shown += "..."
        if not param.required:
            shown = f"[{shown}]"
    return shown


def _is_flag(param: Any) -> bool:
    return bool(getattr(param, "is_flag", False)) or getattr(param, "count", False)


def _default_text(param: Any, ctx: typer.Context) -> str | None:
    show = getattr(param, "show_default", None)
    if isinstance(show, str):
        return show
    if not show or _is_flag(param):
        return None
    resilient = ctx.resilient_parsing
    ctx.resilient_parsing = True
    try:
        value = param.get_default(ctx, call=False)
    finally:
        ctx.resilient_parsing = resilient
    if value is None or value == () or value == [] or callable(value):
        return None
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v.value if isinstance(v, Enum) else v) for v in value)
    return str(value.value if isinstance(value, Enum) else value)


def _range_text(param: Any) -> str | None:
    low, high = getattr(param, "min", None), getattr(param, "max", None)
    if low is not None and high is not None:
        return f"từ {low} đến {high}"
    if low is not None:
        return f"từ {low} trở lên"
    if high is not None:
        return f"không quá {high}"
    return None


def help_row(param: Any, ctx: typer.Context) -> tuple[str, str] | None:
    """(what to type, what it does) for one parameter, in Vietnamese."""
    if getattr(param, "hidden", False):
        return None
    if param.param_type_name == "argument":
        term = metavar(param)
    else:
        term = ", ".join(sorted(param.opts, key=_prefix_len))  # "-h, --help", whatever order click keeps
        if param.secondary_opts:
            term += " / " + ", ".join(param.secondary_opts)
        if not _is_flag(param):
            term += " " + metavar(param)
    text = str(param.help or "")
    text = CHROME_HELP.get(text, text)
    extra = []
    if getattr(param, "multiple", False):
        extra.append("ghi nhiều lần để chọn nhiều")
    if (rng := _range_text(param)) is not None:
        extra.append(rng)
    if (default := _default_text(param, ctx)) is not None:
        extra.append(f"mặc định: {default}")
    if param.required:
        extra.append("bắt buộc")
    if extra:
        text = (text + " " if text else "") + "[" + "; ".join(extra) + "]"
    return term, text


def summary(command: Any) -> str:
    """A command's one-line summary, whole (the help list wraps it at spaces, never cuts it)."""
    if command.short_help:
        return str(command.short_help)
    text = inspect.cleandoc(command.help or "").partition("\f")[0]
    return " ".join(text.split("\n\n")[0].split())


def usage_pieces(ctx: typer.Context) -> list[str]:
    command = ctx.command
    params = command.get_params(ctx)
    pieces = []
    if any(p.param_type_name == "option" for p in params):
        pieces.append(OPTIONS_PIECE)
    pieces.extend(metavar(p) for p in params if p.param_type_name == "argument")
    if isinstance(command, TyperGroup):
        pieces.append(COMMAND_PIECE)
    return pieces


def _wrap(text: str, width: int, indent: str, hanging: str | None = None) -> list[str]:
    """Wrap at spaces only: an id, a path or a hyphenated word is never cut."""
    out: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        out.extend(
            textwrap.wrap(
                " ".join(paragraph.split()),
                width=max(width, len(indent) + 10),
                initial_indent=indent,
                subsequent_indent=hanging if hanging is not None else indent,
                break_long_words=False,
                break_on_hyphens=False,
            )
            or [indent.rstrip()]
        )
        out.append("")
    return out[:-1]


def _definitions(rows: list[tuple[str, str]], width: int) -> list[str]:
    """Terms with their help beside them (or below, for a long term), help wrapped at spaces."""
    col = min(max(len(term) for term, _ in rows), 30) + 2
    lines: list[str] = []
    for term, text in rows:
        if len(term) + 2 <= col:
            wrapped = _wrap(text, width, " " * (2 + col), " " * (2 + col)) if text else [""]
            lines.append(("  " + term.ljust(col) + wrapped[0].lstrip()).rstrip())
            lines.extend(wrapped[1:])
        else:
            lines.append("  " + term)
            if text:
                lines.extend(_wrap(text, width, " " * (2 + col)))
    return lines


def render_usage(ctx: typer.Context) -> str:
    formatter = ctx.make_formatter()
    formatter.write_usage(ctx.command_path, " ".join(usage_pieces(ctx)), prefix=USAGE + " ")
    return formatter.getvalue().rstrip("\n")


def render_help(ctx: typer.Context) -> str:
    """The whole help page of the command of `ctx`, in Vietnamese."""
    command = ctx.command
    width = ctx.make_formatter().width
    lines = _wrap(f"{USAGE} {ctx.command_path} " + " ".join(usage_pieces(ctx)), width, "", " " * (len(USAGE) + 1))
    text = inspect.cleandoc(command.help or "").partition("\f")[0]
    if text:
        lines += ["", *_wrap(text, width, "  ")]
    rows: dict[str, list[tuple[str, str]]] = {"arguments": [], "options": [], "commands": []}
    for param in command.get_params(ctx):
        row = help_row(param, ctx)
        if row is not None:
            rows["arguments" if param.param_type_name == "argument" else "options"].append(row)
    if isinstance(command, TyperGroup):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                rows["commands"].append((name, summary(sub)))
    for key, heading in SECTIONS.items():
        if rows[key]:
            lines += ["", f"{heading}:", *_definitions(rows[key], width)]
    if command.epilog:
        lines += ["", *_wrap(inspect.cleandoc(command.epilog), width, "  ")]
    return "\n".join(lines)


def _prefix_len(opt: str) -> int:
    return len(opt) - len(opt.lstrip("-/"))


class VietContext(typer.Context):
    """A context whose help and usage lines are Vietnamese."""

    def get_help(self) -> str:
        return render_help(self)

    def get_usage(self) -> str:
        return render_usage(self)


class VietGroup(TyperGroup):
    """The root command: it and every command it holds speak Vietnamese in their help."""

    context_class = VietContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            handler = _COMPLETION_CALLBACKS.get(param.name or "")
            if handler is not None:
                param.callback = handler

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None and not issubclass(command.context_class, VietContext):
            command.context_class = VietContext
        return command


def _completion_shell(ctx: Any, value: Any) -> str:
    """The shell named, else the one running plan57; an unknown shell is one Vietnamese line."""
    from typer._completion_shared import Shells, _get_shell_name

    shell = value if isinstance(value, str) else (_get_shell_name() or "")
    supported = [s.value for s in Shells]
    if shell not in supported:
        typer.echo(
            f"plan57: không hỗ trợ tự hoàn thành lệnh cho shell '{shell or 'không rõ'}' "
            f"(hỗ trợ: {', '.join(supported)}).",
            err=True,
        )
        raise typer.Exit(code=2)
    return shell


def _install_completion(ctx: Any, param: Any, value: Any) -> Any:
    if not value or ctx.resilient_parsing:
        return value
    from typer._completion_shared import install

    shell, path = install(shell=_completion_shell(ctx, value))
    typer.echo(f"Đã cài tự hoàn thành lệnh cho {shell} vào {path}. Mở lại cửa sổ dòng lệnh để bắt đầu dùng.")
    raise typer.Exit()


def _show_completion(ctx: Any, param: Any, value: Any) -> Any:
    if not value or ctx.resilient_parsing:
        return value
    from typer._completion_shared import get_completion_script

    shell = _completion_shell(ctx, value)
    prog = ctx.find_root().info_name or "plan57"
    var = "_{}_COMPLETE".format(prog.replace("-", "_").upper())
    typer.echo(get_completion_script(prog_name=prog, complete_var=var, shell=shell))
    raise typer.Exit()


_COMPLETION_CALLBACKS = {"install_completion": _install_completion, "show_completion": _show_completion}


def chrome_words(text: str) -> Sequence[str]:
    """English words of the parser's help chrome that appear in `text` (for tests)."""
    words = ("Usage:", "Options", "Commands", "Arguments", "Show this message", "default:", "[required]")
    return [w for w in words if w in text]
