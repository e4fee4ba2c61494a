"""Backups and other care of the database file."""

from __future__ import annotations

from pathlib import Path

from crmcli.errors import InvalidInput
from crmcli.services.book import Book


def backup(book: Book, destination: Path) -> Path:
    """A consistent copy (SQLite online backup) readable by its owner only."""
    if book.db.dialect != "sqlite":
        raise InvalidInput("crm backup copies SQLite files; use pg_dump for PostgreSQL")
    from crmcli.storage.migrate import backup_sqlite

    target = destination.expanduser().resolve()
    if book.db.path is not None and target == book.db.path.resolve():
        raise InvalidInput(
            "the backup cannot overwrite the database itself",
            hint="write the backup to another file",
        )
    try:
        return backup_sqlite(book.db, target)
    except OSError as exc:
        raise InvalidInput(
            f"cannot write {target}: {exc.strerror}", hint="choose a writable place"
        ) from exc
