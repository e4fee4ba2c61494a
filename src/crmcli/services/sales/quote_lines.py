"""A draft quote's lines: add (a product, free text, or a charge), edit and remove by
position. Every change stores the recomputed total."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from crmcli.errors import InvalidInput, NotFound
from crmcli.money import parse_money, parse_percent, to_milli
from crmcli.services.book import Book
from crmcli.services.sales.quotes import (
    QuoteView,
    find_quote,
    parse_quantity,
    quote_lines,
    refresh,
    require_draft,
)
from crmcli.services.validate import clean_text
from crmcli.storage.db import Row, Writer


@dataclass(frozen=True)
class LineChange:
    """What ``quote line add|edit`` was given (None: keep / default)."""

    product: str | None = None
    text: str | None = None
    price: str | Decimal | None = None
    quantity: str | Decimal | None = None
    discount: str | Decimal | None = None
    tax: str | Decimal | None = None
    unit: str | None = None
    charge: bool = False


def _product_for(w: Writer, quote: Row, handle: str) -> Row:
    from crmcli.services.sales.products import find_product

    product = find_product(w, handle, include_archived=False)
    if product["currency"] != quote["currency"]:
        raise InvalidInput(
            f"product {product['sku']} is priced in {product['currency']}, "
            f"the quote in {quote['currency']}",
            hint=f"use a product priced in {quote['currency']}, or give this line "
            f"--text … --price … in {quote['currency']}",
        )
    return product


def add_line(book: Book, handle: str, line: LineChange, *, at: datetime | None = None) -> QuoteView:
    """Add a line to a draft: a price-book product, or free text with a price; or a charge."""
    with book.write(at=at) as w:
        quote = find_quote(w, handle)
        values = line_values(w, quote, line)
        insert_line(w, quote, values)
        return refresh(w, quote["id"])


def line_values(w: Writer, quote: Row, line: LineChange) -> dict[str, Any]:
    """The checked row of a new line of draft ``quote`` (not written: see insert_line)."""
    if (line.product is None) == (line.text is None):
        raise InvalidInput(
            "name a --product SKU or a --text with a --price (one of them)",
            hint='e.g. --product SKU-1 --qty 3, or --text "Setup" --price 500',
        )
    if line.text is not None and line.price is None:
        raise InvalidInput("a --text line needs a --price", hint='e.g. --text "Setup" --price 500')
    if line.charge and line.discount is not None:
        raise InvalidInput("a charge takes no discount", hint="drop --discount or --charge")
    quantity = parse_quantity(line.quantity if line.quantity is not None else "1")
    discount = parse_percent(line.discount if line.discount is not None else "0", what="discount")
    tax = parse_percent(line.tax, what="tax") if line.tax is not None else None
    require_draft(quote)
    currency = quote["currency"]
    values: dict[str, Any] = {
        "quote_id": quote["id"],
        "kind": "charge" if line.charge else "item",
    }
    if line.product is not None:
        product = _product_for(w, quote, line.product)
        values.update(
            product_id=product["id"],
            description=product["name"],
            unit=product["unit"],
            unit_price_milli=product["unit_price_milli"],
            tax_pct=product["tax_pct"],
        )
    else:
        values["description"] = clean_text(
            line.text or "", what="line text", max_length=500, required=True
        )
    if line.price is not None:
        values["unit_price_milli"] = to_milli(parse_money(line.price, currency=currency))
    if line.unit is not None:
        values["unit"] = clean_text(line.unit, what="unit", max_length=30) or None
    values["quantity"] = str(quantity)
    values["discount_pct"] = str(discount)
    values["tax_pct"] = str(tax) if tax is not None else values.get("tax_pct", "0")
    return values


def insert_line(w: Writer, quote: Row, values: dict[str, Any]) -> Row:
    """Write a line (from :func:`line_values`) after the quote's last; the caller then
    stores the new total with ``refresh``."""
    position = w.scalar(
        "SELECT max(position) FROM quote_lines WHERE quote_id = ? AND deleted_at IS NULL",
        (quote["id"],),
    )
    return w.insert("quote_lines", {**values, "position": int(position or 0) + 1})


def _line_at(w: Writer, quote: Row, position: int) -> Row:
    lines = quote_lines(w, quote["id"])
    for row in lines:
        if row["position"] == position:
            return row
    raise NotFound(
        f"quote {quote['number']} has no line {position}",
        hint=f"lines: 1–{len(lines)}" if lines else "it has no lines yet: crm quote line add",
    )


def edit_line(
    book: Book, handle: str, position: int, line: LineChange, *, at: datetime | None = None
) -> QuoteView:
    """Change a draft's line (by position): quantity, price, discount, tax, text, unit."""
    values: dict[str, Any] = {}
    if line.quantity is not None:
        values["quantity"] = str(parse_quantity(line.quantity))
    if line.discount is not None:
        values["discount_pct"] = str(parse_percent(line.discount, what="discount"))
    if line.tax is not None:
        values["tax_pct"] = str(parse_percent(line.tax, what="tax"))
    if line.text is not None:
        values["description"] = clean_text(
            line.text, what="line text", max_length=500, required=True
        )
    if line.unit is not None:
        values["unit"] = clean_text(line.unit, what="unit", max_length=30) or None
    with book.write(at=at) as w:
        quote = find_quote(w, handle)
        require_draft(quote)
        row = _line_at(w, quote, position)
        if line.price is not None:
            values["unit_price_milli"] = to_milli(
                parse_money(line.price, currency=quote["currency"])
            )
        if line.product is not None:
            product = _product_for(w, quote, line.product)
            values.setdefault("description", product["name"])
            values.setdefault("unit_price_milli", product["unit_price_milli"])
            values["product_id"] = product["id"]
        if row["kind"] == "charge" and Decimal(values.get("discount_pct", "0")) != 0:
            raise InvalidInput("a charge takes no discount", hint="drop --discount for this line")
        if not values:
            raise InvalidInput("nothing to change", hint="see: crm quote line edit --help")
        w.update("quote_lines", row["id"], values)
        return refresh(w, quote["id"])


def remove_line(book: Book, handle: str, position: int, *, at: datetime | None = None) -> QuoteView:
    """Remove a draft's line; the lines after it move up one position."""
    with book.write(at=at) as w:
        quote = find_quote(w, handle)
        require_draft(quote)
        row = _line_at(w, quote, position)
        w.delete("quote_lines", row["id"])
        for later in quote_lines(w, quote["id"]):
            if later["position"] > position:
                w.update("quote_lines", later["id"], {"position": later["position"] - 1})
        return refresh(w, quote["id"])
