"""Calls, meetings, tasks, emails and notes, scheduled or logged, possibly recurring."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field

from crmcli.models.base import Record, ref, timestamp


class Activity(Record, table=True):
    """Something done or to do, linked to a deal, contact, company or lead.

    A recurring series stores its RRULE (RFC 5545) and EXDATEs on one row; occurrences are
    expanded on read. An occurrence edited or completed on its own is a row of its own
    with ``series_id`` and ``recurrence_at`` (the occurrence's original start).
    """

    __tablename__ = "activities"
    kind: str = Field(max_length=20, index=True)  # call|meeting|task|email|note
    subject: str = Field(max_length=500)
    start_at: datetime | None = timestamp(index=True)
    end_at: datetime | None = timestamp()
    all_day: bool = False
    due_at: datetime | None = timestamp(index=True)
    done_at: datetime | None = timestamp()
    outcome: str | None = Field(default=None, max_length=200)
    notes: str | None = None
    location: str | None = Field(default=None, max_length=300)
    owner_id: str | None = ref("users")
    deal_id: str | None = ref("deals")
    contact_id: str | None = ref("contacts")
    company_id: str | None = ref("companies")
    lead_id: str | None = ref("leads")
    rrule: str | None = Field(default=None, max_length=500)
    exdates: str | None = None  # comma-separated UTC ISO times excluded from the series
    series_id: str | None = ref("activities")
    recurrence_at: datetime | None = timestamp()
    ical_uid: str | None = Field(default=None, max_length=300, index=True)
    external_id: str | None = Field(default=None, max_length=200, index=True)
    extra: str | None = None  # unmapped columns of an imported file (a JSON object)
    ical_sequence: int | None = None  # iTIP SEQUENCE of the last invite (None: not invited)
