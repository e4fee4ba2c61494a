"""The agenda: what is on for a day, week or month, what is overdue, what is due soon.

Only the window is queried: single activities through the ``start_at``/``due_at``
indexes, and the few recurring series (``rrule IS NOT NULL``) that start before the
window ends, expanded for the window alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from crmcli import clock
from crmcli.errors import InvalidInput
from crmcli.services import recurrence
from crmcli.services.book import Book
from crmcli.services.calendar.occurrences import occurrence_row
from crmcli.services.handles import short
from crmcli.services.users import find_owner, is_me
from crmcli.storage.db import Reader, Row

View = Literal["day", "week", "month"]
_COLUMNS = (
    "id, kind, subject, start_at, end_at, all_day, due_at, done_at, outcome, notes, location, "
    "owner_id, deal_id, contact_id, company_id, lead_id, rrule, exdates, series_id, "
    "recurrence_at, ical_uid, created_at, updated_at"
)
# The columns the callers' WHERE conditions may name (owner, kind, links, tombstone).
_FILTERED = "owner_id, kind, deal_id, contact_id, company_id, lead_id, done_at, deleted_at"
_LABELS = (
    ("deal_id", "deal", "deals", "name"),
    ("contact_id", "contact", "contacts", "name"),
    ("company_id", "company", "companies", "name"),
    ("lead_id", "lead", "leads", "name"),
    ("owner_id", "owner", "users", "username"),
)


def when_of(row: Row) -> datetime | None:
    """The time an activity sits at in the agenda: its start, else its due time."""
    value: datetime | None = row.get("start_at") or row.get("due_at")
    return value


def window(view: View, day: date) -> tuple[datetime, datetime]:
    """The UTC bounds of the local day, the ISO week (Monday first) or the month of ``day``."""
    zone = clock.local_zone()
    if view == "day":
        first, last = day, day + timedelta(days=1)
    elif view == "week":
        first = day - timedelta(days=day.weekday())
        last = first + timedelta(days=7)
    else:
        first = day.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1)
    return (
        datetime.combine(first, time(0), zone).astimezone(UTC),
        datetime.combine(last, time(0), zone).astimezone(UTC),
    )


def between(
    reader: Reader,
    start: datetime,
    end: datetime,
    *,
    where: Sequence[str] = ("deleted_at IS NULL",),
    params: Sequence[Any] = (),
    time_first: bool = True,
) -> list[Row]:
    """Activities and series occurrences with ``start <= when < end``, soonest first.

    ``time_first`` is kept for callers; with the (owner, due) index the planner picks the
    narrower of the window and the other filters by itself.
    """
    extra = " AND ".join(where)
    # Only the time range goes to the index; "rrule IS NULL"/"start_at IS NULL" are
    # filtered here, as in SQL they steer SQLite to an index on the (mostly NULL) column.
    by_start = reader.rows(
        f"SELECT {_COLUMNS} FROM activities WHERE start_at >= ? AND start_at < ? AND {extra}",
        (start, end, *params),
    )
    # ix_activities_owner_due serves one rep's window, ix_activities_due_at everyone's.
    by_due = reader.rows(
        f"SELECT {_COLUMNS} FROM activities WHERE due_at >= ? AND due_at < ? AND {extra}",
        (start, end, *params),
    )
    singles = [r for r in by_start if r["rrule"] is None]
    singles += [r for r in by_due if r["rrule"] is None and r["start_at"] is None]
    for row in singles:
        row["handle"] = short(row["id"])
    # Few rows repeat: ``rrule > ''`` (a range, unlike IS NOT NULL) lets the planner use the
    # rrule index, and MATERIALIZED keeps it there: with an owner filter SQLite would
    # otherwise walk all of that owner's activities (200k in the benchmark book). Only what
    # the expansion needs is read; the few series with an occurrence in the window are then
    # read whole. The third coalesce argument keeps the reports' index on
    # coalesce(start_at, due_at) out (SQLite matches an expression index by its exact form):
    # through it SQLite would read every activity that starts before the window ends.
    series = reader.rows(
        f"WITH series AS MATERIALIZED (SELECT id, rrule, start_at, due_at, exdates, {_FILTERED} "
        "FROM activities WHERE rrule > ? AND coalesce(start_at, due_at, NULL) < ?) "
        f"SELECT id, rrule, start_at, due_at, exdates FROM series WHERE {extra}",
        ("", end, *params),
    )
    hits: dict[str, list[datetime]] = {}
    for row in series:
        anchor = when_of(row)
        if anchor is None:
            continue
        excluded = recurrence.parse_exdates(row.get("exdates"))
        found = recurrence.occurrences(row["rrule"], anchor, start, end, exdates=excluded)
        if found:
            hits[row["id"]] = found
    for full in _rows_by_id(reader, list(hits)):
        for at in hits[full["id"]]:
            singles.append(_occurrence(full, at))
    singles.sort(key=lambda r: (when_of(r), r["subject"]))
    return singles


def _rows_by_id(reader: Reader, ids: list[str]) -> list[Row]:
    """The activities ``ids`` with the agenda's columns (in chunks, under SQLite's limit)."""
    out: list[Row] = []
    for first in range(0, len(ids), 500):
        part = ids[first : first + 500]
        out += reader.rows(
            f"SELECT {_COLUMNS} FROM activities WHERE id IN ({', '.join('?' * len(part))})", part
        )
    return out


def _occurrence(series: Row, at: datetime) -> Row:
    return occurrence_row(series, at)


OVERDUE_LOOKBACK = timedelta(days=365)  # how far back a series' missed occurrences count


def overdue_at(row: Row) -> datetime | None:
    """The time after which an open activity is overdue: its due time, else its start."""
    value: datetime | None = row.get("due_at") or row.get("start_at")
    return value


def is_overdue(row: Row, now: datetime) -> bool:
    """The one overdue rule (``crm agenda --overdue`` and the agenda's ``!``): not done,
    not a note, and its due time (else its start) has passed. A series counts through its
    occurrences, each like a single activity."""
    if row.get("done_at") is not None or row.get("kind") == "note":
        return False
    at = overdue_at(row)
    return at is not None and at < now


def overdue_rows(
    reader: Reader, where: Sequence[str], params: Sequence[Any], *, now: datetime
) -> list[Row]:
    """Open activities and series occurrences that are overdue (:func:`is_overdue`).

    A series' occurrences count from a year back (:data:`OVERDUE_LOOKBACK`); one marked
    done has a row of its own and is excluded from the series.
    """
    extra = " AND ".join(where)
    # The second arm reads the open items without a due time (the (owner, done_at, due_at)
    # index); coalesce(start_at, NULL) keeps SQLite off the (owner, start_at) index, through
    # which it would read every past activity of the rep (12 ms on the benchmark book).
    rows = reader.rows(
        f"SELECT {_COLUMNS} FROM activities WHERE done_at IS NULL AND due_at < ? "
        f"AND rrule IS NULL AND kind <> ? AND {extra} "
        f"UNION ALL SELECT {_COLUMNS} FROM activities WHERE done_at IS NULL AND due_at IS NULL "
        f"AND coalesce(start_at, NULL) < ? AND rrule IS NULL AND kind <> ? AND {extra}",
        (now, "note", *params, now, "note", *params),
    )
    for row in rows:
        row["handle"] = short(row["id"])
    since = now - OVERDUE_LOOKBACK
    # coalesce(…, NULL): not the reports' expression index, as in between().
    series = reader.rows(
        f"WITH series AS MATERIALIZED (SELECT id, rrule, start_at, due_at, exdates, {_FILTERED} "
        "FROM activities WHERE rrule > ? AND coalesce(start_at, due_at, NULL) < ?) "
        f"SELECT id, rrule, start_at, due_at, exdates FROM series WHERE kind <> ? "
        f"AND done_at IS NULL AND {extra}",
        ("", now, "note", *params),
    )
    hits: dict[str, list[datetime]] = {}
    for row in series:
        anchor = when_of(row)
        if anchor is None:
            continue
        found = recurrence.occurrences(
            row["rrule"], anchor, since, now, exdates=recurrence.parse_exdates(row["exdates"])
        )
        if found:
            hits[row["id"]] = found
    for full in _rows_by_id(reader, list(hits)):
        for at in hits[full["id"]]:
            occurrence = _occurrence(full, at)
            if is_overdue(occurrence, now):
                rows.append(occurrence)
    rows.sort(key=lambda r: (overdue_at(r), r["subject"]))
    return rows


def with_labels(reader: Reader, rows: list[Row]) -> list[Row]:
    """Rows with ``handle``, ``when`` and the names of their deal, contact, company, lead, owner."""
    names = {
        id_key: reader.values_by_id(table, column, (r[id_key] for r in rows if r.get(id_key)))
        for id_key, _, table, column in _LABELS
    }
    out = []
    for row in rows:
        item = dict(row)
        if item.get("id") and not item.get("handle"):
            item["handle"] = short(item["id"])
        item["when"] = when_of(item)
        item["recurring"] = bool(item.get("rrule"))
        for id_key, label, _, _ in _LABELS:
            item[label] = names[id_key].get(item.get(id_key) or "")
        out.append(item)
    return out


def month_grid(doc: dict[str, Any]) -> list[list[tuple[date, list[Row]] | None]]:
    """An agenda month as weeks, Monday first: ``(day, its items)``, None outside the month."""
    by_day: dict[date, list[Row]] = {}
    for item in doc["items"]:
        by_day.setdefault(clock.to_local(item["when"]).date(), []).append(item)
    first: date = doc["from"]
    day = first - timedelta(days=first.weekday())
    weeks = []
    while day <= doc["to"]:
        week: list[tuple[date, list[Row]] | None] = []
        for _ in range(7):
            week.append((day, by_day.get(day, [])) if day.month == first.month else None)
            day += timedelta(days=1)
        weeks.append(week)
    return weeks


def _owner_filter(
    reader: Reader, me: str, owner: str | None, everyone: bool
) -> tuple[list[str], list[Any]]:
    """WHERE conditions and parameters for one rep's (default: ``me``) or everyone's items."""
    if everyone:
        if owner is not None:
            raise InvalidInput("give --owner or --all, not both")
        return ["deleted_at IS NULL"], []
    return ["deleted_at IS NULL", "owner_id = ?"], [
        find_owner(reader, owner, must_be_active=False)["id"] if owner and not is_me(owner) else me
    ]


def balance_items(reader: Reader, *, owner_id: str | None) -> list[Row]:
    """Overdue order balances (quote to cash) as agenda items of kind ``balance``."""
    from crmcli.money import format_money
    from crmcli.services.sales.receivables import overdue_balances

    zone = clock.local_zone()
    found = overdue_balances(reader, today=clock.today(), owner_id=owner_id)
    owners = reader.values_by_id(
        "users", "username", (b["owner_id"] for b in found if b["owner_id"])
    )
    return [
        {
            "id": b["order_id"],
            "handle": b["number"],
            "kind": "balance",
            "subject": f"{format_money(b['balance'], b['currency'])} overdue "
            f"{b['days_overdue']} days",
            "when": datetime.combine(b["due_date"], time(0), zone).astimezone(UTC),
            "due_at": datetime.combine(b["due_date"], time(0), zone).astimezone(UTC),
            "all_day": True,
            "deal": b["deal"],
            "deal_id": b["deal_id"],
            "owner": owners.get(b["owner_id"] or ""),
            "balance": b["balance"],
            "currency": b["currency"],
        }
        for b in found
    ]


def agenda(
    book: Book,
    *,
    view: View = "day",
    day: date | None = None,
    owner: str | None = None,
    everyone: bool = False,
    include_done: bool = True,
) -> dict[str, Any]:
    """The agenda of one rep (default: you) or everyone for the day/week/month of ``day``."""
    day = day or clock.today()
    start, end = window(view, day)
    me = book.actor["id"]  # before the read: the actor lookup has its own transaction
    with book.read() as r:
        where, params = _owner_filter(r, me, owner, everyone)
        rows = between(r, start, end, where=where, params=params)
        if not include_done:
            rows = [x for x in rows if x.get("done_at") is None]
        items = with_labels(r, rows)
        balances = balance_items(r, owner_id=None if everyone else params[-1])
    zone = clock.local_zone()
    return {
        "view": view,
        "from": start.astimezone(zone).date(),
        "to": (end.astimezone(zone) - timedelta(seconds=1)).date(),
        "owner": None if everyone else (owner or book.actor["username"]),
        "items": items,
        "overdue_balances": balances,
    }


def overdue(book: Book, *, owner: str | None = None, everyone: bool = False) -> list[Row]:
    """Open activities past their due time (else start), oldest first; then overdue balances."""
    me = book.actor["id"]  # before the read: the actor lookup has its own transaction
    with book.read() as r:
        where, params = _owner_filter(r, me, owner, everyone)
        rows = with_labels(r, overdue_rows(r, where, params, now=clock.now()))
        return rows + balance_items(r, owner_id=None if everyone else params[-1])


def due_within(
    book: Book, within: timedelta, *, owner: str | None = None, everyone: bool = False
) -> list[Row]:
    """Open activities starting (or due) between now and now + ``within``: for reminders."""
    if within <= timedelta(0):
        raise InvalidInput("--due-within must be positive, e.g. 15m")
    now = clock.now()
    me = book.actor["id"]  # before the read: the actor lookup has its own transaction
    with book.read() as r:
        where, params = _owner_filter(r, me, owner, everyone)
        # "done_at IS NULL" stays out of the SQL: it would steer the planner to the
        # (done_at, due_at) index and a scan of every open activity instead of the window.
        found = between(r, now, now + within, where=where, params=params)
        return with_labels(r, [x for x in found if x.get("done_at") is None])
