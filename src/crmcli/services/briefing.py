"""``crm brief``: everything to know before meeting a contact, company, lead or deal.

Built from the services that own each piece (handles, contacts/companies/leads/deals,
agenda labels, the history query); this module only decides what concerns the subject.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from crmcli import clock
from crmcli.errors import Ambiguous, InvalidInput, NotFound
from crmcli.services.agenda import between, with_labels
from crmcli.services.book import Book
from crmcli.services.handles import ENTITIES, resolve, short
from crmcli.services.history import changes_where
from crmcli.services.records import public
from crmcli.storage.db import Reader, Row, as_datetime

BRIEF_TYPES = ("contact", "company", "lead", "deal")
_ID_PREFIX = re.compile(r"^[0-9a-f][0-9a-f-]{3,35}$")  # what handles.resolve takes as an id
LAST_INTERACTIONS = 5
OPEN_TASKS = 10
RECENT_CHANGES = 8
NEXT_MEETING_DAYS = 366  # how far ahead the next meeting is looked for
_ACTIVITY_COLUMNS = (
    "id, kind, subject, start_at, end_at, due_at, done_at, outcome, location, owner_id, "
    "deal_id, contact_id, company_id, lead_id, rrule"
)


@dataclass(frozen=True)
class DealSummary:
    """An open deal as a briefing shows it."""

    id: str
    handle: str
    name: str
    stage: str
    amount: Decimal | None
    currency: str
    days_in_stage: int | None
    idle_days: int | None
    rotting: bool
    expected_close: Any
    next_step: str | None
    owner: str | None


@dataclass(frozen=True)
class Interaction:
    """An activity: done (an interaction) or to do (a task, the next meeting)."""

    id: str
    handle: str
    kind: str
    subject: str
    when: datetime | None
    done: bool
    outcome: str | None
    owner: str | None
    deal: str | None
    contact: str | None


@dataclass(frozen=True)
class QuoteSummary:
    """A quote on one of the subject's deals."""

    id: str
    handle: str
    number: str
    version: int
    status: str
    total: Decimal | None
    currency: str
    valid_until: Any
    deal: str | None


@dataclass(frozen=True)
class Briefing:
    """What ``crm brief`` shows: the subject, its company, deals, interactions, money, changes."""

    type: str
    id: str
    handle: str
    name: str
    profile: Mapping[str, Any]
    company: Mapping[str, Any] | None
    open_deals: tuple[DealSummary, ...]
    last_interactions: tuple[Interaction, ...]
    open_tasks: tuple[Interaction, ...]
    next_meeting: Interaction | None
    quotes: tuple[QuoteSummary, ...]
    open_balance: Mapping[str, Decimal]  # currency -> ordered but not yet paid
    recent_changes: tuple[Mapping[str, Any], ...]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def find_subject(reader: Reader, handle: str, *, kind: str | None = None) -> tuple[str, Row]:
    """The contact, company, lead or deal ``handle`` names (one of them, or Ambiguous)."""
    if kind is not None and kind not in BRIEF_TYPES:
        raise InvalidInput(f"cannot brief a {kind}", hint=f"one of: {', '.join(BRIEF_TYPES)}")
    kinds = (kind,) if kind else BRIEF_TYPES
    exact = _exact_subject(reader, handle, kinds)
    if exact is not None:
        return exact
    found: list[tuple[str, Row]] = []
    candidates: list[str] = []
    for name in kinds:
        try:
            found.append((name, resolve(reader, name, handle)))
        except NotFound:
            continue
        except Ambiguous as exc:
            candidates += [f"{name} {c}" for c in exc.candidates]
    if len(found) == 1 and not candidates:
        return found[0]
    if not found and not candidates:
        raise NotFound(
            f"no contact, company, lead or deal matches {handle!r}",
            hint=f"try: crm search {handle.strip()!r}",
        )
    candidates += [f"{n} {short(r['id'])}  {ENTITIES[n].label(r)}" for n, r in found]
    raise Ambiguous("record", handle, candidates)


