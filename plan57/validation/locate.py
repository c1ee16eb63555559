"""Turn pydantic validation errors into located Vietnamese diagnostics.

A pydantic `loc` is followed through the parsed document: segments that exist in the data are
walked; synthetic ones (union members, function validators) are skipped; a missing key stays on
its nearest real ancestor. Unknown keys point at the key, bad values at the value.
"""

from __future__ import annotations

import difflib
import re
import typing
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ValidationError

from plan57.base.diagnostics import Diagnostic
from plan57.base.numbers import shown_int, vn_int
from plan57.loading.yamlsafe import Document, Loc
from plan57.model.form import example_day, unwrap, value_names
from plan57.model.plan import Plan

BOOL_WORDS = {"yes", "no", "y", "n", "on", "off", "có", "không", "co", "khong", "đúng", "sai", "x", "1", "0"}


def dotted(path: Iterable[Any]) -> str:
    """'training (mục 1).audience': list items counted from 1, as a person counts them."""
    out = ""
    for seg in path:
        if isinstance(seg, int):
            out += f" (mục {seg + 1})"
        else:
            out += ("." if out else "") + (str(seg) or "(khóa rỗng)")
    return out or "(gốc)"


def suggest(word: str, choices: Iterable[str]) -> str | None:
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def fold(text: str) -> str:
    """Text compared without accents, case or extra spaces: 'Học  Sinh' → 'hoc sinh'."""
    import unicodedata

    bare = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return " ".join(bare.replace("đ", "d").replace("Đ", "D").lower().split())


def id_of_name(word: str, names: dict[str, str]) -> str | None:
    """The id whose Vietnamese name (or one of its comma-separated parts) `word` is, if any."""
    wanted = fold(word)
    if not wanted:
        return None
    for ident, name in names.items():
        if wanted == fold(name) or wanted in (fold(part) for part in name.split(",")):
            return ident
    return None


def use_id(word: str, ident: str, names: dict[str, str]) -> str:
    """The hint for an id written as its Vietnamese name."""
    return f"'{word}' là tên tiếng Việt: hãy dùng mã '{ident}' ({names[ident]}), như mẫu báo cáo"


def item_names(model: type[BaseModel] | None) -> dict[str, str]:
    """The keys of a group whose labels all name one item of it ('Số sản phẩm: tin' → news: tin)."""
    if model is None:
        return {}
    parts = {f.alias or k: (f.description or "").rpartition(": ") for k, f in model.model_fields.items()}
    heads = {head for head, sep, name in parts.values() if sep and name}
    if len(heads) != 1 or any(not sep for _, sep, _ in parts.values()):
        return {}
    return {key: name for key, (_, _, name) in parts.items()}


FLOW_LIST_WORDS = re.compile(r"^\s*\[?\s*\d+(\s*[,;]\s*\d+)+\s*\]?\s*$|^\s*\d+(\s+\d+)+\s*$")


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    hit = suggest(word, choices)
    return f"; có phải ý bạn là '{hit}'?" if hit else ""


def walk(data: Any, loc: tuple[Any, ...]) -> tuple[tuple[Any, ...], list[Any]]:
    """(the real path in the data, the segments of loc that are not in it)."""
    node, rest = data, []
    real: tuple[Any, ...] = ()
    for seg in loc:
        if isinstance(node, dict) and isinstance(seg, str) and seg in node:
            node = node[seg]
            real += (seg,)
        elif isinstance(node, list) and isinstance(seg, int) and not isinstance(seg, bool) and 0 <= seg < len(node):
            node = node[seg]
            real += (seg,)
        else:
            rest.append(seg)
    return real, rest


