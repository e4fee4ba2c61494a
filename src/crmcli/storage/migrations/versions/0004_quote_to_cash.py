"""quote to cash: expenses; quote contact and terms; per-line tax, unit and kind; product unit; refund link

Revision ID: 0004_quote_to_cash
Revises: 0003_money_milli
Create Date: 2026-12-01
"""

import warnings
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004_quote_to_cash"
down_revision: str | None = "0003_money_milli"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sqlmodel.sql.sqltypes.AutoString(length=36)


def upgrade() -> None:
    # Adding a foreign key on SQLite rebuilds the table (batch mode), which reflects the
    # tables it points at and warns about their expression indexes (lower(name)); those
    # tables are not rebuilt, so the warnings are noise on a user's first run.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*expression-based index")
        _upgrade()


def _upgrade() -> None:
    op.create_table(
        "expenses",
        sa.Column("id", _ID, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deal_id", _ID, nullable=True),
        sa.Column("company_id", _ID, nullable=True),
        sa.Column("user_id", _ID, nullable=True),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("amount_milli", sa.BigInteger(), nullable=False),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("spent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(["deal_id"], ["deals.id"]),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("expenses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_expenses_deal_id"), ["deal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_expenses_company_id"), ["company_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_expenses_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_expenses_spent_at"), ["spent_at"], unique=False)

    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("unit", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True)
        )
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_id", _ID, nullable=True))
        batch_op.add_column(sa.Column("terms", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.create_foreign_key("fk_quotes_contact_id", "contacts", ["contact_id"], ["id"])
    with op.batch_alter_table("quote_lines", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "tax_pct",
                sqlmodel.sql.sqltypes.AutoString(length=12),
                nullable=False,
                server_default="0",
            )
        )
        batch_op.add_column(
            sa.Column("unit", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "kind",
                sqlmodel.sql.sqltypes.AutoString(length=10),
                nullable=False,
                server_default="item",
            )
        )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("refund_of_id", _ID, nullable=True))
        batch_op.create_foreign_key(
            "fk_payments_refund_of_id", "payments", ["refund_of_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_constraint("fk_payments_refund_of_id", type_="foreignkey")
        batch_op.drop_column("refund_of_id")
    with op.batch_alter_table("quote_lines", schema=None) as batch_op:
        batch_op.drop_column("kind")
        batch_op.drop_column("unit")
        batch_op.drop_column("tax_pct")
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.drop_constraint("fk_quotes_contact_id", type_="foreignkey")
        batch_op.drop_column("terms")
        batch_op.drop_column("contact_id")
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_column("unit")
    op.drop_table("expenses")
