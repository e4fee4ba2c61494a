"""The agenda views: today, week, month grid, overdue, due-within for reminders."""

from __future__ import annotations

from datetime import UTC, date, datetime

from crmcli.services.agenda import month_grid
from tests.conftest import Crm


def _fill(book: Crm) -> None:
    book(
        "activity add call 'Call Ada' --start 'today 14:00' --duration 15m --with ada@acme.example"
    )
    book("activity add task 'Send quote' --due 'today 10:10' --deal 'Acme renewal'")
    book("activity add task 'Old task' --due 'last friday 9am'")
    book("activity add meeting 'Weekly sync' --start 'monday 16:00' --duration 30m --every weekly")
    book("activity add meeting 'Demo' --start 'thursday 11:00' --duration 1h")
    book("activity add meeting 'Next month' --start 2026-12-02 --all-day")
    book("--as", "alice", "activity", "add", "call", "Alice's call", "--start", "today 11:00")


class TestAgenda:
    """`crm agenda` shows your day, week or month; recurring series are expanded."""

    def test_today(self, book: Crm) -> None:
        _fill(book)
        doc = book.json("agenda")
        assert doc["view"] == "day" and doc["from"] == doc["to"] == "2026-11-23"
        assert [i["subject"] for i in doc["items"]] == ["Send quote", "Call Ada", "Weekly sync"]
        assert doc["items"][2]["handle"].endswith("@2026-11-23T16:00")

    def test_week_and_owner(self, book: Crm) -> None:
        _fill(book)
        doc = book.json("agenda --week")
        assert (doc["from"], doc["to"]) == ("2026-11-23", "2026-11-29")
        assert [i["subject"] for i in doc["items"]] == [
            "Send quote",
            "Call Ada",
            "Weekly sync",
            "Demo",
        ]
        alice = book.json("agenda --owner alice")
        assert [i["subject"] for i in alice["items"]] == ["Alice's call"]
        assert len(book.json("agenda --all")["items"]) == 4

    def test_next_week_by_date(self, book: Crm) -> None:
        _fill(book)
        doc = book.json("agenda --week --date 'next monday'")
        assert [i["subject"] for i in doc["items"]] == ["Weekly sync", "Next month"]

    def test_month_grid(self, book: Crm) -> None:
        _fill(book)
        doc = book.json("agenda --month")
        assert (doc["from"], doc["to"]) == ("2026-11-01", "2026-11-30")
        assert sum(i["subject"] == "Weekly sync" for i in doc["items"]) == 2  # 23rd and 30th
        table = book("agenda --month").stdout
        assert "November 2026" in table and "Mon" in table and "Sun" in table
        assert "16:00 Weekly sync" in table and "30" in table

    def test_month_grid_layout(self) -> None:
        """Weeks run Monday to Sunday; days outside the month are blank; local dates count."""
        late = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)  # Monday the 23rd, 00:30 in Berlin
        first = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
        doc = {
            "from": date(2026, 11, 1),
            "to": date(2026, 11, 30),
            "items": [{"when": first, "subject": "A"}, {"when": late, "subject": "B"}],
        }
        weeks = month_grid(doc)
        assert len(weeks) == 6 and all(len(week) == 7 for week in weeks)
        assert weeks[0][:6] == [None] * 6  # 1 November 2026 is a Sunday
        assert weeks[0][6] == (date(2026, 11, 1), [doc["items"][0]])
        assert weeks[4][0] == (date(2026, 11, 23), [doc["items"][1]])
        assert weeks[4][6] == (date(2026, 11, 29), [])
        assert weeks[5][0] == (date(2026, 11, 30), []) and weeks[5][1:] == [None] * 6
        days = [cell[0] for week in weeks for cell in week if cell is not None]
        assert days == [date(2026, 11, d) for d in range(1, 31)]

    def test_overdue(self, book: Crm) -> None:
        _fill(book)
        rows = book.json("agenda --overdue")
        assert [r["subject"] for r in rows] == ["Old task"]

    def test_due_within_for_reminders(self, book: Crm) -> None:
        _fill(book)
        rows = book.json("agenda --due-within 15m")
        assert [r["subject"] for r in rows] == ["Send quote"]
        assert rows[0]["due_at"] == "2026-11-23T09:10:00+00:00"
        assert book.json("agenda --due-within 5m") == []
        later = book.json("agenda --due-within 7h")
        assert [r["subject"] for r in later] == ["Send quote", "Call Ada", "Weekly sync"]

    def test_table_output(self, book: Crm) -> None:
        _fill(book)
        out = book("agenda --week").stdout
        assert "Agenda for" in out and "Call Ada" in out and "Weekly sync" in out
        assert book("agenda -q").stdout.splitlines()[2].endswith("@2026-11-23T16:00")

    def test_demo_book_week(self, demo: Crm) -> None:
        doc = demo.json("agenda --week --all")
        assert doc["items"], "the demo book has activities this week"
        assert any(i["recurring"] for i in doc["items"])
        whens = [i["when"] for i in doc["items"]]
        assert whens == sorted(whens)
        # Monday 00:00 to the next Monday 00:00 in Berlin, as UTC
        assert all("2026-11-22T23:00" <= w[:16] < "2026-11-29T23:00" for w in whens)
