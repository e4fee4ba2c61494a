"""Activities: calls, meetings, tasks, emails and notes — logged, scheduled or recurring.

``log_activity`` records what happened (``done_at`` set); ``add_activity`` schedules.
Links (deal, contact, company, lead) are resolved with the SPEC handles; a contact also
fills the company, a deal fills the company and contact it names when they were not given.
Logging or completing an activity on a deal moves ``deals.last_activity_at`` forward
(the pipeline's rotting detection reads it).

A recurring series is one row with an RRULE (see :mod:`crmcli.services.recurrence`). An
occurrence is addressed as ``HANDLE@2026-11-30T10:00`` or with ``occurrence=`` and, once
completed, moved or edited on its own, becomes an override row of its own.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from crmcli import clock
from crmcli.errors import Ambiguous, InvalidInput, NotFound
from crmcli.services import recurrence
from crmcli.services.book import Book
from crmcli.services.calendar import conflicts
from crmcli.services.calendar.occurrences import anchor_of, occurrence_handle, occurrence_row
from crmcli.services.handles import contains_pattern, resolve, short
from crmcli.services.users import find_owner, is_me
from crmcli.services.validate import clean_text
from crmcli.storage.db import Reader, Row, Writer

DEFAULT_KINDS = ("call", "meeting", "task", "email", "note")
KINDS_META_KEY = "activity_kinds"
LINKS = ("deal", "contact", "company", "lead")
# Fields copied from a series onto an occurrence that gets a row of its own.
_SERIES_FIELDS = (
    "kind",
    "subject",
    "all_day",
    "outcome",
    "notes",
    "location",
    "owner_id",
    "deal_id",
    "contact_id",
    "company_id",
    "lead_id",
)
# HANDLE@2026-11-30T10:00 (the part after the last @ starts with a digit: not an e-mail).
_OCCURRENCE = re.compile(r"^(.+)@(\d[^@]*)$")


# -- kinds --------------------------------------------------------------------------------
def activity_kinds(reader: Reader) -> list[str]:
    """The configured kinds (meta ``activity_kinds``, a JSON list), else the defaults."""
    stored = reader.meta(KINDS_META_KEY)
    if stored:
        try:
            kinds = json.loads(stored)
        except ValueError:
            kinds = None
        if isinstance(kinds, list) and kinds:
            return [str(k) for k in kinds]
    return list(DEFAULT_KINDS)


def book_activity_kinds(book: Book) -> list[str]:
    """:func:`activity_kinds` read from the book (for callers that hold no reader)."""
    with book.read() as r:
        return activity_kinds(r)


def set_activity_kinds(book: Book, kinds: list[str]) -> list[str]:
    """Replace the list of kinds (lowercase words; ``task`` keeps its to-do meaning)."""
    cleaned: list[str] = []
    for kind in kinds:
        value = kind.strip().lower()
        if not re.fullmatch(r"[a-z][a-z0-9_-]{0,19}", value):
            raise InvalidInput(
                f"activity kind {kind!r} must be one word of letters, digits, - or _ (≤ 20)",
                hint="e.g. demo or site-visit (see: crm activity kinds)",
            )
        if value not in cleaned:
            cleaned.append(value)
    if not cleaned:
        raise InvalidInput("give at least one activity kind")
    with book.write() as w:
        w.set_meta(KINDS_META_KEY, json.dumps(cleaned))
    return cleaned


def _kind(reader: Reader, kind: str) -> str:
    value = kind.strip().lower()
    kinds = activity_kinds(reader)
    if value not in kinds:
        raise InvalidInput(
            f"unknown activity kind {kind!r}",
            hint=f"one of {', '.join(kinds)} (change the list with: crm activity kinds)",
        )
    return value


# -- links and times ----------------------------------------------------------------------
def resolve_links(
    reader: Reader,
    *,
    deal: str | None = None,
    contact: str | None = None,
    company: str | None = None,
    lead: str | None = None,
) -> dict[str, str | None]:
    """``{deal_id, contact_id, company_id, lead_id}`` from handles, filling implied links.

    None leaves a link out; an empty string unlinks it (``crm activity edit --deal ''``).
    Only links not named are filled: a contact fills the company, a deal the company and
    the contact.
    """
    given = {"deal": deal, "contact": contact, "company": company, "lead": lead}
    found = {name: resolve(reader, name, value) if value else None for name, value in given.items()}
    out: dict[str, str | None] = {
        f"{name}_id": row["id"] if row else None
        for name, row in found.items()
        if given[name] is not None
    }
    for source, target in (("contact", "company"), ("deal", "company"), ("deal", "contact")):
        row = found[source]
        if row and row.get(f"{target}_id") and f"{target}_id" not in out:
            out[f"{target}_id"] = row[f"{target}_id"]
    return out


def _owner_id(reader: Reader, owner: str | None, book: Book) -> str:
    """The owner of a new activity: the named active rep, or the acting user."""
    if owner is None or is_me(owner):
        return book.actor["id"]
    return str(find_owner(reader, owner)["id"])


def _links_and_owner(w: Writer, book: Book, *, owner: str | None, **links: str | None) -> Row:
    """The link ids and the owner id (default: the acting user) of a new activity."""
    return {**resolve_links(w, **links), "owner_id": _owner_id(w, owner, book)}


def _times(
    *,
    start: datetime | None,
    end: datetime | None,
    duration: timedelta | None,
    all_day: bool,
) -> dict[str, Any]:
    """start_at/end_at/all_day from the options; errors for contradictions."""
    if end is not None and duration is not None:
        raise InvalidInput("give --end or --duration, not both")
    if start is None:
        if end is not None or duration is not None or all_day:
            raise InvalidInput("--end, --duration and --all-day need --start")
        return {"start_at": None, "end_at": None, "all_day": False}
    if duration is not None and duration < timedelta(0):
        raise InvalidInput(
            "the duration cannot be negative", hint="give a positive length, e.g. --duration 30m"
        )
    if all_day:
        zone = clock.local_zone()
        first = start.astimezone(zone).date()
        last = end.astimezone(zone).date() if end is not None else None
        days = max(1, duration.days) if duration is not None else 1
        start = datetime.combine(first, datetime.min.time(), zone).astimezone(UTC)
        if last is not None:
            if last < first:
                raise InvalidInput(
                    f"the activity ends ({last}) before it starts ({first})",
                    hint="give an --end on or after the first day",
                )
            days = (last - first).days + 1  # --end names the last day, inclusive
        stop = datetime.combine(first + timedelta(days=days), datetime.min.time(), zone)
        return {"start_at": start, "end_at": stop.astimezone(UTC), "all_day": True}
    if duration is not None:
        end = start + duration
    if end is not None and end < start:
        raise InvalidInput(
            f"the activity ends ({clock.to_local(end):%Y-%m-%d %H:%M}) before it starts "
            f"({clock.to_local(start):%Y-%m-%d %H:%M})",
            hint="check --end, or use --duration 30m",
        )
    return {"start_at": start, "end_at": end, "all_day": False}


def touch_deal(w: Writer, deal_id: str | None, when: datetime | None) -> None:
    """Move the deal's ``last_activity_at`` forward to ``when`` (never back)."""
    if not deal_id or when is None:
        return
    current = w.row("SELECT last_activity_at FROM deals WHERE id = ?", (deal_id,))
    if current is None:
        return
    last = current["last_activity_at"]
    if last is None or when > last:
        w.update("deals", deal_id, {"last_activity_at": when})


