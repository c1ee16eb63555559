"""Progress bars for long work (SPEC §10): on stderr, only when stderr is a terminal.

`track(items, label)` yields the items; when stderr is a terminal and there are enough of them
for the work to last over a second, a rich progress bar on stderr follows them and is cleared at
the end. Piped or redirected, nothing of it is written: no bar, no escape sequence.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sized
from typing import TypeVar

T = TypeVar("T")

MIN_ITEMS = 10  # below this, the work is over before a bar would be read


def stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stream
        return False


def _shows(label: str) -> bool:
    """Whether the terminal's encoding holds the label (a cp437 console does not): else no bar."""
    try:
        label.encode(getattr(sys.stderr, "encoding", None) or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def track(items: Iterable[T], label: str, total: int | None = None) -> Iterator[T]:
    """The items, followed by a progress bar on a terminal."""
    count = total if total is not None else len(items) if isinstance(items, Sized) else None
    if count is None or count < MIN_ITEMS or not stderr_is_terminal() or not _shows(label):
        yield from items
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(file=sys.stderr, force_terminal=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(label, total=count)
        for item in items:
            yield item
            bar.advance(task)


def reading(results: Iterator[T], total: int) -> Iterator[T]:
    """The files' results as validation takes them in (validation.validate.PROGRESS)."""
    return track(results, "Kiểm tra tệp báo cáo", total)


def show_reading() -> None:
    """Have long validations show their progress on a terminal."""
    from plan57.validation import validate

    validate.PROGRESS = reading
