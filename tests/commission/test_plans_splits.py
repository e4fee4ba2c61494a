"""Plans, assignments and splits through the CLI: what they store, show and refuse."""

from __future__ import annotations

import sqlite3

import pytest


def _changes(crm) -> int:
    with sqlite3.connect(crm.db) as conn:
        return int(conn.execute("SELECT count(*) FROM changes").fetchone()[0])


class TestPlans:
    def test_add_show_list_edit(self, reps) -> None:
        plan = reps.json(
            'plan add standard --tiers "0:5%,50000:8%,100000:10%" --accelerator 1.5 --cap 20000'
        )
        assert plan["tiers"] == [
            {"threshold": "0", "rate": "0.05", "rate_pct": "5"},
            {"threshold": "50000", "rate": "0.08", "rate_pct": "8"},
            {"threshold": "100000", "rate": "0.1", "rate_pct": "10"},
        ]
        assert (plan["mode"], plan["basis"], plan["trigger"], plan["accelerator"], plan["cap"]) == (
            "marginal",
            "money",
            "won",
            "1.5",
            "20000.00",
        )
        reps("plan assign standard alice")
        assert [(p["name"], p["reps"]) for p in reps.json("plan list")] == [("standard", 1)]
        edited = reps.json("plan edit standard --mode retroactive --cap none --name std")
        assert (edited["name"], edited["mode"], edited["cap"]) == ("std", "retroactive", None)
        assert "0:5%,50000:8%,100000:10%" in reps("plan show std").stdout
        history = reps.json("history std")["changes"]
        assert {c["field"] for c in history if c["op"] == "update"} == {"mode", "cap_milli", "name"}

    def test_flat_plan_and_quota_bands(self, reps) -> None:
        assert reps.json("plan add flat --flat 7.5%")["tiers_text"] == "0:7.5%"
        q = reps.json('plan add q --basis quota --tiers "0%:4%,100%:8%"')
        assert q["tiers_text"] == "0%:4%,100%:8%"

    @pytest.mark.parametrize(
        ("options", "message"),
        [
            ('--tiers "0:5%,50000:8%,50000:10%"', "strictly increasing"),
            ('--tiers "0:5%,100000:8%,50000:10%"', "strictly increasing"),
            ('--tiers "0:-1%"', "between 0% and 100%"),
            ('--tiers "0:101%"', "between 0% and 100%"),
            ("--flat 150%", "between 0% and 100%"),
            ('--tiers "0=5%"', "is not THRESHOLD:RATE"),
            ('--tiers "0:5%" --mode steep', "--mode must be marginal or retroactive"),
            ('--tiers "0:5%" --trigger signed', "--trigger must be won or paid"),
            ('--tiers "0:5%" --accelerator 0.5', "between 1 and 10"),
            ('--tiers "0:5%" --cap -5', "cannot be negative"),
            ("", "needs --tiers or --flat"),
            ('--tiers "0:5%" --flat 5%', "not both"),
        ],
    )
    def test_bad_plans_are_refused_and_nothing_is_written(self, reps, options, message) -> None:
        before = _changes(reps)
        run = reps(f"plan add bad {options}", ok=False)
        assert run.exit_code == 1, run.stderr
        assert run.stderr.startswith("error:") and message in run.stderr
        assert len(run.stderr.splitlines()) <= 2
        assert _changes(reps) == before

    def test_duplicate_name(self, reps) -> None:
        reps("plan add flat --flat 5%")
        run = reps("plan add FLAT --flat 6%", ok=False)
        assert run.exit_code == 1 and "already exists" in run.stderr


