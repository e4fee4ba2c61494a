"""Dated exchange rates and the one rule every total across currencies follows.

A rate says one unit of ``currency`` is worth ``rate`` units of the reporting currency
(``crm config set reporting_currency``, default EUR) from ``valid_from`` on, until a later
rate for the same pair replaces it. The rule, used by every report, the board and
``deal list``:

* a closed deal converts at the rate in force on its close date;
* an open deal (and anything without a date) at the rate in force on the day the figure is
  for: today, or the ``--as-of`` day (that is, the latest rate);
* the reporting currency itself converts at 1; a missing rate is an :class:`InvalidInput`
  naming the currency and the date, never a silent sum of EUR and USD.

SQL sums stay in each currency (grouped by currency and by the rate that applies, see
:func:`rate_from_sql`) and are converted here afterwards, so a report costs its query plus
a handful of multiplications, and the arithmetic is exact Decimal.

API for other modules (reports, commission, board):

* ``rates = load_rates(reader)`` — every rate into the reporting currency (a small table);
* ``rates.convert(amount, currency, day)`` — a Decimal amount converted, rounded at the
  reporting currency's minor unit (raises on a missing rate);
* ``rates.convert_units(total, currency, rate_from=..., day=...)`` — an integer sum of
  stored thousandths (``*_milli``) converted with the rate chosen in SQL;
* ``rate_from_sql(currency_col, instant_expr)`` — the SQL expression choosing that rate.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from crmcli import clock
from crmcli.errors import InvalidInput
from crmcli.money import SCALE, parse_currency, round_money
from crmcli.services.book import Book
from crmcli.services.handles import short
from crmcli.storage.db import Reader

# Stored money: integer thousandths of the unit (``crmcli.money.SCALE``).
AMOUNT = "amount_milli"
UNITS = Decimal(SCALE)
MAX_RATE = Decimal("1000000")


def reporting_currency() -> str:
    """The currency reports add up in (``crm config set reporting_currency``; default EUR)."""
    from crmcli import settings

    return str(settings.get("reporting_currency") or "EUR").upper()


@dataclass(frozen=True)
class RateView:
    """A dated exchange rate as commands and scripts see it."""

    id: str
    handle: str
    currency: str
    base: str
    rate: Decimal
    valid_from: date


def parse_rate(text: str | Decimal) -> Decimal:
    """A positive exact decimal rate (``0.92``)."""
    try:
        value = Decimal(str(text).strip().replace(",", ""))
    except InvalidOperation as exc:
        raise InvalidInput(f"rate {text!r} is not a number", hint="e.g. 0.92") from exc
    if not value.is_finite() or value <= 0 or value > MAX_RATE:
        raise InvalidInput(f"a rate must be a positive number, not {text}", hint="e.g. 0.92")
    return value.normalize()


def _view(row: dict[str, Any]) -> RateView:
    valid_from = row["valid_from"]
    if not isinstance(valid_from, date):
        valid_from = date.fromisoformat(str(valid_from)[:10])
    return RateView(
        id=row["id"],
        handle=short(row["id"]),
        currency=row["currency"],
        base=row["base"],
        rate=Decimal(row["rate"]),
        valid_from=valid_from,
    )


def set_rate(
    book: Book,
    *,
    currency: str,
    rate: str | Decimal,
    valid_from: date | None = None,
    into: str | None = None,
    at: datetime | None = None,
) -> RateView:
    """Record that one ``currency`` is worth ``rate`` units of ``into`` (default: the
    reporting currency) from a date on.

    Setting a rate again for the same day replaces it (logged as an update).
    """
    code = parse_currency(currency)
    base = parse_currency(into) if into else reporting_currency()
    if code == base:
        raise InvalidInput(
            f"{code} is the currency rates convert into; its rate is always 1",
            hint="set rates for the other currencies your deals use",
        )
    value = parse_rate(rate)
    day = valid_from or clock.to_local(at or clock.now()).date()
    with book.write(at=at) as w:
        existing = w.row(
            "SELECT id FROM exchange_rates WHERE base = ? AND currency = ? AND valid_from = ? "
            "AND deleted_at IS NULL",
            (base, code, day),
        )
        if existing:
            w.update("exchange_rates", existing["id"], {"rate": str(value)})
            return _view(w.get("exchange_rates", existing["id"]))
        row = w.insert(
            "exchange_rates",
            {
                "currency": code,
                "base": base,
                "rate": str(value),
                "valid_from": day,
                "valid_from_at": day_start(day),
            },
        )
        return _view(row)


def list_rates(
    book: Book, *, currency: str | None = None, into: str | None = None
) -> list[RateView]:
    """The rates into the reporting currency (or ``into``), by currency and date."""
    code = parse_currency(currency) if currency else None
    base = parse_currency(into) if into else reporting_currency()
    with book.read() as r:
        rows = r.rows(
            "SELECT id, currency, base, rate, valid_from FROM exchange_rates "
            "WHERE base = ? AND deleted_at IS NULL"
            + (" AND currency = ?" if code else "")
            + " ORDER BY currency, valid_from",
            (base, *((code,) if code else ())),
        )
    return [_view(x) for x in rows]


def day_start(day: date) -> datetime:
    """The first instant of ``day`` in the user's zone, in UTC."""
    return datetime.combine(day, time(0), tzinfo=clock.local_zone()).astimezone(UTC)


