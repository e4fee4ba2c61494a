"""Exchange rates and activity targets (migration 0005_reports)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index
from sqlmodel import Field, UniqueConstraint

from crmcli.models.base import Record, required_ref, timestamp


class ExchangeRate(Record, table=True):
    """One unit of ``currency`` is worth ``rate`` units of ``base`` from ``valid_from`` on."""

    __tablename__ = "exchange_rates"
    __table_args__ = (
        UniqueConstraint("base", "currency", "valid_from"),
        Index("ix_exchange_rates_lookup", "base", "currency", "valid_from_at"),
    )
    currency: str = Field(max_length=3)
    base: str = Field(max_length=3)  # the reporting currency the rate converts into
    rate: str = Field(max_length=40)  # exact decimal as text
    valid_from: date
    # the first instant of valid_from in the zone of whoever set it: closing times compare
    # against it, so a deal closed at 00:30 local time converts at that day's rate
    valid_from_at: datetime = timestamp(nullable=False)


class ActivityTarget(Record, table=True):
    """A rep's target number of activities of one kind in a period (``2026-W49``)."""

    __tablename__ = "activity_targets"
    __table_args__ = (UniqueConstraint("user_id", "period", "kind"),)
    user_id: str = required_ref("users")
    period: str = Field(max_length=10)
    kind: str = Field(max_length=20)
    target: int
