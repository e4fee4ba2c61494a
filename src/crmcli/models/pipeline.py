"""Pipelines, stages, deals, their stage history, lines and splits."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, UniqueConstraint

from crmcli.models.base import Record, milli, ref, required_ref, timestamp


class Pipeline(Record, table=True):
    """A named sales process with ordered stages."""

    __tablename__ = "pipelines"
    name: str = Field(max_length=100, unique=True)
    is_default: bool = False
    position: int = 0


class Stage(Record, table=True):
    """One step of a pipeline with its default win probability."""

    __tablename__ = "stages"
    __table_args__ = (UniqueConstraint("pipeline_id", "name"),)
    pipeline_id: str = required_ref("pipelines")
    name: str = Field(max_length=100)
    position: int
    probability: int  # 0–100
    kind: str = Field(default="open", max_length=10)  # open|won|lost
    rotting_days: int | None = None


class Deal(Record, table=True):
    """An opportunity moving through a pipeline."""

    __tablename__ = "deals"
    name: str = Field(max_length=300, index=True)
    pipeline_id: str = required_ref("pipelines")
    stage_id: str = required_ref("stages")
    company_id: str | None = ref("companies")
    contact_id: str | None = ref("contacts")
    lead_id: str | None = ref("leads", index=False)
    owner_id: str | None = ref("users")
    amount_milli: int = milli(nullable=False)
    currency: str = Field(default="EUR", max_length=3)
    probability: int | None = None  # override of the stage default, 0–100
    # commit|best-case|pipeline|omitted; None: derived from the stage probability (reports)
    forecast_category: str | None = Field(default=None, max_length=12)
    expected_close: date | None = Field(default=None, index=True)
    source: str | None = Field(default=None, max_length=100)
    next_step: str | None = Field(default=None, max_length=500)
    status: str = Field(default="open", max_length=10, index=True)  # open|won|lost
    lost_reason: str | None = Field(default=None, max_length=100)
    competitor: str | None = Field(default=None, max_length=200)
    stage_changed_at: datetime | None = timestamp()
    last_activity_at: datetime | None = timestamp()
    closed_at: datetime | None = timestamp(index=True)
    notes: str | None = None
    external_id: str | None = Field(default=None, max_length=200, index=True)


class StageHistory(Record, table=True):
    """Append-only: a deal entered a stage at a time (stated) by a user."""

    __tablename__ = "stage_history"
    deal_id: str = required_ref("deals")
    from_stage_id: str | None = ref("stages", index=False)
    to_stage_id: str = required_ref("stages")
    at: datetime = timestamp(nullable=False)
    user_id: str | None = ref("users", index=False)


class DealLine(Record, table=True):
    """A product on a deal."""

    __tablename__ = "deal_lines"
    deal_id: str = required_ref("deals")
    product_id: str | None = ref("products")
    description: str = Field(default="", max_length=500)
    quantity: str = Field(default="1", max_length=30)  # exact decimal as text
    unit_price_milli: int = milli(nullable=False)
    discount_pct: str = Field(default="0", max_length=12)


class DealSplit(Record, table=True):
    """A rep's share of a deal's credit; revenue splits total 100%, overlays do not count."""

    __tablename__ = "deal_splits"
    __table_args__ = (UniqueConstraint("deal_id", "user_id", "kind"),)
    deal_id: str = required_ref("deals")
    user_id: str = required_ref("users")
    share_pct: str = Field(max_length=12)  # exact decimal as text
    kind: str = Field(default="revenue", max_length=10)  # revenue|overlay


__all__ = ["Deal", "DealLine", "DealSplit", "Pipeline", "Stage", "StageHistory", "date"]
