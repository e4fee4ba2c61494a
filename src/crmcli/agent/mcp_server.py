"""``crm mcp serve``: the book's services as MCP tools, over stdio, for an AI assistant.

Every tool is a service call: the same validation, the same history. Writes are made as the
configured user (``--as``/``CRM_USER``, else the book's default user) and the book is opened
with ``origin = "mcp"``, so each change they log is noted in ``change_origins`` and
``crm history`` shows ``alice (via mcp)``. ``--read-only`` registers the reads alone. A
``CrmError`` comes back as an MCP tool error carrying its one-line message (and hint).

stdout is the protocol channel here: nothing in this module prints.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Sequence
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field

from crmcli.errors import CrmError, InvalidInput

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer

    from crmcli.services.book import Book

ORIGIN = "mcp"
INSTRUCTIONS = (
    "crmcli: a sales CRM. Find records with `search` (names, e-mails, notes; prefixes match), "
    "prepare a meeting with `brief`, see the day with `status`. Handles are the short ids the "
    "tools return, an exact e-mail, or a unique name. Writes are recorded in the book's "
    "history as made by the configured user through MCP."
)

# The reports, one line each: tool argument -> "module:function". Functions taking the shared
# ``ReportFilters`` are called as ``function(book, filters)``; the result's ``to_dict()`` (or
# the object itself) comes back as JSON. A new report joins with one line here.
REPORTS: dict[str, str] = {
    "funnel": "crmcli.reports.funnel:funnel_report",
    "forecast": "crmcli.reports.forecast:forecast_report",
    "activity": "crmcli.reports.activity:activity_report",
    "lost": "crmcli.reports.lost:lost_report",
    "segments": "crmcli.reports.segments:segments_report",
}
_REPORT_HELP = "Which report: " + ", ".join(sorted(REPORTS)) + "."

Handle = Annotated[
    str, Field(description="A record's short id (handle), an exact e-mail, or a unique name.")
]
When = Annotated[
    str | None,
    Field(description="When: ISO 8601 or '2026-12-01 14:30', 'yesterday 16:00', '+3d'."),
]
Limit = Annotated[int, Field(description="At most this many results.", ge=1, le=500)]
# Arguments several tools take, described once.
ContactRef = Annotated[str | None, Field(description="The contact: e-mail, name or id.")]
DealRef = Annotated[str | None, Field(description="The deal: name or id.")]
CompanyRef = Annotated[str | None, Field(description="The company: name or id.")]
LeadRef = Annotated[str | None, Field(description="The lead: e-mail, name or id.")]
Notes = Annotated[str | None, Field(description="Notes.")]
FullName = Annotated[str, Field(description="Full name.")]
Email = Annotated[str | None, Field(description="E-mail address.")]
Phone = Annotated[str | None, Field(description="Phone number.")]


def jsonable(value: Any) -> Any:
    """A service result as JSON: dataclasses as objects, decimals as strings, ISO times."""
    if is_dataclass(value) and not isinstance(value, type):
        return jsonable(asdict(value))
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    return value


def _when(text: str | None) -> datetime | None:
    if not text:
        return None
    from crmcli.clock import parse_when

    return parse_when(text)


def build_server(book: Book, *, read_only: bool = False) -> MCPServer:
    """An MCP server whose tools call ``book``'s services (reads only if ``read_only``)."""
    from mcp.server.mcpserver import MCPServer  # the SDK (~0.4 s): only for `crm mcp serve`
    from mcp.server.mcpserver.exceptions import ToolError
    from mcp_types import ToolAnnotations

    from crmcli import __version__

    server: MCPServer = MCPServer(
        name="crmcli",
        version=__version__,
        instructions=INSTRUCTIONS,
        log_level="WARNING",
    )
    lock = threading.Lock()  # one connection: tools run in worker threads, one at a time

    def tool(*, write: bool) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def register(fn: Callable[..., Any]) -> Callable[..., Any]:
            if write and read_only:
                return fn

            @functools.wraps(fn)
            def call(*args: Any, **kwargs: Any) -> Any:
                try:
                    with lock:
                        return jsonable(fn(*args, **kwargs))
                except CrmError as exc:
                    hint = f" (hint: {exc.hint})" if exc.hint else ""
                    raise ToolError(f"{exc.message}{hint}") from exc

            server.add_tool(
                call,
                name=fn.__name__,
                description=(fn.__doc__ or "").strip(),
                annotations=ToolAnnotations(
                    read_only_hint=not write, destructive_hint=False, open_world_hint=False
                ),
            )
            return fn

        return register

    _register_reads(book, tool)
    _register_writes(book, tool)
    _register_reports(book, tool)
    return server


