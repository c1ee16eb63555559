"""The console entry point.

A `validate` whose every file the cache already holds unchanged is answered here, before the
command-line parser and the models are loaded: they take longer to load than such a run takes to
do its work. Anything this module does not recognise as such a run (another command, an option it
does not know, a file the cache has not seen, a plan never read) goes to the full command line,
which gives the same output.
"""

from __future__ import annotations

import sys
from pathlib import Path

# the options of `validate` read here, and whether each takes a value; any other goes to cli.py
_OPTIONS = {"--plan": True, "--units": True, "--max-size": True, "--format": True, "--quiet": False, "-q": False}
_FORMATS = ("text", "json", "github")
_PLAN_LIMIT = 16 * 1024 * 1024  # the plan's own size limit (validation/plan_file.py)


def main() -> None:
    """`plan57`: a run the cache answers, else the full command line."""
    import gc

    gc.disable()  # a short-lived run over acyclic data: the cyclic collector only costs time here
    args = sys.argv[1:]
    if args[:1] == ["validate"]:
        served = _validate_from_cache(args[1:])
        if served is not None:
            _finish(*served)
    from plan57.cli import main as full

    full()


def _options(args: list[str]) -> tuple[dict[str, str], list[str]] | None:
    """`validate`'s options and paths, when they are of the plain forms read here."""
    options: dict[str, str] = {}
    paths: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        name, eq, value = arg.partition("=")
        if not arg.startswith("-"):
            paths.append(arg)
        elif name not in _OPTIONS or name in options or (eq and not _OPTIONS[name]):
            return None
        elif _OPTIONS[name] and not eq:
            if i + 1 >= len(args) or args[i + 1].startswith("-"):
                return None
            i += 1
            options[name] = args[i]
        else:
            options[name] = value if eq else ""
        i += 1
    if any(not v for k, v in options.items() if _OPTIONS[k]) or any(not p for p in paths):
        return None
    if options.get("--format", "text") not in _FORMATS:
        return None
    size = options.get("--max-size", "1048576")
    if not (size.isascii() and size.isdigit() and int(size) >= 1):
        return None
    return options, paths


def _validate_from_cache(args: list[str]) -> tuple[list[str], str, int] | None:
    """stderr lines, stdout text and exit code of `validate`, when the cache can answer it."""
    import hashlib

    from plan57.base.errors import UsageError
    from plan57.base.paths import default_plan, default_units
    from plan57.loading.cache import plan_data_known
    from plan57.render.diagnostics import validation_output
    from plan57.validation.validate import cached_collection, discover, find_paths

    parsed = _options(args)
    if parsed is None:
        return None
    options, paths = parsed
    plan = Path(options["--plan"]) if "--plan" in options else default_plan()
    try:
        if not plan.is_file() or plan.stat().st_size > _PLAN_LIMIT:
            return None
        digest = hashlib.sha256(plan.read_bytes()).hexdigest()
        if not plan_data_known(digest):  # a plan never read whole and valid
            return None
        if paths:
            found, layout = find_paths([Path(p) for p in paths])
        else:
            units = Path(options["--units"]) if "--units" in options else default_units()
            if not units.is_dir():
                return None
            found, layout = discover(units)
        coll = cached_collection(found, layout, digest, int(options.get("--max-size", "1048576")))
    except (OSError, UsageError):
        return None
    if coll is None:
        return None
    hint = "plan57 units --state nhap" + (f" --units {Path(options['--units'])}" if "--units" in options else "")
    return validation_output(
        coll.diagnostics,
        coll.files,
        coll.notes,
        options.get("--format", "text"),
        "--quiet" in options or "-q" in options,
        hint,
    )


def _finish(notes: list[str], out: str, code: int) -> None:
    """Print as the full command does; a reader that goes away early ends the run quietly."""
    import os

    try:
        for note in notes:
            sys.stderr.write(note + "\n")
        if out:
            sys.stdout.write(out + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except OSError:
            pass
    sys.exit(code)
