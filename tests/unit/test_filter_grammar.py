"""Property tests: our filter parser agrees with MLflow's own on MLflow's grammar, and
rejects what MLflow rejects, with INVALID_PARAMETER_VALUE."""

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mlflow.exceptions import MlflowException
from mlflow.utils.search_utils import SearchUtils

from services.core.errors import InvalidParameterValue
from services.core.search_filter import (
    MAX_FILTER_BYTES,
    MAX_FILTER_COMPARISONS,
    parse_filter,
    parse_order_by,
)

KEY_CHARS = string.ascii_letters + string.digits + "_"
# MLflow's tokenizer (sqlparse) splits a bare key named one of these SQL words away from its
# prefix and rejects the filter; we accept it (see test_bare_keyword_keys_are_accepted).
SQLPARSE_SPLITTING_WORDS = {"AS", "CASE", "FROM", "IN", "USING", "VALUES"}
plain_key = st.text(KEY_CHARS, min_size=1, max_size=12).filter(
    lambda k: not k[0].isdigit() and k.upper() not in SQLPARSE_SPLITTING_WORDS
)
dotted_key = st.lists(plain_key, min_size=1, max_size=3).map(".".join)
spaced_key = st.text(KEY_CHARS + " -/:", min_size=1, max_size=12).filter(
    lambda k: k.strip() == k and "`" not in k
)
string_value = st.text(
    st.characters(blacklist_characters="'\"\\", blacklist_categories=("Cs", "Cc")), max_size=12
)
number = st.one_of(
    st.integers(-(10**6), 10**6).map(str),
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False).map(lambda f: f"{f:.4f}"),
)
ws = st.sampled_from([" ", "  "])


@st.composite
def identifier(draw: st.DrawFn, prefixes: list[str]) -> str:
    prefix = draw(st.sampled_from(prefixes))
    style = draw(st.sampled_from(["plain", "backtick", "quoted"]))
    if style == "plain":
        return f"{prefix}.{draw(dotted_key)}"
    key = draw(spaced_key)
    return f"{prefix}.`{key}`" if style == "backtick" else f'{prefix}."{key}"'


@st.composite
def comparison(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["metric", "param", "tag", "attr_string", "attr_number"]))
    if kind == "metric":
        op = draw(st.sampled_from(["=", "!=", ">", ">=", "<", "<="]))
        return f"{draw(identifier(['metrics', 'metric']))} {op} {draw(number)}"
    if kind in ("param", "tag"):
        prefixes = ["params", "param", "parameter"] if kind == "param" else ["tags", "tag"]
        ident = draw(identifier(prefixes))
        if draw(st.booleans()) and draw(st.booleans()):
            return f"{ident} {draw(st.sampled_from(['IS NULL', 'IS NOT NULL']))}"
        op = draw(st.sampled_from(["=", "!=", "LIKE", "ILIKE", "like", "ilike"]))
        return f"{ident} {op} '{draw(string_value)}'"
    if kind == "attr_number":
        prefix = draw(st.sampled_from(["attributes.", "attribute.", "attr.", ""]))
        key = draw(st.sampled_from(["start_time", "end_time"]))
        op = draw(st.sampled_from(["=", "!=", ">", ">=", "<", "<="]))
        return f"{prefix}{key} {op} {draw(st.integers(0, 10**12))}"
    prefix = draw(st.sampled_from(["attributes.", "attr.", "run.", ""]))
    key = draw(st.sampled_from(["run_name", "status", "user_id", "artifact_uri", "run_id"]))
    if key == "run_id" and draw(st.booleans()):
        values = draw(
            st.lists(st.text(string.hexdigits, min_size=1, max_size=8), min_size=1, max_size=3)
        )
        op = draw(st.sampled_from(["IN", "NOT IN"]))
        return f"{prefix}{key} {op} ({', '.join(repr(v) for v in values)})"
    op = draw(st.sampled_from(["=", "!=", "LIKE", "ILIKE"]))
    return f"{prefix}{key} {op} '{draw(string_value)}'"


filters = st.lists(comparison(), min_size=1, max_size=4).flatmap(
    lambda parts: st.sampled_from([" AND ", " and ", "  AND  "]).map(lambda j: j.join(parts))
)