Register = Callable[..., Callable[[Callable[..., Any]], Callable[..., Any]]]


def _register_reads(book: Book, tool: Register) -> None:
    from crmcli.services import activities, companies, contacts, deals, history, leads
    from crmcli.services.agenda import agenda as agenda_of
    from crmcli.services.briefing import brief as brief_of
    from crmcli.services.search import search as search_book
    from crmcli.services.status import status as status_of

    @tool(write=False)
    def search(
        text: Annotated[
            str,
            Field(description='Words to find (prefixes match: "acm" finds Acme), or "a phrase".'),
        ],
        types: Annotated[
            list[Literal["contact", "company", "lead", "deal", "activity", "quote"]] | None,
            Field(description="Only these kinds of record."),
        ] = None,
        limit: Limit = 20,
    ) -> dict[str, Any]:
        """Full-text search over names, e-mails, phones, domains, tags, notes, activities and
        quote lines; best first, each hit with its type, handle, snippet and owning record."""
        return {"hits": [h.as_dict() for h in search_book(book, text, types=types, limit=limit)]}

    @tool(write=False)
    def brief(
        handle: Handle,
        type: Annotated[
            Literal["contact", "company", "lead", "deal"] | None,
            Field(description="The kind of record, when the handle could name several."),
        ] = None,
    ) -> dict[str, Any]:
        """Everything to know before a meeting with a contact, company, lead or deal: profile,
        company, open deals, last five interactions, open tasks, next meeting, quotes, balance."""
        return brief_of(book, handle, kind=type).as_dict()

    @tool(write=False)
    def status(
        team: Annotated[bool, Field(description="The whole team's day, one line per rep.")] = False,
    ) -> dict[str, Any]:
        """Today for the configured user: agenda, overdue items, idle deals, deals closing this
        month, pipeline by stage, quota attainment."""
        return status_of(book, team=team).as_dict()

    @tool(write=False)
    def agenda(
        view: Annotated[
            Literal["day", "week", "month"], Field(description="Today, this week or this month.")
        ] = "day",
        day: Annotated[
            str | None, Field(description="A day in the window (default today): 2026-12-01.")
        ] = None,
    ) -> dict[str, Any]:
        """The configured user's agenda for a day, week or month."""
        from crmcli.clock import parse_date

        return agenda_of(book, view=view, day=parse_date(day) if day else None)

    @tool(write=False)
    def list_contacts(
        search: Annotated[str | None, Field(description="Name, e-mail or phone contains.")] = None,
        company: Annotated[str | None, Field(description="Only this company's people.")] = None,
        tag: Annotated[str | None, Field(description="Only contacts with this tag.")] = None,
        limit: Limit = 50,
    ) -> dict[str, Any]:
        """Contacts, most recently updated first."""
        rows = contacts.list_contacts(
            book, search=search, company=company, tags=[tag] if tag else (), limit=limit
        )
        return {"contacts": rows}

    @tool(write=False)
    def show_contact(handle: Handle) -> dict[str, Any]:
        """One contact with their deals and recent and upcoming activities."""
        return contacts.show_contact(book, handle)

    @tool(write=False)
    def list_companies(
        search: Annotated[str | None, Field(description="Name or domain contains.")] = None,
        classification: Annotated[
            Literal["prospect", "target", "key_account"] | None,
            Field(description="Only companies of this class."),
        ] = None,
        limit: Limit = 50,
    ) -> dict[str, Any]:
        """Companies, most recently updated first."""
        rows = companies.list_companies(
            book, search=search, classification=classification, limit=limit
        )
        return {"companies": rows}

    @tool(write=False)
    def show_company(handle: Handle) -> dict[str, Any]:
        """The 360° view of a company: contacts, deals and totals, quotes, activities, history."""
        return companies.show_company(book, handle)

    @tool(write=False)
    def list_leads(
        status: Annotated[
            str | None, Field(description="new, contacted, qualified, disqualified, converted.")
        ] = None,
        search: Annotated[
            str | None, Field(description="Name, e-mail or company contains.")
        ] = None,
        limit: Limit = 50,
    ) -> dict[str, Any]:
        """Leads, most recently updated first."""
        return {"leads": leads.list_leads(book, status=status, search=search, limit=limit)}

    @tool(write=False)
    def show_lead(handle: Handle) -> dict[str, Any]:
        """One lead with its score breakdown and activities."""
        return leads.show_lead(book, handle)

    @tool(write=False)
    def list_deals(
        status: Annotated[
            Literal["open", "won", "lost", "closed", "all"], Field(description="Which deals.")
        ] = "open",
        owner: Annotated[str | None, Field(description="A rep's username, or 'me'.")] = None,
        company: Annotated[str | None, Field(description="Only this company's deals.")] = None,
        stage: Annotated[str | None, Field(description="Only deals in this stage.")] = None,
        rotting: Annotated[bool, Field(description="Only idle (rotting) deals.")] = False,
        limit: Limit = 50,
    ) -> dict[str, Any]:
        """Deals with stage, amount, weighted amount, days in stage and idle days."""
        rows = deals.list_deals(
            book,
            status=status,
            owner=owner,
            company=company,
            stage=stage,
            rotting=rotting,
            limit=limit,
        )
        return {"deals": rows}

    @tool(write=False)
    def show_deal(handle: Handle) -> dict[str, Any]:
        """One deal with its stage timeline, activities, quotes, products and history."""
        return deals.show_deal(book, handle)

    @tool(write=False)
    def list_activities(
        kind: Annotated[
            str | None, Field(description="call, meeting, task, email or note.")
        ] = None,
        deal: Annotated[str | None, Field(description="Only this deal's activities.")] = None,
        contact: Annotated[str | None, Field(description="Only this contact's.")] = None,
        state: Annotated[
            Literal["open", "done", "overdue"] | None, Field(description="Open, done or overdue.")
        ] = None,
        limit: Limit = 50,
    ) -> dict[str, Any]:
        """Activities, newest first."""
        rows = activities.list_activities(
            book, kind=kind, deal=deal, contact=contact, state=state, limit=limit
        )
        return {"activities": rows}

    @tool(write=False)
    def show_activity(handle: Handle) -> dict[str, Any]:
        """One activity."""
        return activities.show_activity(book, handle)

    @tool(write=False)
    def record_history(handle: Handle, limit: Limit = 50) -> dict[str, Any]:
        """Every change of one record, oldest first: who, when, old and new values."""
        entity, record, changes = history.record_history(book, handle, limit=limit)
        return {"entity": entity, "id": record["id"], "changes": changes}


