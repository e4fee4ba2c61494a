"""crm expense: sales expenses against deals and customers — add, list, delete."""

from __future__ import annotations

from typing import Annotated

import typer

from crmcli import output
from crmcli.commands._common import AtOption, LimitOption, book, when
from crmcli.commands._sales import money
from crmcli.output import Column

app = typer.Typer(help="Sales expenses: travel, entertainment, samples…", no_args_is_help=True)

COLUMNS = [
    Column("handle", "id"),
    Column("spent_at", "when"),
    Column("category"),
    Column("amount", justify="right", render=money()),
    Column("deal", max_width=28),
    Column("company", max_width=24),
    Column("rep"),
    Column("note", max_width=30),
]


@app.command("add")
def add(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="The deal or company it was spent on.")],
    amount: Annotated[str, typer.Argument(help="How much, e.g. 240.50.")],
    category: Annotated[str, typer.Option(help="travel, entertainment, samples or other.")],
    currency: Annotated[
        str | None, typer.Option(help="ISO code (default: the deal's, else crm config currency).")
    ] = None,
    rep: Annotated[str | None, typer.Option(help="Who spent it (default: you).")] = None,
    note: Annotated[str | None, typer.Option(help="What it was for.")] = None,
    at: AtOption = None,
) -> None:
    """Record an expense on a deal or a customer."""
    from crmcli.money import format_money
    from crmcli.services.sales.expenses import add_expense

    record = add_expense(
        book(ctx),
        target=target,
        amount=amount,
        category=category,
        currency=currency,
        rep=rep,
        note=note,
        at=when(at),
    )
    on = record["deal"] or record["company"]
    output.done(
        f"recorded {record['category']} {format_money(record['amount'], record['currency'])} "
        f"on {on} ({record['handle']})",
        record,
    )


@app.command("list")
def list_(
    ctx: typer.Context,
    deal: Annotated[str | None, typer.Option(help="Only this deal's expenses.")] = None,
    company: Annotated[str | None, typer.Option(help="Only this company's expenses.")] = None,
    rep: Annotated[str | None, typer.Option(help="Only this rep's ('me' = you).")] = None,
    category: Annotated[str | None, typer.Option(help="Only this category.")] = None,
    limit: LimitOption = 50,
) -> None:
    """List expenses, newest first."""
    from crmcli.services.sales.expenses import list_expenses

    rows = list_expenses(
        book(ctx), deal=deal, company=company, rep=rep, category=category, limit=limit
    )
    output.emit_list(rows, COLUMNS, empty="no expenses match")


@app.command("delete")
def delete(
    ctx: typer.Context,
    expense: Annotated[str, typer.Argument(help="The expense's id prefix.")],
    at: AtOption = None,
) -> None:
    """Delete an expense (soft: undo with crm history --undo CHANGE)."""
    from crmcli.services.sales.expenses import delete_expense

    record, change = delete_expense(book(ctx), expense, at=when(at))
    output.done(f"deleted expense {record['handle']} (undo: crm history --undo {change})", record)
