"""import: an ``extra`` JSON column for unmapped CSV columns; external ids on activities

Revision ID: 0009_import
Revises: 0007_search
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009_import"
down_revision: str | None = "0007_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Columns of an imported file that match no field are kept per record (a JSON object).
EXTRA_TABLES = ("companies", "contacts", "leads", "deals", "activities", "products", "expenses")


def upgrade() -> None:
    for table in EXTRA_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("extra", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    with op.batch_alter_table("activities") as batch:
        batch.add_column(sa.Column("external_id", sa.String(length=200), nullable=True))
    op.create_index("ix_activities_external_id", "activities", ["external_id"])


def downgrade() -> None:
    op.drop_index("ix_activities_external_id", table_name="activities")
    with op.batch_alter_table("activities") as batch:
        batch.drop_column("external_id")
    for table in reversed(EXTRA_TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("extra")
