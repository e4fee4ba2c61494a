"""The import's name rule (names prepared once, scored in one rapidfuzz call) finds what the
dedupe rule itself (`dedupe.similar`, as `crm contact add` applies it) finds."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from crmcli.importing.entities import _name_matches, in_file_names
from crmcli.services.dedupe import NAME_THRESHOLD, similar

words = st.one_of(
    st.sampled_from(
        ["Ada", "ada", "Lovelace", "LOVELACE", "Grace", "Hopper", "Zoë", "O'Neil", "-"]
    ),
    st.text(min_size=1, max_size=6),  # any letters, marks, spaces and symbols
)
names = st.lists(words, min_size=1, max_size=3).map(" ".join)
books = st.dictionaries(st.text("abcdef", min_size=1, max_size=4), names, max_size=12)


def _rule(name: str, known: dict[str, str], exclude: str | None) -> dict[str, int]:
    scores = {k: similar(name, v) for k, v in known.items() if k != exclude}
    return {k: s for k, s in scores.items() if s >= NAME_THRESHOLD}


@given(names, books, st.booleans())
def test_the_best_five_are_the_rule_s(name: str, known: dict[str, str], exclude_one: bool) -> None:
    exclude = next(iter(known), None) if exclude_one else None
    rule = _rule(name, known, exclude)
    found = _name_matches(name, known, exclude)
    assert all(rule.get(m.id) == m.score and m.name == known[m.id] for m in found)
    if len(rule) <= 5:
        assert {m.id for m in found} == set(rule)
    else:  # the five best: none left out scores higher than one kept
        assert len(found) == 5
        assert min(m.score for m in found) >= max(
            s for k, s in rule.items() if k not in {m.id for m in found}
        )


@given(names, books)
def test_earlier_rows_are_every_one_the_rule_finds(name: str, known: dict[str, str]) -> None:
    found = in_file_names(name, known)
    assert {m.id: m.score for m in found} == _rule(name, known, None)