def _clean(
    subject: str | None, notes: str | None, outcome: str | None, location: str | None
) -> Row:
    out: Row = {}
    if subject is not None:
        out["subject"] = clean_text(subject, what="subject", max_length=500, required=True)
    if notes is not None:
        out["notes"] = clean_text(notes, what="notes", max_length=20_000, multiline=True) or None
    if outcome is not None:
        out["outcome"] = clean_text(outcome, what="outcome", max_length=200) or None
    if location is not None:
        out["location"] = clean_text(location, what="location", max_length=300) or None
    return out


# -- writes -------------------------------------------------------------------------------
def log_activity(
    book: Book,
    *,
    kind: str,
    subject: str,
    at: datetime | None = None,
    duration: timedelta | None = None,
    outcome: str | None = None,
    notes: str | None = None,
    contact: str | None = None,
    deal: str | None = None,
    company: str | None = None,
    lead: str | None = None,
    owner: str | None = None,
) -> Row:
    """Record an activity that happened (at ``at``, default now): ``crm log call …``."""
    values = _clean(subject, notes, outcome, None)
    happened = at or clock.now()
    values.update(_times(start=happened, end=None, duration=duration, all_day=False))
    with book.write(at=at) as w:
        values["kind"] = _kind(w, kind)
        values.update(
            _links_and_owner(
                w, book, owner=owner, deal=deal, contact=contact, company=company, lead=lead
            ),
            due_at=happened if values["kind"] == "task" else None,
            done_at=happened,
        )
        row = w.insert("activities", values)
        touch_deal(w, row.get("deal_id"), happened)
        return row


def add_activity(
    book: Book,
    *,
    kind: str,
    subject: str,
    start: datetime | None = None,
    end: datetime | None = None,
    duration: timedelta | None = None,
    all_day: bool = False,
    due: datetime | None = None,
    contact: str | None = None,
    deal: str | None = None,
    company: str | None = None,
    lead: str | None = None,
    owner: str | None = None,
    location: str | None = None,
    notes: str | None = None,
    every: str | None = None,
    rrule: str | None = None,
    until: datetime | None = None,
    count: int | None = None,
    at: datetime | None = None,
    no_overlap: bool = False,
) -> Row:
    """Schedule an activity (possibly recurring); validated before anything is written.

    The result's ``conflicts`` lists the owner's activities it overlaps (series expanded);
    ``no_overlap`` refuses it instead (Conflict, exit 3).
    """
    values = _clean(subject, notes, None, location)
    values.update(_times(start=start, end=end, duration=duration, all_day=all_day))
    values["due_at"] = due
    with book.write(at=at) as w:
        values["kind"] = _kind(w, kind)
        if values["kind"] == "meeting" and values["start_at"] is None:
            raise InvalidInput("a meeting needs --start", hint='e.g. --start "tomorrow 10:00"')
        if due is not None and values["start_at"] is not None and due < values["start_at"]:
            raise InvalidInput(
                "the task is due before it starts", hint="give a --due after --start"
            )
        anchor = values["start_at"] or due
        if anchor is None and (every or rrule):
            raise InvalidInput(
                "a recurring activity needs --start (or --due for a task)",
                hint="e.g. --start 'next monday 10:00' --every weekly",
            )
        values["rrule"] = (
            recurrence.build_rule(anchor=anchor, every=every, rrule=rrule, until=until, count=count)
            if anchor is not None
            else None
        )
        values.update(
            _links_and_owner(
                w, book, owner=owner, deal=deal, contact=contact, company=company, lead=lead
            ),
            done_at=None,
        )
        found = conflicts.clashes(w, values)
        if no_overlap:
            conflicts.refuse(found)
        return {**w.insert("activities", values), "conflicts": [c.as_dict() for c in found]}


