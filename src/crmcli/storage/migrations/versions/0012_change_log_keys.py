"""the change log's records are found by (entity, record_id) only: drop the lone record_id index

Revision ID: 0012_change_log_keys
Revises: 0011_open_items
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012_change_log_keys"
down_revision: str | None = "0011_open_items"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every history query names the record's table as well as its id, which
# ix_changes_entity_record (entity, record_id, hlc) serves in hlc order. The index on
# record_id alone only made each logged change one more random insert into the largest
# table's indexes (a bulk import or a sync merge paid for it on every row).


def upgrade() -> None:
    op.drop_index("ix_changes_record_id", table_name="changes")


def downgrade() -> None:
    op.create_index("ix_changes_record_id", "changes", ["record_id"])
