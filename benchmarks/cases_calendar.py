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
    # The acting benchmark user owns nothing: --all and --owner make the query do real work.
    Case("crm agenda --week --all", ["agenda", "--week", "--all", "--json"], limit=3.0, goal=2.0),
    Case(
        "crm agenda --week --owner alice",
        ["agenda", "--week", "--owner", "alice"],
        limit=3.0,
        goal=2.0,
    ),
    Case(
        "crm agenda --due-within 15m --json", ["agenda", "--due-within", "15m", "--all", "--json"]
    ),
]


def _as_dt(value: str | None) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _reference(book: Path) -> float:
    """The icalendar library alone building and serialising the same events (events/s)."""
    import icalendar

    conn = sqlite3.connect(book)
    rows = conn.execute(
        "SELECT a.id, a.kind, a.subject, a.start_at, a.end_at, a.due_at, a.done_at, a.updated_at, "
        "a.notes, d.name, c.name FROM activities a LEFT JOIN deals d ON d.id = a.deal_id "
        "LEFT JOIN contacts c ON c.id = a.contact_id WHERE a.deleted_at IS NULL "
        f"ORDER BY a.created_at, a.id LIMIT {EXPORT_EVENTS}"
    ).fetchall()
    conn.close()
    started = time.perf_counter()
    cal = icalendar.Calendar()
    cal.add("prodid", "-//reference//EN")
    cal.add("version", "2.0")
    for id_, kind, subject, start, end, due, done, stamp, notes, deal, contact in rows:
        start_at, end_at, due_at = _as_dt(start), _as_dt(end), _as_dt(due)
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
        comp.add("status", ("COMPLETED" if done else "NEEDS-ACTION") if todo else "CONFIRMED")
        comp.add("categories", [kind])
        lines = [f"Deal: {deal}" if deal else "", f"Contact: {contact}" if contact else ""]
        description = "\n".join(x for x in lines if x)
        if description:
            comp.add("description", description)
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