class TestAssignments:
    def test_later_assignment_without_from_starts_today(self, reps) -> None:
        reps("plan add a --flat 5%")
        reps("plan add b --flat 6%")
        first = reps.json("plan assign a alice")
        assert first["valid_from"] is None  # covers everything before it
        second = reps.json("plan assign b alice")
        assert second["valid_from"] == "2026-11-23"  # today (CRM_NOW)
        assert reps.json("plan show a")["assignments"][0]["valid_to"] == "2026-11-22"

    def test_overlapping_assignments_are_refused(self, reps) -> None:
        reps("plan add a --flat 5%")
        reps("plan add b --flat 6%")
        reps("plan assign a alice --from 2026-01-01 --to 2026-06-30")
        before = _changes(reps)
        run = reps("plan assign b alice --from 2026-06-01 --to 2026-12-31", ok=False)
        assert run.exit_code == 1
        assert run.stderr.startswith(
            "error: alice is already on plan 'a' for 2026-01-01 → 2026-06-30"
        )
        run = reps(
            "plan assign b alice --from 2026-03-01", ok=False
        )  # open-ended over a bounded one
        assert run.exit_code == 1 and "already on plan 'a'" in run.stderr
        assert _changes(reps) == before
        reps("plan assign b alice --from 2026-07-01")  # adjacent is fine

    def test_to_before_from_and_unknown_rep(self, reps) -> None:
        reps("plan add a --flat 5%")
        run = reps("plan assign a alice --from 2026-06-01 --to 2026-05-01", ok=False)
        assert run.exit_code == 1 and "before --from" in run.stderr
        run = reps("plan assign a zed", ok=False)
        assert run.exit_code == 1 and "unknown rep 'zed'" in run.stderr
        run = reps("plan assign nope alice", ok=False)
        assert run.exit_code == 1 and "no plan matches 'nope'" in run.stderr


class TestSplits:
    def test_split_is_stored_shown_and_in_history(self, reps) -> None:
        reps("deal add 'Acme renewal' --amount 48000 --owner alice")
        assert [
            (s["rep"], s["share"]) for s in reps.json("deal split 'Acme renewal'")["splits"]
        ] == [("alice", "100")]
        view = reps.json("deal split 'Acme renewal' alice=60 bob=40 --overlay carol=20")
        assert [(s["rep"], s["kind"], s["share"]) for s in view["splits"]] == [
            ("alice", "revenue", "60"),
            ("bob", "revenue", "40"),
            ("carol", "overlay", "20"),
        ]
        assert (view["revenue_total"], view["overlay_total"]) == ("100", "20")
        reps("deal split 'Acme renewal' alice=70 bob=30")  # re-split: overlay removed
        history = reps.json("history 'Acme renewal'")["changes"]
        splits = [(c["op"], c["field"]) for c in history if c["entity"] == "deal_splits"]
        assert splits.count(("create", None)) == 3
        assert ("update", "share_pct") in splits and ("delete", None) in splits
        reps("deal split 'Acme renewal' --clear")
        assert [s["rep"] for s in reps.json("deal split 'Acme renewal'")["splits"]] == ["alice"]
        reps("deal split 'Acme renewal' alice=50 carol=50")  # a removed share comes back
        assert {s["rep"] for s in reps.json("deal split 'Acme renewal'")["splits"]} == {
            "alice",
            "carol",
        }

    @pytest.mark.parametrize(
        ("shares", "message"),
        [
            ("alice=60 bob=30", "total 90%, not 100%"),
            ("alice=60 bob=50", "total 110%, not 100%"),
            ("alice=60 zed=40", "unknown rep 'zed' in the split"),
            ("alice=60 alice=40", "named twice"),
            ("alice=0 bob=100", "more than 0"),
            ("alice=sixty bob=40", "not a number"),
            ("alice bob", "is not REP=PERCENT"),
            ("alice=100 --overlay zed=10", "unknown rep 'zed'"),
        ],
    )
    def test_bad_splits_are_refused_and_nothing_is_written(self, reps, shares, message) -> None:
        reps("deal add 'Acme renewal' --amount 48000 --owner alice")
        before = _changes(reps)
        run = reps(f"deal split 'Acme renewal' {shares}", ok=False)
        assert run.exit_code == 1, run.stderr
        assert run.stderr.startswith("error:") and message in run.stderr
        assert _changes(reps) == before
