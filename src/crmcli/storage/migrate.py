"""Bring a database to this build's schema on open: create, upgrade, or refuse.

The common case (already at head) costs one query. Creating or upgrading imports Alembic
and SQLAlchemy (~0.6 s), once per new file or upgrade. A file from a newer build is never
touched. SQLite files are copied to ``<file>.before-<rev>.bak`` before an upgrade.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from crmcli.errors import DatabaseError, NewerSchema
from crmcli.storage.schema import HEAD, REVISIONS

if TYPE_CHECKING:
    from crmcli.storage.db import Database

MIGRATIONS = Path(__file__).with_name("migrations")


def current_revision(db: Database) -> str | None:
    """The Alembic revision stamped in the database, or None for an empty one."""
    conn = db.raw
    if db.dialect == "sqlite":
        has_table = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone()
        if not has_table:
            others = conn.execute(
                "SELECT count(*) FROM sqlite_master "
                "WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            ).fetchone()[0]
            if others:
                raise DatabaseError(
                    f"{db.target} is a SQLite file but not a crm database",
                    hint="point --db at a new or existing crm file",
                )
            return None
        found = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return None if found is None else str(found[0])
    row = conn.execute("SELECT to_regclass('alembic_version') AS t").fetchone()
    if row["t"] is None:
        conn.rollback()
        return None
    found = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    conn.rollback()
    return None if found is None else str(found["version_num"])


def ensure_schema(db: Database) -> None:
    """Create or upgrade the schema to HEAD; refuse a file from a newer crmcli."""
    revision = current_revision(db)
    if revision == HEAD:
        return
    _refuse_unknown(db, revision)
    with _migration_lock(db):
        revision = current_revision(db)  # another process may have done it meanwhile
        if revision == HEAD:
            return
        _refuse_unknown(db, revision)
        if revision is not None and db.dialect == "sqlite":
            backup_sqlite(db, Path(f"{db.target}.before-{HEAD}.bak"))
        upgrade(db, HEAD)
        db.created = revision is None


def _refuse_unknown(db: Database, revision: str | None) -> None:
    if revision is not None and revision not in REVISIONS:
        raise NewerSchema(
            f"{db.target} uses schema {revision!r}, newer than this crmcli knows ({HEAD})",
            hint="upgrade crmcli (pip install -U crmcli); the file was not touched",
        )


@contextlib.contextmanager
def _migration_lock(db: Database) -> Iterator[None]:
    """Serialise first-use creation and upgrades between processes."""
    if db.dialect == "postgresql":
        db.raw.execute("SELECT pg_advisory_lock(727274)")
        try:
            yield
        finally:
            db.raw.execute("SELECT pg_advisory_unlock(727274)")
            db.raw.commit()
        return
    lock_path = Path(f"{db.target}.migrate-lock")
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: rely on SQLite's own locking
        yield
        return
    try:
        handle = lock_path.open("w")
    except OSError as exc:
        raise DatabaseError(
            f"cannot write next to {db.target}: {exc.strerror}",
            hint="the folder of the database must be writable",
        ) from exc
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    lock_path.unlink(missing_ok=True)


def sqlalchemy_url(db: Database) -> str:
    if db.dialect == "sqlite":
        return f"sqlite:///{db.target}"
    return db.target.replace("postgresql://", "postgresql+psycopg://", 1).replace(
        "postgres://", "postgresql+psycopg://", 1
    )


def upgrade(db: Database, revision: str) -> None:
    """Run Alembic up to ``revision`` (the only place Alembic is imported)."""
    from alembic import command  # ~0.6 s with SQLAlchemy: only on create/upgrade
    from alembic.config import Config
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    engine = create_engine(sqlalchemy_url(db), poolclass=NullPool)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except Exception as exc:
        raise DatabaseError(
            f"cannot migrate {db.target}: {str(exc).splitlines()[0]}",
            hint="the file was not changed; restore the .bak copy beside it if in doubt",
        ) from exc
    finally:
        engine.dispose()


def backup_sqlite(db: Database, destination: Path) -> Path:
    """A consistent copy of a SQLite database (online backup API), mode 0600."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.unlink(missing_ok=True)
    destination.touch(mode=0o600)
    target = sqlite3.connect(destination)
    try:
        db.raw.backup(target)
    finally:
        target.close()
    return destination
