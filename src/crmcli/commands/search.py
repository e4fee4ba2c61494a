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


COLUMNS = [
    Column("type"),
    Column("handle", "id"),
    Column("name", max_width=40),
    Column(
        "snippet",
        "match",
        render=lambda v, r: output.highlighted(v, r["highlights"]),
        rich=True,
        plain=lambda v, _r: output.safe(v),  # no styles to mark the match with
    ),
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
    output.emit_list([h.as_dict() for h in hits], COLUMNS, empty=f"nothing matches {query!r}")
