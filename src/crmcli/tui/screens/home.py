"""Home, the first screen: the acting rep's day (agenda and overdue), their pipeline per
stage, their idle deals and their latest changes — each section its own service call."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from crmcli import clock
from crmcli.errors import CrmError
from crmcli.services.book import Book
from crmcli.tui import format as fmt
from crmcli.tui.widgets.table import Col, RecordTable

AGENDA_COLUMNS = (
    Col(
        "when", "Time", fmt=lambda r: f"{clock.to_local(r['when']):%H:%M}" if r.get("when") else ""
    ),
    Col("kind", "Kind"),
    Col("subject", "Subject"),
    Col("contact", "With", fmt=lambda r: r.get("contact") or r.get("company") or r.get("lead")),
    Col("done_at", "Done", fmt=lambda r: "✓" if r.get("done_at") else ""),
)
OVERDUE_COLUMNS = (
    Col("when", "Due", fmt=lambda r: fmt.when(r.get("when"))),
    Col("kind", "Kind"),
    Col("subject", "Subject"),
    Col("deal", "Deal"),
)
# Count, total and weighted only: the idle deals have their own panel beside this one, and
# the four columns fit the half of an 80-column screen.
PIPELINE_COLUMNS = (
    Col("stage", "Stage"),
    Col("count", "#", right=True),
    Col("amount", "Amount", fmt=lambda r: fmt.money(r["amount"], None, whole=True), right=True),
    Col(
        "weighted_amount",
        "Wtd",
        fmt=lambda r: fmt.money(r["weighted_amount"], None, whole=True),
        right=True,
    ),
)
IDLE_COLUMNS = (
    Col("name", "Deal"),
    Col(
        "amount",
        "Amount",
        fmt=lambda r: fmt.money(r["amount"], r["currency"], whole=True),
        right=True,
    ),
    Col("stage", "Stage"),
    Col("idle_days", "Idle", fmt=lambda r: f"{r['idle_days']}d", right=True),
)
HISTORY_COLUMNS = (
    Col("at", "When", fmt=lambda r: fmt.when(r.get("at"))),
    Col("entity", "Record", fmt=lambda r: f"{r.get('entity')} {_named(r)}"),
    Col("op", "Change", fmt=lambda r: r.get("field") or r.get("op")),
    Col("new", "Now", fmt=lambda r: r.get("new_label") or _brief(r.get("new"))),
)
IDLE_SHOWN = 20
HISTORY_SHOWN = 20
HISTORY_WINDOW = 20_000  # "recent": among the book's newest changes (a bounded walk of the log)


def _named(change: dict[str, Any]) -> str:
    """A created record's name or subject (it is in the logged values), else its handle."""
    new = change.get("new")
    if isinstance(new, dict) and (new.get("name") or new.get("subject")):
        return str(new.get("name") or new.get("subject"))
    return str(change.get("record") or "")


def _brief(value: Any) -> Any:
    """A logged value for a cell: a created record's values are its name, shown already."""
    if isinstance(value, dict):
        return ""
    return fmt.when(value) if hasattr(value, "tzinfo") else value


TITLES = {
    "today": "Today",
    "overdue": "Overdue",
    "pipeline": "My pipeline",
    "idle": "Idle deals",
    "history": "My recent changes",
}


def _section(table_id: str, columns: tuple[Col, ...]) -> Vertical:
    box = Vertical(
        RecordTable(columns, id=table_id, classes="section-table"),
        classes="section",
        id=f"{table_id}-box",
    )
    box.border_title = TITLES[table_id]
    return box


