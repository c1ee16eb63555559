"""The console entry point.

`validate`, `score` and `report` with plain arguments are read here, without the command-line
library: loading it takes a tenth of a second in every run, longer than a `validate` over a few
thousand cached files takes to do its work. When the cache holds every file unchanged, `validate`
answers from it without loading the models either. Anything else (another command, an option or
a form of it not read here, `--help`) goes to the full command line (cli.py). Both run the same
functions (validate_command.run, commands.score, commands.report), so they print the same.
"""

from __future__ import annotations

import sys
from pathlib import Path

# the options of each command read here (its other name, if any, and whether it takes a value);
# any other option, or any other command, goes to cli.py
_OPTIONS = {
    "--plan": True,
    "--units": True,
    "--max-size": True,
    "--format": True,
    "--quiet": False,
    "-q": False,
    "--no-cache": False,
}
_SCORE = {
    "--year": True,
    "--plan": True,
    "--units": True,
    "--format": True,
    "--unit": True,
    "--explain": False,
    "--strict": False,
    "--max-size": True,
    "--no-cache": False,
    "--date": True,
}
_REPORT = {
    "--year": True,
    "--plan": True,
    "--units": True,
    "--output": True,
    "-o": True,
    "--format": True,
    "--date": True,
    "--number": True,
    "--template": True,
    "--strict": False,
    "--max-size": True,
    "--no-cache": False,
}
_ALIASES = {"-q": "--quiet", "-o": "--output"}
_FORMATS = ("text", "json", "github")
_PLAN_LIMIT = 16 * 1024 * 1024  # the plan's own size limit (validation/plan_file.py)


def main() -> None:
    """`plan57`: a run the cache answers, else the full command line."""
    import gc

    from plan57.base.console import setup
    from plan57.base.lifetime import until_exit

    setup()  # UTF-8 when redirected, a console's code page degraded readably, SIGTERM cleans up
    gc.disable()  # a short-lived run over acyclic data: the cyclic collector only costs time here
    until_exit()  # the run's large objects are freed with the process (_leave), not one by one
    try:
        args = sys.argv[1:]
        command = args[0] if args else ""
        if command == "validate":
            parsed = _options(args[1:])
            done = (_validate_from_cache(*parsed) or _validate(*parsed)) if parsed is not None else None
            code = _print(*done) if done is not None else _full()
        elif command in ("score", "report"):
            given = _command_options(args[1:], _SCORE if command == "score" else _REPORT)
            code = _run(command, given) if given is not None else _full()
        else:
            code = _full()
    except KeyboardInterrupt:
        sys.stderr.write("plan57: đã dừng.\n")
        code = 1
    _leave(code)


def _full() -> int:
    """The full command line's run, and its exit code."""
    from plan57.cli import main as full

    try:
        full()
    except SystemExit as end:
        if end.code is None or isinstance(end.code, int):
            return end.code or 0
        sys.stderr.write(f"{end.code}\n")
        return 1
    return 0


def _leave(code: int) -> None:
    """End the process once its output is written. Python would first free every object of the
    run one by one, which after a few thousand files takes longer than printing the result; the
    system frees the whole process at once. Nothing is left to do by then: files are written
    whole (base/atomic.py), the worker processes have ended and the cache is saved."""
    import os

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:  # the reader has gone: what it did not read is not missed
            pass
        except OSError as exc:
            if stream is sys.stdout:
                code = _system_error(exc)
    os._exit(code)


def _read(args: list[str], known: dict[str, bool], paths: bool) -> tuple[dict[str, str], list[str]] | None:
    """Options (by their long name) and paths, when every argument is of a plain form read here:
    `--name value`, `--name=value` or a flag, each named once, values not empty and not starting
    with a dash; paths only where the command takes them. None sends the arguments to the full
    parser, which says what is wrong with them."""
    options: dict[str, str] = {}
    found: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        name, eq, value = arg.partition("=")
        key = _ALIASES.get(name, name)
        if not arg.startswith("-") and paths:
            found.append(arg)
            i += 1
            continue
        if name not in known or key in options or (eq and not known[name]):
            return None
        if known[name] and not eq:
            if i + 1 >= len(args) or args[i + 1].startswith("-"):
                return None
            i += 1
            value = args[i]
        if known[name] and not value:
            return None
        options[key] = value
        i += 1
    if any(not p for p in found):
        return None
    for name in ("--year", "--max-size"):  # whole numbers as the parser reads them
        if name in options and not (options[name].isascii() and options[name].isdigit()):
            return None
    if "--max-size" in options and int(options["--max-size"]) < 1:
        return None
    return options, found


def _options(args: list[str]) -> tuple[dict[str, str], list[str]] | None:
    """`validate`'s options and paths, when they are of the plain forms read here."""
    read = _read(args, _OPTIONS, paths=True)
    if read is None or read[0].get("--format", "text") not in _FORMATS:
        return None
    return read


