"""What the daily-path speed work must not change: the same scores, tables and imports."""

from __future__ import annotations

import subprocess
import sys

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
    ):
        done = subprocess.run(
            [sys.executable, "-c", code, str(demo.db), *argv],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.stderr.strip().splitlines()[-1] == "PLAIN", (argv, done.stderr)


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