def find_activity(reader: Reader, handle: str, occurrence: str | None = None) -> Row:
    """The record (or occurrence) ``handle`` names: a row, or a series occurrence.

    An occurrence is a dict with ``series_id``/``recurrence_at`` set and ``id`` None when
    it has no row of its own yet; an override row is returned as the row it is.
    """
    match = _OCCURRENCE.match(handle.strip())
    if match and occurrence is None:
        handle, occurrence = match.group(1), match.group(2)
    try:
        row = resolve(reader, "activity", handle)
    except Ambiguous:
        # A subject names the series rather than the occurrences edited on their own.
        row = resolve(reader, "activity", handle, where="series_id IS NULL")
    if occurrence is None:
        return row
    if not row.get("rrule"):
        if row.get("series_id"):
            raise InvalidInput(
                f"{short(row['id'])} is already a single occurrence; drop --occurrence"
            )
        raise InvalidInput(f"{row['subject']!r} does not repeat; drop --occurrence")
    wanted = clock.parse_when(occurrence)
    anchor = _anchor(row)
    excluded = recurrence.parse_exdates(row.get("exdates"))
    found = recurrence.occurrence_at(row["rrule"], anchor, wanted, exdates=excluded)
    if found is not None:
        return occurrence_row(row, found)
    local = clock.to_local(wanted)
    midnight = (local.hour, local.minute) == (0, 0)
    for override in reader.rows(
        "SELECT * FROM activities WHERE series_id = ? AND deleted_at IS NULL", (row["id"],)
    ):
        original = override["recurrence_at"]
        if original == wanted or (midnight and clock.to_local(original).date() == local.date()):
            return override
    upcoming = recurrence.occurrences(
        row["rrule"], anchor, wanted, wanted + timedelta(days=400), exdates=excluded
    )
    hint = f"the next one is {occurrence_handle(row['id'], upcoming[0])}" if upcoming else None
    raise NotFound(f"{row['subject']!r} has no occurrence at {local:%Y-%m-%d %H:%M}", hint=hint)


_anchor = anchor_of  # the occurrence helpers live in services.calendar.occurrences


def _materialise(w: Writer, occ: Row, changes: Row) -> Row:
    """Give an occurrence a row of its own (override) and exclude it from its series."""
    series = w.get("activities", occ["series_id"])
    values = {k: occ[k] for k in _SERIES_FIELDS}
    values.update(
        start_at=occ["start_at"],
        end_at=occ["end_at"],
        due_at=occ["due_at"],
        done_at=None,
        series_id=series["id"],
        recurrence_at=occ["recurrence_at"],
    )
    values.update(changes)
    _exclude(w, series, occ["recurrence_at"])
    return w.insert("activities", values)


def _exclude(w: Writer, series: Row, at: datetime) -> None:
    """Add ``at`` to the series' exdates: that occurrence is skipped or has a row of its own."""
    excluded = recurrence.parse_exdates(series.get("exdates")) | {at}
    w.update("activities", series["id"], {"exdates": recurrence.format_exdates(excluded)})


def complete_activity(
    book: Book,
    handle: str,
    *,
    occurrence: str | None = None,
    outcome: str | None = None,
    notes: str | None = None,
    undo: bool = False,
    at: datetime | None = None,
) -> Row:
    """Mark done (``done_at`` = ``at`` or now), or open again with ``undo``."""
    extra = _clean(None, notes, outcome, None)
    happened = at or clock.now()
    with book.write(at=at) as w:
        target = find_activity(w, handle, occurrence)
        if target.get("rrule") and target["id"]:
            nxt = _next_open(w, target)
            raise InvalidInput(
                f"{target['subject']!r} repeats; say which occurrence is done",
                hint=f"crm activity done {nxt}" if nxt else "pass --occurrence WHEN",
            )
        if undo:
            if target["id"] is None or target.get("done_at") is None:
                raise InvalidInput(
                    f"{target['subject']!r} is not done",
                    hint="mark it done with: crm activity done",
                )
            w.update("activities", target["id"], {"done_at": None, **extra})
            return w.get("activities", target["id"])
        if target.get("done_at") is not None:
            raise InvalidInput(
                f"{target['subject']!r} was already done on "
                f"{clock.to_local(target['done_at']):%Y-%m-%d %H:%M}",
                hint="reopen it with: crm activity done --undo",
            )
        changes = {"done_at": happened, **extra}
        if target["id"] is None:
            row = _materialise(w, target, changes)
        else:
            w.update("activities", target["id"], changes)
            row = w.get("activities", target["id"])
        touch_deal(w, row.get("deal_id"), happened)
        return row


