"""Alembic environment: migrations run on the connection crmcli hands over."""

from alembic import context

import crmcli.models
from crmcli.storage.search_index import is_index_table

target_metadata = crmcli.models.metadata
connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - `alembic` CLI use by developers
    from sqlalchemy import create_engine

    connection = create_engine(context.config.get_main_option("sqlalchemy.url")).connect()

context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=True,  # SQLite needs table copies for ALTERs
    compare_type=True,
    # The FTS5 search index is a virtual table the ORM does not model (0007_search).
    include_name=lambda name, type_, _parent: not (type_ == "table" and is_index_table(name)),
)
with context.begin_transaction():
    context.run_migrations()
