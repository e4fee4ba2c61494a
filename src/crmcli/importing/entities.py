"""Row → record, per entity, with the services' own validators and duplicate rules.

Each entity cleans its fields with the service's field cleaners (``FIELDS`` of
``services.contacts`` and friends, ``services.validate``), resolves links in batches
(:mod:`crmcli.importing.links`) and finds duplicate candidates with one query per batch and
rule; :func:`crmcli.services.dedupe.check` then decides, exactly as ``crm contact add``
does. Deals and activities are created through the services' own steps.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from crmcli.errors import InvalidInput, UserError
from crmcli.importing import convert
from crmcli.importing.links import Companies, Owners, rows_where_in
from crmcli.services import parties as p
from crmcli.services.dedupe import NAME_THRESHOLD, Match
from crmcli.storage.db import Row, Writer, dumps


@dataclass
class Context:
    """What one import run shares across batches."""

    owners: Owners
    companies: Companies
    actor_id: str
    dayfirst: bool = False
    decimal_comma: bool = False
    companies_created: int = 0
    cache: dict[str, Any] = field(default_factory=dict)


@dataclass
class Candidate:
    """One row on its way in: its cleaned values, links to resolve, what happens to it."""

    number: int
    cells: list[str]
    values: dict[str, Any] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    existing: Row | None = None
    matches: list[Match] = field(default_factory=list)
    action: str = ""  # created | updated | unchanged | skipped | rejected
    record_id: str | None = None

    @property
    def label(self) -> str:
        return str(self.values.get("name") or self.values.get("subject") or f"row {self.number}")


def split_list(text: str) -> list[str]:
    """A cell holding several values (tags, phones): a JSON list (as exported), else
    values split on ; or ,."""
    if text.startswith("["):
        try:
            items = json.loads(text)
        except ValueError:
            items = None
        if isinstance(items, list):
            return [str(v).strip() for v in items if str(v).strip()]
    sep = ";" if ";" in text else ","
    return [v.strip() for v in text.split(sep) if v.strip()]


BASE_KEYS = {"id": "id", "external_id": "external_id"}


def region_bound(fields: dict[str, p.Cleaner]) -> dict[str, p.Cleaner]:
    """A service's field cleaners with the phone region read once per import (the same
    validator; ``p.phone`` would look the region up in the environment on every row)."""
    from crmcli.services.validate import clean_phone, phone_region

    region = phone_region()

    def phone(value: Any) -> Any:
        text = str(value)
        return clean_phone(text, region=region) if text.strip() else None

    return {key: phone if cleaner is p.phone else cleaner for key, cleaner in fields.items()}


class Entity:
    """How one kind of record is imported."""

    name: ClassVar[str]
    table: ClassVar[str]
    link_fields: ClassVar[frozenset[str]] = frozenset()
    # Fields an update never overwrites with a default (only with what the row says).
    required: ClassVar[tuple[str, ...]] = ("name",)
    # Match reasons that are never created again, whatever --on-duplicate says.
    unique_reasons: ClassVar[frozenset[str]] = frozenset()
    # The table has an ``extra`` column for the columns that match no field.
    keeps_extra: ClassVar[bool] = True

    def __init__(self) -> None:
        self.fields: dict[str, p.Cleaner] = {}
        self.keys: dict[str, str] = dict(BASE_KEYS)

    def clean(self, data: dict[str, str], cand: Candidate, ctx: Context) -> None:
        """Fill ``cand.values``/``links``/``tags`` from the row's mapped cells."""
        plain = {k: v for k, v in data.items() if k in self.fields}
        cand.values.update(p.clean_fields(self.fields, plain, required=self.required))
        for key in self.required:
            if not cand.values.get(key):
                raise InvalidInput(f"{key.replace('_', ' ')} is missing")
        if data.get("id"):
            cand.values["id"] = _uuid(data["id"])
        if data.get("created_at"):
            cand.values["created_at"] = convert.parse_datetime(
                data["created_at"], dayfirst=ctx.dayfirst
            )
        if data.get("owner"):
            cand.values["owner_id"] = ctx.owners.find(data["owner"])
        if data.get("tags"):
            cand.tags = split_list(data["tags"])
        cand.links = {k: v for k, v in data.items() if k in self.link_fields and v}

    def resolve(self, w: Writer, batch: Sequence[Candidate], ctx: Context) -> None:
        """Turn the batch's link texts into ids (errors land on the candidate)."""

    def duplicates(self, w: Writer, batch: Sequence[Candidate]) -> None:
        """Fill ``cand.matches`` from the book (one query per rule for the whole batch)."""

    def batch_keys(self, cand: Candidate) -> list[tuple[str, str]]:
        """(reason, value) pairs that make two rows of one batch the same record."""
        return []

    def fuzzy_key(self, cand: Candidate) -> str | None:
        """Rows with the same fuzzy key are compared by name inside the batch."""
        return None

    def defaults(self, cand: Candidate, ctx: Context) -> None:
        """Values a new record gets when the row does not say (owner, classification)."""
        cand.values.setdefault("owner_id", ctx.actor_id)

    def create(self, w: Writer, batch: Sequence[Candidate], ctx: Context) -> None:
        """Insert the batch's new records (one bulk insert)."""
        # One bulk insert takes one column list: every row gets every column named.
        columns = dict.fromkeys(k for c in batch for k in c.values)
        w.insert_many(self.table, [{k: c.values.get(k) for k in columns} for c in batch])


def _uuid(text: str) -> str:
    import uuid

    try:
        return str(uuid.UUID(text.strip()))
    except ValueError as exc:
        raise InvalidInput(f"id {text!r} is not a UUID") from exc


def _matches(rows: list[Row], reason: str, key: str, index: dict[str, list[Match]]) -> None:
    for row in rows:
        value = row[key]
        if value is not None:
            index.setdefault(str(value).lower(), []).append(Match(row["id"], row["name"], reason))


