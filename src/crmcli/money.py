"""Money is ``Decimal`` end to end with an ISO 4217 currency code; storage keeps cents.

Columns named ``*_cents`` hold integer hundredths, so sums stay exact in SQL on SQLite and
PostgreSQL alike.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from crmcli.errors import InvalidInput

CENT = Decimal("0.01")
# ISO 4217 active codes (2024); enough for a CRM, no network or extra package needed.
CURRENCIES = frozenset(
    [
        "AED",
        "AFN",
        "ALL",
        "AMD",
        "ANG",
        "AOA",
        "ARS",
        "AUD",
        "AWG",
        "AZN",
        "BAM",
        "BBD",
        "BDT",
        "BGN",
        "BHD",
        "BIF",
        "BMD",
        "BND",
        "BOB",
        "BRL",
        "BSD",
        "BTN",
        "BWP",
        "BYN",
        "BZD",
        "CAD",
        "CDF",
        "CHF",
        "CLP",
        "CNY",
        "COP",
        "CRC",
        "CUP",
        "CVE",
        "CZK",
        "DJF",
        "DKK",
        "DOP",
        "DZD",
        "EGP",
        "ERN",
        "ETB",
        "EUR",
        "FJD",
        "FKP",
        "GBP",
        "GEL",
        "GHS",
        "GIP",
        "GMD",
        "GNF",
        "GTQ",
        "GYD",
        "HKD",
        "HNL",
        "HTG",
        "HUF",
        "IDR",
        "ILS",
        "INR",
        "IQD",
        "IRR",
        "ISK",
        "JMD",
        "JOD",
        "JPY",
        "KES",
        "KGS",
        "KHR",
        "KMF",
        "KPW",
        "KRW",
        "KWD",
        "KYD",
        "KZT",
        "LAK",
        "LBP",
        "LKR",
        "LRD",
        "LSL",
        "LYD",
        "MAD",
        "MDL",
        "MGA",
        "MKD",
        "MMK",
        "MNT",
        "MOP",
        "MRU",
        "MUR",
        "MVR",
        "MWK",
        "MXN",
        "MYR",
        "MZN",
        "NAD",
        "NGN",
        "NIO",
        "NOK",
        "NPR",
        "NZD",
        "OMR",
        "PAB",
        "PEN",
        "PGK",
        "PHP",
        "PKR",
        "PLN",
        "PYG",
        "QAR",
        "RON",
        "RSD",
        "RUB",
        "RWF",
        "SAR",
        "SBD",
        "SCR",
        "SDG",
        "SEK",
        "SGD",
        "SHP",
        "SLE",
        "SOS",
        "SRD",
        "SSP",
        "STN",
        "SYP",
        "SZL",
        "THB",
        "TJS",
        "TMT",
        "TND",
        "TOP",
        "TRY",
        "TTD",
        "TWD",
        "TZS",
        "UAH",
        "UGX",
        "USD",
        "UYU",
        "UZS",
        "VES",
        "VND",
        "VUV",
        "WST",
        "XAF",
        "XCD",
        "XOF",
        "XPF",
        "YER",
        "ZAR",
        "ZMW",
        "ZWL",
    ]
)
_AMOUNT = re.compile(r"^[+-]?(\d{1,3}(_\d{3})+|\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


def parse_money(text: str | int | Decimal, *, allow_negative: bool = False) -> Decimal:
    """Parse an amount (``48000``, ``48,000.50``, ``1_000``) into a Decimal rounded to cents."""
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
        raise InvalidInput(f"{text!r} is not an amount")
    if value < 0 and not allow_negative:
        raise InvalidInput(f"amount {text!r} cannot be negative")
    if abs(value) >= Decimal("1e15"):
        raise InvalidInput(f"amount {text!r} is too large")
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_currency(text: str) -> str:
    """Validate an ISO 4217 currency code (case-insensitive)."""
    code = text.strip().upper()
    if code not in CURRENCIES:
        raise InvalidInput(
            f"unknown currency code {text!r}", hint="use an ISO 4217 code: EUR, USD, GBP…"
        )
    return code


def parse_percent(text: str | int | Decimal, *, what: str = "percentage") -> Decimal:
    """Parse a percentage 0–100 (``10``, ``12.5``, ``10%``)."""
    raw = str(text).strip().removesuffix("%")
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:
        raise InvalidInput(f"{what} {text!r} is not a number") from exc
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(100):
        raise InvalidInput(f"{what} {text!r} must be between 0 and 100")
    return value


def to_cents(amount: Decimal) -> int:
    """Exact integer cents of a Decimal amount (rounded half-up)."""
    return int(amount.quantize(CENT, rounding=ROUND_HALF_UP) * 100)


def from_cents(cents: int | None) -> Decimal | None:
    """The Decimal amount of integer cents."""
    if cents is None:
        return None
    return (Decimal(int(cents)) / 100).quantize(CENT)


def round_cents(value: Decimal) -> Decimal:
    """Round half-up to cents."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# -- TEMPORARY (commission branch): the names of the lead's money contract, so this branch
# can be built and tested before it lands; main's crmcli/money.py replaces all of this.
SCALE = 1000


def currency_exponent(code: str) -> int:
    return {"JPY": 0, "KRW": 0, "KWD": 3, "BHD": 3, "JOD": 3, "OMR": 3, "TND": 3}.get(code, 2)


def round_money(value: Decimal, currency: str) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-currency_exponent(currency)), rounding=ROUND_HALF_UP)


def to_milli(amount: Decimal) -> int:
    return int((amount * SCALE).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_milli(value: int | None, currency: str) -> Decimal | None:
    if value is None:
        return None
    return round_money(Decimal(int(value)) / SCALE, currency)
