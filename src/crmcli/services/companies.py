"""Companies (accounts): add, list, the 360° view, edit, delete, merge."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from crmcli import clock
from crmcli.errors import InvalidInput, NotFound
from crmcli.services import parties as p
from crmcli.services.book import Book
from crmcli.services.dedupe import check, company_matches
from crmcli.services.handles import resolve, short
from crmcli.services.history import changes_where
from crmcli.services.records import public
from crmcli.services.tags import add_tags, copy_tags, remove_tags
from crmcli.services.validate import clean_domain
from crmcli.storage.db import Reader, Row, Writer, as_datetime

CLASSIFICATIONS = ("prospect", "target", "key_account")


def clean_classification(value: Any) -> str:
    """prospect, target or key_account (``key-account`` and ``key account`` accepted)."""
    text = str(value).strip().lower().replace("-", "_").replace(" ", "_")
    if text == "key":
        text = "key_account"
    if text not in CLASSIFICATIONS:
        raise InvalidInput(
            f"classification must be prospect, target or key-account, not {value!r}",
            hint="use --class prospect, target or key-account",
        )
    return text


FIELDS: dict[str, p.Cleaner] = {
    "name": p.text(300, "company name"),
    "domain": p.domain,
    "website": p.url,
    "industry": p.text(100, "industry"),
    "size": p.count("size"),
    "classification": clean_classification,
    "territory": p.text(100, "territory"),
    "phone": p.phone,
    "address": p.text(500, "address"),
    "city": p.text(100, "city"),
    "country": p.text(100, "country"),
    "source": p.text(100, "source"),
    "notes": p.notes,
    "external_id": p.text(200, "external id"),
}
SORT_KEYS = {
    "name": "lower(c.name)",
    "created": "c.created_at",
    "updated": "c.updated_at",
    "size": "c.size",
    "class": "c.classification",
    "classification": "c.classification",
    "owner": "u.username",
    "industry": "lower(c.industry)",
}
_SELECT = "SELECT c.*, u.username AS owner FROM companies c LEFT JOIN users u ON u.id = c.owner_id"


def _fill_domain(values: dict[str, Any]) -> None:
    if values.get("website") and not values.get("domain"):
        values["domain"] = clean_domain(values["website"])


def get_company(reader: Reader, company_id: str) -> Row:
    """One company as output sees it (owner username, tags)."""
    row = reader.row(f"{_SELECT} WHERE c.id = ?", (company_id,))
    if row is None:
        raise NotFound(f"no company with id {company_id}", hint="find it with: crm company list")
    return p.shape(reader, "companies", [row])[0]


def find_company(reader: Reader, handle: str) -> Row:
    return resolve(reader, "company", handle)


def add_company(
    book: Book,
    *,
    name: str,
    owner: str | None = None,
    tags: Sequence[str] = (),
    force: bool = False,
    at: datetime | None = None,
    **fields: Any,
) -> Row:
    """Create a company (duplicates by domain or similar name are refused unless forced)."""
    values = p.clean_fields(FIELDS, {"name": name, **fields}, required=("name",))
    _fill_domain(values)
    values.setdefault("classification", "prospect")
    with book.write(at=at) as w:
        values["owner_id"] = p.owner_id_for(w, owner, default=book.actor["id"])
        check(
            company_matches(w, name=values["name"], domain=values.get("domain")),
            entity="company",
            force=force,
        )
        row = w.insert("companies", values)
        add_tags(w, "companies", row["id"], tags)
        return get_company(w, row["id"])


def find_or_create_company(
    w: Writer,
    *,
    name: str | None,
    domain: str | None = None,
    owner_id: str | None = None,
    source: str | None = None,
    size: int | None = None,
    website: str | None = None,
) -> tuple[Row | None, bool]:
    """The company with this domain, else this exact name, else a new one (lead conversion)."""
    if domain:
        row = w.row(
            "SELECT * FROM companies WHERE deleted_at IS NULL AND lower(domain) = lower(?) "
            "ORDER BY created_at LIMIT 1",
            (domain,),
        )
        if row is not None:
            return row, False
    if name:
        row = w.row(
            "SELECT * FROM companies WHERE deleted_at IS NULL AND lower(name) = lower(?) "
            "ORDER BY created_at LIMIT 1",
            (name.strip(),),
        )
        if row is not None:
            if domain and not row["domain"]:
                w.update("companies", row["id"], {"domain": domain})
            return row, False
    if not name:
        return None, False
    values = p.clean_fields(
        FIELDS, {"name": name, "source": source, "size": size, "website": website}
    )
    values.update(domain=domain, owner_id=owner_id, classification="prospect")
    return w.insert("companies", values), True


def list_companies(
    book: Book,
    *,
    owner: str | None = None,
    source: str | None = None,
    tags: Sequence[str] = (),
    classification: str | None = None,
    industry: str | None = None,
    territory: str | None = None,
    search: str | None = None,
    created_from: str | None = None,
    created_to: str | None = None,
    updated_from: str | None = None,
    updated_to: str | None = None,
    sort: str | None = None,
    limit: int | None = None,
    offset: int = 0,
    id_condition: tuple[str, tuple[Any, ...]] | None = None,
) -> list[Row]:
    """Companies matching every filter given.

    ``id_condition`` is SQL on ``c.id`` built by a report (``--segment``: the RFM query).
    """
    order, _, _ = p.order_by(sort, SORT_KEYS, "name")
    q = p.Query("c")
    me = p.acting_owner(book, owner)
    with book.read() as r:
        p.common_filters(
            q,
            r,
            "companies",
            actor_id=me,
            owner=owner,
            source=source,
            tags=tags,
            created_from=created_from,
            created_to=created_to,
            updated_from=updated_from,
            updated_to=updated_to,
        )
        if classification:
            q.add("c.classification = ?", clean_classification(classification))
        if industry:
            q.add("lower(c.industry) = lower(?)", industry.strip())
        if territory:
            q.add("lower(c.territory) = lower(?)", territory.strip())
        p.search_filter(q, ("c.name", "c.domain", "c.notes", "c.city"), search)
        if id_condition is not None:
            q.add(id_condition[0], *id_condition[1])
        return p.shape(r, "companies", q.fetch(r, _SELECT, order=order, limit=limit, offset=offset))


def edit_company(
    book: Book,
    handle: str,
    *,
    owner: str | None = None,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
    force: bool = False,
    at: datetime | None = None,
    **fields: Any,
) -> Row:
    """Change a company's fields, owner or tags."""
    values = p.clean_fields(FIELDS, fields, required=("name",))
    with book.write(at=at) as w:
        company = find_company(w, handle)
        if owner is not None:
            values["owner_id"] = p.owner_id_for(w, owner, default=None)
        if p.changed(values, company, ("domain",)):
            check(
                company_matches(w, name=None, domain=values["domain"], exclude_id=company["id"]),
                entity="company",
                force=force,
            )
        w.update("companies", company["id"], values)
        add_tags(w, "companies", company["id"], add)
        remove_tags(w, "companies", company["id"], remove)
        return get_company(w, company["id"])


