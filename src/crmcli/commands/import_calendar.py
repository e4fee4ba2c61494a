"""crm import calendar: events and to-dos from an .ics file (re-import by UID updates)."""

from __future__ import annotations

from typing import Annotated

import typer

from crmcli import output
from crmcli.commands._common import AtOption, book, when


def register(app: typer.Typer) -> None:
    """Add ``crm import calendar`` to the import group."""
    app.command("calendar")(import_calendar)


def import_calendar(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="The .ics file.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and report; write nothing.")
    ] = False,
    at: AtOption = None,
) -> None:
    """Import VEVENTs and VTODOs; a UID imported before updates that activity."""
    from crmcli.services.activities import import_calendar as run_import

    result = run_import(book(ctx), file, dry_run=dry_run, at=when(at))
    if output.options.format == "json":
        output.emit_object(result)
        return
    verb = "would import" if dry_run else "imported"
    output.note(
        f"{verb} {file}: {result['created']} new, {result['updated']} updated, "
        f"{result['unchanged']} unchanged"
    )
