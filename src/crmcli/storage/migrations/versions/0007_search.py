"""full-text search index (SQLite FTS5), built from the existing records; change origins

Revision ID: 0007_search
Revises: 0005_reports
Create Date: 2026-12-01

On PostgreSQL no index is created: search falls back to ILIKE there (storage/search_index.py).
``change_origins`` notes changes made through MCP (an AI assistant), on both dialects.
``ix_activities_owner_open_due``: one rep's overdue items (``crm status``, ``crm agenda
--overdue``) without walking everyone's (17k on the benchmark book) for a rep's 86.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_search"
down_revision: str | None = "0005_reports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "change_origins",
        sa.Column("change_id", sa.String(length=36), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("change_id"),
    )
    op.create_index("ix_activities_owner_open_due", "activities", ["owner_id", "done_at", "due_at"])
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    from crmcli.storage.search_index import rebuild

    rebuild(bind.connection.dbapi_connection)


def downgrade() -> None:
    op.drop_index("ix_activities_owner_open_due", table_name="activities")
    op.drop_table("change_origins")
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        from crmcli.storage.search_index import TABLE

        op.execute(f"DROP TABLE IF EXISTS {TABLE}")
