"""Closed periods: frozen statements, clawbacks and adjustments in the first open period."""

from __future__ import annotations

import sqlite3

import pytest

from tests.commission.conftest import pay, statement, won

STANDARD = '--tiers "0:5%,50000:8%,100000:10%"'


@pytest.fixture
def closed_q3(reps):
    """alice on the standard plan, two deals won in 2026-Q3, the quarter closed (today is
    2026-11-23)."""
    reps(f"plan add standard {STANDARD}")
    reps("plan assign standard alice")
    won(reps, "Q3 deal", "60000", "2026-09-10")
    won(reps, "Other Q3", "20000", "2026-09-20")
    q3 = statement(reps, "2026-Q3")
    # Q3 deal: 50,000 × 5% = 2,500 + 10,000 × 8% = 800; Other Q3: 20,000 × 8% = 1,600
    assert q3["total"] == "4900.00"
    closed = reps.json("commission close 2026-Q3")
    assert (closed["period"], closed["statements"], closed["total"]) == ("2026-Q3", 1, "4900.00")
    return reps


def _kinds(st):
    return [
        (x["deal"], x["kind"], x["basis"], x["rate"], x["amount"], x["origin"]) for x in st["lines"]
    ]


class TestClose:
    def test_closed_statement_is_frozen(self, closed_q3) -> None:
        before = closed_q3.json("report commission --period 2026-Q3")
        assert before["closed"] is True and before["closed_at"]
        closed_q3("plan edit standard --flat 50%")  # a new plan pays open periods only
        closed_q3("deal edit 'Other Q3' --amount 99000")
        after = closed_q3.json("report commission --period 2026-Q3")
        assert after == before
        assert [x["amount"] for x in after["statements"][0]["lines"]] == [
            "2500.00",
            "800.00",
            "1600.00",
        ]

    def test_clawback_after_a_closed_period_lands_in_the_first_open_one(self, closed_q3) -> None:
        closed_q3("deal reopen 'Q3 deal'")
        won(closed_q3, "Q4 deal", "10000", "2026-11-01")
        q4 = statement(closed_q3, "2026-Q4")
        # Q4 deal: 10,000 × 5% = 500. Q3 deal paid 3,300 on 60,000 in Q3 (blended 5.5%):
        # it is no longer won, so −60,000 of basis claws back exactly −3,300.00
        assert _kinds(q4) == [
            ("Q4 deal", "commission", "10000.00", "0.05", "500.00", None),
            ("Q3 deal", "clawback", "-60000.00", "0.055", "-3300.00", "2026-Q3"),
        ]
        assert q4["total"] == "-2800.00"  # 500 − 3,300
        assert q4["basis"] == "10000.00"  # corrections are not this quarter's sales
        assert statement(closed_q3, "2026-Q3")["total"] == "4900.00"  # never rewritten

    def test_lost_after_close_and_won_again_later_nets_out(self, closed_q3) -> None:
        closed_q3("deal reopen 'Q3 deal'")
        closed_q3("deal win 'Q3 deal' --at '2026-11-15 12:00'")
        q4 = statement(closed_q3, "2026-Q4")
        # won again in Q4: paid again in Q4 (60,000 from 0: 2,500 + 800) and clawed back
        # from Q3 (−3,300): net 0
        assert [(x["kind"], x["amount"]) for x in q4["lines"]] == [
            ("commission", "2500.00"),
            ("commission", "800.00"),
            ("clawback", "-3300.00"),
        ]
        assert q4["total"] == "0.00"

    def test_edits_to_a_closed_periods_deal_are_adjustments(self, closed_q3) -> None:
        closed_q3("deal edit 'Other Q3' --amount 25000")
        q4 = statement(closed_q3, "2026-Q4")
        # Other Q3 was paid 1,600 on 20,000 (8%); +5,000 of basis at 8% = +400
        assert _kinds(q4) == [("Other Q3", "adjustment", "5000.00", "0.08", "400.00", "2026-Q3")]
        closed_q3("deal split 'Other Q3' alice=50 bob=50")
        q4 = statement(closed_q3, "2026-Q4")
        # alice now has 12,500 of the 25,000: 12,500 − 20,000 = −7,500 × 8% = −600
        assert _kinds(q4) == [("Other Q3", "adjustment", "-7500.00", "0.08", "-600.00", "2026-Q3")]

    def test_corrections_are_frozen_when_their_period_closes(self, reps) -> None:
        # Close Q2 with a deal in it, claw it back in Q3, close Q3: the clawback is paid once.
        reps("plan add flat --flat 10%")
        reps("plan assign flat alice")
        won(reps, "June deal", "10000", "2026-06-10")
        reps("commission close 2026-Q2")  # paid 1,000
        reps("deal reopen 'June deal'")
        won(reps, "Q4 deal", "1000", "2026-11-02")
        # the first open period after Q2 is Q3: the clawback lands there, not in Q4
        assert _kinds(statement(reps, "2026-Q3")) == [
            ("June deal", "clawback", "-10000.00", "0.1", "-1000.00", "2026-Q2")
        ]
        assert [x["kind"] for x in statement(reps, "2026-Q4")["lines"]] == ["commission"]
        reps("commission close 2026-Q3")
        q4 = statement(reps, "2026-Q4")
        assert [(x["kind"], x["amount"]) for x in q4["lines"]] == [("commission", "100.00")]

    def test_refund_dated_in_a_closed_period_is_clawed_back(self, reps) -> None:
        reps("plan add onpay --flat 10% --trigger paid")
        reps("plan assign onpay alice")
        deal = won(reps, "Acme", "20000", "2026-08-01")
        pay(reps, deal, "20000", "2026-08-10")
        reps("commission close 2026-Q3")  # paid 2,000
        pay(reps, deal, "-5000", "2026-09-01")  # a refund back-dated into the closed Q3
        q4 = statement(reps, "2026-Q4")
        # −5,000 of Q3 basis at the 10% it was paid at = −500, a clawback in Q4
        assert _kinds(q4) == [("Acme", "clawback", "-5000.00", "0.1", "-500.00", "2026-Q3")]

    def test_periods_lists_open_and_closed(self, closed_q3) -> None:
        rows = {p["period"]: p for p in closed_q3.json("commission periods")}
        assert rows["2026-Q3"]["status"] == "closed" and rows["2026-Q3"]["total"] == "4900.00"
        assert rows["2026-Q4"]["status"] == "open" and rows["2026-Q4"]["takes_corrections"]
        assert rows["2026-Q2"]["status"] == "open" and not rows["2026-Q2"]["takes_corrections"]
        assert "2025-Q1" in rows