def name_key(name: str) -> str:
    """A name as the dedupe rule (:func:`dedupe.similar`) compares it: processed by
    rapidfuzz's ``default_process``, words sorted -- token_sort_ratio is the plain ratio of
    these, so a name kept in this form is prepared once, not at every comparison."""
    from rapidfuzz import utils

    return " ".join(sorted(utils.default_process(name).split()))


def _similar_names(
    name: str,
    names: dict[str, str],
    keys: dict[str, str],
    exclude: str | None = None,
    *,
    limit: int | None = 5,
) -> list[Match]:
    """The dedupe rule for names (token-sort ratio ≥ NAME_THRESHOLD) over ``names`` (id ->
    the name as stored), whose :func:`name_key` are ``keys``; best first, in one rapidfuzz
    call."""
    from rapidfuzz import fuzz, process

    choices = keys if exclude not in keys else {k: v for k, v in keys.items() if k != exclude}
    best = process.extract(
        name_key(name),
        choices,
        scorer=fuzz.ratio,
        processor=None,
        score_cutoff=NAME_THRESHOLD - 0.5,  # similar() rounds: 89.5 counts as 90
        limit=limit,
    )
    return [Match(key, names[key], "name", round(score)) for _, score, key in best]


def _name_matches(
    name: str, rows: Sequence[Row] | dict[str, str], exclude: str | None
) -> list[Match]:
    """The dedupe rule's best five among ``rows`` (records, or id -> name)."""
    if not rows:
        return []
    names = rows if isinstance(rows, dict) else {r["id"]: r["name"] for r in rows}
    return _similar_names(name, names, {k: name_key(v) for k, v in names.items()}, exclude)


def in_file_names(name: str, earlier: dict[str, str]) -> list[Match]:
    """Rows earlier in the batch (``{"row N": name}``) whose name the dedupe rule calls
    similar to ``name``: every one of them."""
    keys = {k: name_key(v) for k, v in earlier.items()}
    return _similar_names(name, earlier, keys, limit=None)


# -- companies -----------------------------------------------------------------------------
class CompanyEntity(Entity):
    name = "company"
    table = "companies"

    def __init__(self) -> None:
        from crmcli.services import companies

        self.fields = region_bound(companies.FIELDS)
        self._fill_domain: Callable[[dict[str, Any]], None] = companies._fill_domain
        self.keys = {**BASE_KEYS, "domain": "lower(domain)"}
        self._all_names: dict[str, str] | None = None

    def clean(self, data: dict[str, str], cand: Candidate, ctx: Context) -> None:
        super().clean(data, cand, ctx)
        self._fill_domain(cand.values)

    def defaults(self, cand: Candidate, ctx: Context) -> None:
        super().defaults(cand, ctx)
        cand.values.setdefault("classification", "prospect")

    def duplicates(self, w: Writer, batch: Sequence[Candidate]) -> None:
        domains: dict[str, list[Match]] = {}
        wanted = [c.values.get("domain") for c in batch]
        _matches(
            rows_where_in(w, "companies", "lower(domain)", wanted, columns="id, name, domain"),
            "domain",
            "domain",
            domains,
        )
        if self._all_names is None:  # the name rule compares with every company: load once
            self._all_names = {
                r["id"]: r["name"]
                for r in w.rows("SELECT id, name FROM companies WHERE deleted_at IS NULL")
            }
        from rapidfuzz import fuzz, process, utils

        for cand in batch:
            exclude = cand.existing["id"] if cand.existing else None
            if cand.values.get("domain"):
                cand.matches += [
                    m for m in domains.get(cand.values["domain"], []) if m.id != exclude
                ]
            best = process.extract(
                cand.values["name"],
                self._all_names,
                scorer=fuzz.token_sort_ratio,
                processor=utils.default_process,
                score_cutoff=NAME_THRESHOLD,
                limit=5,
            )
            cand.matches += [
                Match(key, choice, "name", round(score))
                for choice, score, key in best
                if key != exclude
            ]

    def batch_keys(self, cand: Candidate) -> list[tuple[str, str]]:
        domain = cand.values.get("domain")
        return [("domain", domain)] if domain else []

    def fuzzy_key(self, cand: Candidate) -> str | None:
        return ""  # every company name is compared with every other

    def create(self, w: Writer, batch: Sequence[Candidate], ctx: Context) -> None:
        super().create(w, batch, ctx)
        for cand in batch:
            if self._all_names is not None:
                self._all_names[cand.values["id"]] = cand.values["name"]
            ctx.companies.remember(cand.values)


# -- people --------------------------------------------------------------------------------
class _PersonEntity(Entity):
    def clean(self, data: dict[str, str], cand: Candidate, ctx: Context) -> None:
        if not data.get("name") and (data.get("first_name") or data.get("last_name")):
            data["name"] = " ".join(
                v.strip() for v in (data.get("first_name"), data.get("last_name")) if v
            )
        super().clean(data, cand, ctx)

    def batch_keys(self, cand: Candidate) -> list[tuple[str, str]]:
        out = []
        if cand.values.get("email"):
            out.append(("email", str(cand.values["email"]).lower()))
        if cand.values.get("phone"):
            out.append(("phone", str(cand.values["phone"])))
        return out


