"""Helpers for the commission tests: won deals, payments and statements of one rep."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from crmcli.money import to_milli
from crmcli.storage.db import Writer
from tests.conftest import Crm


@contextmanager
def writer(crm: Crm) -> Iterator[Writer]:
    """A logged transaction on the test's book (as its default user)."""
    from crmcli.config import Settings
    from crmcli.services.book import Book

    book = Book.open(Settings.resolve(db=str(crm.db)))
    try:
        with book.write() as w:
            yield w
    finally:
        book.close()


def won(crm: Crm, name: str, amount: str, day: str, owner: str = "alice") -> str:
    """A deal of ``owner`` won on ``day`` (noon, local time); returns its id."""
    deal = crm.json(f"deal add '{name}' --amount {amount} --owner {owner} --at 2026-01-02")
    crm(f"deal win {deal['handle']} --at '{day} 12:00'")
    return str(deal["id"])


def pay(crm: Crm, deal_id: str, amount: str, day: str) -> None:
    """A payment (negative: a refund) as ``crm payment add`` writes it: a ``payments`` row."""
    with writer(crm) as w:
        w.insert(
            "payments",
            {
                "deal_id": deal_id,
                "amount_milli": to_milli(Decimal(amount)),
                "currency": "EUR",
                "paid_at": datetime.fromisoformat(f"{day}T12:00:00").replace(tzinfo=UTC),
                "method": "bank transfer",
            },
        )


def statement(crm: Crm, period: str, rep: str = "alice") -> dict[str, Any]:
    """The one statement of ``rep`` for ``period`` (JSON)."""
    report = crm.json(f"report commission --period {period} --rep {rep}")
    assert [s["rep"] for s in report["statements"]] == [rep]
    return report["statements"][0]  # type: ignore[no-any-return]


def lines(st: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(deal, basis, rate, amount) of each line."""
    return [(x["deal"], x["basis"], x["rate"], x["amount"]) for x in st["lines"]]


@pytest.fixture
def reps(team: Crm) -> Crm:
    """alice (east, quota 100,000 in 2026-Q4) and bob (west), plus carol (a sales engineer)."""
    team("user add carol --name 'Carol Diaz' --team east")
    team("user quota set alice 2026-Q4 100000")
    return team
