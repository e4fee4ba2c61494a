"""`crm pipeline` and `crm pipeline stage`: several pipelines with ordered stages."""

from __future__ import annotations

import pytest

from tests.conftest import Crm


def _stages(crm: Crm, pipeline: str = "") -> list[tuple[str, int, str, int | None]]:
    shown = crm.json(f"pipeline show {pipeline}".strip())
    return [(s["name"], s["probability"], s["kind"], s["rotting_days"]) for s in shown["stages"]]


class TestPipelines:
    """The default pipeline of SPEC §4, more pipelines, and the default one."""

    def test_default_pipeline_exists_from_the_first_run(self, crm: Crm) -> None:
        (sales,) = crm.json("pipeline list")
        assert (sales["name"], sales["is_default"]) == ("Sales", True)
        assert _stages(crm) == [
            ("Prospecting", 10, "open", 30),
            ("Qualification", 20, "open", 30),
            ("Proposal", 40, "open", 30),
            ("Evaluation", 60, "open", 30),
            ("Negotiation", 80, "open", 30),
            ("Closed Won", 100, "won", None),
            ("Closed Lost", 0, "lost", None),
        ]

    def test_add_with_stages_and_make_default(self, crm: Crm) -> None:
        crm("pipeline add Partners --stages 'Intro:10, Pilot:50' --rotting-days 14")
        assert _stages(crm, "Partners") == [
            ("Intro", 10, "open", 14),
            ("Pilot", 50, "open", 14),
            ("Closed Won", 100, "won", None),
            ("Closed Lost", 0, "lost", None),
        ]
        crm("pipeline edit Partners --default --name Channel")
        pipelines = {p["name"]: p["is_default"] for p in crm.json("pipeline list")}
        assert pipelines == {"Sales": False, "Channel": True}
        stages = {p["name"]: p["stages"] for p in crm.json("pipeline list")}
        assert stages["Channel"] == ["Intro", "Pilot", "Closed Won", "Closed Lost"]
        assert stages["Sales"][:2] == ["Prospecting", "Qualification"]
        assert len(stages["Sales"]) == 7
        assert crm.json("deal add X --amount 1")["pipeline"] == "Channel"

    @pytest.mark.parametrize(
        ("command", "message"),
        [
            ("pipeline add Sales", "already exists"),
            ("pipeline add P --stages 'A:10,B:120'", "between 0 and 100"),
            ("pipeline add P --stages 'A'", "needs a probability"),
            ("pipeline add P --stages 'A:1,a:2'", "same name"),
            ("pipeline edit Sales --position 0", "position"),
            ("pipeline edit Nope --name X", "no pipeline"),
        ],
    )
    def test_bad_input(self, crm: Crm, command: str, message: str) -> None:
        result = crm(command, ok=False)
        assert result.exit_code == 1
        assert message in result.stderr
        assert [p["name"] for p in crm.json("pipeline list")] == ["Sales"]


class TestStages:
    """Stages: add, edit, reorder, delete — with deals kept consistent."""

    def test_add_goes_after_the_last_open_stage(self, crm: Crm) -> None:
        crm("pipeline stage add Demo --probability 50")
        assert [s[0] for s in _stages(crm)][4:7] == ["Negotiation", "Demo", "Closed Won"]
        crm("pipeline stage add Discovery --probability 15 --after Prospecting --rotting-days 7")
        assert _stages(crm)[1] == ("Discovery", 15, "open", 7)

    def test_edit_and_move(self, crm: Crm) -> None:
        crm("pipeline stage edit Evaluation --name Trial --probability 65 --rotting-days 10")
        crm("pipeline stage move Trial --position 2")
        crm("pipeline stage move Negotiation --before Qualification")
        assert [s[0] for s in _stages(crm)] == [
            "Prospecting",
            "Trial",
            "Negotiation",
            "Qualification",
            "Proposal",
            "Closed Won",
            "Closed Lost",
        ]
        assert _stages(crm)[1] == ("Trial", 65, "open", 10)
        positions = [s["position"] for s in crm.json("pipeline show")["stages"]]
        assert positions == [1, 2, 3, 4, 5, 6, 7]

    def test_stage_probability_drives_weighted_value(self, crm: Crm) -> None:
        crm("deal add X --amount 1000")
        crm("pipeline stage edit Prospecting --probability 25")
        assert crm.json("deal show X")["weighted_amount"] == "250.00"

    def test_delete_moves_deals_and_records_it(self, crm: Crm) -> None:
        crm("deal add X --amount 10 --stage Evaluation --at 2026-11-01")
        refused = crm("pipeline stage delete Evaluation", ok=False)
        assert refused.exit_code == 1
        assert "has 1 deal" in refused.stderr
        assert crm.json("deal show X")["stage"] == "Evaluation"
        crm("pipeline stage delete Evaluation --move-to Proposal --at 2026-11-10")
        assert "Evaluation" not in [s[0] for s in _stages(crm)]
        deal = crm.json("deal show X")
        assert deal["stage"] == "Proposal"
        assert deal["stage_history"][-1]["from_stage"] == "Evaluation"
        # A stage move like any other: the stated time, the acting user, stage_changed_at.
        last = deal["stage_history"][-1]
        assert (last["to_stage"], last["at"]) == ("Proposal", "2026-11-09T23:00:00+00:00")
        assert last["user"] == deal["stage_history"][0]["user"] is not None
        assert deal["stage_changed_at"] == "2026-11-09T23:00:00+00:00"
        crm("pipeline stage add Evaluation --probability 60 --after Proposal")
        assert [s[0] for s in _stages(crm)][3] == "Evaluation"

    @pytest.mark.parametrize(
        ("command", "message"),
        [
            ("pipeline stage add Proposal", "already has a stage"),
            ("pipeline stage add X --probability 101", "between 0 and 100"),
            ("pipeline stage add X --kind maybe", "kind must be"),
            ("pipeline stage add X --rotting-days soon", "whole number"),
            ("pipeline stage edit 'Closed Won' --kind open", "only won stage"),
            ("pipeline stage delete 'Closed Lost'", "only lost stage"),
            ("pipeline stage move Proposal", "say where"),
            ("pipeline stage move Proposal --position 99", "between 1 and"),
            ("pipeline stage edit Nowhere --probability 5", "no stage"),
        ],
    )
    def test_bad_input_changes_nothing(self, crm: Crm, command: str, message: str) -> None:
        before = _stages(crm)
        result = crm(command, ok=False)
        assert result.exit_code == 1
        assert message in result.stderr
        assert _stages(crm) == before

    def test_kind_of_a_stage_with_deals_cannot_change(self, crm: Crm) -> None:
        crm("pipeline stage add Signed --kind won --probability 100")
        crm("deal add X --amount 10")
        result = crm("pipeline stage edit Prospecting --kind lost", ok=False)
        assert result.exit_code == 1
        assert "has deals" in result.stderr
        assert _stages(crm)[0] == ("Prospecting", 10, "open", 30)
        crm("pipeline stage edit Qualification --kind won")  # no deals: allowed
        assert _stages(crm)[1][2] == "won"
