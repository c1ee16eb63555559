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
import stat
import unicodedata
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from plan57.base.diagnostics import Diagnostic
from plan57.base.errors import os_message
from plan57.base.files import DEFAULT_MAX_SIZE, read_at_most

MAX_DEPTH = 32
# Keys and values in one file: a year's report holds a few hundred; a file of tens of thousands
# (a list pasted over and over) is refused where the limit is passed, so that parsing, checking
# and the messages of any file under the size limit take seconds, not minutes.
MAX_NODES = 5000
PLAN_MAX_NODES = 500_000  # the plan carries the whole registry: 10,000 units are some 60,000 nodes
_node_limit = MAX_NODES  # the limit of the parse under way (set by `parse`)

Path_ = tuple[Any, ...]


class Loc(NamedTuple):
    line: int  # 1-based
    col: int  # 1-based


@dataclass
class Document:
    """A parsed file: plain data plus where each key and value stands ((line, col), 1-based)."""

    data: Any
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    # source text of plain integer scalars written with a leading zero (0912345678)
    leading_zero: dict[Path_, str] = field(default_factory=dict)
    # plain scalars YAML reads as integers but not written in decimal digits (0x1F, 0o10, 0b101,
    # 32_000_000): kept as the text written, never silently turned into a number
    not_decimal: dict[Path_, str] = field(default_factory=dict)
    fast: bool = False  # parsed by libyaml's C parser (the same data and places as the careful path)
    source: str | None = field(default=None, repr=False)  # the decoded text, when read from a file
    # where a key left out would be written: a form's empty cell in a filled table row
    blanks: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def value_loc(self, path: Path_) -> Loc:
        while path not in self.values and path:
            path = path[:-1]
        return Loc(*self.values.get(path, (1, 1)))

    def key_loc(self, path: Path_) -> Loc:
        if path in self.keys:
            return Loc(*self.keys[path])
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
    if (
        raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"))
        or raw[1:4] == b"\x00\x00\x00"
        or raw[:3] == b"\x00\x00\x00"
    ):
        raise LoadError(
            [
                Diagnostic(
                    path,
                    1,
                    1,
                    "error",
                    "encoding-utf32",
                    "tệp được lưu bằng bảng mã UTF-32, không phải UTF-8; hãy mở tệp và lưu lại với bảng mã UTF-8",
                )
            ]
        )
    utf16 = raw.startswith((b"\xff\xfe", b"\xfe\xff")) or (
        len(raw) >= 4 and ((raw[1] == 0 and raw[3] == 0) or (raw[0] == 0 and raw[2] == 0))
    )
    if not utf16 and b"\x00" in raw:
        at = raw.index(b"\x00")
        start = raw.rfind(b"\n", 0, at) + 1
        line = raw.count(b"\n", 0, at) + 1
        col = len(raw[start:at].decode("utf-8", errors="replace")) + 1
        raise LoadError(
            [
                Diagnostic(
                    path,
                    line,
                    col,
                    "error",
                    "nul-byte",
                    "tệp chứa ký tự NUL (byte 0x00), không phải chữ: tệp có thể bị hỏng hoặc bị chép "
                    "từ chương trình khác; hãy xóa ký tự này hoặc gõ lại dòng này",
                )
            ]
        )
    if utf16:
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


