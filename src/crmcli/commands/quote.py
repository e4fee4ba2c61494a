"""crm quote: priced offers on deals — new, lines, send, accept, decline, revise, render."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from crmcli import output
from crmcli.commands._common import AtOption, LimitOption, book, when
from crmcli.commands._sales import amount, money, number, percent
from crmcli.output import Column

if TYPE_CHECKING:
    from crmcli.services.sales.quotes import QuoteView

app = typer.Typer(
    help="Quotes: lines, totals, versions; send, accept, decline, revise, render.",
    no_args_is_help=True,
)
line_app = typer.Typer(help="A draft quote's lines: add, edit, remove.", no_args_is_help=True)
app.add_typer(line_app, name="line")

QuoteArg = Annotated[
    str, typer.Argument(help="The quote: number (latest version; NUMBER/v1 for another) or id.")
]
PositionArg = Annotated[int, typer.Argument(help="The line's position (1 = first).", min=1)]
QuoteDiscountOption = Annotated[str | None, typer.Option(help="Quote-level discount in percent.")]

COLUMNS = [
    Column("number"),
    Column("version", "v", justify="right"),
    Column("status"),
    Column("deal", max_width=28),
    Column("company", max_width=24),
    Column("owner"),
    Column("total", justify="right", render=money()),
    Column("valid_until", "valid until"),
]
FIELDS = [
    Column("handle", "id"),
    Column("number"),
    Column("version"),
    Column("status"),
    Column("deal"),
    Column("company"),
    Column("contact"),
    Column("owner"),
    Column("valid_until", "valid until"),
    Column("discount_pct", "quote discount", render=percent),
    Column("subtotal", render=money()),
    Column("line_discounts", "line discounts", render=money()),
    Column("quote_discount", "quote discount amount", render=money()),
    Column("charges", render=money()),
    Column("tax", render=money()),
    Column("total", render=money()),
    Column("order"),
    Column("terms"),
    Column("notes"),
    Column("created_at", "created"),
    Column("sent_at", "sent"),
    Column("decided_at", "decided"),
]
LINE_COLUMNS = [
    Column("position", "#", justify="right"),
    Column("kind"),
    Column("sku"),
    Column("description", max_width=36),
    Column("quantity", "qty", justify="right", render=number),
    Column("unit"),
    Column("unit_price", "unit price", justify="right", render=amount),
    Column("discount_pct", "disc", justify="right", render=percent),
    Column("tax_pct", "tax", justify="right", render=percent),
    Column("net", "amount", justify="right", render=amount),
]
TAX_COLUMNS = [
    Column("rate", render=percent),
    Column("base", justify="right", render=amount),
    Column("tax", justify="right", render=amount),
]
VERSION_COLUMNS = [
    Column("version", "v", justify="right"),
    Column("status"),
    Column("total", justify="right", render=amount),
    Column("created_at", "created"),
]


def _show(record: QuoteView) -> None:
    sections: dict[str, tuple[Any, Any]] = {
        "Lines": (record["lines"], LINE_COLUMNS),
        "Tax": ([t for t in record["taxes"] if t["rate"]], TAX_COLUMNS),
        "Versions": (record["versions"] if len(record["versions"]) > 1 else [], VERSION_COLUMNS),
    }
    output.emit_object(
        record, FIELDS, title=f"Quote {record['number']} v{record['version']}", sections=sections
    )


def _done(message: str, record: QuoteView) -> None:
    from crmcli.money import format_money

    total = format_money(record["total"], record["currency"])
    output.done(f"{message}: {record['number']} v{record['version']}, total {total}", record)


@app.command("new")
def new(
    ctx: typer.Context,
    deal: Annotated[str, typer.Option(help="The deal the quote prices (required).")],
    contact: Annotated[
        str | None, typer.Option(help="Addressed to (default: the deal's contact).")
    ] = None,
    valid: Annotated[
        str | None, typer.Option(help="Valid for 30d, or until a date (default 30 days).")
    ] = None,
    currency: Annotated[str | None, typer.Option(help="ISO code (default: the deal's).")] = None,
    terms: Annotated[
        str | None, typer.Option(help="Terms printed on it (default: the payment terms).")
    ] = None,
    notes: Annotated[str | None, typer.Option(help="Notes printed on it.")] = None,
    discount: QuoteDiscountOption = None,
    at: AtOption = None,
) -> None:
    """Start a draft quote on a deal (numbered Q-YEAR-SERIES-NNNN)."""
    from crmcli.services.sales.quotes import new_quote

    record = new_quote(
        book(ctx),
        deal=deal,
        contact=contact,
        valid=valid,
        currency=currency,
        terms=terms,
        notes=notes,
        discount=discount,
        at=when(at),
    )
    _done("new quote", record)


@app.command("list")
def list_(
    ctx: typer.Context,
    status: Annotated[
        str | None,
        typer.Option(
            help="draft, sent, accepted, declined, expired, superseded, open or all "
            "(comma-separated; default: all but superseded)."
        ),
    ] = None,
    deal: Annotated[str | None, typer.Option(help="Only this deal's quotes.")] = None,
    company: Annotated[str | None, typer.Option(help="Only this company's quotes.")] = None,
    owner: Annotated[str | None, typer.Option(help="Only this rep's ('me' = you).")] = None,
    expiring: Annotated[
        str | None, typer.Option(help="Sent quotes running out within e.g. 7d.")
    ] = None,
    limit: LimitOption = 50,
) -> None:
    """List quotes, newest first."""
    from crmcli.services.sales.quotes import list_quotes

    rows = list_quotes(
        book(ctx),
        status=status,
        deal=deal,
        company=company,
        owner=owner,
        expiring=expiring,
        limit=limit,
    )
    output.emit_list(rows, COLUMNS, empty="no quotes match", handle_key="number")


@app.command("show")
def show(ctx: typer.Context, quote: QuoteArg) -> None:
    """Show a quote: parties, lines, subtotal, discounts, tax per rate, total, versions."""
    from crmcli.services.sales.quotes import show_quote

    _show(show_quote(book(ctx), quote))


@app.command("edit")
def edit(
    ctx: typer.Context,
    quote: QuoteArg,
    contact: Annotated[str | None, typer.Option(help="Addressed to ('' clears).")] = None,
    valid: Annotated[str | None, typer.Option(help="Valid for 30d, or until a date.")] = None,
    currency: Annotated[str | None, typer.Option(help="ISO code (only without lines).")] = None,
    terms: Annotated[str | None, typer.Option(help="Terms ('' clears).")] = None,
    notes: Annotated[str | None, typer.Option(help="Notes ('' clears).")] = None,
    discount: QuoteDiscountOption = None,
    at: AtOption = None,
) -> None:
    """Change a draft quote (a sent one changes through crm quote revise)."""
    from crmcli.services.sales.quotes import edit_quote

    record = edit_quote(
        book(ctx),
        quote,
        contact=contact,
        valid=valid,
        currency=currency,
        terms=terms,
        notes=notes,
        discount=discount,
        at=when(at),
    )
    _done("updated quote", record)


@line_app.command("add")
def line_add(
    ctx: typer.Context,
    quote: QuoteArg,
    product: Annotated[str | None, typer.Option(help="A price-book product (SKU).")] = None,
    text: Annotated[str | None, typer.Option(help="A free-text line (needs --price).")] = None,
    price: Annotated[str | None, typer.Option(help="Unit price (default: the product's).")] = None,
    qty: Annotated[str | None, typer.Option(help="Quantity (default 1).")] = None,
    discount: Annotated[str | None, typer.Option(help="Line discount in percent.")] = None,
    tax: Annotated[
        str | None, typer.Option(help="Tax rate in percent (default: the product's, else 0).")
    ] = None,
    unit: Annotated[str | None, typer.Option(help="Unit: hour, seat…")] = None,
    charge: Annotated[
        bool, typer.Option("--charge", help="An extra charge (shipping…): not discounted.")
    ] = False,
    at: AtOption = None,
) -> None:
    """Add a line to a draft quote: --product SKU, or --text … --price …."""
    from crmcli.services.sales.quote_lines import LineChange, add_line

    change = LineChange(
        product=product,
        text=text,
        price=price,
        quantity=qty,
        discount=discount,
        tax=tax,
        unit=unit,
        charge=charge,
    )
    _done("added a line", add_line(book(ctx), quote, change, at=when(at)))


@line_app.command("edit")
def line_edit(
    ctx: typer.Context,
    quote: QuoteArg,
    position: PositionArg,
    product: Annotated[str | None, typer.Option(help="Another price-book product.")] = None,
    text: Annotated[str | None, typer.Option(help="New text.")] = None,
    price: Annotated[str | None, typer.Option(help="New unit price.")] = None,
    qty: Annotated[str | None, typer.Option(help="New quantity.")] = None,
    discount: Annotated[str | None, typer.Option(help="New line discount in percent.")] = None,
    tax: Annotated[str | None, typer.Option(help="New tax rate in percent.")] = None,
    unit: Annotated[str | None, typer.Option(help="New unit.")] = None,
    at: AtOption = None,
) -> None:
    """Change a line of a draft quote."""
    from crmcli.services.sales.quote_lines import LineChange, edit_line

    change = LineChange(
        product=product, text=text, price=price, quantity=qty, discount=discount, tax=tax, unit=unit
    )
    _done(f"changed line {position}", edit_line(book(ctx), quote, position, change, at=when(at)))


@line_app.command("remove")
def line_remove(
    ctx: typer.Context, quote: QuoteArg, position: PositionArg, at: AtOption = None
) -> None:
    """Remove a line of a draft quote (the lines after it move up)."""
    from crmcli.services.sales.quote_lines import remove_line

    _done(f"removed line {position}", remove_line(book(ctx), quote, position, at=when(at)))


@app.command("send")
def send(ctx: typer.Context, quote: QuoteArg, at: AtOption = None) -> None:
    """Mark a draft as sent to the customer (frozen from now on)."""
    from crmcli.services.sales.quote_status import send_quote

    _done("sent quote", send_quote(book(ctx), quote, at=when(at)))


@app.command("accept")
def accept(
    ctx: typer.Context,
    quote: QuoteArg,
    no_win: Annotated[
        bool, typer.Option("--no-win", help="Keep the deal open (default: win it).")
    ] = False,
    at: AtOption = None,
) -> None:
    """Accept a quote: creates the order; the deal is won at the quote's total."""
    from crmcli.money import format_money
    from crmcli.services.sales.quote_status import accept_quote

    result = accept_quote(book(ctx), quote, win=not no_win, at=when(at))
    record = {**result.quote, "order": result.order, "deal_won": result.won}
    order = result.order
    won = (
        f"; deal {result.deal} won ({result.from_stage} → {result.to_stage})" if result.won else ""
    )
    output.done(
        f"accepted quote {result.quote['number']} v{result.quote['version']}: order "
        f"{order['number']} for {format_money(order['amount'], order['currency'])}, due "
        f"{order['due_date']}{won}",
        record,
    )