def _register_writes(book: Book, tool: Register) -> None:
    from crmcli.services import activities, contacts, deals, leads

    @tool(write=True)
    def log_activity(
        kind: Annotated[
            str, Field(description="call, meeting, task, email or note (or a configured kind).")
        ],
        subject: Annotated[str, Field(description="What happened, in one line.")],
        contact: ContactRef = None,
        deal: DealRef = None,
        company: CompanyRef = None,
        lead: LeadRef = None,
        at: When = None,
        duration_minutes: Annotated[
            int | None, Field(description="How long it took, in minutes.", ge=1)
        ] = None,
        outcome: Annotated[str | None, Field(description="reached, voicemail, positive…")] = None,
        notes: Notes = None,
    ) -> dict[str, Any]:
        """Log an activity that happened (a call, a meeting, an e-mail), as `crm log` does."""
        from datetime import timedelta

        return activities.log_activity(
            book,
            kind=kind,
            subject=subject,
            at=_when(at),
            duration=timedelta(minutes=duration_minutes) if duration_minutes else None,
            outcome=outcome,
            notes=notes,
            contact=contact,
            deal=deal,
            company=company,
            lead=lead,
        )

    @tool(write=True)
    def schedule_task(
        subject: Annotated[str, Field(description="What to do, in one line.")],
        due: When = None,
        kind: Annotated[
            str, Field(description="task, or call/meeting/email to schedule one of those.")
        ] = "task",
        start: Annotated[
            str | None, Field(description="For a call or meeting: when it starts.")
        ] = None,
        contact: ContactRef = None,
        deal: DealRef = None,
        company: CompanyRef = None,
        lead: LeadRef = None,
        notes: Notes = None,
    ) -> dict[str, Any]:
        """Schedule a task (or a call or meeting) for the configured user."""
        return activities.add_activity(
            book,
            kind=kind,
            subject=subject,
            due=_when(due),
            start=_when(start),
            contact=contact,
            deal=deal,
            company=company,
            lead=lead,
            notes=notes,
        )

    @tool(write=True)
    def add_contact(
        name: FullName,
        email: Email = None,
        phone: Phone = None,
        title: Annotated[str | None, Field(description="Job title.")] = None,
        company: Annotated[
            str | None, Field(description="Company name or id (created when new).")
        ] = None,
        notes: Notes = None,
        tags: Annotated[list[str] | None, Field(description="Tags.")] = None,
    ) -> dict[str, Any]:
        """Add a contact (refused when it looks like a duplicate of an existing one)."""
        fields: dict[str, Any] = {"email": email, "phone": phone, "title": title, "notes": notes}
        return contacts.add_contact(
            book,
            name=name,
            company=company,
            tags=tags or (),
            **{k: v for k, v in fields.items() if v is not None},
        )

    @tool(write=True)
    def add_lead(
        name: FullName,
        email: Email = None,
        phone: Phone = None,
        company_name: Annotated[str | None, Field(description="Their company's name.")] = None,
        source: Annotated[str | None, Field(description="Where it came from: web, event…")] = None,
        notes: Notes = None,
    ) -> dict[str, Any]:
        """Add a lead (refused when it looks like a duplicate)."""
        fields: dict[str, Any] = {
            "email": email,
            "phone": phone,
            "company_name": company_name,
            "source": source,
            "notes": notes,
        }
        return leads.add_lead(book, name=name, **{k: v for k, v in fields.items() if v})

    @tool(write=True)
    def add_deal(
        name: Annotated[str, Field(description="The deal's name.")],
        amount: Annotated[
            str | None, Field(description="Amount, e.g. '48000' or '1250.50'.")
        ] = None,
        currency: Annotated[str | None, Field(description="ISO currency code: EUR, USD…")] = None,
        company: Annotated[str | None, Field(description="Company name or id.")] = None,
        contact: Annotated[str | None, Field(description="Contact e-mail, name or id.")] = None,
        stage: Annotated[str | None, Field(description="Stage name (default: the first).")] = None,
        close: Annotated[str | None, Field(description="Expected close date: 2026-12-15.")] = None,
        next_step: Annotated[str | None, Field(description="The next step.")] = None,
    ) -> dict[str, Any]:
        """Add a deal to the default pipeline, owned by the configured user."""
        return deals.add_deal(
            book,
            name=name,
            amount=amount,
            currency=currency,
            company=company,
            contact=contact,
            stage=stage,
            close=close,
            next_step=next_step,
        )

    @tool(write=True)
    def move_deal(
        deal: Handle,
        stage: Annotated[str, Field(description="The stage to move to (name or position).")],
        at: When = None,
    ) -> Any:
        """Move an open deal to another stage (recorded in its stage history)."""
        return deals.move_deal(book, deal, stage=stage, at=_when(at))

    @tool(write=True)
    def win_deal(deal: Handle, at: When = None) -> Any:
        """Mark a deal won."""
        return deals.win_deal(book, deal, at=_when(at))

    @tool(write=True)
    def lose_deal(
        deal: Handle,
        reason: Annotated[str, Field(description="Why it was lost: price, timing, competitor…")],
        competitor: Annotated[str | None, Field(description="Who won it instead.")] = None,
        at: When = None,
    ) -> Any:
        """Mark a deal lost, with the reason (and the competitor who won)."""
        return deals.lose_deal(book, deal, reason=reason, competitor=competitor, at=_when(at))

    @tool(write=True)
    def complete_activity(
        handle: Handle,
        outcome: Annotated[str | None, Field(description="How it went.")] = None,
        notes: Notes = None,
    ) -> dict[str, Any]:
        """Mark a task, call or meeting done."""
        return activities.complete_activity(book, handle, outcome=outcome, notes=notes)


