"""Leads: capture, dedupe, score, assign, qualify/disqualify, and convert in one step.

Status flow: new → working → qualified / disqualified (with a reason) → converted.
Converted is final; a disqualified lead must be qualified again before it is converted.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from crmcli.errors import InvalidInput, NotFound
from crmcli.services import parties as p
from crmcli.services import scoring
from crmcli.services.book import Book
from crmcli.services.companies import find_or_create_company, get_company
from crmcli.services.contacts import contact_by_email, create_contact, get_contact
from crmcli.services.dedupe import check, lead_matches
from crmcli.services.handles import resolve, short
from crmcli.services.records import public
from crmcli.services.tags import add_tags, copy_tags, remove_tags
from crmcli.services.users import find_owner
from crmcli.services.validate import clean_domain, clean_text
from crmcli.storage.db import Reader, Row, Writer

STATUSES = ("new", "working", "qualified", "disqualified", "converted")
OPEN_STATUSES = ("new", "working", "qualified")
# Addresses at these domains say nothing about the lead's company.
FREE_MAIL = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "hotmail.com",
        "outlook.com",
        "live.com",
        "msn.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "proton.me",
        "protonmail.com",
        "mail.com",
        "yandex.ru",
    }
)

FIELDS: dict[str, p.Cleaner] = {
    "name": p.text(300, "name"),
    "email": p.email,
    "phone": p.phone,
    "title": p.text(200, "title"),
    "company_name": p.text(300, "company"),
    "company_size": p.count("company size"),
    "website": p.url,
    "source": p.text(100, "source"),
    "notes": p.notes,
    "external_id": p.text(200, "external id"),
}
SORT_KEYS = {
    "name": "lower(l.name)",
    "created": "l.created_at",
    "updated": "l.updated_at",
    "status": "l.status",
    "company": "lower(l.company_name)",
    "owner": "u.username",
    "source": "lower(l.source)",
    "score": "l.score",  # re-sorted by the live score after the query
}
_SELECT = "SELECT l.*, u.username AS owner FROM leads l LEFT JOIN users u ON u.id = l.owner_id"
_CHUNK = 500  # ids per IN (...) list


def find_lead(reader: Reader, handle: str) -> Row:
    return resolve(reader, "lead", handle)


def _shape(reader: Reader, rows: list[Row]) -> list[Row]:
    live = scoring.live_scores(reader, rows)
    out = p.shape(reader, "leads", rows)
    for item in out:
        item["score"] = live[item["id"]]
    return out


def _leads(reader: Reader, ids: Sequence[str]) -> list[Row]:
    """Leads by id, in the order given, as output sees them: one query per 500, not per lead."""
    found: dict[str, Row] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        for row in reader.rows(f"{_SELECT} WHERE l.id IN ({', '.join('?' * len(chunk))})", chunk):
            found[row["id"]] = row
    return _shape(reader, [found[i] for i in ids if i in found])


def get_lead(reader: Reader, lead_id: str) -> Row:
    """One lead as output sees it (live score, owner username, tags)."""
    rows = _leads(reader, [lead_id])
    if not rows:
        raise NotFound(f"no lead with id {lead_id}", hint="find it with: crm lead list")
    return rows[0]


def _status(value: str, *, allowed: Sequence[str]) -> str:
    status = value.strip().lower()
    if status not in allowed:
        raise InvalidInput(
            f"status must be one of {', '.join(allowed)}, not {value!r}",
            hint="disqualify with: crm lead disqualify HANDLE --reason …; "
            "convert with: crm lead convert HANDLE",
        )
    return status


def _rescore(w: Writer, lead_id: str) -> None:
    """Store the lead's current score (kept for readers that do not compute it)."""
    lead = w.get("leads", lead_id)
    current = scoring.live_scores(w, [lead])[lead_id]
    w.update("leads", lead_id, {"score": current})


def add_lead(
    book: Book,
    *,
    name: str,
    owner: str | None = None,
    status: str | None = None,
    tags: Sequence[str] = (),
    force: bool = False,
    at: datetime | None = None,
    **fields: Any,
) -> Row:
    """Capture a lead (duplicates by e-mail, phone or a similar name at the same company are
    refused unless forced)."""
    values = p.clean_fields(FIELDS, {"name": name, **fields}, required=("name",))
    values["status"] = _status(status or "new", allowed=OPEN_STATUSES)
    with book.write(at=at) as w:
        values["owner_id"] = p.owner_id_for(w, owner, default=book.actor["id"])
        check(
            lead_matches(
                w,
                name=values["name"],
                email=values.get("email"),
                phone=values.get("phone"),
                company_name=values.get("company_name"),
            ),
            entity="lead",
            force=force,
        )
        values["score"] = scoring.score(values, scoring.load_rules(w))
        row = w.insert("leads", values)
        add_tags(w, "leads", row["id"], tags)
        return get_lead(w, row["id"])


