"""Replicas for sync tests: real SQLite books copied from one template, each its own id."""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from crmcli.config import Settings
from crmcli.services.book import Book
from crmcli.sync import rules

# Not book data (the change log, replica facts, sync bookkeeping): never synced.
SYNCED_SKIP = set(rules.INTERNAL_TABLES)


@pytest.fixture(scope="session")
def book_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, seeded book (made once; copies start as replicas of one team)."""
    import os

    path = tmp_path_factory.mktemp("template") / "template.db"
    old = os.environ.get("CRM_NOW")
    os.environ["CRM_NOW"] = "2026-11-23T09:00:00+00:00"
    try:
        Book.open(Settings(db=str(path), user="rep")).close()
    finally:
        if old is None:
            os.environ.pop("CRM_NOW", None)
        else:
            os.environ["CRM_NOW"] = old
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


def make_replica(template: Path, path: Path) -> Book:
    """A copy of the template with a replica id of its own, opened as a book."""
    shutil.copyfile(template, path)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = ? WHERE key = 'replica_id'", (str(uuid.uuid4()),))
    conn.commit()
    conn.close()
    return Book.open(Settings(db=str(path), user=None))


@pytest.fixture
def replicas(book_template: Path, tmp_path: Path) -> Iterator[list[Book]]:
    """Three replicas and (as tmp_path / 'team') their shared folder."""
    (tmp_path / "team").mkdir()
    books = [make_replica(book_template, tmp_path / f"r{i}.db") for i in range(3)]
    yield books
    for book in books:
        book.close()


def synced_tables(book: Book) -> list[str]:
    """Every table a replica holds book data in (a full-text index by its documents, not
    by its shadow tables, whose layout depends on the order documents came in)."""
    with book.read() as r:
        rows = r.rows("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
    virtual = [
        row["name"] for row in rows if (row["sql"] or "").upper().startswith("CREATE VIRTUAL")
    ]
    return sorted(
        row["name"]
        for row in rows
        if row["name"] not in SYNCED_SKIP
        and not row["name"].startswith("sqlite_")
        and not any(row["name"].startswith(f"{v}_") for v in virtual)
    )


def state(book: Book) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every synced table, sorted: what replicas must agree on."""
    out = {}
    tables = synced_tables(book)
    with book.read() as r:
        for table in tables:
            rows = [tuple(row.values()) for row in r.rows(f"SELECT * FROM {table}")]
            out[table] = sorted(rows, key=repr)
    return out


def change_ids(book: Book) -> set[str]:
    with book.read() as r:
        return {row["id"] for row in r.rows("SELECT id FROM changes")}
