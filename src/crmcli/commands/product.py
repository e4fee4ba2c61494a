"""crm product: the price book — add, list, show, edit, archive."""

from __future__ import annotations

from typing import Annotated

import typer

from crmcli import output
from crmcli.commands._common import AtOption, book, when
from crmcli.commands._sales import money, percent
from crmcli.output import Column

app = typer.Typer(
    help="The price book: products with SKU, price, tax and unit.", no_args_is_help=True
)

ProductArg = Annotated[str, typer.Argument(help="The product: SKU, id prefix or name.")]
COLUMNS = [
    Column("sku"),
    Column("name", max_width=36),
    Column("unit_price", "price", justify="right", render=money()),
    Column("tax_pct", "tax", justify="right", render=percent),
    Column("unit"),
    Column("active"),
]
FIELDS = [
    Column("handle", "id"),
    Column("sku"),
    Column("name"),
    Column("description"),
    Column("unit_price", "price", render=money()),
    Column("tax_pct", "tax", render=percent),
    Column("unit"),
    Column("active"),
    Column("created_at", "created"),
    Column("updated_at", "updated"),
]


@app.command("add")
def add(
    ctx: typer.Context,
    sku: Annotated[str, typer.Argument(help="Unique stock-keeping unit, e.g. SKU-1.")],
    name: Annotated[str, typer.Argument(help="What the customer reads on a quote.")],
    price: Annotated[str, typer.Option(help="Unit price, e.g. 100 or 1,250.50.")],
    currency: Annotated[
        str | None, typer.Option(help="ISO code (default: crm config currency).")
    ] = None,
    tax: Annotated[str | None, typer.Option(help="Tax rate in percent, e.g. 19.")] = None,
    unit: Annotated[str | None, typer.Option(help="Unit: hour, seat, day…")] = None,
    description: Annotated[str | None, typer.Option(help="Longer description.")] = None,
    at: AtOption = None,
) -> None:
    """Add a product to the price book."""
    from crmcli.services.sales.products import create_product

    record = create_product(
        book(ctx),
        sku=sku,
        name=name,
        price=price,
        currency=currency,
        tax_pct=tax,
        unit=unit,
        description=description,
        at=when(at),
    )
    output.done(f"added product {record['sku']} ({record['name']})", record)


@app.command("list")
def list_(
    ctx: typer.Context,
    archived: Annotated[
        bool, typer.Option("--archived", help="Include archived products.")
    ] = False,
    search: Annotated[str | None, typer.Option(help="Only SKUs or names containing this.")] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", min=1, help="Show at most this many (all).")
    ] = None,
) -> None:
    """List the price book by SKU."""
    from crmcli.services.sales.products import list_products

    rows = list_products(book(ctx), include_archived=archived, search=search, limit=limit)
    output.emit_list(rows, COLUMNS, empty="the price book is empty", handle_key="sku")


@app.command("show")
def show(ctx: typer.Context, product: ProductArg) -> None:
    """Show one product."""
    from crmcli.services.sales.products import show_product

    record = show_product(book(ctx), product)
    output.emit_object(record, FIELDS, title=f"Product {record['sku']}")


@app.command("edit")
def edit(
    ctx: typer.Context,
    product: ProductArg,
    sku: Annotated[str | None, typer.Option(help="New SKU.")] = None,
    name: Annotated[str | None, typer.Option(help="New name.")] = None,
    price: Annotated[str | None, typer.Option(help="New unit price.")] = None,
    currency: Annotated[str | None, typer.Option(help="New currency.")] = None,
    tax: Annotated[str | None, typer.Option(help="New tax rate in percent.")] = None,
    unit: Annotated[str | None, typer.Option(help="New unit ('' clears).")] = None,
    description: Annotated[str | None, typer.Option(help="New description ('' clears).")] = None,
    active: Annotated[
        bool | None, typer.Option("--active/--archived", help="Back on the price book, or off.")
    ] = None,
    at: AtOption = None,
) -> None:
    """Change a product (quotes already written keep their prices)."""
    from crmcli.services.sales.products import edit_product

    record = edit_product(
        book(ctx),
        product,
        sku=sku,
        name=name,
        price=price,
        currency=currency,
        tax_pct=tax,
        unit=unit,
        description=description,
        active=active,
        at=when(at),
    )
    output.done(f"updated product {record['sku']}", record)


@app.command("archive")
def archive(ctx: typer.Context, product: ProductArg, at: AtOption = None) -> None:
    """Archive a product: no new quote lines; old quotes keep it."""
    from crmcli.services.sales.products import archive_product

    record = archive_product(book(ctx), product, at=when(at))
    output.done(
        f"archived product {record['sku']} (undo: crm product edit {record['sku']} --active)",
        record,
    )
