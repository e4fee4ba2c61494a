"""reports: exchange rates, activity targets, forecast categories, report indexes

Revision ID: 0005_reports
Revises: 0004_quote_to_cash
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005_reports"
down_revision: str | None = "0004_quote_to_cash"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sqlmodel.sql.sqltypes.AutoString(length=36)
INDEXES = [
    (
        "ix_deals_report_created",
        "deals",
        ["pipeline_id", "created_at", "owner_id", "status", "currency", "amount_milli"],
    ),
    (
        "ix_deals_report_closed",
        "deals",
        ["status", "closed_at", "pipeline_id", "owner_id", "currency", "amount_milli"],
    ),
    (
        "ix_deals_report_company",
        "deals",
        ["status", "company_id", "closed_at", "currency", "amount_milli", "deleted_at"],
    ),
    ("ix_stage_history_reach", "stage_history", ["deal_id", "to_stage_id", "at", "deleted_at"]),
    (
        "ix_activities_report_day",
        "activities",
        [
            sa.text("coalesce(start_at, due_at)"),
            "owner_id",
            "kind",
            "done_at",
            "deleted_at",
            # the plain columns too: SQLite then computes the expression from the index
            # alone (covering), instead of visiting 300k rows of the table per quarter
            "start_at",
            "due_at",
        ],
    ),
    ("ix_activities_report_company", "activities", ["company_id", "done_at", "deleted_at"]),
    ("ix_changes_report_asof", "changes", ["entity", "at", "op", "field"]),
]


def _record_columns() -> list[sa.Column]:
    return [
        sa.Column("id", ID, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "exchange_rates",
        *_record_columns(),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("base", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("rate", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_from_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("base", "currency", "valid_from"),
    )
    op.create_index(
        "ix_exchange_rates_lookup", "exchange_rates", ["base", "currency", "valid_from_at"]
    )
    op.create_table(
        "activity_targets",
        *_record_columns(),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("target", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "period", "kind"),
    )
    op.create_index("ix_activity_targets_user_id", "activity_targets", ["user_id"])
    with op.batch_alter_table("deals") as batch_op:
        batch_op.add_column(
            sa.Column(
                "forecast_category", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True
            )
        )
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("deals") as batch_op:
        batch_op.drop_column("forecast_category")
    op.drop_index("ix_activity_targets_user_id", table_name="activity_targets")
    op.drop_table("activity_targets")
    op.drop_index("ix_exchange_rates_lookup", table_name="exchange_rates")
    op.drop_table("exchange_rates")