class HomeScreen(Screen[None]):
    """Today at a glance; enter opens the row under the cursor."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("r", "reload", "Refresh")]

    def __init__(self) -> None:
        super().__init__()
        self.sections_loaded: set[str] = set()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="home-headline", markup=False)
        with Grid(id="home-grid"):
            yield _section("today", AGENDA_COLUMNS)
            yield _section("overdue", OVERDUE_COLUMNS)
            yield _section("pipeline", PIPELINE_COLUMNS)
            yield _section("idle", IDLE_COLUMNS)
            yield _section("history", HISTORY_COLUMNS)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Home"
        self.reload()

    def action_reload(self) -> None:
        self.reload()

    def reload(self) -> None:
        self.sections_loaded = set()
        for lane, sections in enumerate(LANES):
            self.load_sections(sections, group=f"home-{lane}")

    def load_sections(self, sections: tuple[str, ...], *, group: str) -> None:
        """Read ``sections`` in turn in a worker of their own, each shown as soon as it is
        read. Two such lanes: SQLite lets go of the interpreter lock while it reads, so one
        lane's queries run while the other's rows become Python objects."""
        self.run_worker(
            partial(self._read, sections),
            thread=True,
            exclusive=True,
            group=group,
            exit_on_error=False,
        )

    def _read(self, sections: tuple[str, ...]) -> None:
        app: Any = self.app
        jobs = dict(SECTIONS)

        def read_all(book: Book) -> None:
            for section in sections:
                try:
                    result = jobs[section](book)
                except CrmError as exc:
                    self.app.call_from_thread(app.show_error, exc)
                    continue
                self.app.call_from_thread(self._show, section, result)

        app.service(read_all)

    def _show(self, section: str, result: Any) -> None:
        if section == "pipeline":
            rows = result["stages"]
            currency = result["currency"]
            headline = (
                f"{result['owner']} · {clock.today():%A %d %B %Y} · {result['count']:,} open "
                f"deals · {fmt.money(result['amount'], currency, whole=True)} · weighted "
                f"{fmt.money(result['weighted_amount'], currency, whole=True)}"
            )
            self.query_one("#home-headline", Static).update(headline)
        else:
            rows = result
        self.query_one(f"#{section}", RecordTable).show(rows)
        if section != "pipeline":
            more = "+" if len(rows) >= _cap(section) else ""
            box = self.query_one(f"#{section}-box", Vertical)
            box.border_title = f"{TITLES[section]} ({len(rows)}{more})"
        self.sections_loaded.add(section)

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        table = event.data_table
        if not isinstance(table, RecordTable):
            return
        record = table.current()
        if record is None:
            return
        app: Any = self.app
        if table.id in ("today", "overdue"):
            target = record.get("id") or record.get("handle")
            app.open_record("activity", target)
        elif table.id == "idle":
            app.open_record("deal", record["id"])
        elif table.id == "pipeline":
            app.action_switch("board")
        elif table.id == "history" and record.get("entity") in _OPENABLE:
            app.open_record(_OPENABLE[record["entity"]], record["record_id"])


_OPENABLE = {e: e for e in ("deal", "company", "contact", "lead", "activity")}


def _cap(section: str) -> int:
    return {"idle": IDLE_SHOWN, "history": HISTORY_SHOWN}.get(section, 10**9)


def _today(book: Book) -> list[dict[str, Any]]:
    from crmcli.services.agenda import agenda

    return list(agenda(book, view="day")["items"])


def _overdue(book: Book) -> list[dict[str, Any]]:
    from crmcli.services.agenda import overdue

    return overdue(book)


def _pipeline(book: Book) -> dict[str, Any]:
    from crmcli.services.board import board

    return board(book, owner="me", cards=0)


def _idle(book: Book) -> list[dict[str, Any]]:
    from crmcli.services.deals import list_deals

    return list_deals(book, owner="me", rotting=True, sort="amount", limit=IDLE_SHOWN)


def _history(book: Book) -> list[dict[str, Any]]:
    from crmcli.services.history import recent_changes

    return recent_changes(
        book, user=book.actor["username"], limit=HISTORY_SHOWN, window=HISTORY_WINDOW
    )


SECTIONS: tuple[tuple[str, Callable[[Book], Any]], ...] = (
    ("pipeline", _pipeline),
    ("today", _today),
    ("idle", _idle),
    ("history", _history),
    ("overdue", _overdue),
)
# The two workers' sections, each lane in this order (the quick ones first, so the screen
# fills from the top); the board's totals and the overdue walk, the long ones, in each lane.
LANES = (("pipeline", "idle", "history"), ("today", "overdue"))
