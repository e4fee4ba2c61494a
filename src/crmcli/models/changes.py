"""The change log (audit trail and sync operations) and replica metadata."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel

from crmcli.models.base import ID_LENGTH, timestamp


class Change(SQLModel, table=True):
    """One operation: a create (whole record), an update of one field, or a delete.

    Written in the same transaction as the change it records. ``at`` is when it happened as
    stated (``--at``); ``entered_at`` is when it was typed. ``hlc`` is a hybrid logical
    clock ``<ms:013>-<counter:05>-<replica>`` that orders operations across replicas.
    """

    __tablename__ = "changes"
    id: str = Field(primary_key=True, max_length=ID_LENGTH)
    hlc: str = Field(max_length=80, index=True)
    replica_id: str = Field(max_length=ID_LENGTH)
    actor: str = Field(max_length=64)
    entity: str = Field(max_length=30)
    # found by (entity, record_id): ix_changes_entity_record (migration 0012)
    record_id: str = Field(max_length=ID_LENGTH)
    op: str = Field(max_length=10)  # create|update|delete|restore
    field: str | None = Field(default=None, max_length=64)
    old_value: str | None = None  # JSON
    new_value: str | None = None  # JSON
    at: datetime = timestamp(nullable=False)
    entered_at: datetime = timestamp(nullable=False)
    schema_version: int = 1


class ChangeOrigin(SQLModel, table=True):
    """Where a change came from when it was not typed at the CLI (``mcp``: an AI assistant).

    Kept beside ``changes`` so the log's format, which sync ships, stays as it is; a note of
    this replica's own, shown by ``crm history``.
    """

    __tablename__ = "change_origins"
    change_id: str = Field(primary_key=True, max_length=ID_LENGTH)
    origin: str = Field(max_length=20)


class Meta(SQLModel, table=True):
    """Key/value facts about this replica (replica id, last HLC, settings)."""

    __tablename__ = "meta"
    key: str = Field(primary_key=True, max_length=64)
    value: str


class SyncConflict(SQLModel, table=True):
    """A losing value of a concurrent edit, kept so it can be listed and restored."""

    __tablename__ = "sync_conflicts"
    id: str = Field(primary_key=True, max_length=ID_LENGTH)
    change_id: str = Field(max_length=ID_LENGTH)
    entity: str = Field(max_length=30)
    record_id: str = Field(max_length=ID_LENGTH, index=True)
    field: str | None = Field(default=None, max_length=64)
    kept_value: str | None = None
    lost_value: str | None = None
    detected_at: datetime = timestamp(nullable=False)
    resolved_at: datetime | None = timestamp()
    # field (same field edited on two replicas) | delete (an edit raced a delete) |
    # unique (two records claim one SKU, username, e-mail, quote number…)
    kind: str = Field(default="field", max_length=10, sa_column_kwargs={"server_default": "field"})
    kept_change_id: str | None = Field(default=None, max_length=ID_LENGTH)
    kept_replica_id: str | None = Field(default=None, max_length=ID_LENGTH)
    lost_replica_id: str | None = Field(default=None, max_length=ID_LENGTH)
    hint: str | None = None


class SyncBatch(SQLModel, table=True):
    """A file of the shared folder this replica has looked at, and what became of it.

    Sync bookkeeping, local to each replica: written by ``crmcli.sync`` directly, never
    through the change log (it would be exported again).
    """

    __tablename__ = "sync_batches"
    name: str = Field(primary_key=True, max_length=200)
    replica_id: str = Field(max_length=ID_LENGTH)
    kind: str = Field(max_length=10)  # batch|snapshot
    status: str = Field(max_length=12)  # applied|refused|newer
    detail: str | None = None
    size: int = Field(sa_type=BigInteger)
    operations: int = 0
    prev_hlc: str | None = Field(default=None, max_length=80)  # last stamp of the one before
    last_hlc: str | None = Field(default=None, max_length=80)
    seen_at: datetime = timestamp(nullable=False)


class SyncPending(SQLModel, table=True):
    """A received operation that cannot apply yet (its record or a parent has not arrived,
    or its clock is too far ahead); retried by every sync."""

    __tablename__ = "sync_pending"
    change_id: str = Field(primary_key=True, max_length=ID_LENGTH)
    hlc: str = Field(max_length=80)
    reason: str = Field(max_length=200)
    body: str  # the operation as JSON


__all__ = [
    "Change",
    "ChangeOrigin",
    "Meta",
    "SyncBatch",
    "SyncConflict",
    "SyncPending",
    "datetime",
]
