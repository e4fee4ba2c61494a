"""Which column of a file feeds which field: header normalisation, aliases, CRM profiles.

A header matches a field case-, space- and punctuation-insensitively (``E-mail Address``,
``email_address`` and ``EmailAddress`` are one header). The profiles are data: the column
names the exports and import templates of Salesforce, HubSpot, Pipedrive and Zoho use,
per entity; the one covering most of a file's headers is chosen unless ``--profile`` names
one. ``--map "Header=field"`` overrides both. Columns that match nothing are kept in each
record's ``extra`` JSON field.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from crmcli.errors import InvalidInput

ENTITIES = (
    "company",
    "contact",
    "lead",
    "deal",
    "activity",
    "product",
    "expense",
    "payment",
    "quote",
)
EXTRA = "extra"  # --map "Header=extra": keep the column in the record's extra field

# The fields each entity accepts, with the generic names files use for them.
FIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    "company": {
        "id": ("id", "uuid"),
        "name": (
            "name",
            "company",
            "company name",
            "account",
            "account name",
            "organization",
            "organisation",
            "org",
        ),
        "domain": ("domain", "company domain", "domain name"),
        "website": ("website", "web", "url", "homepage", "web site"),
        "industry": ("industry", "sector"),
        "size": ("size", "employees", "number of employees", "headcount", "company size"),
        "classification": ("classification", "class", "type", "account type"),
        "territory": ("territory", "region"),
        "phone": ("phone", "telephone", "phone number", "main phone"),
        "address": ("address", "street", "street address"),
        "city": ("city", "town"),
        "country": ("country", "country region"),
        "owner": ("owner", "owner username", "owner email", "assigned to"),
        "source": ("source",),
        "notes": ("notes", "note", "description", "comments"),
        "external_id": ("external id", "externalid", "ext id", "crm id"),
        "tags": ("tags", "tag", "labels"),
        "created_at": ("created at", "created", "create date", "created date"),
    },
    "contact": {
        "id": ("id", "uuid"),
        "name": ("name", "full name", "contact name", "contact"),
        "first_name": ("first name", "firstname", "given name", "forename"),
        "last_name": ("last name", "lastname", "surname", "family name"),
        "email": ("email", "e mail", "email address", "e mail address", "mail", "work email"),
        "phone": (
            "phone",
            "telephone",
            "phone number",
            "mobile",
            "mobile phone",
            "cell",
            "work phone",
            "business phone",
        ),
        "title": ("title", "job title", "position", "role"),
        "company": (
            "company",
            "company name",
            "account",
            "account name",
            "organization",
            "organisation",
            "org",
        ),
        "company_id": ("company id",),
        "company_domain": ("company domain", "domain"),
        "company_external_id": ("company external id", "account external id"),
        "owner": ("owner", "owner username", "owner email", "assigned to"),
        "source": ("source", "lead source"),
        "notes": ("notes", "note", "description", "comments"),
        "external_id": ("external id", "externalid", "ext id", "crm id"),
        "other_emails": ("other emails", "secondary email", "other email"),
        "other_phones": ("other phones", "other phone"),
        "tags": ("tags", "tag", "labels"),
        "created_at": ("created at", "created", "create date", "created date"),
    },
    "lead": {
        "id": ("id", "uuid"),
        "name": ("name", "full name", "lead name"),
        "first_name": ("first name", "firstname", "given name"),
        "last_name": ("last name", "lastname", "surname", "family name"),
        "email": ("email", "e mail", "email address", "e mail address", "mail"),
        "phone": ("phone", "telephone", "phone number", "mobile"),
        "title": ("title", "job title", "position"),
        "company_name": ("company", "company name", "organization", "organisation", "account"),
        "company_size": ("company size", "employees", "number of employees", "size"),
        "website": ("website", "web", "url"),
        "source": ("source", "lead source"),
        "status": ("status", "lead status"),
        "owner": ("owner", "owner username", "owner email", "assigned to"),
        "notes": ("notes", "note", "description", "comments"),
        "external_id": ("external id", "externalid", "ext id", "crm id"),
        "tags": ("tags", "tag", "labels"),
        "created_at": ("created at", "created", "create date", "created date"),
    },
    "deal": {
        "id": ("id", "uuid"),
        "name": ("name", "deal", "deal name", "title", "opportunity", "opportunity name"),
        "amount": ("amount", "value", "deal value", "deal amount"),
        "currency": ("currency", "currency code"),
        "company": ("company", "company name", "account", "account name", "organization"),
        "company_id": ("company id",),
        "company_external_id": ("company external id", "account external id"),
        "contact": ("contact", "contact name", "contact email", "person"),
        "contact_id": ("contact id",),
        "contact_external_id": ("contact external id",),
        "owner": ("owner", "owner username", "owner email", "assigned to"),
        "pipeline": ("pipeline",),
        "stage": ("stage", "deal stage", "stage name"),
        "probability": ("probability", "probability percent", "win probability"),
        "expected_close": (
            "expected close",
            "close date",
            "close",
            "expected close date",
            "closing date",
        ),
        "source": ("source", "lead source"),
        "next_step": ("next step",),
        "lost_reason": ("lost reason",),
        "competitor": ("competitor",),
        "notes": ("notes", "note", "description"),
        "external_id": ("external id", "externalid", "ext id", "crm id"),
        "tags": ("tags", "tag", "labels"),
        "created_at": ("created at", "created", "create date", "created date"),
    },
    "activity": {
        "id": ("id", "uuid"),
        "kind": ("kind", "type", "activity type"),
        "subject": ("subject", "title", "summary"),
        "start_at": ("start", "start at", "start time", "start date", "date"),
        "end_at": ("end", "end at", "end time", "end date"),
        "due_at": ("due", "due at", "due date"),
        "done_at": ("done", "done at", "completed", "completed at", "done date"),
        "all_day": ("all day",),
        "outcome": ("outcome", "result"),
        "notes": ("notes", "note", "description", "comments"),
        "location": ("location", "place"),
        "owner": ("owner", "owner username", "owner email", "assigned to"),
        "deal": ("deal", "deal name", "opportunity"),
        "deal_id": ("deal id",),
        "contact": ("contact", "contact email", "with", "person"),
        "contact_id": ("contact id",),
        "contact_external_id": ("contact external id",),
        "company": ("company", "company name", "account", "organization"),
        "company_id": ("company id",),
        "external_id": ("external id", "externalid", "ext id", "crm id"),
    },
    "product": {
        "id": ("id", "uuid"),
        "sku": ("sku", "code", "product code", "item code"),
        "name": ("name", "product", "product name"),
        "description": ("description",),
        "unit_price": ("unit price", "price", "list price"),
        "currency": ("currency", "currency code"),
        "tax_pct": ("tax", "tax pct", "tax percent", "tax rate", "vat"),
        "active": ("active", "is active"),
        "unit": ("unit", "unit of measure", "uom"),
        "tags": ("tags", "tag", "labels"),
        "created_at": ("created at", "created", "create date", "created date"),
    },
    "expense": {
        "id": ("id", "uuid"),
        "deal": ("deal", "deal name", "opportunity"),
        "deal_id": ("deal id",),
        "company": ("company", "company name", "customer", "account"),
        "company_id": ("company id",),
        "amount": ("amount", "cost", "total", "value"),
        "currency": ("currency", "currency code"),
        "category": ("category", "type", "kind"),
        "owner": ("rep", "owner", "user", "spent by", "employee"),
        "spent_at": ("spent at", "spent on", "date", "expense date"),
        "note": ("note", "notes", "description", "memo"),
        "created_at": ("created at", "created"),
    },
    "payment": {
        "id": ("id", "uuid", "payment id"),
        "order": ("order", "order number", "order no", "invoice", "invoice number", "invoice no"),
        "order_id": ("order id",),
        "deal": ("deal", "deal name", "opportunity"),
        "deal_id": ("deal id",),
        "amount": ("amount", "paid", "amount paid", "payment amount", "value", "total", "gross"),
        "currency": ("currency", "currency code"),
        "paid_at": ("paid at", "paid on", "date", "payment date", "received on", "value date"),
        "method": ("method", "payment method", "type", "payment type"),
        "reference": ("reference", "ref", "payment reference", "transaction id", "transaction"),
        "refund": ("refund", "is refund", "kind"),
        "refund_of": ("refund of", "refunds", "original payment"),
        "refund_of_id": ("refund of id",),
        "created_at": ("created at", "created"),
    },
    # One row per quote line; rows with the same number are one quote.
    "quote": {
        "number": ("number", "quote", "quote number", "quote no", "quote name"),
        "deal": ("deal", "deal name", "opportunity"),
        "deal_id": ("deal id",),
        "contact": ("contact", "contact email", "customer contact"),
        "currency": ("currency", "currency code"),
        "valid_until": ("valid until", "expires", "expiration date", "expiry", "valid till"),
        "quote_discount": ("quote discount", "quote discount pct"),
        "notes": ("notes", "quote notes"),
        "sku": ("sku", "product", "product code", "product sku", "item code"),
        "description": ("description", "line", "item", "text", "line description"),
        "quantity": ("quantity", "qty", "units"),
        "unit_price": ("unit price", "price", "list price", "rate"),
        "discount": ("discount", "discount pct", "line discount", "discount percent"),
        "tax": ("tax", "tax pct", "tax percent", "tax rate", "vat"),
        "unit": ("unit", "unit of measure", "uom"),
        "kind": ("kind", "line kind", "line type"),
    },
}

# Column names the CRMs' exports and import templates document, per entity.
PROFILES: dict[str, dict[str, dict[str, str]]] = {
    "salesforce": {
        "company": {
            "Id": "external_id",
            "Name": "name",
            "Website": "website",
            "Industry": "industry",
            "NumberOfEmployees": "size",
            "Phone": "phone",
            "BillingStreet": "address",
            "BillingCity": "city",
            "BillingCountry": "country",
            "AccountSource": "source",
            "Description": "notes",
            "Type": EXTRA,
            "OwnerId": EXTRA,
        },
        "contact": {
            "Id": "external_id",
            "AccountId": "company_external_id",
            "FirstName": "first_name",
            "LastName": "last_name",
            "Title": "title",
            "Email": "email",
            "Phone": "phone",
            "MobilePhone": "other_phones",
            "LeadSource": "source",
            "Description": "notes",
            "OwnerId": EXTRA,
            "MailingCity": EXTRA,
        },
        "lead": {
            "Id": "external_id",
            "FirstName": "first_name",
            "LastName": "last_name",
            "Company": "company_name",
            "Title": "title",
            "Email": "email",
            "Phone": "phone",
            "Website": "website",
            "LeadSource": "source",
            "Status": "status",
            "NumberOfEmployees": "company_size",
            "Description": "notes",
            "OwnerId": EXTRA,
        },
        "deal": {
            "Id": "external_id",
            "Name": "name",
            "AccountId": "company_external_id",
            "Amount": "amount",
            "CurrencyIsoCode": "currency",
            "StageName": "stage",
            "Probability": "probability",
            "CloseDate": "expected_close",
            "LeadSource": "source",
            "NextStep": "next_step",
            "Description": "notes",
            "OwnerId": EXTRA,
        },
        "activity": {
            "Id": "external_id",
            "Subject": "subject",
            "ActivityDate": "due_at",
            "Description": "notes",
            "Type": "kind",
            "WhoId": "contact_external_id",
            "WhatId": EXTRA,
            "Status": EXTRA,
        },
        "product": {
            "Id": EXTRA,
            "ProductCode": "sku",
            "Name": "name",
            "Description": "description",
            "IsActive": "active",
            "UnitPrice": "unit_price",
            "CurrencyIsoCode": "currency",
        },
    },
    "hubspot": {
        "company": {
            "Record ID": "external_id",
            "Company name": "name",
            "Company Domain Name": "domain",
            "Website URL": "website",
            "Industry": "industry",
            "Number of Employees": "size",
            "Phone Number": "phone",
            "Street Address": "address",
            "City": "city",
            "Country/Region": "country",
            "Company owner": "owner",
            "Description": "notes",
        },
        "contact": {
            "Record ID": "external_id",
            "First Name": "first_name",
            "Last Name": "last_name",
            "Email": "email",
            "Phone Number": "phone",
            "Job Title": "title",
            "Company Name": "company",
            "Associated Company": "company",
            "Contact owner": "owner",
            "Lifecycle Stage": EXTRA,
            "Lead Status": EXTRA,
            "Create Date": "created_at",
        },
        "lead": {
            "Record ID": "external_id",
            "First Name": "first_name",
            "Last Name": "last_name",
            "Email": "email",
            "Phone Number": "phone",
            "Job Title": "title",
            "Company Name": "company_name",
            "Lead Status": "status",
            "Contact owner": "owner",
            "Original Source": "source",
            "Website URL": "website",
        },
        "deal": {
            "Record ID": "external_id",
            "Deal Name": "name",
            "Amount": "amount",
            "Deal Stage": "stage",
            "Pipeline": "pipeline",
            "Close Date": "expected_close",
            "Deal owner": "owner",
            "Associated Company": "company",
            "Associated Contact": "contact",
            "Deal Description": "notes",
            "Currency": "currency",
            "Create Date": "created_at",
        },
        "activity": {
            "Record ID": "external_id",
            "Activity type": "kind",
            "Subject": "subject",
            "Activity date": "start_at",
            "Body": "notes",
            "Activity assigned to": "owner",
            "Associated Contact": "contact",
            "Associated Deal": "deal",
        },
        "product": {
            "Record ID": EXTRA,
            "Name": "name",
            "SKU": "sku",
            "Unit price": "unit_price",
            "Description": "description",
            "Product type": EXTRA,
            "Billing frequency": EXTRA,
            "Term": EXTRA,
        },
    },
    "pipedrive": {
        "company": {
            "Organization - ID": "external_id",
            "Organization - Name": "name",
            "Organization - Address": "address",
            "Organization - Owner": "owner",
            "Organization - Labels": "tags",
            "Organization - Website": "website",
        },
        "contact": {
            "Person - ID": "external_id",
            "Person - Name": "name",
            "Person - Email": "email",
            "Person - Phone": "phone",
            "Person - Organization": "company",
            "Person - Owner": "owner",
            "Person - Job title": "title",
            "Person - Labels": "tags",
        },
        "lead": {
            "Lead - ID": "external_id",
            "Lead - Title": "name",
            "Person - Name": EXTRA,
            "Person - Email": "email",
            "Person - Phone": "phone",
            "Organization - Name": "company_name",
            "Lead - Owner": "owner",
            "Lead - Source": "source",
            "Lead - Labels": "tags",
        },
        "deal": {
            "Deal - ID": "external_id",
            "Deal - Title": "name",
            "Deal - Value": "amount",
            "Deal - Currency": "currency",
            "Deal - Stage": "stage",
            "Deal - Pipeline": "pipeline",
            "Deal - Organization": "company",
            "Deal - Contact person": "contact",
            "Deal - Expected close date": "expected_close",
            "Deal - Owner": "owner",
            "Deal - Status": EXTRA,
        },
        "activity": {
            "Activity - ID": "external_id",
            "Activity - Subject": "subject",
            "Activity - Type": "kind",
            "Activity - Due date": "due_at",
            "Activity - Note": "notes",
            "Activity - Done": EXTRA,
            "Activity - Assigned to user": "owner",
            "Activity - Deal": "deal",
            "Activity - Contact person": "contact",
            "Activity - Organization": "company",
        },
        "product": {
            "Product - ID": EXTRA,
            "Product - Name": "name",
            "Product - Product code": "sku",
            "Product - Unit prices": "unit_price",
            "Product - Tax": "tax_pct",
            "Product - Description": "description",
            "Product - Active": "active",
        },
    },
    "zoho": {
        "company": {
            "Record Id": "external_id",
            "Account Name": "name",
            "Website": "website",
            "Industry": "industry",
            "Employees": "size",
            "Phone": "phone",
            "Billing Street": "address",
            "Billing City": "city",
            "Billing Country": "country",
            "Account Owner": "owner",
            "Account Type": EXTRA,
            "Description": "notes",
        },
        "contact": {
            "Record Id": "external_id",
            "First Name": "first_name",
            "Last Name": "last_name",
            "Email": "email",
            "Phone": "phone",
            "Mobile": "other_phones",
            "Title": "title",
            "Account Name": "company",
            "Contact Owner": "owner",
            "Lead Source": "source",
            "Description": "notes",
            "Mailing City": EXTRA,
        },
        "lead": {
            "Record Id": "external_id",
            "First Name": "first_name",
            "Last Name": "last_name",
            "Company": "company_name",
            "Email": "email",
            "Phone": "phone",
            "Lead Source": "source",
            "Lead Status": "status",
            "Lead Owner": "owner",
            "Website": "website",
            "No. of Employees": "company_size",
            "Designation": "title",
        },
        "deal": {
            "Record Id": "external_id",
            "Deal Name": "name",
            "Amount": "amount",
            "Stage": "stage",
            "Closing Date": "expected_close",
            "Account Name": "company",
            "Contact Name": "contact",
            "Deal Owner": "owner",
            "Probability (%)": "probability",
            "Lead Source": "source",
            "Next Step": "next_step",
            "Description": "notes",
        },
        "activity": {
            "Record Id": "external_id",
            "Subject": "subject",
            "Due Date": "due_at",
            "Activity Type": "kind",
            "Description": "notes",
            "Task Owner": "owner",
            "Contact Name": "contact",
            "Related To": EXTRA,
            "Status": EXTRA,
        },
        "product": {
            "Record Id": EXTRA,
            "Product Name": "name",
            "Product Code": "sku",
            "Unit Price": "unit_price",
            "Description": "description",
            "Product Active": "active",
            "Tax": "tax_pct",
        },
    },
}
# Columns an export writes that an import derives itself (times kept by the book, ids of
# references whose names come along, computed values): read past, not kept in extra.
DERIVED = frozenset(
    {
        "updatedat",
        "handle",
        "ownerid",
        "mergedintoid",
        "pipelineid",
        "stageid",
        "score",
        "stagechangedat",
        "lastactivityat",
        "closedat",
        "convertedat",
        "convertedcompanyid",
        "convertedcontactid",
        "converteddealid",
        "seriesid",
        "recurrenceat",
        "leadid",
        "status",
        "disqualifyreason",
        "lead",
        "userid",
    }
)
_MIN_PROFILE_HITS = 2  # headers only that profile knows, before it is chosen on its own


def normalise(header: str) -> str:
    """A header as matching sees it: case-folded letters and digits only."""
    text = unicodedata.normalize("NFKC", header).casefold()
    return re.sub(r"[\W_]+", "", text)


@dataclass(frozen=True)
class ColumnMap:
    """One column of the file: its position, header, and the field it feeds (None: extra)."""

    index: int
    header: str
    field: str | None
    how: str  # map | profile | name | extra | ignored (derived by the book)


@dataclass(frozen=True)
class Mapping_:
    """How a file's columns feed an entity's fields."""

    entity: str
    profile: str | None
    columns: tuple[ColumnMap, ...]

    @property
    def unmatched(self) -> list[str]:
        return [c.header for c in self.columns if c.field is None and c.how == "extra"]

    @property
    def fields(self) -> set[str]:
        return {c.field for c in self.columns if c.field}


def _aliases(entity: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, aliases in FIELDS[entity].items():
        for alias in (name, *aliases):
            out.setdefault(normalise(alias), name)
    return out


def _profile_keys(profile: str, entity: str) -> dict[str, str]:
    return {normalise(h): f for h, f in PROFILES[profile].get(entity, {}).items()}


def detect_profile(headers: Sequence[str], entity: str) -> str | None:
    """The CRM whose export these headers look like (None: a plain file)."""
    # Headers are compared as the CRM spells them ("AccountId", "Record ID"), so a file
    # of plain snake_case names (our own export) is never taken for one of them.
    generic = _aliases(entity)
    seen = {h.strip() for h in headers}
    best, best_hits = None, 0
    for name, per_entity in PROFILES.items():
        keys = per_entity.get(entity, {})
        specific = sum(1 for h in seen if h in keys and generic.get(normalise(h)) != keys[h])
        if specific > best_hits:
            best, best_hits = name, specific
    return best if best_hits >= _MIN_PROFILE_HITS else None


def parse_overrides(items: Sequence[str], entity: str) -> dict[str, str]:
    """``--map "E-mail Address=email"`` options as {normalised header: field}."""
    out: dict[str, str] = {}
    for item in items:
        header, sep, target = item.rpartition("=")
        target = target.strip().lower()
        if not sep or not header.strip():
            raise InvalidInput(
                f"--map {item!r} is not HEADER=FIELD", hint='e.g. --map "E-mail=email"'
            )
        if target != EXTRA and target not in FIELDS[entity]:
            raise InvalidInput(
                f"{entity} has no field {target!r}",
                hint="fields: " + ", ".join([*FIELDS[entity], EXTRA]),
            )
        out[normalise(header)] = target
    return out


def build_mapping(
    headers: Sequence[str],
    entity: str,
    *,
    profile: str | None = None,
    overrides: Mapping[str, str] | None = None,
) -> Mapping_:
    """Match every header to a field: ``--map`` first, then the profile, then the names."""
    if profile is not None:
        profile = profile.strip().lower()
        if profile not in PROFILES:
            raise InvalidInput(
                f"unknown profile {profile!r}", hint="profiles: " + ", ".join(PROFILES)
            )
    else:
        profile = detect_profile(headers, entity)
    generic = _aliases(entity)
    by_profile = _profile_keys(profile, entity) if profile else {}
    overrides = overrides or {}
    taken: set[str] = set()
    columns = []
    for index, header in enumerate(headers):
        key = normalise(header)
        target: str | None
        if key in overrides:
            target, how = overrides[key], "map"
        elif key in by_profile:
            target, how = by_profile[key], "profile"
        elif key in generic:
            target, how = generic[key], "name"
        elif key in DERIVED:
            target, how = None, "ignored"
        else:
            target, how = None, "extra"
        if key == EXTRA and target is None:  # an exported extra object comes back whole
            target, how = EXTRA, "name"
        elif target == EXTRA or (target in taken and target not in _REPEATABLE):
            target, how = None, "extra"
        if target:
            taken.add(target)
        columns.append(ColumnMap(index, header, target, how))
    found = {c.field for c in columns}
    if entity in ("company", "deal", "lead", "contact") and not (
        found & {"name", "first_name", "last_name", "id", "external_id", "email"}
    ):
        raise InvalidInput(
            f"no column of the file names the {entity}",
            hint='map one with --map "Header=name" (see --show-mapping)',
        )
    return Mapping_(entity, profile, tuple(columns))


# Fields several columns may feed (values are joined): a second phone, more tags.
_REPEATABLE = frozenset({"tags", "other_phones", "other_emails", "company"})
