"""crm export calendar: activities as an iCalendar (.ics) file for khal, Google, Outlook."""

from __future__ import annotations

from typing import Annotated

import typer

from crmcli import output
from crmcli.commands._common import book, when


def register(app: typer.Typer) -> None:
    """Add ``crm export calendar`` to the export group."""
    app.command("calendar")(export_calendar)


def export_calendar(
    ctx: typer.Context,
    ics: Annotated[str, typer.Option("--ics", help="File to write (- for stdout).")],
    owner: Annotated[str | None, typer.Option(help="Only this rep's activities.")] = None,
    kind: Annotated[str | None, typer.Option(help="Only this kind.")] = None,
    deal: Annotated[str | None, typer.Option(help="Only this deal's.")] = None,
    with_: Annotated[str | None, typer.Option("--with", help="Only with this contact.")] = None,
    company: Annotated[str | None, typer.Option(help="Only this company's.")] = None,
    from_: Annotated[str | None, typer.Option("--from", help="Starting from.")] = None,
    to: Annotated[str | None, typer.Option(help="Starting before.")] = None,
    open_only: Annotated[bool, typer.Option("--open", help="Leave out done ones.")] = False,
    limit: Annotated[int | None, typer.Option(min=1, help="At most this many.")] = None,
) -> None:
    """Write activities as iCalendar: VEVENT for meetings and calls, VTODO for tasks."""
    from crmcli.services.activities import export_calendar as export

    result = export(
        book(ctx),
        owner=owner,
        kind=kind,
        deal=deal,
        contact=with_,
        company=company,
        start=when(from_),
        end=when(to),
        include_done=not open_only,
        limit=limit,
    )
    output.write_file(ics, result.pop("data"))
    if ics == "-":
        return
    result["file"] = ics
    message = f"wrote {result['events']} events and {result['todos']} to-dos to {ics}"
    if output.options.format == "json":
        output.emit_object(result)
    else:
        output.note(message)
