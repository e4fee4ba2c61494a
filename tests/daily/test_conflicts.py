"""Clashes: a timed activity overlapping another of the same rep warns, or is refused."""

from __future__ import annotations


def _add(crm, *args: str, ok: bool = True):
    return crm("activity", "add", *args, ok=ok)


class TestSingles:
    """Two single meetings of one rep."""

    def test_overlap_warns_naming_the_other(self, team) -> None:
        team.user = "alice"
        _add(team, "meeting", "Kick-off", "--start", "2026-11-24 10:00", "--duration", "1h")
        run = _add(team, "call", "Call Ada", "--start", "2026-11-24 10:30", "--duration", "30m")
        assert "warning: 'Call Ada' on Tue 2026-11-24 10:30 overlaps 'Kick-off'" in run.stderr
        assert run.stdout == ""  # stdout stays data
        assert "Call Ada" in [r["subject"] for r in team.json("activity list")]

    def test_touching_is_not_overlapping(self, team) -> None:
        team.user = "alice"
        _add(team, "meeting", "Kick-off", "--start", "2026-11-24 10:00", "--duration", "1h")
        run = _add(team, "call", "After", "--start", "2026-11-24 11:00", "--duration", "30m")
        assert "warning" not in run.stderr

    def test_other_reps_and_untimed_do_not_clash(self, team) -> None:
        team.user = "alice"
        _add(team, "meeting", "Kick-off", "--start", "2026-11-24 10:00", "--duration", "1h")
        run = _add(
            team,
            "call",
            "Bob's",
            "--start",
            "2026-11-24 10:30",
            "--duration",
            "30m",
            "--owner",
            "bob",
        )
        assert "warning" not in run.stderr
        run = _add(team, "task", "Prepare", "--due", "2026-11-24 10:30")
        assert "warning" not in run.stderr

    def test_no_overlap_refuses_with_exit_3(self, team) -> None:
        team.user = "alice"
        _add(team, "meeting", "Kick-off", "--start", "2026-11-24 10:00", "--duration", "1h")
        run = _add(
            team,
            "call",
            "Call Ada",
            "--start",
            "2026-11-24 10:30",
            "--duration",
            "30m",
            "--no-overlap",
            ok=False,
        )
        assert run.exit_code == 3
        assert "overlaps 'Kick-off'" in run.stderr
        assert "hint:" in run.stderr
        assert [r["subject"] for r in team.json("activity list")] == ["Kick-off"]

    def test_reschedule_into_a_clash(self, team) -> None:
        team.user = "alice"
        _add(team, "meeting", "Kick-off", "--start", "2026-11-24 10:00", "--duration", "1h")
        call = team.json(
            "activity",
            "add",
            "call",
            "Call Ada",
            "--start",
            "2026-11-24 14:00",
            "--duration",
            "30m",
        )
        assert call["conflicts"] == []
        run = team(
            "activity",
            "reschedule",
            call["handle"],
            "--start",
            "2026-11-24 10:15",
            "--no-overlap",
            ok=False,
        )
        assert run.exit_code == 3
        moved = team("activity", "reschedule", call["handle"], "--start", "2026-11-24 10:15")
        assert "overlaps 'Kick-off'" in moved.stderr
        # Moving it again to where it overlaps only itself is no clash.
        again = team("activity", "reschedule", call["handle"], "--start", "2026-11-24 15:00")
        assert "warning" not in again.stderr


class TestSeries:
    """Recurring series are expanded for the check, both ways."""

    def test_single_against_a_series_occurrence(self, team) -> None:
        team.user = "alice"
        _add(
            team,
            "meeting",
            "Weekly sync",
            "--start",
            "2026-11-23 10:00",
            "--duration",
            "30m",
            "--every",
            "weekly",
        )
        run = _add(team, "call", "Call", "--start", "2026-12-14 10:15", "--duration", "30m")
        assert "overlaps 'Weekly sync'" in run.stderr
        assert "@2026-12-14T10:00" in run.stderr  # the occurrence's handle

    def test_new_series_against_a_single(self, team) -> None:
        team.user = "alice"
        _add(team, "call", "Call", "--start", "2026-12-16 09:45", "--duration", "30m")
        run = _add(
            team,
            "meeting",
            "Standup",
            "--start",
            "2026-11-25 10:00",
            "--duration",
            "15m",
            "--every",
            "weekly",
            "--no-overlap",
            ok=False,
        )
        assert run.exit_code == 3
        assert "'Standup' on Wed 2026-12-16 10:00 overlaps 'Call'" in run.stderr

    def test_skipped_occurrence_does_not_clash(self, team) -> None:
        team.user = "alice"
        series = team.json(
            "activity",
            "add",
            "meeting",
            "Weekly sync",
            "--start",
            "2026-11-23 10:00",
            "--duration",
            "30m",
            "--every",
            "weekly",
        )
        team("activity", "delete", series["handle"], "--occurrence", "2026-12-14 10:00")
        run = _add(team, "call", "Call", "--start", "2026-12-14 10:15", "--duration", "30m")
        assert "warning" not in run.stderr


class TestAgendaConflicts:
    """`crm agenda --conflicts` lists the clashes in the shown range."""

    def test_lists_pairs_in_the_week(self, team) -> None:
        team.user = "alice"
        _add(
            team,
            "meeting",
            "Weekly sync",
            "--start",
            "2026-11-23 10:00",
            "--duration",
            "30m",
            "--every",
            "weekly",
        )
        _add(team, "call", "Call Ada", "--start", "2026-11-23 10:15", "--duration", "30m")
        _add(team, "call", "Next week", "--start", "2026-11-30 10:15", "--duration", "30m")
        found = team.json("agenda --week --conflicts")
        assert [(c["subject"], c["overlaps"]) for c in found] == [("Call Ada", "Weekly sync")]
        table = team("agenda --week --conflicts").stdout
        assert "Call Ada" in table and "Weekly sync" in table
        assert team("agenda --conflicts --date 2026-11-24").stderr.strip() == "no clashes"
