"""The import's name rule over names processed once equals the dedupe rule itself."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rapidfuzz import utils

from crmcli.importing.entities import _name_matches, _similar_names, _sorted_words

words = st.one_of(
    st.sampled_from(
        ["Ada", "ada", "Lovelace", "LOVELACE", "Grace", "Hopper", "Zoë", "O'Neil", "-"]
    ),
    st.text(min_size=1, max_size=6),  # any letters, marks, spaces and symbols
)
names = st.lists(words, min_size=1, max_size=3).map(" ".join)


@given(
    names,
    st.dictionaries(st.text("abcdef", min_size=1, max_size=4), names, max_size=12),
    st.booleans(),
)
def test_processed_once_matches_the_rule(
    name: str, known: dict[str, str], exclude_one: bool
) -> None:
    exclude = next(iter(known), None) if exclude_one else None
    processed = {k: _sorted_words(utils.default_process(v)) for k, v in known.items()}
    ours = _similar_names(name, known, processed, exclude)
    rule = _name_matches(name, known, exclude)
    assert sorted((m.id, m.name, m.score) for m in ours) == sorted(
        (m.id, m.name, m.score) for m in rule
    )