def _register_reports(book: Book, tool: Register) -> None:
    """One ``run_report`` tool over ``REPORTS``."""
    if not REPORTS:
        return
    import importlib

    names = tuple(sorted(REPORTS))

    @tool(write=False)
    def run_report(
        report: Annotated[str, Field(description=_REPORT_HELP)],
        period: Annotated[
            str | None, Field(description="2026-Q4, 2026-11 or 2026 (default: this quarter).")
        ] = None,
        owner: Annotated[str | None, Field(description="Only this rep (username).")] = None,
        team: Annotated[str | None, Field(description="Only this team.")] = None,
    ) -> Any:
        """Run a report (funnel, forecast, activity, lost deals, segments) and return its JSON,
        the same document as `crm report NAME --json`."""
        from crmcli.reports.filters import ReportFilters

        if report not in REPORTS:
            raise InvalidInput(f"unknown report {report!r}", hint="one of: " + ", ".join(names))
        module, function = REPORTS[report].split(":")
        run = getattr(importlib.import_module(module), function)
        result = run(book, ReportFilters(period=period, owner=owner, team=team))
        return result.to_dict() if hasattr(result, "to_dict") else result


def tool_names(server: MCPServer) -> Sequence[str]:
    """The registered tools' names (for tests and `crm mcp tools`)."""
    import anyio

    return [t.name for t in anyio.run(server.list_tools)]


def serve(book: Book, *, read_only: bool = False) -> None:
    """Serve ``book`` over stdio until the client closes the connection."""
    book.origin = ORIGIN
    build_server(book, read_only=read_only).run("stdio")
