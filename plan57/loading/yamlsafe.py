"""Safe YAML loading with a line and column for every key and value.

Files are typed by hand on old machines: the loader refuses what YAML would silently accept
(aliases, tags, duplicate keys, legacy encodings) and turns each refusal into a Diagnostic.
It composes nodes with ruamel.yaml and builds plain Python values itself, so nothing but
dicts, lists, strings, numbers, booleans, dates and None ever comes out.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from plan57.base.diagnostics import Diagnostic
from plan57.base.errors import os_message

DEFAULT_MAX_SIZE = 1024 * 1024
MAX_DEPTH = 32

Path_ = tuple[Any, ...]


class Loc(NamedTuple):
    line: int  # 1-based
    col: int  # 1-based


@dataclass
class Document:
    """A parsed file: plain data plus where each key and value stands."""

    data: Any
    values: dict[Path_, Loc] = field(default_factory=dict)
    keys: dict[Path_, Loc] = field(default_factory=dict)
    # source text of plain integer scalars written with a leading zero (0912345678)
    leading_zero: dict[Path_, str] = field(default_factory=dict)
    fast: bool = False  # parsed by the C path: locations are re-derived on the careful path

    def value_loc(self, path: Path_) -> Loc:
        while path not in self.values and path:
            path = path[:-1]
        return self.values.get(path, Loc(1, 1))

    def key_loc(self, path: Path_) -> Loc:
        if path in self.keys:
            return self.keys[path]
        return self.value_loc(path)


class LoadError(Exception):
    """The file cannot be read as YAML; carries the located diagnostics."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__(diagnostics[0].message if diagnostics else "")
        self.diagnostics = diagnostics


class _Refused(Exception):
    def __init__(self, line: int, col: int, code: str, message: str):
        super().__init__(message)
        self.line, self.col, self.code, self.message = line, col, code, message


