"""Meeting invitations: iTIP requests, updates and cancellations for the people concerned.

The organizer is the activity's owner (their e-mail), the attendees its linked contact and
lead. ``activities.ical_sequence`` holds the SEQUENCE of the last message: the first
invitation is 0; rescheduling an invited meeting and cancelling it raise it by one, so
clients replace what they had.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from crmcli import clock
from crmcli.errors import InvalidInput
from crmcli.services import activities
from crmcli.services.book import Book
from crmcli.services.handles import resolve, short
from crmcli.storage.db import Reader, Row, Writer


@dataclass(frozen=True)
class Invitation:
    """An iTIP message for one meeting, and what it says."""

    id: str
    handle: str
    subject: str
    method: str  # REQUEST or CANCEL
    sequence: int
    organizer: str
    attendees: list[str]
    document: bytes


def _people(reader: Reader, row: Row) -> tuple[tuple[str, str | None], list[tuple[str, str]]]:
    owner = reader.row("SELECT username, name, email FROM users WHERE id = ?", (row["owner_id"],))
    if owner is None or not owner["email"]:
        who = owner["username"] if owner else "the owner"
        raise InvalidInput(
            f"{who} has no e-mail address to send the invitation from",
            hint=f"add one: crm user edit {who} --email you@example.com",
        )
    attendees = []
    for table, key in (("contacts", "contact_id"), ("leads", "lead_id")):
        if row.get(key):
            found = reader.row(f"SELECT name, email FROM {table} WHERE id = ?", (row[key],))
            if found and found["email"]:
                attendees.append((found["email"], found["name"]))
    if not attendees:
        raise InvalidInput(
            f"{row['subject']!r} has nobody to invite (no linked contact or lead with an e-mail)",
            hint=f"link one: crm activity edit {short(row['id'])} --with ada@example.com",
        )
    return (owner["email"], owner["name"]), attendees


def _document(reader: Reader, row: Row, *, method: str, sequence: int) -> Invitation:
    from crmcli.io.icalendar import invite_bytes

    organizer, attendees = _people(reader, row)
    item = activities.export_items([row], {})[0]
    if item["component"] != "VEVENT":
        raise InvalidInput(f"{row['subject']!r} has no time to invite to", hint="give it --start")
    return Invitation(
        id=row["id"],
        handle=short(row["id"]),
        subject=row["subject"],
        method=method,
        sequence=sequence,
        organizer=organizer[0],
        attendees=[email for email, _ in attendees],
        document=invite_bytes(
            item,
            method=method,
            sequence=sequence,
            organizer=organizer,
            attendees=attendees,
            tzid=clock.zone_name(),
        ),
    )


def _target(w: Writer, handle: str, *, include_deleted: bool = False) -> Row:
    row = resolve(w, "activity", handle, include_deleted=include_deleted)
    if row.get("series_id"):
        raise InvalidInput(
            "invitations go out for the whole series, not for one occurrence",
            hint=f"crm activity invite {short(row['series_id'])}",
        )
    if row.get("start_at") is None or row["kind"] == "task":
        raise InvalidInput(
            f"{row['subject']!r} is not scheduled at a time", hint="give it one: --start"
        )
    return row


def invite(
    book: Book, handle: str, *, cancel: bool = False, at: datetime | None = None
) -> Invitation:
    """The invitation (or, after a reschedule, its update) of a meeting; ``cancel``: call it
    off — the meeting is deleted and the attendees get ``METHOD:CANCEL``."""
    with book.write(at=at) as w:
        row = _target(w, handle, include_deleted=cancel)
        if cancel:
            if row.get("deleted_at") is None:
                activities.delete_activity_in(w, row)
                row = w.get("activities", row["id"], include_deleted=True)
            sequence = row.get("ical_sequence")
            if sequence is None:
                raise InvalidInput(
                    f"{row['subject']!r} was never sent as an invitation; nothing to cancel",
                    hint="delete it with: crm activity delete",
                )
            return _document(w, row, method="CANCEL", sequence=sequence)
        if row.get("ical_sequence") is None:
            w.update("activities", row["id"], {"ical_sequence": 0})
            row = w.get("activities", row["id"])
        return _document(w, row, method="REQUEST", sequence=row["ical_sequence"])
