"""Commission plans, their assignment to reps, and quotas."""

from __future__ import annotations

from datetime import date

from sqlmodel import Field, UniqueConstraint

from crmcli.models.base import Record, milli, required_ref


class CommissionPlan(Record, table=True):
    """Tiered commission: ``tiers`` is JSON ``[["0", "0.05"], ["50000", "0.08"], …]``."""

    __tablename__ = "commission_plans"
    name: str = Field(max_length=100, unique=True)
    tiers: str  # JSON list of [threshold, rate] pairs, exact decimals as strings
    tier_basis: str = Field(default="money", max_length=12)  # money|quota_pct
    mode: str = Field(default="marginal", max_length=12)  # marginal|retroactive
    trigger: str = Field(default="won", max_length=8)  # won|paid
    accelerator: str = Field(default="1", max_length=12)


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
