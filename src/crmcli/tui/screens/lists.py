"""Lists of leads, contacts, companies, deals and activities: one page from the database at
a time (the list services' ``limit``/``offset``), incremental search, sort by column, the
owner filter (``me`` by default) and each list's status filter, as in the CLI."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.geometry import Size
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static
from textual.worker import get_current_worker

from crmcli.services.book import Book
from crmcli.tui import format as fmt
from crmcli.tui.widgets.table import Col, RecordTable

PAGE_SIZE = 50
# How long the search box waits for the first page of what was typed before it repaints
# (one frame at 60 fps): a page that answers within it is painted in the same frame as the
# letter; a slower one is painted when it arrives, and the box shows the letter meanwhile.
SAME_FRAME = 1 / 60


@dataclass
class ListQuery:
    """What the list shows: the search text, sort, owner, status filter and page."""

    search: str = ""
    sort: str | None = None
    descending: bool = False
    owner: str | None = "me"
    status: str | None = None
    page: int = 0

    @property
    def offset(self) -> int:
        return self.page * PAGE_SIZE


@dataclass(frozen=True)
class ListSpec:
    """One list: its columns, the entity its rows open as, and how a page is fetched."""

    kind: str
    title: str
    entity: str
    columns: tuple[Col, ...]
    fetch: Callable[[Book, ListQuery, int], list[dict[str, Any]]]
    statuses: tuple[str | None, ...] = (None,)
    directional: bool = True  # the service takes "-key" for descending
    default_sort: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _sort(query: ListQuery, spec: ListSpec) -> str | None:
    key = query.sort or spec.default_sort
    if key is None:
        return None
    return f"-{key}" if query.descending and spec.directional else key


def _page(q: ListQuery, limit: int) -> dict[str, Any]:
    """What every list service takes: owner, search text and the page."""
    return {"owner": q.owner, "search": q.search or None, "limit": limit, "offset": q.offset}


def _leads(book: Book, q: ListQuery, limit: int) -> list[dict[str, Any]]:
    from crmcli.services.leads import list_leads

    return list_leads(book, status=q.status, sort=_sort(q, LISTS["leads"]), **_page(q, limit))


def _contacts(book: Book, q: ListQuery, limit: int) -> list[dict[str, Any]]:
    from crmcli.services.contacts import list_contacts

    return list_contacts(book, sort=_sort(q, LISTS["contacts"]), **_page(q, limit))


def _companies(book: Book, q: ListQuery, limit: int) -> list[dict[str, Any]]:
    from crmcli.services.companies import list_companies

    return list_companies(book, sort=_sort(q, LISTS["companies"]), **_page(q, limit))


def _deals(book: Book, q: ListQuery, limit: int) -> list[dict[str, Any]]:
    from crmcli.services.deals import list_deals

    return list_deals(book, status=q.status or "open", sort=q.sort or "updated", **_page(q, limit))


def _activities(book: Book, q: ListQuery, limit: int) -> list[dict[str, Any]]:
    from crmcli.services.activities import list_activities

    return list_activities(book, state=q.status, **_page(q, limit))


def _quotes(book: Book, q: ListQuery, limit: int) -> list[dict[str, Any]]:
    from crmcli.services.sales.quotes import list_quotes

    return [
        dict(row)
        for row in list_quotes(book, owner=q.owner, status=q.status, limit=limit, offset=q.offset)
    ]


def _amount(row: dict[str, Any]) -> str:
    return fmt.money(row.get("amount"), row.get("currency"))


def _when(row: dict[str, Any]) -> str:
    return fmt.when(row.get("start_at") or row.get("due_at"))


_SPECS = (
    ListSpec(
        "leads",
        "Leads",
        "lead",
        (
            Col("name", "Name", "name"),
            Col("company_name", "Company", "company"),
            Col("status", "Status", "status"),
            Col("score", "Score", "score", right=True),
            Col("owner", "Owner", "owner"),
            Col("source", "Source", "source"),
            Col("email", "E-mail"),
        ),
        _leads,
        statuses=(None, "all", "new", "working", "qualified", "disqualified", "converted"),
        default_sort="-created",
    ),
    ListSpec(
        "contacts",
        "Contacts",
        "contact",
        (
            Col("name", "Name", "name"),
            Col("company", "Company", "company"),
            Col("title", "Title", "title"),
            Col("owner", "Owner", "owner"),
            Col("email", "E-mail", "email"),
            Col("phone", "Phone"),
        ),
        _contacts,
        default_sort="name",
    ),
    ListSpec(
        "companies",
        "Companies",
        "company",
        (
            Col("name", "Name", "name"),
            Col("classification", "Class", "class"),
            Col("industry", "Industry", "industry"),
            Col("size", "Size", "size", right=True),
            Col("owner", "Owner", "owner"),
            Col("city", "City"),
            Col("domain", "Domain"),
        ),
        _companies,
        default_sort="name",
    ),
    ListSpec(
        "deals",
        "Deals",
        "deal",
        (
            Col("name", "Name", "name"),
            Col("amount", "Amount", "amount", fmt=_amount, right=True),
            Col("stage", "Stage"),
            Col("company", "Company"),
            Col("owner", "Owner"),
            Col("expected_close", "Close", "close"),
            Col("updated_at", "Updated", "updated", fmt=lambda r: fmt.when(r.get("updated_at"))),
        ),
        _deals,
        statuses=(None, "won", "lost", "closed", "all"),
        directional=False,
    ),
    ListSpec(
        "activities",
        "Activities",
        "activity",
        (
            Col("when", "When", fmt=_when),
            Col("kind", "Kind"),
            Col("subject", "Subject"),
            Col("done_at", "Done", fmt=lambda r: "✓" if r.get("done_at") else ""),
            Col("deal", "Deal"),
            Col("contact", "With"),
            Col("owner", "Owner"),
        ),
        _activities,
        statuses=(None, "open", "done", "overdue"),
        directional=False,
    ),
    ListSpec(
        "quotes",
        "Quotes",
        "quote",
        (
            Col("number", "Number"),
            Col("version", "v", right=True),
            Col("status", "Status"),
            Col(
                "total",
                "Total",
                fmt=lambda r: fmt.money(r.get("total"), r.get("currency")),
                right=True,
            ),
            Col("deal", "Deal"),
            Col("company", "Company"),
            Col("owner", "Owner"),
            Col("valid_until", "Valid until"),
        ),
        _quotes,
        statuses=(None, "draft", "sent", "accepted", "declined", "expired", "all"),
        directional=False,
        extra={"read_only": True, "no_search": True},
    ),
)
LISTS: dict[str, ListSpec] = {spec.kind: spec for spec in _SPECS}


class SearchBox(Input):
    """The list's search box. A typed letter asks for its page from the key's own handler,
    before the box repaints, so that one frame shows the letter and its rows (instead of the
    letter first and the rows a frame later); other edits (delete, paste) reload on Changed."""

    # The box scrolls its own text: a longer value repaints the box, it needs no layout of
    # the screen (Widget's virtual_size lays out; every letter changes the box's).
    virtual_size = Reactive(Size(0, 0), layout=False)
    searched = ""

    async def _on_key(self, event: events.Key) -> None:
        await super()._on_key(event)  # the letter goes in (and Changed is posted)
        await self._search()

    async def _on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        await self._search()

    async def _search(self) -> None:
        screen = self.screen
        if self.value != self.searched and isinstance(screen, ListScreen):
            self.searched = self.value
            await screen.search_for(self.value)


class ListScreen(Screen[None]):
    """A lazily paged list of one kind of record."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Search"),
        Binding("n,right_square_bracket", "page(1)", "Next page"),
        Binding("p,left_square_bracket", "page(-1)", "Prev page"),
        Binding("s", "sort", "Sort"),
        Binding("o", "owner", "Owner"),
        Binding("f", "status", "Filter"),
        Binding("escape", "leave_search", "Back to list", show=False),
    ]

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.spec = LISTS[kind]
        self.query_state = ListQuery()
        self.has_more = False
        # The search box waiting for the page of what was typed (see SearchBox).
        self._waiting: tuple[ListQuery, asyncio.Future[list[dict[str, Any]]]] | None = None
        self.pages_shown = 0  # how many pages have been painted (tests and benchmarks wait on it)

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="list-bar"):
            yield SearchBox(placeholder=f"search {self.spec.title.lower()}…  (/)", id="search")
            yield Static("", id="list-status", markup=False)
        yield RecordTable(self.spec.columns, id="records")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.spec.title
        self.query_one(RecordTable).focus()
        self.reload()

    def reload(self) -> ListQuery:
        """Load the page the list's state asks for (in a worker); returns what was asked."""
        wanted = ListQuery(**self.query_state.__dict__)
        self.load_page(wanted)
        return wanted

    @work(thread=True, exclusive=True, group="list-page", exit_on_error=False)
    def load_page(self, wanted: ListQuery) -> None:
        """Fetch one page (plus one row, to know whether another page follows)."""
        app: Any = self.app
        rows = app.service(lambda book: self.spec.fetch(book, wanted, PAGE_SIZE + 1))
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._arrived, wanted, rows)

    def _arrived(self, query: ListQuery, rows: list[dict[str, Any]]) -> None:
        """A page is in: to the search box waiting for it, else straight on the screen."""
        waiting = self._waiting
        if waiting is not None and waiting[0] == query and not waiting[1].done():
            waiting[1].set_result(rows)
        else:
            self._show(query, rows)

    def _show(self, query: ListQuery, rows: list[dict[str, Any]]) -> None:
        if query != self.query_state:
            return  # typed on: a newer page is on its way
        self.has_more = len(rows) > PAGE_SIZE
        table = self.query_one(RecordTable)
        table.show(rows[:PAGE_SIZE])
        self._status(len(rows[:PAGE_SIZE]))
        self.pages_shown += 1

    def _status(self, count: int) -> None:
        q = self.query_state
        first = q.offset + 1 if count else 0
        parts = [
            f"{first}–{q.offset + count}{'+' if self.has_more else ''}",
            f"owner: {q.owner or 'everyone'}",
            f"{self.spec.extra.get('status_label', 'status')}: {q.status or 'default'}",
        ]
        if q.sort:
            parts.append(f"sort: {'-' if q.descending else ''}{q.sort}")
        # Its box has a fixed size (app.tcss): a repaint, never a layout of the screen.
        self.query_one("#list-status", Static).update(" · ".join(parts), layout=False)

    # -- keys ---------------------------------------------------------------------------------
    async def search_for(self, text: str) -> None:
        """The search text changed: load its first page (in the worker, as every page) and
        wait up to a frame for it, to show it from here (see SearchBox)."""
        if self.spec.extra.get("no_search"):
            self.notify(f"{self.spec.title.lower()} are listed by status: f changes it", timeout=3)
            return
        self.query_state.search = text
        self.query_state.page = 0
        wanted = self.reload()
        future: asyncio.Future[list[dict[str, Any]]] = asyncio.get_running_loop().create_future()
        self._waiting = (wanted, future)
        try:
            rows = await asyncio.wait_for(future, SAME_FRAME)
        except TimeoutError:
            return  # a slow page: shown when it arrives (the box shows the letter now)
        finally:
            self._waiting = None
        self._show(wanted, rows)

    @on(Input.Submitted, "#search")
    def _done_typing(self) -> None:
        self.query_one(RecordTable).focus()

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_leave_search(self) -> None:
        if self.query_one("#search", Input).has_focus:
            self.query_one(RecordTable).focus()
        elif len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def action_page(self, step: int) -> None:
        if step > 0 and not self.has_more:
            self.notify("this is the last page", timeout=2)
            return
        if step < 0 and self.query_state.page == 0:
            return
        self.query_state.page += step
        self.reload()

    def _sort_by(self, key: str) -> None:
        q = self.query_state
        if q.sort == key and self.spec.directional:
            q.descending = not q.descending
        else:
            q.sort, q.descending = key, False
        q.page = 0
        self.reload()

    def action_sort(self) -> None:
        """Sort by the next sortable column (press again to go on)."""
        keys = [c.sort.lstrip("-") for c in self.spec.columns if c.sort]
        if not keys:
            self.notify("this list has one order: soonest first", timeout=3)
            return
        current = self.query_state.sort
        following = keys[(keys.index(current) + 1) % len(keys)] if current in keys else keys[0]
        self._sort_by(following)

    @on(DataTable.HeaderSelected)
    def _header(self, event: DataTable.HeaderSelected) -> None:
        col = next((c for c in self.spec.columns if c.key == event.column_key.value), None)
        if col is None or col.sort is None:
            self.notify(f"the list cannot be sorted by {event.label}", timeout=3)
            return
        self._sort_by(col.sort.lstrip("-"))

    def action_owner(self) -> None:
        self.query_state.owner = None if self.query_state.owner else "me"
        self.query_state.page = 0
        self.reload()

    def action_status(self) -> None:
        options = self.spec.statuses
        if len(options) < 2:
            self.notify("this list has no status filter", timeout=3)
            return
        index = options.index(self.query_state.status) if self.query_state.status in options else 0
        self.query_state.status = options[(index + 1) % len(options)]
        self.query_state.page = 0
        self.reload()

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        record = self.query_one(RecordTable).current()
        if record is None:
            return
        app: Any = self.app
        target = record.get("id") or record.get("handle")
        if target and self.spec.extra.get("read_only"):
            self.notify(
                f"read-only here: crm {self.spec.entity} show {record.get('handle')}",
                timeout=4,
                markup=False,
            )
        elif target:
            app.open_record(self.spec.entity, target)

    def context(self) -> dict[str, str]:
        """The record under the cursor, to prefill quick actions (log a call with …)."""
        record = self.query_one(RecordTable).current()
        if record is None or not record.get("id"):
            return {}
        return {self.spec.entity: record["id"]}
