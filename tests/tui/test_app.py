"""The TUI starts on a real book and shows it (Textual Pilot at a fixed size)."""

from __future__ import annotations

from textual.widgets import DataTable

from crmcli.config import Settings
from crmcli.services.book import Book
from crmcli.tui.app import make_app


def test_app_shows_the_book_and_quits(demo) -> None:
    import asyncio

    settings = Settings.resolve(db=str(demo.db))

    async def scenario() -> None:
        app = make_app(lambda: Book.open(settings))
        async with app.run_test(size=(100, 40)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            overview = app.query_one("#overview", DataTable)
            rows = {
                str(overview.get_row_at(i)[0]): str(overview.get_row_at(i)[1])
                for i in range(overview.row_count)
            }
            assert rows["deals"] == "400" and rows["contacts"] == "600"
            pipeline = app.query_one("#pipeline", DataTable)
            assert pipeline.row_count == 7
            await pilot.press("q")
            await pilot.pause()
            assert app.return_code == 0  # q quit the app cleanly
        assert app.return_code in (0, None)

    asyncio.run(scenario())
