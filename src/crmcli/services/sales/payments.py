"""Payments received against orders, refunds, and overpayment credit.

Each payment is a ``payments`` row (``amount_milli`` > 0, ``paid_at``, ``deal_id``,
``order_id``). A refund is a row of its own with a **negative** ``amount_milli`` and
``refund_of_id`` naming the payment it gives back, so Σ amount_milli per order is always
what the customer has paid net, and a commission on payments can claw back a refund in the
period it happens. A payment above the open balance is refused unless
``allow_overpayment``: the excess is then a credit (a negative balance) on the order.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, TypedDict

from crmcli.errors import InvalidInput, NotFound
from crmcli.money import format_money, from_milli, parse_money, to_milli
from crmcli.services.book import Book
from crmcli.services.handles import change_handle, resolve, short
from crmcli.services.sales.config import amount_of
from crmcli.services.sales.orders import find_order, order_view, orders_of_deal, paid_milli
from crmcli.services.validate import clean_text
from crmcli.storage.db import Reader, Row, Writer


class PaymentView(TypedDict):
    """A payment or a refund (negative amount, ``refund_of`` set)."""

    id: str
    handle: str
    kind: str  # payment | refund
    deal_id: str
    deal: str
    order_id: str | None
    order: str | None
    amount: Decimal
    currency: str
    paid_at: datetime
    method: str | None
    reference: str | None
    refund_of: str | None
    order_balance: Decimal | None


_SELECT = (
    "SELECT p.*, d.name AS deal, o.number AS order_number FROM payments p "
    "JOIN deals d ON d.id = p.deal_id LEFT JOIN orders o ON o.id = p.order_id"
)


def _view(row: Row, balance_milli: int | None = None) -> PaymentView:
    currency = row["currency"]
    return PaymentView(
        id=row["id"],
        handle=short(row["id"]),
        kind="refund" if int(row["amount_milli"]) < 0 else "payment",
        deal_id=row["deal_id"],
        deal=row["deal"],
        order_id=row["order_id"],
        order=row["order_number"],
        amount=amount_of(row["amount_milli"], currency),
        currency=currency,
        paid_at=row["paid_at"],
        method=row["method"],
        reference=row["reference"],
        refund_of=short(row["refund_of_id"]) if row["refund_of_id"] else None,
        order_balance=None if balance_milli is None else from_milli(balance_milli, currency),
    )


def payments_of_order(reader: Reader, order_id: str) -> list[PaymentView]:
    """An order's payments and refunds by time."""
    return [
        _view(row)
        for row in reader.rows(
            f"{_SELECT} WHERE p.order_id = ? AND p.deleted_at IS NULL ORDER BY p.paid_at",
            (order_id,),
        )
    ]


def payments_of_deal(reader: Reader, deal_id: str) -> list[PaymentView]:
    """A deal's payments and refunds by time."""
    return [
        _view(row)
        for row in reader.rows(
            f"{_SELECT} WHERE p.deal_id = ? AND p.deleted_at IS NULL ORDER BY p.paid_at",
            (deal_id,),
        )
    ]


def _order_for(reader: Reader, target: str) -> Row:
    """The order a payment goes to: an order number, or a deal's oldest order still owed."""
    from crmcli.services.deals import find_deal

    exact = reader.row(
        "SELECT * FROM orders WHERE lower(number) = ? AND deleted_at IS NULL",
        (target.strip().lower(),),
    )
    if exact is not None:
        return exact
    try:
        deal = find_deal(reader, target)
    except NotFound as missing:
        try:
            return find_order(reader, target)  # an id prefix or part of a number
        except NotFound:
            raise NotFound(
                f"no deal or order matches {target.strip()!r}", hint=missing.hint
            ) from missing
    orders = orders_of_deal(reader, deal["id"])
    if not orders:
        raise InvalidInput(
            f"deal {deal['name']!r} has no order to pay",
            hint="an order comes from an accepted quote: crm quote accept NUMBER",
        )
    owed = sorted(
        (o for o in orders if o["balance"] > 0),
        key=lambda o: (o["due_date"] is None, o["due_date"], o["number"]),
    )
    chosen = owed[0] if owed else orders[-1]
    return reader.get("orders", chosen["id"])


