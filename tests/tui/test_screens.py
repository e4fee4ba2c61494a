"""Pilot tests: each screen driven as a user would (keys, typing, clicks), checking what is
shown and, for writes, what the book and `crm history` say afterwards."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Input

from crmcli.tui.app import CrmApp
from crmcli.tui.screens.board import BoardScreen, Card
from crmcli.tui.screens.calendar import CalendarScreen, Item
from crmcli.tui.screens.detail import DealDetail, DetailScreen, LeadDetail
from crmcli.tui.screens.forms import FormScreen
from crmcli.tui.screens.home import HomeScreen
from crmcli.tui.screens.lists import ListQuery, ListScreen
from crmcli.tui.widgets.table import RecordTable
from tests.conftest import Crm
from tests.tui.conftest import drive, settle


def cells(table: RecordTable, column: str) -> list[str]:
    """The text of one column, top to bottom."""
    return [
        str(table.get_cell_at((row, table.get_column_index(column))))
        for row in range(table.row_count)
    ]


def text_of(widget: Any) -> str:
    """What a Static shows, as plain text (Rich tables and groups rendered)."""
    import io

    from rich.console import Console

    console = Console(width=200, file=io.StringIO(), color_system=None)
    console.print(widget.content)
    return console.file.getvalue()  # type: ignore[attr-defined]


def errors(app: CrmApp) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


def notes(app: CrmApp) -> list[str]:
    return [n.message for n in app._notifications]


async def type_into(pilot: Any, app: CrmApp, field: str, text: str) -> None:
    box = app.screen.query_one(f"#field-{field}", Input)
    box.value = ""
    box.focus()
    await pilot.press(*list(text)) if text else None


class TestHome:
    """Home shows the acting rep's day, pipeline, idle deals and recent changes."""

    def test_sections_show_the_reps_day(self, small_book: Crm) -> None:
        async def scenario(pilot: Any, app: CrmApp) -> None:
            screen = app.screen
            assert isinstance(screen, HomeScreen)
            assert screen.sections_loaded == {"today", "overdue", "pipeline", "idle", "history"}
            today = screen.query_one("#today", RecordTable)
            assert cells(today, "subject") == ["Weekly sync", "Send proposal"]
            # the weekly sync's missed 16 November occurrence counts as overdue (one rule for
            # single activities and series)
            assert cells(screen.query_one("#overdue", RecordTable), "subject") == [
                "Weekly sync",
                "Chase signature",
            ]
            pipeline = screen.query_one("#pipeline", RecordTable)
            assert cells(pipeline, "stage")[:3] == ["Prospecting", "Qualification", "Proposal"]
            # alice's open deals: Globex support (Prospecting), Globex pilot (Qualification),
            # Acme renewal (Proposal), Acme expansion (Negotiation); bob's are not hers
            assert cells(pipeline, "count") == ["1", "1", "1", "0", "1"]
            idle = cells(screen.query_one("#idle", RecordTable), "name")
            assert "Globex pilot" in idle  # untouched since September
            assert screen.query_one("#history", RecordTable).row_count > 0
            assert not errors(app)

        drive(small_book, scenario)

    def test_enter_on_an_idle_deal_opens_it(self, small_book: Crm) -> None:
        async def scenario(pilot: Any, app: CrmApp) -> None:
            app.screen.query_one("#idle", RecordTable).focus()
            await pilot.press("enter")
            await settle(pilot, app)
            assert isinstance(app.screen, DealDetail)
            assert app.screen.record["name"] == "Globex pilot"
            await pilot.press("escape")
            assert isinstance(app.screen, HomeScreen)

        drive(small_book, scenario)