def _exact_subject(reader: Reader, handle: str, kinds: Sequence[str]) -> tuple[str, Row] | None:
    """The one record whose id prefix, e-mail or whole name is ``handle``, by indexed lookups.

    Most briefs name their subject exactly; this spares the four substring scans (and the
    fuzzy "did you mean" of each kind that does not match) of resolving it kind by kind.
    """
    text = handle.strip().lower()
    if not text:
        return None
    matches: list[tuple[str, str]] = []
    for name in kinds:
        spec = ENTITIES[name]
        if _ID_PREFIX.match(text):
            clause, args = reader.prefix_clause("id", text)
        elif spec.email and "@" in text:
            clause, args = f"lower({spec.email}) = ?", (text,)
        else:
            clause, args = f"lower({spec.names[0]}) = ?", (text,)
        for row in reader.rows(
            f"SELECT id FROM {spec.table} WHERE {clause} AND deleted_at IS NULL LIMIT 2", args
        ):
            matches.append((name, row["id"]))
    if len(matches) != 1:
        return None  # none, or several: the full resolution lists the candidates
    name, record_id = matches[0]
    return name, reader.get(ENTITIES[name].table, record_id)


def brief(book: Book, handle: str, *, kind: str | None = None) -> Briefing:
    """The briefing on one contact, company, lead or deal."""
    from crmcli.services import companies, contacts, deals, leads

    now = clock.now()
    with book.read() as r:
        entity, row = find_subject(r, handle, kind=kind)
        rid = row["id"]
        company_id: str | None
        if entity == "contact":
            profile = contacts.get_contact(r, rid)
            company_id = row.get("company_id")
            deal_where, deal_args = "contact_id = ?", [rid]
            activity_where, activity_args = "contact_id = ?", [rid]
        elif entity == "company":
            profile = companies.get_company(r, rid)
            company_id = rid
            deal_where, deal_args = "company_id = ?", [rid]
            activity_where = (
                "id IN (SELECT id FROM activities WHERE company_id = ? UNION SELECT id FROM "
                "activities WHERE contact_id IN (SELECT id FROM contacts WHERE company_id = ?) "
                "UNION SELECT id FROM activities "
                "WHERE deal_id IN (SELECT id FROM deals WHERE company_id = ?))"
            )
            activity_args = [rid, rid, rid]
        elif entity == "lead":
            profile = leads.get_lead(r, rid)
            company_id = row.get("converted_company_id")
            deal_where, deal_args = "id = ?", [row.get("converted_deal_id") or ""]
            activity_where, activity_args = "lead_id = ?", [rid]
        else:
            profile = deals.views(r, [row], now=now)[0]
            company_id = row.get("company_id")
            deal_where, deal_args = (
                "(id = ? OR (company_id = ? AND company_id IS NOT NULL))",
                [
                    rid,
                    company_id,
                ],
            )
            # the deal's own activities and those with its contact
            activity_where = "(deal_id = ? OR contact_id = ?)"
            activity_args = [rid, row.get("contact_id") or ""]
        company = _company(r, company_id)
        scope_deals = r.rows(
            f"SELECT * FROM deals WHERE {deal_where} AND deleted_at IS NULL", deal_args
        )
        open_rows = [d for d in scope_deals if d["status"] == "open"]
        open_deals = tuple(deal_summary(v) for v in deals.views(r, open_rows, now=now))
        deal_ids = [d["id"] for d in scope_deals]
        activities = with_labels(
            r,
            r.rows(
                f"SELECT {_ACTIVITY_COLUMNS} FROM activities WHERE {activity_where} "
                "AND deleted_at IS NULL",
                activity_args,
            ),
        )
        done = sorted(
            (a for a in activities if _is_past(a, now)), key=lambda a: _when(a) or now, reverse=True
        )
        tasks = sorted(
            (a for a in activities if a.get("done_at") is None and a["kind"] != "meeting"),
            key=lambda a: _when(a) or now,
        )
        # Series expanded by the agenda: the next occurrence, not the series' first start.
        upcoming = with_labels(
            r,
            between(
                r,
                now,
                now + timedelta(days=NEXT_MEETING_DAYS),
                where=("deleted_at IS NULL", activity_where),
                params=activity_args,
                time_first=False,
            ),
        )
        upcoming = [a for a in upcoming if a.get("done_at") is None and a.get("start_at")]
        meeting = next((a for a in upcoming if a["kind"] == "meeting"), None) or next(
            iter(upcoming), None
        )
        quotes = tuple(_quote(q, scope_deals) for q in _in_deals(r, "quotes", deal_ids))
        balance = _balance(r, deal_ids, company_id=rid if entity == "company" else None)
        # The subject's own changes and its deals' (each looked up by table and id).
        others = [d for d in deal_ids if d != rid]
        changes = changes_where(
            r,
            "(entity = ? AND record_id = ?)"
            + (
                f" OR (entity = 'deals' AND record_id IN ({', '.join('?' * len(others))}))"
                if others
                else ""
            ),
            [ENTITIES[entity].table, rid, *others],
            limit=RECENT_CHANGES,
        )
    return Briefing(
        type=entity,
        id=rid,
        handle=short(rid),
        name=str(row.get(ENTITIES[entity].names[0]) or ""),
        profile={k: v for k, v in public(profile).items() if not isinstance(v, list | dict)}
        | {"tags": profile.get("tags") or []},
        company=company,
        open_deals=open_deals,
        last_interactions=tuple(interaction(a) for a in done[:LAST_INTERACTIONS]),
        open_tasks=tuple(interaction(a) for a in tasks[:OPEN_TASKS]),
        next_meeting=interaction(meeting) if meeting else None,
        quotes=quotes,
        open_balance=balance,
        recent_changes=tuple(
            {
                "at": c["at"],
                "user": c["user"],
                "entity": c["entity"],
                "record": c["record"],
                "op": c["op"],
                "field": c["field"],
                "new": c.get("new_label") or (None if isinstance(c["new"], dict) else c["new"]),
            }
            for c in changes
        ),
    )


