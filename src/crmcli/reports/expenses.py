"""``crm report expenses``: sales expenses by rep, category and deal, and cost of sale.

In a period (``--period``/``--from``/``--to``, default this quarter): expenses spent in it,
summed per rep (who spent), per category and per deal, each in its own currency (no
conversion). Cost of sale = expenses ÷ revenue won in the same period and currency (deals
closed won in it, by the same rep for the per-rep rows; the deal's own amount per deal).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from crmcli import clock
from crmcli.periods import Period
from crmcli.services.book import Book
from crmcli.services.sales.config import amount_of


def share(part: int, whole: int) -> Decimal | None:
    """part ÷ whole as a fraction with four decimals (None without a whole)."""
    if whole <= 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class RepExpenses:
    rep: str | None
    currency: str
    expenses: Decimal
    won_revenue: Decimal
    cost_of_sale: Decimal | None  # expenses ÷ won revenue


@dataclass(frozen=True)
class CategoryExpenses:
    category: str
    currency: str
    expenses: Decimal
    share: Decimal | None  # of all expenses in that currency


@dataclass(frozen=True)
class DealExpenses:
    deal: str
    deal_id: str
    rep: str | None
    status: str
    currency: str
    expenses: Decimal
    amount: Decimal
    cost_of_sale: Decimal | None  # expenses ÷ the deal's amount, once won


@dataclass(frozen=True)
class ExpensesReport:
    """Expenses in a period, three ways, with the totals per currency."""

    period: Period
    by_rep: tuple[RepExpenses, ...]
    by_category: tuple[CategoryExpenses, ...]
    by_deal: tuple[DealExpenses, ...]
    totals: tuple[RepExpenses, ...]  # rep None: everyone


def _bounds(period: Period) -> tuple[datetime, datetime]:
    zone = clock.local_zone()
    return (
        datetime.combine(period.start, time(0), zone).astimezone(UTC),
        datetime.combine(period.end + timedelta(days=1), time(0), zone).astimezone(UTC),
    )


def expenses_report(
    book: Book, *, period: Period, owner: str | None = None, team: str | None = None
) -> ExpensesReport:
    """Expenses in ``period`` by rep, category and deal, set against won revenue."""
    from crmcli.services.deals import find_rep

    start, end = _bounds(period)
    spent = " AND e.spent_at >= ? AND e.spent_at < ?"
    won = " AND d.status = 'won' AND d.closed_at >= ? AND d.closed_at < ?"
    params: list[Any] = []
    filters = ""
    actor = book.actor if owner else {}
    with book.read() as r:
        if owner:
            filters += " AND {who} = ?"
            params.append(find_rep(r, owner, actor=actor, must_be_active=False)["id"])
        if team:
            filters += " AND {who} IN (SELECT id FROM users WHERE lower(team) = ?)"
            params.append(team.strip().lower())
        by_rep_rows = r.rows(
            "SELECT u.username AS rep, e.currency, sum(e.amount_milli) AS milli FROM expenses e "
            "LEFT JOIN users u ON u.id = e.user_id WHERE e.deleted_at IS NULL"
            f"{spent}{filters.format(who='e.user_id')} "
            "GROUP BY u.username, e.currency ORDER BY u.username, e.currency",
            (start, end, *params),
        )
        revenue_rows = r.rows(
            "SELECT u.username AS rep, d.currency, sum(d.amount_milli) AS milli FROM deals d "
            "LEFT JOIN users u ON u.id = d.owner_id WHERE d.deleted_at IS NULL"
            f"{won}{filters.format(who='d.owner_id')} GROUP BY u.username, d.currency",
            (start, end, *params),
        )
        category_rows = r.rows(
            "SELECT e.category, e.currency, sum(e.amount_milli) AS milli FROM expenses e "
            f"WHERE e.deleted_at IS NULL{spent}{filters.format(who='e.user_id')} "
            "GROUP BY e.category, e.currency ORDER BY e.currency, milli DESC, e.category",
            (start, end, *params),
        )
        deal_rows = r.rows(
            "SELECT d.id, d.name, d.status, d.amount_milli, u.username AS rep, e.currency, "
            "sum(e.amount_milli) AS milli FROM expenses e JOIN deals d ON d.id = e.deal_id "
            "LEFT JOIN users u ON u.id = d.owner_id WHERE e.deleted_at IS NULL"
            f"{spent}{filters.format(who='e.user_id')} "
            "GROUP BY d.id, d.name, d.status, d.amount_milli, u.username, e.currency "
            "ORDER BY milli DESC, d.name",
            (start, end, *params),
        )
    revenue = {(x["rep"], x["currency"]): int(x["milli"] or 0) for x in revenue_rows}

    def money(milli: int, code: str) -> Decimal:
        return amount_of(milli, code)

    by_rep = tuple(
        RepExpenses(
            rep=x["rep"],
            currency=x["currency"],
            expenses=money(int(x["milli"]), x["currency"]),
            won_revenue=money(revenue.get((x["rep"], x["currency"]), 0), x["currency"]),
            cost_of_sale=share(int(x["milli"]), revenue.get((x["rep"], x["currency"]), 0)),
        )
        for x in by_rep_rows
    )
    spent_total: dict[str, int] = {}
    for x in by_rep_rows:
        spent_total[x["currency"]] = spent_total.get(x["currency"], 0) + int(x["milli"])
    won_total: dict[str, int] = {}
    for (_, code), milli in revenue.items():
        won_total[code] = won_total.get(code, 0) + milli
    totals = tuple(
        RepExpenses(
            rep=None,
            currency=code,
            expenses=money(spent_total.get(code, 0), code),
            won_revenue=money(won_total.get(code, 0), code),
            cost_of_sale=share(spent_total.get(code, 0), won_total.get(code, 0)),
        )
        for code in sorted(spent_total)
    )
    by_category = tuple(
        CategoryExpenses(
            category=x["category"],
            currency=x["currency"],
            expenses=money(int(x["milli"]), x["currency"]),
            share=share(int(x["milli"]), spent_total.get(x["currency"], 0)),
        )
        for x in category_rows
    )
    by_deal = tuple(
        DealExpenses(
            deal=x["name"],
            deal_id=x["id"],
            rep=x["rep"],
            status=x["status"],
            currency=x["currency"],
            expenses=money(int(x["milli"]), x["currency"]),
            amount=money(int(x["amount_milli"]), x["currency"]),
            cost_of_sale=share(int(x["milli"]), int(x["amount_milli"]))
            if x["status"] == "won"
            else None,
        )
        for x in deal_rows
    )
    return ExpensesReport(
        period=period, by_rep=by_rep, by_category=by_category, by_deal=by_deal, totals=totals
    )
