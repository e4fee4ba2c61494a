"""``crm report receivables``: open and overdue balances per rep and customer, aged.

As of a day D (default today): every order created by the end of D, less the payments and
refunds recorded by then, leaves a balance; positive balances are summed per rep (the
deal's owner), customer (the deal's company) and currency, into the standard aging
buckets by days past the due date on D: current (not yet due), 1–30, 31–60, 61–90 and
over 90. Amounts stay in their own currency (no conversion): one row per currency.
One SQL aggregate does the work, so the report costs what the query costs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from crmcli import clock
from crmcli.services.book import Book
from crmcli.services.sales.config import amount_of

BUCKETS = ("current", "days_1_30", "days_31_60", "days_61_90", "over_90")
BUCKET_LABELS = ("current", "1–30", "31–60", "61–90", "over 90")


@dataclass(frozen=True)
class ReceivableRow:
    """What one customer owes one rep's deals, in one currency, by age."""

    rep: str | None
    customer: str | None
    currency: str
    orders: int
    open: Decimal
    overdue: Decimal
    current: Decimal
    days_1_30: Decimal
    days_31_60: Decimal
    days_61_90: Decimal
    over_90: Decimal


@dataclass(frozen=True)
class ReceivablesReport:
    """The aged receivables as of a day; ``totals`` has one row per currency."""

    as_of: date
    rows: tuple[ReceivableRow, ...]
    totals: tuple[ReceivableRow, ...]


def receivables_sql(where: str = "") -> str:
    """The aggregate (parameters: as-of end ×2, then the bucket bounds d0, d30, d60, d90,
    then whatever ``where`` adds); also what the benchmark runs as raw SQL."""
    bucket = "sum(CASE WHEN {cond} THEN b.balance ELSE 0 END)"
    return (
        "WITH paid AS (SELECT order_id, sum(amount_milli) AS paid FROM payments "
        "WHERE deleted_at IS NULL AND paid_at < ? GROUP BY order_id), "
        "b AS (SELECT o.currency, o.due_date, d.owner_id, d.company_id, "
        "o.amount_milli - coalesce(p.paid, 0) AS balance FROM orders o "
        "JOIN deals d ON d.id = o.deal_id LEFT JOIN paid p ON p.order_id = o.id "
        f"WHERE o.deleted_at IS NULL AND d.deleted_at IS NULL AND o.created_at < ?{where}) "
        "SELECT u.username AS rep, c.name AS customer, b.currency, count(*) AS orders, "
        "sum(b.balance) AS open, "
        + ", ".join(
            f"{bucket.format(cond=cond)} AS {name}"
            for name, cond in (
                ("current", "b.due_date IS NULL OR b.due_date >= ?"),
                ("days_1_30", "b.due_date < ? AND b.due_date >= ?"),
                ("days_31_60", "b.due_date < ? AND b.due_date >= ?"),
                ("days_61_90", "b.due_date < ? AND b.due_date >= ?"),
                ("over_90", "b.due_date < ?"),
            )
        )
        + " FROM b LEFT JOIN users u ON u.id = b.owner_id "
        "LEFT JOIN companies c ON c.id = b.company_id WHERE b.balance > 0 "
        "GROUP BY u.username, c.name, b.currency ORDER BY u.username, c.name, b.currency"
    )


def bucket_params(as_of: date) -> list[date]:
    """The due-date bounds of the buckets, in the order :func:`receivables_sql` takes them."""
    d30, d60, d90 = (as_of - timedelta(days=n) for n in (30, 60, 90))
    return [as_of, as_of, d30, d30, d60, d60, d90, d90]


def _row(item: dict[str, Any]) -> ReceivableRow:
    code = item["currency"]

    def amount(key: str) -> Decimal:
        return amount_of(int(item[key] or 0), code)

    return ReceivableRow(
        rep=item["rep"],
        customer=item["customer"],
        currency=code,
        orders=int(item["orders"]),
        open=amount("open"),
        overdue=amount("open") - amount("current"),
        current=amount("current"),
        days_1_30=amount("days_1_30"),
        days_31_60=amount("days_31_60"),
        days_61_90=amount("days_61_90"),
        over_90=amount("over_90"),
    )


def receivables_report(
    book: Book, *, owner: str | None = None, team: str | None = None, as_of: date | None = None
) -> ReceivablesReport:
    """Open balances per rep and customer, aged as of ``as_of`` (default today)."""
    from crmcli.services.deals import find_rep

    day = as_of or clock.today()
    end = datetime.combine(day + timedelta(days=1), time(0), clock.local_zone()).astimezone(UTC)
    where = ""
    extra: list[Any] = []
    actor = book.actor if owner else {}
    with book.read() as r:
        if owner:
            where += " AND d.owner_id = ?"
            extra.append(find_rep(r, owner, actor=actor, must_be_active=False)["id"])
        if team:
            where += " AND d.owner_id IN (SELECT id FROM users WHERE lower(team) = ?)"
            extra.append(team.strip().lower())
        found = r.rows(receivables_sql(where), [end, end, *extra, *bucket_params(day)])
    rows = tuple(_row(item) for item in found)
    by_currency: dict[str, dict[str, Any]] = {}
    for item in found:
        total = by_currency.setdefault(
            item["currency"],
            {"rep": None, "customer": None, "currency": item["currency"], "orders": 0}
            | dict.fromkeys(("open", *BUCKETS), 0),
        )
        for key in ("orders", "open", *BUCKETS):
            total[key] += int(item[key] or 0)
    totals = tuple(_row(by_currency[code]) for code in sorted(by_currency))
    return ReceivablesReport(as_of=day, rows=rows, totals=totals)