def _normalise(parsed: list) -> list[tuple]:
    out = []
    for item in parsed:
        get = item.get if isinstance(item, dict) else lambda k, i=item: getattr(i, k)
        value = get("value")
        if get("type") == "metric":
            value = float(value)
        elif isinstance(value, tuple | list):
            value = sorted(value)
        out.append((get("type"), get("key"), get("comparator").upper(), value))
    return out


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(filters)
def test_parser_agrees_with_mlflow(filter_string: str) -> None:
    expected = _normalise(SearchUtils.parse_search_filter(filter_string))
    assert _normalise(parse_filter(filter_string)) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_parser_never_crashes_on_arbitrary_text(text: str) -> None:
    try:
        parse_filter(text)
    except InvalidParameterValue:
        pass


@pytest.mark.parametrize(
    "bad",
    [
        "metrics.acc >",
        "metrics.acc > 1 OR metrics.acc < 0",
        "foo.bar = 'x'",
        "params.x = 'unterminated",
        "metrics.acc 5",
        "(metrics.acc > 1)",
        "params.x IN ('a', 1)",
        "params.x IS 'y'",
    ],
)
def test_mlflow_rejects_and_so_do_we(bad: str) -> None:
    with pytest.raises(MlflowException):
        SearchUtils.parse_search_filter(bad)
    with pytest.raises(InvalidParameterValue):
        parse_filter(bad)


@pytest.mark.parametrize("word", sorted(SQLPARSE_SPLITTING_WORDS))
def test_bare_keyword_keys_are_accepted(word: str) -> None:
    """MLflow rejects `metrics.values = 0` only because sqlparse reads VALUES as a keyword;
    the quoted form, which MLflow accepts, means the same thing, so we accept both."""
    with pytest.raises(MlflowException):
        SearchUtils.parse_search_filter(f"metrics.{word} = 0")
    quoted = _normalise(SearchUtils.parse_search_filter(f"metrics.`{word}` = 0"))
    assert _normalise(parse_filter(f"metrics.{word} = 0")) == quoted
    assert _normalise(parse_filter(f"params.{word.lower()} = 'a'")) == [
        ("parameter", word.lower(), "=", "a")
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("metrics.acc DESC", ("metric", "acc", False)),
        ("params.lr", ("parameter", "lr", True)),
        ("start_time asc", ("attribute", "start_time", True)),
        ("tags.`mlflow.runName` DESC", ("tag", "mlflow.runName", False)),
    ],
)
def test_order_by(text: str, expected: tuple) -> None:
    parsed = parse_order_by(text)
    assert (parsed.type, parsed.key, parsed.ascending) == expected


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["", "-", "+"]), st.text("0123456789", min_size=1, max_size=6000))
def test_integer_literals_of_any_size_parse(sign: str, digits: str) -> None:
    """Exact up to int64's 19 digits, the double they denote beyond (Python refuses int() of a
    literal past 4,300 digits, which was a 500)."""
    [comparison] = parse_filter(f"metrics.m > {sign}{digits}")
    significant = digits.lstrip("0") or "0"
    if len(significant) <= 19:
        assert isinstance(comparison.value, int)
        assert comparison.value == int(sign + significant)
    else:
        assert isinstance(comparison.value, float)
        assert comparison.value == float(sign + digits)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30), st.text(max_size=30))
def test_no_value_with_nul_reaches_sql(before: str, after: str) -> None:
    for text in (f"params.p = '{before}\x00{after}'", f"{before}\x00{after}"):
        with pytest.raises(InvalidParameterValue):
            parse_filter(text)
    with pytest.raises(InvalidParameterValue):
        parse_order_by(f"params.`{before}\x00{after}`")


def test_filter_size_and_comparison_limits() -> None:
    clause = "params.p = 'v'"
    assert len(parse_filter(" and ".join([clause] * MAX_FILTER_COMPARISONS))) == 100
    with pytest.raises(InvalidParameterValue, match="more than 100 comparisons"):
        parse_filter(" and ".join([clause] * (MAX_FILTER_COMPARISONS + 1)))
    # Bytes, not characters: 3-byte characters reach the limit at a third of the length.
    wide = "一" * (MAX_FILTER_BYTES // 3)
    parse_filter(f"params.p = '{wide[:-10]}'")
    with pytest.raises(InvalidParameterValue, match="bytes long"):
        parse_filter(f"params.p = '{wide}'")
    with pytest.raises(InvalidParameterValue, match="bytes long"):
        parse_order_by(f"params.`{wide}`")