class ContactEntity(_PersonEntity):
    name = "contact"
    table = "contacts"
    link_fields = frozenset({"company", "company_id", "company_domain", "company_external_id"})

    def __init__(self) -> None:
        from crmcli.services import contacts

        self.fields = region_bound(contacts.FIELDS)
        self.keys = {**BASE_KEYS, "email": "lower(email)"}
        self._other_emails: dict[str, list[Match]] | None = None
        # Names of the contacts at each company a row names, kept across batches (rows of
        # one company tend to recur); bounded, so memory stays flat on any file.
        self._by_company: dict[str, dict[str, str]] = {}
        # the same names as the dedupe rule compares them (rapidfuzz's default_process,
        # words sorted: token_sort_ratio), worked out once per name, not per comparison
        self._processed: dict[str, dict[str, str]] = {}
        self._cached_names = 0

    _MAX_CACHED_NAMES = 200_000

    def _names_at(self, w: Writer, company_ids: Sequence[str | None]) -> dict[str, dict[str, str]]:
        wanted = {c for c in company_ids if c and c not in self._by_company}
        if self._cached_names > self._MAX_CACHED_NAMES:
            self._by_company, self._processed, self._cached_names = {}, {}, 0
            wanted = {c for c in company_ids if c}
        for company_id in wanted:
            self._by_company[company_id] = {}
            self._processed[company_id] = {}
        for row in rows_where_in(
            w, "contacts", "company_id", wanted, columns="id, name, company_id"
        ):
            self._remember(row["company_id"], row["id"], row["name"])
        return self._by_company

    def _remember(self, company_id: str, contact_id: str, name: str) -> None:
        self._by_company[company_id][contact_id] = name
        self._processed[company_id][contact_id] = name_key(name)
        self._cached_names += 1

    def create(self, w: Writer, batch: Sequence[Candidate], ctx: Context) -> None:
        super().create(w, batch, ctx)
        for cand in batch:
            company_id = cand.values.get("company_id") or ""
            if company_id in self._by_company:
                self._remember(company_id, cand.values["id"], cand.values["name"])

    def clean(self, data: dict[str, str], cand: Candidate, ctx: Context) -> None:
        super().clean(data, cand, ctx)
        for key, cleaner in (("other_emails", p.email), ("other_phones", self.fields["phone"])):
            if data.get(key):
                cand.values[key] = p.encode_list([cleaner(v) for v in split_list(data[key])])

    def resolve(self, w: Writer, batch: Sequence[Candidate], ctx: Context) -> None:
        resolve_companies(w, batch, ctx, owner_key="owner_id")

    def duplicates(self, w: Writer, batch: Sequence[Candidate]) -> None:
        emails: dict[str, list[Match]] = {}
        phones: dict[str, list[Match]] = {}
        wanted_emails = [str(c.values["email"]).lower() for c in batch if c.values.get("email")]
        _matches(
            rows_where_in(w, "contacts", "lower(email)", wanted_emails, columns="id, name, email"),
            "email",
            "email",
            emails,
        )
        if self._other_emails is None:  # further addresses: few, so loaded once per import
            self._other_emails = {}
            for row in w.rows(
                "SELECT id, name, other_emails FROM contacts "
                "WHERE deleted_at IS NULL AND other_emails IS NOT NULL"
            ):
                for address in p.decode_list(row["other_emails"]):
                    self._other_emails.setdefault(address.lower(), []).append(
                        Match(row["id"], row["name"], "email")
                    )
        wanted_phones = [c.values.get("phone") for c in batch]
        _matches(
            rows_where_in(w, "contacts", "phone", wanted_phones, columns="id, name, phone"),
            "phone",
            "phone",
            phones,
        )
        by_company = self._names_at(w, [c.values.get("company_id") for c in batch])
        for cand in batch:
            exclude = cand.existing["id"] if cand.existing else None
            found: list[Match] = []
            email = cand.values.get("email")
            if email:
                found += emails.get(email.lower(), []) + self._other_emails.get(email.lower(), [])
            if cand.values.get("phone"):
                found += phones.get(cand.values["phone"], [])
            company_id = cand.values.get("company_id")
            if company_id and by_company.get(company_id):
                found += _similar_names(
                    cand.values["name"],
                    by_company[company_id],
                    self._processed[company_id],
                    exclude,
                )
            cand.matches += [m for m in found if m.id != exclude]

    def fuzzy_key(self, cand: Candidate) -> str | None:
        company = cand.values.get("company_id")
        return str(company) if company else None


def resolve_companies(
    w: Writer, batch: Sequence[Candidate], ctx: Context, *, owner_key: str
) -> None:
    """Link each row to its company: by id, external id, domain, then name; a name that
    matches none creates that company (as ``crm contact add --company`` does)."""
    live = [c for c in batch if c.error is None]
    ctx.companies.load(
        w,
        names=[c.links["company"] for c in live if c.links.get("company")],
        domains=[c.links["company_domain"].lower() for c in live if c.links.get("company_domain")],
        externals=[
            c.links["company_external_id"] for c in live if c.links.get("company_external_id")
        ],
        ids=[c.links["company_id"] for c in live if c.links.get("company_id")],
    )
    known = ctx.companies
    for cand in live:
        links = cand.links
        found = None
        if links.get("company_id") in known.ids:
            found = links["company_id"]
        elif links.get("company_external_id"):
            found = known.by_external.get(links["company_external_id"])
            if found is None:
                cand.error = (
                    f"no company with external id {links['company_external_id']!r} "
                    "(import the companies first)"
                )
                continue
        elif links.get("company_domain") and links["company_domain"].lower() in known.by_domain:
            found = known.by_domain[links["company_domain"].lower()]
        if found is None and links.get("company"):
            name = links["company"].split(";")[0].strip()
            found = known.by_name.get(name.lower())
            if found is None:
                try:
                    from crmcli.services.companies import FIELDS as COMPANY_FIELDS

                    values = p.clean_fields(COMPANY_FIELDS, {"name": name}, required=("name",))
                except UserError as exc:
                    cand.error = exc.message
                    continue
                row = w.insert(
                    "companies",
                    {
                        **values,
                        "classification": "prospect",
                        "owner_id": cand.values.get(owner_key) or ctx.actor_id,
                    },
                )
                known.remember(row)
                ctx.companies_created += 1
                found = row["id"]
        if found is not None:
            cand.values["company_id"] = found


