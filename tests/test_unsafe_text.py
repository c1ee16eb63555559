"""Characters that must never be printed are refused at their value, however the file was saved:
the quick look at the file's source that spares the walk over every value must never hide one."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plan57.loading.yamlsafe import Document, load_bytes
from plan57.validation.rules import UNSAFE_TEXT, unsafe_text

BASE = "unit: xa-muong-la\ndifficulties:\n  - {text}\n"


def _codes(text: str, crlf: bool = False) -> list[str]:
    source = BASE.format(text=text)
    if crlf:
        source = source.replace("\n", "\r\n")
    doc = load_bytes(source.encode("utf-8"), "x.yaml", fast=True)
    return [d.code for d in unsafe_text(doc, "x.yaml")]


@pytest.mark.parametrize("crlf", [False, True])
@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("Thiếu kinh phí", False),
        ('"Thiếu\\tkinh phí"', False),  # a tab is allowed
        ("Thiếu \u202ekinh phí", True),  # a bidi override written as it is
        ('"Thiếu \\u202ekinh phí"', True),  # ... or as an escape
        ('"Thiếu \\e[31mkinh phí"', True),
        ('"Thiếu \\x85kinh phí"', True),
        ("Thiếu \u2028kinh phí", True),
    ],
)
def test_unsafe_characters_found_in_any_file(text: str, bad: bool, crlf: bool) -> None:
    assert _codes(text, crlf) == (["control-char"] if bad else [])


def test_a_document_without_source_is_walked() -> None:
    """An Excel form's data has no YAML source: every value is looked at."""
    doc = Document(data={"difficulties": ["a\x1bb"]}, values={("difficulties", 0): (3, 5)})
    assert [d.code for d in unsafe_text(doc, "f.xlsx")] == ["control-char"]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_the_shortcut_agrees_with_the_walk(value: str) -> None:
    """For any value written as a YAML double-quoted string: the same verdict with the source
    (shortcut allowed) as without it (every value walked)."""
    escaped = value.encode("unicode_escape").decode("ascii").replace('"', '\\"')
    source = BASE.format(text=f'"{escaped}"')
    try:
        doc = load_bytes(source.encode("utf-8"), "x.yaml", fast=True)
    except Exception:
        return
    with_source = [d.code for d in unsafe_text(doc, "x.yaml")]
    doc.source = None
    assert with_source == [d.code for d in unsafe_text(doc, "x.yaml")]
    if isinstance(doc.data, dict) and isinstance(doc.data.get("difficulties"), list):
        item = doc.data["difficulties"][0]
        assert (UNSAFE_TEXT.search(item) is not None) == bool(with_source)


def test_source_kept_on_the_document(tmp_path: Path) -> None:
    doc = load_bytes(b"unit: a\n", "x.yaml", fast=True)
    assert doc.source == "unit: a\n"
