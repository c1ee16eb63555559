"""Objects a run keeps until its process ends.

The console entry point ends the process with os._exit once the output is written (entry.py),
and the system frees all its memory at once. A command's large objects (every validated record,
the scored year, the report's text) would otherwise be freed one by one as the command returns:
after a few thousand files that takes longer than printing the result. `keep` does nothing unless
the entry point asked for it (`until_exit`), so a program or a test that calls a command frees
its objects as usual.
"""

from __future__ import annotations

_KEPT: list[object] | None = None


def until_exit() -> None:
    """From now on, what `keep` is given lives until the process ends."""
    global _KEPT
    if _KEPT is None:
        _KEPT = []


def keep(*objects: object) -> None:
    """Leave these objects to the end of the process, when the entry point asked for it."""
    if _KEPT is not None:
        _KEPT.extend(objects)
