"""Invitations: iTIP REQUEST, its update after a reschedule, and CANCEL, parsed by icalendar."""

from __future__ import annotations

from pathlib import Path

import icalendar
import pytest


def _read(path: Path) -> tuple[icalendar.Calendar, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    events = list(cal.walk("VEVENT"))
    assert len(events) == 1
    return cal, events[0]


@pytest.fixture
def meeting(team):
    team("user edit alice --email alice@crm.example")
    team("contact add 'Ada Lovelace' --email ada@acme.example")
    team.user = "alice"
    row = team.json(
        "activity",
        "add",
        "meeting",
        "Weekly sync",
        "--with",
        "ada@acme.example",
        "--start",
        "2026-11-30 10:00",
        "--duration",
        "30m",
        "--every",
        "weekly",
        "--location",
        "Room 1",
    )
    return team, row["handle"]


class TestRequest:
    """The first invitation: METHOD:REQUEST, organizer, attendees, the series' RRULE."""

    def test_request(self, meeting, tmp_path: Path) -> None:
        crm, handle = meeting
        out = tmp_path / "invite.ics"
        sent = crm.json("activity", "invite", handle, "--ics", str(out))
        assert (sent["method"], sent["sequence"]) == ("REQUEST", 0)
        cal, event = _read(out)
        assert str(cal["METHOD"]) == "REQUEST"
        assert str(event["ORGANIZER"]) == "mailto:alice@crm.example"
        assert event["ORGANIZER"].params["CN"] == "Alice Ng"
        attendee = event["ATTENDEE"]
        assert str(attendee) == "mailto:ada@acme.example"
        assert attendee.params["RSVP"] == "TRUE"
        assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
        assert event["RRULE"]["FREQ"] == ["WEEKLY"]
        assert int(event["SEQUENCE"]) == 0
        assert str(event["STATUS"]) == "CONFIRMED"
        assert str(event["LOCATION"]) == "Room 1"
        assert event.decoded("DTSTART").hour == 10  # local time, with its VTIMEZONE
        assert list(cal.walk("VTIMEZONE"))

    def test_sending_again_keeps_the_sequence(self, meeting, tmp_path: Path) -> None:
        crm, handle = meeting
        crm("activity", "invite", handle, "--ics", str(tmp_path / "a.ics"))
        crm("activity", "invite", handle, "--ics", str(tmp_path / "b.ics"))
        _, a = _read(tmp_path / "a.ics")
        _, b = _read(tmp_path / "b.ics")
        assert int(a["SEQUENCE"]) == int(b["SEQUENCE"]) == 0
        assert str(a["UID"]) == str(b["UID"])

    def test_stdout(self, meeting) -> None:
        crm, handle = meeting
        out = crm("activity", "invite", handle).stdout
        assert "METHOD:REQUEST" in out
        icalendar.Calendar.from_ical(out)


class TestUpdateAndCancel:
    """A reschedule makes the next invitation an update; cancel outranks both."""

    def test_update_then_cancel(self, meeting, tmp_path: Path) -> None:
        crm, handle = meeting
        crm("activity", "invite", handle, "--ics", str(tmp_path / "1.ics"))
        moved = crm("activity", "reschedule", handle, "--start", "2026-11-30 11:00")
        assert "send the update with crm activity invite" in moved.stderr
        crm("activity", "invite", handle, "--ics", str(tmp_path / "2.ics"))
        crm("activity", "invite", handle, "--cancel", "--ics", str(tmp_path / "3.ics"))
        (_, first), (_, update) = _read(tmp_path / "1.ics"), _read(tmp_path / "2.ics")
        cal, cancel = _read(tmp_path / "3.ics")
        assert str(first["UID"]) == str(update["UID"]) == str(cancel["UID"])
        assert int(first["SEQUENCE"]) < int(update["SEQUENCE"]) < int(cancel["SEQUENCE"])
        assert update.decoded("DTSTART").hour == 11
        assert str(cal["METHOD"]) == "CANCEL"
        assert str(cancel["STATUS"]) == "CANCELLED"
        assert str(cancel["ATTENDEE"]) == "mailto:ada@acme.example"
        assert crm.json("activity list") == []  # the meeting is off

    def test_delete_then_cancel(self, meeting, tmp_path: Path) -> None:
        crm, handle = meeting
        crm("activity", "invite", handle, "--ics", str(tmp_path / "1.ics"))
        deleted = crm("activity", "delete", handle)
        assert "--cancel" in deleted.stderr
        crm("activity", "invite", handle, "--cancel", "--ics", str(tmp_path / "2.ics"))
        (_, first), (cal, cancel) = _read(tmp_path / "1.ics"), _read(tmp_path / "2.ics")
        assert str(cal["METHOD"]) == "CANCEL"
        assert int(cancel["SEQUENCE"]) == int(first["SEQUENCE"]) + 1

    def test_sequence_is_stored_and_logged(self, meeting, tmp_path: Path) -> None:
        crm, handle = meeting
        crm("activity", "invite", handle, "--ics", str(tmp_path / "1.ics"))
        crm("activity", "reschedule", handle, "--start", "2026-11-30 11:00")
        shown = crm.json("activity", "show", handle)
        assert shown["ical_sequence"] == 1
        changes = crm.json("history", handle, "--entity", "activity")["changes"]
        assert any(c.get("field") == "ical_sequence" for c in changes)


class TestBadInput:
    """What cannot be invited says what to do."""

    def test_owner_without_email(self, team, tmp_path: Path) -> None:
        team("contact add 'Ada Lovelace' --email ada@acme.example")
        team.user = "bob"
        row = team.json(
            "activity",
            "add",
            "meeting",
            "Sync",
            "--with",
            "ada@acme.example",
            "--start",
            "2026-11-30 10:00",
            "--duration",
            "30m",
        )
        run = team("activity", "invite", row["handle"], "--ics", str(tmp_path / "x.ics"), ok=False)
        assert run.exit_code == 1
        assert "bob has no e-mail address" in run.stderr
        assert "hint: add one: crm user edit bob --email" in run.stderr
        assert not (tmp_path / "x.ics").exists()

    def test_nobody_to_invite(self, team, tmp_path: Path) -> None:
        team("user edit alice --email alice@crm.example")
        team.user = "alice"
        row = team.json("activity", "add", "meeting", "Alone", "--start", "2026-11-30 10:00")
        run = team("activity", "invite", row["handle"], ok=False)
        assert "nobody to invite" in run.stderr
        assert "hint: link one: crm activity edit" in run.stderr

    def test_cancel_of_something_never_sent(self, meeting) -> None:
        crm, handle = meeting
        run = crm("activity", "invite", handle, "--cancel", ok=False)
        assert "never sent" in run.stderr
