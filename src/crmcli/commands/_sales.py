"""What the quote-to-cash commands share: money cells in the currency's own format."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


def money(key: str = "currency") -> Callable[[Any, Mapping[str, Any]], str]:
    """A column renderer: ``1,250.00 EUR``, ``¥`` amounts without decimals, KWD with three."""

    def render(value: Any, row: Mapping[str, Any]) -> str:
        if value is None:
            return ""
        from crmcli.money import format_money

        return format_money(value, str(row.get(key) or "EUR"))

    return render


def percent(value: Any, _row: Mapping[str, Any]) -> str:
    """``10%`` (nothing for zero)."""
    if not value:
        return ""
    return f"{value.normalize():f}%"


def amount(value: Any, _row: Mapping[str, Any]) -> str:
    """A bare amount, already at its currency's minor unit: ``1,296.00``, ``949``."""
    return "" if value is None else f"{value:,}"


def number(value: Any, _row: Mapping[str, Any]) -> str:
    """A quantity as typed: ``3``, ``2.5``."""
    return "" if value is None else f"{value:f}"
