"""Contacts (people at companies): add, list, show, edit, delete, merge, vCard import."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crmcli import clock
from crmcli.errors import InvalidInput, NotFound
from crmcli.services import parties as p
from crmcli.services.book import Book
from crmcli.services.companies import find_or_create_company, repoint
from crmcli.services.dedupe import Duplicate, LikelyDuplicate, check, contact_matches
from crmcli.services.handles import resolve, short
from crmcli.services.records import public
from crmcli.services.tags import add_tags, copy_tags, remove_tags
from crmcli.storage.db import Reader, Row, Writer

FIELDS: dict[str, p.Cleaner] = {
    "name": p.text(300, "name"),
    "email": p.email,
    "phone": p.phone,
    "title": p.text(200, "title"),
    "source": p.text(100, "source"),
    "notes": p.notes,
    "external_id": p.text(200, "external id"),
}
SORT_KEYS = {
    "name": "lower(c.name)",
    "email": "lower(c.email)",
    "company": "lower(co.name)",
    "created": "c.created_at",
    "updated": "c.updated_at",
    "owner": "u.username",
    "title": "lower(c.title)",
}
_SELECT = (
    "SELECT c.*, co.name AS company, u.username AS owner FROM contacts c "
    "LEFT JOIN companies co ON co.id = c.company_id LEFT JOIN users u ON u.id = c.owner_id"
)


def get_contact(reader: Reader, contact_id: str) -> Row:
    """One contact as output sees it (company name, owner username, tags)."""
    row = reader.row(f"{_SELECT} WHERE c.id = ?", (contact_id,))
    if row is None:
        raise NotFound(f"no contact with id {contact_id}", hint="find it with: crm contact list")
    return p.shape(reader, "contacts", [row])[0]


def find_contact(reader: Reader, handle: str) -> Row:
    return resolve(reader, "contact", handle)


def contact_by_email(reader: Reader, address: str) -> Row | None:
    """The live contact with this e-mail address (primary or a further one), if any."""
    matches = contact_matches(reader, name=None, email=address, phone=None, company_id=None)
    return reader.get("contacts", matches[0].id) if matches else None


def company_id_for(w: Writer, handle: str | None, *, owner_id: str | None) -> str | None:
    """The company a handle names; a name that matches none creates that company."""
    if handle is None or not handle.strip():
        return None
    try:
        return str(resolve(w, "company", handle)["id"])
    except NotFound:
        row, _ = find_or_create_company(w, name=handle.strip(), owner_id=owner_id)
        assert row is not None
        return str(row["id"])


def create_contact(
    w: Writer,
    *,
    values: Mapping[str, Any],
    tags: Sequence[str] = (),
    force: bool = False,
) -> Row:
    """Insert a cleaned contact after the duplicate checks (in the caller's transaction)."""
    check(
        contact_matches(
            w,
            name=values.get("name"),
            email=values.get("email"),
            phone=values.get("phone"),
            company_id=values.get("company_id"),
        ),
        entity="contact",
        force=force,
    )
    row = w.insert("contacts", dict(values))
    add_tags(w, "contacts", row["id"], tags)
    return row


def add_contact(
    book: Book,
    *,
    name: str,
    company: str | None = None,
    owner: str | None = None,
    tags: Sequence[str] = (),
    force: bool = False,
    at: datetime | None = None,
    **fields: Any,
) -> Row:
    """Create a contact; ``company`` is a handle (an unknown name creates the company)."""
    values = p.clean_fields(FIELDS, {"name": name, **fields}, required=("name",))
    with book.write(at=at) as w:
        values["owner_id"] = p.owner_id_for(w, owner, default=book.actor["id"])
        values["company_id"] = company_id_for(w, company, owner_id=values["owner_id"])
        row = create_contact(w, values=values, tags=tags, force=force)
        return get_contact(w, row["id"])


def list_contacts(
    book: Book,
    *,
    owner: str | None = None,
    source: str | None = None,
    tags: Sequence[str] = (),
    company: str | None = None,
    search: str | None = None,
    created_from: str | None = None,
    created_to: str | None = None,
    updated_from: str | None = None,
    updated_to: str | None = None,
    sort: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[Row]:
    """Contacts matching every filter given."""
    order, _, _ = p.order_by(sort, SORT_KEYS, "name")
    q = p.Query("c")
    me = p.acting_owner(book, owner)
    with book.read() as r:
        p.common_filters(
            q,
            r,
            "contacts",
            actor_id=me,
            owner=owner,
            source=source,
            tags=tags,
            created_from=created_from,
            created_to=created_to,
            updated_from=updated_from,
            updated_to=updated_to,
        )
        if company:
            q.add("c.company_id = ?", resolve(r, "company", company)["id"])
        p.search_filter(
            q,
            ("c.name", "c.email", "c.other_emails", "c.phone", "c.title", "c.notes", "co.name"),
            search,
        )
        return p.shape(r, "contacts", q.fetch(r, _SELECT, order=order, limit=limit, offset=offset))


def show_contact(book: Book, handle: str) -> dict[str, Any]:
    """A contact with their deals, recent and upcoming activities, and merged records."""
    now = clock.now()
    with book.read() as r:
        contact = get_contact(r, find_contact(r, handle)["id"])
        cid = contact["id"]
        deals = [
            public(d)
            for d in r.rows(
                "SELECT d.id, d.name, d.status, d.amount_milli, d.currency, s.name AS stage, "
                "d.expected_close FROM deals d JOIN stages s ON s.id = d.stage_id "
                "WHERE d.contact_id = ? AND d.deleted_at IS NULL "
                "ORDER BY d.status = 'open' DESC, d.expected_close",
                (cid,),
            )
        ]
        columns = "id, kind, subject, start_at, due_at, done_at"
        upcoming = r.rows(
            f"SELECT {columns} FROM activities WHERE contact_id = ? AND deleted_at IS NULL "
            "AND done_at IS NULL AND coalesce(start_at, due_at) >= ? "
            "ORDER BY coalesce(start_at, due_at) LIMIT 5",
            (cid, now),
        )
        recent = r.rows(
            f"SELECT {columns} FROM activities WHERE contact_id = ? AND deleted_at IS NULL "
            "AND (done_at IS NOT NULL OR start_at < ?) "
            "ORDER BY coalesce(done_at, start_at) DESC LIMIT 10",
            (cid, now),
        )
        merged = r.rows(
            "SELECT id, name, email FROM contacts WHERE merged_into_id = ? ORDER BY name", (cid,)
        )
    return {
        **contact,
        "deals": deals,
        "upcoming_activities": [public(a) for a in upcoming],
        "recent_activities": [public(a) for a in recent],
        "merged_from": [public(m) for m in merged],
    }


def edit_contact(
    book: Book,
    handle: str,
    *,
    company: str | None = None,
    owner: str | None = None,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
    force: bool = False,
    at: datetime | None = None,
    **fields: Any,
) -> Row:
    """Change a contact's fields, company, owner or tags."""
    values = p.clean_fields(FIELDS, fields, required=("name",))
    with book.write(at=at) as w:
        contact = find_contact(w, handle)
        if owner is not None:
            values["owner_id"] = p.owner_id_for(w, owner, default=None)
        if company is not None:
            values["company_id"] = company_id_for(
                w, company, owner_id=contact["owner_id"] or book.actor["id"]
            )
        new = p.changed(values, contact, ("email", "phone"))
        if new:
            check(
                contact_matches(
                    w,
                    name=None,
                    email=new.get("email"),
                    phone=new.get("phone"),
                    company_id=None,
                    exclude_id=contact["id"],
                ),
                entity="contact",
                force=force,
            )
        w.update("contacts", contact["id"], values)
        add_tags(w, "contacts", contact["id"], add)
        remove_tags(w, "contacts", contact["id"], remove)
        return get_contact(w, contact["id"])


def delete_contact(book: Book, handle: str, *, at: datetime | None = None) -> Row:
    """Soft-delete a contact (undo through history)."""
    with book.write(at=at) as w:
        contact = find_contact(w, handle)
        w.delete("contacts", contact["id"])
        return public(contact)


_CONTACT_REFS = (
    ("deals", "contact_id"),
    ("activities", "contact_id"),
    ("leads", "converted_contact_id"),
    ("contacts", "merged_into_id"),
)


def _union(first: str | None, more: Sequence[str], *others: str | None) -> list[str]:
    """Values of ``more`` and ``others`` not equal to ``first``, case-insensitively unique."""
    seen = {first.lower()} if first else set()
    out = []
    for value in [*more, *others]:
        if value and value.lower() not in seen:
            seen.add(value.lower())
            out.append(value)
    return out


def merge_contacts(
    book: Book, keep: str, other: str, *, at: datetime | None = None
) -> dict[str, Any]:
    """Merge ``other`` into ``keep``: deals, activities and tags move over; the other's
    e-mail and phone become the kept contact's further ones; ``other`` is marked merged and
    soft-deleted."""
    with book.write(at=at) as w:
        kept = find_contact(w, keep)
        merged = find_contact(w, other)
        if kept["id"] == merged["id"]:
            raise InvalidInput("cannot merge a contact with itself", hint="name two contacts")
        changes: dict[str, Any] = {
            k: merged[k]
            for k in ("email", "phone", "title", "company_id", "owner_id", "source", "external_id")
            if not kept.get(k) and merged.get(k)
        }
        if merged.get("notes"):
            changes["notes"] = "\n\n".join(n for n in (kept.get("notes"), merged["notes"]) if n)
        primary_email = changes.get("email", kept["email"])
        primary_phone = changes.get("phone", kept["phone"])
        emails = _union(
            primary_email,
            p.decode_list(kept["other_emails"]),
            merged["email"],
            *p.decode_list(merged["other_emails"]),
        )
        phones = _union(
            primary_phone,
            p.decode_list(kept["other_phones"]),
            merged["phone"],
            *p.decode_list(merged["other_phones"]),
        )
        changes["other_emails"] = p.encode_list(emails)
        changes["other_phones"] = p.encode_list(phones)
        moved = repoint(w, _CONTACT_REFS, merged["id"], kept["id"])
        copy_tags(w, "contacts", merged["id"], kept["id"])
        w.update("contacts", merged["id"], {"merged_into_id": kept["id"]})
        w.delete("contacts", merged["id"])
        # After the other is gone, so its e-mail is free to become the kept one's.
        w.update("contacts", kept["id"], changes)
        return {
            "kept": get_contact(w, kept["id"]),
            "merged": {"id": merged["id"], "handle": short(merged["id"]), "name": merged["name"]},
            "moved": moved,
        }


# -- vCard import --------------------------------------------------------------------------


@dataclass
class CardOutcome:
    """What happened to one card of an import."""

    index: int
    name: str
    action: str  # created | updated | unchanged | rejected
    reason: str | None = None
    contact_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "card": self.index,
            "name": self.name,
            "action": self.action,
            "reason": self.reason,
            "id": self.contact_id,
            "handle": short(self.contact_id) if self.contact_id else None,
        }


def _clean_card(card: Mapping[str, Any]) -> dict[str, Any]:
    name = str(card.get("name") or "").strip()
    if not name:
        raise InvalidInput(
            "the card has no name (FN or N)", hint="give each card a name (FN) and import again"
        )
    emails = _union(None, [p.email(e) for e in card.get("emails", []) if str(e).strip()])
    phones = _union(None, [p.phone(t) for t in card.get("phones", []) if str(t).strip()])
    values = p.clean_fields(
        FIELDS,
        {
            "name": name,
            "title": card.get("title") or None,
            "notes": card.get("notes") or None,
        },
    )
    values["email"] = emails[0] if emails else None
    values["phone"] = phones[0] if phones else None
    values["other_emails"] = p.encode_list(emails[1:])
    values["other_phones"] = p.encode_list(phones[1:])
    return values


def _existing_for(w: Writer, card: Mapping[str, Any], values: Mapping[str, Any]) -> Row | None:
    uid = str(card.get("uid") or "").removeprefix("urn:uuid:")
    if uid:
        row = w.row("SELECT * FROM contacts WHERE id = ? AND deleted_at IS NULL", (uid,))
        if row is not None:
            return row
    addresses = [values["email"], *p.decode_list(values["other_emails"])]
    for address in filter(None, addresses):
        row = contact_by_email(w, address)
        if row is not None:
            return row
    if values["phone"]:
        matches = contact_matches(w, name=None, email=None, phone=values["phone"], company_id=None)
        if matches:
            return w.get("contacts", matches[0].id)
    return None


def import_contacts(
    book: Book,
    cards: Sequence[Mapping[str, Any]],
    *,
    dry_run: bool = False,
    force: bool = False,
    strict: bool = False,
    at: datetime | None = None,
) -> dict[str, Any]:
    """Create or update contacts from parsed vCards, matching on UID, then e-mail, then phone.

    A card already in the book updates that contact (fields the card carries win; missing
    ones are kept). A bad or likely-duplicate card is rejected with a reason; ``strict``
    writes nothing when any card is rejected, ``dry_run`` never writes.
    """
    outcomes: list[CardOutcome] = []
    try:
        with book.write(at=at) as w:
            for index, card in enumerate(cards, start=1):
                label = str(card.get("name") or f"card {index}")
                try:
                    outcomes.append(_import_card(w, book, index, card, force=force))
                except InvalidInput as exc:
                    outcomes.append(CardOutcome(index, label, "rejected", exc.message))
            rejected = any(o.action == "rejected" for o in outcomes)
            if dry_run or (strict and rejected):
                raise p.DryRun(None)
    except p.DryRun:
        written = False
    else:
        written = True
    counts = dict.fromkeys(("created", "updated", "unchanged", "rejected"), 0)
    for outcome in outcomes:
        counts[outcome.action] += 1
    return {
        "written": written,
        "dry_run": dry_run,
        **counts,
        "cards": [o.as_dict() for o in outcomes],
    }


def _same(value: str | None) -> str | None:
    return value


def _tidy_phone(value: str | None) -> str | None:
    """A stored number in E.164 when it can be read (older rows may be formatted)."""
    if not value:
        return value
    try:
        return str(p.phone(value))
    except InvalidInput:
        return value


def _import_card(
    w: Writer, book: Book, index: int, card: Mapping[str, Any], *, force: bool
) -> CardOutcome:
    values = _clean_card(card)
    existing = _existing_for(w, card, values)
    owner_id = existing["owner_id"] if existing else book.actor["id"]
    org = str(card.get("org") or "").strip()
    if org:
        values["company_id"] = company_id_for(w, org, owner_id=owner_id)
    tags = list(card.get("tags") or [])
    if existing is None:
        values["owner_id"] = owner_id
        try:
            row = create_contact(w, values=values, tags=tags, force=force)
        except (Duplicate, LikelyDuplicate) as exc:
            raise InvalidInput(
                exc.message, hint="fix that value in the card and import again"
            ) from exc
        return CardOutcome(index, values["name"], "created", contact_id=row["id"])
    changes = {k: v for k, v in values.items() if v is not None}
    # A card is not a full replacement: addresses and numbers it does not mention are kept
    # as further ones, so nothing is lost.
    for key, primary in (("other_emails", "email"), ("other_phones", "phone")):
        tidy = _tidy_phone if primary == "phone" else _same
        new_primary = values[primary] or tidy(existing[primary])
        changes[primary] = new_primary
        changes[key] = p.encode_list(
            _union(
                new_primary,
                p.decode_list(values[key]),
                *[tidy(v) for v in p.decode_list(existing[key])],
                tidy(existing[primary]),
            )
        )
    diff = w.update("contacts", existing["id"], changes)
    added = add_tags(w, "contacts", existing["id"], tags)
    action = "updated" if diff or added else "unchanged"
    return CardOutcome(index, values["name"], action, contact_id=existing["id"])