def _next_open(reader: Reader, series: Row) -> str | None:
    now = clock.now()
    found = recurrence.occurrences(
        series["rrule"],
        _anchor(series),
        now - timedelta(days=7),
        now + timedelta(days=400),
        exdates=recurrence.parse_exdates(series.get("exdates")),
    )
    return occurrence_handle(series["id"], found[0]) if found else None


def reschedule_activity(
    book: Book,
    handle: str,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    duration: timedelta | None = None,
    due: datetime | None = None,
    occurrence: str | None = None,
    at: datetime | None = None,
    no_overlap: bool = False,
) -> Row:
    """Move an activity (keeping its length), one occurrence, or a whole series.

    As for :func:`add_activity`, ``conflicts`` in the result lists what the new time
    overlaps, and ``no_overlap`` refuses the move instead. A meeting already invited gets
    the next iTIP sequence (``ical_sequence``): its update goes out with ``activity invite``.
    """
    if start is None and due is None:
        raise InvalidInput("give the new --start (or --due for a task)")
    with book.write(at=at) as w:
        target = find_activity(w, handle, occurrence)
        changes: Row = {}
        if start is not None:
            length = (
                target["end_at"] - target["start_at"]
                if target.get("end_at") and target.get("start_at")
                else None
            )
            times = _times(
                start=start,
                end=end,
                duration=duration if (duration or end) else length,
                all_day=bool(target.get("all_day")),
            )
            changes.update(start_at=times["start_at"], end_at=times["end_at"])
        if due is not None:
            changes["due_at"] = due
        moved = {**target, **changes}
        if target["id"] is None:
            moved["rrule"] = None  # one occurrence moves, not its series
        found = conflicts.clashes(w, moved, ignore=(target["id"], target.get("series_id")))
        if no_overlap:
            conflicts.refuse(found)
        if target.get("ical_sequence") is not None:
            changes["ical_sequence"] = target["ical_sequence"] + 1
        if target["id"] is None:
            row = _materialise(w, target, changes)
        else:
            if target.get("rrule"):
                _shift_series(w, target, changes)
            w.update("activities", target["id"], changes)
            row = w.get("activities", target["id"])
        return {**row, "conflicts": [c.as_dict() for c in found]}


def _shift_series(w: Writer, series: Row, changes: Row) -> None:
    """Moving a series moves its exceptions with it, so they still name their occurrence."""
    new_anchor = changes.get("start_at") or changes.get("due_at")
    if new_anchor is None:
        return
    shift = new_anchor - _anchor(series)
    recurrence.build_rule(anchor=new_anchor, rrule=series["rrule"])  # still yields?
    excluded = recurrence.parse_exdates(series.get("exdates"))
    changes["exdates"] = recurrence.format_exdates(e + shift for e in excluded)
    for override in w.rows(
        "SELECT id, recurrence_at FROM activities WHERE series_id = ? AND deleted_at IS NULL",
        (series["id"],),
    ):
        w.update("activities", override["id"], {"recurrence_at": override["recurrence_at"] + shift})


def edit_activity(
    book: Book,
    handle: str,
    *,
    occurrence: str | None = None,
    kind: str | None = None,
    subject: str | None = None,
    notes: str | None = None,
    outcome: str | None = None,
    location: str | None = None,
    contact: str | None = None,
    deal: str | None = None,
    company: str | None = None,
    lead: str | None = None,
    owner: str | None = None,
    every: str | None = None,
    rrule: str | None = None,
    until: datetime | None = None,
    count: int | None = None,
    no_repeat: bool = False,
    at: datetime | None = None,
) -> Row:
    """Change fields of an activity, of one occurrence, or (``every``/``rrule``) a series rule.

    An empty string clears a text field or a link.
    """
    changes = _clean(subject, notes, outcome, location)
    with book.write(at=at) as w:
        target = find_activity(w, handle, occurrence)
        if kind is not None:
            changes["kind"] = _kind(w, kind)
        changes.update(resolve_links(w, deal=deal, contact=contact, company=company, lead=lead))
        if owner is not None:
            changes["owner_id"] = _owner_id(w, owner, book)
        if every or rrule or until is not None or count is not None or no_repeat:
            if target["id"] is None or target.get("series_id"):
                raise InvalidInput("change the repetition on the series, not on one occurrence")
            if no_repeat:
                changes.update(rrule=None, exdates=None)
            else:
                anchor = target.get("start_at") or target.get("due_at")
                if anchor is None:
                    raise InvalidInput("a recurring activity needs a start; reschedule it first")
                # --until/--count alone change the end of the current rule.
                base = rrule if rrule or every else _without_end(target.get("rrule"))
                changes["rrule"] = recurrence.build_rule(
                    anchor=anchor, every=every, rrule=base, until=until, count=count
                )
        if not changes:
            raise InvalidInput("nothing to change", hint="see: crm activity edit --help")
        if target["id"] is None:
            return _materialise(w, target, changes)
        w.update("activities", target["id"], changes)
        return w.get("activities", target["id"])


