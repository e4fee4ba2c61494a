"""crm status --team: each rep's line says what that rep's own views count."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from crmcli import clock
from crmcli.config import Settings
from crmcli.periods import period_of
from crmcli.services import agenda, deals
from crmcli.services.book import Book
from crmcli.services.status import attainment, status
from tests.conftest import Crm


@pytest.fixture
def demo_book(demo: Crm) -> Iterator[Book]:
    book = Book.open(Settings.resolve(db=str(demo.db)))
    yield book
    book.close()


class TestTeamLines:
    """The grouped counts of ``--team`` agree with one rep's agenda, deal list and quota."""

    def test_each_line_matches_the_reps_own_views(self, demo_book: Book) -> None:
        book = demo_book
        result = status(book, team=True)
        assert len(result.team) > 1
        quarter = period_of("quarter", clock.today())
        checked = 0
        for line in result.team:
            day = agenda.agenda(book, owner=line.user)["items"]
            late = agenda.overdue(book, owner=line.user)
            with book.read() as r:
                rep_id = r.scalar("SELECT id FROM users WHERE username = ?", (line.user,))
                own = attainment(r, user_id=rep_id, period=quarter)
            assert line.today == len([a for a in day if not a.get("rrule")]), line.user
            singles = [a for a in late if not a.get("rrule") and a["kind"] != "balance"]
            assert line.overdue == len(singles), line.user
            open_deals = deals.list_deals(book, owner=line.user, limit=100_000)
            assert line.open_deals == len(open_deals), line.user
            idle = deals.list_deals(book, owner=line.user, rotting=True, limit=100_000)
            assert line.idle_deals == len(idle), line.user
            assert line.attainment == own, line.user
            checked += bool(line.today or line.overdue or line.open_deals)
        assert checked, "the demo book gives the reps some work"

    def test_the_teams_lists_are_the_books(self, demo_book: Book) -> None:
        book = demo_book
        result = status(book, team=True)
        idle = deals.list_deals(book, rotting=True, limit=10)
        assert [d.handle for d in result.idle_deals] == [d["handle"] for d in idle]
        assert result.closing_this_month, "the demo book has deals closing this month"


class TestDocument:
    """``as_dict`` (what --json and MCP print) is ``dataclasses.asdict`` of the result."""

    @pytest.mark.parametrize("team", [False, True])
    def test_as_dict_is_asdict(self, demo: Crm, team: bool) -> None:
        from dataclasses import asdict

        book = Book.open(Settings.resolve(db=str(demo.db), user="alice"))
        try:
            result = status(book, team=team)
        finally:
            book.close()
        assert result.team if team else result.overdue and result.attainment
        assert result.as_dict() == asdict(result)


class TestTeamOverdue:
    """The team's overdue counts: open one-off items past due, else past their start."""

    def test_items_without_a_due_time(self, team: Crm) -> None:
        c = team
        c("activity add meeting 'Forgotten meeting' --start '2026-11-20 10:00' --owner alice")
        c("activity add meeting 'Next week' --start '2026-11-30 10:00' --owner alice")
        c("activity add task 'Late task' --due 2026-11-20 --owner alice")
        c("activity add task 'Someday' --owner alice")  # neither due nor started
        c("activity add call 'Weekly' --start '2026-11-02 09:00' --every weekly --owner bob")
        c("activity add note 'A note' --start '2026-11-20 09:00' --owner bob")
        cancelled = c("activity add meeting 'Cancelled' --start '2026-11-19 10:00' --owner bob -q")
        c("activity", "delete", cancelled.stdout.strip())
        c("--as bob log call 'Done call' --at '2026-11-20 09:00'")
        lines = {line["user"]: line for line in c.json("status --team")["team"]}
        assert (lines["alice"]["overdue"], lines["bob"]["overdue"]) == (2, 0)
        bob_late = c.json("agenda --overdue --owner bob")
        assert [a["subject"] for a in bob_late] and all(a["recurring"] for a in bob_late)

    def test_reps_whose_started_items_are_series(self, team: Crm) -> None:
        """A rep whose started undated items are all series has none (told by the indexes)."""
        c = team
        c("activity add meeting 'Standup' --start '2026-11-16 09:00' --every daily --owner bob")
        c("activity add meeting 'Missed' --start '2026-11-21 09:00' --owner alice")
        c("activity add meeting 'Review' --start '2026-11-09 09:00' --every weekly --owner alice")
        lines = {line["user"]: line for line in c.json("status --team")["team"]}
        assert (lines["alice"]["overdue"], lines["bob"]["overdue"]) == (1, 0)
