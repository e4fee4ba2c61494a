"""Commission plans, their assignment to reps, and quotas."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, UniqueConstraint

from crmcli.models.base import Record, milli, ref, required_ref, timestamp


class CommissionPlan(Record, table=True):
    """Tiered commission: ``tiers`` is JSON ``[["0", "0.05"], ["50000", "0.08"], …]``."""

    __tablename__ = "commission_plans"
    name: str = Field(max_length=100, unique=True)
    tiers: str  # JSON list of [threshold, rate] pairs, exact decimals as strings
    tier_basis: str = Field(default="money", max_length=12)  # money|quota_pct
    mode: str = Field(default="marginal", max_length=12)  # marginal|retroactive
    trigger: str = Field(default="won", max_length=8)  # won|paid
    accelerator: str = Field(default="1", max_length=12)
    # 0006_commission: the most one statement pays (thousandths of ``currency``), the
    # currency of money bands and cap, and a note for people.
    cap_milli: int | None = milli()
    currency: str = Field(default="EUR", max_length=3)
    description: str | None = None


class PlanAssignment(Record, table=True):
    """A rep is paid on a plan from a date (until another assignment replaces it)."""

    __tablename__ = "plan_assignments"
    plan_id: str = required_ref("commission_plans")
    user_id: str = required_ref("users")
    valid_from: date | None = None
    valid_to: date | None = None


class Quota(Record, table=True):
    """A rep's target for a period (``2026-Q4``, ``2026-11``, ``2026``)."""

    __tablename__ = "quotas"
    __table_args__ = (UniqueConstraint("user_id", "period"),)
    user_id: str = required_ref("users")
    period: str = Field(max_length=10)
    amount_milli: int = milli(nullable=False)
    currency: str = Field(default="EUR", max_length=3)


class CommissionPeriod(Record, table=True):
    """A commission period closed (paid out): its statements are frozen from then on."""

    __tablename__ = "commission_periods"
    label: str = Field(max_length=20, unique=True)
    kind: str = Field(max_length=8)  # year|quarter|month|week|range
    start_date: date
    end_date: date  # inclusive
    currency: str = Field(default="EUR", max_length=3)
    closed_at: datetime = timestamp(nullable=False)


class CommissionStatement(Record, table=True):
    """One rep's frozen statement of a closed period (its lines are ``commission_lines``)."""

    __tablename__ = "commission_statements"
    __table_args__ = (UniqueConstraint("period_id", "user_id"),)
    period_id: str = required_ref("commission_periods")
    user_id: str = required_ref("users")
    plan: str | None = Field(default=None, max_length=100)  # plan names, as they were
    plans: str = Field(default="[]")  # JSON list of every plan the lines used
    currency: str = Field(default="EUR", max_length=3)
    quota_milli: int | None = milli()
    basis: str = Field(max_length=40)  # exact decimal
    attainment: str | None = Field(default=None, max_length=40)
    total_milli: int = milli(nullable=False)


class CommissionLine(Record, table=True):
    """One frozen statement line: what a closed period paid a rep for a deal."""

    __tablename__ = "commission_lines"
    statement_id: str = required_ref("commission_statements")
    period_id: str = required_ref("commission_periods")
    user_id: str = required_ref("users")
    deal_id: str | None = ref("deals")
    position: int = 0
    deal: str | None = None  # the deal's name when the period closed
    kind: str = Field(max_length=12)  # commission|clawback|adjustment
    credited_on: date | None = None
    split: str | None = Field(default=None, max_length=10)  # owner|revenue|overlay
    share: str | None = Field(default=None, max_length=12)
    plan: str | None = Field(default=None, max_length=100)
    basis: str = Field(max_length=40)  # exact decimal
    rate: str = Field(max_length=40)
    amount_milli: int = milli(nullable=False)
    above_quota: bool = False
    capped: bool = False
    origin: str | None = Field(default=None, max_length=20)  # the closed period corrected