@app.command("decline")
def decline(ctx: typer.Context, quote: QuoteArg, at: AtOption = None) -> None:
    """Record that the customer declined the quote."""
    from crmcli.services.sales.quote_status import decline_quote

    _done("declined quote", decline_quote(book(ctx), quote, at=when(at)))


@app.command("revise")
def revise(ctx: typer.Context, quote: QuoteArg, at: AtOption = None) -> None:
    """Make the next version as a draft (the current version is frozen as superseded)."""
    from crmcli.services.sales.quote_status import revise_quote

    _done("new version", revise_quote(book(ctx), quote, at=when(at)))


@app.command("render")
def render(
    ctx: typer.Context,
    quote: QuoteArg,
    pdf: Annotated[
        str | None, typer.Option("--pdf", help="Write a PDF to FILE ('-': stdout).")
    ] = None,
    html: Annotated[str | None, typer.Option("--html", help="Write an HTML page to FILE.")] = None,
    md: Annotated[bool, typer.Option("--md", help="Print Markdown (or --md-file FILE).")] = False,
    md_file: Annotated[
        str | None, typer.Option("--md-file", help="Write Markdown to FILE.")
    ] = None,
) -> None:
    """Render a quote as a document for the customer: --pdf FILE, --html FILE or --md."""
    from crmcli.services.sales.documents import render_quote, render_targets

    targets = render_targets(pdf=pdf, html=html, md=md_file or ("-" if md else None))
    session = book(ctx)
    for kind, target in targets:
        data = render_quote(session, quote, kind=kind)
        output.write_file(target, data)
        if target != "-":
            output.note(f"wrote {target}")


@app.command("delete")
def delete(ctx: typer.Context, quote: QuoteArg, at: AtOption = None) -> None:
    """Delete a draft version (soft: undo with crm history --undo CHANGE)."""
    from crmcli.services.sales.quotes import delete_quote

    record, change = delete_quote(book(ctx), quote, at=when(at))
    output.done(
        f"deleted quote {record['number']} v{record['version']} "
        f"(undo: crm history --undo {change})",
        record,
    )
