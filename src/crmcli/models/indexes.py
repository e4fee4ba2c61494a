"""Indexes added by migrations 0002, 0007, 0010 and 0011, declared here so the metadata matches."""

from sqlalchemy import Index, func, text

from crmcli.models.activities import Activity
from crmcli.models.changes import Change
from crmcli.models.parties import Company, Contact, Lead, Tag
from crmcli.models.pipeline import Deal, StageHistory
from crmcli.models.sales import Payment


def _t(model: object) -> object:
    return model.__table__  # type: ignore[attr-defined]


c_contacts = _t(Contact).c  # type: ignore[attr-defined]
c_companies = _t(Company).c  # type: ignore[attr-defined]
c_leads = _t(Lead).c  # type: ignore[attr-defined]
c_deals = _t(Deal).c  # type: ignore[attr-defined]
c_acts = _t(Activity).c  # type: ignore[attr-defined]

OPEN_ITEMS = "rrule IS NULL AND kind <> 'note' AND deleted_at IS NULL"

INDEXES = [
    Index("ix_contacts_email_ci", func.lower(c_contacts.email)),
    Index("ix_contacts_name_ci", func.lower(c_contacts.name)),
    Index("ix_companies_name_ci", func.lower(c_companies.name)),
    Index("ix_leads_email_ci", func.lower(c_leads.email)),
    Index("ix_leads_name_ci", func.lower(c_leads.name)),
    Index("ix_deals_name_ci", func.lower(c_deals.name)),
    Index("ix_deals_status_stage", c_deals.status, c_deals.stage_id, c_deals.amount_milli),
    Index("ix_deals_owner_status", c_deals.owner_id, c_deals.status, c_deals.updated_at),
    Index("ix_deals_updated", c_deals.updated_at),
    Index("ix_deals_status_updated", c_deals.status, c_deals.updated_at),
    Index(
        "ix_deals_board",
        c_deals.status,
        c_deals.stage_id,
        c_deals.deleted_at,
        c_deals.owner_id,
        c_deals.currency,
        c_deals.probability,
        c_deals.amount_milli,
        c_deals.stage_changed_at,
        c_deals.last_activity_at,
        c_deals.created_at,
    ),
    Index("ix_activities_owner_start", c_acts.owner_id, c_acts.start_at),
    Index("ix_activities_open_due", c_acts.done_at, c_acts.due_at),
    Index("ix_activities_rrule", c_acts.rrule),
    # 0007_search: one rep's overdue items (crm status, crm agenda --overdue)
    Index("ix_activities_owner_open_due", c_acts.owner_id, c_acts.done_at, c_acts.due_at),
    Index("ix_activities_owner_due", c_acts.owner_id, c_acts.due_at),  # 0010_daily
    Index("ix_contacts_merged_into", c_contacts.merged_into_id),  # 0010_daily
    Index(  # 0011_open_items: overdue one-off items of every rep (crm status --team)
        "ix_activities_open_items",
        c_acts.done_at,
        func.coalesce(c_acts.due_at, c_acts.start_at),
        c_acts.owner_id,
        sqlite_where=text(OPEN_ITEMS),
        postgresql_where=text(OPEN_ITEMS),
    ),
    Index(
        "ix_stage_history_deal_at",
        _t(StageHistory).c.deal_id,  # type: ignore[attr-defined]
        _t(StageHistory).c.at,  # type: ignore[attr-defined]
    ),
    Index(
        "ix_changes_entity_record",
        _t(Change).c.entity,  # type: ignore[attr-defined]
        _t(Change).c.record_id,  # type: ignore[attr-defined]
        _t(Change).c.hlc,  # type: ignore[attr-defined]
    ),
    Index("ix_payments_deal", _t(Payment).c.deal_id, _t(Payment).c.paid_at),  # type: ignore[attr-defined]
    Index("ix_tags_entity_name", _t(Tag).c.entity, _t(Tag).c.name),  # type: ignore[attr-defined]
]
