"""sync state: batches read, operations waiting, conflict details

Revision ID: 0008_sync
Revises: 0010_daily
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008_sync"
down_revision: str | None = "0010_daily"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sync_batches",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("replica_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("operations", sa.Integer(), nullable=False),
        sa.Column("prev_hlc", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("last_hlc", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "sync_pending",
        sa.Column("change_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("hlc", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("change_id"),
    )
    with op.batch_alter_table("sync_conflicts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sqlmodel.sql.sqltypes.AutoString(length=10),
                nullable=False,
                server_default="field",
            )
        )
        batch_op.add_column(
            sa.Column("kept_change_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True)
        )
        batch_op.add_column(
            sa.Column("kept_replica_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True)
        )
        batch_op.add_column(
            sa.Column("lost_replica_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True)
        )
        batch_op.add_column(sa.Column("hint", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    # No index of our own on ``changes``: the merge finds a field's winning stamp through
    # ix_changes_entity_record, export walks ix_changes_hlc past its cursor. Another index
    # would cost every write of every command.


def downgrade() -> None:
    with op.batch_alter_table("sync_conflicts", schema=None) as batch_op:
        for column in ("hint", "lost_replica_id", "kept_replica_id", "kept_change_id", "kind"):
            batch_op.drop_column(column)
    op.drop_table("sync_pending")
    op.drop_table("sync_batches")