class LeadEntity(_PersonEntity):
    name = "lead"
    table = "leads"

    def __init__(self) -> None:
        from crmcli.services import leads

        self.fields = region_bound(leads.FIELDS)
        self.keys = {**BASE_KEYS, "email": "lower(email)"}
        self._rules: dict[str, Any] | None = None

    def clean(self, data: dict[str, str], cand: Candidate, ctx: Context) -> None:
        super().clean(data, cand, ctx)
        if data.get("status"):
            cand.values["status"] = lead_status(data["status"])

    def defaults(self, cand: Candidate, ctx: Context) -> None:
        super().defaults(cand, ctx)
        cand.values.setdefault("status", "new")

    def duplicates(self, w: Writer, batch: Sequence[Candidate]) -> None:
        alive = "status <> 'converted' AND lower(email)"
        emails: dict[str, list[Match]] = {}
        phones: dict[str, list[Match]] = {}
        _matches(
            rows_where_in(
                w,
                "leads",
                alive,
                [str(c.values.get("email") or "").lower() for c in batch],
                columns="id, name, email",
            ),
            "email",
            "email",
            emails,
        )
        _matches(
            rows_where_in(
                w,
                "leads",
                "status <> 'converted' AND phone",
                [c.values.get("phone") for c in batch],
                columns="id, name, phone",
            ),
            "phone",
            "phone",
            phones,
        )
        by_company: dict[str, list[Row]] = {}
        for row in rows_where_in(
            w,
            "leads",
            "status <> 'converted' AND lower(company_name)",
            [str(c.values.get("company_name") or "").lower() for c in batch],
            columns="id, name, lower(company_name) AS company",
        ):
            by_company.setdefault(row["company"], []).append(row)
        for cand in batch:
            exclude = cand.existing["id"] if cand.existing else None
            found: list[Match] = []
            if cand.values.get("email"):
                found += emails.get(cand.values["email"].lower(), [])
            if cand.values.get("phone"):
                found += phones.get(cand.values["phone"], [])
            company = cand.values.get("company_name")
            if company:
                found += _name_matches(
                    cand.values["name"], by_company.get(company.lower(), []), exclude
                )
            cand.matches += [m for m in found if m.id != exclude]

    def fuzzy_key(self, cand: Candidate) -> str | None:
        company = cand.values.get("company_name")
        return str(company).lower() if company else None

    def create(self, w: Writer, batch: Sequence[Candidate], ctx: Context) -> None:
        from crmcli.services import scoring

        if self._rules is None:
            self._rules = scoring.load_rules(w)
        for cand in batch:
            cand.values["score"] = scoring.score(cand.values, self._rules)
        super().create(w, batch, ctx)


_LEAD_STATUS_WORDS = (
    ("not contacted", "new"),
    ("disqualif", "disqualified"),
    ("unqualif", "disqualified"),
    ("not converted", "disqualified"),
    ("junk", "disqualified"),
    ("lost", "disqualified"),
    ("qualif", "qualified"),
    ("work", "working"),
    ("contact", "working"),
    ("progress", "working"),
    ("new", "new"),
    ("open", "new"),
)


def lead_status(text: str) -> str:
    """A lead status; other CRMs' words are read (``Open - Not Contacted`` → new)."""
    from crmcli.services.leads import STATUSES

    value = text.strip().lower()
    if value in STATUSES and value != "converted":
        return value
    for word, status in _LEAD_STATUS_WORDS:
        if word in value:
            return status
    raise InvalidInput(
        f"unknown lead status {text!r}", hint="new, working, qualified or disqualified"
    )


# -- deals ---------------------------------------------------------------------------------
class DealEntity(Entity):
    name = "deal"
    table = "deals"
    link_fields = frozenset(
        {
            "company",
            "company_id",
            "company_external_id",
            "contact",
            "contact_id",
            "contact_external_id",
            "pipeline",
            "stage",
        }
    )

    def clean(self, data: dict[str, str], cand: Candidate, ctx: Context) -> None:
        from crmcli.services.deals import parse_probability
        from crmcli.services.validate import clean_text

        super().clean(data, cand, ctx)
        values = cand.values
        amount, currency = (
            convert.parse_amount(data["amount"], decimal_comma=ctx.decimal_comma)
            if data.get("amount")
            else (None, None)
        )
        values["amount"] = amount
        if data.get("currency") or currency:
            from crmcli.money import parse_currency

            values["currency"] = parse_currency(data.get("currency") or str(currency))
        if data.get("probability"):
            values["probability"] = parse_probability(data["probability"].strip().rstrip("%"))
        if data.get("expected_close"):
            values["expected_close"] = convert.parse_date(
                data["expected_close"], dayfirst=ctx.dayfirst
            )
        for key, limit in (
            ("name", 300),
            ("source", 100),
            ("next_step", 500),
            ("lost_reason", 100),
            ("competitor", 200),
            ("notes", 20_000),
        ):
            if data.get(key):
                values[key] = (
                    clean_text(
                        data[key],
                        what=key.replace("_", " "),
                        max_length=limit,
                        multiline=key == "notes",
                    )
                    or None
                )
        if data.get("external_id"):
            values["external_id"] = clean_text(
                data["external_id"], what="external id", max_length=200
            )
        if not values.get("name"):
            raise InvalidInput("deal name is missing")
        if values["amount"] is not None and values["amount"] < 0:
            raise InvalidInput("a deal amount cannot be negative")

    required = ()

    def resolve(self, w: Writer, batch: Sequence[Candidate], ctx: Context) -> None:
        from crmcli.services.deals import find_pipeline, stage_in
        from crmcli.services.handles import resolve

        resolve_companies(w, batch, ctx, owner_key="owner_id")
        for cand in batch:
            if cand.error:
                continue
            links = cand.links
            try:
                if links.get("contact_id") or links.get("contact"):
                    handle = links.get("contact_id") or links["contact"]
                    cand.values["contact_id"] = resolve(w, "contact", handle)["id"]
                elif links.get("contact_external_id"):
                    found = w.scalar(
                        "SELECT id FROM contacts WHERE external_id = ? AND deleted_at IS NULL",
                        (links["contact_external_id"],),
                    )
                    if found is None:
                        raise InvalidInput(
                            f"no contact with external id {links['contact_external_id']!r}"
                        )
                    cand.values["contact_id"] = found
                pipeline = find_pipeline(w, links.get("pipeline"))
                cand.values["pipeline_id"] = pipeline["id"]
                if links.get("stage"):
                    cand.values["stage_id"] = stage_in(w, pipeline, links["stage"])["id"]
            except UserError as exc:
                cand.error = exc.message

    def create(self, w: Writer, batch: Sequence[Candidate], ctx: Context) -> None:
        for cand in batch:
            v = cand.values
            try:
                row = self._create_one(w, v)
            except UserError as exc:  # checked before anything is written for this row
                cand.error = exc.message
                continue
            extra = {k: v[k] for k in ("extra", "lost_reason", "competitor") if v.get(k)}
            if extra:
                w.update("deals", row["id"], extra)
            v["id"] = row["id"]

    @staticmethod
    def _create_one(w: Writer, v: dict[str, Any]) -> Row:
        """One deal through the deals service (and its first stage-history row)."""
        from decimal import Decimal

        from crmcli.services.deals import create_deal

        return create_deal(
            w,
            name=v["name"],
            amount=v.get("amount") or Decimal(0),
            currency=v.get("currency") or "EUR",
            owner_id=v.get("owner_id"),
            company_id=v.get("company_id"),
            contact_id=v.get("contact_id"),
            pipeline_id=v.get("pipeline_id"),
            stage_id=v.get("stage_id"),
            probability=v.get("probability"),
            expected_close=v.get("expected_close"),
            source=v.get("source"),
            next_step=v.get("next_step"),
            notes=v.get("notes"),
            external_id=v.get("external_id"),
            record_id=v.get("id"),
            created_at=v.get("created_at"),
        )

    def update_values(self, cand: Candidate) -> dict[str, Any]:
        from crmcli.money import to_milli

        out = {k: v for k, v in cand.values.items() if k not in ("amount", "pipeline_id")}
        if cand.values.get("amount") is not None:
            out["amount_milli"] = to_milli(cand.values["amount"])
        return out


