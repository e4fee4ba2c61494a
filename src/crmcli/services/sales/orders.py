"""Orders: what an accepted quote becomes; payments bring its balance down to zero.

An order's balance = its amount − Σ its payments (refunds are negative payments), so a
balance below zero is a credit the customer holds. It is overdue once its due date (the
acceptance date + ``payment_terms_days``) has passed with a balance left.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict

from crmcli import clock
from crmcli.errors import InvalidInput, NotFound
from crmcli.services.book import Book
from crmcli.services.handles import resolve, short
from crmcli.services.sales.config import amount_of, setting
from crmcli.services.sales.numbering import next_number
from crmcli.storage.db import Reader, Row, Writer

if TYPE_CHECKING:
    from crmcli.services.sales.payments import PaymentView

ORDER_PREFIX = "O"
ORDER_STATUSES = ("open", "overdue", "paid", "credit", "all")


class OrderView(TypedDict):
    """An order with what has been paid and what is still owed."""

    id: str
    handle: str
    number: str
    deal_id: str
    deal: str
    company: str | None
    owner: str | None
    quote: str | None
    amount: Decimal
    paid: Decimal
    balance: Decimal
    currency: str
    due_date: date | None
    status: str  # open | overdue | paid | credit
    days_overdue: int
    created_at: datetime


class OrderDetail(OrderView):
    """An order and its payments (``order show``)."""

    payments: list[PaymentView]


def order_status(balance_milli: int, due_date: date | None, today: date) -> str:
    """open, overdue (a balance past its due date), paid (zero) or credit (overpaid)."""
    if balance_milli == 0:
        return "paid"
    if balance_milli < 0:
        return "credit"
    if due_date is not None and due_date < today:
        return "overdue"
    return "open"


def create_order(w: Writer, *, quote: Row, amount: Decimal) -> Row:
    """The order for an accepted quote (inside the acceptance's transaction)."""
    from crmcli.money import to_milli

    days = int(setting("payment_terms_days"))
    due = clock.to_local(w.at).date() + timedelta(days=days)
    return w.insert(
        "orders",
        {
            "number": next_number(w, table="orders", prefix=ORDER_PREFIX),
            "deal_id": quote["deal_id"],
            "quote_id": quote["id"],
            "amount_milli": to_milli(amount),
            "currency": quote["currency"],
            "due_date": due,
        },
    )


def find_order(reader: Reader, handle: str) -> Row:
    """An order by number (any case) or id prefix."""
    row = reader.row(
        "SELECT * FROM orders WHERE lower(number) = ? AND deleted_at IS NULL",
        (handle.strip().lower(),),
    )
    if row is not None:
        return row
    try:
        return resolve(reader, "order", handle)
    except NotFound as exc:
        raise NotFound(f"no order matches {handle.strip()!r}", hint="see: crm order list") from exc


def paid_milli(reader: Reader, order_id: str) -> int:
    """Σ payments (refunds negative) on an order, in thousandths."""
    return int(
        reader.scalar(
            "SELECT coalesce(sum(amount_milli), 0) FROM payments "
            "WHERE order_id = ? AND deleted_at IS NULL",
            (order_id,),
        )
    )


_SELECT = (
    "SELECT o.id, o.number, o.deal_id, o.quote_id, o.amount_milli, o.currency, o.due_date, "
    "o.created_at, d.name AS deal, c.name AS company, u.username AS owner, "
    "q.number AS quote_number, q.version AS quote_version, "
    "coalesce((SELECT sum(p.amount_milli) FROM payments p WHERE p.order_id = o.id "
    "AND p.deleted_at IS NULL), 0) AS paid_milli "
    "FROM orders o JOIN deals d ON d.id = o.deal_id "
    "LEFT JOIN companies c ON c.id = d.company_id LEFT JOIN users u ON u.id = d.owner_id "
    "LEFT JOIN quotes q ON q.id = o.quote_id"
)


def _view(row: Row, today: date) -> OrderView:
    currency = row["currency"]
    balance = int(row["amount_milli"]) - int(row["paid_milli"])
    status = order_status(balance, row["due_date"], today)
    return OrderView(
        id=row["id"],
        handle=short(row["id"]),
        number=row["number"],
        deal_id=row["deal_id"],
        deal=row["deal"],
        company=row["company"],
        owner=row["owner"],
        quote=f"{row['quote_number']} v{row['quote_version']}" if row["quote_number"] else None,
        amount=amount_of(row["amount_milli"], currency),
        paid=amount_of(row["paid_milli"], currency),
        balance=amount_of(balance, currency),
        currency=currency,
        due_date=row["due_date"],
        status=status,
        days_overdue=(today - row["due_date"]).days if status == "overdue" else 0,
        created_at=row["created_at"],
    )


def order_view(reader: Reader, order: Row) -> OrderView:
    """The public shape of one order, with its paid amount and balance."""
    row = reader.row(f"{_SELECT} WHERE o.id = ?", (order["id"],))
    assert row is not None
    return _view(row, clock.today())


def orders_of_deal(reader: Reader, deal_id: str) -> list[OrderView]:
    """A deal's orders, oldest first."""
    today = clock.today()
    return [
        _view(row, today)
        for row in reader.rows(
            f"{_SELECT} WHERE o.deal_id = ? AND o.deleted_at IS NULL ORDER BY o.created_at",
            (deal_id,),
        )
    ]


def orders_of_company(reader: Reader, company_id: str) -> list[OrderView]:
    """The orders on a company's deals, oldest first."""
    today = clock.today()
    return [
        _view(row, today)
        for row in reader.rows(
            f"{_SELECT} WHERE d.company_id = ? AND o.deleted_at IS NULL "
            "AND d.deleted_at IS NULL ORDER BY o.created_at",
            (company_id,),
        )
    ]


def list_orders(
    book: Book,
    *,
    status: str = "all",
    deal: str | None = None,
    company: str | None = None,
    owner: str | None = None,
    limit: int = 50,
) -> list[OrderView]:
    """Orders, newest first, filtered by status (open, overdue, paid, credit, all)."""
    from crmcli.services.deals import find_deal, find_rep

    if status not in ORDER_STATUSES:
        raise InvalidInput(
            f"unknown order status {status!r}", hint=f"one of: {', '.join(ORDER_STATUSES)}"
        )
    where = ["o.deleted_at IS NULL"]
    params: list[Any] = []
    actor = book.actor if owner else {}
    today = clock.today()
    with book.read() as r:
        if deal:
            where.append("o.deal_id = ?")
            params.append(find_deal(r, deal)["id"])
        if company:
            where.append("d.company_id = ?")
            params.append(resolve(r, "company", company)["id"])
        if owner:
            where.append("d.owner_id = ?")
            params.append(find_rep(r, owner, actor=actor, must_be_active=False)["id"])
        rows = r.rows(
            f"{_SELECT} WHERE {' AND '.join(where)} ORDER BY o.created_at DESC, o.number DESC",
            params,
        )
    views = [_view(row, today) for row in rows]
    if status == "open":
        views = [v for v in views if v["status"] in ("open", "overdue")]
    elif status != "all":
        views = [v for v in views if v["status"] == status]
    return views[:limit]


def show_order(book: Book, handle: str) -> OrderDetail:
    """One order with its payments."""
    from crmcli.services.sales.payments import payments_of_order

    with book.read() as r:
        order = find_order(r, handle)
        return OrderDetail(**order_view(r, order), payments=payments_of_order(r, order["id"]))