def _composer_class() -> Any:
    from ruamel.yaml.composer import Composer
    from ruamel.yaml.events import AliasEvent

    class SafeComposer(Composer):
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
            self._nodes = getattr(self, "_nodes", 0) + 1
            if self._nodes > _node_limit:
                raise _Refused(
                    mark.line + 1,
                    mark.column + 1,
                    "yaml-too-many",
                    f"tệp có quá nhiều khóa và giá trị (quá {vn_int(_node_limit)}): một báo cáo năm không cần nhiều "
                    "như vậy; hãy kiểm tra các danh sách bị chép lặp",
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

        def compose_document(self) -> Any:
            self._nodes = 0  # one instance composes every file: count each anew
            return super().compose_document()

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


_FAST: Any = False  # None when libyaml's parser is unavailable


def _fast_parser() -> Any:
    """libyaml's event parser, through PyYAML's C extension (None where it is not built)."""
    global _FAST
    if _FAST is False:
        try:
            from yaml._yaml import CParser
        except ImportError:  # pragma: no cover - depends on the platform
            _FAST = None
        else:
            _FAST = CParser
    return _FAST


_RESOLVERS: dict[str, list[tuple[str, Any]]] | None = None
_MEMO: dict[str, str] = {}  # plain scalar text → its resolved type, for the texts files repeat


def _resolvers() -> dict[str, list[tuple[str, Any]]]:
    """ruamel's own YAML 1.2 implicit resolvers, in its order, by first character: both paths
    resolve a plain scalar by the same rules."""
    global _RESOLVERS
    if _RESOLVERS is None:
        from ruamel.yaml.resolver import implicit_resolvers

        table: dict[str, list[tuple[str, Any]]] = {}
        for versions, tag, regexp, first in implicit_resolvers:
            if (1, 2) in versions:
                for ch in first:
                    table.setdefault(ch, []).append((tag.rsplit(":", 1)[-1], regexp))
        _RESOLVERS = table
    return _RESOLVERS


def _resolve(value: str) -> str:
    kind = _MEMO.get(value)
    if kind is None:
        kind = "str"
        for tag, regexp in _resolvers().get(value[:1], ()):
            if regexp.match(value):
                kind = tag
                break
        if len(_MEMO) < 50_000:
            _MEMO[value] = kind
    return kind


class _Defer(Exception):
    """The fast path leaves this file to the careful path (an anchor, a tag, a directive…)."""


def parse_fast(text: str, max_nodes: int = MAX_NODES) -> Document | None:
    """libyaml's parse of a file, or None when the careful path must decide.

    Types are resolved while the values are built, one pass over the parser's events, with the
    careful path's YAML 1.2 rules. It returns only what `parse` would return for the same text
    (a property test checks it): anchors, aliases, tags, directives other than `%YAML 1.2`,
    merge keys, duplicate keys, empty values outside a mapping, deep nesting and any parse error
    go to the careful path, which refuses or locates them.
    """
    return _parse_fast(text, max_nodes)[0]


# Where libyaml and the careful parser read the same text apart, a file is read by the careful path
# alone, so that it reads the same every time: a tab (libyaml accepts one after a quoted value,
# the careful parser refuses it), NEL, LS and PS (line breaks to libyaml's YAML 1.1, not to 1.2),
# a lone CR (its lines are counted apart).
# A byte-order mark at the start of a line (two files joined into one) goes there too: it is
# refused there at its line (`_line_bom`), where libyaml would skip it before a comment.
_CAREFUL_ONLY = re.compile("[\t\x85\u2028\u2029]|\r(?!\n)|\n\ufeff")


def _parse_fast(text: str, max_nodes: int = MAX_NODES) -> tuple[Document | None, int]:
    """parse_fast, and when libyaml finds a syntax error, the line (0-based) of the last key of the
    root block mapping before it (0 when there is none): the careful path need not read what
    comes before that key to place the error (see `load_bytes`)."""
    cls = _fast_parser()
    if cls is None or _CAREFUL_ONLY.search(text):
        return None, 0
    restart = [0]
    try:
        return _events_to_document(cls(text), max_nodes, restart), 0
    except _Defer:
        return None, 0
    except Exception as exc:  # any doubt at all (a syntax error included): the careful path explains
        from yaml import MarkedYAMLError

        return None, restart[0] if isinstance(exc, MarkedYAMLError) else 0


def _events_to_document(parser: Any, max_nodes: int = MAX_NODES, restart: list[int] | None = None) -> Document:
    from yaml.events import (
        DocumentEndEvent,
        DocumentStartEvent,
        MappingEndEvent,
        MappingStartEvent,
        ScalarEvent,
        SequenceEndEvent,
        SequenceStartEvent,
        StreamEndEvent,
    )

    get = parser.get_event
    get()  # the stream's start
    start = get()
    if start.__class__ is not DocumentStartEvent or start.tags or (start.version not in (None, (1, 2))):
        raise _Defer  # an empty file, or a directive: the careful path says what it means
    doc = Document(data=None, fast=True)
    values: dict[Path_, Any] = doc.values
    keys: dict[Path_, Any] = doc.keys
    normalize = unicodedata.normalize
    stack: list[tuple[Any, Path_]] = []  # the enclosing containers and their paths
    container: Any = None  # the open dict or list
    is_map = False
    path: Path_ = ()
    key: Any = None  # the key whose value comes next, None when a key comes next
    root: Any = None
    block_root = False  # the root is a mapping in block style (its keys start lines)
    while True:
        if len(values) + len(keys) >= max_nodes:
            raise _Defer  # the careful path refuses it where the limit is passed
        event = get()
        cls = event.__class__
        if cls is ScalarEvent:
            if event.anchor is not None or event.tag is not None:
                raise _Defer
            mark = event.start_mark
            text = event.value
            if is_map and key is None:
                if event.implicit[0] and (text == "<<" or text == ""):
                    raise _Defer  # a merge key, an empty key
                if restart is not None and not stack[1:] and block_root:
                    restart[0] = mark.line  # a key of the root block mapping: all before it is closed
                key = text if text.isascii() else normalize("NFC", text)
                here = path + (key,)
                if here in keys:
                    raise _Defer  # a duplicate key: the careful path names both lines
                keys[here] = (mark.line + 1, mark.column + 1)
                continue
            value: Any
            if event.implicit[0]:
                if text == "":
                    if not is_map:
                        raise _Defer  # libyaml places an empty list item elsewhere than ruamel
                    value = None
                elif text.isdigit() and text.isascii() and (text[0] != "0" or len(text) == 1):
                    value = int(text)  # the common case, as the resolver would read it
                else:
                    kind = _MEMO.get(text) or _resolve(text)
                    if kind == "str":
                        value = text if text.isascii() else normalize("NFC", text)
                    elif kind == "int":
                        here = path + ((key,) if is_map else (len(container),))
                        value = _int(text, here, doc)
                    else:
                        value = _typed(kind, text)
            else:
                value = text if text.isascii() else normalize("NFC", text)
            if is_map:
                here = path + (key,)
                container[key] = value
                # an empty value stands where its key stands
                values[here] = keys[here] if text == "" and value is None else (mark.line + 1, mark.column + 1)
                key = None
            elif container is not None:
                values[path + (len(container),)] = (mark.line + 1, mark.column + 1)
                container.append(value)
            else:
                values[()] = (mark.line + 1, mark.column + 1)
                root = value
        elif cls is MappingStartEvent or cls is SequenceStartEvent:
            if event.anchor is not None or event.tag is not None:
                raise _Defer
            if is_map and key is None:
                raise _Defer  # a list or a mapping as a key
            new: Any = {} if cls is MappingStartEvent else []
            if container is None:
                here = ()
                root = new
                block_root = cls is MappingStartEvent and not event.flow_style
            elif is_map:
                here = path + (key,)
                container[key] = new
            else:
                here = path + (len(container),)
                container.append(new)
            if len(here) >= MAX_DEPTH:
                raise _Defer
            mark = event.start_mark
            values[here] = (mark.line + 1, mark.column + 1)
            stack.append((container, path))
            container, path, key = new, here, None
            is_map = cls is MappingStartEvent
        elif cls is MappingEndEvent or cls is SequenceEndEvent:
            container, path = stack.pop()
            key = None
            is_map = container.__class__ is dict
        else:  # the document's end (an alias event is refused here too)
            if stack or cls is not DocumentEndEvent:
                raise _Defer
            break
    if get().__class__ is not StreamEndEvent:
        raise _Defer  # a second document
    doc.data = root
    return doc


def _typed(kind: str, text: str) -> Any:
    """A plain scalar's value by its resolved type (not str, not int)."""
    if kind == "null":
        return None
    if kind == "bool":
        return text.lower() == "true"
    if kind == "float":
        try:
            return _float(text)
        except ValueError:
            return text if text.isascii() else unicodedata.normalize("NFC", text)
    if kind == "timestamp":
        stamp = _timestamp(text)
        if stamp is not None:
            return stamp
    return text if text.isascii() else unicodedata.normalize("NFC", text)


_DIRECTIVE = re.compile(r"%(\S*)[ \t]*(\S*)")


def _directives(text: str, path: str) -> None:
    """plan57 reads YAML 1.2: a `%YAML` directive naming another version is refused at its line,
    never obeyed (YAML 1.1 would read `yes`, `on` and `y` as booleans) nor left to crash the
    parser. Directives can only stand before the document, after blank and comment lines."""
    for number, line in enumerate(text.splitlines()[:200], start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if not line.startswith("%"):
            return
        m = _DIRECTIVE.match(line)
        name, arg = (m.group(1), m.group(2)) if m else ("", "")
        if name == "YAML" and arg != "1.2":
            shown = arg if arg.isascii() and arg.isprintable() and len(arg) <= 10 else "?"
            raise LoadError(
                [
                    Diagnostic(
                        path,
                        number,
                        1,
                        "error",
                        "yaml-directive",
                        f"tệp khai báo '%YAML {shown}': plan57 chỉ đọc YAML 1.2 (ở đó yes, on, y… là chữ, "
                        "không phải true); hãy xóa dòng này",
                    )
                ]
            )


def _line_bom(text: str, path: str) -> None:
    """A byte-order mark (U+FEFF) may only open a file. At the start of a later line it is what
    joining two files saved "UTF-8 with BOM" leaves: invisible, and read apart by YAML parsers
    (a comment, a key starting with it, an error elsewhere). Refused at its line, by name."""
    at = text.find("\n\ufeff")
    if at >= 0:
        line = text.count("\n", 0, at) + 2
        raise LoadError(
            [
                Diagnostic(
                    path,
                    line,
                    1,
                    "error",
                    "yaml-syntax",
                    "dòng này bắt đầu bằng ký tự vô hình U+FEFF (dấu BOM, thường còn lại khi ghép nội "
                    "dung hai tệp): hãy xóa ký tự này (đưa con trỏ về đầu dòng và bấm Delete)",
                )
            ]
        )


def parse(text: str, path: str, max_nodes: int = MAX_NODES) -> Document:
    """Parse one YAML document, or raise LoadError with located diagnostics.

    Whatever the YAML library raises on a file is a located error of that file, never the end
    of the run: its own syntax errors where it marks them, anything else (an assertion, a
    comment its round-trip parser cannot place) at the first line.
    """
    from ruamel.yaml.error import MarkedYAMLError

    global _node_limit
    _directives(text, path)
    _line_bom(text, path)
    _node_limit = max_nodes
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
    except Exception as exc:  # noqa: BLE001 - the library's own failures are this file's error
        raise _internal(exc, text, path) from None
    finally:
        _node_limit = MAX_NODES
    if node is None:
        raise LoadError([Diagnostic(path, 1, 1, "error", "empty", "tệp rỗng: chưa có nội dung báo cáo")])
    doc = Document(data=None)
    try:
        doc.data = _build(node, (), doc)
    except _Refused as r:
        raise LoadError([Diagnostic(path, r.line, r.col, "error", r.code, r.message)]) from None
    except Exception as exc:  # noqa: BLE001
        raise _internal(exc, text, path) from None
    return doc


def _internal(exc: BaseException, text: str, path: str) -> LoadError:
    """A failure inside the YAML library: located where libyaml places the problem when it sees
    one, else at the first line, and explained without the library's internals."""
    line, col = 1, 1
    placed = re.search(r"CommentToken\(.*?line: (\d+), col: (\d+)\)", str(exc))
    cls = _fast_parser()
    if placed:  # the comment the round-trip parser could not place
        line, col = int(placed.group(1)) + 1, int(placed.group(2)) + 1
    elif cls is not None:
        try:
            parser = cls(text)
            while parser.get_event() is not None:
                pass
        except Exception as err:  # noqa: BLE001
            mark = getattr(err, "problem_mark", None)
            if mark is not None:
                line, col = mark.line + 1, mark.column + 1
    if isinstance(exc, RecursionError | MemoryError):
        message = "tệp lồng nhau quá sâu hoặc quá lớn để đọc"
    else:
        message = (
            "trình đọc YAML không đọc được tệp này (thường do một chú thích '#' đặt ở chỗ lạ, hoặc "
            "chỉ thị '%' ở đầu tệp): hãy so với tệp mẫu, bỏ bớt các dòng chú thích quanh chỗ này"
        )
    return LoadError([Diagnostic(path, line, col, "error", "yaml-unreadable", message)])


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
                    f"khóa '{key}' bị lặp (đã có ở dòng {first[0]}): mỗi khóa chỉ được ghi một lần",
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


_DECIMAL = re.compile(r"[-+]?[0-9]+")


def _int(value: str, path: Path_, doc: Document) -> int | str:
    """An integer written in decimal digits; any other form YAML reads as one (hexadecimal,
    octal, binary, digits grouped by '_') stays the text written, noted for the message that
    asks for decimal digits: a clerk typing 0o10 or 32_000_000 did not mean 8 or a number
    silently read."""
    if not _DECIMAL.fullmatch(value):
        doc.not_decimal[path] = value
        return value
    sign = -1 if value.startswith("-") else 1
    body = value.lstrip("+-")
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


def load_bytes(
    raw: bytes, path: str, max_size: int = DEFAULT_MAX_SIZE, fast: bool = False, max_nodes: int = MAX_NODES
) -> Document:
    """One file's bytes as a Document: libyaml's parse when `fast` and it can decide, else the
    careful path's. `max_nodes` bounds the keys and values (a submission's limit by default)."""
    if len(raw) > max_size:
        raise _size_error(path, len(raw), max_size)
    text = decode(raw, path)
    doc, restart = _parse_fast(text, max_nodes) if fast else (None, 0)
    if doc is None and restart:
        _syntax_error_from(text, restart, path, max_nodes)
    if doc is None:
        doc = parse(text, path, max_nodes)
    doc.source = text
    return doc


_BREAK = re.compile(r"\r\n|\n")  # a lone CR never reaches here (_CAREFUL_ONLY)
_NOT_BREAK = re.compile(r"[^\r\n]+")


def _syntax_error_from(text: str, restart: int, path: str, max_nodes: int) -> None:
    """Raise the careful path's syntax error, read from the root key at line `restart` on.

    libyaml found a syntax error after that key, and read everything before it as whole entries
    of the root mapping, without anchors, tags or directives: what the careful parser reports
    from there, with the lines before it left blank (so lines and columns stay), is what it
    reports on the whole file (the loader-equivalence test checks it). Reading from the file's
    start is the slowest part of an invalid file; a syntax error at the end of a long file costs
    no more than one at the start. Anything but a syntax error found this way says nothing, and
    the whole file is read as before."""
    starts = [0]
    for found in _BREAK.finditer(text):
        if len(starts) > restart:
            break
        starts.append(found.end())
    if len(starts) <= restart:  # pragma: no cover - libyaml counted a line that is not there
        return
    head = text[: starts[restart]]
    try:
        parse(_NOT_BREAK.sub("", head) + text[starts[restart] :], path, max_nodes)
    except LoadError as exc:
        if exc.diagnostics[0].code == "yaml-syntax":
            raise


def read_bytes(file: Any, display: str, max_size: int = DEFAULT_MAX_SIZE) -> bytes:
    """The file's bytes, its size checked before it is read.

    Only a regular file is read: a named pipe, a device or a socket would block or never end,
    so it is opened without blocking and refused by what fstat says it is.
    """
    try:
        fd = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        try:
            st = os.fstat(fd)
            if stat.S_ISDIR(st.st_mode):
                raise LoadError(
                    [
                        Diagnostic(
                            display, 1, 1, "error", "unreadable", "không đọc được: đây là một thư mục, không phải tệp"
                        )
                    ]
                )
            if not stat.S_ISREG(st.st_mode):
                raise LoadError(
                    [
                        Diagnostic(
                            display,
                            1,
                            1,
                            "error",
                            "not-regular",
                            "không đọc được: đây không phải một tệp thông thường (đường ống, thiết bị…)",
                        )
                    ]
                )
            size = st.st_size
            if size > max_size:
                raise _size_error(display, size, max_size)
            data = read_at_most(fd, max_size)
            if len(data) > max_size:  # it grew while being read
                raise _size_error(display, len(data), max_size)
            return data
        finally:
            os.close(fd)
    except OSError as exc:
        raise LoadError(
            [Diagnostic(display, 1, 1, "error", "unreadable", f"không đọc được tệp ({os_message(exc)})")]
        ) from None
