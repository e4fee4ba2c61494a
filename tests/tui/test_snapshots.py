"""Snapshots (pytest-textual-snapshot) of Home, Board, a deal and the calendar at 80×24 and
120×40, on the small book with the clock frozen (CRM_NOW) and deterministic ids.

Update them after a deliberate change with ``pytest tests/tui --snapshot-update`` and look
at the report before committing the new SVGs.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Crm
from tests.tui.conftest import app_for, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("screen", ["home", "board", "deal", "calendar"])
def test_screen_looks_the_same(
    screen: str, size: tuple[int, int], small_book: Crm, snap_compare: Any
) -> None:
    """What a rep sees on each main screen, at the smallest and a roomy terminal."""
    deal_id = small_book.json("deal show 'Acme renewal'")["id"] if screen == "deal" else None
    app = app_for(small_book, start="home" if screen == "deal" else screen)

    async def run_before(pilot: Any) -> None:
        await settle(pilot, app)
        if deal_id:
            app.open_record("deal", deal_id)
            await settle(pilot, app)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
