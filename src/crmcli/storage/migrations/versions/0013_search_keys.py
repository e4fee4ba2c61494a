"""search documents numbered in the order they are added, found through search_index_keys

Revision ID: 0013_search_keys
Revises: 0012_change_log_keys
Create Date: 2026-12-01

A document's rowid was a hash of its source row's UUID: every row written landed at a
random place in FTS5's content and size tables. Now documents take the next rowid and
``search_index_keys`` (source row id -> rowid) finds a row's document; the index is
rebuilt under the new numbering. SQLite only (PostgreSQL has no FTS5 index).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013_search_keys"
down_revision: str | None = "0012_change_log_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nothing here any more: 0014_search_rowids numbers the documents after their rows and
    # rebuilds the index (rebuilding it here too would only double an upgrade's time).
    pass


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    # the numbering of 0007 was a hash this build no longer makes: the older build's
    # index starts empty (its records are all still there)
    op.execute("DELETE FROM search_index")
    op.execute("DROP TABLE IF EXISTS search_index_keys")
