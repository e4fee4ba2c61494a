"""crm search: find anything, ranked, with the match marked."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from crmcli import output
from crmcli.commands._common import book
from crmcli.output import Column

app = typer.Typer()


def _owner(value: Any, _row: Any) -> str:
    return f"{value['type']} {value['handle']} {output.safe(value['name'])}" if value else ""


def _columns(marked: bool) -> list[Column]:
    # The match is marked only where styles show (a colour terminal); elsewhere the table is
    # plain text and the output layer draws it without importing Rich (~30 ms).
    match = (
        Column(
            "snippet",
            "match",
            render=lambda v, r: output.highlighted(v, r["highlights"]),
            rich=True,
        )
        if marked
        else Column("snippet", "match", render=lambda v, _r: output.safe(v))
    )
    return [
        Column("type"),
        Column("handle", "id"),
        Column("name", max_width=40),
        match,
        Column("owner", "belongs to", render=_owner, max_width=40),
    ]


@app.command()
def search(
    ctx: typer.Context,
    text: Annotated[list[str], typer.Argument(help='Words (prefixes match), or "a phrase".')],
    type_: Annotated[
        list[str] | None,
        typer.Option(
            "--type", "-t", help="contact, company, lead, deal, activity, quote (repeatable)."
        ),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, help="Show at most this many.")
    ] = 20,
) -> None:
    """Search names, e-mails, phones, domains, tags, notes, activities and quote lines."""
    from crmcli.services.search import search as run

    query = " ".join(text)
    hits = run(book(ctx), query, types=type_, limit=limit)
    output.emit_list(
        [h.as_dict() for h in hits], _columns(output.colour()), empty=f"nothing matches {query!r}"
    )
