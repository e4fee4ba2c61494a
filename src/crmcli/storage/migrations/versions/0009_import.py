"""import: an ``extra`` JSON column for unmapped CSV columns; external ids on activities

Revision ID: 0009_import
Revises: 0008_sync
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009_import"
down_revision: str | None = "0008_sync"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Columns of an imported file that match no field are kept per record (a JSON object).
EXTRA_TABLES = ("companies", "contacts", "leads", "deals", "activities", "products", "expenses")


# Plain ADD/DROP COLUMN (SQLite ≥ 3.35 and PostgreSQL both have them), not batch mode:
# batch mode rebuilds the table on SQLite and loses its expression indexes (lower(...)).


def _has_column(table: str, column: str) -> bool:
    # A book whose version stamp was set back (tests of earlier migrations) may have them.
    return column in {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}


def upgrade() -> None:
    for table in EXTRA_TABLES:
        if not _has_column(table, "extra"):
            op.add_column(
                table, sa.Column("extra", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
            )
    if not _has_column("activities", "external_id"):
        op.add_column("activities", sa.Column("external_id", sa.String(length=200), nullable=True))
        op.create_index("ix_activities_external_id", "activities", ["external_id"])


def downgrade() -> None:
    op.drop_index("ix_activities_external_id", table_name="activities")
    op.drop_column("activities", "external_id")
    for table in reversed(EXTRA_TABLES):
        op.drop_column(table, "extra")