# -- activities ----------------------------------------------------------------------------
_KIND_WORDS = {
    "event": "meeting",
    "to-do": "task",
    "todo": "task",
    "e-mail": "email",
    "phone call": "call",
    "log a call": "call",
}


class ActivityEntity(Entity):
    name = "activity"
    table = "activities"
    required = ()
    link_fields = frozenset(
        {"deal", "deal_id", "contact", "contact_id", "contact_external_id", "company", "company_id"}
    )

    def clean(self, data: dict[str, str], cand: Candidate, ctx: Context) -> None:
        from crmcli.services.activities import _clean, _times
        from crmcli.services.validate import clean_text

        super().clean(data, cand, ctx)
        values = cand.values
        kind = (data.get("kind") or "task").strip().lower()
        values["kind"] = _KIND_WORDS.get(kind, kind)
        values.update(
            _clean(
                data.get("subject") or "",
                data.get("notes"),
                data.get("outcome"),
                data.get("location"),
            )
        )
        times = {}
        for key in ("start_at", "end_at", "due_at", "done_at"):
            if data.get(key):
                times[key] = convert.parse_datetime(data[key], dayfirst=ctx.dayfirst)
        all_day = convert.parse_flag(data.get("all_day") or "", what="all day")
        values.update(start_at=None, end_at=None, all_day=False)
        if "start_at" in times or all_day:
            values.update(
                _times(
                    start=times.get("start_at"),
                    end=times.get("end_at"),
                    duration=None,
                    all_day=all_day,
                )
            )
        values["due_at"] = times.get("due_at")
        values["done_at"] = times.get("done_at")
        if data.get("external_id"):
            values["external_id"] = clean_text(
                data["external_id"], what="external id", max_length=200
            )

    def resolve(self, w: Writer, batch: Sequence[Candidate], ctx: Context) -> None:
        from crmcli.services.activities import _kind, resolve_links

        for cand in batch:
            if cand.error:
                continue
            links = cand.links
            try:
                cand.values["kind"] = _kind(w, cand.values["kind"])
                if cand.values["kind"] == "meeting" and cand.values.get("start_at") is None:
                    raise InvalidInput("a meeting needs a start time")
                contact = links.get("contact_id") or links.get("contact")
                if links.get("contact_external_id") and not contact:
                    contact = w.scalar(
                        "SELECT id FROM contacts WHERE external_id = ? AND deleted_at IS NULL",
                        (links["contact_external_id"],),
                    )
                cand.values.update(
                    resolve_links(
                        w,
                        deal=links.get("deal_id") or links.get("deal"),
                        contact=contact,
                        company=links.get("company_id") or links.get("company"),
                    )
                )
            except UserError as exc:
                cand.error = exc.message

    def create(self, w: Writer, batch: Sequence[Candidate], ctx: Context) -> None:
        from crmcli.services.activities import touch_deal

        super().create(w, batch, ctx)
        for cand in batch:
            v = cand.values
            touch_deal(w, v.get("deal_id"), v.get("done_at") or v.get("start_at"))


