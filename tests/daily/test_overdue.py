"""One overdue rule: series occurrences count like single activities, in --overdue and `!`."""

from __future__ import annotations

import re

# conftest: now is Monday 2026-11-23 10:00 Europe/Berlin.


def _series(crm, subject: str, start: str, *extra: str) -> str:
    row = crm.json(
        "activity", "add", "call", subject, "--start", start, "--duration", "30m", *extra
    )
    return row["handle"]


def test_missed_occurrences_are_overdue(crm) -> None:
    _series(crm, "Weekly call", "2026-11-02 09:00", "--every", "weekly")
    found = crm.json("agenda --overdue")
    assert [(r["subject"], r["when"][:16]) for r in found] == [
        ("Weekly call", "2026-11-02T08:00"),
        ("Weekly call", "2026-11-09T08:00"),
        ("Weekly call", "2026-11-16T08:00"),
        ("Weekly call", "2026-11-23T08:00"),  # 09:00 today, before 10:00
    ]
    assert all("@" in r["handle"] for r in found)


def test_a_done_occurrence_is_not_overdue(crm) -> None:
    handle = _series(crm, "Weekly call", "2026-11-09 09:00", "--every", "weekly")
    crm("activity", "done", handle, "--occurrence", "2026-11-16 09:00")
    whens = [r["when"][:10] for r in crm.json("agenda --overdue")]
    assert whens == ["2026-11-09", "2026-11-23"]


def test_future_and_notes_are_not_overdue(crm) -> None:
    _series(crm, "Later", "2026-11-24 09:00", "--every", "daily")
    crm("activity add note 'A note' --start '2026-11-20 09:00'")
    assert crm.json("agenda --overdue") == []


def test_marker_and_overdue_use_one_rule(crm) -> None:
    _series(crm, "Daily standup", "2026-11-23 08:00", "--every", "daily")
    crm("activity add task 'Send deck' --start '2026-11-23 08:30' --due '2026-11-23 12:00'")
    crm("activity add call 'Missed call' --start '2026-11-23 09:00' --duration 15m")
    overdue = {r["subject"] for r in crm.json("agenda --overdue")}
    assert overdue == {"Daily standup", "Missed call"}  # the task is not due yet
    marked = set()
    for line in crm("agenda").stdout.splitlines():
        match = re.match(r"\s+(\d\d:\d\d|all day) (.) \S+\s+(.+?)  ", line)
        if match and match.group(2) == "!":
            marked.add(match.group(3).strip())
    assert marked == overdue
