"""Reps, companies, contacts, leads and tags."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, UniqueConstraint

from crmcli.models.base import Record, ref, required_ref, timestamp


class User(Record, table=True):
    """A rep (or manager): owns records, carries quotas, earns commission."""

    __tablename__ = "users"
    username: str = Field(max_length=64, unique=True)
    name: str = Field(default="", max_length=200)
    email: str | None = Field(default=None, max_length=320)
    team: str | None = Field(default=None, max_length=100, index=True)
    territory: str | None = Field(default=None, max_length=100)
    role: str = Field(default="rep", max_length=20)
    active: bool = True


class Company(Record, table=True):
    """An account: the organisation deals are sold to."""

    __tablename__ = "companies"
    name: str = Field(max_length=300, index=True)
    domain: str | None = Field(default=None, max_length=255, index=True)
    website: str | None = Field(default=None, max_length=500)
    industry: str | None = Field(default=None, max_length=100)
    size: int | None = None  # employees
    classification: str = Field(default="prospect", max_length=20)  # prospect|target|key_account
    territory: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=40)
    address: str | None = Field(default=None, max_length=500)
    city: str | None = Field(default=None, max_length=100)
    country: str | None = Field(default=None, max_length=100)
    owner_id: str | None = ref("users")
    source: str | None = Field(default=None, max_length=100)
    notes: str | None = None
    external_id: str | None = Field(default=None, max_length=200, index=True)
    merged_into_id: str | None = ref("companies", index=False)
    extra: str | None = None  # unmapped columns of an imported file (a JSON object)


class Contact(Record, table=True):
    """A person at a company."""

    __tablename__ = "contacts"
    name: str = Field(max_length=300, index=True)
    email: str | None = Field(default=None, max_length=320, index=True)
    phone: str | None = Field(default=None, max_length=40, index=True)
    title: str | None = Field(default=None, max_length=200)
    company_id: str | None = ref("companies")
    owner_id: str | None = ref("users")
    source: str | None = Field(default=None, max_length=100)
    notes: str | None = None
    external_id: str | None = Field(default=None, max_length=200, index=True)
    merged_into_id: str | None = ref("contacts", index=False)
    # Further addresses and numbers beyond the primary ones (JSON lists of strings), so a
    # vCard with several EMAIL/TEL lines survives import and export.
    other_emails: str | None = None
    other_phones: str | None = None
    extra: str | None = None  # unmapped columns of an imported file (a JSON object)


class Lead(Record, table=True):
    """A not-yet-qualified prospect; converted into company + contact + deal."""

    __tablename__ = "leads"
    name: str = Field(max_length=300, index=True)
    email: str | None = Field(default=None, max_length=320, index=True)
    phone: str | None = Field(default=None, max_length=40)
    title: str | None = Field(default=None, max_length=200)
    company_name: str | None = Field(default=None, max_length=300)
    company_size: int | None = None
    website: str | None = Field(default=None, max_length=500)
    source: str | None = Field(default=None, max_length=100)
    status: str = Field(default="new", max_length=20, index=True)
    disqualify_reason: str | None = Field(default=None, max_length=200)
    score: int = 0
    owner_id: str | None = ref("users")
    notes: str | None = None
    external_id: str | None = Field(default=None, max_length=200, index=True)
    converted_at: datetime | None = timestamp()
    # Plain ids, not foreign keys: leads and deals point at each other, and a cycle of
    # foreign keys cannot be created on PostgreSQL in one pass.
    converted_company_id: str | None = Field(default=None, max_length=36)
    converted_contact_id: str | None = Field(default=None, max_length=36)
    converted_deal_id: str | None = Field(default=None, max_length=36)
    extra: str | None = None  # unmapped columns of an imported file (a JSON object)


class Tag(Record, table=True):
    """One tag on one record; a set that sync merges element by element."""

    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("entity", "record_id", "name"),)
    entity: str = Field(max_length=30)
    record_id: str = Field(max_length=36, index=True)
    name: str = Field(max_length=100, index=True)


__all__ = ["Company", "Contact", "Lead", "Tag", "User", "required_ref"]
