"""A small book for quote to cash: reps, a customer with a contact, a deal, a price book."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Crm


@pytest.fixture
def sales(team: Crm) -> Crm:
    """alice's deal "Acme renewal" for Acme GmbH (contact Ada) and products SKU-1, SKU-2."""
    team("company add 'Acme GmbH' --domain acme.example --city Berlin --country DE")
    team("contact add 'Ada Lovelace' --email ada@acme.example --company 'Acme GmbH'")
    team(
        "deal add 'Acme renewal' --company 'Acme GmbH' --contact ada@acme.example "
        "--amount 48000 --currency EUR --owner alice --close 2026-12-15"
    )
    team("product add SKU-1 'CRM Seat (annual)' --price 480 --tax 19 --unit seat")
    team("product add SKU-2 'Onboarding package' --price 2500 --tax 19")
    return team


def new_quote(crm: Crm, deal: str = "Acme renewal", *options: str) -> dict[str, Any]:
    return crm.json("quote", "new", "--deal", deal, *options)  # type: ignore[no-any-return]


def order_for(
    crm: Crm, deal: str, amount: str, *, at: str, currency: str = "EUR"
) -> dict[str, Any]:
    """An accepted quote of one untaxed line of ``amount`` on ``deal`` at ``at``: its order."""
    quote = crm.json("quote", "new", "--deal", deal, "--currency", currency, "--at", at)
    crm("quote", "line", "add", quote["number"], "--text", "Service", "--price", amount, "--at", at)
    crm("quote", "send", quote["number"], "--at", at)
    accepted = crm.json("quote", "accept", quote["number"], "--at", at)
    return accepted["order"]  # type: ignore[no-any-return]
