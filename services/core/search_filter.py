"""MLflow's search filter grammar: `<identifier> <comparator> <value> [AND ...]`.

    filter      := comparison (AND comparison)*
    comparison  := identifier comparator value | identifier IS [NOT] NULL
    identifier  := [entity "."] key        entity/key may be `backticked`, key may be "quoted"
    comparator  := = | != | < | <= | > | >= | LIKE | ILIKE | IN | NOT IN
    value       := 'string' | "string" | number | ( 'string' [, 'string']* )

The parser only knows syntax and returns `Comparison`s with the entity type normalised
(`metrics` -> `metric`, `params` -> `parameter`, ...). Each search (runs, experiments,
registered models) then checks which keys, comparators and value types it allows, with
MLflow's messages. A bare identifier is an attribute, as in MLflow.

Filters and sort keys are bounded (MLflow has no limits): PostgreSQL's planning time grows
faster than the number of comparisons, and a filter repeating one clause a few hundred times
held a connection for the whole statement timeout. The limits are far above any filter a
person or a dashboard writes; search_sql.row_by_row keeps the cost of one at the limit low.
"""

import re
from dataclasses import dataclass

from services.core.errors import InvalidParameterValue

MAX_FILTER_BYTES = 64 * 1024
MAX_FILTER_COMPARISONS = 100
MAX_ORDER_BY_KEYS = 10

ENTITY_ALIASES = {
    "metric": "metric",
    "metrics": "metric",
    "parameter": "parameter",
    "parameters": "parameter",
    "param": "parameter",
    "params": "parameter",
    "tag": "tag",
    "tags": "tag",
    "attribute": "attribute",
    "attributes": "attribute",
    "attr": "attribute",
    "run": "attribute",
    "dataset": "dataset",
    "datasets": "dataset",
}

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<string>'(?:[^']|'')*'|"(?:[^"]|"")*")
  | (?P<backtick>`[^`]*`)
  | (?P<number>[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?(?![\w.]))
  | (?P<op><=|>=|!=|<>|=|<|>)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<comma>,)
  | (?P<dot>\.)
  | (?P<word>[^\W\d][\w]*|\d[\w]*)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Comparison:
    type: str
    key: str
    comparator: str
    value: str | float | int | list[str] | None


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    pos: int


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise InvalidParameterValue(
                f"Invalid filter '{text}'. Could not be parsed at position {pos}: "
                f"{text[pos : pos + 20]!r}"
            )
        kind = match.lastgroup or ""
        if kind != "ws":
            tokens.append(_Token(kind, match.group(), pos))
        pos = match.end()
    return tokens


def _check_size(text: str, what: str) -> None:
    # The parser takes no escapes, so a value can hold U+0000 only if the text does; refuse
    # it here too, whoever calls (PostgreSQL text cannot hold it).
    if "\x00" in text:
        raise InvalidParameterValue(f"Invalid {what}: it contains the NUL character (U+0000).")
    size = len(text.encode())
    if size > MAX_FILTER_BYTES:
        raise InvalidParameterValue(
            f"Invalid {what}: it is {size} bytes long, the limit is {MAX_FILTER_BYTES}."
        )


_INTEGER = re.compile(r"[+-]?\d+")
_INT64_DIGITS = 19


def _number(text: str) -> int | float:
    """An integer literal stays exact up to 19 digits, int64's longest; a longer one (Python
    refuses to convert one past 4,300 digits) is the double it denotes: a metric compares with
    it as MLflow does, an integer attribute refuses it as out of range (search_sql)."""
    if _INTEGER.fullmatch(text) and len(text.lstrip("+-").lstrip("0")) <= _INT64_DIGITS:
        return int(text)
    return float(text)


def _unquote(text: str) -> str:
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"`" else text


