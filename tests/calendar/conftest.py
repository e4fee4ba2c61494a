"""A small book for the calendar tests: Acme, Ada, the Acme renewal deal."""

from __future__ import annotations

import pytest

from tests.conftest import Crm


@pytest.fixture
def book(team: Crm) -> Crm:
    team("company add 'Acme GmbH' --domain acme.example")
    team("contact add 'Ada Lovelace' --email ada@acme.example --company 'Acme GmbH'")
    team(
        "deal add 'Acme renewal' --company 'Acme GmbH' --amount 48000 --currency EUR --owner alice"
    )
    return team
