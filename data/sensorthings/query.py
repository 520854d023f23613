"""SensorThings query options ($top, $skip, $count, $orderby, $filter, $expand, $select) parsed into plain
data, and resource paths (`Things('a')/Datastreams`) into segments. The entity sets decide which
properties may be filtered or sorted; this module only reads the text, and says precisely what it cannot.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from data.ingest.values import BadValueError, parse_time

DEFAULT_TOP = 100
MAX_TOP = 1000
MAX_SKIP = 2**31 - 1
MAX_FILTER_TOKENS = 300
MAX_NESTING = 16  # parentheses in $filter, levels of $expand
OPERATORS = ("eq", "ne", "gt", "ge", "lt", "le")
TOKEN = re.compile(
    r"""\s*(?:(?P<lp>\()|(?P<rp>\))|(?P<str>'(?:[^']|'')*')
    |(?P<time>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)
    |(?P<num>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|(?P<word>[A-Za-z@$][\w@.$/]*))""",
    re.X,
)
SEGMENT = re.compile(r"^(?P<name>[A-Za-z$]+)(?:\((?P<id>[^()]*)\))?$")


class QueryError(ValueError):
    """The request cannot be answered as asked; the message says what to change (answered with 400)."""


@dataclass(frozen=True)
class Comparison:
    path: str  # "id", "phenomenonTime", "Datastream/id" ...
    op: str
    value: object  # str, float, bool, None or an aware datetime


@dataclass(frozen=True)
class Logical:
    op: str  # and | or | not
    items: tuple[object, ...]


@dataclass
class Query:
    top: int = DEFAULT_TOP
    skip: int = 0
    count: bool = False
    orderby: list[tuple[str, bool]] = field(default_factory=list)  # (path, descending)
    filter: object | None = None  # Comparison | Logical
    expand: dict[str, Query] = field(default_factory=dict)
    select: list[str] = field(default_factory=list)


def parse_query(args: dict[str, str], depth: int = 0) -> Query:
    """The query options of one request (or one $expand item); unknown `$` options are refused."""
    if depth > MAX_NESTING:
        raise QueryError(f"$expand is nested more than {MAX_NESTING} levels deep")
    q = Query()
    for key, raw in args.items():
        value = raw.strip()
        if key == "$top":
            q.top = _count_number(key, value, MAX_TOP)
        elif key == "$skip":
            q.skip = _count_number(key, value, None)
            if q.skip > MAX_SKIP:
                raise QueryError(f"$skip is larger than {MAX_SKIP}")
        elif key == "$count":
            if value.lower() not in ("true", "false"):
                raise QueryError("$count must be true or false")
            q.count = value.lower() == "true"
        elif key == "$orderby":
            q.orderby = [_order_item(part) for part in split_top_level(value, ",")]
        elif key == "$filter":
            q.filter = parse_filter(value)
        elif key == "$expand":
            q.expand = _expansions(value, depth)
        elif key == "$select":
            q.select = [s.strip() for s in value.split(",") if s.strip()]
        elif key.startswith("$"):
            raise QueryError(f"query option {key} is not supported here ($top, $skip, $count, $orderby, "
                             "$filter, $expand, $select are)")  # fmt: skip
    return q


def _count_number(key: str, value: str, cap: int | None) -> int:
    if not value.isdigit():
        raise QueryError(f"{key} must be a whole number, got {value!r}")
    number = int(value)
    return min(number, cap) if cap is not None else number


def _order_item(text: str) -> tuple[str, bool]:
    parts = text.split()
    if not parts or len(parts) > 2 or (len(parts) == 2 and parts[1].lower() not in ("asc", "desc")):
        raise QueryError(f"$orderby item {text.strip()!r} must be 'property [asc|desc]'")
    return parts[0], len(parts) == 2 and parts[1].lower() == "desc"


def split_top_level(text: str, sep: str) -> list[str]:
    """Split on `sep` outside parentheses and quotes: "Datastream($top=1;$skip=2),Thing" -> two items."""
    parts, depth, quoted, start = [], 0, False, 0
    for i, ch in enumerate(text):
        if ch == "'":
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
            if depth < 0:
                raise QueryError(f"unbalanced parentheses in {text!r}")
        elif not quoted and depth == 0 and ch == sep:
            parts.append(text[start:i])
            start = i + 1
    if depth or quoted:
        raise QueryError(f"unbalanced parentheses or quotes in {text!r}")
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def _expansions(text: str, depth: int) -> dict[str, Query]:
    out: dict[str, Query] = {}
    for item in split_top_level(text, ","):
        name, _, rest = item.partition("(")
        name = name.strip()
        if "/" in name:
            raise QueryError(f"$expand of a path ({name}) is not supported: nest it, e.g. Datastream($expand=Thing)")
        options: dict[str, str] = {}
        if rest:
            if not rest.endswith(")"):
                raise QueryError(f"$expand item {item!r} must end with ')'")
            for opt in split_top_level(rest[:-1], ";"):
                key, eq, value = opt.partition("=")
                if not eq:
                    raise QueryError(f"$expand option {opt!r} must be $name=value")
                options[key.strip()] = value
        out[name] = parse_query(options, depth + 1)
    return out


def parse_filter(text: str) -> object:
    """A $filter expression: comparisons (eq ne gt ge lt le) joined by and/or/not and parentheses."""
    tokens = _tokens(text)
    if len(tokens) > MAX_FILTER_TOKENS:
        raise QueryError(f"$filter has more than {MAX_FILTER_TOKENS} parts: split the question")
    depth = 0
    for kind, _ in tokens:
        depth += {"lp": 1, "rp": -1}.get(kind, 0)
        if depth > MAX_NESTING:
            raise QueryError(f"$filter nests parentheses more than {MAX_NESTING} deep")
    node, pos = _or(tokens, 0)
    if pos != len(tokens):
        raise QueryError(f"$filter: unexpected {tokens[pos][1]!r}")
    return node


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise QueryError(f"$filter: cannot read {text[pos : pos + 20]!r}")
        out.append((m.lastgroup or "", m.group(m.lastgroup or 0)))
        pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return out


def _or(tokens: list, pos: int) -> tuple[object, int]:
    return _joined(tokens, pos, "or", _and)


def _and(tokens: list, pos: int) -> tuple[object, int]:
    return _joined(tokens, pos, "and", _factor)


def _joined(
    tokens: list, pos: int, word: str, operand: Callable[[list, int], tuple[object, int]]
) -> tuple[object, int]:
    """Operands of `operand` joined by `word` (and binds tighter than or, by which parser each level calls)."""
    items = []
    node, pos = operand(tokens, pos)
    items.append(node)
    while pos < len(tokens) and tokens[pos] == ("word", word):
        node, pos = operand(tokens, pos + 1)
        items.append(node)
    return (items[0] if len(items) == 1 else Logical(word, tuple(items))), pos


def _factor(tokens: list, pos: int) -> tuple[object, int]:
    if pos >= len(tokens):
        raise QueryError("$filter ends too early")
    if tokens[pos] == ("word", "not"):
        node, pos = _factor(tokens, pos + 1)
        return Logical("not", (node,)), pos
    if tokens[pos][0] == "lp":
        node, pos = _or(tokens, pos + 1)
        if pos >= len(tokens) or tokens[pos][0] != "rp":
            raise QueryError("$filter: missing ')'")
        return node, pos + 1
    if pos + 2 >= len(tokens):
        raise QueryError("$filter: a comparison needs 'property operator value'")
    left, op, right = tokens[pos], tokens[pos + 1], tokens[pos + 2]
    if op[0] != "word" or op[1] not in OPERATORS:
        raise QueryError(f"$filter: {op[1]!r} is not an operator ({', '.join(OPERATORS)}); functions are not supported")
    if left[0] == "word" and left[1] not in ("true", "false", "null"):
        return Comparison(_path(left[1]), op[1], _literal(right)), pos + 3
    if right[0] == "word" and right[1] not in ("true", "false", "null"):  # 5 lt result
        flipped = {"gt": "lt", "ge": "le", "lt": "gt", "le": "ge"}.get(op[1], op[1])
        return Comparison(_path(right[1]), flipped, _literal(left)), pos + 3
    raise QueryError("$filter: a comparison needs a property on one side")


def _path(word: str) -> str:
    return word.replace("@iot.id", "id")


def _literal(token: tuple[str, str]) -> object:
    kind, text = token
    if kind == "str":
        return _text(text[1:-1].replace("''", "'"))
    if kind == "num":
        return float(text)
    if kind == "time":
        return _time(text)
    if kind == "word" and text in ("true", "false"):
        return text == "true"
    if kind == "word" and text == "null":
        return None
    raise QueryError(f"$filter: {text!r} is not a value (numbers, 'text', true, false, null, ISO 8601 times)")


def _text(text: str) -> str:
    if "\x00" in text:  # PostgreSQL text cannot hold NUL: refused here on every engine alike
        raise QueryError("text values and ids cannot contain NUL characters")
    return text


def _time(text: str) -> datetime:
    try:
        return parse_time(text, default_tz=UTC)[0]
    except BadValueError as exc:
        raise QueryError(f"$filter: time {text!r}: {exc}") from None


def parse_path(path: str) -> list[tuple[str, str | None]]:
    """'Things(1)/Datastreams' -> [('Things', '1'), ('Datastreams', None)]; ids lose their quotes."""
    out: list[tuple[str, str | None]] = []
    for part in split_top_level(path.strip("/"), "/") if path.strip("/") else []:
        m = SEGMENT.match(part)
        if not m:
            raise QueryError(f"cannot read the path segment {part!r}")
        ident = m.group("id")
        if ident is not None:
            ident = ident.strip()
            if len(ident) >= 2 and ident[0] == ident[-1] == "'":
                ident = _text(ident[1:-1].replace("''", "'"))
            if not ident:
                raise QueryError(f"{m.group('name')}() needs an id")
        out.append((m.group("name"), ident))
    return out


def quote_id(value: object) -> str:
    """An id as it stands in a URL: numbers bare, text in single quotes (doubled inside)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"