class _Reader:
    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokenize(text)
        self.index = 0

    def peek(self, offset: int = 0) -> _Token | None:
        at = self.index + offset
        return self.tokens[at] if at < len(self.tokens) else None

    def next(self) -> _Token:
        token = self.peek()
        if token is None:
            raise InvalidParameterValue(
                f"Invalid filter '{self.text}'. The filter ended before a comparison was complete."
            )
        self.index += 1
        return token

    def keyword(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "word" and token.text.upper() in words

    def fail(self, token: _Token, expected: str) -> InvalidParameterValue:
        return InvalidParameterValue(
            f"Invalid clause(s) in filter string: '{self.text}'. Expected {expected} at "
            f"position {token.pos}, found '{token.text}'."
        )


def _read_identifier(reader: _Reader) -> tuple[str, str]:
    """Return (entity type, key). The key is everything after the first dot."""
    first = reader.next()
    if first.kind not in ("word", "backtick", "string"):
        raise reader.fail(first, "an identifier such as metrics.accuracy")
    if first.kind == "string":
        return "attribute", _unquote(first.text)
    parts = [first]
    while (following := reader.peek()) is not None and following.kind == "dot":
        reader.next()
        part = reader.next()
        if part.kind not in ("word", "backtick", "string", "number"):
            raise reader.fail(part, "a key after '.'")
        parts.append(part)
    if len(parts) == 1:
        return "attribute", _unquote(first.text)
    entity_text = _unquote(parts[0].text)
    entity = ENTITY_ALIASES.get(entity_text)
    if entity is None:
        raise InvalidParameterValue(
            f"Invalid entity type '{entity_text}'. Valid values are "
            "['metric', 'parameter', 'tag', 'attribute', 'dataset']"
        )
    key_parts = parts[1:]
    if len(key_parts) == 1:
        key = _unquote(key_parts[0].text)
    else:
        key = ".".join(part.text for part in key_parts)
    return entity, key


def _read_comparator(reader: _Reader) -> str:
    token = reader.next()
    if token.kind == "op":
        return "!=" if token.text == "<>" else token.text
    if token.kind == "word":
        word = token.text.upper()
        if word in ("LIKE", "ILIKE", "IN"):
            return word
        if word == "NOT" and reader.keyword("IN"):
            reader.next()
            return "NOT IN"
        if word == "IS":
            negated = reader.keyword("NOT")
            if negated:
                reader.next()
            if not reader.keyword("NULL"):
                raise reader.fail(reader.next(), "NULL after IS")
            reader.next()
            return "IS NOT NULL" if negated else "IS NULL"
    raise reader.fail(token, "a comparator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN)")


def _read_value(reader: _Reader) -> str | float | int | list[str]:
    token = reader.next()
    if token.kind == "string":
        return _unquote(token.text)
    if token.kind == "number":
        return _number(token.text)
    if token.kind == "lparen":
        items: list[str] = []
        while True:
            item = reader.next()
            if item.kind != "string":
                raise reader.fail(item, "a quoted string inside the list")
            items.append(_unquote(item.text))
            separator = reader.next()
            if separator.kind == "rparen":
                return items
            if separator.kind != "comma":
                raise reader.fail(separator, "',' or ')'")
    raise reader.fail(token, "a value: a quoted string, a number or a list")


def parse_filter(text: str | None) -> list[Comparison]:
    """Parse a filter string; raise InvalidParameterValue with a pointed message if invalid."""
    if not text or not text.strip():
        return []
    _check_size(text, "filter")
    reader = _Reader(text)
    comparisons: list[Comparison] = []
    while True:
        if len(comparisons) == MAX_FILTER_COMPARISONS:
            raise InvalidParameterValue(
                f"Invalid filter: more than {MAX_FILTER_COMPARISONS} comparisons; at most "
                f"{MAX_FILTER_COMPARISONS} may be joined with AND."
            )
        entity, key = _read_identifier(reader)
        comparator = _read_comparator(reader)
        value = None if comparator in ("IS NULL", "IS NOT NULL") else _read_value(reader)
        comparisons.append(Comparison(entity, key, comparator, value))
        following = reader.peek()
        if following is None:
            return comparisons
        if not reader.keyword("AND"):
            raise reader.fail(following, "AND (only AND-ed comparisons are supported)")
        reader.next()


@dataclass(frozen=True)
class OrderBy:
    type: str
    key: str
    ascending: bool


def parse_order_by(text: str) -> OrderBy:
    """`<identifier> [ASC|DESC]`, e.g. `metrics.accuracy DESC` or `start_time`."""
    _check_size(text, "order_by clause")
    reader = _Reader(text)
    if reader.peek() is None:
        raise InvalidParameterValue(f"Invalid order_by clause '{text}'.")
    entity, key = _read_identifier(reader)
    ascending = True
    if reader.keyword("ASC", "DESC"):
        ascending = reader.next().text.upper() == "ASC"
    if reader.peek() is not None:
        raise InvalidParameterValue(f"Invalid order_by clause '{text}'. Could not be parsed.")
    return OrderBy(entity, key, ascending)
