"""The only per-table knowledge sync has: a small declarative table of merge rules.

Everything else is generic over the change log: a table added tomorrow syncs field by field
without a line here. A test checks every name below exists in the schema.
"""

from __future__ import annotations

# Tables that are not book data: never exported, never merged.
INTERNAL_TABLES = frozenset(
    {
        "changes",
        "change_origins",  # a replica's own note of where its changes came from (MCP)
        "meta",
        "alembic_version",
        "sync_conflicts",
        "sync_batches",
        "sync_pending",
    }
)

# Append-only records (SPEC §6: activities, stage history, payments, notes — notes are
# activities of kind "note"): every replica's rows are kept (unioned, fresh UUIDs never
# collide), so a uniqueness rule never renames or folds one of them.
APPEND_ONLY = frozenset({"activities", "stage_history", "payments"})

# Uniqueness the database does not enforce but a person expects: two live records with the
# same value are both kept and reported with a merge hint. (Unique constraints the schema
# does enforce are found in the schema itself, for every table.)
LOGICAL_UNIQUE: dict[str, tuple[str, ...]] = {
    "contacts": ("email",),
    "leads": ("email",),
    "companies": ("domain",),
}

# When two records claim a value a unique constraint allows once (same SKU, username, quote
# number…), the later claim is kept under a renamed value in this column. Tables not listed
# rename the last text column of the constraint.
RENAME_COLUMN: dict[str, str] = {
    "products": "sku",
    "users": "username",
    "quotes": "number",
    "orders": "number",
    "pipelines": "name",
    "stages": "name",
    "commission_plans": "name",
}

# What to tell the user to do about two records that should be one.
MERGE_HINTS: dict[str, str] = {
    "contacts": "merge them with: crm contact merge {kept} {other}",
    "companies": "merge them with: crm company merge {kept} {other}",
    "leads": "two leads share an e-mail: delete one with crm lead delete {other}",
    "users": "two reps took one username: rename one with crm user edit, then crm company handover",
    "products": "two products share a SKU: rename or delete one with crm product edit",
    "quotes": "two quotes got one number offline: keep one and revise the other",
}
DEFAULT_HINT = "two {entity} records claim the same {columns}; edit or delete one of them"

# Columns every record carries for bookkeeping: merged by the clock, never reported.
BOOKKEEPING = frozenset({"id", "created_at", "updated_at"})