def _without_end(rule: str | None) -> str:
    if not rule:
        raise InvalidInput("--until and --count need a repeating activity (or --every)")
    return ";".join(p for p in rule.split(";") if not p.upper().startswith(("UNTIL=", "COUNT=")))


def delete_activity(
    book: Book, handle: str, *, occurrence: str | None = None, at: datetime | None = None
) -> Row:
    """Soft-delete an activity (a series with its overrides), or skip one occurrence."""
    with book.write(at=at) as w:
        target = find_activity(w, handle, occurrence)
        if target["id"] is None:
            _exclude(w, w.get("activities", target["series_id"]), target["recurrence_at"])
            return target
        delete_activity_in(w, target)
        return target


def delete_activity_in(w: Writer, target: Row) -> None:
    """Soft-delete one activity row (a series with its overrides) inside ``w``.

    A meeting sent as an invitation moves to the next iTIP sequence: its cancellation
    (``crm activity invite --cancel``) must outrank the invitation.
    """
    if target.get("ical_sequence") is not None:
        w.update("activities", target["id"], {"ical_sequence": target["ical_sequence"] + 1})
    if target.get("rrule"):
        for override in w.rows(
            "SELECT id FROM activities WHERE series_id = ? AND deleted_at IS NULL",
            (target["id"],),
        ):
            w.delete("activities", override["id"])
    w.delete("activities", target["id"])


# -- reads --------------------------------------------------------------------------------
def _filters(
    reader: Reader,
    *,
    owner: str | None,
    me: str | None,
    kind: str | None,
    deal: str | None = None,
    contact: str | None = None,
    company: str | None = None,
    lead: str | None = None,
) -> tuple[list[str], list[Any]]:
    """The WHERE conditions and parameters of ``activity list`` and ``export calendar``.

    ``me`` is the acting user's id, for ``--owner me`` (a rep who left may be named too).
    """
    where = ["deleted_at IS NULL"]
    params: list[Any] = []
    if owner is not None:
        where.append("owner_id = ?")
        params.append(me if is_me(owner) else find_owner(reader, owner, must_be_active=False)["id"])
    if kind is not None:
        where.append("kind = ?")
        params.append(_kind(reader, kind))
    for name, value in (("deal", deal), ("contact", contact), ("company", company), ("lead", lead)):
        if value is not None:
            where.append(f"{name}_id = ?")
            params.append(resolve(reader, name, value)["id"])
    return where, params


def show_activity(book: Book, handle: str, *, occurrence: str | None = None) -> Row:
    """One activity with the names of its links; a series lists its next occurrences."""
    from crmcli.services.agenda import with_labels

    with book.read() as r:
        row = find_activity(r, handle, occurrence)
        out = with_labels(r, [row])[0]
        if row.get("rrule") and row["id"]:
            now = clock.now()
            upcoming = recurrence.occurrences(
                row["rrule"],
                _anchor(row),
                now,
                now + timedelta(days=366),
                exdates=recurrence.parse_exdates(row.get("exdates")),
            )[:5]
            out["next_occurrences"] = upcoming
        return out


def list_activities(
    book: Book,
    *,
    owner: str | None = None,
    kind: str | None = None,
    deal: str | None = None,
    contact: str | None = None,
    company: str | None = None,
    lead: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    state: str | None = None,
    limit: int | None = None,
    offset: int = 0,
    search: str | None = None,
) -> list[Row]:
    """Activities matching the filters, soonest first (``offset`` skips that many;
    ``search``: every word in the subject).

    With a range (``start``/``end``) recurring series are expanded into their occurrences
    in it; without one a series is listed once. ``state``: open, done or overdue.
    """
    from crmcli.services import agenda

    if state not in (None, "open", "done", "overdue"):
        raise InvalidInput(
            "state must be open, done or overdue", hint="use --open, --done or --overdue"
        )
    me = book.actor["id"] if is_me(owner) else None  # before the read: it queries
    with book.read() as r:
        where, params = _filters(
            r, owner=owner, me=me, kind=kind, deal=deal, contact=contact, company=company, lead=lead
        )
        for word in (search or "").split():
            where.append("lower(subject) LIKE ? ESCAPE '\\'")
            params.append(contains_pattern(word))
        if state == "overdue":
            rows = agenda.overdue_rows(r, where, params, now=clock.now())
        elif start is not None or end is not None:
            lo = start or datetime(1970, 1, 1, tzinfo=UTC)
            hi = end or clock.now() + timedelta(days=3650)
            narrow = any(
                c.startswith(("deal_id", "contact_id", "company_id", "lead_id")) for c in where
            )
            rows = agenda.between(r, lo, hi, where=where, params=params, time_first=not narrow)
        else:
            if state == "open":
                where.append("done_at IS NULL")
            elif state == "done":
                where.append("done_at IS NOT NULL")
            # Unranged, the page is cut in SQL: a list of a 1M-activity book reads one page.
            rows = r.rows(
                f"SELECT * FROM activities WHERE {' AND '.join(where)} "
                "ORDER BY coalesce(start_at, due_at), created_at, id LIMIT ? OFFSET ?",
                (*params, -1 if limit is None else limit, offset),
            )
            limit, offset = None, 0
        if state == "open":
            rows = [x for x in rows if x.get("done_at") is None]
        elif state == "done":
            rows = [x for x in rows if x.get("done_at") is not None]
        rows = rows[offset:]
        if limit is not None:
            rows = rows[:limit]
        return agenda.with_labels(r, rows)


