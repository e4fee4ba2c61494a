"""Indexes added by migration 0005_reports, declared here too so the metadata matches."""

from sqlalchemy import Index, func

from crmcli.models.activities import Activity
from crmcli.models.changes import Change
from crmcli.models.pipeline import Deal, StageHistory


def _c(model: object) -> object:
    return model.__table__.c  # type: ignore[attr-defined]


deals = _c(Deal)
acts = _c(Activity)
history = _c(StageHistory)
changes = _c(Change)

INDEXES = [
    # funnel cohort: deals of a pipeline created in a period, with what the funnel reads
    Index(
        "ix_deals_report_created",
        deals.pipeline_id,  # type: ignore[attr-defined]
        deals.created_at,  # type: ignore[attr-defined]
        deals.owner_id,  # type: ignore[attr-defined]
        deals.status,  # type: ignore[attr-defined]
        deals.currency,  # type: ignore[attr-defined]
        deals.amount_milli,  # type: ignore[attr-defined]
    ),
    # won/lost in a period (funnel, forecast, lost), covering owner, amount and currency
    Index(
        "ix_deals_report_closed",
        deals.status,  # type: ignore[attr-defined]
        deals.closed_at,  # type: ignore[attr-defined]
        deals.pipeline_id,  # type: ignore[attr-defined]
        deals.owner_id,  # type: ignore[attr-defined]
        deals.currency,  # type: ignore[attr-defined]
        deals.amount_milli,  # type: ignore[attr-defined]
    ),
    # segments: each company's won deals
    Index(
        "ix_deals_report_company",
        deals.status,  # type: ignore[attr-defined]
        deals.company_id,  # type: ignore[attr-defined]
        deals.closed_at,  # type: ignore[attr-defined]
        deals.currency,  # type: ignore[attr-defined]
        deals.amount_milli,  # type: ignore[attr-defined]
        deals.deleted_at,  # type: ignore[attr-defined]
    ),
    # funnel reach: each deal's stages entered, without visiting the table
    Index(
        "ix_stage_history_reach",
        history.deal_id,  # type: ignore[attr-defined]
        history.to_stage_id,  # type: ignore[attr-defined]
        history.at,  # type: ignore[attr-defined]
        history.deleted_at,  # type: ignore[attr-defined]
    ),
    # activity report: activities in a period by their day, covering owner, kind, done
    Index(
        "ix_activities_report_day",
        func.coalesce(acts.start_at, acts.due_at),  # type: ignore[attr-defined]
        acts.owner_id,  # type: ignore[attr-defined]
        acts.kind,  # type: ignore[attr-defined]
        acts.done_at,  # type: ignore[attr-defined]
        acts.deleted_at,  # type: ignore[attr-defined]
        acts.start_at,  # type: ignore[attr-defined]
        acts.due_at,  # type: ignore[attr-defined]
    ),
    # segments: each company's last activity
    Index(
        "ix_activities_report_company",
        acts.company_id,  # type: ignore[attr-defined]
        acts.done_at,  # type: ignore[attr-defined]
        acts.deleted_at,  # type: ignore[attr-defined]
    ),
    # --as-of: the deal changes stated after a moment
    Index(
        "ix_changes_report_asof",
        changes.entity,  # type: ignore[attr-defined]
        changes.at,  # type: ignore[attr-defined]
        changes.op,  # type: ignore[attr-defined]
        changes.field,  # type: ignore[attr-defined]
    ),
]
