"""The settings quote to cash reads (seller block, currency, terms, number prefix)."""

from __future__ import annotations

from typing import Any


def setting(key: str) -> Any:
    """The value of a ``crm config`` key (typed, with its default)."""
    from crmcli import settings

    return settings.get(key)
