"""full-text search index (SQLite FTS5), built from the existing records

Revision ID: 0007_search
Revises: 0003_money_milli
Create Date: 2026-12-01

On PostgreSQL nothing is created: search falls back to ILIKE there (storage/search_index.py).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007_search"
down_revision: str | None = "0003_money_milli"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    from crmcli.storage.search_index import rebuild

    rebuild(bind.connection.dbapi_connection)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        from crmcli.storage.search_index import TABLE

        op.execute(f"DROP TABLE IF EXISTS {TABLE}")
