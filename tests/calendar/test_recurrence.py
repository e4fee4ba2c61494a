"""Recurrence: RRULEs expanded on read, checked against dateutil's own rrule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from dateutil import tz
from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from crmcli.errors import InvalidInput
from crmcli.services import recurrence

BERLIN = tz.gettz("Europe/Berlin")
ANCHOR = datetime(2026, 11, 30, 10, 0, tzinfo=BERLIN).astimezone(UTC)

RULES = [
    "FREQ=DAILY",
    "FREQ=WEEKLY",
    "FREQ=WEEKLY;BYDAY=MO,WE",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR",
    "FREQ=MONTHLY;BYDAY=1MO",
    "FREQ=MONTHLY;BYMONTHDAY=31",
    "FREQ=MONTHLY;BYDAY=-1FR;COUNT=5",
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
    "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20270115T230000Z",
]


class TestEvery:
    """--every words become RRULEs."""

    @pytest.mark.parametrize(
        ("words", "rule"),
        [
            ("daily", "FREQ=DAILY"),
            ("weekly", "FREQ=WEEKLY"),
            ("monthly", "FREQ=MONTHLY"),
            ("weekly on mon,wed", "FREQ=WEEKLY;BYDAY=MO,WE"),
            ("weekly on mon, wed", "FREQ=WEEKLY;BYDAY=MO,WE"),
            ("every 2 weeks", "FREQ=WEEKLY;INTERVAL=2"),
            ("biweekly on fri", "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR"),
            ("weekdays", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
            ("monthly on first monday", "FREQ=MONTHLY;BYDAY=1MO"),
            ("monthly on 15", "FREQ=MONTHLY;BYMONTHDAY=15"),
        ],
    )
    def test_words(self, words: str, rule: str) -> None:
        assert recurrence.every_to_rrule(words) == rule

    @pytest.mark.parametrize("words", ["sometimes", "weekly on funday", "every 0 weeks"])
    def test_bad_words(self, words: str) -> None:
        with pytest.raises(InvalidInput):
            recurrence.every_to_rrule(words)


class TestExpansion:
    """Our expansion equals dateutil's rrule for the same rule, start and zone."""

    @pytest.mark.parametrize("rule", RULES)
    def test_same_as_dateutil(self, rule: str) -> None:
        start = ANCHOR - timedelta(days=3)
        end = ANCHOR + timedelta(days=800)
        ours = recurrence.occurrences(rule, ANCHOR, start, end)
        theirs = [
            d.astimezone(UTC)
            for d in rrulestr(rule, dtstart=ANCHOR.astimezone(BERLIN)).between(
                start.astimezone(BERLIN), end.astimezone(BERLIN), inc=True
            )
        ]
        assert ours == [t for t in theirs if t < end]
        assert ours, "every rule in the table yields"

    def test_local_time_kept_across_dst(self) -> None:
        found = recurrence.occurrences("FREQ=WEEKLY", ANCHOR, ANCHOR, ANCHOR + timedelta(days=200))
        assert {f.astimezone(BERLIN).strftime("%H:%M") for f in found} == {"10:00"}
        assert {f.astimezone(UTC).hour for f in found} == {8, 9}  # summer and winter

    def test_exdates_are_left_out(self) -> None:
        second = ANCHOR + timedelta(days=7)
        found = recurrence.occurrences(
            "FREQ=WEEKLY", ANCHOR, ANCHOR, ANCHOR + timedelta(days=21), exdates=[second]
        )
        assert second not in found and len(found) == 2

    @settings(max_examples=60, deadline=None)
    @given(
        freq=st.sampled_from(["DAILY", "WEEKLY", "MONTHLY"]),
        interval=st.integers(1, 4),
        days=st.sets(st.sampled_from(["MO", "TU", "WE", "TH", "FR", "SA", "SU"]), max_size=3),
        offset=st.integers(-400, 400),
        span=st.integers(1, 120),
    )
    def test_any_window_matches_dateutil(
        self, freq: str, interval: int, days: set[str], offset: int, span: int
    ) -> None:
        rule = f"FREQ={freq};INTERVAL={interval}" + (
            f";BYDAY={','.join(sorted(days))}" if days else ""
        )
        start = ANCHOR + timedelta(days=offset)
        end = start + timedelta(days=span)
        theirs = [
            d.astimezone(UTC)
            for d in rrulestr(rule, dtstart=ANCHOR.astimezone(BERLIN)).between(
                start.astimezone(BERLIN), end.astimezone(BERLIN), inc=True
            )
            if d.astimezone(UTC) < end
        ]
        assert recurrence.occurrences(rule, ANCHOR, start, end) == theirs


class TestBadRules:
    """Rules that cannot work are errors, before anything is written."""

    def test_count_and_until(self) -> None:
        with pytest.raises(InvalidInput, match="COUNT or UNTIL"):
            recurrence.build_rule(anchor=ANCHOR, rrule="FREQ=WEEKLY;COUNT=3;UNTIL=20270101")

    def test_count_and_until_options(self) -> None:
        with pytest.raises(InvalidInput, match="COUNT or UNTIL"):
            recurrence.build_rule(
                anchor=ANCHOR, every="weekly", count=3, until=ANCHOR + timedelta(days=30)
            )

    @pytest.mark.parametrize(
        "rule",
        [
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
            "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",  # dateutil alone would search for seconds
            "FREQ=WEEKLY;UNTIL=20200101",
        ],
    )
    def test_never_yields(self, rule: str) -> None:
        with pytest.raises(InvalidInput, match="never happens"):
            recurrence.build_rule(anchor=ANCHOR, rrule=rule)

    @pytest.mark.parametrize("rule", ["FREQ=SECONDLY", "BYDAY=MO", "FREQ=WEEKLY;BYDAY=XX", "x"])
    def test_unreadable(self, rule: str) -> None:
        with pytest.raises(InvalidInput):
            recurrence.build_rule(anchor=ANCHOR, rrule=rule)

    def test_until_date_includes_that_day(self) -> None:
        until = datetime(2026, 12, 14, tzinfo=BERLIN)
        rule = recurrence.build_rule(anchor=ANCHOR, every="weekly", until=until)
        assert rule is not None
        found = recurrence.occurrences(rule, ANCHOR, ANCHOR, ANCHOR + timedelta(days=60))
        assert [f"{f.astimezone(BERLIN):%m-%d}" for f in found] == ["11-30", "12-07", "12-14"]
