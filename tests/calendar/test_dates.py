"""Dates a person types: a table of inputs with a fixed now (Mon 2026-11-23 10:00 Berlin)."""

from __future__ import annotations

from datetime import datetime

import pytest

from crmcli import clock
from crmcli.errors import InvalidInput

# input -> expected local time in Europe/Berlin (now = Monday 2026-11-23 10:00+01:00)
TABLE = [
    ("2026-12-01", "2026-12-01 00:00"),
    ("2026-12-01 14:30", "2026-12-01 14:30"),
    ("2026-12-01T14:30:00Z", "2026-12-01 15:30"),
    ("2026-12-01 14:30+05:00", "2026-12-01 10:30"),
    ("tomorrow 9am", "2026-11-24 09:00"),
    ("Tomorrow 9AM", "2026-11-24 09:00"),
    ("tomorrow at 5pm", "2026-11-24 17:00"),
    ("9am tomorrow", "2026-11-24 09:00"),
    ("+3d", "2026-11-26 10:00"),
    ("-2d", "2026-11-21 10:00"),
    ("3 days ago", "2026-11-20 10:00"),
    ("in 2 hours", "2026-11-23 12:00"),
    ("in an hour", "2026-11-23 11:00"),
    ("in 1 week", "2026-11-30 10:00"),
    ("+1mo", "2026-12-23 10:00"),
    ("next friday", "2026-11-27 00:00"),
    ("next monday", "2026-11-30 00:00"),
    ("next monday 10:00", "2026-11-30 10:00"),
    ("10:00 next monday", "2026-11-30 10:00"),
    ("last friday", "2026-11-20 00:00"),
    ("friday 3pm", "2026-11-27 15:00"),
    ("monday", "2026-11-23 00:00"),
    ("yesterday 16:00", "2026-11-22 16:00"),
    ("yesterday 4pm", "2026-11-22 16:00"),
    ("today noon", "2026-11-23 12:00"),
    ("14:30", "2026-11-23 14:30"),
    ("dec 1", "2026-12-01 00:00"),
    ("1 dec 2026 9pm", "2026-12-01 21:00"),
    ("13/02/2026", "2026-02-13 00:00"),
    ("now", "2026-11-23 10:00"),
    ("2026-12-01 14:30 UTC", "2026-12-01 15:30"),
]

BAD = [
    ("", "empty"),
    ("blah", "cannot read the date 'blah'"),
    ("01/02/2026", "ambiguous: month 1 day 2, or day 1 month 2"),
    ("12/1", "ambiguous"),
    ("5", "ambiguous"),
    ("2026", "ambiguous"),
    ("december", "names a month (December) but no day"),
    ("tomorrow 9", "9am or 9pm"),
    ("tomorrow blah", "understood tomorrow = Tue 2026-11-24"),
    ("tomorrow 2026-12-01", "names two days"),
    ("2026-02-30", "day is out of range"),
    ("2026-12-01 14:30 XYZ", "unknown time zone 'XYZ'"),
    ("2026-03-29 02:30", "does not exist in Europe/Berlin"),
    ("2026-10-25 02:30", "happens twice"),
]


class TestParseWhen:
    """parse_when reads every form of the issue in the user's zone and returns UTC."""

    @pytest.mark.parametrize(("text", "expected"), TABLE)
    def test_table(self, text: str, expected: str) -> None:
        value = clock.parse_when(text)
        assert value.utcoffset() is not None and value.utcoffset().total_seconds() == 0
        assert f"{clock.to_local(value):%Y-%m-%d %H:%M}" == expected

    @pytest.mark.parametrize(("text", "message"), BAD)
    def test_refuses_to_guess(self, text: str, message: str) -> None:
        with pytest.raises(InvalidInput) as caught:
            clock.parse_when(text)
        assert message in caught.value.message
        assert caught.value.hint

    def test_hours_are_elapsed_time_across_dst(self) -> None:
        base = datetime.fromisoformat("2026-03-29T01:30:00+01:00")
        assert clock.parse_when("in 2 hours", base=base).isoformat() == "2026-03-29T02:30:00+00:00"
        # a day later keeps the wall-clock time
        assert f"{clock.to_local(clock.parse_when('+1d', base=base)):%H:%M}" == "01:30"

    def test_bad_date_on_the_command_line_is_one_line_and_writes_nothing(self, crm) -> None:
        run = crm("log", "call", "x", "--at", "01/02/2026", ok=False)
        assert run.exit_code == 1
        assert "ambiguous" in run.stderr and "Traceback" not in run.stderr
        assert crm.json("activity list") == []