# -- iCalendar ----------------------------------------------------------------------------
_LINK_LABELS = (("deal", "Deal"), ("contact", "Contact"), ("company", "Company"), ("lead", "Lead"))


def _description(row: Row) -> str | None:
    """The notes, then one line per linked record (what a calendar app can show)."""
    lines = [f"{label}: {row[key]}" for key, label in _LINK_LABELS if row.get(key)]
    parts = [p for p in (row.get("notes"), "\n".join(lines)) if p]
    return "\n\n".join(parts) or None


def export_items(rows: list[Row], uids: dict[str, str]) -> list[Row]:
    """Labelled activity rows as the items :func:`crmcli.io.icalendar.calendar_bytes` writes.

    ``uids`` maps series ids to their UID (an override carries its series' UID plus
    RECURRENCE-ID, as RFC 5545 wants); exdates covered by an exported override are left out.
    """
    overridden: dict[str, set[datetime]] = {}
    for row in rows:
        if row.get("series_id") and row.get("recurrence_at"):
            overridden.setdefault(row["series_id"], set()).add(row["recurrence_at"])
    items = []
    # A series before the occurrences it overrides (RECURRENCE-ID), as calendar apps expect.
    for row in sorted(rows, key=lambda r: r.get("series_id") is not None):
        series_id = row.get("series_id")
        uid = uids.get(series_id, series_id) if series_id else row.get("ical_uid") or row["id"]
        exdates = recurrence.parse_exdates(row.get("exdates")) - overridden.get(row["id"], set())
        todo = row["kind"] == "task" or row.get("start_at") is None
        items.append(
            {
                "component": "VTODO" if todo else "VEVENT",
                "uid": uid,
                "stamp": row["updated_at"],
                "kind": row["kind"],
                "subject": row["subject"],
                "start_at": row.get("start_at"),
                "end_at": row.get("end_at"),
                "all_day": row.get("all_day"),
                "due_at": row.get("due_at"),
                "done_at": row.get("done_at"),
                "rrule": row.get("rrule"),
                "exdates": sorted(exdates),
                "recurrence_id": row.get("recurrence_at") if series_id else None,
                "description": _description(row),
                "location": row.get("location"),
                "x": {
                    "owner": row.get("owner"),
                    "outcome": row.get("outcome"),
                    "done": row["done_at"].isoformat() if row.get("done_at") and not todo else None,
                    "deal": row.get("deal_id"),
                    "contact": row.get("contact_id"),
                    "company": row.get("company_id"),
                    "lead": row.get("lead_id"),
                },
            }
        )
    return items


def export_calendar(
    book: Book,
    *,
    owner: str | None = None,
    kind: str | None = None,
    deal: str | None = None,
    contact: str | None = None,
    company: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    include_done: bool = True,
    limit: int | None = None,
) -> dict[str, Any]:
    """The matching activities as an iCalendar document, with what it holds."""
    from crmcli.io.icalendar import calendar_bytes
    from crmcli.services.agenda import with_labels

    me = book.actor["id"] if is_me(owner) else None  # before the read: it queries
    with book.read() as r:
        where, params = _filters(
            r, owner=owner, me=me, kind=kind, deal=deal, contact=contact, company=company
        )
        if start is not None:
            # A series that started earlier may still have occurrences in the range.
            where.append("(coalesce(start_at, due_at) >= ? OR rrule IS NOT NULL)")
            params.append(start)
        if end is not None:
            where.append("coalesce(start_at, due_at) < ?")
            params.append(end)
        if not include_done:
            where.append("done_at IS NULL")
        # Ordered by id: the primary-key index gives a stable file without sorting 1M rows.
        sql = f"SELECT * FROM activities WHERE {' AND '.join(where)} ORDER BY id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        rows = with_labels(r, r.rows(sql, params))
        series_ids = (x["series_id"] for x in rows if x.get("series_id"))
        uids = {
            series_id: uid or series_id
            for series_id, uid in r.values_by_id("activities", "ical_uid", series_ids).items()
        }
    data = calendar_bytes(export_items(rows, uids), tzid=clock.zone_name())
    events = sum(1 for x in rows if x["kind"] != "task" and x.get("start_at") is not None)
    return {"data": data, "events": events, "todos": len(rows) - events, "bytes": len(data)}