def delete_company(book: Book, handle: str, *, at: datetime | None = None) -> Row:
    """Soft-delete a company (its contacts and deals stay; undo through history)."""
    with book.write(at=at) as w:
        company = find_company(w, handle)
        w.delete("companies", company["id"])
        return public(company)


# Foreign keys that point at a company, re-pointed by a merge.
_COMPANY_REFS = (
    ("contacts", "company_id"),
    ("deals", "company_id"),
    ("activities", "company_id"),
    ("leads", "converted_company_id"),
    ("companies", "merged_into_id"),
)


def repoint(w: Writer, refs: Sequence[tuple[str, str]], old_id: str, new_id: str) -> dict[str, int]:
    """Point every live reference to ``old_id`` at ``new_id`` (each change in history)."""
    moved: dict[str, int] = {}
    for table, column in refs:
        ids = [
            r["id"]
            for r in w.rows(
                f"SELECT id FROM {table} WHERE {column} = ? AND deleted_at IS NULL", (old_id,)
            )
        ]
        for record_id in ids:
            w.update(table, record_id, {column: new_id})
        if ids:
            moved[table] = moved.get(table, 0) + len(ids)
    return moved


def merge_companies(
    book: Book, keep: str, other: str, *, at: datetime | None = None
) -> dict[str, Any]:
    """Merge ``other`` into ``keep``: every link moves over, empty fields are filled in."""
    with book.write(at=at) as w:
        kept = find_company(w, keep)
        merged = find_company(w, other)
        if kept["id"] == merged["id"]:
            raise InvalidInput("cannot merge a company with itself", hint="name two companies")
        fills = {
            k: merged[k]
            for k in FIELDS
            if k not in ("name", "notes") and kept.get(k) in (None, "") and merged.get(k)
        }
        if merged.get("notes"):
            fills["notes"] = "\n\n".join(n for n in (kept.get("notes"), merged["notes"]) if n)
        if not kept.get("owner_id") and merged.get("owner_id"):
            fills["owner_id"] = merged["owner_id"]
        w.update("companies", kept["id"], fills)
        moved = repoint(w, _COMPANY_REFS, merged["id"], kept["id"])
        copy_tags(w, "companies", merged["id"], kept["id"])
        w.update("companies", merged["id"], {"merged_into_id": kept["id"]})
        w.delete("companies", merged["id"])
        return {
            "kept": get_company(w, kept["id"]),
            "merged": {"id": merged["id"], "handle": short(merged["id"]), "name": merged["name"]},
            "moved": moved,
        }


# -- the 360° view -------------------------------------------------------------------------


