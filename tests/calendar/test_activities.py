"""Logging, scheduling, completing, moving and editing activities through `crm`."""

from __future__ import annotations

from tests.conftest import Crm


def _deal(crm: Crm) -> dict:
    return next(d for d in crm.json("deal list") if d["name"] == "Acme renewal")


class TestLog:
    """`crm log` records what happened in one line and touches the deal."""

    def test_spec_example(self, book: Crm) -> None:
        row = book.json(
            "log",
            "call",
            "Discussed pricing",
            "--with",
            "ada@acme.example",
            "--deal",
            "Acme renewal",
            "--at",
            "yesterday 16:00",
        )
        assert row["kind"] == "call"
        assert row["done_at"] == row["start_at"] == "2026-11-22T15:00:00+00:00"
        assert row["contact"] == "Ada Lovelace" and row["company"] == "Acme GmbH"
        assert row["deal"] == "Acme renewal"
        assert _deal(book)["last_activity_at"] == "2026-11-22T15:00:00+00:00"

    def test_last_activity_only_moves_forward(self, book: Crm) -> None:
        book("log", "call", "Recent", "--deal", "Acme renewal", "--at", "yesterday 16:00")
        book("log", "email", "Older", "--deal", "Acme renewal", "--at", "2026-10-01")
        assert _deal(book)["last_activity_at"] == "2026-11-22T15:00:00+00:00"

    def test_unknown_kind_and_contact(self, book: Crm) -> None:
        run = book("log", "lunch", "x", ok=False)
        assert run.exit_code == 1 and "unknown activity kind 'lunch'" in run.stderr
        run = book("log", "call", "x", "--with", "nobody@nowhere.example", ok=False)
        assert run.exit_code == 1 and "no contact matches" in run.stderr
        assert book.json("activity list") == []

    def test_configurable_kinds(self, book: Crm) -> None:
        book("activity kinds --set call,meeting,task,email,note,demo")
        assert [k["kind"] for k in book.json("activity kinds")][-1] == "demo"
        assert book.json("log", "demo", "Showed the product")["kind"] == "demo"


