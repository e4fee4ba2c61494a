"""The settings quote to cash reads (seller block, currency, terms, number prefix)."""

from __future__ import annotations

from typing import Any

# Until crmcli.settings lands on this branch: the documented defaults of its keys.
_DEFAULTS: dict[str, Any] = {
    "currency": "EUR",
    "payment_terms_days": 30,
    "quote_prefix": "Q",
    "seller.name": None,
    "seller.address": None,
    "seller.vat_id": None,
    "seller.email": None,
    "seller.logo": None,
    "locale": None,
}


def setting(key: str) -> Any:
    """The value of a ``crm config`` key (typed, with its default)."""
    try:
        from crmcli import settings  # type: ignore[attr-defined]
    except ImportError:
        return _DEFAULTS[key]
    return settings.get(key)