# -- products ------------------------------------------------------------------------------
class ProductEntity(Entity):
    """The price book, through the products service's own SKU, price and tax rules."""

    name = "product"
    table = "products"
    unique_reasons = frozenset({"sku"})  # the table is unique on SKU: never created twice

    def __init__(self) -> None:
        super().__init__()
        self.keys = {"id": "id", "sku": "lower(sku)"}

    def clean(self, data: dict[str, str], cand: Candidate, ctx: Context) -> None:
        from crmcli.money import parse_currency
        from crmcli.services.sales.config import setting
        from crmcli.services.sales.products import _price_fields, clean_sku
        from crmcli.services.validate import clean_text

        if data.get("id"):
            cand.values["id"] = _uuid(data["id"])
        if data.get("created_at"):
            cand.values["created_at"] = convert.parse_datetime(
                data["created_at"], dayfirst=ctx.dayfirst
            )
        values = cand.values
        values["sku"] = clean_sku(data.get("sku") or "")
        values["name"] = clean_text(
            data.get("name") or "", what="product name", max_length=300, required=True
        )
        if data.get("description"):
            values["description"] = (
                clean_text(data["description"], what="description", max_length=5000, multiline=True)
                or None
            )
        if data.get("unit"):
            values["unit"] = clean_text(data["unit"], what="unit", max_length=30) or None
        if not data.get("unit_price"):
            raise InvalidInput("the unit price is missing")
        price, symbol = convert.parse_amount(data["unit_price"], decimal_comma=ctx.decimal_comma)
        code = parse_currency(data.get("currency") or symbol or str(setting("currency")))
        tax = (data.get("tax_pct") or "").strip().rstrip("%") or None
        values.update(_price_fields(price, code, tax))
        if data.get("active"):
            values["active"] = convert.parse_flag(data["active"], what="active")
        if data.get("tags"):
            cand.tags = split_list(data["tags"])

    def defaults(self, cand: Candidate, ctx: Context) -> None:
        cand.values.setdefault("tax_pct", "0")
        cand.values.setdefault("active", True)

    def duplicates(self, w: Writer, batch: Sequence[Candidate]) -> None:
        skus: dict[str, list[Match]] = {}
        for row in rows_where_in(
            w,
            "products",
            "lower(sku)",
            [c.values["sku"].lower() for c in batch],
            columns="id, name, sku",
        ):
            skus.setdefault(row["sku"].lower(), []).append(Match(row["id"], row["sku"], "sku"))
        for cand in batch:
            cand.matches += skus.get(cand.values["sku"].lower(), [])

    def batch_keys(self, cand: Candidate) -> list[tuple[str, str]]:
        return [("sku", str(cand.values["sku"]).lower())]


# -- expenses ------------------------------------------------------------------------------
class ExpenseEntity(Entity):
    """Sales expenses against a deal or a company, with the expenses service's rules."""

    name = "expense"
    table = "expenses"
    required = ()
    link_fields = frozenset({"deal", "deal_id", "company", "company_id"})

    def __init__(self) -> None:
        super().__init__()
        self.keys = {"id": "id"}

    def clean(self, data: dict[str, str], cand: Candidate, ctx: Context) -> None:
        from crmcli.money import parse_currency
        from crmcli.services.sales.expenses import parse_category
        from crmcli.services.validate import clean_text

        super().clean(data, cand, ctx)
        values = cand.values
        values["category"] = parse_category(data.get("category") or "other")
        if not data.get("amount"):
            raise InvalidInput("the amount is missing")
        amount, symbol = convert.parse_amount(data["amount"], decimal_comma=ctx.decimal_comma)
        if amount <= 0:
            raise InvalidInput(f"an expense must be more than zero, not {data['amount']}")
        values["amount"] = amount
        code = data.get("currency") or symbol
        values["currency"] = parse_currency(code) if code else None
        values["spent_at"] = (
            convert.parse_datetime(data["spent_at"], dayfirst=ctx.dayfirst)
            if data.get("spent_at")
            else None
        )
        if data.get("note"):
            values["note"] = clean_text(data["note"], what="note", max_length=2000, multiline=True)
        if data.get("owner"):
            values["user_id"] = values.pop("owner_id")
        if (
            not cand.links.get("deal")
            and not cand.links.get("deal_id")
            and not (cand.links.get("company") or cand.links.get("company_id"))
        ):
            raise InvalidInput("an expense needs a deal or a company")

    def resolve(self, w: Writer, batch: Sequence[Candidate], ctx: Context) -> None:
        from crmcli.money import parse_money, to_milli
        from crmcli.services.sales.config import setting
        from crmcli.services.sales.expenses import _target

        for cand in batch:
            if cand.error:
                continue
            links, values = cand.links, cand.values
            try:
                handle = links.get("deal_id") or links.get("deal")
                handle = handle or links.get("company_id") or links.get("company") or ""
                deal_id, company_id = _target(w, handle)
                values["deal_id"], values["company_id"] = deal_id, company_id
                code = values.pop("currency") or (
                    str(w.scalar("SELECT currency FROM deals WHERE id = ?", (deal_id,)))
                    if deal_id
                    else str(setting("currency"))
                )
                values["currency"] = code
                values["amount_milli"] = to_milli(parse_money(values.pop("amount"), currency=code))
            except UserError as exc:
                cand.error = exc.message

    def defaults(self, cand: Candidate, ctx: Context) -> None:
        cand.values.pop("owner_id", None)
        cand.values.setdefault("user_id", ctx.actor_id)
        if cand.values.get("spent_at") is None:
            cand.values.pop("spent_at", None)

    def create(self, w: Writer, batch: Sequence[Candidate], ctx: Context) -> None:
        for cand in batch:
            cand.values["spent_at"] = cand.values.get("spent_at") or w.at
        super().create(w, batch, ctx)


# -- payments ------------------------------------------------------------------------------
_REFUND_WORDS = {"refund": True, "payment": False}


