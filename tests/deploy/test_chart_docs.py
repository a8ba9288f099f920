"""docs/deploy.md's values reference is the chart's schema and defaults, and every value is
typed and described there."""

from tests.fixtures.chart_reference import DOCS, docs_with_reference, reference


def test_the_values_reference_in_the_docs_is_generated_from_the_schema():
    # Regenerate with: python -m tests.fixtures.chart_reference
    text = DOCS.read_text()
    assert docs_with_reference(text) == text


def test_every_value_is_typed_and_described():
    rows = [line for line in reference().splitlines() if line.startswith("| `")]
    assert len(rows) > 80
    undescribed = [row for row in rows if row.rstrip().endswith("|  |")]
    assert undescribed == []
    untyped = [row for row in rows if row.split("|")[2].strip() in ("", "any")]
    assert untyped == []
