"""indexes for the hot paths: handles, board, agenda, history

Revision ID: 0002_indexes
Revises: 0001_initial
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_indexes"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Expression indexes (lower(...)) use syntax SQLite and PostgreSQL share.
INDEXES = [
    ("ix_contacts_email_ci", "contacts", [sa.text("lower(email)")]),
    ("ix_contacts_name_ci", "contacts", [sa.text("lower(name)")]),
    ("ix_companies_name_ci", "companies", [sa.text("lower(name)")]),
    ("ix_leads_email_ci", "leads", [sa.text("lower(email)")]),
    ("ix_leads_name_ci", "leads", [sa.text("lower(name)")]),
    ("ix_deals_name_ci", "deals", [sa.text("lower(name)")]),
    ("ix_deals_status_stage", "deals", ["status", "stage_id", "amount_cents"]),
    ("ix_deals_owner_status", "deals", ["owner_id", "status", "updated_at"]),
    ("ix_deals_updated", "deals", ["updated_at"]),
    # deal list (open deals, most recently updated first) without sorting every open deal
    ("ix_deals_status_updated", "deals", ["status", "updated_at"]),
    # covers the board's per-stage totals (count, sums, rotting count) and --owner
    (
        "ix_deals_board",
        "deals",
        [
            "status",
            "stage_id",
            "deleted_at",
            "owner_id",
            "currency",
            "probability",
            "amount_cents",
            "stage_changed_at",
            "last_activity_at",
            "created_at",
        ],
    ),
    ("ix_activities_owner_start", "activities", ["owner_id", "start_at"]),
    ("ix_activities_open_due", "activities", ["done_at", "due_at"]),
    ("ix_activities_rrule", "activities", ["rrule"]),
    ("ix_stage_history_deal_at", "stage_history", ["deal_id", "at"]),
    ("ix_changes_entity_record", "changes", ["entity", "record_id", "hlc"]),
    ("ix_payments_deal", "payments", ["deal_id", "paid_at"]),
    ("ix_tags_entity_name", "tags", ["entity", "name"]),
]


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