class TestBadInput:
    def _count(self, crm) -> int:
        with sqlite3.connect(crm.db) as conn:
            return int(conn.execute("SELECT count(*) FROM changes").fetchone()[0])

    def test_closing_twice_is_refused_and_writes_nothing(self, closed_q3) -> None:
        before = self._count(closed_q3)
        run = closed_q3("commission close 2026-Q3", ok=False)
        assert run.exit_code == 1 and run.stderr.startswith("error: 2026-Q3 is already closed")
        assert self._count(closed_q3) == before

    def test_closing_a_period_that_has_not_ended(self, reps) -> None:
        run = reps("commission close 2026-Q4", ok=False)
        assert run.exit_code == 1
        assert run.stderr.startswith(
            "error: 2026-Q4 has not ended yet (its last day is 2026-12-31)"
        )

    def test_closing_an_overlapping_period(self, closed_q3) -> None:
        run = closed_q3("commission close 2026-09", ok=False)
        assert run.exit_code == 1 and "overlaps the closed period 2026-Q3" in run.stderr

    def test_a_statement_overlapping_a_closed_period(self, closed_q3) -> None:
        run = closed_q3("report commission --period 2026", ok=False)
        assert run.exit_code == 1 and "overlaps the closed period 2026-Q3" in run.stderr

    def test_bad_period_string(self, reps) -> None:
        run = reps("commission close 2026-Q5", ok=False)
        assert run.exit_code == 1 and run.stderr.startswith("error:")


def test_a_rep_who_left_the_plan_is_still_clawed_back(reps) -> None:
    reps("plan add flat --flat 10%")
    reps("plan assign flat bob --from 2026-01-01 --to 2026-09-30")
    won(reps, "Bob deal", "10000", "2026-08-01", owner="bob")
    reps("commission close 2026-Q3")
    reps("deal reopen 'Bob deal'")
    report = reps.json("report commission --period 2026-Q4")
    (bob,) = [s for s in report["statements"] if s["rep"] == "bob"]
    # bob has no plan in Q4, but the 1,000 Q3 paid him (10,000 × 10%) comes back
    assert (bob["plan"], bob["total"], bob["lines"][0]["kind"]) == (None, "-1000.00", "clawback")
