"""What the daily-path speed work must not change: the same scores, tables and imports."""

from __future__ import annotations

import subprocess
import sys

import pytest

from crmcli.config import Settings
from crmcli.services import scoring
from crmcli.services.book import Book


def test_live_scores_equal_the_rule_by_rule_score(demo) -> None:
    """The per-value shortcut gives every lead the score `score()` gives it."""
    book = Book.open(Settings.resolve(db=str(demo.db)))
    try:
        with book.read() as r:
            leads = r.rows("SELECT id, source, title, company_size, email, phone FROM leads")
            live = scoring.live_scores(r, leads)
            rules = scoring.load_rules(r)
            recent = scoring.last_activities(r, [lead["id"] for lead in leads])
        expected = {
            lead["id"]: scoring.score(lead, rules, last_activity_at=recent.get(lead["id"]))
            for lead in leads
        }
        assert len(leads) > 20
        assert live == expected
        assert len(set(live.values())) > 3  # the book exercises several rules
    finally:
        book.close()


def test_daily_commands_do_not_import_rich(demo) -> None:
    """Lists, shows, the board and the agenda draw their tables without Rich."""
    code = (
        "import sys, runpy\n"
        "sys.argv = ['crm', '--db', sys.argv[1], *sys.argv[2:]]\n"
        "try:\n    runpy.run_module('crmcli', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print('RICH' if any(m.startswith('rich') for m in sys.modules) else 'PLAIN',"
        " file=sys.stderr)\n"
    )
    _assert_run_without(code, "PLAIN", demo.db)


def test_commands_do_not_load_pydantic(demo) -> None:
    """Typer converts parameters with pydantic (~55 ms of imports); crm's plain ones skip it."""
    code = (
        "import sys, runpy\n"
        "import crmcli.cli\n"
        "crmcli.cli._exit_now = lambda: None\n"  # a report would end the process at once
        "sys.argv = ['crm', '--db', sys.argv[1], *sys.argv[2:]]\n"
        "try:\n    runpy.run_module('crmcli', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print('PYDANTIC' if 'pydantic' in sys.modules else 'LEAN', file=sys.stderr)\n"
    )
    _assert_run_without(
        code,
        "LEAN",
        demo.db,
        extra=(
            ["report", "funnel", "--period", "2026-Q4", "--json"],
            ["status", "--json"],
            ["search", "acme"],
            ["contact", "list", "--tag", "webinar", "--tag", "vip", "-n", "5"],
        ),
    )


def _assert_run_without(code: str, expected: str, db, extra=()) -> None:
    """Run each daily command in a fresh interpreter; its last stderr line must be `expected`."""
    for argv in (
        ["user", "list"],
        ["contact", "list", "-n", "5"],
        ["deal", "list", "-n", "5"],
        ["lead", "list", "--sort", "-score", "-n", "5"],
        ["company", "show", "Acme GmbH"],
        ["board"],
        ["agenda", "--week"],
        ["agenda", "--month"],
        ["history", "-n", "5"],
        *extra,
    ):
        done = subprocess.run(
            [sys.executable, "-c", code, str(db), *argv],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.stderr.strip().splitlines()[-1] == expected, (argv, done.stderr)


class TestShortWindows:
    """Skipping series by clock time never drops an occurrence dateutil would give."""

    RULES = (
        "FREQ=DAILY",
        "FREQ=WEEKLY;BYDAY=MO,WE,FR",
        "FREQ=MONTHLY;BYMONTHDAY=1,15",
        "FREQ=DAILY;BYHOUR=9,17",
        "FREQ=HOURLY;INTERVAL=3",
        "FREQ=YEARLY",
    )

    @staticmethod
    def _reference(rule, anchor, start, end):
        from datetime import UTC

        from crmcli import clock
        from crmcli.services import recurrence

        zone = clock.local_zone()
        found = recurrence.rule_for(rule, anchor).between(
            start.astimezone(zone), end.astimezone(zone), inc=True
        )
        return [f.astimezone(UTC) for f in found if f.astimezone(UTC) < end]

    def test_against_dateutil_across_dst(self) -> None:
        from datetime import UTC, datetime, timedelta

        from hypothesis import given, settings
        from hypothesis import strategies as st

        from crmcli.services import recurrence

        @settings(max_examples=300, deadline=None)
        @given(
            rule=st.sampled_from(self.RULES),
            anchor_minutes=st.integers(0, 60 * 24 * 200),
            offset_minutes=st.integers(0, 60 * 24 * 200),
            length=st.integers(1, 60 * 21),
        )
        def check(rule, anchor_minutes, offset_minutes, length) -> None:
            base = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)  # through both DST shifts of 2026
            anchor = base + timedelta(minutes=anchor_minutes)
            start = base + timedelta(minutes=offset_minutes)
            end = start + timedelta(minutes=length)
            ours = recurrence.occurrences(rule, anchor, start, end)
            assert ours == self._reference(rule, anchor, start, end)

        check()


class TestPlainParameters:
    """crm's fast conversion of plain parameters agrees with Typer's pydantic one."""

    def test_every_converted_text_matches_pydantic(self) -> None:
        from hypothesis import given, settings
        from hypothesis import strategies as st
        from pydantic import TypeAdapter, ValidationError

        from crmcli.cli_coercion import _UNCONVERTED, _convert

        texts = st.one_of(
            st.text(max_size=8),
            st.from_regex(r"\s?[+-]?[0-9_]{0,6}(\.[0-9]{0,3})?(e[0-9])?\s?", fullmatch=True),
        )

        @settings(max_examples=500, deadline=None)
        @given(text=texts, kind=st.sampled_from([int, float]), low=st.none() | st.integers(-5, 5))
        def check(text, kind, low) -> None:
            ours = _convert(text, kind, (low, None))
            if ours is _UNCONVERTED:
                return  # Typer's own adapter answers (and words any error)
            theirs = TypeAdapter(kind).validate_python(text)
            assert ours == theirs and type(ours) is type(theirs)
            if low is not None:
                assert ours >= low

        check()
        with pytest.raises(ValidationError):  # pydantic refuses it; so must the fast path
            TypeAdapter(int).validate_python("1.5")
        assert _convert("1.5", int, (None, None)) is _UNCONVERTED

    def test_bad_values_are_worded_by_typer(self, crm) -> None:
        low = crm("lead", "list", "-n", "0", ok=False)
        assert low.exit_code == 2
        assert "Input should be greater than or equal to 1" in low.stderr
        text = crm("lead", "list", "-n", "lots", ok=False)
        assert text.exit_code == 2
        assert "Input should be a valid integer" in text.stderr

    def test_lists_and_numbers_arrive_converted(self, crm) -> None:
        crm("contact", "add", "Ann Lee", "--email", "ann@example.com", "--tag", "a", "--tag", "b")
        shown = crm.json("contact", "list", "--tag", "a", "--tag", "b", "-n", "3")
        assert [c["email"] for c in shown] == ["ann@example.com"]
