"""The C-accelerated path gives exactly what the careful round-trip path gives, or defers to it."""

from __future__ import annotations

import datetime as dt
import platform

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plan57.loading import yamlsafe as yamlsafe
from plan57.validation.validate import validate_bytes

from .conftest import UNITS, dump, with_registry

pytestmark = pytest.mark.skipif(
    platform.python_implementation() != "CPython", reason="the C parser is a CPython extension"
)


def test_c_parser_is_installed() -> None:
    """A PyYAML without its libyaml extension would silently slow every run: the install must bring it."""
    assert yamlsafe._fast_parser() is not None


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


def _errors(text: str, fast: bool) -> list[tuple[int, int, str, str]] | None:
    try:
        yamlsafe.load_bytes(text.encode("utf-8"), "t.yaml", fast=fast)
    except yamlsafe.LoadError as exc:
        return [(d.line, d.col, d.code, d.message) for d in exc.diagnostics]
    return None


def _same(text: str) -> None:
    # a file's errors are the careful path's, wherever the fast path found them (a syntax error
    # located from the last root key before it included)
    assert _errors(text, fast=True) == _errors(text, fast=False)
    fast = yamlsafe.parse_fast(text)
    try:
        slow = yamlsafe.parse(text, "t.yaml")
    except yamlsafe.LoadError as exc:
        if exc.diagnostics[0].code == "yaml-unreadable":
            return  # valid YAML the round-trip parser itself cannot read: libyaml may read it
        assert fast is None, "the C path accepted a file the careful path refuses"
        return
    if fast is None:
        return
    assert fast.data == slow.data
    assert fast.values == slow.values
    assert fast.keys == slow.keys
    assert fast.leading_zero == slow.leading_zero
    assert fast.not_decimal == slow.not_decimal


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


BREAKERS = ["", " ", "\n", ":", "- ", "0", '"', "'", "[", "]", "{", "}", "#", "x: 1\n", "\t", "\r", "\r\n", "&a ", "*a"]
BREAKERS += ["!x ", "|", ">", "? ", "%", "`", "---\n", "...\n", "a:\n", "\n- ", "\u2028", "\x85", "\ufeff"]


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_syntax_errors_are_placed_as_the_careful_path_places_them(data: st.DataObject) -> None:
    """One to three edits anywhere in a real file: whatever libyaml makes of it, the errors are the
    careful path's, at the same line and column, with the same words."""
    files = sorted(UNITS.glob("*/*.yaml"))
    text = data.draw(st.sampled_from(files)).read_text(encoding="utf-8")
    for _ in range(data.draw(st.integers(min_value=1, max_value=3))):
        pos = data.draw(st.integers(min_value=0, max_value=len(text)))
        cut = data.draw(st.integers(min_value=0, max_value=8))
        text = text[:pos] + data.draw(st.sampled_from(BREAKERS)) + text[pos + cut :]
    assert _errors(text, fast=True) == _errors(text, fast=False)


