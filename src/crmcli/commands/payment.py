"""crm payment: money received against orders — add, list, refund."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from crmcli import output
from crmcli.commands._common import AtOption, LimitOption, book, when
from crmcli.commands._sales import money
from crmcli.output import Column

if TYPE_CHECKING:
    from crmcli.services.sales.payments import PaymentView

app = typer.Typer(help="Payments received against orders; refunds.", no_args_is_help=True)

COLUMNS = [
    Column("handle", "id"),
    Column("paid_at", "when"),
    Column("kind"),
    Column("deal", max_width=28),
    Column("order"),
    Column("amount", justify="right", render=money()),
    Column("method"),
    Column("reference"),
]


def _done(verb: str, row: PaymentView) -> None:
    from crmcli.money import format_money

    left = ""
    balance = row["order_balance"]
    if balance is not None:
        left = f"; balance of {row['order']}: {format_money(balance, row['currency'])}"
    output.done(
        f"{verb} {format_money(abs(row['amount']), row['currency'])} on {row['deal']} "
        f"({row['handle']}){left}",
        row,
    )


@app.command("add")
def add(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="The order (O-…) or the deal paid for.")],
    amount: Annotated[str, typer.Argument(help="Amount received, in the order's currency.")],
    method: Annotated[str | None, typer.Option(help="bank transfer, card…")] = None,
    reference: Annotated[str | None, typer.Option(help="Invoice or bank reference.")] = None,
    allow_overpayment: Annotated[
        bool,
        typer.Option("--allow-overpayment", help="Accept more than the balance (a credit)."),
    ] = False,
    at: AtOption = None,
) -> None:
    """Record a payment (a deal's oldest open order gets it when a deal is named)."""
    from crmcli.services.sales.payments import add_payment

    record = add_payment(
        book(ctx),
        target=target,
        amount=amount,
        method=method,
        reference=reference,
        allow_overpayment=allow_overpayment,
        at=when(at),
    )
    _done("recorded", record)


@app.command("list")
def list_(
    ctx: typer.Context,
    deal: Annotated[str | None, typer.Option(help="Only this deal's payments.")] = None,
    order: Annotated[str | None, typer.Option(help="Only this order's payments.")] = None,
    company: Annotated[str | None, typer.Option(help="Only this company's payments.")] = None,
    owner: Annotated[str | None, typer.Option(help="Only this rep's deals ('me' = you).")] = None,
    limit: LimitOption = 50,
) -> None:
    """List payments and refunds, newest first."""
    from crmcli.services.sales.payments import list_payments

    rows = list_payments(
        book(ctx), deal=deal, order=order, company=company, owner=owner, limit=limit
    )
    output.emit_list(rows, COLUMNS, empty="no payments match")


@app.command("refund")
def refund(
    ctx: typer.Context,
    payment: Annotated[str, typer.Argument(help="The payment: id prefix or reference.")],
    amount: Annotated[
        str | None, typer.Argument(help="How much to give back (default: all that is left).")
    ] = None,
    reference: Annotated[str | None, typer.Option(help="Reference of the refund.")] = None,
    at: AtOption = None,
) -> None:
    """Refund (part of) a payment: a negative payment that names it."""
    from crmcli.services.sales.payments import refund_payment

    record = refund_payment(
        book(ctx), payment=payment, amount=amount, reference=reference, at=when(at)
    )
    _done("refunded", record)