class TestBoard:
    """The board: columns per stage, cards moved by keys and the mouse, won and lost."""

    def test_columns_and_cards(self, small_book: Crm) -> None:
        async def scenario(pilot: Any, app: CrmApp) -> None:
            board = app.screen
            assert isinstance(board, BoardScreen)
            names = {c.deal["name"]: c.stage_index for c in board.query(Card)}
            assert names == {
                "Globex support": 0,
                "Globex pilot": 1,
                "Acme renewal": 2,
                "Acme expansion": 4,
            }
            await pilot.press("o")  # everyone's deals
            await settle(pilot, app)
            assert "Initech licences" in {c.deal["name"] for c in board.query(Card)}

        drive(small_book, scenario, start="board")

    def test_move_a_card_with_the_keyboard_is_in_history(self, small_book: Crm) -> None:
        async def scenario(pilot: Any, app: CrmApp) -> None:
            board = app.screen
            assert isinstance(board, BoardScreen)
            focused = board.focused_card()
            assert focused is not None and focused.deal["name"] == "Globex support"
            await pilot.press("shift+right")
            await settle(pilot, app)
            moved = board.focused_card()
            assert moved is not None and moved.deal["name"] == "Globex support"
            assert moved.stage_index == 1  # now in Qualification, still focused

        drive(small_book, scenario, start="board")
        deal = small_book.json("deal show 'Globex support'")
        assert deal["stage"] == "Qualification"
        history = small_book.json("history 'Globex support'")["changes"]
        moved = [h for h in history if h.get("field") == "stage_id"]
        assert moved and moved[-1]["user"] == "alice"

    def test_a_refused_move_is_a_notification_not_a_crash(self, small_book: Crm) -> None:
        async def scenario(pilot: Any, app: CrmApp) -> None:
            await pilot.press("shift+left")  # Globex support is in the first open stage
            await settle(pilot, app)
            assert any("first open stage" in m for m in errors(app))
            assert isinstance(app.screen, BoardScreen)

        drive(small_book, scenario, start="board")

    def test_drag_a_card_onto_another_column(self, small_book: Crm) -> None:
        async def scenario(pilot: Any, app: CrmApp) -> None:
            board = app.screen
            assert isinstance(board, BoardScreen)
            card = next(c for c in board.query(Card) if c.deal["name"] == "Globex pilot")
            target = board.query(".stage-column")[3]  # Evaluation
            await pilot.mouse_down(card)
            await pilot.mouse_up(target, offset=(3, 5))
            await settle(pilot, app)

        drive(small_book, scenario, start="board", size=(120, 30))
        assert small_book.json("deal show 'Globex pilot'")["stage"] == "Evaluation"

    def test_win_and_lose_from_the_board(self, small_book: Crm) -> None:
        async def scenario(pilot: Any, app: CrmApp) -> None:
            await pilot.press("w")  # Globex support
            await settle(pilot, app)
            board = app.screen
            assert isinstance(board, BoardScreen)
            assert "Globex support" not in {c.deal["name"] for c in board.query(Card)}
            await pilot.press("l")  # the focus is on the first card again: Globex pilot
            await settle(pilot, app)
            form = app.screen
            assert isinstance(form, FormScreen)
            assert "known: price" in text_of(form.query_one("#error-reason"))
            await type_into(pilot, app, "reason", "timing")
            await type_into(pilot, app, "competitor", "Umbrella")
            await pilot.press("enter")
            await settle(pilot, app)
            assert isinstance(app.screen, BoardScreen)

        drive(small_book, scenario, start="board")
        assert small_book.json("deal show 'Globex support'")["status"] == "won"
        lost = small_book.json("deal show 'Globex pilot'")
        assert (lost["status"], lost["lost_reason"], lost["competitor"]) == (
            "lost",
            "timing",
            "Umbrella",
        )

    def test_lose_without_a_reason_says_so_next_to_the_field(self, small_book: Crm) -> None:
        async def scenario(pilot: Any, app: CrmApp) -> None:
            await pilot.press("l")
            await settle(pilot, app)
            await pilot.press("enter")
            await settle(pilot, app)
            form = app.screen
            assert isinstance(form, FormScreen)  # still open
            assert "needs a reason" in text_of(form.query_one("#error-reason"))

        drive(small_book, scenario, start="board")
        assert small_book.json("deal show 'Globex support'")["status"] == "open"


