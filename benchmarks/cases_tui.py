"""TUI figures (issue 15): headless (``App.run_test``) on the benchmark book, as one rep.

Home must be shown within 1.0 s of the app's start; switching to the board or a list,
flipping a list page and one keystroke of incremental search each update the screen within
100 ms. A bare Textual ``DataTable`` flipping a page of the same size is measured in the same
run as the reference (flipped by a key press, as ours is, and — for information — by a
direct call), and each figure's ratio to the key-press flip is reported.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness import Lap, Timing

NOW = "2026-11-23T10:00:00+00:00"
REP = "rep012"  # one of the 200 reps (and of the quick book's 20)
FLIPS = 7
SIZE = (120, 40)


async def _until(pilot: Any, done: Callable[[], bool], *, timeout: float = 30.0) -> float:
    """Seconds until ``done()`` holds and the screen has had a refresh."""
    started = time.perf_counter()
    while not done():
        failed = [n.message for n in pilot.app._notifications if n.severity == "error"]
        if failed:
            raise RuntimeError(f"the TUI said: {failed[0]}")
        if time.perf_counter() - started > timeout:
            raise TimeoutError("the TUI did not update within 30 s")
        await pilot.pause()
    await pilot.pause()  # the refresh that paints it
    return time.perf_counter() - started


async def _bare_flip_seconds(rows: int, columns: int) -> tuple[float, float, float]:
    """Median times for a bare DataTable app to replace one page of ``rows`` rows: flipped by
    a key press (like ours: the key, the binding, the repaint) and by a direct call."""
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable, Footer, Header

    class Bare(App[None]):
        BINDINGS = [("n", "flip", "Next page")]
        flips = 0
        started_in = 0.0

        def compose(self) -> ComposeResult:
            yield Header()
            yield DataTable()
            yield Footer()

        def on_mount(self) -> None:
            self.query_one(DataTable).add_columns(*(f"col {i}" for i in range(columns)))

        def action_flip(self) -> None:
            table = self.query_one(DataTable)
            table.clear()
            for r in range(rows):
                table.add_row(*(f"row {self.flips}-{r} value {c}" for c in range(columns)))
            self.flips += 1

    app = Bare()
    pressed, direct = [], []
    started = time.perf_counter()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        Bare.started_in = time.perf_counter() - started
        for flip in range(FLIPS + 1):
            started = time.perf_counter()
            await pilot.press("n")
            await pilot.pause()
            if flip:
                pressed.append(time.perf_counter() - started)
        for flip in range(FLIPS + 1):
            started = time.perf_counter()
            app.action_flip()
            await pilot.pause()
            if flip:
                direct.append(time.perf_counter() - started)
    return statistics.median(pressed), statistics.median(direct), Bare.started_in


async def _tui(book: Path) -> dict[str, float]:
    from crmcli.config import Settings
    from crmcli.services.book import Book
    from crmcli.tui.app import make_app
    from crmcli.tui.screens.board import BoardScreen
    from crmcli.tui.screens.home import HomeScreen
    from crmcli.tui.screens.lists import ListScreen

    settings = Settings.resolve(db=str(book), user=REP)
    out: dict[str, float] = {}
    started = time.perf_counter()
    app = make_app(lambda: Book.open(settings))
    async with app.run_test(size=SIZE) as pilot:

        def home_ready() -> bool:
            screen = app.screen
            return isinstance(screen, HomeScreen) and len(screen.sections_loaded) == 5

        await _until(pilot, home_ready)
        out["home"] = time.perf_counter() - started

        async def switch(key: str, ready: Callable[[], bool]) -> float:
            await pilot.press(key)
            return await _until(pilot, ready)

        def board_ready() -> bool:
            return isinstance(app.screen, BoardScreen) and app.screen.loads > 0

        out["board"] = await switch("2", board_ready)

        def list_ready() -> bool:
            return isinstance(app.screen, ListScreen) and app.screen.pages_shown > 0

        out["list"] = await switch("6", list_ready)
        deals = app.screen
        assert isinstance(deals, ListScreen)
        shown = deals.pages_shown
        await pilot.press("o")  # everyone's deals: 100k to page through
        await _until(pilot, lambda: deals.pages_shown > shown)
        flips = []
        for _ in range(FLIPS):
            shown = deals.pages_shown
            started = time.perf_counter()
            await pilot.press("n")
            await _until(pilot, lambda shown=shown: deals.pages_shown > shown)
            flips.append(time.perf_counter() - started)
        out["flip"] = statistics.median(flips)
        await pilot.press("slash")
        keystrokes = []
        for letter in "renewal":
            shown = deals.pages_shown
            started = time.perf_counter()
            await pilot.press(letter)
            await _until(pilot, lambda shown=shown: deals.pages_shown > shown)
            keystrokes.append(time.perf_counter() - started)
        out["search"] = statistics.median(keystrokes)
    return out


def _measure(book: Path) -> list[Lap]:
    os.environ["CRM_NOW"] = NOW
    os.environ["CRM_TZ"] = "UTC"
    from crmcli import clock
    from crmcli.tui.screens.lists import LISTS, PAGE_SIZE

    clock.local_zone.cache_clear()
    reference, direct, start = asyncio.run(
        _bare_flip_seconds(PAGE_SIZE, len(LISTS["deals"].columns))
    )
    got = asyncio.run(_tui(book))
    return [
        Lap(f"tui: Home shown after start ({REP})", got["home"], 1.0, start),
        Lap("tui: switch to the board", got["board"], 0.1, reference),
        Lap("tui: switch to the deal list", got["list"], 0.1, reference),
        Lap(f"tui: flip a page of {PAGE_SIZE} deals (100k)", got["flip"], 0.1, reference),
        Lap("tui: one keystroke of incremental search", got["search"], 0.1, reference),
        Lap(f"tui: reference: bare DataTable flip by key ({PAGE_SIZE} rows)", reference, 0.1),
        Lap(f"tui: (info) bare DataTable flip by call ({PAGE_SIZE} rows)", direct, 0.1),
        Lap("tui: reference: a bare DataTable app's start", start, 1.0),
    ]


TIMINGS = [Timing("tui: home, board, list, page flip, search", _measure)]