def decode(raw: bytes, path: str) -> str:
    """UTF-8 (BOM tolerated) or a clear LoadError naming the encoding problem."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(raw) >= 2 and b"\x00" in raw[:200]):
        raise LoadError(
            [
                Diagnostic(
                    path,
                    1,
                    1,
                    "error",
                    "encoding-utf16",
                    "tệp được lưu bằng bảng mã UTF-16, không phải UTF-8; hãy mở tệp và lưu lại "
                    "với bảng mã UTF-8 (trong Notepad: Lưu thành… › Mã hóa: UTF-8)",
                )
            ]
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        start = raw.rfind(b"\n", 0, exc.start) + 1
        line = raw.count(b"\n", 0, exc.start) + 1
        col = len(raw[start : exc.start].decode("utf-8", errors="replace")) + 1
        byte = raw[exc.start]
        raise LoadError(
            [
                Diagnostic(
                    path,
                    line,
                    col,
                    "error",
                    "encoding-legacy",
                    f"tệp không phải UTF-8 (byte 0x{byte:02X} không hợp lệ): có lẽ tệp được gõ bằng "
                    "bảng mã cũ Windows-1258, TCVN3 (ABC) hoặc VNI; hãy chuyển sang Unicode "
                    "(Unikey: Công cụ › Chuyển mã) rồi lưu lại với bảng mã UTF-8",
                )
            ]
        ) from None


def _composer_class() -> type:
    from ruamel.yaml.composer import Composer
    from ruamel.yaml.events import AliasEvent

    class SafeComposer(Composer):  # type: ignore[misc]
        """Refuses anchors, aliases and explicit tags before any node is built."""

        def compose_node(self, parent: Any, index: Any) -> Any:
            event = self.parser.peek_event()
            mark = event.start_mark
            if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
                raise _Refused(
                    mark.line + 1,
                    mark.column + 1,
                    "yaml-alias",
                    "không dùng neo/bí danh YAML (&, *): hãy viết đầy đủ giá trị",
                )
            ctag = getattr(event, "ctag", None)
            if ctag is not None and str(ctag) != "!":
                raise _Refused(
                    mark.line + 1,
                    mark.column + 1,
                    "yaml-tag",
                    f"không dùng thẻ YAML ({str(ctag).replace('tag:yaml.org,2002:', '!!')}): hãy bỏ thẻ, chỉ ghi giá trị",
                )
            depth = getattr(self, "_nesting", 0)
            if depth >= MAX_DEPTH:
                raise _Refused(
                    mark.line + 1,
                    mark.column + 1,
                    "yaml-depth",
                    f"dữ liệu lồng nhau quá sâu (quá {MAX_DEPTH} cấp)",
                )
            self._nesting = depth + 1
            try:
                return super().compose_node(parent, index)
            finally:
                self._nesting = depth

    return SafeComposer


_YAML: Any = None


def _yaml() -> Any:
    global _YAML
    if _YAML is None:
        from ruamel.yaml import YAML

        y = YAML(typ="rt", pure=True)
        y.Composer = _composer_class()
        _YAML = y
    return _YAML


_SYNTAX_HINTS = (
    ("'\\t'", "ký tự Tab không được dùng để thụt lề; hãy thay bằng dấu cách"),
    (
        "mapping values are not allowed",
        "dấu ':' không đúng chỗ: thiếu dấu cách sau ':' hoặc giá trị cần đặt trong ngoặc kép",
    ),
    ("could not find expected ':'", "thiếu dấu ':' sau tên khóa"),
    (
        "expected <block end>",
        "thụt lề không đúng (các khóa cùng cấp phải thẳng cột), hoặc có chữ thừa sau một giá trị đặt trong ngoặc kép",
    ),
    ("found unexpected end of stream", "tệp kết thúc giữa chừng: thiếu dấu ngoặc hoặc dấu nháy đóng"),
    ("while scanning a quoted scalar", "thiếu dấu nháy đóng"),
    ("expected a single document", "tệp chỉ được chứa một tài liệu YAML (bỏ dòng '---' thứ hai)"),
    ("special characters are not allowed", "tệp chứa ký tự điều khiển không hợp lệ"),
    ("expected ',' or ']'", "danh sách [...] thiếu dấu ',' hoặc ']'"),
    (
        "that cannot start any token",
        "giá trị không được bắt đầu bằng ký tự này (@, `, %…): hãy đặt giá trị trong ngoặc kép",
    ),
    (
        "sequence entries are not allowed here",
        "không được bắt đầu danh sách ('- ') ở đây: hãy xuống dòng và thụt lề các mục",
    ),
    ("did not find expected key", "thụt lề không đúng hoặc thiếu dấu ':' sau tên khóa"),
    ("did not find expected '-' indicator", "các mục danh sách ('- ') phải thẳng cột"),
    (
        "found unknown escape character",
        "chuỗi trong ngoặc kép có dấu '\\' không hợp lệ: hãy dùng ngoặc đơn hoặc viết '\\\\'",
    ),
    ("expected ',' or '}'", "bảng {...} thiếu dấu ',' hoặc '}'"),
)


def _syntax_message(problem: str) -> str:
    for needle, message in _SYNTAX_HINTS:
        if needle in problem:
            return message
    return f"tệp viết sai cú pháp YAML ở đây; hãy so với tệp mẫu (chi tiết kỹ thuật: {problem})"


_FAST: Any = False  # None when the C parser is unavailable


def _fast_class() -> Any:
    global _FAST
    if _FAST is False:
        try:
            from _ruamel_yaml import CParser
        except ImportError:  # pragma: no cover - depends on the platform
            _FAST = None
        else:
            from ruamel.yaml.nodes import ScalarNode, SequenceNode
            from ruamel.yaml.resolver import implicit_resolvers

            # ruamel's own YAML 1.2 implicit resolvers, in its order, by first character
            table: dict[str, list[tuple[str, Any]]] = {}
            for versions, tag, regexp, first in implicit_resolvers:
                if (1, 2) in versions:
                    for ch in first:
                        table.setdefault(ch, []).append((tag, regexp))
            STR, SEQ, MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"

            class FastParser(CParser):  # type: ignore[misc]
                """libyaml's parser with the YAML 1.2 resolution the round-trip path uses."""

                def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
                    if kind is ScalarNode:
                        if implicit[0]:
                            for tag, regexp in table.get(value[:1], ()):
                                if regexp.match(value):
                                    return tag
                        return STR
                    return SEQ if kind is SequenceNode else MAP

                def descend_resolver(self, parent: Any, index: Any) -> None:
                    pass

                def ascend_resolver(self) -> None:
                    pass

            _FAST = FastParser
    return _FAST