def _command_options(args: list[str], known: dict[str, bool]) -> dict[str, str] | None:
    """`score`'s or `report`'s options, when they are of the plain forms read here."""
    read = _read(args, known, paths=False)
    if read is None:
        return None
    if known is _SCORE and read[0].get("--format", "text") not in ("text", "json"):
        return None
    return read[0]


def _run(command: str, options: dict[str, str]) -> int:
    """`score` or `report` with the options read here: what it prints, and its exit code."""

    from plan57 import commands

    def path(name: str) -> Path | None:
        return Path(options[name]) if name in options else None

    year = int(options["--year"]) if "--year" in options else None
    max_size = int(options.get("--max-size", "1048576"))
    try:
        if command == "score":
            fmt = options.get("--format", "text")
            return commands.score(
                year,
                path("--plan"),
                path("--units"),
                fmt,
                options.get("--unit"),
                "--explain" in options,
                "--strict" in options,
                max_size,
                "--no-cache" in options,
                options.get("--date"),
            )
        return commands.report(
            year,
            path("--plan"),
            path("--units"),
            path("--output"),
            options.get("--format"),
            options.get("--date"),
            options.get("--number"),
            path("--template"),
            "--strict" in options,
            max_size,
            "--no-cache" in options,
        )
    except BrokenPipeError:  # the reader has gone: the run ends quietly, as the full command line's
        _stdout_to_nowhere()
        return 0
    except OSError as exc:
        return _system_error(exc)
    except Exception as exc:  # noqa: BLE001 - the top of the program: never a traceback
        from plan57.base.errors import unexpected_message

        sys.stderr.write(unexpected_message(exc))
        return 2


def _validate_from_cache(options: dict[str, str], paths: list[str]) -> tuple[list[str], str, int] | None:
    """stderr lines, stdout text and exit code of `validate`, when the cache can answer it."""
    import hashlib

    from plan57.base.errors import UsageError
    from plan57.base.paths import default_plan, default_units
    from plan57.render.diagnostics import validation_output
    from plan57.validate_command import list_drafts_hint
    from plan57.validation.validate import cached_collection, discover, find_paths

    if "--no-cache" in options:
        return None
    plan = Path(options["--plan"]) if "--plan" in options else default_plan()
    try:
        if not plan.is_file() or plan.stat().st_size > _PLAN_LIMIT:
            return None
        # the cache answers only for a plan whose bytes were read whole and valid (cached_collection)
        digest = hashlib.sha256(plan.read_bytes()).hexdigest()
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
    units_given = Path(options["--units"]) if "--units" in options else None
    quiet = "--quiet" in options
    fmt = options.get("--format", "text")
    return validation_output(coll.diagnostics, coll.files, coll.notes, fmt, quiet, list_drafts_hint(units_given))


def _validate(options: dict[str, str], paths: list[str]) -> tuple[list[str], str, int] | None:
    """`validate` run whole, as the full command line runs it; None on an unexpected failure,
    which the full command line then reports in its own words."""
    from plan57.validate_command import run

    def given(name: str) -> Path | None:
        return Path(options[name]) if name in options else None

    try:
        return run(
            [Path(p) for p in paths] or None,
            given("--plan"),
            given("--units"),
            int(options.get("--max-size", "1048576")),
            "--no-cache" in options,
            options.get("--format", "text"),
            "--quiet" in options,
        )
    except Exception:  # noqa: BLE001 - the full command line says what went wrong
        return None


def _print(notes: list[str], out: str, code: int) -> int:
    """Print as the full command does; a reader that goes away early ends the run quietly, with
    the exit code the run had (`validate | head` still fails when a file is invalid)."""

    try:
        for note in notes:
            sys.stderr.write(note + "\n")
        if out:
            sys.stdout.write(out + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        _stdout_to_nowhere()
    except OSError as exc:  # a full disk: said as the full command line says it
        return _system_error(exc)
    return code


def _stdout_to_nowhere() -> None:
    """After the reader of stdout has gone: what is still buffered goes nowhere, so the final
    flush neither fails nor prints an error."""
    import os

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY | getattr(os, "O_BINARY", 0)), sys.stdout.fileno())
    except OSError:
        pass


def _system_error(exc: OSError) -> int:
    from plan57.base.console import settle_stdout
    from plan57.base.diagnostics import one_line
    from plan57.base.errors import os_message

    where = f" '{exc.filename}'" if exc.filename else ""
    sys.stderr.write(one_line(f"plan57: lỗi hệ thống{where}: {os_message(exc)}") + "\n")
    settle_stdout()  # said once: the final flush does not say it again
    return 2
