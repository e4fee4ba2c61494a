"""Price book, quotes with lines, orders and payments."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, UniqueConstraint

from crmcli.models.base import Record, milli, ref, required_ref, timestamp


class Product(Record, table=True):
    """An item of the price book."""

    __tablename__ = "products"
    sku: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=300)
    description: str | None = None
    unit_price_milli: int = milli(nullable=False)
    currency: str = Field(default="EUR", max_length=3)
    tax_pct: str = Field(default="0", max_length=12)
    active: bool = True
    unit: str | None = Field(default=None, max_length=30)  # hour, seat, day… (0004)


class Quote(Record, table=True):
    """A priced offer on a deal; numbered uniquely across the team, versioned."""

    __tablename__ = "quotes"
    __table_args__ = (UniqueConstraint("number", "version"),)
    number: str = Field(max_length=40, index=True)
    version: int = 1
    deal_id: str = required_ref("deals")
    status: str = Field(default="draft", max_length=12)  # draft|sent|accepted|declined|expired
    currency: str = Field(default="EUR", max_length=3)
    valid_until: date | None = None
    discount_pct: str = Field(default="0", max_length=12)
    tax_pct: str = Field(default="0", max_length=12)
    total_milli: int = milli(nullable=False)
    notes: str | None = None
    sent_at: datetime | None = timestamp()
    decided_at: datetime | None = timestamp()
    previous_id: str | None = ref("quotes", index=False)
    # 0004_quote_to_cash: the customer's contact and the terms printed on the document
    contact_id: str | None = ref("contacts", index=False)
    terms: str | None = None


class QuoteLine(Record, table=True):
    """One priced line of a quote."""

    __tablename__ = "quote_lines"
    quote_id: str = required_ref("quotes")
    position: int = 0
    product_id: str | None = ref("products")
    description: str = Field(default="", max_length=500)
    quantity: str = Field(default="1", max_length=30)
    unit_price_milli: int = milli(nullable=False)
    discount_pct: str = Field(default="0", max_length=12)
    # 0004_quote_to_cash: tax per line, the unit, and item vs charge (shipping…)
    tax_pct: str = Field(default="0", max_length=12)
    unit: str | None = Field(default=None, max_length=30)
    kind: str = Field(default="item", max_length=10)  # item|charge


class Order(Record, table=True):
    """What an accepted quote becomes on its won deal; payments reduce its balance."""

    __tablename__ = "orders"
    number: str = Field(max_length=40, unique=True)
    deal_id: str = required_ref("deals")
    quote_id: str | None = ref("quotes")
    amount_milli: int = milli(nullable=False)
    currency: str = Field(default="EUR", max_length=3)
    due_date: date | None = None


class Payment(Record, table=True):
    """Money received (or refunded, negative) against a deal's order."""

    __tablename__ = "payments"
    deal_id: str = required_ref("deals")
    order_id: str | None = ref("orders")
    amount_milli: int = milli(nullable=False)
    currency: str = Field(default="EUR", max_length=3)
    paid_at: datetime = timestamp(nullable=False, index=True)
    method: str | None = Field(default=None, max_length=40)
    reference: str | None = Field(default=None, max_length=200)
    # 0004_quote_to_cash: a refund is a negative payment naming the payment it refunds
    refund_of_id: str | None = ref("payments", index=False)


class Expense(Record, table=True):
    """A sales expense (travel, entertainment, samples…) on a deal or a customer."""

    __tablename__ = "expenses"
    deal_id: str | None = ref("deals")
    company_id: str | None = ref("companies")
    user_id: str | None = ref("users")
    category: str = Field(max_length=20)  # travel|entertainment|samples|other
    amount_milli: int = milli(nullable=False)
    currency: str = Field(default="EUR", max_length=3)
    spent_at: datetime = timestamp(nullable=False, index=True)
    note: str | None = None