# Anything that might be an anchor, alias, tag, merge key, tab, directive or deep flow nesting
# goes to the round-trip path, which refuses or locates it; the C path sees only plain files.
_SLOW_MARKERS = re.compile(r"[&*!\t]|<<|^%", re.MULTILINE)


def parse_fast(text: str) -> Document | None:
    """The C-accelerated parse of a plain file, or None when the careful path must decide.

    It returns only what `parse` would return for the same text (a property test checks it).
    """
    cls = _fast_class()
    if cls is None or _SLOW_MARKERS.search(text) or text.count("[") + text.count("{") > 200:
        return None
    parser = cls(text)
    try:
        node = parser.get_single_node()
        if node is None:
            return None
        doc = Document(data=None, fast=True)
        doc.data = _build(node, (), doc)
        return doc
    except Exception:  # any doubt: let the careful path parse and explain
        return None
    finally:
        parser.dispose()


def parse(text: str, path: str) -> Document:
    """Parse one YAML document, or raise LoadError with located diagnostics."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        node = _yaml().compose(text)
    except _Refused as r:
        raise LoadError([Diagnostic(path, r.line, r.col, "error", r.code, r.message)]) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark is not None and "could not find expected ':'" in str(exc.problem):
            mark = exc.context_mark  # the key that lacks its ':', not the line after it
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        problem = " ".join(str(p) for p in (exc.problem, exc.context) if p)
        raise LoadError([Diagnostic(path, line, col, "error", "yaml-syntax", _syntax_message(problem))]) from None
    except (YAMLError, RecursionError, ValueError) as exc:  # defensive: never a traceback
        raise LoadError([Diagnostic(path, 1, 1, "error", "yaml-syntax", _syntax_message(str(exc)))]) from None
    if node is None:
        raise LoadError([Diagnostic(path, 1, 1, "error", "empty", "tệp rỗng: chưa có nội dung báo cáo")])
    doc = Document(data=None)
    try:
        doc.data = _build(node, (), doc)
    except _Refused as r:
        raise LoadError([Diagnostic(path, r.line, r.col, "error", r.code, r.message)]) from None
    return doc


def _tag(node: Any) -> str:
    """The resolved tag, without ruamel's slow URI decoding (only plain tags get here)."""
    tag = node.ctag
    return str(tag.suffix) if tag.handle is None else str(tag)


def _loc(node: Any) -> Loc:
    return Loc(node.start_mark.line + 1, node.start_mark.column + 1)


