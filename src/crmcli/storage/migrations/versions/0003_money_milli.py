"""money columns in thousandths of the currency unit (``*_cents`` → ``*_milli``)

Hundredths cannot hold a three-decimal currency (KWD, BHD) exactly. Every amount is
multiplied by ten, which is exact, so no value changes; the change log is rewritten the same
way, so history, undo and sync keep reading the amounts they recorded.

Revision ID: 0003_money_milli
Revises: 0002_indexes
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003_money_milli"
down_revision: str | None = "0002_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = [
    ("deals", "amount"),
    ("deal_lines", "unit_price"),
    ("products", "unit_price"),
    ("quotes", "total"),
    ("quote_lines", "unit_price"),
    ("orders", "amount"),
    ("payments", "amount"),
    ("quotas", "amount"),
]


def _rescale(old: str, new: str, factor: int, postgres: bool) -> None:
    # RENAME COLUMN (SQLite ≥ 3.25 and PostgreSQL) keeps the indexes that name the column.
    for table, stem in COLUMNS:
        source, target = f"{stem}_{old}", f"{stem}_{new}"
        op.execute(f"ALTER TABLE {table} RENAME COLUMN {source} TO {target}")
        op.execute(f"UPDATE {table} SET {target} = {target} {factor}")
        # Field updates in the change log: the field name and both values.
        op.execute(
            f"UPDATE changes SET field = '{target}', "
            f"old_value = CAST(CAST(old_value AS BIGINT) {factor} AS TEXT), "
            f"new_value = CAST(CAST(new_value AS BIGINT) {factor} AS TEXT) "
            f"WHERE entity = '{table}' AND field = '{source}'"
        )
        # Creates carry the whole record as JSON.
        if postgres:
            op.execute(
                f"UPDATE changes SET new_value = ((new_value::jsonb - '{source}') || "
                f"jsonb_build_object('{target}', ((new_value::jsonb ->> '{source}')::bigint "
                f"{factor})))::text "
                f"WHERE entity = '{table}' AND op = 'create' AND new_value::jsonb ? '{source}'"
            )
        else:
            op.execute(
                f"UPDATE changes SET new_value = json_remove(json_set(new_value, "
                f"'$.{target}', json_extract(new_value, '$.{source}') {factor}), '$.{source}') "
                f"WHERE entity = '{table}' AND op = 'create' "
                f"AND json_type(new_value, '$.{source}') IS NOT NULL"
            )


def upgrade() -> None:
    _rescale("cents", "milli", "* 10", op.get_bind().dialect.name == "postgresql")


def downgrade() -> None:
    _rescale("milli", "cents", "/ 10", op.get_bind().dialect.name == "postgresql")
