"""Alembic environment: migrations run on the connection crmcli hands over."""

from alembic import context

import crmcli.models

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
)
with context.begin_transaction():
    context.run_migrations()
