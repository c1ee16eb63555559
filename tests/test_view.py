"""The report view every format is fed: one targets-table note, the same in every format; the
view's plain data equal to the models it was made from."""

from __future__ import annotations

import datetime as dt
import io
from fractions import Fraction
from pathlib import Path

import pytest
from docx import Document
from hypothesis import given
from hypothesis import strategies as st

from plan57 import api
from plan57.base.numbers import percent, percent_of
from plan57.render import docx as docx_render
from plan57.render import markdown
from plan57.render.markdown import ratio_text
from plan57.render.view import Attrs, context, plain, targets_note

ROOT = Path(__file__).resolve().parents[1]
DATE = dt.date(2026, 12, 15)


@pytest.fixture(scope="module")
def workspace() -> api.Workspace:
    return api.open_workspace(ROOT / "data" / "plan.yaml", ROOT / "data" / "units", cache=False)


@pytest.mark.parametrize("year", [2025, 2026])
def test_one_targets_note_in_markdown_and_word(workspace: api.Workspace, year: int) -> None:
    result = api.score(workspace, year)
    note = context(result, DATE, None)["targets_note"]
    assert note == targets_note(year, workspace.plan.years.start)
    assert f"Ghi chú: {markdown.md(note)}" in markdown.render(result, DATE)
    texts = [p.text for p in Document(io.BytesIO(docx_render.render(result, DATE, None))).paragraphs]
    assert f"Ghi chú: {note}" in texts


def test_the_earlier_year_sentence_only_after_the_first_year() -> None:
    assert "Chỉ tiêu có hạn trước năm" not in targets_note(2025, 2025)
    assert "Chỉ tiêu có hạn trước năm 2027 giữ đánh giá" in targets_note(2027, 2025)
    assert "số liệu năm 2027 chỉ để tham khảo" in targets_note(2027, 2025)


def test_plain_data_reads_by_key_and_attribute(workspace: api.Workspace) -> None:
    result = api.score(workspace, 2026)
    view = context(result, DATE, None)
    row = view["rows"][0]
    assert isinstance(row, Attrs) and row.unit.id == row["unit"]["id"] == result.rows[0].unit.id
    with pytest.raises(AttributeError):
        _ = row.no_such_key
    assert row.unit == plain(result.rows[0].unit)
    assert plain((1, "a", None, [dt.date(2026, 1, 2)])) == [1, "a", None, [dt.date(2026, 1, 2)]]


@given(st.integers(min_value=-(10**9), max_value=10**12), st.integers(min_value=1, max_value=10**9))
def test_percent_in_integers_is_the_fraction_s(num: int, den: int) -> None:
    """The annex's percentages, worked out in integers, read exactly as the exact rational's."""
    assert percent_of(num, den) == percent(Fraction(num, den))
    assert ratio_text((num, den)).startswith(percent(Fraction(num, den)) + " (")


@pytest.mark.parametrize("year", [2025, 2026])
def test_an_annex_row_is_made_plain_as_any_dataclass(workspace: api.Workspace, year: int) -> None:
    """The annex rows take a shorter way to plain data (one row per unit): it gives what the
    general conversion gives, field by field, the unit and the ratio pairs included."""
    import dataclasses

    rows = api.score(workspace, year).rows
    assert any(r.ratios for r in rows) and any(r.submitted for r in rows)
    for row in rows:
        general = Attrs({f.name: plain(getattr(row, f.name)) for f in dataclasses.fields(row)})
        assert plain(row) == general
        assert list(plain(row)) == list(general)  # and in the same order


@pytest.mark.parametrize("year", [2025, 2026])
def test_portal_and_funding_sentences_are_worded_once_for_every_format(workspace: api.Workspace, year: int) -> None:
    """The sentences on the units' NQ57 portal sections and on the funding spent come from the
    view: the Markdown, Word and HTML reports say them in the same words."""
    import html as html_escape

    from plan57.render import html as html_render

    result = api.score(workspace, year)
    c = context(result, DATE, None)
    sentences = [c["budget"]["lead"], *(k["text"] for k in c["budget"]["by_kind"])]
    if c["portals"]["text"]:
        sentences += [c["portals"]["label"], c["portals"]["text"]]
    assert c["budget"]["lead"].startswith(("Tổng kinh phí", "Chưa có đơn vị"))
    if year == 2025:  # the shipped 2025 reports give both: the test reads real sentences
        assert c["portals"]["text"] and c["budget"]["units"]
    md_text = markdown.render(result, DATE)
    word = "\n".join(p.text for p in Document(io.BytesIO(docx_render.render(result, DATE, None))).paragraphs)
    page = html_render.render(result, DATE, None)
    page = page.decode("utf-8") if isinstance(page, bytes) else page
    for sentence in sentences:
        assert sentence in md_text, sentence
        assert sentence in word, sentence
        assert html_escape.escape(sentence, quote=False) in page, sentence


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_view_holds_plain_data_only(workspace: api.Workspace, year: int) -> None:
    """Every value a report format is given is a dict, a list or a scalar, however it was made
    (the entries of what units wrote are made plain where the view is arranged, not converted
    again): no model, dataclass or function reaches a template."""
    view = context(api.score(workspace, year), DATE, None)
    scalars = (str, int, float, bool, Fraction, dt.date, type(None))
    seen = 0

    def walk(value: object, where: str) -> None:
        nonlocal seen
        seen += 1
        if isinstance(value, dict):
            for k, v in value.items():
                assert isinstance(k, (str, int)), where
                walk(v, f"{where}.{k}")
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, f"{where}[{i}]")
        else:
            assert type(value) in scalars, f"{where}: {type(value).__name__}"

    walk(view, "view")
    assert seen > 500
    assert view["trainings"] and view["feedback"] and any(t["notes"] for t in view["tasks"])
