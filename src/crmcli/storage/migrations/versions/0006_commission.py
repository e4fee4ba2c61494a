"""commission: plan cap and currency, closed periods with their frozen statements and lines

Revision ID: 0006_commission
Revises: 0005_reports
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006_commission"
down_revision: str | None = "0005_reports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _record() -> list[sa.Column]:
    return [
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
    ]


def upgrade() -> None:
    with op.batch_alter_table("commission_plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cap_milli", sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "currency",
                sqlmodel.sql.sqltypes.AutoString(length=3),
                nullable=False,
                server_default="EUR",
            )
        )
        batch_op.add_column(
            sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )

    op.create_table(
        "commission_periods",
        *_record(),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("label"),
    )
    op.create_table(
        "commission_statements",
        *_record(),
        sa.Column("period_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("plan", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("plans", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("quota_milli", sa.BigInteger(), nullable=True),
        sa.Column("basis", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("attainment", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("total_milli", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["period_id"], ["commission_periods.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("period_id", "user_id"),
    )
    with op.batch_alter_table("commission_statements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_commission_statements_period_id"), ["period_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_commission_statements_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "commission_lines",
        *_record(),
        sa.Column("statement_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("period_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("deal_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("deal", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("credited_on", sa.Date(), nullable=True),
        sa.Column("split", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("share", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
        sa.Column("plan", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("basis", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("rate", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("amount_milli", sa.BigInteger(), nullable=False),
        sa.Column("above_quota", sa.Boolean(), nullable=False),
        sa.Column("capped", sa.Boolean(), nullable=False),
        sa.Column("origin", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.ForeignKeyConstraint(["deal_id"], ["deals.id"]),
        sa.ForeignKeyConstraint(["period_id"], ["commission_periods.id"]),
        sa.ForeignKeyConstraint(["statement_id"], ["commission_statements.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("commission_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_commission_lines_deal_id"), ["deal_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_commission_lines_period_id"), ["period_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_commission_lines_statement_id"), ["statement_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_commission_lines_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("commission_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commission_lines_user_id"))
        batch_op.drop_index(batch_op.f("ix_commission_lines_statement_id"))
        batch_op.drop_index(batch_op.f("ix_commission_lines_period_id"))
        batch_op.drop_index(batch_op.f("ix_commission_lines_deal_id"))
    op.drop_table("commission_lines")
    with op.batch_alter_table("commission_statements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commission_statements_user_id"))
        batch_op.drop_index(batch_op.f("ix_commission_statements_period_id"))
    op.drop_table("commission_statements")
    op.drop_table("commission_periods")
    with op.batch_alter_table("commission_plans", schema=None) as batch_op:
        batch_op.drop_column("description")
        batch_op.drop_column("currency")
        batch_op.drop_column("cap_milli")
