"""Periods mean the same days in every report, quota and statement."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmcli.errors import InvalidInput
from crmcli.periods import parse_period, period_of, resolve_period


class TestParse:
    @pytest.mark.parametrize(
        ("text", "start", "end", "kind"),
        [
            ("2026", date(2026, 1, 1), date(2026, 12, 31), "year"),
            ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30), "quarter"),
            ("2026-q1", date(2026, 1, 1), date(2026, 3, 31), "quarter"),
            ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "month"),  # leap year
            ("2026-W49", date(2026, 11, 30), date(2026, 12, 6), "week"),  # Monday to Sunday
            ("2026-W53", date(2026, 12, 28), date(2027, 1, 3), "week"),  # 2026 has 53 ISO weeks
        ],
    )
    def test_forms(self, text, start, end, kind) -> None:
        period = parse_period(text)
        assert (period.start, period.end, period.kind) == (start, end, kind)

    @pytest.mark.parametrize(
        "bad", ["2026-Q5", "2026-Q0", "2026-13", "2026-00", "2025-W53", "Q4", "26-01", "2026-1"]
    )
    def test_bad_periods(self, bad) -> None:
        with pytest.raises(InvalidInput):
            parse_period(bad)

    def test_quarter_is_made_of_its_months(self) -> None:
        months = parse_period("2026-Q4").subperiods("month")
        assert [m.label for m in months] == ["2026-10", "2026-11", "2026-12"]

    @given(st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)))
    def test_every_day_lies_in_its_periods(self, day) -> None:
        for kind in ("year", "quarter", "month", "week"):
            period = period_of(kind, day)
            assert period.contains(day)
            assert parse_period(period.label) == period


class TestResolve:
    def test_default_is_the_current_quarter(self) -> None:
        assert (
            resolve_period(period=None, from_=None, to=None, today=date(2026, 12, 1)).label
            == "2026-Q4"
        )

    def test_from_after_to_is_refused(self) -> None:
        with pytest.raises(InvalidInput, match="after"):
            resolve_period(
                period=None, from_="2026-10-02", to="2026-10-01", today=date(2026, 12, 1)
            )

    def test_range(self) -> None:
        span = resolve_period(
            period=None, from_="2026-10-01", to="2026-10-31", today=date(2026, 12, 1)
        )
        assert (span.start, span.end, span.days) == (date(2026, 10, 1), date(2026, 10, 31), 31)
