"""Helpers for the pipeline tests: records other areas own, written straight through Writer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import pytest

from crmcli.storage.db import Writer
from tests.conftest import Crm


@contextmanager
def writer(crm: Crm, *, at: datetime | None = None) -> Iterator[Writer]:
    """A logged transaction on the test's book (as its default user)."""
    from crmcli.config import Settings
    from crmcli.services.book import Book

    book = Book.open(Settings.resolve(db=str(crm.db)))
    try:
        with book.write(at=at) as w:
            yield w
    finally:
        book.close()


def add_company(crm: Crm, name: str) -> dict[str, Any]:
    """A company (``crm company`` belongs to another area; its table is enough here)."""
    with writer(crm) as w:
        return w.insert("companies", {"name": name, "classification": "prospect"})


def touch_deal(crm: Crm, deal_id: str, when: datetime) -> None:
    """What logging an activity on a deal does to it: ``last_activity_at`` moves on."""
    with writer(crm) as w:
        w.update("deals", deal_id, {"last_activity_at": when})


@pytest.fixture
def book_with_acme(team: Crm) -> Crm:
    """Reps alice and bob, and the company Acme GmbH."""
    add_company(team, "Acme GmbH")
    return team