def _build(node: Any, path: Path_, doc: Document) -> Any:
    from ruamel.yaml.nodes import MappingNode, SequenceNode

    if len(path) > MAX_DEPTH:
        loc = _loc(node)
        raise _Refused(loc.line, loc.col, "yaml-depth", f"dữ liệu lồng nhau quá sâu (quá {MAX_DEPTH} cấp)")
    doc.values[path] = _loc(node)
    if isinstance(node, MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            kl = _loc(key_node)
            if isinstance(key_node, (MappingNode, SequenceNode)):
                raise _Refused(kl.line, kl.col, "yaml-key", "tên khóa phải là một chữ, không phải danh sách hay bảng")
            if _tag(key_node).endswith(":merge"):
                raise _Refused(kl.line, kl.col, "yaml-merge", "không dùng khóa gộp '<<' của YAML")
            key = unicodedata.normalize("NFC", str(key_node.value))
            if key in out:
                first = doc.keys[path + (key,)]
                raise _Refused(
                    kl.line,
                    kl.col,
                    "duplicate-key",
                    f"khóa '{key}' bị lặp (đã có ở dòng {first.line}): mỗi khóa chỉ được ghi một lần",
                )
            doc.keys[path + (key,)] = kl
            out[key] = _build(value_node, path + (key,), doc)
            if out[key] is None and not isinstance(value_node, (MappingNode, SequenceNode)) and value_node.value == "":
                doc.values[path + (key,)] = kl  # an empty value stands where its key stands
        return out
    if isinstance(node, SequenceNode):
        return [_build(item, path + (i,), doc) for i, item in enumerate(node.value)]
    return _scalar(node, path, doc)


def _scalar(node: Any, path: Path_, doc: Document) -> Any:
    tag = _tag(node).rsplit(":", 1)[-1]
    value: str = node.value
    if node.style == ">" and "\a" in value:
        # ruamel's scanner marks where a folded block wrapped with U+0007 for its round-trip
        # writer; the text itself never holds one (YAML forbids raw control characters)
        value = value.replace("\a", "")
    if doc.fast and value == "" and not node.style:
        raise _Refused(1, 1, "fast-empty", "")  # libyaml marks an empty value elsewhere: defer
    if tag == "null":
        return None
    if tag == "bool":
        return value.lower() == "true"
    try:
        if tag == "int":
            return _int(value, path, doc)
        if tag == "float":
            return _float(value)
    except ValueError:  # '0x_' and the like look like numbers to the resolver but are not
        return unicodedata.normalize("NFC", value)
    if tag == "timestamp":
        stamp = _timestamp(value)
        if stamp is not None:
            return stamp
    return unicodedata.normalize("NFC", value)


def _int(value: str, path: Path_, doc: Document) -> int:
    s = value.replace("_", "")
    sign = -1 if s.startswith("-") else 1
    body = s.lstrip("+-")
    low = body.lower()
    if low.startswith("0x"):
        return sign * int(body[2:], 16)
    if low.startswith("0o"):
        return sign * int(body[2:], 8)
    if low.startswith("0b"):
        return sign * int(body[2:], 2)
    if len(body) > 1 and body.startswith("0"):
        doc.leading_zero[path] = value
    return sign * int(body, 10)


def _float(value: str) -> float:
    low = value.lower().replace("_", "")
    if low in (".inf", "+.inf"):
        return math.inf
    if low == "-.inf":
        return -math.inf
    if low == ".nan":
        return math.nan
    return float(low)


def _timestamp(value: str) -> dt.date | dt.datetime | None:
    try:
        if len(value) == 10:
            return dt.date.fromisoformat(value)
        return dt.datetime.fromisoformat(value.replace(" ", "T", 1).replace("t", "T", 1))
    except ValueError:
        return None


def _size_error(path: str, size: int, max_size: int) -> LoadError:
    return LoadError(
        [
            Diagnostic(
                path,
                1,
                1,
                "error",
                "too-large",
                f"tệp quá lớn ({vn_int(size)} byte, giới hạn {vn_int(max_size)} byte; đổi bằng --max-size)",
            )
        ]
    )


def vn_int(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def load_bytes(raw: bytes, path: str, max_size: int = DEFAULT_MAX_SIZE, fast: bool = False) -> Document:
    if len(raw) > max_size:
        raise _size_error(path, len(raw), max_size)
    text = decode(raw, path)
    if fast:
        doc = parse_fast(text)
        if doc is not None:
            return doc
    return parse(text, path)


def read_bytes(file: Any, display: str, max_size: int = DEFAULT_MAX_SIZE) -> bytes:
    """The file's bytes, its size checked before it is read."""
    try:
        fd = os.open(file, os.O_RDONLY)
        try:
            size = os.fstat(fd).st_size
            if size > max_size:
                raise _size_error(display, size, max_size)
            chunks, left = [], max_size + 1
            while left > 0:
                chunk = os.read(fd, min(left, 1 << 20))
                if not chunk:
                    break
                chunks.append(chunk)
                left -= len(chunk)
            return b"".join(chunks)
        finally:
            os.close(fd)
    except OSError as exc:
        raise LoadError(
            [Diagnostic(display, 1, 1, "error", "unreadable", f"không đọc được tệp ({os_message(exc)})")]
        ) from None
