"""Stage moves, stage history, win / lose / reopen, and lost-reason normalisation."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Crm


def _history(crm: Crm, deal: str) -> list[tuple[Any, ...]]:
    return [
        (h["from_stage"], h["to_stage"], h["at"], h["user"])
        for h in crm.json(f"deal show {deal!r}")["stage_history"]
    ]


class TestMove:
    """Every stage change is a stage-history row at the stated time, by the acting user."""

    def test_spec_examples_verbatim(self, team: Crm) -> None:
        from tests.pipeline.conftest import add_company

        add_company(team, "Acme GmbH")
        team(
            'deal add "Acme renewal" --company "Acme GmbH" --amount 48000 --currency EUR '
            "--owner alice --close 2026-12-15"
        )
        team('deal move "Acme renewal" Proposal --at 2026-10-01')
        team('deal win "Acme renewal" --at 2026-11-20')
        deal = team.json('deal show "Acme renewal"')
        assert deal["status"] == "won"
        assert deal["stage"] == "Closed Won"
        assert deal["closed_at"] == "2026-11-19T23:00:00+00:00"  # midnight in Berlin
        assert {(h["from_stage"], h["to_stage"]) for h in deal["stage_history"]} == {
            (None, "Prospecting"),
            ("Prospecting", "Proposal"),
            ("Proposal", "Closed Won"),
        }
        team('deal add "Navy Labs pilot" --amount 12000')
        team('deal lose "Navy Labs pilot" --reason price --competitor "Globex"')
        lost = team.json('deal show "Navy Labs pilot"')
        assert (lost["status"], lost["lost_reason"], lost["competitor"]) == (
            "lost",
            "price",
            "Globex",
        )

    def test_by_name_position_next_back_and_actor(self, team: Crm) -> None:
        team("deal add Thing --amount 10 --at 2026-11-01")
        team.user = "alice"
        team("deal move Thing qual --at 2026-11-02")  # unique prefix
        team("deal move Thing 4 --at 2026-11-03")  # position: Evaluation
        team("deal move Thing --back --at 2026-11-04")
        team("deal move Thing --next --at 2026-11-05")
        history = _history(team, "Thing")
        assert [(f, t) for f, t, _, _ in history] == [
            (None, "Prospecting"),
            ("Prospecting", "Qualification"),
            ("Qualification", "Evaluation"),
            ("Evaluation", "Proposal"),
            ("Proposal", "Evaluation"),
        ]
        assert [u for *_, u in history][1:] == ["alice"] * 4
        assert history[-1][2] == "2026-11-04T23:00:00+00:00"
        deal = team.json("deal show Thing")
        assert deal["stage_changed_at"] == "2026-11-04T23:00:00+00:00"

    def test_move_to_current_stage_is_a_no_op(self, team: Crm) -> None:
        team("deal add Thing --amount 10")
        result = team("deal move Thing Prospecting")
        assert "already in Prospecting" in result.stderr
        assert len(_history(team, "Thing")) == 1

    def test_moving_to_won_stage_wins(self, team: Crm) -> None:
        team("deal add Thing --amount 10")
        assert team.json("deal move Thing 'Closed Won'")["status"] == "won"

    @pytest.mark.parametrize(
        ("setup", "command", "message"),
        [
            ("deal win Thing", "deal move Thing Proposal", "reopen it before you move it"),
            ("deal lose Thing --reason price", "deal move Thing --next", "is lost"),
            ("", "deal move Thing 'Closed Lost'", "lost with a reason"),
            ("", "deal move Thing Nowhere", "no stage 'Nowhere'"),
            ("", "deal move Thing 9", "no stage '9'"),
            ("", "deal move Thing --back", "first open stage"),
            ("", "deal move Thing", "name a stage"),
            (
                "pipeline add Partners --stages Intro:10,Pilot:50",
                "deal move Thing Pilot",
                "belongs to pipeline 'Partners'",
            ),
            ("deal win Thing", "deal win Thing", "is won"),
            ("", "deal reopen Thing", "already open"),
            ("", "deal lose Thing", "needs a reason"),
            ("", "deal lose Thing --reason '  '", "needs a reason"),
        ],
    )
    def test_bad_moves_change_nothing(
        self, team: Crm, setup: str, command: str, message: str
    ) -> None:
        team("deal add Thing --amount 10")
        if setup:
            team(setup)
        before = team.json("deal show Thing")
        result = team(command, ok=False)
        assert result.exit_code == 1, result.stderr
        assert message in result.stderr
        after = team.json("deal show Thing")
        assert after["stage_history"] == before["stage_history"]
        assert after["updated_at"] == before["updated_at"]

    def test_move_across_pipelines_when_asked(self, team: Crm) -> None:
        team("pipeline add Partners --stages Intro:10,Pilot:50")
        team("deal add Thing --amount 100")
        moved = team.json("deal move Thing Pilot --pipeline Partners")
        assert (moved["pipeline"], moved["stage"], moved["weighted_amount"]) == (
            "Partners",
            "Pilot",
            "50.00",
        )


class TestCloseAndReopen:
    """Closing sets status and closed_at; reopening clears them and keeps the history."""

    def test_win_then_reopen_returns_to_previous_stage(self, team: Crm) -> None:
        team("deal add Thing --amount 10 --at 2026-11-01")
        team("deal move Thing Negotiation --at 2026-11-02")
        won = team.json("deal win Thing --at 2026-11-10")
        assert (won["status"], won["closed_at"]) == ("won", "2026-11-09T23:00:00+00:00")
        reopened = team.json("deal reopen Thing --at 2026-11-12")
        assert (reopened["status"], reopened["closed_at"], reopened["stage"]) == (
            "open",
            None,
            "Negotiation",
        )
        assert [t for _, t, _, _ in _history(team, "Thing")] == [
            "Prospecting",
            "Negotiation",
            "Closed Won",
            "Negotiation",
        ]

    def test_lose_then_reopen_into_named_stage_clears_reason(self, team: Crm) -> None:
        team("deal add Thing --amount 10")
        team("deal lose Thing --reason timing --competitor Initech")
        reopened = team.json("deal reopen Thing --stage Qualification")
        assert reopened["stage"] == "Qualification"
        assert (reopened["lost_reason"], reopened["competitor"]) == (None, None)
        assert team.json("deal win Thing")["status"] == "won"

    def test_reopen_into_a_closed_stage_is_refused(self, team: Crm) -> None:
        team("deal add Thing --amount 10")
        team("deal win Thing")
        result = team("deal reopen Thing --stage 'Closed Lost'", ok=False)
        assert result.exit_code == 1
        assert team.json("deal show Thing")["status"] == "won"


class TestLostReasons:
    """Reasons and competitors are normalised so the lost-deal report can group them."""

    def test_case_and_spacing_match_existing_values(self, team: Crm) -> None:
        for name in ("A", "B", "C"):
            team(f"deal add {name} --amount 10")
        team("deal lose A --reason price --competitor Globex")
        team("deal lose B --reason 'Price ' --competitor ' globex'")
        team("deal lose C --reason 'No   Budget'")
        names = {d["name"]: d for d in team.json("deal list --status lost")}
        assert (names["B"]["lost_reason"], names["B"]["competitor"]) == ("price", "Globex")
        assert names["C"]["lost_reason"] == "no budget"
        listed = team.json("deal lost-reasons")
        assert listed["reasons"] == [
            {"reason": "price", "deals": 2},
            {"reason": "no budget", "deals": 1},
        ]
        assert listed["competitors"] == [{"competitor": "Globex", "deals": 2}]

    def test_missing_reason_suggests_existing_ones(self, team: Crm) -> None:
        team("deal add A --amount 10")
        team("deal add B --amount 10")
        team("deal lose A --reason price")
        result = team("deal lose B", ok=False)
        assert result.exit_code == 1
        assert "hint: reasons in use: price" in result.stderr
        assert team.json("deal show B")["status"] == "open"


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    steps=st.lists(st.sampled_from(["--next", "--back", "win", "lose", "reopen", "3"]), max_size=8)
)
def test_history_always_ends_in_the_current_stage(team: Crm, steps: list[str]) -> None:
    """Whatever sequence of (possibly refused) actions: the last history row is the stage."""
    deal = team.json("deal add Prop --amount 10")["handle"]
    for step in steps:
        command = {
            "win": f"deal win {deal}",
            "lose": f"deal lose {deal} --reason price",
            "reopen": f"deal reopen {deal}",
        }.get(step, f"deal move {deal} {step}")
        team(command, ok=False)
    shown = team.json(f"deal show {deal}")
    history = shown["stage_history"]
    assert history[-1]["to_stage"] == shown["stage"]
    assert all(a["to_stage"] == b["from_stage"] for a, b in itertools.pairwise(history))
    assert (shown["closed_at"] is None) == (shown["status"] == "open")
