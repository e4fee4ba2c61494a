"""TUI fixtures: a small book with known names and deterministic ids, and a Pilot driver.

The book is built through the services (as `crm` would) with ids drawn from a seeded random
source, so its screens look the same in every run: snapshot tests compare them.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from crmcli import clock
from crmcli.config import Settings
from crmcli.services.book import Book
from crmcli.tui.app import CrmApp, make_app
from tests.conftest import Crm


def build_small_book(path: Path) -> None:
    """Two reps, three companies, contacts, six deals across stages, a lead, a week of
    activities with a recurring meeting, an overdue task and a lost deal."""
    from crmcli.services import activities, companies, contacts, deals, leads, users

    when = clock.parse_when
    book = Book.open(Settings(db=str(path), user="alice"))
    try:
        users.add_user(book, username="bob", name="Bob Okafor", team="west")
        earlier = when("2026-09-01 09:00")
        companies.add_company(
            book,
            name="Acme GmbH",
            domain="acme.example",
            classification="target",
            industry="machinery",
            city="Berlin",
            at=earlier,
        )
        companies.add_company(book, name="Globex", domain="globex.example", at=earlier)
        companies.add_company(book, name="Initech", domain="initech.example", at=earlier)
        contacts.add_contact(
            book,
            name="Ada Lovelace",
            email="ada@acme.example",
            phone="+44 20 7946 0000",
            company="Acme GmbH",
            title="CTO",
            at=earlier,
        )
        contacts.add_contact(
            book, name="Hank Scorpio", email="hank@globex.example", company="Globex", at=earlier
        )
        contacts.add_contact(
            book,
            name="Bill Lumbergh",
            email="bill@initech.example",
            company="Initech",
            owner="bob",
            at=earlier,
        )
        deals.add_deal(
            book,
            name="Acme renewal",
            company="Acme GmbH",
            contact="Ada Lovelace",
            amount="48000",
            close="2026-12-15",
            next_step="send proposal",
            at=when("2026-10-01 10:00"),
        )
        deals.add_deal(
            book,
            name="Acme expansion",
            company="Acme GmbH",
            amount="12500",
            close="2027-01-31",
            at=when("2026-10-05 10:00"),
        )
        deals.add_deal(
            book,
            name="Globex pilot",
            company="Globex",
            contact="Hank Scorpio",
            amount="9000",
            close="2026-12-01",
            at=when("2026-09-15 10:00"),
        )
        deals.add_deal(
            book,
            name="Initech licences",
            company="Initech",
            amount="30000",
            owner="bob",
            at=when("2026-10-10 10:00"),
        )
        deals.add_deal(
            book,
            name="Globex support",
            company="Globex",
            amount="4000",
            at=when("2026-11-02 10:00"),
        )
        deals.add_deal(
            book,
            name="Initech audit",
            company="Initech",
            amount="7000",
            at=when("2026-08-01 10:00"),
        )
        deals.move_deal(book, "Acme renewal", stage="Proposal", at=when("2026-11-02 10:00"))
        deals.move_deal(book, "Globex pilot", stage="Qualification", at=when("2026-09-20 10:00"))
        deals.move_deal(book, "Acme expansion", stage="Negotiation", at=when("2026-11-20 10:00"))
        deals.lose_deal(
            book,
            "Initech audit",
            reason="price",
            competitor="Umbrella",
            at=when("2026-10-20 10:00"),
        )
        leads.add_lead(
            book,
            name="Grace Hopper",
            email="grace@navy.example",
            company_name="Navy Labs",
            source="web",
            at=earlier,
        )
        leads.add_lead(
            book,
            name="Alan Turing",
            email="alan@bletchley.example",
            company_name="Bletchley",
            source="event",
            at=earlier,
        )
        activities.log_activity(
            book,
            kind="call",
            subject="Discussed pricing",
            contact="ada@acme.example",
            deal="Acme renewal",
            at=when("2026-11-22 16:00"),
        )
        activities.add_activity(
            book,
            kind="meeting",
            subject="Weekly sync",
            contact="ada@acme.example",
            start=when("2026-11-16 10:00"),
            duration=timedelta(minutes=30),
            every="weekly",
            at=earlier,
        )
        activities.add_activity(
            book,
            kind="call",
            subject="Pricing follow-up",
            contact="hank@globex.example",
            deal="Globex pilot",
            start=when("2026-11-25 14:00"),
            at=earlier,
        )
        activities.add_activity(
            book,
            kind="task",
            subject="Send proposal",
            deal="Acme renewal",
            due=when("2026-11-23 17:00"),
            at=earlier,
        )
        activities.add_activity(
            book,
            kind="task",
            subject="Chase signature",
            deal="Globex pilot",
            due=when("2026-11-19 12:00"),
            at=earlier,
        )
        activities.add_activity(
            book,
            kind="meeting",
            subject="Demo at Initech",
            deal="Initech licences",
            start=when("2026-11-26 11:00"),
            duration=timedelta(hours=1),
            owner="bob",
            at=earlier,
        )
    finally:
        book.close()


@pytest.fixture
def small_book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Crm:
    """The small book (alice acting), as a `crm` runner on its file."""
    from typer.testing import CliRunner

    from crmcli.storage import db

    rng = random.Random(7)

    def drawn() -> str:  # record and change ids from one seeded stream, as the snapshots were
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    monkeypatch.setattr(db, "new_id", drawn)
    monkeypatch.setattr(db, "new_change_id", drawn)
    monkeypatch.setenv("CRM_THEME", "dark")
    path = tmp_path / "small.db"
    build_small_book(path)
    return Crm(db=path, runner=CliRunner())


def app_for(crm: Crm, *, start: str = "home", user: str | None = None) -> CrmApp:
    """The app on a test book, as `crm tui` opens it (each worker its own connection)."""
    settings = Settings.resolve(db=str(crm.db), user=user)
    return make_app(lambda: Book.open(settings), start=start)


async def settle(pilot: Any, app: CrmApp) -> None:
    """Let every worker finish and the screen repaint (no sleeps: waits on the work itself,
    including the DataTables' column widths, which Textual computes when it is idle)."""
    from textual.widgets import DataTable

    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()
    for _ in range(100):
        pending = [
            t
            for t in app.screen.query(DataTable)
            if getattr(t, "_require_update_dimensions", False) or getattr(t, "_new_rows", None)
        ]
        if not pending and not app.workers._workers:
            break
        await pilot.pause()
    await pilot.pause()
    # On a busy machine Textual may still be laying out (a column measured when it is idle):
    # wait until two captures of the screen, a short pause apart, are the same.
    shown = app.export_screenshot()
    for _ in range(40):
        await pilot.pause(0.02)
        again = app.export_screenshot()
        if again == shown:
            break
        shown = again


Scenario = Callable[[Any, CrmApp], Awaitable[None]]


def drive(
    crm: Crm,
    scenario: Scenario,
    *,
    start: str = "home",
    size: tuple[int, int] = (100, 30),
    user: str | None = None,
) -> CrmApp:
    """Run the app headless at ``size`` and play ``scenario`` (pilot, app) on it."""
    app = app_for(crm, start=start, user=user)

    async def run() -> None:
        async with app.run_test(size=size) as pilot:
            await settle(pilot, app)
            await scenario(pilot, app)

    asyncio.run(run())
    return app


@pytest.fixture(autouse=True)
def _quiet_cursor(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No blinking cursor: screenshots do not depend on when they are taken."""
    from textual.widgets import Input

    monkeypatch.setattr(Input, "cursor_blink", False, raising=False)
    yield
