"""search documents numbered after their source rows; search_index_keys dropped

Revision ID: 0014_search_rowids
Revises: 0013_search_keys
Create Date: 2026-12-01

A document's rowid is now its source row's rowid times 64 plus the table's code
(``search_index.doc_rowid``): a row's document is found from the row itself, and the
``search_index_keys`` table (source UUID -> document), whose random keys cost every write a
page of its own, goes. The index is rebuilt under the new numbering. SQLite only.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014_search_rowids"
down_revision: str | None = "0013_search_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    from crmcli.storage.search_index import rebuild

    op.execute("DROP TABLE IF EXISTS search_index_keys")
    rebuild(bind.connection.dbapi_connection)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    # 0013's numbering came from its keys table, which this build does not keep: the older
    # build's index starts empty, with an empty keys table (its records are all still there)
    op.execute("DELETE FROM search_index")
    op.execute(
        "CREATE TABLE IF NOT EXISTS search_index_keys "
        "(source_id VARCHAR(36) NOT NULL PRIMARY KEY, doc INTEGER NOT NULL) WITHOUT ROWID"
    )
