"""iCalendar export → icalendar library / khal → import round trip, and broken files."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import icalendar
import pytest

from tests.conftest import Crm


def _khal() -> str | None:
    """khal from this interpreter's environment (CI does not activate the venv), or PATH."""
    beside = Path(sys.executable).parent / "khal"
    return str(beside) if beside.exists() else shutil.which("khal")


KHAL = _khal()


def _fill(book: Crm) -> str:
    book(
        "log call 'Discussed pricing' --with ada@acme.example --deal 'Acme renewal' --at 'yesterday 16:00'"
    )
    series = book.json(
        "activity add meeting 'Weekly sync' --with ada@acme.example --start 'next monday 10:00' "
        "--duration 30m --every weekly --notes 'Agenda: pipeline'"
    )["handle"]
    book(f"activity done {series}@2026-12-07 --outcome agreed")
    book(f"activity reschedule {series} --occurrence 2026-12-14 --start '2026-12-15 11:00'")
    book(f"activity delete {series} --occurrence 2026-12-21")
    book("activity add task 'Send quote' --due 'tomorrow 9am' --deal 'Acme renewal'")
    book("activity add meeting Offsite --start 2026-12-02 --all-day")
    return series


class TestExport:
    """Our file parses with the icalendar library and says what RFC 5545 wants."""

    def test_components(self, book: Crm, tmp_path: Path) -> None:
        series = _fill(book)
        path = tmp_path / "agenda.ics"
        book("export", "calendar", "--ics", str(path))
        cal = icalendar.Calendar.from_ical(path.read_bytes())
        events = cal.walk("VEVENT")
        todos = cal.walk("VTODO")
        assert len(events) == 5 and len(todos) == 1
        assert all(not e.errors for e in events + todos)
        masters = [e for e in events if "RRULE" in e]
        assert len(masters) == 1
        master = masters[0]
        assert str(master["UID"]).startswith(series)
        assert master["RRULE"].to_ical() == b"FREQ=WEEKLY"
        assert master["DTSTART"].params["TZID"] == "Europe/Berlin"
        assert [d.dt.isoformat() for d in master["EXDATE"].dts] == ["2026-12-21T10:00:00+01:00"]
        overrides = [e for e in events if "RECURRENCE-ID" in e]
        assert {str(e["UID"]) for e in overrides} == {str(master["UID"])}
        assert sorted(e["RECURRENCE-ID"].dt.date().isoformat() for e in overrides) == [
            "2026-12-07",
            "2026-12-14",
        ]
        call = next(e for e in events if e["SUMMARY"] == "Discussed pricing")
        assert call["DTSTART"].to_ical() == b"20261122T150000Z"
        assert call["CATEGORIES"].cats == ["call"]
        assert (
            "Deal: Acme renewal" in call["DESCRIPTION"]
            and "Contact: Ada Lovelace" in call["DESCRIPTION"]
        )
        offsite = next(e for e in events if e["SUMMARY"] == "Offsite")
        assert (
            offsite["DTSTART"].to_ical() == b"20261202"
            and offsite["DTEND"].to_ical() == b"20261203"
        )
        todo = todos[0]
        assert todo["STATUS"] == "NEEDS-ACTION" and todo["DUE"].to_ical() == b"20261124T080000Z"
        assert "VTIMEZONE" in {c.name for c in cal.subcomponents}

    def test_unwritable_target_is_one_line_and_leaves_nothing(
        self, book: Crm, tmp_path: Path
    ) -> None:
        _fill(book)
        blocker = tmp_path / "a-file"
        blocker.write_text("x")
        run = book("export", "calendar", "--ics", str(blocker / "agenda.ics"), ok=False)
        assert run.exit_code == 1 and run.stderr.startswith("error: cannot write")
        assert run.stdout == "" and blocker.read_text() == "x"

    def test_filters_and_stdout(self, book: Crm) -> None:
        _fill(book)
        out = book("export calendar --ics - --kind task").stdout
        assert out.count("BEGIN:VTODO") == 1 and "BEGIN:VEVENT" not in out

    @pytest.mark.skipif(KHAL is None, reason="khal is not installed (pip install khal)")
    def test_khal_loads_it(self, book: Crm, tmp_path: Path) -> None:
        _fill(book)
        path = tmp_path / "agenda.ics"
        book("export", "calendar", "--ics", str(path))
        vdir = tmp_path / "khal" / "work"
        vdir.mkdir(parents=True)
        config = tmp_path / "khal" / "config"
        config.write_text(
            f"[calendars]\n[[work]]\npath = {vdir}\n"
            "[locale]\ntimeformat = %H:%M\ndateformat = %Y-%m-%d\nlongdateformat = %Y-%m-%d\n"
            "datetimeformat = %Y-%m-%d %H:%M\nlongdatetimeformat = %Y-%m-%d %H:%M\n"
            "local_timezone = Europe/Berlin\ndefault_timezone = Europe/Berlin\n"
            f"[sqlite]\npath = {tmp_path / 'khal' / 'khal.db'}\n"
        )
        khal = KHAL
        assert khal is not None
        env = {
            "HOME": str(tmp_path),
            "PATH": str(Path(sys.executable).parent),
            "TZ": "Europe/Berlin",
        }
        imported = subprocess.run(
            [khal, "-c", str(config), "import", "--batch", str(path)],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert imported.returncode == 0, imported.stderr
        listed = subprocess.run(
            [khal, "-c", str(config), "list", "--format", "{start} {title}", "2026-11-20", "40d"],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert listed.returncode == 0, listed.stderr
        lines = [
            line
            for line in listed.stdout.splitlines()
            if "Weekly sync" in line or "pricing" in line
        ]
        assert lines == [
            "2026-11-22 16:00 Discussed pricing",
            "2026-11-30 10:00 Weekly sync",
            "2026-12-07 10:00 Weekly sync",
            "2026-12-15 11:00 Weekly sync",
            "2026-12-28 10:00 Weekly sync",
        ]


class TestImport:
    """Import brings events in; the same UID again updates, never duplicates."""

    def test_round_trip_into_a_fresh_book(self, book: Crm, tmp_path: Path) -> None:
        _fill(book)
        path = tmp_path / "agenda.ics"
        book("export", "calendar", "--ics", str(path))
        before = book.json("activity list --from 2026-11-20 --to 2027-01-01")
        fresh = Crm(db=tmp_path / "fresh.db", runner=book.runner)
        result = fresh.json("import", "calendar", str(path))
        assert (result["created"], result["updated"]) == (6, 0)
        after = fresh.json("activity list --from 2026-11-20 --to 2027-01-01")
        keys = (
            "kind",
            "subject",
            "start_at",
            "end_at",
            "due_at",
            "all_day",
            "done_at",
            "notes",
            "outcome",
            "rrule",
        )
        assert [{k: x[k] for k in keys} for x in after] == [{k: x[k] for k in keys} for x in before]
        # links to records the fresh book does not have are dropped; the importer owns them
        assert all(x["deal_id"] is None and x["contact_id"] is None for x in after)
        assert {x["owner"] for x in after} == {x["owner"] for x in before}
        # the same file again: nothing new, nothing changed
        again = fresh.json("import", "calendar", str(path))
        assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 6)

    def test_reimport_updates_by_uid(self, book: Crm, tmp_path: Path) -> None:
        _fill(book)
        path = tmp_path / "agenda.ics"
        book("export", "calendar", "--ics", str(path))
        text = path.read_text().replace("SUMMARY:Send quote", "SUMMARY:Send the quote")
        path.write_text(text)
        dry = book.json("import", "calendar", str(path), "--dry-run")
        assert dry["updated"] == 1 and dry["created"] == 0
        assert not any(x["subject"] == "Send the quote" for x in book.json("activity list"))
        result = book.json("import", "calendar", str(path))
        assert (result["created"], result["updated"]) == (0, 1)
        tasks = book.json("activity list --kind task")
        assert [x["subject"] for x in tasks] == ["Send the quote"]
        # the X-CRMCLI links and owner name records of this book: they are kept
        assert (tasks[0]["deal"], tasks[0]["company"]) == ("Acme renewal", "Acme GmbH")
        pricing = book.json("activity list --kind call")
        assert (pricing[0]["deal"], pricing[0]["contact"]) == ("Acme renewal", "Ada Lovelace")

    def test_foreign_event(self, book: Crm, tmp_path: Path) -> None:
        path = tmp_path / "google.ics"
        path.write_text(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//EN\r\n"
            "BEGIN:VEVENT\r\nUID:abc123@google.com\r\nDTSTAMP:20261120T100000Z\r\n"
            "DTSTART;TZID=America/New_York:20261201T090000\r\nDURATION:PT45M\r\n"
            "SUMMARY:Board call\r\nRRULE:FREQ=MONTHLY;BYDAY=1TU;COUNT=3\r\nEND:VEVENT\r\n"
            "END:VCALENDAR\r\n"
        )
        book("import", "calendar", str(path))
        book("import", "calendar", str(path))
        rows = book.json("activity list")
        assert len(rows) == 1 and rows[0]["ical_uid"] == "abc123@google.com"
        assert rows[0]["start_at"] == "2026-12-01T14:00:00+00:00"
        assert rows[0]["end_at"] == "2026-12-01T14:45:00+00:00"
        assert rows[0]["kind"] == "meeting"
        assert set(rows[0]["rrule"].split(";")) == {"FREQ=MONTHLY", "BYDAY=1TU", "COUNT=3"}

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            ("DTSTART:2026120\r\nthis is garbage\r\n", "broken line"),
            (
                "DTSTART;TZID=Mars/Olympus_Mons:20261201T100000\r\n",
                "unknown time zone TZID=Mars/Olympus_Mons",
            ),
            ("DTSTART:20261201T100000Z\r\nDTEND:20261201T090000Z\r\n", "ends before it starts"),
            (
                "DTSTART:20261201T100000Z\r\nRRULE:FREQ=WEEKLY;COUNT=2;UNTIL=20270101T000000Z\r\n",
                "COUNT or UNTIL",
            ),
            (
                "DTSTART:20261201T100000Z\r\nRRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\r\n",
                "never happens",
            ),
        ],
    )
    def test_broken_files_write_nothing(
        self, book: Crm, tmp_path: Path, body: str, message: str
    ) -> None:
        path = tmp_path / "bad.ics"
        path.write_text(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
            "BEGIN:VEVENT\r\nUID:good-1\r\nDTSTART:20261201T100000Z\r\nSUMMARY:fine\r\nEND:VEVENT\r\n"
            f"BEGIN:VEVENT\r\nUID:bad-1\r\nSUMMARY:bad\r\n{body}END:VEVENT\r\nEND:VCALENDAR\r\n"
        )
        run = book("import", "calendar", str(path), ok=False)
        assert run.exit_code == 1, run.stdout
        assert message in run.stderr and "Traceback" not in run.stderr
        assert book.json("activity list") == []

    def test_not_a_calendar(self, book: Crm, tmp_path: Path) -> None:
        path = tmp_path / "x.ics"
        path.write_text("hello\n")
        run = book("import", "calendar", str(path), ok=False)
        assert run.exit_code == 1 and "not a valid iCalendar file" in run.stderr