def _statuses(status: str | None) -> tuple[str, ...] | None:
    if status is None:
        return OPEN_STATUSES
    if status.strip().lower() == "all":
        return None
    return tuple(_status(s, allowed=STATUSES) for s in status.split(",") if s.strip())


def list_leads(
    book: Book,
    *,
    status: str | None = None,
    owner: str | None = None,
    source: str | None = None,
    tags: Sequence[str] = (),
    search: str | None = None,
    min_score: int | None = None,
    created_from: str | None = None,
    created_to: str | None = None,
    updated_from: str | None = None,
    updated_to: str | None = None,
    sort: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[Row]:
    """Leads matching every filter (open ones unless a status or ``all`` is asked for)."""
    order, key, descending = p.order_by(sort, SORT_KEYS, "-created")
    in_python = key == "score" or min_score is not None
    q = p.Query("l")
    me = p.acting_owner(book, owner)
    with book.read() as r:
        p.common_filters(
            q,
            r,
            "leads",
            actor_id=me,
            owner=owner,
            source=source,
            tags=tags,
            created_from=created_from,
            created_to=created_to,
            updated_from=updated_from,
            updated_to=updated_to,
        )
        wanted = _statuses(status)
        if wanted:
            q.add(f"l.status IN ({', '.join('?' * len(wanted))})", *wanted)
        p.search_filter(q, ("l.name", "l.email", "l.company_name", "l.title", "l.notes"), search)
        if not in_python:
            return _shape(r, q.fetch(r, _SELECT, order=order, limit=limit, offset=offset))
        # Scores change with activity recency, so they are computed, not read: score every
        # match from the few columns the rules use, then load and shape only the survivors.
        # Driver rows as they come (no dict per row): 20,000 of them on a large book.
        candidates = r.execute(
            f"SELECT l.id, {', '.join(scoring.SCORED_FIELDS)} FROM leads l "
            f"LEFT JOIN users u ON u.id = l.owner_id WHERE {q.sql} ORDER BY {order}, l.id",
            q.params,
        ).fetchall()
        live = scoring.live_scores(r, candidates)
        if min_score is not None:
            candidates = [c for c in candidates if live[c["id"]] >= min_score]
        if key == "score":
            candidates.sort(key=lambda c: live[c["id"]], reverse=descending)
        page = candidates[offset : offset + limit] if limit else candidates[offset:]
        return _leads(r, [c["id"] for c in page])


def show_lead(book: Book, handle: str) -> dict[str, Any]:
    """A lead with its score breakdown and activities."""
    with book.read() as r:
        raw = find_lead(r, handle)
        lead = get_lead(r, raw["id"])
        last = scoring.last_activities(r, [lead["id"]]).get(lead["id"])
        parts = scoring.breakdown(raw, scoring.load_rules(r), last_activity_at=last)
        activities = r.rows(
            "SELECT id, kind, subject, start_at, due_at, done_at FROM activities "
            "WHERE lead_id = ? AND deleted_at IS NULL "
            "ORDER BY coalesce(done_at, start_at, due_at) DESC LIMIT 20",
            (lead["id"],),
        )
    return {
        **lead,
        "last_activity_at": last,
        "score_breakdown": [{"rule": rule, "points": points} for rule, points in parts],
        "activities": [public(a) for a in activities],
    }


def edit_lead(
    book: Book,
    handle: str,
    *,
    owner: str | None = None,
    status: str | None = None,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
    force: bool = False,
    at: datetime | None = None,
    **fields: Any,
) -> Row:
    """Change a lead's fields, status (new/working/qualified), owner or tags."""
    values = p.clean_fields(FIELDS, fields, required=("name",))
    with book.write(at=at) as w:
        lead = find_lead(w, handle)
        if lead["status"] == "converted" and (values or status):
            raise InvalidInput(
                f"lead {lead['name']!r} was converted; edit its contact instead",
                hint=f"crm contact edit {short(lead['converted_contact_id'] or '')}",
            )
        if status is not None:
            values["status"] = _status(status, allowed=OPEN_STATUSES)
            values["disqualify_reason"] = None
        if owner is not None:
            values["owner_id"] = p.owner_id_for(w, owner, default=None)
        changed = p.changed(values, lead, ("email", "phone"))
        if changed:
            check(
                lead_matches(
                    w,
                    name=None,
                    email=changed.get("email"),
                    phone=changed.get("phone"),
                    company_name=None,
                    exclude_id=lead["id"],
                ),
                entity="lead",
                force=force,
            )
        w.update("leads", lead["id"], values)
        add_tags(w, "leads", lead["id"], add)
        remove_tags(w, "leads", lead["id"], remove)
        _rescore(w, lead["id"])
        return get_lead(w, lead["id"])


def delete_lead(book: Book, handle: str, *, at: datetime | None = None) -> Row:
    """Soft-delete a lead (undo through history)."""
    with book.write(at=at) as w:
        lead = find_lead(w, handle)
        w.delete("leads", lead["id"])
        return public(lead)


def _open_lead(lead: Row) -> None:
    if lead["status"] == "converted":
        raise InvalidInput(
            f"lead {lead['name']!r} was already converted",
            hint=f"see: crm contact show {short(lead['converted_contact_id'] or '')}",
        )


def qualify_lead(book: Book, handle: str, *, at: datetime | None = None) -> Row:
    """Mark a lead qualified (also a disqualified one, which clears its reason)."""
    with book.write(at=at) as w:
        lead = find_lead(w, handle)
        _open_lead(lead)
        w.update("leads", lead["id"], {"status": "qualified", "disqualify_reason": None})
        return get_lead(w, lead["id"])


def disqualify_lead(book: Book, handle: str, *, reason: str, at: datetime | None = None) -> Row:
    """Mark a lead disqualified, with the reason why."""
    why = clean_text(reason, what="reason", max_length=200, required=True)
    with book.write(at=at) as w:
        lead = find_lead(w, handle)
        _open_lead(lead)
        w.update("leads", lead["id"], {"status": "disqualified", "disqualify_reason": why})
        return get_lead(w, lead["id"])


def assign_leads(
    book: Book,
    handles: Sequence[str],
    *,
    to: str | None = None,
    team: str | None = None,
    status: str | None = None,
    source: str | None = None,
    unassigned: bool = False,
    at: datetime | None = None,
) -> list[Row]:
    """Give leads to one rep (``to``) or round-robin over a team's active reps.

    Without handles, the leads are the open ones matching ``status`` (default: new),
    ``source`` and ``unassigned``. The round robin continues where the last one for that
    team stopped (remembered in ``meta``), so repeated runs stay fair.
    """
    if (to is None) == (team is None):
        raise InvalidInput("name a rep (--to REP) or a team (--round-robin --team TEAM)")
    with book.write(at=at) as w:
        if handles:
            leads = [find_lead(w, h) for h in handles]
        else:
            q = p.Query("l")
            wanted = _statuses(status or "new") or STATUSES
            q.add(f"l.status IN ({', '.join('?' * len(wanted))})", *wanted)
            if source:
                q.add("lower(l.source) = lower(?)", source.strip())
            if unassigned:
                q.add("l.owner_id IS NULL")
            leads = w.rows(f"SELECT l.* FROM leads l WHERE {q.sql} ORDER BY l.created_at", q.params)
        for lead in leads:
            _open_lead(lead)
        if to is not None:
            reps = [find_owner(w, to)]
        else:
            assert team is not None
            reps = w.rows(
                "SELECT id, username FROM users WHERE lower(team) = lower(?) AND active = ? "
                "AND deleted_at IS NULL ORDER BY username",
                (team.strip(), True),
            )
            if not reps:
                raise InvalidInput(
                    f"team {team!r} has no active reps", hint="see: crm user list --all"
                )
        key = f"round_robin:{(team or '').strip().lower()}"
        last = w.meta(key) if team else None
        names = [r["username"] for r in reps]
        start = (names.index(last) + 1) % len(reps) if last in names else 0
        for i, lead in enumerate(leads):
            rep = reps[(start + i) % len(reps)]
            w.update("leads", lead["id"], {"owner_id": rep["id"]})
        if team and leads:
            w.set_meta(key, reps[(start + len(leads) - 1) % len(reps)]["username"])
        return _leads(w, [lead["id"] for lead in leads])


def lead_domain(lead: Row) -> str | None:
    """The company domain a lead points at: its website, else its (non-free-mail) e-mail."""
    for source in (lead.get("website"), lead.get("email")):
        if not source:
            continue
        try:
            domain = clean_domain(source)
        except InvalidInput:
            continue
        if domain not in FREE_MAIL:
            return domain
    return None


def convert_lead(
    book: Book,
    handle: str,
    *,
    deal: str | None = None,
    amount: Decimal | None = None,
    currency: str | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """Turn a lead into company + contact (+ deal) in one transaction.

    The company is reused when one has the lead's domain (website, else e-mail domain) or
    exactly its company name; the contact is reused when one has its e-mail. A deal is
    made (first stage of the default pipeline) when ``deal`` or ``amount`` is given. The
    lead's activities are linked to the new records; the lead is marked converted.
    """
    from crmcli.services.deals import create_deal

    with book.write(at=at) as w:
        lead = find_lead(w, handle)
        _open_lead(lead)
        if lead["status"] == "disqualified":
            raise InvalidInput(
                f"lead {lead['name']!r} is disqualified ({lead['disqualify_reason']})",
                hint=f"qualify it first: crm lead qualify {short(lead['id'])}",
            )
        owner_id = lead["owner_id"]
        company, company_created = find_or_create_company(
            w,
            name=lead["company_name"],
            domain=lead_domain(lead),
            owner_id=owner_id,
            source=lead["source"],
            size=lead["company_size"],
            website=lead["website"],
        )
        company_id = company["id"] if company else None
        # Also a contact's further address: a new contact with it would be a duplicate.
        contact = contact_by_email(w, lead["email"]) if lead["email"] else None
        contact_created = contact is None
        if contact is None:
            contact = create_contact(
                w,
                values={
                    "name": lead["name"],
                    "email": lead["email"],
                    "phone": lead["phone"],
                    "title": lead["title"],
                    "company_id": company_id,
                    "owner_id": owner_id,
                    "source": lead["source"],
                    "notes": lead["notes"],
                },
                force=True,  # the e-mail was matched above; a shared phone is fine here
            )
        else:
            fills = {
                k: v
                for k, v in (
                    ("company_id", company_id),
                    ("phone", lead["phone"]),
                    ("title", lead["title"]),
                )
                if v and not contact[k]
            }
            w.update("contacts", contact["id"], fills)
        copy_tags(w, "leads", lead["id"], contact["id"], to_table="contacts")
        deal_row = None
        if deal is not None or amount is not None:
            deal_row = create_deal(
                w,
                name=deal or (company["name"] if company else lead["name"]),
                amount=amount if amount is not None else Decimal("0"),
                currency=currency or "EUR",
                owner_id=owner_id,
                company_id=company_id,
                contact_id=contact["id"],
                lead_id=lead["id"],
                source=lead["source"],
            )
        activities = w.rows(
            "SELECT id, contact_id, company_id, deal_id FROM activities "
            "WHERE lead_id = ? AND deleted_at IS NULL",
            (lead["id"],),
        )
        for activity in activities:
            links = {"contact_id": contact["id"], "company_id": company_id}
            if deal_row is not None:
                links["deal_id"] = deal_row["id"]
            w.update(
                "activities",
                activity["id"],
                {k: v for k, v in links.items() if v and not activity[k]},
            )
        w.update(
            "leads",
            lead["id"],
            {
                "status": "converted",
                "converted_at": w.at,
                "converted_company_id": company_id,
                "converted_contact_id": contact["id"],
                "converted_deal_id": deal_row["id"] if deal_row else None,
            },
        )
        return {
            "lead": get_lead(w, lead["id"]),
            "company": get_company(w, company_id) if company_id else None,
            "company_created": company_created,
            "contact": get_contact(w, contact["id"]),
            "contact_created": contact_created,
            "deal": public(w.get("deals", deal_row["id"])) if deal_row else None,
            "activities_linked": len(activities),
        }


# -- scoring rules -------------------------------------------------------------------------


def scoring_rules(book: Book) -> dict[str, Any]:
    """The lead-scoring rules in force (stored, else the defaults)."""
    with book.read() as r:
        return scoring.load_rules(r)


def set_scoring_rules(book: Book, rules: Any | None) -> dict[str, Any]:
    """Store new rules (None: back to the defaults) and rescore every open lead."""
    cleaned = None if rules is None else scoring.validate_rules(rules)
    with book.write() as w:
        if cleaned is None:
            w.execute("DELETE FROM meta WHERE key = ?", (scoring.META_KEY,))
        else:
            w.set_meta(scoring.META_KEY, json.dumps(cleaned, sort_keys=True))
        leads = w.rows(
            "SELECT * FROM leads WHERE deleted_at IS NULL AND status IN (?, ?, ?)",
            OPEN_STATUSES,
        )
        scores = scoring.live_scores(w, leads)
        changed = 0
        for lead in leads:
            if w.update("leads", lead["id"], {"score": scores[lead["id"]]}):
                changed += 1
        return {"rules": scoring.load_rules(w), "rescored": changed}
