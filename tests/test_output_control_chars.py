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

from .conftest import PLAN, REPO, UNITS, dump, submission

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
    for fmt, suffix in (("md", "md"), ("html", "html"), ("docx", "docx"), ("xlsx", "xlsx")):
        out = root / f"out.{suffix}"
        result = runner.invoke(app, ["report", *common, "--format", fmt, "-o", str(out)])
        if result.exit_code == 2 and "--format" in result.output:
            continue  # a format this build does not have
        assert result.exit_code == 0, (fmt, result.output)
        assert_clean(f"report {fmt}", result.output)
        assert_clean(f"report {fmt} file", document_text(out))


def document_text(path: Path) -> str:
    """Every piece of text a person would see in a report file, whatever its format."""
    if path.suffix == ".docx":
        from docx import Document

        doc = Document(str(path))
        parts = [p.text for p in doc.paragraphs]
        for table in doc.tables:
            parts.extend(cell.text for row in table.rows for cell in row.cells)
        for section in doc.sections:
            for part in (section.header, section.first_page_header, section.footer):
                parts.extend(p.text for p in part.paragraphs)
                for table in part.tables:
                    parts.extend(cell.text for row in table.rows for cell in row.cells)
        return "\n".join(parts)
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(path)
        parts = []
        for ws in wb.worksheets:
            parts.append(ws.title)
            parts.extend(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
        return "\n".join(parts)
    return path.read_text(encoding="utf-8")


SHIPPED_COMMANDS = COMMANDS + [["score", "--explain"], ["schema"], ["score", "--unit", "so-khcn"]]


def test_shipped_data_prints_no_control_character_in_any_command_or_format(tmp_path: Path) -> None:
    """The sample data, every year, every command and every report format: what a person reads holds
    no control character (folded YAML text once came out with U+0007 where its lines wrapped)."""
    for year in ("2025", "2026"):
        common = ["--plan", str(PLAN), "--units", str(UNITS), "--no-cache"]
        for command in SHIPPED_COMMANDS:
            args = command + (common if command != ["schema"] else ["--plan", str(PLAN)])
            if command[0] in ("score", "units"):
                args += ["--year", year]
            result = runner.invoke(app, args)
            assert result.exit_code in (0, 1), (command, result.output)
            assert_clean(f"{' '.join(command)} {year}", result.output)
        for suffix in ("md", "html", "docx", "xlsx"):
            out = tmp_path / f"{year}.{suffix}"
            result = runner.invoke(app, ["report", *common, "--year", year, "-o", str(out)])
            assert result.exit_code == 0, (suffix, result.output)
            assert_clean(f"report {suffix} {year}", result.output)
            assert_clean(f"report {suffix} {year} file", document_text(out))
    new = runner.invoke(app, ["new", "--all", "--year", "2027", "--units", str(tmp_path / "units")])
    assert new.exit_code == 0, new.output
    assert_clean("new --all", new.output)
    for template in (tmp_path / "units" / "2027").iterdir():
        assert_clean(template.name, template.read_text(encoding="utf-8"))


def test_golden_files_hold_no_control_character() -> None:
    goldens = sorted((REPO / "tests" / "golden").iterdir())
    assert goldens
    for golden in goldens:
        assert_clean(golden.name, golden.read_text(encoding="utf-8"))