class PaymentEntity(Entity):
    """Money received against an order (found by order number, or by deal: the deal's
    oldest order still owed), through the payments service's balance and overpayment
    rules; a negative amount (or a refund column) is a refund of an earlier payment."""

    name = "payment"
    table = "payments"
    required = ()
    keeps_extra = False  # payments have no extra field: unmatched columns are reported
    link_fields = frozenset({"order", "order_id", "deal", "deal_id", "refund_of", "refund_of_id"})

    def __init__(self) -> None:
        super().__init__()
        self.keys = {"id": "id", "reference": "lower(reference)"}

    def clean(self, data: dict[str, str], cand: Candidate, ctx: Context) -> None:
        from crmcli.money import parse_currency
        from crmcli.services.validate import clean_text

        values = cand.values
        if data.get("id"):
            values["id"] = _uuid(data["id"])
        if data.get("created_at"):
            values["created_at"] = convert.parse_datetime(data["created_at"], dayfirst=ctx.dayfirst)
        if not data.get("amount"):
            raise InvalidInput("the amount is missing")
        amount, symbol = convert.parse_amount(data["amount"], decimal_comma=ctx.decimal_comma)
        flag = (data.get("refund") or "").strip().lower()
        if flag in _REFUND_WORDS:  # an exported list's kind column: payment | refund
            refund = _REFUND_WORDS[flag]
        else:
            refund = convert.parse_flag(flag, what="refund") if flag else False
        if amount == 0:
            raise InvalidInput(f"a payment must be more than zero, not {data['amount']}")
        values["refund"] = refund or amount < 0
        values["amount"] = abs(amount)
        code = data.get("currency") or symbol
        values["currency"] = parse_currency(code) if code else None
        if data.get("paid_at"):
            values["paid_at"] = convert.parse_datetime(data["paid_at"], dayfirst=ctx.dayfirst)
        for key, limit in (("method", 40), ("reference", 200)):
            if data.get(key):
                values[key] = clean_text(data[key], what=key, max_length=limit) or None
        cand.links = {k: v for k, v in data.items() if k in self.link_fields and v}
        if not cand.links:
            raise InvalidInput(
                "a payment needs an order or a deal",
                hint="give an order number or a deal name column (refunds: refund_of)",
            )

    def resolve(self, w: Writer, batch: Sequence[Candidate], ctx: Context) -> None:
        """A row matched to a recorded payment (--key) must say the same money: an import
        never changes what was paid (the balance rules would be bypassed)."""
        from crmcli.money import format_money, parse_money, to_milli
        from crmcli.services.handles import short
        from crmcli.services.sales.config import amount_of

        for cand in batch:
            existing = cand.existing
            if existing is None or existing.get("_lazy"):
                continue
            v = cand.values
            currency = v.get("currency") or existing["currency"]
            try:
                milli = to_milli(parse_money(v["amount"], currency=currency))
            except UserError as exc:
                cand.error = exc.message
                continue
            signed = -milli if v["refund"] else milli
            if currency != existing["currency"] or signed != int(existing["amount_milli"]):
                recorded = format_money(
                    amount_of(int(existing["amount_milli"]), existing["currency"]),
                    existing["currency"],
                )
                cand.error = (
                    f"payment {short(existing['id'])} is recorded as {recorded}; an import "
                    "cannot change what was paid"
                )

    def defaults(self, cand: Candidate, ctx: Context) -> None:
        """Nothing: the order gives the deal and currency, the write time the paid time."""

    def update_values(self, cand: Candidate) -> dict[str, Any]:
        v = cand.values
        return {k: v[k] for k in ("paid_at", "method", "reference") if v.get(k) is not None}

    def create(self, w: Writer, batch: Sequence[Candidate], ctx: Context) -> None:
        # One by one, in file order: each payment changes the balance the next one sees.
        for cand in batch:
            try:
                row = self._create_one(w, cand.values, cand.links)
            except UserError as exc:  # checked before anything is written for this row
                cand.error = exc.message
                continue
            cand.values["id"] = row["id"]

    @staticmethod
    def _create_one(w: Writer, v: dict[str, Any], links: dict[str, str]) -> Row:
        from crmcli.money import parse_money
        from crmcli.services.sales import payments

        own = {k: v[k] for k in ("id", "created_at") if v.get(k)}
        original = None
        refund_of = links.get("refund_of_id") or links.get("refund_of")
        if refund_of:
            original = payments.find_payment(w, refund_of)
            if not original["order_id"]:
                raise InvalidInput("that payment is on no order", hint="refund it with crm")
            order = w.get("orders", original["order_id"])
        else:
            target = (
                links.get("order_id") or links.get("order") or links.get("deal_id") or links["deal"]
            )
            order = payments._order_for(w, target)
        currency = order["currency"]
        if v.get("currency") and v["currency"] != currency:
            raise InvalidInput(
                f"order {order['number']} is in {currency}, the row says {v['currency']}",
                hint="pay an order in its own currency",
            )
        value = parse_money(v["amount"], currency=currency)
        if v["refund"] or original is not None:
            if original is None:
                original = payments.refundable_payment(w, order["id"], value)
            return payments.record_refund(
                w,
                original,
                value,
                reference=v.get("reference"),
                paid_at=v.get("paid_at"),
                values=own,
            )
        row, _ = payments.record_payment(
            w,
            order,
            value,
            method=v.get("method"),
            reference=v.get("reference"),
            paid_at=v.get("paid_at"),
            values=own,
        )
        return row


