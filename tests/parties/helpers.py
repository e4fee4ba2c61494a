"""Test helpers for the parties area: seed rows through the services, count links."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from crmcli.config import Settings
from crmcli.services.book import Book
from crmcli.storage.db import Writer


def seed(db: Path, fill: Callable[[Writer], Any]) -> Any:
    """Write rows the CLI of another area would write (deals, activities) in one transaction."""
    book = Book.open(Settings(db=str(db), user=None))
    try:
        with book.write() as w:
            return fill(w)
    finally:
        book.close()


def add_deal(db: Path, name: str, **links: Any) -> str:
    from crmcli.services.deals import create_deal

    return str(seed(db, lambda w: create_deal(w, name=name, amount=Decimal("1000"), **links))["id"])


def add_activity(db: Path, subject: str, **fields: Any) -> str:
    values = {"kind": "call", "subject": subject, "all_day": False, **fields}
    return str(seed(db, lambda w: w.insert("activities", values))["id"])


def query(db: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def count(db: Path, table: str) -> int:
    return int(query(db, f"SELECT count(*) FROM {table} WHERE deleted_at IS NULL")[0][0])
