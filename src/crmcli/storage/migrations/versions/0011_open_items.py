"""overdue items at a glance: a partial index of open one-off activities by their due moment

Revision ID: 0011_open_items
Revises: 0009_import
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_open_items"
down_revision: str | None = "0009_import"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The agenda's overdue rule for one-off activities (agenda.is_overdue): open, not a note,
# past the due time, else (no due time) past the start. The index holds only such items
# (a small part of a large book) with that moment and the owner, so a team's overdue count
# is one range read of it, never a visit to the table.
WHERE = "rrule IS NULL AND kind <> 'note' AND deleted_at IS NULL"


def upgrade() -> None:
    op.create_index(
        "ix_activities_open_items",
        "activities",
        ["done_at", sa.text("coalesce(due_at, start_at)"), "owner_id"],
        sqlite_where=sa.text(WHERE),
        postgresql_where=sa.text(WHERE),
    )


def downgrade() -> None:
    op.drop_index("ix_activities_open_items", table_name="activities")
