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
