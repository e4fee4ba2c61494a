"""What the sales services share: the settings they read, and stored amounts as Decimal."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from crmcli.money import from_milli


def setting(key: str) -> Any:
    """The value of a ``crm config`` key (typed, with its default)."""
    from crmcli import settings

    return settings.get(key)


def amount_of(milli: int | None, currency: str) -> Decimal:
    """A stored thousandths integer (None: zero) as an amount at the currency's minor unit."""
    value = from_milli(int(milli or 0), currency)
    assert value is not None
    return value
