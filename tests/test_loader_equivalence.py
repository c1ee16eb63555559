"""The C-accelerated path gives exactly what the careful round-trip path gives, or defers to it."""

from __future__ import annotations

import datetime as dt
import platform

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plan57.loading import yamlsafe as yamlsafe
from plan57.validation.validate import validate_bytes

from .conftest import UNITS, dump

pytestmark = pytest.mark.skipif(
    platform.python_implementation() != "CPython", reason="the C parser is a CPython extension"
)


def test_c_parser_is_installed() -> None:
    """A missing ruamel.yaml.clib would silently slow every run: the install must bring it."""
    assert yamlsafe._fast_class() is not None


# Scalars on which YAML 1.1 and 1.2 disagree, or that a hand-typed file often holds.
TRICKY = [
    "052",
    "0912345678",
    "yes",
    "no",
    "on",
    "off",
    "y",
    "n",
    "có",
    "không",
    "0o17",
    "0x1F",
    "0b101",
    "1_000",
    "12.500",
    "12,5",
    "1e3",
    ".inf",
    "-.inf",
    ".nan",
    "~",
    "null",
    "Null",
    "NULL",
    "true",
    "True",
    "TRUE",
    "false",
    "2025-12-03",
    "2025-12-03 10:00:00",
    "2025-12-03T10:00:00Z",
    "06/12/2025",
    "12:30",
    "1:30:00",
    "+12",
    "-0",
    "0.",
    ".5",
    "1.",
    "=",
    "?",
    "Xã Mường La",
    "Xa\u0303 Mươ\u0300ng La",
    "a: b",
    "- x",
    "# không phải chú thích",
    "'",
    '"',
    "https://sonla.gov.vn/a?b=1#c",
]

keys = st.sampled_from(["unit", "year", "total", "informed", "1a", "news", "name", "Tên", "x y", "0", "true"])
scalars = st.one_of(
    st.sampled_from(TRICKY),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12),
)


def _render(value: object, indent: int, style: str) -> str:
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            return "{}"
        if style == "flow":
            return "{" + ", ".join(f"{k}: {_render(v, 0, 'flow')}" for k, v in value.items()) + "}"
        return "\n" + "\n".join(f"{pad}{k}: {_render(v, indent + 2, style)}" for k, v in value.items())
    if isinstance(value, list):
        if not value:
            return "[]"
        if style == "flow":
            return "[" + ", ".join(_render(v, 0, "flow") for v in value) + "]"
        return "\n" + "\n".join(f"{pad}- {_render(v, indent + 2, 'flow')}" for v in value)
    return str(value)


trees = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=4)),
    max_leaves=12,
)


def _same(text: str) -> None:
    fast = yamlsafe.parse_fast(text)
    try:
        slow = yamlsafe.parse(text, "t.yaml")
    except yamlsafe.LoadError:
        assert fast is None, "the C path accepted a file the careful path refuses"
        return
    if fast is None:
        return
    assert fast.data == slow.data
    assert fast.values == slow.values
    assert fast.keys == slow.keys
    assert fast.leading_zero == slow.leading_zero


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(keys, trees, min_size=1, max_size=5), st.sampled_from(["block", "flow"]), st.booleans())
def test_generated_documents(tree: dict[str, object], style: str, crlf: bool) -> None:
    text = _render(tree, 0, style).lstrip("\n") + "\n"
    _same(text.replace("\n", "\r\n") if crlf else text)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_mutated_samples(data: st.DataObject) -> None:
    files = sorted(UNITS.glob("*/*.yaml"))
    text = data.draw(st.sampled_from(files)).read_text(encoding="utf-8")
    pos = data.draw(st.integers(min_value=0, max_value=len(text)))
    cut = data.draw(st.integers(min_value=0, max_value=8))
    insert = data.draw(st.sampled_from(["", " ", "\n", ":", "- ", "  ", "0", "yes", '"', "'", "[", "}", "#", "x: 1\n"]))
    _same(text[:pos] + insert + text[pos + cut :])


def test_shipped_samples_take_the_fast_path_and_agree() -> None:
    for path in sorted(UNITS.glob("*/*.yaml")):
        text = path.read_text(encoding="utf-8")
        _same(text)


def test_plain_file_is_parsed_by_the_c_path() -> None:
    doc = yamlsafe.parse_fast("a: 052\nb: yes\nc: 2025-12-03\n")
    assert doc is not None and doc.fast
    assert doc.data == {"a": 52, "b": "yes", "c": dt.date(2025, 12, 3)}


@pytest.mark.parametrize(
    "text", ["a: &x 1\nb: *x\n", "a: !!str 1\n", "a:\n\t- 1\n", "%YAML 1.1\n---\na: 1\n", "a: 1\n---\nb: 2\n"]
)
def test_hazards_go_to_the_careful_path(text: str) -> None:
    assert yamlsafe.parse_fast(text) is None


def test_validation_results_identical_on_both_paths(plan, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A file with problems is located by the careful path whichever path read it first."""
    from .conftest import submission

    data = submission(plan, "xa-muong-la", 2025)
    data["staff"]["informed"] = 11
    raw = dump(data).encode()
    path = tmp_path / "2025" / "xa-muong-la.yaml"
    fast = validate_bytes(raw, path, plan, 2025, 1 << 20, "f.yaml", fast=True)
    slow = validate_bytes(raw, path, plan, 2025, 1 << 20, "f.yaml", fast=False)
    assert fast.diagnostics == slow.diagnostics and fast.diagnostics
    good = dump(submission(plan, "xa-muong-la", 2025)).encode()
    a = validate_bytes(good, path, plan, 2025, 1 << 20, "f.yaml", fast=True)
    b = validate_bytes(good, path, plan, 2025, 1 << 20, "f.yaml", fast=False)
    assert a.valid and b.valid and a.record == b.record and a.unit_loc == b.unit_loc