class TestSchedule:
    """`crm activity add` schedules; bad times are refused with nothing written."""

    def test_spec_example_weekly(self, book: Crm) -> None:
        row = book.json(
            "activity",
            "add",
            "meeting",
            "Weekly sync",
            "--with",
            "ada@acme.example",
            "--start",
            "next monday 10:00",
            "--duration",
            "30m",
            "--every",
            "weekly",
        )
        assert row["rrule"] == "FREQ=WEEKLY"
        assert row["start_at"] == "2026-11-30T09:00:00+00:00"
        assert row["end_at"] == "2026-11-30T09:30:00+00:00"
        listed = book.json("activity list --from 2026-11-23 --to 2026-12-22")
        assert [x["handle"].split("@")[1] for x in listed] == [
            "2026-11-30T10:00",
            "2026-12-07T10:00",
            "2026-12-14T10:00",
            "2026-12-21T10:00",
        ]

    def test_task_due_and_overdue(self, book: Crm) -> None:
        book("activity add task 'Send quote' --due 'yesterday 9am' --deal 'Acme renewal'")
        book("activity add task 'Later' --due 'tomorrow 9am'")
        overdue = book.json("activity list --overdue")
        assert [x["subject"] for x in overdue] == ["Send quote"]
        assert [x["subject"] for x in book.json("activity list --open")] == ["Send quote", "Later"]

    def test_all_day(self, book: Crm) -> None:
        row = book.json("activity add meeting Offsite --start 2026-12-02 --all-day")
        assert row["all_day"] is True
        assert row["start_at"] == "2026-12-01T23:00:00+00:00"
        assert row["end_at"] == "2026-12-02T23:00:00+00:00"

    def test_end_before_start(self, book: Crm) -> None:
        run = book(
            "activity",
            "add",
            "meeting",
            "X",
            "--start",
            "tomorrow 10:00",
            "--end",
            "tomorrow 9:00",
            ok=False,
        )
        assert run.exit_code == 1 and "ends (2026-11-24 09:00) before it starts" in run.stderr
        assert book.json("activity list") == []

    def test_bad_recurrences_write_nothing(self, book: Crm) -> None:
        for extra, message in (
            (["--rrule", "FREQ=WEEKLY;COUNT=2;UNTIL=20270101"], "COUNT or UNTIL"),
            (["--every", "weekly", "--count", "2", "--until", "2027-01-01"], "COUNT or UNTIL"),
            (["--rrule", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"], "never happens"),
            (["--every", "fortnightly on funday"], "cannot read the day"),
        ):
            run = book(
                "activity", "add", "meeting", "X", "--start", "tomorrow 10:00", *extra, ok=False
            )
            assert run.exit_code == 1 and message in run.stderr, run.stderr
        assert book.json("activity list") == []

    def test_filters(self, book: Crm) -> None:
        book("log call A --deal 'Acme renewal'")
        book("--as", "alice", "log", "email", "B", "--with", "ada@acme.example")
        assert [x["subject"] for x in book.json("activity list --owner alice")] == ["B"]
        assert [x["subject"] for x in book.json("activity list --kind call")] == ["A"]
        assert [x["subject"] for x in book.json("activity list --deal 'Acme renewal'")] == ["A"]
        assert {x["subject"] for x in book.json("activity list --company Acme")} == {"A", "B"}
        assert [
            x["subject"] for x in book.json("activity list --done --with ada@acme.example")
        ] == ["B"]


class TestOneOccurrence:
    """Completing, moving or editing one occurrence leaves the others alone."""

    def _series(self, book: Crm) -> str:
        row = book.json(
            "activity add meeting 'Weekly sync' --start 'next monday 10:00' --duration 30m "
            "--every weekly --deal 'Acme renewal'"
        )
        return row["handle"]

    def _week(self, book: Crm) -> list[dict]:
        return book.json("activity list --from 2026-11-23 --to 2026-12-22")

    def test_series_needs_an_occurrence(self, book: Crm) -> None:
        self._series(book)
        run = book("activity done 'Weekly sync'", ok=False)
        assert run.exit_code == 1 and "say which occurrence" in run.stderr
        assert "@2026-11-30T10:00" in run.stderr

    def test_complete_one(self, book: Crm) -> None:
        handle = self._series(book)
        done = book.json(
            f"activity done {handle}@2026-12-07 --outcome agreed --at '2026-12-07 10:30'"
        )
        assert done["series_id"] and done["recurrence_at"] == "2026-12-07T09:00:00+00:00"
        assert done["done_at"] == "2026-12-07T09:30:00+00:00" and done["outcome"] == "agreed"
        rows = self._week(book)
        assert [(x["start_at"][:10], bool(x["done_at"])) for x in rows] == [
            ("2026-11-30", False),
            ("2026-12-07", True),
            ("2026-12-14", False),
            ("2026-12-21", False),
        ]
        assert _deal(book)["last_activity_at"] == "2026-12-07T09:30:00+00:00"
        # completing it twice is refused
        run = book(f"activity done {handle}@2026-12-07", ok=False)
        assert "already done" in run.stderr

    def test_move_one(self, book: Crm) -> None:
        handle = self._series(book)
        moved = book.json(
            "activity",
            "reschedule",
            "Weekly sync",
            "--occurrence",
            "2026-12-14",
            "--start",
            "2026-12-15 11:00",
        )
        assert moved["start_at"] == "2026-12-15T10:00:00+00:00"
        assert moved["end_at"] == "2026-12-15T10:30:00+00:00"  # the length is kept
        starts = [x["start_at"][:16] for x in self._week(book)]
        assert starts == [
            "2026-11-30T09:00",
            "2026-12-07T09:00",
            "2026-12-15T10:00",
            "2026-12-21T09:00",
        ]
        series = book.json(f"activity show {handle}")
        assert series["start_at"] == "2026-11-30T09:00:00+00:00"
        assert series["exdates"] == "2026-12-14T09:00:00+00:00"

    def test_edit_and_skip_one(self, book: Crm) -> None:
        handle = self._series(book)
        book(f"activity edit {handle}@2026-11-30T10:00 --subject 'Kick-off sync'")
        book(f"activity delete {handle} --occurrence 2026-12-07")
        rows = self._week(book)
        assert [x["subject"] for x in rows] == ["Kick-off sync", "Weekly sync", "Weekly sync"]
        assert [x["start_at"][:10] for x in rows] == ["2026-11-30", "2026-12-14", "2026-12-21"]

    def test_edit_series_rule_and_delete_series(self, book: Crm) -> None:
        handle = self._series(book)
        book(f"activity edit {handle} --every 'every 2 weeks'")
        assert [x["start_at"][:10] for x in self._week(book)] == ["2026-11-30", "2026-12-14"]
        book(f"activity edit {handle} --count 1")
        assert [x["start_at"][:10] for x in self._week(book)] == ["2026-11-30"]
        book(f"activity delete {handle}")
        assert self._week(book) == []

    def test_no_such_occurrence(self, book: Crm) -> None:
        handle = self._series(book)
        run = book(f"activity done {handle}@2026-12-08", ok=False)
        assert run.exit_code == 1 and "no occurrence" in run.stderr
        assert "@2026-12-14T10:00" in run.stderr


class TestSingle:
    """Plain activities: done/undo, reschedule keeps the length, edit, delete."""

    def test_lifecycle(self, book: Crm) -> None:
        h = book.json("activity add call 'Call Ada' --start 'tomorrow 9am' --duration 15m")[
            "handle"
        ]
        moved = book.json(f"activity reschedule {h} --start 'tomorrow 14:00'")
        assert moved["end_at"] == "2026-11-24T13:15:00+00:00"
        assert (
            book.json(f"activity edit {h} --notes 'bring pricing' --with ada@acme.example")[
                "contact"
            ]
            == "Ada Lovelace"
        )
        assert book.json(f"activity done {h}")["done_at"] == "2026-11-23T09:00:00+00:00"
        assert book.json(f"activity done {h} --undo")["done_at"] is None
        book(f"activity delete {h}")
        assert book.json("activity list") == []

    def test_edit_unlinks_with_an_empty_handle(self, book: Crm) -> None:
        """An empty --deal/--company unlinks only that record; named links are not re-filled."""
        h = book.json(
            "activity add call 'Call Ada' --start 'tomorrow 9am' "
            "--with ada@acme.example --deal 'Acme renewal'"
        )["handle"]
        row = book.json(f"activity show {h}")
        assert (row["contact"], row["company"], row["deal"]) == (
            "Ada Lovelace",
            "Acme GmbH",
            "Acme renewal",
        )
        row = book.json("activity", "edit", h, "--with", "ada@acme.example", "--company", "")
        assert (row["contact"], row["company"], row["deal"]) == (
            "Ada Lovelace",
            None,
            "Acme renewal",
        )
        row = book.json("activity", "edit", h, "--deal", "")
        assert (row["contact"], row["company"], row["deal"]) == ("Ada Lovelace", None, None)
        assert row["deal_id"] is None and row["company_id"] is None and row["contact_id"]


class TestOwners:
    """Activities follow the one owner rule: active reps own new work, `me` is the acting user."""

    def test_inactive_rep_cannot_own_a_new_activity(self, team: Crm) -> None:
        team("user edit bob --inactive")
        run = team("activity add task 'Call back' --due tomorrow --owner bob", ok=False)
        assert run.exit_code == 1 and "inactive" in run.stderr
        assert team.json("activity list") == []  # nothing was written
        run = team("activity add task 'Call back' --due tomorrow --owner nobody", ok=False)
        assert run.exit_code == 1 and "unknown owner 'nobody'" in run.stderr

    def test_me_and_a_departed_rep_in_filters(self, team: Crm) -> None:
        team.user = "alice"
        team("activity add task 'Mine' --due tomorrow")
        team("activity add task 'Bobs' --due tomorrow --owner bob")
        team("user edit bob --inactive")
        assert [a["subject"] for a in team.json("activity list --owner me")] == ["Mine"]
        assert [a["subject"] for a in team.json("activity list --owner bob")] == ["Bobs"]
        week = team.json("agenda --week --owner ME")
        assert [i["subject"] for i in week["items"]] == ["Mine"]
