"""The Textual app: one factory, used by ``crm tui`` and by the Pilot tests.

Every read goes through the same services as the CLI, in a worker thread so the screen
never freezes on a large book.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Header, Static

from crmcli.services.book import Book


class CrmApp(App[None]):
    """The book of business at a glance (more screens arrive with later issues)."""

    TITLE = "crmcli"
    CSS = """
    #overview { height: auto; }
    #pipeline { height: auto; }
    .heading { padding: 1 0 0 1; text-style: bold; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("r", "refresh", "Refresh"),
    ]

    def __init__(self, open_book: Callable[[], Book]) -> None:
        super().__init__()
        self._open_book = open_book

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Book of business", classes="heading")
        yield DataTable(id="overview", cursor_type="row")
        yield Static("Pipeline", classes="heading")
        yield DataTable(id="pipeline", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#overview", DataTable).add_columns("records", "count")
        self.query_one("#pipeline", DataTable).add_columns("stage", "deals", "amount", "prob %")
        self.action_refresh()

    def action_refresh(self) -> None:
        self.load_overview()

    @work(thread=True, exclusive=True)
    def load_overview(self) -> None:
        from crmcli.errors import CrmError
        from crmcli.services.overview import book_summary

        try:
            book = self._open_book()
            try:
                summary = book_summary(book)
            finally:
                book.close()
        except CrmError as exc:
            self.call_from_thread(self.notify, exc.message, severity="error")
            return
        self.call_from_thread(self._show, summary)

    def _show(self, summary: dict[str, Any]) -> None:
        from rich.text import Text

        overview = self.query_one("#overview", DataTable)
        overview.clear()
        for name, count in summary["counts"].items():
            overview.add_row(Text(name), Text(str(count), justify="right"))
        pipeline = self.query_one("#pipeline", DataTable)
        pipeline.clear()
        for stage in summary["pipeline"]:
            pipeline.add_row(
                Text(stage["stage"]),
                Text(str(stage["deals"]), justify="right"),
                Text(f"{stage['amount']:,.2f}", justify="right"),
                Text(str(stage["probability"]), justify="right"),
            )


def make_app(open_book: Callable[[], Book]) -> CrmApp:
    """The app, given a way to open the book (each worker opens its own connection)."""
    return CrmApp(open_book)
