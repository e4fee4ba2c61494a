"""How the TUI writes values in cells: local times, amounts, user text that is never markup."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from rich.text import Text

from crmcli import clock
from crmcli.money import format_money


def when(value: Any, *, with_time: bool = True) -> str:
    """A stored time in the user's zone (``Mon 23 Nov 10:00``); a date as ``2026-11-23``."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        local = clock.to_local(value)
        return f"{local:%a %d %b %H:%M}" if with_time else f"{local:%Y-%m-%d}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def money(amount: Any, currency: str | None = None, *, whole: bool = False) -> str:
    """``48,000.00 EUR`` (or ``48,000 EUR`` with ``whole``: a board is a glance)."""
    if amount is None:
        return ""
    value = Decimal(amount)
    if whole:
        value = value.quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return f"{value:,} {currency or ''}".strip()
    if currency:
        return format_money(value, currency)  # the currency's own minor unit (JPY: none)
    return f"{value:,}"


def cell(value: Any, *, justify: str = "left") -> Text:
    """A table cell: user text as plain text (never Rich markup), lists joined."""
    if isinstance(value, Text):
        return value
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value)
    if isinstance(value, datetime):
        value = when(value)
    elif isinstance(value, bool):
        value = "yes" if value else ""
    text = "" if value is None else str(value)
    return Text(text.replace("\n", " "), justify=justify, no_wrap=True, overflow="ellipsis")  # type: ignore[arg-type]


def editable(value: Any) -> str:
    """A stored time as the user would type it back: ``2026-11-23 10:00`` (local)."""
    if isinstance(value, datetime):
        return f"{clock.to_local(value):%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)
