"""Calendar figures: the week's agenda on the 1M-activity book, and .ics export throughput."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from harness import Case, Throughput, crm_argv

EXPORT_EVENTS = 100_000

CASES = [
    # The command as a rep types it: rep042 is one of the 200 reps of the 1M-activity book
    # (~100 activities a week, recurring series among them).
    Case(
        "crm agenda --week (a rep)",
        ["agenda", "--week"],
        env={"CRM_USER": "rep042"},
    ),
    Case(
        "crm agenda --week --owner alice",
        ["agenda", "--week", "--owner", "alice"],
    ),
    Case("crm agenda (today, a rep)", ["agenda"], env={"CRM_USER": "rep042"}),
    Case(
        "crm agenda --month (a rep)",
        ["agenda", "--month"],
        env={"CRM_USER": "rep042"},
    ),
    Case(
        "crm agenda --due-within 15m --all --json",
        ["agenda", "--due-within", "15m", "--all", "--json"],
    ),
]


def _as_dt(value: str | None) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _reference(book: Path) -> float:
    """The icalendar library alone building and serialising the same events (events/s).

    The same rows (read untimed, names joined in) become the same properties through the
    library's ordinary API (``Component.add``), then one ``to_ical()``.
    """
    from urllib.parse import urlencode

    import icalendar

    conn = sqlite3.connect(book)
    rows = conn.execute(
        "SELECT a.id, a.kind, a.subject, a.start_at, a.end_at, a.due_at, a.done_at, "
        "a.updated_at, a.notes, a.location, a.outcome, a.rrule, a.deal_id, a.contact_id, "
        "a.company_id, a.lead_id, d.name, c.name, co.name, l.name, u.username "
        "FROM activities a LEFT JOIN deals d ON d.id = a.deal_id "
        "LEFT JOIN contacts c ON c.id = a.contact_id LEFT JOIN companies co ON co.id = a.company_id "
        "LEFT JOIN leads l ON l.id = a.lead_id LEFT JOIN users u ON u.id = a.owner_id "
        f"WHERE a.deleted_at IS NULL ORDER BY a.id LIMIT {EXPORT_EVENTS}"
    ).fetchall()
    conn.close()
    started = time.perf_counter()
    cal = icalendar.Calendar()
    cal.add("prodid", "-//reference//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    for row in rows:
        (id_, kind, subject, start, end, due, done, stamp, notes, location, outcome, rrule) = row[
            :12
        ]
        deal_id, contact_id, company_id, lead_id, deal, contact, company, lead, owner = row[12:]
        start_at, end_at, due_at, done_at = _as_dt(start), _as_dt(end), _as_dt(due), _as_dt(done)
        todo = kind == "task" or start_at is None
        comp = icalendar.Todo() if todo else icalendar.Event()
        comp.add("uid", id_)
        comp.add("dtstamp", _as_dt(stamp))
        comp.add("summary", subject)
        if start_at is not None:
            comp.add("dtstart", start_at)
        if end_at is not None and start_at is not None and not todo and end_at > start_at:
            comp.add("dtend", end_at)
        if todo and due_at is not None:
            comp.add("due", due_at)
        if rrule:
            comp.add("rrule", icalendar.vRecur.from_ical(rrule))
        if todo:
            comp.add("status", "COMPLETED" if done_at else "NEEDS-ACTION")
            if done_at:
                comp.add("completed", done_at)
        else:
            comp.add("status", "CONFIRMED")
        comp.add("categories", [kind])
        labels = (("Deal", deal), ("Contact", contact), ("Company", company), ("Lead", lead))
        links = "\n".join(f"{label}: {name}" for label, name in labels if name)
        description = "\n\n".join(x for x in (notes, links) if x)
        if description:
            comp.add("description", description)
        if location:
            comp.add("location", location)
        extra = {
            "owner": owner,
            "outcome": outcome,
            "done": done_at.isoformat() if done_at and not todo else None,
            "deal": deal_id,
            "contact": contact_id,
            "company": company_id,
            "lead": lead_id,
        }
        comp.add("x-crmcli", urlencode({k: v for k, v in extra.items() if v is not None}))
        cal.add_component(comp)
    data = cal.to_ical()
    assert data
    return len(rows) / (time.perf_counter() - started)


def _ours(book: Path) -> float:
    """`crm export calendar --ics FILE --limit 100000` end to end, as a user runs it (events/s)."""
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "out.ics"
        env = {**os.environ, "CRM_NOW": "2026-11-23T10:00:00+00:00", "CRM_TZ": "UTC"}
        started = time.perf_counter()
        subprocess.run(
            [
                *crm_argv(),
                "--db",
                str(book),
                "export",
                "calendar",
                "--ics",
                str(target),
                "--limit",
                str(EXPORT_EVENTS),
            ],
            check=True,
            capture_output=True,
            env=env,
        )
        elapsed = time.perf_counter() - started
        count = target.read_bytes().count(b"BEGIN:VEVENT") + target.read_bytes().count(
            b"BEGIN:VTODO"
        )
    return count / elapsed


def _measure(book: Path) -> tuple[float, float, str]:
    reference = _reference(book)
    ours = _ours(book)
    return ours, reference, "events/s"


THROUGHPUTS = [Throughput("crm export calendar (100k activities)", _measure, min_ratio=0.8)]