def _optional(text: str | None, *, what: str, max_length: int) -> str | None:
    if text is None:
        return None
    return clean_text(text, what=what, max_length=max_length) or None


def add_payment(
    book: Book,
    *,
    target: str,
    amount: str | Decimal,
    method: str | None = None,
    reference: str | None = None,
    allow_overpayment: bool = False,
    at: datetime | None = None,
) -> PaymentView:
    """Record money received against an order (or a deal's oldest open order)."""
    method_text = _optional(method, what="method", max_length=40)
    reference_text = _optional(reference, what="reference", max_length=200)
    with book.write(at=at) as w:
        order = _order_for(w, target)
        value = parse_money(amount, currency=order["currency"])
        row, balance = record_payment(
            w,
            order,
            value,
            method=method_text,
            reference=reference_text,
            allow_overpayment=allow_overpayment,
            shown=str(amount),
        )
        found = w.row(f"{_SELECT} WHERE p.id = ?", (row["id"],))
        assert found is not None
        return _view(found, balance)


def record_payment(
    w: Writer,
    order: Row,
    value: Decimal,
    *,
    method: str | None,
    reference: str | None,
    allow_overpayment: bool = False,
    paid_at: datetime | None = None,
    values: dict[str, Any] | None = None,
    shown: str | None = None,
) -> tuple[Row, int]:
    """Check a payment of ``value`` (in the order's currency) against the order's open
    balance and write it; returns the row and the balance left (thousandths). ``values``:
    further columns of the row (an import's id and created_at)."""
    currency = order["currency"]
    if value <= 0:
        raise InvalidInput(
            f"a payment must be more than zero, not {shown or value}",
            hint="to give money back: crm payment refund PAYMENT",
        )
    balance = int(order["amount_milli"]) - paid_milli(w, order["id"])
    if to_milli(value) > balance and not allow_overpayment:
        owed = amount_of(max(balance, 0), currency)
        raise InvalidInput(
            f"{format_money(value, currency)} is more than the open balance of order "
            f"{order['number']} ({format_money(owed, currency)})",
            hint="record the excess as the customer's credit with --allow-overpayment",
        )
    row = w.insert(
        "payments",
        {
            **(values or {}),
            "deal_id": order["deal_id"],
            "order_id": order["id"],
            "amount_milli": to_milli(value),
            "currency": currency,
            "paid_at": paid_at or w.at,
            "method": method,
            "reference": reference,
        },
    )
    return row, balance - to_milli(value)


def find_payment(reader: Reader, handle: str) -> Row:
    """A payment by id prefix or reference."""
    return resolve(reader, "payment", handle)


def refund_payment(
    book: Book,
    *,
    payment: str,
    amount: str | Decimal | None = None,
    reference: str | None = None,
    at: datetime | None = None,
) -> PaymentView:
    """Give back (part of) a payment: a negative payment row naming it."""
    reference_text = _optional(reference, what="reference", max_length=200)
    with book.write(at=at) as w:
        original = find_payment(w, payment)
        value = parse_money(amount, currency=original["currency"]) if amount is not None else None
        row = record_refund(w, original, value, reference=reference_text, shown=amount)
        found = w.row(f"{_SELECT} WHERE p.id = ?", (row["id"],))
        assert found is not None
        balance = None
        if original["order_id"]:
            order = w.get("orders", original["order_id"])
            balance = int(order["amount_milli"]) - paid_milli(w, order["id"])
        return _view(found, balance)


def refundable_milli(reader: Reader, payment: Row) -> int:
    """What is left to refund of a payment (thousandths): its amount less its refunds."""
    refunded = -int(
        reader.scalar(
            "SELECT coalesce(sum(amount_milli), 0) FROM payments "
            "WHERE refund_of_id = ? AND deleted_at IS NULL",
            (payment["id"],),
        )
    )
    return int(payment["amount_milli"]) - refunded


