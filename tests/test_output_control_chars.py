"""Whatever text a unit types, no command prints a control character (issue 14, item 2).

Generated text — control characters, lone surrogates, line separators, bidirectional overrides
among ordinary Vietnamese — is written into a submission as YAML escapes (the way a hostile file
would hold it) and into a file name; then every command that prints runs over it, in every text
format, and nothing it prints or writes holds a character a terminal or a reader would act on.
A newline and a tab are layout, not commands, and are allowed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from plan57.cli import app

from .conftest import dump, submission

runner = CliRunner()

FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

HOSTILE_CHARS = st.sampled_from(
    ["\x1b", "\x1b[2J", "\x00", "\x07", "\x9b", "\r", "\x7f", "\ud800", "\udfff", "\u2028", "\u202e", "\u2066"]
)
TEXT = st.lists(
    st.one_of(st.text(max_size=6), HOSTILE_CHARS, st.sampled_from(["Mường La", "| a |", "# x", "<b>"])),
    min_size=1,
    max_size=6,
).map("".join)
FILE_NAME = st.text(
    alphabet=st.characters(blacklist_characters="/\x00", blacklist_categories=("Cs",)), min_size=1, max_size=12
).filter(lambda s: s not in (".", "..") and not s.startswith("."))


def yaml_quoted(text: str) -> str:
    """A double-quoted YAML scalar holding exactly `text`, anything unprintable as an escape."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch.isprintable() and not FORBIDDEN.match(ch):
            out.append(ch)
        else:
            out.append(f"\\u{ord(ch):04x}" if ord(ch) < 0x10000 else f"\\U{ord(ch):08x}")
    return '"' + "".join(out) + '"'


def assert_clean(where: str, text: str) -> None:
    m = FORBIDDEN.search(text)
    assert m is None, (where, hex(ord(m.group())), text[max(0, m.start() - 60) : m.end() + 60])


COMMANDS: list[list[str]] = [
    ["validate"],
    ["validate", "--format", "json"],
    ["validate", "--format", "github"],
    ["score"],
    ["score", "--format", "json"],
    ["score", "--unit", "xa-muong-la"],
    ["report"],
    ["units"],
    ["units", "--format", "json"],
]


@settings(max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(text=TEXT, name=FILE_NAME)
def test_no_command_prints_a_control_character(
    tmp_path_factory: Any, mini_plan: Any, mini_plan_path: Path, text: str, name: str
) -> None:
    root = tmp_path_factory.mktemp("ctl", numbered=True)
    folder = root / "units" / "2025"
    folder.mkdir(parents=True)
    body = dump(submission(mini_plan, "xa-muong-la", 2025))
    q = yaml_quoted(text)
    body += f"reference: {q}\ndifficulties:\n  - {q}\nproposals:\n  - {q}\ncontact:\n  name: {q}\n"
    (folder / "xa-muong-la.yaml").write_text(body, encoding="utf-8")
    (folder / "so-khcn.yaml").write_text(dump(submission(mini_plan, "so-khcn", 2025)), encoding="utf-8")
    try:
        (folder / f"{name}.yaml").write_text(f"unit: {q}\nnote: {q}\n", encoding="utf-8")
    except OSError:
        pass  # a name this file system refuses
    common = ["--plan", str(mini_plan_path), "--units", str(root / "units"), "--no-cache"]
    for command in COMMANDS:
        result = runner.invoke(app, command + common)
        assert result.exit_code in (0, 1), (command, result.output)
        assert_clean(" ".join(command), result.output)
    for fmt, suffix in (("md", "md"), ("html", "html")):
        out = root / f"out.{suffix}"
        result = runner.invoke(app, ["report", *common, "--format", fmt, "-o", str(out)])
        if result.exit_code == 2 and "--format" in result.output:
            continue  # a format this build does not have
        assert result.exit_code == 0, (fmt, result.output)
        assert_clean(f"report {fmt}", result.output)
        assert_clean(f"report {fmt} file", out.read_text(encoding="utf-8"))
