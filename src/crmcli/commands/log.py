"""crm log: record an activity that happened, in one line."""

from __future__ import annotations

from typing import Annotated

import typer

from crmcli.commands._common import AtOption, book, when

app = typer.Typer()


@app.command()
def log(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="call, meeting, task, email or note.")],
    subject: Annotated[str, typer.Argument(help="What happened.")],
    with_: Annotated[str | None, typer.Option("--with", help="Contact: e-mail, name, id.")] = None,
    deal: Annotated[str | None, typer.Option(help="Deal: name or id.")] = None,
    company: Annotated[str | None, typer.Option(help="Company: name or id.")] = None,
    lead: Annotated[str | None, typer.Option(help="Lead: e-mail, name or id.")] = None,
    owner: Annotated[str | None, typer.Option(help="Rep (default: you).")] = None,
    duration: Annotated[str | None, typer.Option(help="How long: 20m.")] = None,
    outcome: Annotated[str | None, typer.Option(help="reached, voicemail, positive…")] = None,
    notes: Annotated[str | None, typer.Option(help="Notes.")] = None,
    at: AtOption = None,
) -> None:
    """Log an activity that happened: crm log call "Discussed pricing" --with ada@acme.example."""
    from crmcli.clock import parse_duration
    from crmcli.commands.activity import show_written
    from crmcli.services.activities import log_activity

    row = log_activity(
        book(ctx),
        kind=kind,
        subject=subject,
        at=when(at),
        duration=parse_duration(duration) if duration else None,
        outcome=outcome,
        notes=notes,
        contact=with_,
        deal=deal,
        company=company,
        lead=lead,
        owner=owner,
    )
    show_written(ctx, row, f"logged {row['kind']} {row['id'][:8]} {row['subject']!r}")
