"""Exchange rates and activity targets (migration 0005_reports)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Index
from sqlmodel import Field, UniqueConstraint

from crmcli.models.base import Record, required_ref


class ExchangeRate(Record, table=True):
    """One unit of ``currency`` is worth ``rate`` units of ``base`` from ``valid_from`` on."""

    __tablename__ = "exchange_rates"
    __table_args__ = (
        UniqueConstraint("base", "currency", "valid_from"),
        Index("ix_exchange_rates_lookup", "base", "currency", "valid_from"),
    )
    currency: str = Field(max_length=3)
    base: str = Field(max_length=3)  # the reporting currency the rate converts into
    rate: str = Field(max_length=40)  # exact decimal as text
    valid_from: date


class ActivityTarget(Record, table=True):
    """A rep's target number of activities of one kind in a period (``2026-W49``)."""

    __tablename__ = "activity_targets"
    __table_args__ = (UniqueConstraint("user_id", "period", "kind"),)
    user_id: str = required_ref("users")
    period: str = Field(max_length=10)
    kind: str = Field(max_length=20)
    target: int