def model_at(model: type[BaseModel], path: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model that validates the mapping found at `path`, if any."""
    current: Any = model
    for seg in path:
        if isinstance(seg, int):
            current = _element(current)
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            current = _element(current)
            if not (isinstance(current, type) and issubclass(current, BaseModel)):
                return None
        field = next((f for name, f in current.model_fields.items() if (f.alias or name) == seg), None)
        if field is None:
            return None
        current = unwrap(field.annotation)
    current = unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _element(tp: Any) -> Any:
    tp = unwrap(tp)
    origin = typing.get_origin(tp)
    if origin in (list, tuple, set):
        return unwrap(typing.get_args(tp)[0])
    if origin is dict:
        return unwrap(typing.get_args(tp)[1])
    return tp


def known_keys(model: type[BaseModel] | None) -> list[str]:
    if model is None:
        return []
    return [f.alias or name for name, f in model.model_fields.items()]


def pydantic_diagnostics(
    exc: ValidationError, doc: Document, path: str, root: type[BaseModel] | None = None
) -> list[Diagnostic]:
    """One diagnostic per pydantic error, located in `doc`."""
    return first_diagnostics(exc, doc, path, root)[0]


def first_diagnostics(
    exc: ValidationError,
    doc: Document,
    path: str,
    root: type[BaseModel] | None = None,
    limit: int | None = None,
    plan: Plan | None = None,
    year: int | None = None,
) -> tuple[list[Diagnostic], int]:
    """The first `limit` problems in the file's order, translated, and how many more there are;
    `year`, the year the file reports on, gives its messages' example dates.

    Locating an error is cheap, its message (with its "did you mean") is not: a file of a
    thousand unknown keys gets the first ones explained and the rest counted.
    """
    errors = exc.errors(include_url=False)
    placed: dict[tuple[int, int, str, tuple[Any, ...]], Any] = {}
    for err in errors:
        where, real = _where(err, doc)
        placed.setdefault((where.line, where.col, err["type"], real), err)  # a union repeats itself
    order = sorted(placed, key=lambda k: (k[0], k[1]))
    omitted = 0 if limit is None else max(0, len(order) - limit)
    chosen = [placed[k] for k in (order if limit is None else order[:limit])]
    out: list[Diagnostic] = []
    seen: set[tuple[int, int, str]] = set()
    misspelt = _misspelt(chosen, doc, root)
    for err in chosen:
        if err["type"] == "missing" and tuple(err["loc"]) in misspelt:
            continue  # the unknown key beside it already says which key was meant
        line_col, message = _translate(err, doc, root, plan, year)
        key = (line_col.line, line_col.col, message)
        if key in seen:
            continue
        seen.add(key)
        out.append(Diagnostic(path, line_col.line, line_col.col, "error", f"schema-{err['type']}", message))
    return out, omitted


def _where(err: Any, doc: Document) -> tuple[Loc, tuple[Any, ...]]:
    """Where an error stands (as `_translate` places it), without building its message."""
    real, _ = walk(doc.data, tuple(err["loc"]))
    kind = err["type"]
    if kind == "missing":
        missing = err["loc"][-1] if err["loc"] and isinstance(err["loc"][-1], str) else None
        blank = doc.blanks.get(real + (missing,)) if missing else None
        return (Loc(*blank) if blank else doc.key_loc(real) if real else doc.value_loc(())), real
    if kind == "extra_forbidden":
        return doc.key_loc(real), real
    return doc.value_loc(real), real


def _misspelt(errors: list[Any], doc: Document, root: type[BaseModel] | None) -> set[tuple[Any, ...]]:
    """Locations of missing keys that an unknown key beside them is a misspelling of."""
    meant: set[tuple[Any, ...]] = set()
    for err in errors:
        if err["type"] != "extra_forbidden":
            continue
        real, _ = walk(doc.data, tuple(err["loc"]))
        if not real:
            continue
        model = model_at(root, real[:-1]) if root is not None else None
        hit = suggest(str(real[-1]), known_keys(model))
        if hit:
            meant.add(tuple(err["loc"][:-1]) + (hit,))
    return meant


def _translate(
    err: Any, doc: Document, root: type[BaseModel] | None, plan: Plan | None = None, year: int | None = None
) -> tuple[Loc, str]:
    kind: str = err["type"]
    loc = tuple(err["loc"])
    real, rest = walk(doc.data, loc)
    value = err.get("input")
    name = dotted(real)
    if kind == "missing":
        missing = loc[-1] if loc and isinstance(loc[-1], str) else None
        full = dotted(real + ((missing,) if missing else ()))
        blank = doc.blanks.get(real + (missing,)) if missing else None
        where = Loc(*blank) if blank else doc.key_loc(real) if real else doc.value_loc(())
        return where, f"thiếu khóa bắt buộc '{full}'"
    if kind == "extra_forbidden":
        key = real[-1] if real else (rest[-1] if rest else "?")
        model = model_at(root, real[:-1]) if root is not None else None
        keys = known_keys(model)
        names = item_names(model)
        ident = id_of_name(str(key), names)
        if ident is not None and ident != key:
            return doc.key_loc(real), f"khóa '{dotted(real)}': {use_id(str(key), ident, names)}"
        hint = did_you_mean(str(key), keys)
        if not hint and 0 < len(keys) <= 20:
            hint = f" (các khóa hợp lệ: {', '.join(keys)})"
        source = "tệp kế hoạch" if root is Plan else "mẫu báo cáo"
        return doc.key_loc(real), f"khóa lạ '{dotted(real)}' không có trong {source}{hint}"
    where = doc.value_loc(real)
    return where, _value_message(kind, err, name, value, doc, real, plan, year)


def _key_path(real: tuple[Any, ...]) -> str:
    """'training.audience' for ('training', 0, 'audience'): the field, whatever the item."""
    return ".".join(str(seg) for seg in real if not isinstance(seg, int))


def _value_message(
    kind: str,
    err: Any,
    name: str,
    value: Any,
    doc: Document,
    real: tuple[Any, ...],
    plan: Plan | None = None,
    year: int | None = None,
) -> str:
    ctx = err.get("ctx") or {}
    if value is None and kind in ("int_type", "bool_type", "string_type", "literal_error", "date_type", "float_type"):
        wanted = {
            "int_type": "một số nguyên",
            "bool_type": "true hoặc false",
            "string_type": "một đoạn chữ",
            "date_type": "một ngày dạng NĂM-THÁNG-NGÀY",
            "float_type": "một số",
        }.get(kind, "mã đơn vị" if name == "unit" else "một giá trị hợp lệ")
        return f"'{name}' chưa có giá trị: hãy ghi {wanted}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        if real in doc.not_decimal:
            return _not_decimal(name, doc.not_decimal[real])
        if isinstance(value, float) and value.is_integer():
            return f"'{name}' phải là số nguyên, không có phần thập phân: viết {int(value)}"
        if isinstance(value, float) and 0 < value < 1000 and (value * 1000).is_integer():
            thousands = f"{value:.3f}"
            return (
                f"'{name}' phải là số nguyên: nếu là {thousands} (có dấu chấm phân cách hàng nghìn), "
                f"hãy viết liền {int(round(value * 1000))}"
            )
        if isinstance(value, str) and value.strip().isdigit() and value.isascii() and len(value.strip()) > 18:
            return f"'{name}' là một số quá lớn ({vn_int(len(value.strip()))} chữ số): hãy kiểm tra lại số liệu"
        if isinstance(value, str) and value.strip().isdigit() and value.isascii():
            return f"'{name}' phải là số, không đặt trong ngoặc kép: viết {value.strip()}"
        if isinstance(value, float) and value == value and value > 0:
            return (
                f"'{name}' phải là số nguyên (đang là {value:g}); không dùng dấu chấm hay dấu phẩy "
                f"để phân cách hàng nghìn: viết 12500, không viết 12.500"
            )
        if isinstance(value, str) and "".join(value.replace(".", "").replace(",", "").split()).isdigit():
            return (
                f"'{name}' phải là số nguyên, viết liền không có dấu chấm, dấu phẩy hay dấu cách "
                f"(ví dụ 12500, không phải {_show(value)})"
            )
        return f"'{name}' phải là số nguyên ≥ 0 (đang là {_show(value)})"
    if kind == "greater_than_equal":
        return f"'{name}' phải ≥ {ctx.get('ge')} (đang là {_show(value)})"
    if kind == "less_than_equal":
        le = ctx.get("le")
        if isinstance(le, int) and le >= 10**12:
            return f"'{name}' quá lớn (đang là {_show(value)}): hãy kiểm tra lại số liệu"
        return f"'{name}' phải ≤ {le} (đang là {_show(value)})"
    if kind == "bool_type":
        if isinstance(value, str) and value.strip().lower() in BOOL_WORDS:
            return f"'{name}' phải ghi true (có) hoặc false (không), không ghi '{value}'"
        return f"'{name}' phải ghi true (có) hoặc false (không) (đang là {_show(value)})"
    if kind == "string_type":
        if real in doc.leading_zero:
            src = doc.leading_zero[real]
            return (
                f"'{name}' phải đặt trong ngoặc kép: \"{_clip(src)}\" (không có ngoặc, số 0 ở đầu bị mất "
                f"và giá trị bị đọc thành {_clip(shown_int(value) if isinstance(value, int) else str(value))})"
            )
        return f"'{name}' phải là chữ; hãy đặt giá trị trong ngoặc kép (đang là {_show(value)})"
    if kind == "literal_error":
        expected = str(ctx.get("expected", ""))
        choices = [c.strip().strip("'") for c in expected.replace(" or ", ", ").split(",") if c.strip()]
        if isinstance(value, str) and value.strip() in choices and "'" not in expected:
            return f"'{name}' phải là số, không đặt trong ngoặc kép: viết {value.strip()}"
        names = value_names(plan, _key_path(real)) if plan is not None else {}
        ident = id_of_name(value, names) if isinstance(value, str) else None
        if ident is not None and ident != value:
            return f"giá trị của '{name}': {use_id(str(value), ident, names)}"
        hint = did_you_mean(str(value), choices) if isinstance(value, str) else ""
        shown = ", ".join(choices[:12]) + (", …" if len(choices) > 12 else "")
        where = "danh mục đơn vị" if name == "unit" else "kế hoạch"
        return f"giá trị {_show(value)} của '{name}' không có trong {where}{hint} (các giá trị hợp lệ: {shown})"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"'{name}' phải là một bảng gồm các khóa: giá trị (đang là {_show(value)})"
    if kind in ("list_type", "tuple_type", "set_type"):
        if isinstance(value, str) and FLOW_LIST_WORDS.match(value):
            numbers = ", ".join(re.findall(r"\d+", value))
            return (
                f"'{name}' phải là một danh sách trong ngoặc vuông, như mẫu báo cáo hướng dẫn: "
                f"viết [{numbers}] (đang là {_show(value)})"
            )
        return f"'{name}' phải là một danh sách (mỗi mục một dòng bắt đầu bằng '- ') (đang là {_show(value)})"
    if kind == "too_short":
        return f"'{name}' phải có ít nhất {ctx.get('min_length', 1)} mục"
    if kind == "string_pattern_mismatch":
        return f"'{name}' không đúng định dạng (đang là {_show(value)})"
    if kind in ("date_type", "date_parsing", "date_from_datetime_inexact", "date_from_datetime_parsing"):
        example = f", ví dụ {example_iso(plan, year)}" if plan is not None else ""
        return f"'{name}' phải là một ngày dạng NĂM-THÁNG-NGÀY{example} (đang là {_show(value)})"
    if kind == "value_error" or kind.startswith("vn_"):
        msg = str(ctx.get("error", err.get("msg", ""))) if kind == "value_error" else err["msg"]
        return f"'{name}': {msg}"
    return f"'{name}': giá trị không hợp lệ ({err.get('msg', kind)})"


def example_iso(plan: Plan, year: int | None) -> str:
    """The example date of a file of `year` (of the plan's first year when not known), written as
    a YAML file writes a date: two days before that year's deadline, as the forms show it."""
    return example_day(plan, year if year is not None and year in plan.years else plan.years.start).isoformat()


def _not_decimal(name: str, src: str) -> str:
    """A count written as YAML reads other integers (0x1F, 0o10, 0b101, 32_000_000)."""
    digits = src.replace("_", "")
    if digits.lstrip("+-").isdigit():
        return f"'{name}' phải là số viết liền bằng các chữ số 0–9, không có dấu gạch dưới: viết {digits}"
    return (
        f"'{name}' phải là số viết bằng các chữ số thập phân 0–9 (đang là '{_clip(src)}': dạng 0x…, 0o…, 0b… "
        "là cách viết số ở hệ khác, không được đọc): hãy gõ lại số liệu chỉ bằng chữ số 0–9"
    )


def _show(value: Any) -> str:
    if value is None:
        return "trống"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return "một bảng" if isinstance(value, dict) else "một danh sách"
    if isinstance(value, int):
        return f"'{value}'" if value.bit_length() <= 64 else shown_int(value)
    return f"'{_clip(str(value))}'"


def _clip(text: str, limit: int = 40) -> str:
    """A value quoted in a message: its beginning, never the whole of a pasted page."""
    return text if len(text) <= limit else text[: limit - 3] + "…"
