"""Money is ``Decimal`` end to end with an ISO 4217 currency code.

Storage keeps one integer scale for every currency: columns named ``*_milli`` hold
thousandths of the currency unit. Three decimals hold every currency in use exactly (JPY
has none, EUR two, KWD three), sums stay exact integers in SQL on SQLite and PostgreSQL,
and no column needs a per-row exponent. Arithmetic rounds at each currency's own minor
unit (CLDR's digits, via ``crmcli._currencies``), half-up, before anything is stored.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

from crmcli._currencies import EXPONENTS
from crmcli.errors import InvalidInput

SCALE = 1000  # storage unit: thousandths of the currency unit
MAX_AMOUNT = Decimal("1e15")
CURRENCIES = frozenset(EXPONENTS)
_AMOUNT = re.compile(r"^[+-]?(\d{1,3}(_\d{3})+|\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


def currency_exponent(code: str) -> int:
    """Digits after the decimal point of ``code`` (JPY 0, EUR 2, KWD 3); 2 if unknown."""
    return EXPONENTS.get(code, 2)


@cache
def _quantum(code: str) -> Decimal:
    return Decimal(1).scaleb(-currency_exponent(code))


def round_money(value: Decimal, currency: str) -> Decimal:
    """Round half-up at the currency's minor unit."""
    return value.quantize(_quantum(currency), rounding=ROUND_HALF_UP)


def parse_money(
    text: str | int | Decimal, *, currency: str | None = None, allow_negative: bool = False
) -> Decimal:
    """Parse an amount (``48000``, ``48,000.50``, ``1_000``), rounded at the currency's unit.

    Without a currency it rounds to two decimals (the most common minor unit).
    """
    if isinstance(text, Decimal | int):
        value = Decimal(text)
    else:
        raw = text.strip().replace(" ", "")
        if not _AMOUNT.match(raw):
            raise InvalidInput(
                f"{text!r} is not an amount", hint="write it like 48000 or 48,000.50"
            )
        try:
            value = Decimal(raw.replace(",", "").replace("_", ""))
        except InvalidOperation as exc:  # pragma: no cover - the regex admits only numbers
            raise InvalidInput(f"{text!r} is not an amount") from exc
    if not value.is_finite():
        raise InvalidInput(f"{text!r} is not an amount", hint="write it like 48000 or 48,000.50")
    if value < 0 and not allow_negative:
        raise InvalidInput(
            f"amount {text!r} cannot be negative", hint="give the amount without a sign"
        )
    if abs(value) >= MAX_AMOUNT:
        raise InvalidInput(f"amount {text!r} is too large", hint="amounts stop below 10^15")
    return round_money(value, currency or "EUR")


def parse_currency(text: str) -> str:
    """Validate an ISO 4217 currency code in use today (case-insensitive)."""
    code = text.strip().upper()
    if code not in EXPONENTS:
        raise InvalidInput(
            f"unknown currency code {text!r}", hint="use an ISO 4217 code: EUR, USD, GBP, JPY…"
        )
    return code


def parse_percent(text: str | int | Decimal, *, what: str = "percentage") -> Decimal:
    """Parse a percentage 0–100 (``10``, ``12.5``, ``10%``)."""
    raw = str(text).strip().removesuffix("%")
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:
        raise InvalidInput(
            f"{what} {text!r} is not a number", hint="write it like 10 or 12.5"
        ) from exc
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(100):
        raise InvalidInput(f"{what} {text!r} must be between 0 and 100")
    return value


def to_milli(amount: Decimal) -> int:
    """The storage integer (thousandths) of an amount; exact for every currency in use."""
    scaled = amount * SCALE
    whole = scaled.to_integral_value(rounding=ROUND_HALF_UP)
    return int(whole)


def from_milli(value: int | None, currency: str) -> Decimal | None:
    """The Decimal amount of a stored integer, shown at the currency's minor unit."""
    if value is None:
        return None
    return round_money(Decimal(int(value)).scaleb(-3), currency)


def format_money(amount: Decimal, currency: str, *, locale: str | None = None) -> str:
    """``1,250.00 EUR``; with a locale (``de_DE``), that locale's format via Babel."""
    if locale:
        from babel.core import UnknownLocaleError  # ~70 ms with CLDR data: only when asked
        from babel.numbers import format_currency

        try:
            return str(format_currency(amount, currency, locale=locale))
        except (ValueError, LookupError, UnknownLocaleError):
            pass  # an unknown locale falls back to the plain form
    digits = currency_exponent(currency)
    return f"{round_money(amount, currency):,.{digits}f} {currency}"
