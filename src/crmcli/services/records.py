"""The public shape of a record: what JSON output, reports and the TUI see."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crmcli.money import from_milli
from crmcli.services.handles import short


def public(row: Mapping[str, Any]) -> dict[str, Any]:
    """``*_milli`` columns become Decimal amounts in the row's currency; ``handle`` joins ``id``."""
    out: dict[str, Any] = {}
    currency = row.get("currency") or "EUR"
    if "id" in row:
        out["id"] = row["id"]
        out["handle"] = short(row["id"])
    for key, value in row.items():
        if key == "id":
            continue
        if key.endswith("_milli"):
            out[key[: -len("_milli")]] = from_milli(value, currency)
        else:
            out[key] = value
    return out
