"""The public shape of a record: what JSON output, reports and the TUI see."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crmcli.money import from_cents
from crmcli.services.handles import short


def public(row: Mapping[str, Any]) -> dict[str, Any]:
    """``*_cents`` columns become Decimal amounts; a short ``handle`` joins the full id."""
    out: dict[str, Any] = {}
    if "id" in row:
        out["id"] = row["id"]
        out["handle"] = short(row["id"])
    for key, value in row.items():
        if key == "id":
            continue
        if key.endswith("_cents"):
            out[key[: -len("_cents")]] = from_cents(value)
        else:
            out[key] = value
    return out
