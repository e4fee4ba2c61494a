"""What the quote-to-cash commands share: money cells in the currency's own format."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from crmcli.output import Column


def money(key: str = "currency") -> Callable[[Any, Mapping[str, Any]], str]:
    """A column renderer: ``1,250.00 EUR``, ``¥`` amounts without decimals, KWD with three."""

    def render(value: Any, row: Mapping[str, Any]) -> str:
        if value is None:
            return ""
        from crmcli import settings
        from crmcli.money import format_money

        return format_money(value, str(row.get(key) or "EUR"), locale=settings.get("locale"))

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


# What ``deal show`` and ``company show`` print of quote to cash (keys of their records).
SALES_SECTIONS: dict[str, tuple[str, list[Column]]] = {
    "balance": (
        "Balance",
        [
            Column("ordered", justify="right", render=money()),
            Column("paid", justify="right", render=money()),
            Column("balance", "open", justify="right", render=money()),
            Column("overdue", justify="right", render=money()),
        ],
    ),
    "orders": (
        "Orders",
        [
            Column("number"),
            Column("deal", max_width=28),
            Column("amount", justify="right", render=money()),
            Column("balance", justify="right", render=money()),
            Column("due_date", "due"),
            Column("status"),
        ],
    ),
    "payments": (
        "Payments",
        [
            Column("handle", "id"),
            Column("paid_at", "when"),
            Column("kind"),
            Column("order"),
            Column("amount", justify="right", render=money()),
            Column("method"),
            Column("reference"),
        ],
    ),
    "expenses": (
        "Expenses",
        [
            Column("spent_at", "when"),
            Column("category"),
            Column("amount", justify="right", render=money()),
            Column("deal", max_width=28),
            Column("rep"),
            Column("note", max_width=30),
        ],
    ),
}
