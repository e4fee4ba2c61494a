"""Price-book products on an existing deal (``crm deal line add|remove``).

Lines are numbered 1, 2, … in the order they were added (what ``deal show`` lists).
The deal's amount is not changed: it is what the rep forecasts; a quote, once accepted,
sets it to the quote total.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TypedDict

from crmcli.errors import InvalidInput, NotFound
from crmcli.money import parse_money, parse_percent, round_money, to_milli
from crmcli.services.book import Book
from crmcli.services.sales.config import amount_of
from crmcli.services.sales.products import find_product
from crmcli.services.sales.quotes import parse_quantity
from crmcli.storage.db import Reader, Row


class DealLineView(TypedDict):
    """A product on a deal: quantity × unit price × (1 − discount), rounded at the currency."""

    id: str
    position: int
    sku: str | None
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount_pct: Decimal
    total: Decimal
    currency: str


def _lines(reader: Reader, deal_id: str) -> list[Row]:
    # Lines added in one second (or at one --at) keep the order they were entered in.
    return reader.rows(
        "SELECT l.*, p.sku FROM deal_lines l LEFT JOIN products p ON p.id = l.product_id "
        "LEFT JOIN changes c ON c.entity = ? AND c.record_id = l.id AND c.op = ? "
        "WHERE l.deal_id = ? AND l.deleted_at IS NULL ORDER BY l.created_at, c.hlc, l.id",
        ("deal_lines", "create", deal_id),
    )


def deal_lines(reader: Reader, deal: Row) -> list[DealLineView]:
    """A deal's product lines, numbered from 1."""
    code = deal["currency"]
    out = []
    for position, line in enumerate(_lines(reader, deal["id"]), start=1):
        price = amount_of(line["unit_price_milli"], code)
        quantity = Decimal(line["quantity"])
        discount = Decimal(line["discount_pct"] or "0")
        out.append(
            DealLineView(
                id=line["id"],
                position=position,
                sku=line["sku"],
                description=line["description"],
                quantity=quantity,
                unit_price=price,
                discount_pct=discount,
                total=round_money(quantity * price * (1 - discount / 100), code),
                currency=code,
            )
        )
    return out


def add_deal_line(
    book: Book,
    *,
    deal: str,
    product: str,
    quantity: str | Decimal = "1",
    price: str | Decimal | None = None,
    discount: str | Decimal | None = None,
    at: datetime | None = None,
) -> list[DealLineView]:
    """Put a price-book product on a deal; returns the deal's lines."""
    from crmcli.services.deals import find_deal

    qty = parse_quantity(quantity)
    pct = parse_percent(discount, what="discount") if discount is not None else Decimal(0)
    with book.write(at=at) as w:
        deal_row = find_deal(w, deal)
        item = find_product(w, product, include_archived=False)
        if item["currency"] != deal_row["currency"] and price is None:
            raise InvalidInput(
                f"product {item['sku']} is priced in {item['currency']}, "
                f"the deal in {deal_row['currency']}",
                hint=f"give its price in {deal_row['currency']} with --price",
            )
        unit = (
            to_milli(parse_money(price, currency=deal_row["currency"]))
            if price is not None
            else item["unit_price_milli"]
        )
        w.insert(
            "deal_lines",
            {
                "deal_id": deal_row["id"],
                "product_id": item["id"],
                "description": item["name"],
                "quantity": str(qty),
                "unit_price_milli": unit,
                "discount_pct": str(pct),
            },
        )
        return deal_lines(w, deal_row)


def remove_deal_line(
    book: Book, *, deal: str, position: int, at: datetime | None = None
) -> list[DealLineView]:
    """Take line ``position`` (1 = first) off a deal; returns the remaining lines."""
    from crmcli.services.deals import find_deal

    with book.write(at=at) as w:
        deal_row = find_deal(w, deal)
        lines = _lines(w, deal_row["id"])
        if not 1 <= position <= len(lines):
            raise NotFound(
                f"deal {deal_row['name']!r} has no line {position}",
                hint=f"lines: 1–{len(lines)}" if lines else "it has no product lines",
            )
        w.delete("deal_lines", lines[position - 1]["id"])
        return deal_lines(w, deal_row)
