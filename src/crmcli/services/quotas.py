"""Quotas: a rep's sales target for a period, and the roll-up reports and commission use.

A quota is stated for a year, a quarter or a month. When a period has no quota of its own,
its quota is the sum of the finer ones inside it: months roll up to their quarter, and
quarters (or, lacking those, months) to their year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from crmcli.errors import InvalidInput
from crmcli.money import from_milli, parse_currency, round_money, to_milli
from crmcli.periods import Period, parse_period
from crmcli.services.book import Book
from crmcli.services.users import find_owner, find_user
from crmcli.storage.db import Reader

QUOTA_KINDS = ("year", "quarter", "month")


@dataclass(frozen=True)
class QuotaView:
    """One stated quota."""

    id: str
    user: str
    period: str
    start: str
    end: str
    amount: Decimal
    currency: str


def _quota_period(text: str) -> Period:
    period = parse_period(text)
    if period.kind not in QUOTA_KINDS:
        raise InvalidInput(
            f"a quota is set for a year, quarter or month, not {period.label}",
            hint="e.g. crm user quota set alice 2026-Q4 100000",
        )
    return period


def set_quota(
    book: Book,
    *,
    user: str,
    period: str,
    amount: Decimal,
    currency: str | None = None,
    at: datetime | None = None,
) -> QuotaView:
    """State (or restate) ``user``'s quota for ``period``."""
    from crmcli import settings  # the TOML reader: only when no currency was given

    span = _quota_period(period)
    code = parse_currency(currency) if currency else str(settings.get("reporting_currency"))
    if amount < 0:
        raise InvalidInput(
            "a quota cannot be negative", hint="give the target as a positive amount"
        )
    value = to_milli(round_money(amount, code))
    with book.write(at=at) as w:
        rep = find_owner(w, user, must_be_active=False)
        existing = w.row(
            "SELECT id FROM quotas WHERE user_id = ? AND period = ? AND deleted_at IS NULL",
            (rep["id"], span.label),
        )
        if existing:
            w.update("quotas", existing["id"], {"amount_milli": value, "currency": code})
            quota_id = existing["id"]
        else:
            quota_id = w.insert(
                "quotas",
                {
                    "user_id": rep["id"],
                    "period": span.label,
                    "amount_milli": value,
                    "currency": code,
                },
            )["id"]
        return _views(w, "q.id = ?", (quota_id,))[0]


def list_quotas(
    book: Book, *, user: str | None = None, period: str | None = None
) -> list[QuotaView]:
    """Stated quotas, by rep and period (``period`` also lists the finer ones inside it)."""
    where, params = ["q.deleted_at IS NULL"], []
    with book.read() as r:
        if user:
            where.append("q.user_id = ?")
            params.append(find_user(r, user)["id"])
        views = _views(r, " AND ".join(where), params)
    if period:
        span = parse_period(period)
        views = [v for v in views if span.start <= parse_period(v.period).start <= span.end]
    return views


def _views(reader: Reader, where: str, params: tuple[str, ...] | list[str]) -> list[QuotaView]:
    rows = reader.rows(
        "SELECT q.id, u.username, q.period, q.amount_milli, q.currency FROM quotas q "
        f"JOIN users u ON u.id = q.user_id WHERE {where} ORDER BY u.username, q.period",
        params,
    )
    out = []
    for row in rows:
        span = parse_period(row["period"])
        out.append(
            QuotaView(
                id=row["id"],
                user=row["username"],
                period=span.label,
                start=span.start.isoformat(),
                end=span.end.isoformat(),
                amount=from_milli(row["amount_milli"], row["currency"]) or Decimal(0),
                currency=row["currency"],
            )
        )
    return out


def quota_for(reader: Reader, *, user_id: str, period: Period) -> Decimal | None:
    """``user_id``'s quota for ``period``: stated, else rolled up from finer periods; None if
    neither exists. Amounts are in the quota's own currency (one per rep, in practice)."""
    rows = reader.rows(
        "SELECT period, amount_milli, currency FROM quotas "
        "WHERE user_id = ? AND deleted_at IS NULL",
        (user_id,),
    )
    stated = {r["period"]: r for r in rows}
    return _rolled_up(stated, period)


def quotas_for_period(reader: Reader, *, period: Period) -> dict[str, tuple[Decimal, str]]:
    """Every rep's quota for ``period`` (as :func:`quota_for` gives it) and the currency of
    their first stated quota, keyed by user id, from one query; reps without one are absent."""
    stated: dict[str, dict[str, dict[str, object]]] = {}
    currency: dict[str, str] = {}
    for row in reader.rows(
        "SELECT user_id, period, amount_milli, currency FROM quotas WHERE deleted_at IS NULL"
    ):
        stated.setdefault(row["user_id"], {})[row["period"]] = row
        currency.setdefault(row["user_id"], row["currency"])
    found = {user: _rolled_up(periods, period) for user, periods in stated.items()}
    return {user: (quota, currency[user]) for user, quota in found.items() if quota is not None}


def _rolled_up(stated: dict[str, dict[str, object]], period: Period) -> Decimal | None:
    own = stated.get(period.label)
    if own is not None:
        return from_milli(int(str(own["amount_milli"])), str(own["currency"]))
    for kind in period.finer_kinds():
        parts = [_rolled_up(stated, sub) for sub in period.subperiods(kind)]
        found = [p for p in parts if p is not None]
        if found:
            return sum(found, Decimal(0))
    return None