def test_a_syntax_error_at_the_end_is_placed_without_reading_the_file_again(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The careful parser reads from the last root key before the error, not from the start."""
    text = sorted(UNITS.glob("*/*.yaml"))[0].read_text(encoding="utf-8") + "extra: [1, 2\n"
    read: list[str] = []
    real = yamlsafe.parse

    def counting(source: str, *args, **kwargs):  # type: ignore[no-untyped-def]
        read.append(source)
        return real(source, *args, **kwargs)

    monkeypatch.setattr(yamlsafe, "parse", counting)
    errors = _errors(text, fast=True)
    assert errors is not None and errors[0][:3] == (text.count("\n") + 1, 1, "yaml-syntax")  # at the end
    assert len(read) == 1 and read[0].strip() == "extra: [1, 2"
    assert errors == _errors(text, fast=False)


# Block scalars, quoted scalars with escapes, comments (with "&" and "*" in them), directives.
block_lines = st.lists(
    st.one_of(
        st.just(""),
        st.text(
            alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=10
        ),
        st.sampled_from(["  more indented", "# not a comment", "x: y", "- z", "KH&CN *", "\t tab"]),
    ),
    min_size=1,
    max_size=5,
)


@st.composite
def block_scalar(draw: st.DrawFn) -> str:
    head = draw(st.sampled_from([">", "|", ">-", "|-", ">+", "|+", "> # KH&CN", "|2"]))
    lines = draw(block_lines)
    return head + "\n" + "\n".join(("    " + line.strip(" ")) if line.strip(" ") else "" for line in lines)


ESCAPES = [
    "\\n",
    "\\t",
    "\\x41",
    "\\u00e1",
    "\\U0001F600",
    "\\\\",
    '\\"',
    "\\e",
    "\\0",
    "\\x9b",
    "\\a",
    "\\N",
    "\\_",
    "\\L",
    "\\P",
    "\\ ",
    "\\/",
    "\\ud800",
    "\\q",
    "\\",
    "\\\n  cont",
]
quoted = st.one_of(
    st.lists(
        st.one_of(st.sampled_from(ESCAPES), st.sampled_from(["a", "á", "'", " ", "KH&CN", "#", "\t"])), max_size=5
    ).map(lambda parts: '"' + "".join(parts) + '"'),
    st.lists(st.sampled_from(["a", "''", "\\", "á", " ", "#", "&x", "\t"]), max_size=5).map(
        lambda p: "'" + "".join(p) + "'"
    ),
)
COMMENTS = ["", "  # KH&CN", " # *x !y", "  #", " #\ttab", "  # %YAML 1.1"]
PROLOGUES = [
    "",
    "---\n",
    "%YAML 1.1\n---\n",
    "%YAML 1.2\n---\n",
    "%YAML 1.3\n---\n",
    "%YAML 2.0\n---\n",
    "# KH&CN: Khoa học & Công nghệ\n%YAML 1.1\n---\n",
    "%TAG !e! tag:example.com,2000:\n---\n",
    "%FOO bar\n---\n",
    "# yaml-language-server: $schema=x.json\n",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(PROLOGUES),
    st.lists(
        st.tuples(keys, st.one_of(block_scalar(), quoted, scalars.map(str), st.just("")), st.sampled_from(COMMENTS)),
        min_size=1,
        max_size=5,
        unique_by=lambda t: t[0],
    ),
    st.booleans(),
)
def test_directives_blocks_escapes_and_comments(prologue: str, items: list[tuple[str, str, str]], crlf: bool) -> None:
    lines = []
    for key, value, comment in items:
        if value.startswith((">", "|")):
            lines.append(f"{key}: {value}")  # a comment cannot follow a block scalar's text
        else:
            lines.append(f"{key}: {value}{comment}")
    text = prologue + "\n".join(lines) + "\n"
    _same(text.replace("\n", "\r\n") if crlf else text)


@pytest.mark.parametrize("version", ["1.1", "1.3", "2.0", "1.0"])
def test_yaml_directive_other_than_1_2_is_a_located_error(version: str) -> None:
    text = f"# mẫu báo cáo\n%YAML {version}\n---\na: yes\nb: on\n"
    assert yamlsafe.parse_fast(text) is None
    with pytest.raises(yamlsafe.LoadError) as err:
        yamlsafe.parse(text, "t.yaml")
    d = err.value.diagnostics[0]
    assert (d.line, d.col, d.code) == (2, 1, "yaml-directive") and f"%YAML {version}" in d.message


def test_yaml_1_2_directive_reads_yes_as_text_on_both_paths() -> None:
    text = "%YAML 1.2\n---\na: yes\n"
    fast = yamlsafe.parse_fast(text)
    assert fast is not None and fast.data == {"a": "yes"} == yamlsafe.parse(text, "t.yaml").data


def test_a_comment_the_round_trip_parser_cannot_place_is_read_by_the_fast_path() -> None:
    text = "a: # chú thích\n  t\n\n"
    fast = yamlsafe.parse_fast(text)
    assert fast is not None and fast.data == {"a": "t"}
    with pytest.raises(yamlsafe.LoadError) as err:
        yamlsafe.parse(text + "b: &x 1\n", "t.yaml")  # an anchor: only the careful path decides
    d = err.value.diagnostics[0]
    assert (d.line, d.col, d.code) == (1, 4, "yaml-unreadable")


def test_ampersand_in_a_comment_and_empty_values_stay_on_the_fast_path() -> None:
    text = "# Sở KH&CN *\nsubmitted:\nreference: ''  # số & ngày\nx: [1, 2] # !tag\n"
    doc = yamlsafe.parse_fast(text)
    assert doc is not None and doc.data == {"submitted": None, "reference": "", "x": [1, 2]}
    assert doc.values[("submitted",)] == doc.keys[("submitted",)] == (2, 1)
    _same(text)


def test_shipped_samples_take_the_fast_path_and_agree() -> None:
    for path in sorted(UNITS.glob("*/*.yaml")):
        text = path.read_text(encoding="utf-8")
        _same(text)


def test_plain_file_is_parsed_by_the_c_path() -> None:
    doc = yamlsafe.parse_fast("a: 052\nb: yes\nc: 2025-12-03\n")
    assert doc is not None and doc.fast
    assert doc.data == {"a": 52, "b": "yes", "c": dt.date(2025, 12, 3)}


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "a: ! 1\n",
        "a:\n\t- 1\n",
        "%YAML 1.1\n---\na: 1\n",
        "a: 1\n---\nb: 2\n",
        "<<: {a: 1}\n",
        "a: 1\na: 2\n",
        "a:\n- \n",
        "? [a]\n: 1\n",
        "",
        "# only a comment\n",
        "a: " + "[" * 40 + "]" * 40 + "\n",
    ],
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


def _count_careful(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = yamlsafe.parse

    def counting(text: str, path: str, *args: int) -> yamlsafe.Document:
        calls.append(path)
        return real(text, path, *args)

    monkeypatch.setattr(yamlsafe, "parse", counting)
    return calls


def test_warnings_and_untouched_templates_never_take_the_careful_path(plan, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Only an error libyaml cannot place goes to the round-trip parser: not a warning, not a
    template's comments ("KH&CN"), not its empty values."""
    from plan57.render.template import new_submission

    from .conftest import submission

    calls = _count_careful(monkeypatch)
    data = submission(plan, "xa-muong-la", 2025)
    del data["population"]  # a block the unit's targets need: a warning
    raw = ("# Sở KH&CN hướng dẫn *\n" + dump(data)).encode()
    path = tmp_path / "2025" / "xa-muong-la.yaml"
    result = validate_bytes(raw, path, plan, 2025, 1 << 20, "f.yaml")
    assert result.valid and result.diagnostics and all(d.severity == "warning" for d in result.diagnostics)
    for unit in ("xa-muong-la", "so-khcn", "bao-ptth-son-la"):
        template = new_submission(plan, unit, 2026).encode()
        result = validate_bytes(template, tmp_path / "2026" / f"{unit}.yaml", plan, 2026, 1 << 20, "t.yaml")
        assert not any(d.is_error for d in result.diagnostics), result.diagnostics
        assert result.diagnostics  # at least the draft warning
    assert calls == []
    # an error libyaml cannot explain still goes there, once
    validate_bytes(b"unit: [\n", path, plan, 2025, 1 << 20, "f.yaml")
    assert calls == ["f.yaml"]


def test_schema_errors_are_located_without_the_careful_path(plan, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from .conftest import submission

    calls = _count_careful(monkeypatch)
    data = submission(plan, "xa-muong-la", 2025)
    data["staff"]["informed"] = data["staff"]["total"] + 1
    data["stafff"] = 1
    raw = dump(data).encode()
    path = tmp_path / "2025" / "xa-muong-la.yaml"
    fast = validate_bytes(raw, path, plan, 2025, 1 << 20, "f.yaml")
    assert calls == []
    slow = validate_bytes(raw, path, plan, 2025, 1 << 20, "f.yaml", fast=False)
    assert fast.diagnostics == slow.diagnostics and any(d.is_error for d in fast.diagnostics)


def test_a_plan_with_a_national_registry_is_not_refused_as_a_flood(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The node limit of a submission does not apply to the plan, which carries the registry."""
    from plan57.validation.plan_file import load_plan

    from .conftest import plan_data

    data = plan_data()
    with_registry(data, [{"id": f"xa-t{i:05d}", "name": f"Xã thử {i}", "kind": "xa"} for i in range(10_000)])
    path = tmp_path / "plan.yaml"
    path.write_text(dump(data), encoding="utf-8")
    assert len(load_plan(path).units) == 10_000


NOT_DECIMAL = ["0b101", "0o10", "0x1F", "32_000_000", "1_0", "-0x1", "+0o7", "0x_1", "0b_"]


@pytest.mark.parametrize("written", NOT_DECIMAL)
def test_integers_not_written_in_decimal_digits_stay_text_on_both_paths(written: str) -> None:
    """Issue 28 item 11: YAML reads 0b101, 0o10, 0x1F and 32_000_000 as numbers; plan57 keeps the
    text written (an error in a count, asking for decimal digits), the same on both paths."""
    text = f"a: {written}\nb:\n  - {written}\n  - 12\nc: {{d: {written}}}\n"
    _same(text)
    fast = yamlsafe.parse_fast(text)
    slow = yamlsafe.parse(text, "t.yaml")
    assert fast is not None
    for doc in (fast, slow):
        assert doc.data == {"a": written, "b": [written, 12], "c": {"d": written}}
        assert doc.not_decimal == {("a",): written, ("b", 0): written, ("c", "d"): written}


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"[-+]?(0[xXoObB])?[0-9a-fA-F_]{1,12}", fullmatch=True))
def test_any_integer_form_reads_alike_on_both_paths(written: str) -> None:
    text = f"a: {written}\n"
    _same(text)
    slow = yamlsafe.parse(text, "t.yaml")
    value = slow.data["a"]
    if isinstance(value, int):  # a number only when written in decimal digits
        assert written.lstrip("+-").isdigit()


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("0b101", "chỉ bằng chữ số 0–9"),
        ("0o10", "chỉ bằng chữ số 0–9"),
        ("0x1F", "chỉ bằng chữ số 0–9"),
        ("32_000_000", "viết 32000000"),
    ],
)
def test_a_count_not_in_decimal_digits_is_an_error_with_the_hint(
    written: str,
    said: str,
    plan,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    from typer.testing import CliRunner

    from plan57.cli import app

    from .conftest import PLAN, dump, submission, write

    text = dump(submission(plan, "so-khcn", 2025)).replace("total: 10", f"total: {written}", 1)
    assert written in text
    write(tmp_path / "units", 2025, "so-khcn", text)
    result = CliRunner().invoke(app, ["validate", "--plan", str(PLAN), "--units", str(tmp_path / "units")])
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if ": lỗi: " in line]
    assert len(lines) == 1 and said in lines[0] and ".total'" in lines[0], result.stdout
