"""The report's output formats: one entry per format, naming its file suffixes and its renderer.

A renderer takes the computed result, the report's date and its number, and returns text or
bytes. Each is imported only when used, so the command line starts without loading python-docx.
A new format is a new renderer module and one entry in FORMATS.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from plan57.base.errors import UsageError

# (result: YearResult, date: datetime.date, number: str | None[, template=Path]) -> str | bytes
Renderer = Callable[..., "str | bytes"]


@dataclass(frozen=True)
class ReportFormat:
    name: str
    suffixes: tuple[str, ...]  # lower case, with the dot; the first is the one to suggest
    needs_file: bool  # a document to open, not text to read in a terminal: needs -o FILE
    module: str  # the renderer's module, imported when the format is used
    function: str = "render"
    template: bool = False  # the renderer also takes template=PATH (--template)
    # work the renderer can have done while the files are read: a callable of the module, called
    # with template=PATH before they are; the renderer takes what it returns as ahead=…, which
    # has a close() for a run that ends before rendering
    ahead: str | None = None
    # modules slow to import that the renderer needs (its own, a library it loads when it runs):
    # imported while the workers read the files, when there are workers
    imports: tuple[str, ...] = ()

    def renderer(self) -> Renderer:
        return getattr(importlib.import_module(self.module), self.function)  # type: ignore[no-any-return]

    def start_ahead(self, template: Path | None) -> Any:
        """The work started ahead of the files, or None when the format has none. What it returns
        has `prepare()`, done while the workers read the files, and `close()`; the renderer is
        given it (`ahead=…`) only when the format names its own (`takes_ahead`)."""
        if self.ahead is not None:
            return getattr(importlib.import_module(self.module), self.ahead)(template)
        if self.imports:
            return ImportsAhead(self.imports)
        return None

    @property
    def takes_ahead(self) -> bool:
        return self.ahead is not None


class ImportsAhead:
    """A renderer's slow imports, done by `prepare` while the workers read the files."""

    def __init__(self, modules: tuple[str, ...]) -> None:
        self.modules = modules

    def prepare(self) -> None:
        for name in self.modules:
            importlib.import_module(name)

    def close(self) -> None:
        pass


FORMATS: dict[str, ReportFormat] = {
    "md": ReportFormat(
        "md",
        (".md", ".markdown"),
        needs_file=False,
        module="plan57.render.markdown",
        template=True,
        ahead="CompiledAhead",
    ),
    "docx": ReportFormat(
        "docx", (".docx",), needs_file=True, module="plan57.render.docx", imports=("plan57.render.docx",)
    ),
    "html": ReportFormat("html", (".html", ".htm"), needs_file=True, module="plan57.render.html"),
    "xlsx": ReportFormat("xlsx", (".xlsx",), needs_file=True, module="plan57.render.xlsx", imports=("openpyxl",)),
}
DEFAULT = "md"
# a file with one of these suffixes (or none) gets the default Markdown; any other unknown suffix
# (.pdf, .doc, .odt…) would be a file its name misdescribes, so it is a usage error
PLAIN_SUFFIXES = ("", ".txt")


def check_suffix(output: Path, named: bool) -> None:
    """A file whose suffix names no format (.pdf, .odt…) would misdescribe the Markdown written into it."""
    if output.exists() and not output.is_file():
        return  # a pipe or a device (/dev/stdout): its name says nothing of a format
    if not named and by_suffix(output) is None and output.suffix.lower() not in PLAIN_SUFFIXES:
        raise UsageError(
            f"không biết ghi báo cáo dạng nào vào tệp đuôi '{output.suffix}': hãy đặt tên tệp đuôi "
            + ", ".join(f.suffixes[0] for f in FORMATS.values())
            + " hoặc chọn bằng --format"
        )


def by_suffix(path: Path) -> ReportFormat | None:
    suffix = path.suffix.lower()
    return next((f for f in FORMATS.values() if suffix in f.suffixes), None)


def choose(name: str | None, output: Path | None, template: bool = False) -> ReportFormat:
    """The format asked for, else the one the output file's suffix names, else Markdown.

    A format that is a document to open (docx, html, xlsx) needs an output file; a file whose suffix names another format is a mistake.
    """
    implied = by_suffix(output) if output is not None else None
    if name is None:
        chosen = implied or FORMATS[DEFAULT]
    else:
        key = name.strip().lower().lstrip(".")
        if key not in FORMATS:
            raise UsageError(f"không có định dạng '{name}'; chọn một trong: {', '.join(FORMATS)}")
        chosen = FORMATS[key]
        if implied is not None and implied is not chosen:
            raise UsageError(
                f"tệp '{output}' có đuôi của định dạng {implied.name}, không phải {chosen.name}: "
                f"hãy đặt tên tệp đuôi {chosen.suffixes[0]}"
            )
    if template and not chosen.template:
        raise UsageError(
            f"--template chỉ dùng cho báo cáo dạng {', '.join(f.name for f in FORMATS.values() if f.template)}"
        )
    if chosen.needs_file and output is None:
        raise UsageError(
            f"báo cáo dạng {chosen.name} là một tệp để mở, không in ra màn hình: "
            f"hãy ghi ra tệp, ví dụ -o tonghop{chosen.suffixes[0]}"
        )
    return chosen