def day_last_instant(day: date) -> datetime:
    """The last instant of ``day`` in the user's zone (what "the rate on that day" means)."""
    return day_start(day + timedelta(days=1)) - timedelta(microseconds=1)


def rate_from_sql(currency_col: str, instant_expr: str) -> str:
    """SQL: the ``valid_from`` of the rate in force for ``currency_col`` at ``instant_expr``.

    Takes one bound parameter, the reporting currency. NULL when no rate applies (or the
    amount is already in the reporting currency: then no rate is needed).
    """
    return (
        f"(SELECT x.valid_from FROM exchange_rates x WHERE x.base = ? "
        f"AND x.currency = {currency_col} AND x.valid_from_at <= {instant_expr} "
        f"AND x.deleted_at IS NULL ORDER BY x.valid_from_at DESC LIMIT 1)"
    )


def as_date(value: Any) -> date | None:
    """A date, or the local date of an instant (a datetime or its stored text)."""
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if not isinstance(value, datetime):
        text = str(value)
        if len(text) <= 10:
            return date.fromisoformat(text)
        value = datetime.fromisoformat(text)
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
    return clock.to_local(value).date()


@dataclass(frozen=True)
class Rates:
    """Every rate into ``base``, for converting figures (see the module docstring)."""

    base: str
    by_currency: dict[str, tuple[tuple[date, ...], tuple[Decimal, ...]]] = field(
        default_factory=dict
    )

    def rate(self, currency: str, day: date) -> Decimal:
        """The rate in force for ``currency`` on ``day`` (1 for the base currency)."""
        if currency == self.base:
            return Decimal(1)
        days, values = self.by_currency.get(currency, ((), ()))
        index = bisect_right(days, day) - 1
        if index < 0:
            raise self.missing(currency, day)
        return values[index]

    def has(self, currency: str, day: date) -> bool:
        """Whether a rate for ``currency`` is in force on ``day`` (always for the base)."""
        if currency == self.base:
            return True
        days, _ = self.by_currency.get(currency, ((), ()))
        return bool(days) and days[0] <= day

    def missing(self, currency: str, day: date | None) -> InvalidInput:
        when = day.isoformat() if day else "today"
        into = "" if self.base == reporting_currency() else f" --into {self.base}"
        return InvalidInput(
            f"no exchange rate from {currency} to {self.base} on {when}",
            hint=f"crm currency rate set {currency} RATE --at {when}{into}",
        )

    def convert(self, amount: Decimal, currency: str, day: date) -> Decimal:
        """``amount`` of ``currency`` in the base currency at the rate of ``day``."""
        return self.round(amount * self.rate(currency, day))

    def round(self, amount: Decimal) -> Decimal:
        """Rounded half-up at the base currency's minor unit."""
        return round_money(amount, self.base)

    def convert_units(
        self, total: int | None, currency: str, *, rate_from: Any, day: Any
    ) -> Decimal:
        """A SQL sum of stored thousandths, converted at the rate SQL chose (``rate_from``).

        ``day`` names the date in an error when no rate was in force.
        """
        amount = Decimal(int(total or 0)) / UNITS
        if currency == self.base:
            return amount
        chosen = as_date(rate_from)
        if chosen is None:
            raise self.missing(currency, as_date(day))
        return amount * self.rate(currency, chosen)


def load_rates(reader: Reader, *, base: str | None = None) -> Rates:
    """Every rate into the reporting currency (one small query)."""
    target = base or reporting_currency()
    grouped: dict[str, tuple[list[date], list[Decimal]]] = {}
    for row in reader.rows(
        "SELECT currency, rate, valid_from FROM exchange_rates WHERE base = ? "
        "AND deleted_at IS NULL ORDER BY currency, valid_from",
        (target,),
    ):
        days, values = grouped.setdefault(row["currency"], ([], []))
        day = as_date(row["valid_from"])
        assert day is not None
        days.append(day)
        values.append(Decimal(row["rate"]))
    return Rates(
        base=target,
        by_currency={c: (tuple(d), tuple(v)) for c, (d, v) in grouped.items()},
    )


@dataclass(frozen=True)
class Total:
    """Amounts added up by the rule above; currencies without a rate are kept apart."""

    amount: Decimal
    currency: str
    count: int
    apart: dict[str, Decimal]

    def caption(self) -> str:
        """``Σ 12,345.00 EUR over 3 deals`` (plus what stayed apart)."""
        text = f"Σ {self.amount:,.2f} {self.currency} over {self.count} deal"
        text += "" if self.count == 1 else "s"
        if self.apart:
            kept = ", ".join(f"{v:,.2f} {k}" for k, v in sorted(self.apart.items()))
            text += f" (no exchange rate, not added: {kept})"
        return text


def total_of(book: Book, deals: list[dict[str, Any]]) -> Total:
    """The total of a page of deals (``amount``, ``currency``, ``status``, ``closed_at``)."""
    with book.read() as r:
        rates = load_rates(r)
    today = clock.today()
    amount = Decimal(0)
    apart: dict[str, Decimal] = {}
    for deal in deals:  # one page of a list (≤ --limit rows), already in memory
        closed = as_date(deal.get("closed_at")) if deal.get("status") != "open" else None
        day = closed or today
        value = Decimal(deal.get("amount") or 0)
        if rates.has(deal["currency"], day):
            amount += value * rates.rate(deal["currency"], day)
        else:
            apart[deal["currency"]] = apart.get(deal["currency"], Decimal(0)) + value
    return Total(rates.round(amount), rates.base, len(deals), apart)