def _totals(deals: Sequence[Row]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for status in ("open", "won", "lost"):
        chosen = [d for d in deals if d["status"] == status]
        amounts: dict[str, Decimal] = {}
        for d in chosen:
            amounts[d["currency"]] = amounts.get(d["currency"], Decimal("0.00")) + d["amount"]
        out[status] = {"count": len(chosen), "amounts": amounts}
    return out


def _activity(row: Row | None) -> Row | None:
    if row is None:
        return None
    item = public(row)
    item["when"] = as_datetime(row.get("done_at") or row.get("start_at") or row.get("due_at"))
    return item


def show_company(book: Book, handle: str, *, history: int = 10) -> dict[str, Any]:
    """Everything about a company: contacts, deals and totals, quotes, activities, payments,
    orders, balance, expenses, recent history."""
    from crmcli.services.sales.summary import company_sales

    now = clock.now()
    with book.read() as r:
        company = get_company(r, find_company(r, handle)["id"])
        cid = company["id"]
        contacts = r.rows(
            "SELECT c.id, c.name, c.email, c.phone, c.title, u.username AS owner "
            "FROM contacts c LEFT JOIN users u ON u.id = c.owner_id "
            "WHERE c.company_id = ? AND c.deleted_at IS NULL ORDER BY lower(c.name)",
            (cid,),
        )
        deals = [
            public(d)
            for d in r.rows(
                "SELECT d.id, d.name, d.status, d.amount_milli, d.currency, s.name AS stage, "
                "u.username AS owner, d.expected_close, d.closed_at, d.lost_reason "
                "FROM deals d JOIN stages s ON s.id = d.stage_id "
                "LEFT JOIN users u ON u.id = d.owner_id "
                "WHERE d.company_id = ? AND d.deleted_at IS NULL "
                "ORDER BY d.status = 'open' DESC, d.expected_close, d.closed_at DESC",
                (cid,),
            )
        ]
        quotes = [
            public(q)
            for q in r.rows(
                "SELECT q.id, q.number, q.version, q.status, q.total_milli, q.currency, "
                "q.valid_until, d.name AS deal FROM quotes q JOIN deals d ON d.id = q.deal_id "
                "WHERE d.company_id = ? AND q.deleted_at IS NULL AND d.deleted_at IS NULL "
                "ORDER BY q.number, q.version",
                (cid,),
            )
        ]
        payments = [
            public(pay)
            for pay in r.rows(
                "SELECT pay.id, pay.paid_at, pay.amount_milli, pay.currency, pay.method, "
                "pay.reference, d.name AS deal FROM payments pay "
                "JOIN deals d ON d.id = pay.deal_id WHERE d.company_id = ? "
                "AND pay.deleted_at IS NULL AND d.deleted_at IS NULL ORDER BY pay.paid_at",
                (cid,),
            )
        ]
        # The company's activities as an id set built from three indexed lookups, materialised
        # first: with OR-ed conditions the planner walks every open activity instead.
        linked = (
            "WITH linked AS MATERIALIZED ("
            "SELECT id FROM activities WHERE company_id = ? "
            "UNION SELECT id FROM activities "
            "WHERE contact_id IN (SELECT id FROM contacts WHERE company_id = ?) "
            "UNION SELECT id FROM activities "
            "WHERE deal_id IN (SELECT id FROM deals WHERE company_id = ?)) "
            "SELECT a.id, a.kind, a.subject, a.start_at, a.due_at, a.done_at "
            "FROM linked JOIN activities a ON a.id = linked.id WHERE a.deleted_at IS NULL"
        )
        upcoming = r.row(
            f"{linked} AND a.done_at IS NULL AND coalesce(a.start_at, a.due_at) >= ? "
            "ORDER BY coalesce(a.start_at, a.due_at) LIMIT 1",
            (cid, cid, cid, now),
        )
        last = r.row(
            f"{linked} AND (a.done_at IS NOT NULL OR a.start_at < ?) "
            "ORDER BY coalesce(a.done_at, a.start_at) DESC LIMIT 1",
            (cid, cid, cid, now),
        )
        recent = changes_where(
            r,
            "(entity = 'companies' AND record_id = ?) OR (entity = 'contacts' AND record_id "
            "IN (SELECT id FROM contacts WHERE company_id = ?)) OR (entity = 'deals' AND "
            "record_id IN (SELECT id FROM deals WHERE company_id = ?))",
            (cid, cid, cid),
            limit=history,
        )
        sales = company_sales(r, cid)  # orders, balance, expenses
    paid: dict[str, Decimal] = {}
    for pay in payments:
        paid[pay["currency"]] = paid.get(pay["currency"], Decimal("0.00")) + pay["amount"]
    return {
        **company,
        "contacts": [public(c) for c in contacts],
        "deals": deals,
        "totals": {**_totals(deals), "paid": paid},
        "quotes": quotes,
        "next_activity": _activity(upcoming),
        "last_activity": _activity(last),
        "payments": payments,
        **sales,
        "history": recent,
    }