def _when(a: Row) -> datetime | None:
    return as_datetime(a.get("done_at") or a.get("start_at") or a.get("due_at"))


def _is_past(a: Row, now: datetime) -> bool:
    """An interaction that happened: done, or a meeting that has already started."""
    if a.get("done_at") is not None:
        return True
    start = as_datetime(a.get("start_at"))
    return a["kind"] == "meeting" and not a.get("rrule") and start is not None and start < now


def _company(r: Reader, company_id: str | None) -> Mapping[str, Any] | None:
    if not company_id:
        return None
    row = r.row(
        "SELECT id, name, domain, industry, classification, size, city, country "
        "FROM companies WHERE id = ? AND deleted_at IS NULL",
        (company_id,),
    )
    return public(row) if row else None


def deal_summary(v: Row) -> DealSummary:
    """A deal view (``deals.views``) as a briefing line."""
    return DealSummary(
        id=v["id"],
        handle=v["handle"],
        name=v["name"],
        stage=v["stage"],
        amount=v.get("amount"),
        currency=v["currency"],
        days_in_stage=v.get("days_in_stage"),
        idle_days=v.get("idle_days"),
        rotting=bool(v.get("rotting")),
        expected_close=v.get("expected_close"),
        next_step=v.get("next_step"),
        owner=v.get("owner"),
    )


def interaction(a: Row) -> Interaction:
    """An activity or occurrence row (with agenda labels) as a briefing line."""
    record_id = a.get("id") or a["series_id"]  # an occurrence of a series has no row yet
    return Interaction(
        id=record_id,
        handle=a.get("handle") or short(record_id),
        kind=a["kind"],
        subject=a["subject"],
        when=_when(a),
        done=a.get("done_at") is not None,
        outcome=a.get("outcome"),
        owner=a.get("owner"),
        deal=a.get("deal"),
        contact=a.get("contact"),
    )


def _in_deals(r: Reader, table: str, deal_ids: Sequence[str]) -> list[Row]:
    if not deal_ids:
        return []
    marks = ", ".join("?" * len(deal_ids))
    return [
        public(q)
        for q in r.rows(
            f"SELECT * FROM {table} WHERE deal_id IN ({marks}) AND deleted_at IS NULL", deal_ids
        )
    ]


def _quote(q: Row, scope_deals: Sequence[Row]) -> QuoteSummary:
    names = {d["id"]: d["name"] for d in scope_deals}
    return QuoteSummary(
        id=q["id"],
        handle=q["handle"],
        number=q["number"],
        version=q.get("version") or 1,
        status=q.get("status") or "draft",
        total=q.get("total"),
        currency=q.get("currency") or "EUR",
        valid_until=q.get("valid_until"),
        deal=names.get(q["deal_id"]),
    )


def _balance(
    r: Reader, deal_ids: Sequence[str], *, company_id: str | None = None
) -> dict[str, Decimal]:
    """What the subject's orders still wait for, per currency (the receivables service's
    balance of each deal: ordered minus paid on its orders)."""
    from crmcli.services.sales.receivables import balances

    today = clock.today()
    total: dict[str, Decimal] = {}
    lines = (
        balances(r, today=today, company_id=company_id)
        if company_id
        else [line for d in deal_ids for line in balances(r, today=today, deal_id=d)]
    )
    for line in lines:
        total[line["currency"]] = total.get(line["currency"], Decimal(0)) + line["balance"]
    return {currency: amount for currency, amount in total.items() if amount}
