"""Cell converters for imported files: dates in any form dateutil reads, amounts with
currency symbols and separators, yes/no flags, and undoing an export's formula guard."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from decimal import Decimal
from functools import lru_cache

from crmcli import clock
from crmcli.errors import InvalidInput
from crmcli.money import parse_currency, parse_money

SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₩": "KRW", "₽": "RUB"}
_CODE = re.compile(r"^[A-Za-z]{3}$")
_SPACES = re.compile(r"[\s\u00a0\u202f']")
_TRUE = frozenset({"1", "true", "yes", "y", "x", "done", "on", "ja", "oui", "si", "sí"})
_FALSE = frozenset({"0", "false", "no", "n", "off", "nein", "non", ""})


def unguard(text: str) -> str:
    """A cell as it was before an export neutralised it (``'=SUM`` → ``=SUM``)."""
    if text.startswith("'") and text[1:2] and text[1] in "=+-@\t\r":
        return text[1:]
    return text


def parse_amount(text: str, *, decimal_comma: bool = False) -> tuple[Decimal, str | None]:
    """An amount and the currency it names, if any: ``$1,250.00``, ``1.250,00 €``
    (with ``decimal_comma``), ``EUR 48000``, ``(120.00)`` for a negative."""
    raw = text.strip()
    currency = None
    negative = raw.startswith("(") and raw.endswith(")")
    if negative:
        raw = raw[1:-1].strip()
    for symbol, code in SYMBOLS.items():
        if symbol in raw:
            raw, currency = raw.replace(symbol, ""), code
    parts = raw.split()
    if len(parts) == 2:
        code_part = next((p for p in parts if _CODE.match(p)), None)
        if code_part is not None:
            currency = parse_currency(code_part)
            parts.remove(code_part)
            raw = parts[0]
    raw = _SPACES.sub("", raw)
    if raw.startswith("-"):
        negative, raw = True, raw[1:]
    raw = raw.replace(".", "").replace(",", ".") if decimal_comma else raw.replace(",", "")
    if not raw:
        raise InvalidInput(f"{text!r} is not an amount")
    try:
        value = parse_money(raw)
    except InvalidInput:
        hint = "" if decimal_comma else "; for 1.250,00 pass --decimal-comma"
        raise InvalidInput(f"{text!r} is not an amount", hint=f"e.g. 1250.00{hint}") from None
    return (-value if negative else value), currency


@lru_cache(maxsize=4096)
def _parse_datetime(text: str, dayfirst: bool) -> datetime:
    try:
        value = datetime.fromisoformat(text)  # the common case, 30x faster than dateutil
    except ValueError:
        from dateutil import parser  # 10 ms, only for files with other date forms

        try:
            value = parser.parse(text, dayfirst=dayfirst)
        except (ValueError, OverflowError) as exc:
            raise InvalidInput(
                f"{text!r} is not a date", hint="e.g. 2026-12-01 or 2026-12-01 14:30"
            ) from exc
    if value.tzinfo is None:
        value = value.replace(tzinfo=clock.local_zone())
    return value.astimezone(UTC)


def parse_datetime(text: str, *, dayfirst: bool = False) -> datetime:
    """A time in any form dateutil reads; times without a zone are the user's local time."""
    return _parse_datetime(text.strip(), dayfirst)


@lru_cache(maxsize=4096)
def _parse_date(text: str, dayfirst: bool) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    from dateutil import parser

    try:
        parsed: datetime = parser.parse(text, dayfirst=dayfirst)
        return parsed.date()
    except (ValueError, OverflowError) as exc:
        raise InvalidInput(f"{text!r} is not a date", hint="e.g. 2026-12-01") from exc


def parse_date(text: str, *, dayfirst: bool = False) -> date:
    """A calendar date in any form dateutil reads (``--dayfirst`` for 01/12/2026 = 1 Dec)."""
    return _parse_date(text.strip()[:10] if "T" in text else text.strip(), dayfirst)


def parse_flag(text: str, *, what: str) -> bool:
    """yes/no, true/false, 1/0, x/empty."""
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise InvalidInput(f"{what} must be yes or no, not {text!r}")


def midnight(day: date) -> datetime:
    """The start of a local calendar day, in UTC."""
    return datetime.combine(day, time(0), clock.local_zone()).astimezone(UTC)