def _import_time(value: Any) -> datetime | None:
    """A DTSTART/DUE/... value as a UTC time; a DATE is local midnight."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    zone = clock.local_zone()
    return datetime.combine(value, datetime.min.time(), zone).astimezone(UTC)


def _strip_links(text: str | None) -> str | None:
    """Our DESCRIPTION = notes + link lines; importing our own file gives the notes back."""
    if not text:
        return None
    lines = text.rstrip("\n").split("\n")
    labels = tuple(f"{label}: " for _, label in _LINK_LABELS)
    while lines and lines[-1].startswith(labels):
        lines.pop()
    return "\n".join(lines).strip() or None


_LINK_TABLES = (
    ("deal", "deals"),
    ("contact", "contacts"),
    ("company", "companies"),
    ("lead", "leads"),
)


def _known_links(reader: Reader, items: list[Row]) -> dict[str, dict[str, str]]:
    """The records the file's X-CRMCLI links name that exist here, and the users by username.

    One query per table for the whole file: ``{"deal": {id: id}, …, "owner": {username: id}}``.
    """
    known = {
        name: reader.values_by_id(
            table, "id", {i["x"][name] for i in items if i["x"].get(name)}, alive=True
        )
        for name, table in _LINK_TABLES
    }
    known["owner"] = {
        u["username"]: u["id"]
        for u in reader.rows("SELECT id, username FROM users WHERE deleted_at IS NULL")
    }
    return known


def _import_values(
    item: Row, kinds: list[str], actor_id: str, known: dict[str, dict[str, str]]
) -> Row:
    label = item["label"]
    x = item["x"]
    todo = item["component"] == "VTODO"
    wanted = [c.lower() for c in item["categories"]]
    kind = next((k for k in wanted if k in kinds), None)
    kind = kind or (
        "task" if todo and "task" in kinds else "meeting" if "meeting" in kinds else kinds[0]
    )
    start = _import_time(item["start"])
    all_day = item["start"] is not None and not isinstance(item["start"], datetime)
    end = _import_time(item["end"])
    if end is None and item["duration"] is not None and start is not None:
        end = start + item["duration"]
    if end is None and all_day and start is not None:
        end = start + timedelta(days=1)
    if start is not None and end is not None and end < start:
        raise InvalidInput(f"{label} ends before it starts", hint="nothing was imported")
    done = _import_time(item["completed"]) or _import_time(_parse_iso(x.get("done")))
    if done is None and item["status"] == "COMPLETED":
        done = _import_time(item["stamp"]) or clock.now()
    subject = clean_text(
        (item["summary"] or "(no subject)")[:500], what=f"{label} SUMMARY", max_length=500
    )
    values: Row = {
        "kind": kind,
        "subject": subject,
        "start_at": start,
        "end_at": end,
        "all_day": all_day,
        "due_at": _import_time(item["due"]),
        "done_at": done,
        "notes": _strip_links(item["description"]) if x else item["description"],
        "location": (item["location"] or "")[:300] or None,
        "outcome": (x.get("outcome") or "")[:200] or None,
        # A link to a record this book does not have is dropped; an unknown owner is you.
        "owner_id": known["owner"].get(x.get("owner") or "", actor_id),
        **{f"{name}_id": known[name].get(x.get(name) or "") for name, _ in _LINK_TABLES},
        "rrule": None,
        "exdates": None,
    }
    if item["rrule"] and item["recurrence_id"] is None:
        anchor = start or values["due_at"]
        if anchor is None:
            raise InvalidInput(f"{label} repeats but has no DTSTART", hint="nothing was imported")
        try:
            values["rrule"] = recurrence.build_rule(anchor=anchor, rrule=item["rrule"])
        except InvalidInput as exc:
            raise InvalidInput(f"{label}: {exc.message}", hint="nothing was imported") from exc
        values["exdates"] = recurrence.format_exdates(
            t for t in map(_import_time, item["exdates"]) if t is not None
        )
    return values


def _rdate_rows(item: Row, values: Row) -> list[Row]:
    """The extra occurrences an RDATE adds, each a single activity of the same length.

    Their ids come from the UID and the date, so importing the file again updates them.
    An RDATE that repeats DTSTART or an EXDATE adds nothing (RFC 5545).
    """
    from crmcli.services.book import stable_id

    anchor = values["start_at"] or values["due_at"]
    if anchor is None:
        return []
    excluded = {t for t in map(_import_time, item["exdates"]) if t is not None}
    out = []
    for when in sorted({t for t in map(_import_time, item.get("rdates") or ()) if t}):
        if when == anchor or when in excluded:
            continue
        shift = when - anchor
        row = {k: v for k, v in values.items() if k not in ("id", "ical_uid")}
        row.update(
            id=stable_id("ical", f"{item['uid']}|rdate|{when.isoformat()}"),
            start_at=values["start_at"] + shift if values["start_at"] else None,
            end_at=values["end_at"] + shift if values["end_at"] else None,
            due_at=values["due_at"] + shift if values["due_at"] else None,
            rrule=None,
            exdates=None,
        )
        out.append(row)
    return out


def _parse_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def import_calendar(
    book: Book, path: str, *, dry_run: bool = False, at: datetime | None = None
) -> dict[str, Any]:
    """Bring the events and to-dos of an .ics file in; a UID seen before updates its record.

    Everything is validated first; any broken event means nothing is written.
    """
    import uuid
    from pathlib import Path

    from crmcli.io.icalendar import read_calendar
    from crmcli.services.book import stable_id

    try:
        data = Path(path).expanduser().read_bytes()
    except OSError as exc:
        raise InvalidInput(
            f"cannot read {path}: {exc.strerror}", hint="check the path and that you may read it"
        ) from exc
    items = read_calendar(data, source=Path(path).name)
    # Series first, so their overrides (RECURRENCE-ID) find them.
    items.sort(key=lambda i: i["recurrence_id"] is not None)
    overridden: dict[str, set[datetime]] = {}
    for item in items:
        moved = _import_time(item["recurrence_id"])
        if moved is not None:
            overridden.setdefault(item["uid"], set()).add(moved)
    actor_id = book.actor["id"]
    report: dict[str, Any] = {"file": path, "dry_run": dry_run, "items": []}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    context: Any = book.read() if dry_run else book.write(at=at)
    with context as w:  # a Reader on a dry run: every write below is skipped then
        kinds = activity_kinds(w)
        known = _known_links(w, items)
        pending: dict[str, Row] = {}  # dry run: what would exist after earlier items
        for item in items:
            if not item["uid"]:
                item["uid"] = stable_id("ical", f"{item['summary']}|{item['start']}")
            values = _import_values(item, kinds, actor_id, known)
            uid = item["uid"]
            if values["rrule"]:
                # Occurrences overridden in the file stay excluded from the series.
                values["exdates"] = recurrence.format_exdates(
                    recurrence.parse_exdates(values["exdates"]) | overridden.get(uid, set())
                )
            if item["recurrence_id"] is not None:
                series = w.row(
                    "SELECT id, exdates, deleted_at FROM activities WHERE (id = ? OR ical_uid = ?) "
                    "AND series_id IS NULL AND rrule IS NOT NULL",
                    (uid, uid),
                ) or pending.get(uid)
                if series is None:
                    raise InvalidInput(
                        f"{item['label']} changes one occurrence of a series that is not in "
                        "the file or the book",
                        hint="import the whole calendar; nothing was imported",
                    )
                occurrence = _import_time(item["recurrence_id"])
                values.update(series_id=series["id"], recurrence_at=occurrence)
                existing = w.row(
                    "SELECT * FROM activities WHERE series_id = ? AND recurrence_at = ?",
                    (series["id"], occurrence),
                )
                if not dry_run and occurrence is not None:
                    _exclude(w, series, occurrence)
            else:
                existing = w.row(
                    "SELECT * FROM activities WHERE (id = ? OR ical_uid = ?) AND series_id IS NULL",
                    (uid, uid),
                )
            if existing is None and uid in pending and item["recurrence_id"] is None:
                existing = pending[uid]
            if existing is None:
                if item["recurrence_id"] is not None:
                    # An override shares its series' UID; its id comes from UID + occurrence.
                    new_id = stable_id("ical", f"{uid}|{values['recurrence_at'].isoformat()}")
                    values["ical_uid"] = None
                else:
                    try:
                        new_id = str(uuid.UUID(uid))
                    except ValueError:
                        new_id = stable_id("ical", uid)
                    if w.row("SELECT id FROM activities WHERE id = ?", (new_id,)):
                        new_id = stable_id("ical", uid)
                    values["ical_uid"] = None if new_id == uid else uid
                values["id"] = new_id
                action = "created"
                if not dry_run:
                    w.insert("activities", values)
                    touch_deal(w, values.get("deal_id"), values.get("done_at"))
                pending[uid] = {**values, "exdates": values.get("exdates")}
                record_id = new_id
            else:
                record_id = existing["id"]
                changes = {k: v for k, v in values.items() if existing.get(k) != v}
                action = "updated" if changes or existing.get("deleted_at") else "unchanged"
                if not dry_run:
                    if existing.get("deleted_at"):
                        w.restore("activities", record_id)
                    w.update("activities", record_id, changes)
                    touch_deal(w, values.get("deal_id"), values.get("done_at"))
            counts[action] += 1
            report["items"].append(
                {"uid": uid, "action": action, "id": record_id, "subject": values["subject"]}
            )
            if item["recurrence_id"] is None:
                for extra in _rdate_rows(item, values):
                    found = w.row("SELECT * FROM activities WHERE id = ?", (extra["id"],))
                    if found is None:
                        action = "created"
                        if not dry_run:
                            w.insert("activities", extra)
                    else:
                        changes = {k: v for k, v in extra.items() if found.get(k) != v}
                        action = "updated" if changes or found.get("deleted_at") else "unchanged"
                        if not dry_run:
                            if found.get("deleted_at"):
                                w.restore("activities", extra["id"])
                            w.update("activities", extra["id"], changes)
                    counts[action] += 1
                    report["items"].append(
                        {
                            "uid": uid,
                            "action": action,
                            "id": extra["id"],
                            "subject": extra["subject"],
                        }
                    )
    report.update(counts)
    return report