def refundable_payment(reader: Reader, order_id: str, value: Decimal) -> Row:
    """The payment a refund of ``value`` gives back when none is named: the order's latest
    payment with at least that much left to refund."""
    for payment in reader.rows(
        "SELECT * FROM payments WHERE order_id = ? AND amount_milli > 0 "
        "AND deleted_at IS NULL ORDER BY paid_at DESC, created_at DESC",
        (order_id,),
    ):
        if refundable_milli(reader, payment) >= to_milli(value):
            return payment
    raise InvalidInput(
        f"no payment on that order has {value} left to refund",
        hint="name the payment it gives back in a refund_of column (its reference or id)",
    )


def record_refund(
    w: Writer,
    original: Row,
    value: Decimal | None,
    *,
    reference: str | None,
    paid_at: datetime | None = None,
    values: dict[str, Any] | None = None,
    shown: str | Decimal | None = None,
) -> Row:
    """Check and write a refund of ``value`` (None: all that is left) of ``original``."""
    currency = original["currency"]
    if int(original["amount_milli"]) <= 0:
        raise InvalidInput(
            f"payment {short(original['id'])} is itself a refund",
            hint="refund the payment it gave back instead",
        )
    refundable = refundable_milli(w, original)
    if value is None:
        value = amount_of(refundable, currency)
        if value <= 0:
            raise InvalidInput(
                "nothing to refund", hint="this payment was refunded in full already"
            )
    if value <= 0:
        raise InvalidInput(
            f"a refund must be more than zero, not {shown or value}",
            hint="give the amount to give back, e.g. 300 (leave it out: all that is left)",
        )
    if to_milli(value) > refundable:
        left = format_money(amount_of(refundable, currency), currency)
        raise InvalidInput(
            f"a refund of {format_money(value, currency)} is more than what is left of "
            f"payment {short(original['id'])} ({left})",
            hint="refund at most what was paid",
        )
    return w.insert(
        "payments",
        {
            **(values or {}),
            "deal_id": original["deal_id"],
            "order_id": original["order_id"],
            "amount_milli": -to_milli(value),
            "currency": currency,
            "paid_at": paid_at or w.at,
            "method": original["method"],
            "reference": reference,
            "refund_of_id": original["id"],
        },
    )


def list_payments(
    book: Book,
    *,
    deal: str | None = None,
    order: str | None = None,
    company: str | None = None,
    owner: str | None = None,
    limit: int = 50,
) -> list[PaymentView]:
    """Payments and refunds, newest first."""
    from crmcli.services.deals import find_deal, find_rep

    where = ["p.deleted_at IS NULL"]
    params: list[Any] = []
    actor = book.actor if owner else {}
    with book.read() as r:
        if deal:
            where.append("p.deal_id = ?")
            params.append(find_deal(r, deal)["id"])
        if order:
            where.append("p.order_id = ?")
            params.append(find_order(r, order)["id"])
        if company:
            where.append("d.company_id = ?")
            params.append(resolve(r, "company", company)["id"])
        if owner:
            where.append("d.owner_id = ?")
            params.append(find_rep(r, owner, actor=actor, must_be_active=False)["id"])
        rows = r.rows(
            f"{_SELECT} WHERE {' AND '.join(where)} ORDER BY p.paid_at DESC, p.id LIMIT ?",
            (*params, limit),
        )
    return [_view(row) for row in rows]


def order_balance(book: Book, handle: str) -> Decimal:
    """What is still owed on an order (negative: the customer's credit)."""
    with book.read() as r:
        return order_view(r, find_order(r, handle))["balance"]


def delete_payment(
    book: Book, handle: str, *, at: datetime | None = None
) -> tuple[PaymentView, str]:
    """Soft-delete a payment recorded by mistake (not a refund: that is ``refund``)."""
    with book.write(at=at) as w:
        payment = find_payment(w, handle)
        refunds = w.scalar(
            "SELECT count(*) FROM payments WHERE refund_of_id = ? AND deleted_at IS NULL",
            (payment["id"],),
        )
        if refunds:
            raise InvalidInput(
                f"payment {short(payment['id'])} has refunds",
                hint="delete its refunds first (crm payment list)",
            )
        found = w.row(f"{_SELECT} WHERE p.id = ?", (payment["id"],))
        assert found is not None
        change = w.delete("payments", payment["id"])
        return _view(found), change_handle(change)
