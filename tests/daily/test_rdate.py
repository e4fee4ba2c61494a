"""RDATE on .ics import: the extra dates of an event become occurrences in the book."""

from __future__ import annotations

from pathlib import Path

ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:board-meetings@example.com
DTSTAMP:20261101T000000Z
DTSTART:20261124T090000Z
DTEND:20261124T100000Z
SUMMARY:Board meeting
RDATE:20261201T090000Z,20261215T130000Z
RDATE;VALUE=PERIOD:20261222T090000Z/PT1H
EXDATE:20261215T130000Z
END:VEVENT
BEGIN:VEVENT
UID:weekly@example.com
DTSTAMP:20261101T000000Z
DTSTART:20261123T150000Z
DTEND:20261123T153000Z
RRULE:FREQ=WEEKLY;COUNT=2
RDATE:20261126T150000Z
SUMMARY:Weekly review
END:VEVENT
END:VCALENDAR
"""


def test_rdates_become_occurrences(crm, tmp_path: Path) -> None:
    path = tmp_path / "rdate.ics"
    path.write_text(ICS)
    report = crm.json("import", "calendar", str(path))
    assert report["created"] == 5  # 2 events + 2 RDATEs (one excluded) + 1 RDATE
    board = [
        (a["start_at"][:16], a["end_at"][:16])
        for a in crm.json("activity list")
        if a["subject"] == "Board meeting"
    ]
    assert board == [
        ("2026-11-24T09:00", "2026-11-24T10:00"),
        ("2026-12-01T09:00", "2026-12-01T10:00"),
        ("2026-12-22T09:00", "2026-12-22T10:00"),
    ]
    week = crm.json("agenda --week --date 2026-11-23")["items"]
    reviews = [i["when"][:16] for i in week if i["subject"] == "Weekly review"]
    assert reviews == ["2026-11-23T15:00", "2026-11-26T15:00"]
    again = crm.json("import", "calendar", str(path))
    assert (again["created"], again["unchanged"]) == (0, 5)