# -- quotes --------------------------------------------------------------------------------
class QuoteEntity(Entity):
    """Quotes, one row per line: rows with the same number build one draft quote on their
    deal, each line through the quote-lines service (so totals are the service's own)."""

    name = "quote"
    table = "quotes"
    required = ()
    keeps_extra = False  # quotes have no extra field: unmatched columns are reported
    link_fields = frozenset({"deal", "deal_id", "contact"})

    def __init__(self) -> None:
        super().__init__()
        self.keys = {"number": "lower(number)"}
        # number -> quote id, for the quotes this run created; and, with --key number, the
        # signatures of the lines a quote already had (each matches one row at most)
        self._created: dict[str, str] = {}
        self._had: dict[str, list[tuple[Any, ...]]] = {}

    def clean(self, data: dict[str, str], cand: Candidate, ctx: Context) -> None:
        from crmcli.money import parse_currency, parse_percent
        from crmcli.services.sales.quotes import parse_quantity
        from crmcli.services.validate import clean_text

        values = cand.values
        if data.get("number"):
            values["number"] = clean_text(data["number"], what="quote number", max_length=40)
        if data.get("currency"):
            values["currency"] = parse_currency(data["currency"])
        if data.get("valid_until"):
            # A date as given: an imported quote may be past its validity (an old offer).
            values["valid_until"] = convert.parse_date(data["valid_until"], dayfirst=ctx.dayfirst)
        if data.get("quote_discount"):
            values["quote_discount"] = parse_percent(
                data["quote_discount"].strip().rstrip("%"), what="discount"
            )
        if data.get("notes"):
            values["notes"] = clean_text(
                data["notes"], what="notes", max_length=20_000, multiline=True
            )
        if not data.get("sku") and not data.get("description"):
            raise InvalidInput(
                "a quote line needs a product SKU or a description",
                hint="one row per line: a sku or description column, a quantity and a price",
            )
        price = None
        if data.get("unit_price"):
            price, symbol = convert.parse_amount(
                data["unit_price"], decimal_comma=ctx.decimal_comma
            )
            if symbol and not values.get("currency"):
                values["currency"] = parse_currency(symbol)
        kind = (data.get("kind") or "item").strip().lower()
        if kind not in ("item", "charge"):
            raise InvalidInput(f"unknown line kind {data['kind']!r}", hint="item or charge")
        values["line"] = {
            "product": data.get("sku") or None,
            "text": None if data.get("sku") else data.get("description"),
            "price": price,
            "quantity": parse_quantity(data["quantity"]) if data.get("quantity") else None,
            "discount": (data.get("discount") or "").strip().rstrip("%") or None,
            "tax": (data.get("tax") or "").strip().rstrip("%") or None,
            "unit": data.get("unit") or None,
            "charge": kind == "charge",
        }
        cand.links = {k: v for k, v in data.items() if k in self.link_fields and v}

    def resolve(self, w: Writer, batch: Sequence[Candidate], ctx: Context) -> None:
        # A quote found by --key number is reconciled line by line in create().
        for cand in batch:
            if cand.existing is not None:
                cand.values["_quote_id"] = cand.existing["id"]
                cand.existing = None

    def defaults(self, cand: Candidate, ctx: Context) -> None:
        """Nothing: the deal gives the currency and contact, the service the rest."""

    def create(self, w: Writer, batch: Sequence[Candidate], ctx: Context) -> None:
        from crmcli.services.sales.quotes import refresh

        touched: dict[str, None] = {}
        for cand in batch:
            try:
                quote_id = self._add(w, cand)
            except UserError as exc:  # checked before anything is written for this row
                cand.error = exc.message
                continue
            if quote_id is not None:
                touched[quote_id] = None
        for quote_id in touched:
            refresh(w, quote_id)  # the stored total, from the service's formulas

    def _add(self, w: Writer, cand: Candidate) -> str | None:
        """Add the row's line (creating its quote first); None when the quote already had
        that line (a re-import)."""
        from crmcli.services.sales.quote_lines import LineChange, insert_line, line_values
        from crmcli.services.sales.quotes import quote_lines

        v = cand.values
        number = v.get("number")
        key = str(number).lower() if number else None
        quote_id = self._created.get(key) if key else None
        if quote_id is None and v.get("_quote_id"):
            quote_id = v["_quote_id"]
            if key not in self._had:
                self._had[str(key)] = [_line_signature(r) for r in quote_lines(w, quote_id)]
        if quote_id is None:
            quote = self._new_quote(w, v, cand.links)
            quote_id = quote["id"]
            self._created[key or str(quote["number"]).lower()] = quote_id
        quote = w.get("quotes", quote_id)
        if v.get("currency") and v["currency"] != quote["currency"]:
            raise InvalidInput(
                f"quote {quote['number']} is in {quote['currency']}, the row says {v['currency']}",
                hint="give every line of a quote the quote's currency",
            )
        line = line_values(w, quote, LineChange(**v["line"]))
        had = self._had.get(str(key)) if key else None
        if had is not None and _line_signature(line) in had:
            had.remove(_line_signature(line))
            cand.action = "unchanged"
            return None
        cand.values["id"] = insert_line(w, quote, line)["id"]
        return str(quote_id)

    def _new_quote(self, w: Writer, v: dict[str, Any], links: dict[str, str]) -> Row:
        from crmcli import clock
        from crmcli.services.deals import find_deal
        from crmcli.services.sales.quotes import create_quote, parse_validity

        if v.get("number") and rows_where_in(
            w, "quotes", "lower(number)", [str(v["number"]).lower()], columns="id"
        ):
            raise InvalidInput(
                f"quote {v['number']} already exists",
                hint="re-import with --key number to add only the lines it lacks",
            )
        handle = links.get("deal_id") or links.get("deal")
        if not handle:
            raise InvalidInput(
                "a new quote needs a deal", hint="give the quote's first row a deal column"
            )
        today = clock.to_local(w.at).date()
        return create_quote(
            w,
            deal=find_deal(w, handle),
            contact=links.get("contact"),
            currency=v.get("currency"),
            valid_until=v.get("valid_until") or parse_validity(None, today=today),
            discount_pct=v.get("quote_discount"),
            notes=v.get("notes"),
            number=v.get("number"),
        )


def _line_signature(line: Row) -> tuple[Any, ...]:
    """What makes two quote lines the same line (an unchanged re-import)."""
    from crmcli.services.sales.quotes import LINE_FIELDS

    return tuple(str(line.get(k) or "") for k in LINE_FIELDS)


ENTITY_TYPES: dict[str, type[Entity]] = {
    "company": CompanyEntity,
    "contact": ContactEntity,
    "lead": LeadEntity,
    "deal": DealEntity,
    "activity": ActivityEntity,
    "product": ProductEntity,
    "expense": ExpenseEntity,
    "payment": PaymentEntity,
    "quote": QuoteEntity,
}


def extra_json(extra: dict[str, str], old: str | None) -> str | None:
    """The record's ``extra`` object: the stored one with this row's columns over it."""
    merged: dict[str, Any] = json.loads(old) if old else {}
    merged.update(extra)
    return dumps(dict(sorted(merged.items()))) if merged else None
