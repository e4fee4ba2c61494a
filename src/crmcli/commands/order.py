"""crm order: what accepted quotes became — list and show, with balances."""

from __future__ import annotations

from typing import Annotated

import typer

from crmcli import output
from crmcli.commands._common import LimitOption, book
from crmcli.commands._sales import money
from crmcli.output import Column

app = typer.Typer(
    help="Orders from accepted quotes: amounts, payments, balances.", no_args_is_help=True
)

COLUMNS = [
    Column("number"),
    Column("deal", max_width=28),
    Column("company", max_width=24),
    Column("owner"),
    Column("amount", justify="right", render=money()),
    Column("balance", justify="right", render=money()),
    Column("due_date", "due"),
    Column("status"),
]
FIELDS = [
    Column("handle", "id"),
    Column("number"),
    Column("deal"),
    Column("company"),
    Column("owner"),
    Column("quote"),
    Column("amount", render=money()),
    Column("paid", render=money()),
    Column("balance", render=money()),
    Column("due_date", "due"),
    Column("status"),
    Column("days_overdue", "days overdue"),
    Column("created_at", "created"),
]
PAYMENT_COLUMNS = [
    Column("handle", "id"),
    Column("paid_at", "when"),
    Column("kind"),
    Column("amount", justify="right", render=money()),
    Column("method"),
    Column("reference"),
]


@app.command("list")
def list_(
    ctx: typer.Context,
    status: Annotated[str, typer.Option(help="open, overdue, paid, credit or all.")] = "all",
    deal: Annotated[str | None, typer.Option(help="Only this deal's orders.")] = None,
    company: Annotated[str | None, typer.Option(help="Only this company's orders.")] = None,
    owner: Annotated[str | None, typer.Option(help="Only this rep's ('me' = you).")] = None,
    limit: LimitOption = 50,
) -> None:
    """List orders, newest first, with what is still owed."""
    from crmcli.services.sales.orders import list_orders

    rows = list_orders(
        book(ctx), status=status, deal=deal, company=company, owner=owner, limit=limit
    )
    output.emit_list(rows, COLUMNS, empty="no orders match", handle_key="number")


@app.command("show")
def show(
    ctx: typer.Context,
    order: Annotated[str, typer.Argument(help="The order: number (O-…) or id prefix.")],
) -> None:
    """Show an order and its payments."""
    from crmcli.services.sales.orders import show_order

    record = show_order(book(ctx), order)
    output.emit_object(
        record,
        FIELDS,
        title=f"Order {record['number']}",
        sections={"Payments": (record["payments"], PAYMENT_COLUMNS)},
    )
