"""The price book: products with a unique SKU, a price in one currency, a tax rate and a unit.

Archived products (``active`` false) cannot go on new quote lines but stay on old ones.
:func:`create_product` takes validated-or-raw fields and is what ``crm product add`` and the
CSV import both call.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, TypedDict

from crmcli.errors import InvalidInput, NotFound
from crmcli.money import parse_currency, parse_money, parse_percent, to_milli
from crmcli.services.book import Book
from crmcli.services.handles import resolve, short
from crmcli.services.sales.config import amount_of, setting
from crmcli.services.validate import clean_text
from crmcli.storage.db import Reader, Row


class ProductView(TypedDict):
    """A product as commands, JSON and the import see it."""

    id: str
    handle: str
    sku: str
    name: str
    description: str | None
    unit_price: Decimal
    currency: str
    tax_pct: Decimal
    unit: str | None
    active: bool
    created_at: datetime
    updated_at: datetime


def product_view(row: Row) -> ProductView:
    """The public shape of a ``products`` row."""
    return ProductView(
        id=row["id"],
        handle=short(row["id"]),
        sku=row["sku"],
        name=row["name"],
        description=row["description"],
        unit_price=amount_of(row["unit_price_milli"], row["currency"]),
        currency=row["currency"],
        tax_pct=Decimal(row["tax_pct"] or "0"),
        unit=row["unit"],
        active=bool(row["active"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def clean_sku(text: str) -> str:
    """A SKU: 1–64 characters, no spaces or control characters, kept as typed."""
    sku = clean_text(text, what="SKU", max_length=64, required=True)
    if any(c.isspace() for c in sku):
        raise InvalidInput(f"SKU {sku!r} contains spaces", hint="e.g. SKU-1 or SEAT_ANNUAL")
    return sku


def find_product(reader: Reader, handle: str, *, include_archived: bool = True) -> Row:
    """A product by exact SKU (any case), else by id prefix or (part of) its name."""
    row = reader.row(
        "SELECT * FROM products WHERE lower(sku) = ? AND deleted_at IS NULL",
        (handle.strip().lower(),),
    )
    if row is None:
        try:
            row = resolve(reader, "product", handle)
        except NotFound as exc:
            raise NotFound(
                f"unknown product {handle.strip()!r}", hint=exc.hint or "see: crm product list"
            ) from exc
    if not include_archived and not row["active"]:
        raise InvalidInput(
            f"product {row['sku']} is archived and cannot go on new quotes",
            hint=f"pick another (crm product list), or: crm product edit {row['sku']} --active",
        )
    return row


def _price_fields(
    price: str | Decimal | int, currency: str, tax: str | Decimal | int | None
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "unit_price_milli": to_milli(parse_money(price, currency=currency)),
        "currency": currency,
    }
    if tax is not None:
        values["tax_pct"] = str(parse_percent(tax, what="tax"))
    return values


def create_product(
    book: Book,
    *,
    sku: str,
    name: str,
    price: str | Decimal | int,
    currency: str | None = None,
    tax_pct: str | Decimal | int | None = None,
    unit: str | None = None,
    description: str | None = None,
    active: bool = True,
    at: datetime | None = None,
) -> ProductView:
    """Add a product to the price book (SKU unique, price in its currency's minor unit)."""
    sku = clean_sku(sku)
    code = parse_currency(currency or str(setting("currency")))
    values: dict[str, Any] = {
        "sku": sku,
        "name": clean_text(name, what="product name", max_length=300, required=True),
        "description": clean_text(description, what="description", max_length=5000, multiline=True)
        or None
        if description
        else None,
        "unit": clean_text(unit, what="unit", max_length=30) or None if unit else None,
        "tax_pct": "0",
        "active": active,
        **_price_fields(price, code, tax_pct),
    }
    with book.write(at=at) as w:
        taken = w.row("SELECT id, deleted_at FROM products WHERE lower(sku) = ?", (sku.lower(),))
        if taken is not None:
            raise InvalidInput(
                f"SKU {sku} is already in the price book",
                hint=f"change it with: crm product edit {sku} …",
            )
        row = w.insert("products", values)
        return product_view(w.get("products", row["id"]))


def list_products(
    book: Book,
    *,
    include_archived: bool = False,
    search: str | None = None,
    limit: int | None = None,
) -> list[ProductView]:
    """The price book by SKU (active products unless ``include_archived``), the first
    ``limit`` of them when given."""
    from crmcli.services.handles import contains_pattern

    where = ["deleted_at IS NULL"]
    params: list[Any] = []
    if not include_archived:
        where.append("active = ?")
        params.append(True)
    if search:
        pattern = contains_pattern(search)
        where.append("(lower(sku) LIKE ? ESCAPE '\\' OR lower(name) LIKE ? ESCAPE '\\')")
        params += [pattern, pattern]
    with book.read() as r:
        rows = r.rows(
            f"SELECT * FROM products WHERE {' AND '.join(where)} ORDER BY lower(sku)"
            + (" LIMIT ?" if limit else ""),
            [*params, *([limit] if limit else [])],
        )
    return [product_view(row) for row in rows]


def show_product(book: Book, handle: str) -> ProductView:
    """One product."""
    with book.read() as r:
        return product_view(find_product(r, handle))


def edit_product(
    book: Book,
    handle: str,
    *,
    sku: str | None = None,
    name: str | None = None,
    price: str | Decimal | int | None = None,
    currency: str | None = None,
    tax_pct: str | Decimal | int | None = None,
    unit: str | None = None,
    description: str | None = None,
    active: bool | None = None,
    at: datetime | None = None,
) -> ProductView:
    """Change a product; quotes already written keep the price they were made with."""
    with book.write(at=at) as w:
        row = find_product(w, handle)
        values: dict[str, Any] = {}
        if sku is not None:
            values["sku"] = clean_sku(sku)
            clash = w.row(
                "SELECT id FROM products WHERE lower(sku) = ? AND id <> ?",
                (values["sku"].lower(), row["id"]),
            )
            if clash is not None:
                raise InvalidInput(
                    f"SKU {values['sku']} is already in the price book",
                    hint=f"see: crm product show {values['sku']}",
                )
        if name is not None:
            values["name"] = clean_text(name, what="product name", max_length=300, required=True)
        if currency is not None or price is not None:
            code = parse_currency(currency) if currency is not None else row["currency"]
            amount = (
                price if price is not None else amount_of(row["unit_price_milli"], row["currency"])
            )
            values.update(_price_fields(amount, code, None))
        if tax_pct is not None:
            values["tax_pct"] = str(parse_percent(tax_pct, what="tax"))
        if unit is not None:
            values["unit"] = clean_text(unit, what="unit", max_length=30) or None
        if description is not None:
            values["description"] = (
                clean_text(description, what="description", max_length=5000, multiline=True) or None
            )
        if active is not None:
            values["active"] = active
        if not values:
            raise InvalidInput("nothing to change", hint="see: crm product edit --help")
        w.update("products", row["id"], values)
        return product_view(w.get("products", row["id"]))


def archive_product(book: Book, handle: str, *, at: datetime | None = None) -> ProductView:
    """Take a product off the price book for new quotes (old quotes keep it)."""
    with book.write(at=at) as w:
        row = find_product(w, handle)
        if not row["active"]:
            raise InvalidInput(
                f"product {row['sku']} is already archived",
                hint=f"bring it back with: crm product edit {row['sku']} --active",
            )
        w.update("products", row["id"], {"active": False})
        return product_view(w.get("products", row["id"]))
