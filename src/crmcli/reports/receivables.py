"""``crm report receivables``: open and overdue balances per rep and customer, aged.

As of a day D (default today): every order created by the end of D, less the payments and
refunds recorded by then, leaves a balance; positive balances are summed per rep (the
deal's owner), customer (the deal's company) and currency, into the standard aging
buckets by days past the due date on D: current (not yet due), 1–30, 31–60, 61–90 and
over 90. Amounts stay in their own currency (no conversion): one row per currency.
One SQL aggregate does the work, so the report costs what the query costs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from crmcli import clock
from crmcli.money import currency_exponent
from crmcli.services.book import Book
from crmcli.services.sales.config import amount_of

BUCKETS = ("current", "days_1_30", "days_31_60", "days_61_90", "over_90")
BUCKET_LABELS = ("current", "1–30", "31–60", "61–90", "over 90")


@dataclass(frozen=True, slots=True)
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


class _Amounts(dict[int, Decimal]):
    """Stored thousandths → amounts at one currency's minor unit, each value converted once.

    Most cells of a long report are zero or repeat, so a lookup replaces the conversion; and
    stored amounts were rounded at the currency's unit, so they divide exactly: integer
    division and one ``scaleb`` replace a general rounding.
    """

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code
        self.exponent = currency_exponent(code)
        self.step = 10 ** (3 - self.exponent)

    def __missing__(self, milli: int) -> Decimal:
        value = int(milli)  # PostgreSQL's sum() is numeric
        if value % self.step:
            amount = amount_of(value, self.code)
        else:
            amount = Decimal(value // self.step).scaleb(-self.exponent)
        self[milli] = amount
        return amount


def _row(
    rep: str | None, customer: str | None, code: str, sums: Sequence[int], amount: _Amounts
) -> ReceivableRow:
    orders, open_, current, days_1_30, days_31_60, days_61_90, over_90 = sums
    return ReceivableRow(
        rep=rep,
        customer=customer,
        currency=code,
        orders=int(orders),
        open=amount[open_],
        overdue=amount[open_ - current],
        current=amount[current],
        days_1_30=amount[days_1_30],
        days_31_60=amount[days_31_60],
        days_61_90=amount[days_61_90],
        over_90=amount[over_90],
    )


def receivables_report(
    book: Book, *, owner: str | None = None, team: str | None = None, as_of: date | None = None
) -> ReceivablesReport:
    """Open balances per rep and customer, aged as of ``as_of`` (default today).

    The SQL ages and groups; Python only types its rows (amounts from thousandths) and adds
    up the per-currency totals, so the report costs what its one query costs.
    """
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
        found = r.tuples(receivables_sql(where), [end, end, *extra, *bucket_params(day)])
    amounts: dict[str, _Amounts] = {}
    sums: dict[str, list[int]] = {}
    rows = []
    for rep, customer, code, *cells in found:
        amount = amounts.get(code)
        if amount is None:
            amount = amounts[code] = _Amounts(code)
            sums[code] = [0] * len(cells)
        rows.append(_row(rep, customer, code, cells, amount))
        total = sums[code]
        for i, cell in enumerate(cells):
            total[i] += cell
    totals = tuple(_row(None, None, code, sums[code], amounts[code]) for code in sorted(sums))
    return ReceivablesReport(as_of=day, rows=tuple(rows), totals=totals)
