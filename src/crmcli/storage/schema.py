"""What this build knows of the schema, without importing Alembic or SQLAlchemy.

``REVISIONS`` lists the Alembic revisions in order; a test checks it against the migration
scripts, so the fast "is the file up to date?" check needs one query and no heavy import.
"""

REVISIONS: tuple[str, ...] = (
    "0001_initial",
    "0002_indexes",
    "0003_money_milli",
    "0004_quote_to_cash",
    "0005_reports",
    "0006_commission",
    "0007_search",
    "0010_daily",
    "0008_sync",
    "0009_import",
    "0011_open_items",
    "0012_change_log_keys",
    "0013_search_keys",
    "0014_search_rowids",
)
HEAD = REVISIONS[-1]