class TestLists:
    """Lists page from the database, search as you type, sort, filter by owner and status."""

    def test_contacts_search_as_you_type(self, small_book: Crm) -> None:
        async def scenario(pilot: Any, app: CrmApp) -> None:
            screen = app.screen
            assert isinstance(screen, ListScreen)
            table = screen.query_one(RecordTable)
            assert cells(table, "name") == ["Ada Lovelace", "Hank Scorpio"]  # mine only
            await pilot.press("o")
            await settle(pilot, app)
            assert cells(table, "name") == ["Ada Lovelace", "Bill Lumbergh", "Hank Scorpio"]
            await pilot.press("slash", "h", "a", "n")
            await settle(pilot, app)
            assert cells(table, "name") == ["Hank Scorpio"]
            await pilot.press("escape", "enter")
            await settle(pilot, app)
            assert isinstance(app.screen, DetailScreen)
            assert app.screen.record["email"] == "hank@globex.example"

        drive(small_book, scenario, start="contacts")

    def test_search_box_edits_and_a_page_slower_than_a_frame(
        self, small_book: Crm, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Deleting a letter reloads too; a page that misses the frame the search box waits
        for is shown when it arrives, and a page answered after a newer one is dropped."""
        from crmcli.tui.screens import lists

        async def scenario(pilot: Any, app: CrmApp) -> None:
            screen = app.screen
            assert isinstance(screen, ListScreen)
            table = screen.query_one(RecordTable)
            await pilot.press("o", "slash", "h", "a", "n")
            await settle(pilot, app)
            assert cells(table, "name") == ["Hank Scorpio"]
            await pilot.press("backspace", "backspace", "backspace")
            await settle(pilot, app)
            assert len(cells(table, "name")) == 3
            monkeypatch.setattr(lists, "SAME_FRAME", 0.0)  # no page answers that fast
            shown = screen.pages_shown
            await pilot.press("b", "i")
            await settle(pilot, app)
            assert cells(table, "name") == ["Bill Lumbergh"]
            assert screen.pages_shown > shown
            stale = ListQuery(search="zzz", owner=None)
            screen._arrived(stale, [{"id": "x", "name": "stale"}])  # typed on since: dropped
            assert cells(table, "name") == ["Bill Lumbergh"]

        drive(small_book, scenario, start="contacts")

    def test_a_search_longer_than_its_box_scrolls_in_it(self, small_book: Crm) -> None:
        async def scenario(pilot: Any, app: CrmApp) -> None:
            box = app.screen.query_one("#search", Input)
            await pilot.press("slash", *"a very long search for a contact who is not there")
            await settle(pilot, app)
            assert box.value.endswith("not there") and box.scroll_x > 0  # the end is in view
            assert cells(app.screen.query_one(RecordTable), "name") == []

        drive(small_book, scenario, start="contacts", size=(80, 24))

    def test_a_worker_keeps_its_connection_and_sees_new_writes(self, small_book: Crm) -> None:
        """Pages are read on each worker thread's own kept connection, one transaction a
        page: a contact added meanwhile (by `crm`, another connection) is on the next page
        read; the app closes its connections when it ends."""

        async def scenario(pilot: Any, app: CrmApp) -> None:
            table = app.screen.query_one(RecordTable)
            await pilot.press("o")
            await settle(pilot, app)
            assert "Grace Hopper" not in cells(table, "name")
            small_book("contact", "add", "Grace Hopper", "--email", "grace@navy.example")
            await pilot.press("o", "o")  # mine, then everyone's again
            await settle(pilot, app)
            assert "Grace Hopper" in cells(table, "name")
            assert app._opened and all(book.db._conn is not None for book in app._opened)

        app = drive(small_book, scenario, start="contacts")
        assert app._opened and all(book.db._conn is None for book in app._opened)

    def test_sort_by_clicking_a_column_header(self, small_book: Crm) -> None:
        async def scenario(pilot: Any, app: CrmApp) -> None:
            table = app.screen.query_one(RecordTable)
            await pilot.press("o")
            await settle(pilot, app)
            assert cells(table, "name") == ["Acme GmbH", "Globex", "Initech"]
            await pilot.click(RecordTable, offset=(1, 0))  # the Name header: by name
            await settle(pilot, app)
            assert cells(table, "name") == ["Acme GmbH", "Globex", "Initech"]
            await pilot.click(RecordTable, offset=(1, 0))  # again: descending
            await settle(pilot, app)
            assert cells(table, "name") == ["Initech", "Globex", "Acme GmbH"]
            domain = sum(c.get_render_width(table) for c in list(table.columns.values())[:6]) + 1
            await pilot.click(RecordTable, offset=(domain, 0))  # the service cannot sort by it
            await settle(pilot, app)
            assert cells(table, "name") == ["Initech", "Globex", "Acme GmbH"]

        drive(small_book, scenario, start="companies")

    def test_deal_status_filter_and_sort(self, small_book: Crm) -> None:
        async def scenario(pilot: Any, app: CrmApp) -> None:
            table = app.screen.query_one(RecordTable)
            await pilot.press("o", "f")  # everyone's, won
            await settle(pilot, app)
            assert table.row_count == 0
            await pilot.press("f")  # lost
            await settle(pilot, app)
            assert cells(table, "name") == ["Initech audit"]
            await pilot.press("f", "f", "s")  # all, sorted by name
            await settle(pilot, app)
            assert cells(table, "name")[:2] == ["Acme expansion", "Acme renewal"]

        drive(small_book, scenario, start="deals")

    def test_pages_flip_on_a_big_book(self, demo: Crm) -> None:
        async def scenario(pilot: Any, app: CrmApp) -> None:
            screen = app.screen
            assert isinstance(screen, ListScreen)
            table = screen.query_one(RecordTable)
            await pilot.press("o")
            await settle(pilot, app)
            first = cells(table, "name")
            assert len(first) == 50 and screen.has_more
            await pilot.press("n")
            await settle(pilot, app)
            second = cells(table, "name")
            assert len(second) == 50 and not set(first) & set(second)
            assert "51–100+" in text_of(screen.query_one("#list-status"))
            await pilot.press("p")
            await settle(pilot, app)
            assert cells(table, "name") == first

        drive(demo, scenario, start="contacts")

    def test_activities_and_leads(self, small_book: Crm) -> None:
        async def scenario(pilot: Any, app: CrmApp) -> None:
            table = app.screen.query_one(RecordTable)
            assert "Chase signature" in cells(table, "subject")
            await pilot.press("f", "f", "f")  # overdue (the series' missed occurrence too)
            await settle(pilot, app)
            assert cells(table, "subject") == ["Weekly sync", "Chase signature"]
            await pilot.press("3")  # leads
            await settle(pilot, app)
            leads = app.screen.query_one(RecordTable)
            assert sorted(cells(leads, "name")) == ["Alan Turing", "Grace Hopper"]

        drive(small_book, scenario, start="activities")


class TestDetail:
    """Detail screens: fields, timelines, edit with the services' messages, verbs."""

    def open_deal(self, name: str) -> Any:
        async def go(pilot: Any, app: CrmApp) -> None:
            await pilot.press("6", "slash", *list(name), "enter", "enter")
            await settle(pilot, app)
            assert isinstance(app.screen, DealDetail)

        return go

    def test_deal_shows_fields_timeline_and_changes(self, small_book: Crm) -> None:
        async def scenario(pilot: Any, app: CrmApp) -> None:
            await self.open_deal("Acme renewal")(pilot, app)
            screen = app.screen
            text = text_of(screen.query_one("#fields"))
            assert "48,000.00 EUR" in text and "Ada Lovelace" in text and "send proposal" in text
            tables = list(screen.query(".detail-table").results(RecordTable))
            activity, stages = tables[0], tables[1]
            assert "Discussed pricing" in cells(activity, "subject")
            assert cells(stages, "to_stage") == ["Prospecting", "Proposal"]

        drive(small_book, scenario)

    def test_deal_shows_its_orders_and_payments(self, small_book: Crm) -> None:
        quote = small_book.json("quote new --deal 'Acme renewal'")["number"]
        small_book("quote", "line", "add", quote, "--text", "Rollout service", "--price", "1000")
        small_book("quote", "send", quote)
        small_book("quote", "accept", quote, "--no-win")
        small_book("payment", "add", "Acme renewal", "400", "--reference", "TRX-77")

        async def scenario(pilot: Any, app: CrmApp) -> None:
            await self.open_deal("Acme renewal")(pilot, app)
            tables = list(app.screen.query(".detail-table").results(RecordTable))
            orders = next(t for t in tables if [c.key for c in t.cols][:2] == ["number", "status"])
            payments = next(t for t in tables if [c.key for c in t.cols][:1] == ["paid_at"])
            assert [c.strip() for c in cells(orders, "balance")] == ["600.00 EUR"]
            assert [c.strip() for c in cells(payments, "amount")] == ["400.00 EUR"]

        drive(small_book, scenario)

    def test_edit_shows_the_services_message_next_to_the_field(self, small_book: Crm) -> None:
        async def scenario(pilot: Any, app: CrmApp) -> None:
            await self.open_deal("Acme renewal")(pilot, app)
            await pilot.press("e")
            await settle(pilot, app)
            await type_into(pilot, app, "amount", "lots")
            await pilot.press("enter")
            await settle(pilot, app)
            form = app.screen
            assert isinstance(form, FormScreen)
            assert "'lots' is not an amount" in text_of(form.query_one("#error-amount"))
            assert text_of(form.query_one("#error-name")).strip() == ""
            await type_into(pilot, app, "amount", "52000")
            await pilot.press("enter")
            await settle(pilot, app)
            assert isinstance(app.screen, DealDetail)
            assert "52,000.00 EUR" in text_of(app.screen.query_one("#fields"))

        drive(small_book, scenario)
        history = small_book.json("history 'Acme renewal'")["changes"]
        change = [
            h
            for h in history
            if h.get("field") == "amount_cents" or h.get("field") == "amount_milli"
        ]
        assert change and change[-1]["user"] == "alice"

    def test_move_win_from_the_deal(self, small_book: Crm) -> None:
        async def scenario(pilot: Any, app: CrmApp) -> None:
            await self.open_deal("Acme renewal")(pilot, app)
            await pilot.press("m")
            await settle(pilot, app)
            await pilot.press("down", "down", "down", "enter")  # 4. Evaluation
            await settle(pilot, app)
            assert app.screen.record["stage"] == "Evaluation"
            await pilot.press("w")
            await settle(pilot, app)
            assert app.screen.record["status"] == "won"

        drive(small_book, scenario)
        assert small_book.json("deal show 'Acme renewal'")["status"] == "won"

    def test_convert_a_lead(self, small_book: Crm) -> None:
        async def scenario(pilot: Any, app: CrmApp) -> None:
            await pilot.press("3", "slash", *list("grace"), "enter", "enter")
            await settle(pilot, app)
            assert isinstance(app.screen, LeadDetail)
            await pilot.press("c")
            await settle(pilot, app)
            await type_into(pilot, app, "amount", "12000")
            await pilot.press("enter")
            await settle(pilot, app)
            assert isinstance(app.screen, DealDetail)  # the new deal opens
            assert app.screen.record["name"] == "Navy Labs"

        drive(small_book, scenario)
        lead = small_book.json("lead show grace@navy.example")
        assert lead["status"] == "converted"
        assert small_book.json("deal show 'Navy Labs'")["amount"] == "12000.00"

    def test_company_360_and_contact_edit(self, small_book: Crm) -> None:
        async def scenario(pilot: Any, app: CrmApp) -> None:
            await pilot.press("5", "enter")
            await settle(pilot, app)
            screen = app.screen
            assert isinstance(screen, DetailScreen) and screen.entity == "company"
            tables = list(screen.query(".detail-table").results(RecordTable))
            assert cells(tables[0], "name") == ["Ada Lovelace"]
            assert sorted(cells(tables[1], "name")) == ["Acme expansion", "Acme renewal"]
            tables[0].focus()
            await pilot.press("enter")  # open Ada
            await settle(pilot, app)
            assert app.screen.entity == "contact"
            await pilot.press("e")
            await settle(pilot, app)
            await type_into(pilot, app, "email", "ada@")
            await pilot.press("enter")
            await settle(pilot, app)
            assert "not a valid e-mail" in text_of(app.screen.query_one("#error-email"))
            await pilot.press("escape")
            assert app.screen.entity == "contact"

        drive(small_book, scenario)
        assert small_book.json("contact show ada@acme.example")["email"] == "ada@acme.example"


class TestCalendar:
    """The week view: recurring series expanded, weeks navigated, done and reschedule."""

    def subjects(self, app: CrmApp) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {}
        for item in app.screen.query(Item):
            out.setdefault(item.day_index, []).append(item.item["subject"])
        return out

    def test_week_with_the_series_expanded(self, small_book: Crm) -> None:
        async def scenario(pilot: Any, app: CrmApp) -> None:
            assert isinstance(app.screen, CalendarScreen)
            week = self.subjects(app)
            assert week[0] == ["Weekly sync", "Send proposal"]
            assert week[2] == ["Pricing follow-up"]
            assert "Week 48" in text_of(app.screen.query_one("#week-bar"))
            await pilot.press("right_square_bracket")
            await settle(pilot, app)
            assert self.subjects(app) == {0: ["Weekly sync"]}  # the series goes on
            await pilot.press("t")
            await settle(pilot, app)
            assert "Week 48" in text_of(app.screen.query_one("#week-bar"))

        drive(small_book, scenario, start="calendar")

    def test_mark_an_occurrence_done_and_reschedule(self, small_book: Crm) -> None:
        async def scenario(pilot: Any, app: CrmApp) -> None:
            screen = app.screen
            assert isinstance(screen, CalendarScreen)
            focused = screen.focused_item()
            assert focused is not None and focused.item["subject"] == "Weekly sync"
            await pilot.press("d")
            await settle(pilot, app)
            done = screen.focused_item()
            assert done is not None and done.item.get("done_at") is not None
            await pilot.press("down", "s")  # reschedule "Send proposal"
            await settle(pilot, app)
            await type_into(pilot, app, "when", "2026-11-24 09:00")
            await pilot.press("enter")
            await settle(pilot, app)
            assert self.subjects(app)[1] == ["Send proposal"]

        drive(small_book, scenario, start="calendar")
        done = small_book.json("activity list --done")
        assert any(a["subject"] == "Weekly sync" for a in done)


class TestQuickActions:
    """Quick actions open from any screen; what they write is in history with the user."""

    def test_log_an_activity_from_a_deal(self, small_book: Crm) -> None:
        async def scenario(pilot: Any, app: CrmApp) -> None:
            await TestDetail().open_deal("Acme renewal")(pilot, app)
            await pilot.press("L")
            await settle(pilot, app)
            form = app.screen
            assert isinstance(form, FormScreen)
            assert form.query_one("#field-deal", Input).value  # prefilled with this deal
            await type_into(pilot, app, "subject", "Agreed terms")
            await type_into(pilot, app, "contact", "ada@acme.example")
            await type_into(pilot, app, "when", "2026-11-23 09:00")
            await pilot.press("enter")
            await settle(pilot, app)
            assert isinstance(app.screen, DealDetail)
            assert any("logged call" in m for m in notes(app))

        drive(small_book, scenario)
        logged = small_book.json("activity list --deal 'Acme renewal'")
        assert any(
            a["subject"] == "Agreed terms" and a["contact"] == "Ada Lovelace" for a in logged
        )
        history = small_book.json("history --entity activity")
        assert any(h["user"] == "alice" and h["op"] == "create" for h in history)

    def test_add_a_lead_with_a_bad_email(self, small_book: Crm) -> None:
        async def scenario(pilot: Any, app: CrmApp) -> None:
            await pilot.press("N")
            await settle(pilot, app)
            await type_into(pilot, app, "name", "Katherine Johnson")
            await type_into(pilot, app, "email", "kj@@nasa")
            await pilot.press("enter")
            await settle(pilot, app)
            assert "not a valid e-mail" in text_of(app.screen.query_one("#error-email"))
            await type_into(pilot, app, "email", "kj@nasa.example")
            await pilot.press("enter")
            await settle(pilot, app)
            assert not isinstance(app.screen, FormScreen)

        drive(small_book, scenario, start="leads")
        assert small_book.json("lead show kj@nasa.example")["owner"] == "alice"

    def test_follow_up_and_add_deal(self, small_book: Crm) -> None:
        async def scenario(pilot: Any, app: CrmApp) -> None:
            await pilot.press("F")
            await settle(pilot, app)
            await pilot.press("enter")  # task "Follow up", tomorrow 9:00
            await settle(pilot, app)
            await pilot.press("D")
            await settle(pilot, app)
            await type_into(pilot, app, "name", "Globex renewal")
            await type_into(pilot, app, "company", "Globex")
            await type_into(pilot, app, "amount", "-5")
            await pilot.press("enter")
            await settle(pilot, app)
            assert "negative" in text_of(app.screen.query_one("#error-amount"))
            await type_into(pilot, app, "amount", "15000")
            await pilot.press("enter")
            await settle(pilot, app)

        drive(small_book, scenario)
        tasks = small_book.json("activity list --kind task --open")
        assert any(t["subject"] == "Follow up" for t in tasks)
        assert small_book.json("deal show 'Globex renewal'")["company"] == "Globex"


class TestPaletteAndHelp:
    """The command palette reaches screens, actions and records; help lists the keys."""

    def test_palette_opens_a_record_by_name(self, small_book: Crm) -> None:
        async def scenario(pilot: Any, app: CrmApp) -> None:
            await pilot.press("ctrl+p")
            await settle(pilot, app)
            await pilot.press(*list("acme renewal"))
            await pilot.pause(0.3)
            await settle(pilot, app)
            await pilot.pause(0.3)
            await pilot.press("enter")
            await settle(pilot, app)
            assert isinstance(app.screen, DealDetail)
            assert app.screen.record["name"] == "Acme renewal"

        drive(small_book, scenario)

    def test_palette_reaches_a_screen(self, small_book: Crm) -> None:
        async def scenario(pilot: Any, app: CrmApp) -> None:
            await pilot.press("ctrl+p")
            await settle(pilot, app)
            await pilot.press(*list("go to calendar"))
            await pilot.pause(0.3)
            await pilot.press("enter")
            await settle(pilot, app)
            assert isinstance(app.screen, CalendarScreen)

        drive(small_book, scenario)

    def test_help_lists_screens_and_keys(self, small_book: Crm) -> None:
        async def scenario(pilot: Any, app: CrmApp) -> None:
            await pilot.press("question_mark")
            await settle(pilot, app)
            text = text_of(app.screen.query_one("#help-text"))
            for words in ("Board", "Calendar", "Log an activity", "command palette"):
                assert words in text
            await pilot.press("escape")
            assert isinstance(app.screen, HomeScreen)

        drive(small_book, scenario)


class TestTerminal:
    """Themes follow the terminal; NO_COLOR is respected; q quits cleanly."""

    def test_light_terminal_gets_the_light_theme(self, small_book: Crm, monkeypatch: Any) -> None:
        monkeypatch.delenv("CRM_THEME")
        monkeypatch.setenv("COLORFGBG", "0;15")

        async def scenario(pilot: Any, app: CrmApp) -> None:
            assert app.theme == "textual-light"
            await pilot.press("T")
            assert app.theme == "textual-dark"

        drive(small_book, scenario)

    def test_no_color(self, small_book: Crm, monkeypatch: Any) -> None:
        monkeypatch.setenv("NO_COLOR", "1")

        async def scenario(pilot: Any, app: CrmApp) -> None:
            assert app.no_color

        drive(small_book, scenario)

    def test_q_quits(self, small_book: Crm) -> None:
        async def scenario(pilot: Any, app: CrmApp) -> None:
            await pilot.press("q")
            await pilot.pause()

        app = drive(small_book, scenario)
        assert app.return_code == 0


class TestQuotesAndReports:
    """The read-only screens other areas bring: quotes by status, reports by quarter."""

    def test_quotes_list_by_status(self, demo: Crm) -> None:
        async def scenario(pilot: Any, app: CrmApp) -> None:
            table = app.screen.query_one(RecordTable)
            await pilot.press("o")
            await settle(pilot, app)
            assert table.row_count == 50
            await pilot.press("f")  # draft
            await settle(pilot, app)
            statuses = set(cells(table, "status"))
            assert statuses == {"draft"}

        drive(demo, scenario, start="quotes")

    def test_funnel_then_lost_deals(self, small_book: Crm) -> None:
        from crmcli.tui.screens.reports import ReportScreen

        async def scenario(pilot: Any, app: CrmApp) -> None:
            screen = app.screen
            assert isinstance(screen, ReportScreen)
            assert "Funnel 2026-Q4" in text_of(screen.query_one("#report-title"))
            stages = screen.query(RecordTable).first()
            assert cells(stages, "stage")[0] == "Prospecting"
            await pilot.press("l")
            await settle(pilot, app)
            title = text_of(screen.query_one("#report-title"))
            assert "Lost" in title or "lost" in title
            body = " ".join(" ".join(cells(t, t.cols[0].key)) for t in screen.query(RecordTable))
            assert "price" in body
            await pilot.press("left_square_bracket")
            await settle(pilot, app)
            assert "2026-Q3" in text_of(screen.query_one("#report-title"))
            assert not errors(app)

        drive(small_book, scenario, start="reports")


class TestCommand:
    """`crm tui SCREEN` names a registered screen; another name is a one-line error."""

    def test_unknown_screen(self, small_book: Crm) -> None:
        run = small_book("tui nowhere", ok=False)
        assert run.exit_code == 1
        assert "there is no screen 'nowhere'" in run.stderr and "board" in run.stderr
