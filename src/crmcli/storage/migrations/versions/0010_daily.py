"""the daily path: owner/due and merged-into indexes, the invite sequence of activities

Revision ID: 0010_daily
Revises: 0007_search
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_daily"
down_revision: str | None = "0007_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # One rep's tasks due in a window (agenda, conflicts) without reading everyone's.
    op.create_index("ix_activities_owner_due", "activities", ["owner_id", "due_at"])
    # contact show lists the records merged into a contact without reading every contact.
    op.create_index("ix_contacts_merged_into", "contacts", ["merged_into_id"])
    # The iTIP SEQUENCE of the last invite sent (NULL: never invited).
    with op.batch_alter_table("activities") as batch:
        batch.add_column(sa.Column("ical_sequence", sa.Integer(), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite ≥ 3.35, PostgreSQL): a batch rebuild of activities would
    # lose the expression indexes other revisions put on it.
    op.execute("ALTER TABLE activities DROP COLUMN ical_sequence")
    op.drop_index("ix_contacts_merged_into", table_name="contacts")
    op.drop_index("ix_activities_owner_due", table_name="activities")
