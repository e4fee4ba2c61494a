"""What customers still owe: balances per deal or company, and the overdue orders the agenda
flags. (The aggregate per rep and customer with aging buckets is ``reports.receivables``.)"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, TypedDict

from crmcli.services.handles import short
from crmcli.services.sales.config import amount_of
from crmcli.storage.db import Reader

# Σ payments per order (refunds are negative rows), joined to each order's deal.
BALANCES_SQL = (
    "SELECT o.id, o.number, o.currency, o.due_date, o.amount_milli, d.id AS deal_id, "
    "d.name AS deal, d.owner_id, d.company_id, "
    "o.amount_milli - coalesce((SELECT sum(p.amount_milli) FROM payments p "
    "WHERE p.order_id = o.id AND p.deleted_at IS NULL), 0) AS balance_milli "
    "FROM orders o JOIN deals d ON d.id = o.deal_id "
    "WHERE o.deleted_at IS NULL AND d.deleted_at IS NULL"
)


class BalanceLine(TypedDict):
    """Money owed in one currency: ordered, paid, open balance, of which overdue."""

    currency: str
    ordered: Decimal
    paid: Decimal
    balance: Decimal
    overdue: Decimal


class OverdueBalance(TypedDict):
    """An order past its due date with money still owed (an agenda item)."""

    order_id: str
    handle: str
    number: str
    deal_id: str
    deal: str
    owner_id: str | None
    balance: Decimal
    currency: str
    due_date: date
    days_overdue: int


def balances(
    reader: Reader, *, today: date, deal_id: str | None = None, company_id: str | None = None
) -> list[BalanceLine]:
    """A deal's or a company's orders summed per currency."""
    column, value = ("d.id", deal_id) if deal_id else ("d.company_id", company_id)
    rows = reader.rows(f"{BALANCES_SQL} AND {column} = ?", (value,))
    sums: dict[str, list[int]] = {}
    for row in rows:
        entry = sums.setdefault(row["currency"], [0, 0, 0])
        balance = int(row["balance_milli"])
        entry[0] += int(row["amount_milli"])
        entry[1] += balance
        if balance > 0 and row["due_date"] is not None and row["due_date"] < today:
            entry[2] += balance
    return [
        BalanceLine(
            currency=code,
            ordered=amount_of(ordered, code),
            paid=amount_of(ordered - balance, code),
            balance=amount_of(balance, code),
            overdue=amount_of(overdue, code),
        )
        for code, (ordered, balance, overdue) in sorted(sums.items())
    ]


def overdue_balances(
    reader: Reader, *, today: date, owner_id: str | None = None, limit: int = 200
) -> list[OverdueBalance]:
    """Orders past their due date with a balance left, the longest overdue first."""
    where = " AND o.due_date < ?"
    params: list[Any] = [today]
    if owner_id is not None:
        where += " AND d.owner_id = ?"
        params.append(owner_id)
    rows = reader.rows(
        f"SELECT * FROM ({BALANCES_SQL}{where}) b WHERE b.balance_milli > 0 "
        "ORDER BY b.due_date, b.number LIMIT ?",
        (*params, limit),
    )
    return [
        OverdueBalance(
            order_id=row["id"],
            handle=short(row["id"]),
            number=row["number"],
            deal_id=row["deal_id"],
            deal=row["deal"],
            owner_id=row["owner_id"],
            balance=amount_of(row["balance_milli"], row["currency"]),
            currency=row["currency"],
            due_date=row["due_date"],
            days_overdue=(today - row["due_date"]).days,
        )
        for row in rows
    ]
