"""Column helpers shared by every table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime
from sqlmodel import Field, SQLModel

ID_LENGTH = 36


def id_field() -> Any:
    """A client-generated UUID primary key, so replicas never collide."""
    return Field(primary_key=True, max_length=ID_LENGTH)


def ref(table: str, *, index: bool = True) -> Any:
    """A nullable foreign key to ``table.id``."""
    return Field(default=None, foreign_key=f"{table}.id", max_length=ID_LENGTH, index=index)


def required_ref(table: str) -> Any:
    """A mandatory foreign key to ``table.id``."""
    return Field(foreign_key=f"{table}.id", max_length=ID_LENGTH, index=True)


def timestamp(*, nullable: bool = True, index: bool = False) -> Any:
    """A timezone-aware UTC timestamp column."""
    return Field(
        default=None if nullable else ...,
        sa_type=DateTime(timezone=True),
        nullable=nullable,
        index=index,
    )


def milli(*, nullable: bool = True) -> Any:
    """Money in integer thousandths of the record's currency (see ``crmcli.money``)."""
    return Field(default=None if nullable else 0, sa_type=BigInteger, nullable=nullable)


class Record(SQLModel):
    """Fields every mutable record has: UUID id, creation/update times, soft delete."""

    id: str = id_field()
    created_at: datetime = timestamp(nullable=False)
    updated_at: datetime = timestamp(nullable=False)
    deleted_at: datetime | None = timestamp()
