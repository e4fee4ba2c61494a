"""The long-report JSON layout (one line per row below a depth) is the same document."""

from __future__ import annotations

import contextlib
import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from crmcli import output

leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.dates(),
    st.datetimes(timezones=st.just(UTC)),
)
documents = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)


@given(document=documents, depth=st.integers(0, 5))
def test_shallow_json_is_the_same_document(document, depth) -> None:
    shallow = output._json_shallow(document, depth)
    assert json.loads(shallow) == json.loads(json.dumps(output.jsonable(document)))


def test_rows_below_the_depth_are_one_line_each() -> None:
    doc = {"period": {"from": date(2026, 10, 1)}, "rows": [{"a": Decimal("1.50")}, {"a": None}]}
    text = output._json_shallow(doc, 2)
    # Rows are encoded by orjson: compact, one per line.
    assert '    {"a":"1.50"},\n    {"a":null}\n' in text
    assert datetime(2026, 1, 1, tzinfo=UTC).isoformat() in output._json_shallow(
        [datetime(2026, 1, 1, tzinfo=UTC)], 1
    )


def test_what_orjson_refuses_is_encoded_by_the_stdlib() -> None:
    # An integer beyond 64 bits, a lone surrogate: the stdlib encoder's layout, same values.
    doc = {"rows": [{"n": 2**70}, {"s": "\ud800"}]}
    text = output._json_shallow(doc, 2)
    assert '    {"n": 1180591620717411303424},\n' in text
    assert json.loads(text) == doc
    # A value only jsonable knows (a set): the stdlib encoder and its default hook.
    assert json.loads(output._json_shallow({"rows": [{"s": {1}}, {"d": Decimal("2.5")}]}, 2)) == {
        "rows": [{"s": [1]}, {"d": "2.5"}]
    }


def test_rows_are_cut_only_between_records() -> None:
    # A name holding the text between two records, and a nested list of records: the rows
    # are still one per line and the document the same.
    rows = [{"deal": 'x},{"', "n": 1}, {"deal": "y", "sub": [{"a": 1}, {"b": 2}]}, {"deal": "z"}]
    for doc in ({"rows": rows}, {"rows": [rows[0], rows[2]]}, {"rows": [rows[1], rows[2]]}):
        text = output._json_shallow(doc, 2)
        assert json.loads(text) == doc
        assert text.count("\n    {") == len(doc["rows"])


@given(document=documents)
def test_json_documents_are_the_text_the_stdlib_wrote(document) -> None:
    # output._write_json uses orjson; where orjson accepts the document the text is the
    # stdlib's indent=2 text, where it refuses (a lone surrogate, a huge integer) the stdlib's.
    try:
        expected = json.dumps(document, ensure_ascii=False, indent=2, default=output._json_default)
    except (TypeError, ValueError):
        return
    if any(0xD800 <= ord(c) <= 0xDFFF for c in expected):
        return  # not printable as UTF-8 either way
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="utf-8")
    with contextlib.redirect_stdout(stream):
        output._write_json(document)
    stream.flush()
    assert raw.getvalue().decode() == expected + "\n"
