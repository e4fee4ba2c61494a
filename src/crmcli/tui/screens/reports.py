"""Reports, read-only: funnel, forecast, lost deals and activity for a quarter, rendered from
the reports' own ``ReportView`` (the same view the terminal tables and HTML pages use)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from crmcli import clock
from crmcli.services.book import Book
from crmcli.tui.widgets.table import Col, RecordTable


def _funnel(book: Book, filters: Any) -> Any:
    from crmcli.reports.funnel import funnel_report, funnel_view

    return funnel_view(funnel_report(book, filters))


def _forecast(book: Book, filters: Any) -> Any:
    from crmcli.reports.forecast import forecast_report, forecast_view

    return forecast_view(forecast_report(book, filters))


def _lost(book: Book, filters: Any) -> Any:
    from crmcli.reports.lost import lost_report, lost_view

    return lost_view(lost_report(book, filters))


def _activity(book: Book, filters: Any) -> Any:
    from crmcli.reports.activity import activity_report, activity_view

    return activity_view(activity_report(book, filters))


# key, name, how the report's view is made: more reports join here
REPORTS: list[tuple[str, str, Callable[[Book, Any], Any]]] = [
    ("f", "Funnel", _funnel),
    ("c", "Forecast", _forecast),
    ("l", "Lost deals", _lost),
    ("a", "Activity", _activity),
]


def _value(value: Any, *, percent: bool) -> Any:
    if value is None:
        return ""
    if percent and isinstance(value, float | int | Decimal):
        return f"{float(value):.1%}"
    if isinstance(value, Decimal):
        return f"{value:,}"
    return value


def _formatter(key: str, percent: bool) -> Callable[[dict[str, Any]], Any]:
    return lambda row: _value(row.get(key), percent=percent)


def _columns(view_columns: Any) -> tuple[Col, ...]:
    return tuple(
        Col(c.key, c.header, right=c.numeric, fmt=_formatter(c.key, c.percent))
        for c in view_columns
    )


class ReportScreen(Screen[None]):
    """One report for one quarter; f/c/l/a choose it, [ ] the quarter, o me/everyone."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(key, f"report({i})", name) for i, (key, name, _) in enumerate(REPORTS)),
        Binding("left_square_bracket", "period(-1)", "Prev quarter"),
        Binding("right_square_bracket", "period(1)", "Next quarter"),
        Binding("o", "owner", "Owner"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.report = 0
        self.day: date = clock.today()
        self.owner: str | None = None
        self.loads = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="report-title", markup=False)
        yield VerticalScroll(id="report-body")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Reports"
        self.reload()

    def _period(self) -> str:
        from crmcli.periods import period_of

        return str(period_of("quarter", self.day).label)

    def reload(self) -> None:
        from crmcli.reports.filters import ReportFilters

        filters = ReportFilters(period=self._period(), owner=self.owner)
        self.load(REPORTS[self.report][2], filters)

    @work(thread=True, exclusive=True, group="report", exit_on_error=False)
    def load(self, make: Callable[[Book, Any], Any], filters: Any) -> None:
        app: Any = self.app
        view = app.service(lambda book: make(book, filters))
        self.app.call_from_thread(self._show, view)  # type: ignore[arg-type]  # awaited on the loop

    async def _show(self, view: Any) -> None:
        who = self.owner or "everyone"
        self.query_one("#report-title", Static).update(f"{view.title} · {view.subtitle} · {who}")
        body = self.query_one("#report-body", VerticalScroll)
        await body.remove_children()
        parts: list[Any] = []
        sections = [("", view.columns, view.rows), *view.extra]
        for title, columns, _rows in sections:
            if title:
                parts.append(Static(title, classes="detail-heading", markup=False))
            table = RecordTable(_columns(columns), classes="detail-table")
            parts.append(table)
        for note in view.notes:
            parts.append(Static(note, classes="report-note", markup=False))
        await body.mount_all(parts)
        tables = list(body.query(RecordTable))
        for table, (_, _, rows) in zip(tables, sections, strict=True):
            table.show([dict(r) for r in rows])
        self.loads += 1

    def action_report(self, index: int) -> None:
        self.report = index
        self.reload()

    def action_period(self, step: int) -> None:
        from crmcli.periods import period_of

        current = period_of("quarter", self.day)
        self.day = (
            current.start - timedelta(days=1) if step < 0 else current.end + timedelta(days=1)
        )
        self.reload()

    def action_owner(self) -> None:
        self.owner = None if self.owner else "me"
        self.reload()
