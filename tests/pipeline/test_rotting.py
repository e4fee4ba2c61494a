"""Idle ("rotting") deals, with a controlled clock: no activity and no stage change for more
than the stage's rotting days (Prospecting: 30 by default)."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.conftest import Crm
from tests.pipeline.conftest import touch_deal

DAY_31 = {"CRM_NOW": "2026-12-02T10:00:00+01:00"}  # 31 days after 2026-11-01
DAY_29 = {"CRM_NOW": "2026-11-30T10:00:00+01:00"}


def _rotting_names(crm: Crm, env: dict[str, str]) -> list[str]:
    return sorted(d["name"] for d in crm.json("deal list --rotting", env=env))


class TestRotting:
    """A deal rots after its stage's threshold; a move or an activity resets the clock."""

    def _book(self, team: Crm) -> Crm:
        team("deal add Idle --amount 100 --at '2026-11-01 10:00'")
        team("deal add Busy --amount 200 --at '2026-11-01 10:00'")
        team("deal add Moved --amount 300 --at '2026-11-01 10:00'")
        team("deal move Moved Qualification --at '2026-11-20 10:00'")
        busy = team.json("deal show Busy")["id"]
        touch_deal(team, busy, datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
        return team

    def test_threshold_is_exclusive(self, team: Crm) -> None:
        crm = self._book(team)
        assert _rotting_names(crm, DAY_29) == []
        assert _rotting_names(crm, DAY_31) == ["Idle"]

    def test_flag_in_list_show_and_board(self, team: Crm) -> None:
        crm = self._book(team)
        listed = {d["name"]: d for d in crm.json("deal list", env=DAY_31)}
        assert listed["Idle"]["rotting"] is True
        assert listed["Idle"]["idle_days"] == 31
        assert listed["Busy"]["rotting"] is False
        assert listed["Busy"]["idle_days"] == 7
        shown = crm.json("deal show Idle", env=DAY_31)
        assert (shown["rotting"], shown["days_in_stage"]) == (True, 31)
        assert "! 31d" in crm("deal list", env=DAY_31).stdout
        assert (
            "no activity or stage change for too long" in crm("deal show Idle", env=DAY_31).stdout
        )
        assert "too long" not in crm("deal show Busy", env=DAY_31).stdout
        board = crm.json("board", env=DAY_31)
        prospecting = board["stages"][0]
        assert prospecting["rotting"] == 1
        assert {c["name"]: c["rotting"] for c in prospecting["cards"]} == {
            "Idle": True,
            "Busy": False,
        }
        assert "! 31d idle" in crm("board", env={**DAY_31, "COLUMNS": "80"}).stdout

    def test_stage_threshold_is_editable_and_zero_disables(self, team: Crm) -> None:
        crm = self._book(team)
        crm("pipeline stage edit Prospecting --rotting-days 60")
        assert _rotting_names(crm, DAY_31) == []
        crm("pipeline stage edit Qualification --rotting-days 5")
        assert _rotting_names(crm, DAY_31) == ["Moved"]
        crm("pipeline stage edit Qualification --rotting-days 0")
        assert _rotting_names(crm, DAY_31) == []

    def test_closed_deals_never_rot(self, team: Crm) -> None:
        crm = self._book(team)
        crm("deal win Idle --at 2026-11-02")
        assert _rotting_names(crm, {"CRM_NOW": "2027-06-01T10:00:00+01:00"}) == [
            "Busy",
            "Moved",
        ]
