"""Reports on small hand-built books: every figure computed by hand in the comments."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def _book(crm) -> None:
    """alice (east) and bob (west); four deals created in 2026-Q4."""
    crm("user add alice --team east --territory dach")
    crm("user add bob --team west")
    # A: Prospecting → Proposal (skips Qualification) → won 20 Oct, 1000 EUR, 18 days
    crm("deal add A --amount 1000 --owner alice --at 2026-10-02")
    crm("deal move A Proposal --at 2026-10-05")
    crm("deal win A --at 2026-10-20")
    # B: lost from Proposal, price, Globex, 2000 EUR
    crm("deal add B --amount 2000 --owner bob --at 2026-10-03")
    crm("deal move B Proposal --at 2026-10-04")
    crm("deal lose B --reason price --competitor Globex --at 2026-10-21")
    # C: won straight from Prospecting on 30 Oct, then reopened on 5 Nov (into Prospecting)
    crm("deal add C --amount 500 --owner alice --at 2026-10-10")
    crm("deal win C --at 2026-10-30")
    crm("deal reopen C --at 2026-11-05")
    # D: open in Negotiation (80%), 4000 EUR
    crm("deal add D --amount 4000 --owner bob --at 2026-10-12")
    crm("deal move D Negotiation --at 2026-10-14")


class TestFunnel:
    """The funnel of SPEC §5 on a hand-built book."""

    def test_cohort_with_skipped_stage_and_reopened_deal(self, crm) -> None:
        _book(crm)
        report = crm.json("report funnel --period 2026-Q4")
        reached = {s["stage"]: s["reached"] for s in report["stages"]}
        # Prospecting: A B C D = 4; Qualification: A (skipped, counts), B, C (was won), D = 4
        # Proposal: A B C D = 4; Evaluation: A (won) C (was won) D = 3; Negotiation: A C D = 3
        # Closed Won: A only (C was reopened) = 1
        assert reached == {
            "Prospecting": 4,
            "Qualification": 4,
            "Proposal": 4,
            "Evaluation": 3,
            "Negotiation": 3,
            "Closed Won": 1,
        }
        by = {s["stage"]: s for s in report["stages"]}
        assert by["Prospecting"]["amount"] == "7500.00"  # 1000 + 2000 + 500 + 4000
        assert by["Proposal"]["conversion_to_next"] == 0.75  # 3 / 4
        # closed in Q4 now: A won, B lost (C's win was undone by the reopen)
        assert (report["won"], report["lost"], report["win_rate"]) == (1, 1, 0.5)
        assert report["avg_deal_size"] == "1000.00"
        assert report["avg_cycle_days"] == 18.0  # 2 Oct → 20 Oct
        # open: C (Prospecting 10%) and D (Negotiation 80%): 500×0.1 + 4000×0.8 = 3250
        assert report["open_deals"] == 2
        assert report["weighted_pipeline"] == "3250.00"
        # velocity = 2 × 0.5 × 1000 / 18 = 55.555… → 55.56 per day
        assert report["pipeline_velocity"] == "55.56"

    def test_as_of_matches_the_snapshot_saved_that_day(self, crm, monkeypatch) -> None:
        monkeypatch.setenv("CRM_NOW", "2026-10-25T12:00:00+00:00")
        crm("user add alice")
        crm("deal add A --amount 1000 --owner alice --at 2026-10-02")
        crm("deal add B --amount 3000 --owner alice --at 2026-10-03")
        crm("deal move B Evaluation --at 2026-10-10")
        saved = crm.json("report funnel --snapshot --period 2026-Q4")
        # later: amounts, owners and stages change, a deal is added and one deleted
        monkeypatch.setenv("CRM_NOW", "2026-11-20T12:00:00+00:00")
        crm("user add bob")
        crm("deal edit A --amount 9999 --owner bob")
        crm("deal win B")
        crm("deal add E --amount 50 --owner alice")
        crm("deal delete A")
        then = crm.json("report funnel --as-of 2026-10-25 --period 2026-Q4")
        for key in ("stages", "won", "lost", "open_deals", "weighted_pipeline", "deals"):
            assert then[key] == saved[key], key
        now = crm.json("report funnel --snapshot --period 2026-Q4")
        assert now["weighted_pipeline"] != saved["weighted_pipeline"]

    def test_as_of_today_equals_snapshot(self, crm) -> None:
        _book(crm)
        today = crm.json("report funnel --as-of 2026-11-23 --period 2026-Q4")
        snap = crm.json("report funnel --snapshot --period 2026-Q4")
        for key in ("stages", "won", "lost", "open_deals", "weighted_pipeline"):
            assert today[key] == snap[key]

    def test_deal_won_in_another_currency(self, crm) -> None:
        crm("user add alice")
        crm("currency rate set USD 0.90 --at 2026-10-01")
        crm("currency rate set USD 0.95 --at 2026-11-01")
        crm("deal add A --amount 1000 --currency USD --owner alice --at 2026-10-02")
        crm('deal win A --at "2026-10-20 12:00"')  # converts at 0.90 (rate in force on 20 Oct)
        crm("deal add B --amount 1000 --currency USD --owner alice --at 2026-10-03")
        # B is open: latest rate 0.95; Prospecting 10% → 95.00
        report = crm.json("report funnel --period 2026-Q4")
        assert report["currency"] == "EUR"
        assert report["avg_deal_size"] == "900.00"
        assert report["weighted_pipeline"] == "95.00"

    def test_missing_rate_is_an_error_naming_currency_and_date(self, crm) -> None:
        crm("user add alice")
        crm("deal add A --amount 1000 --currency USD --owner alice --at 2026-10-02")
        crm('deal win A --at "2026-10-20 12:00"')  # rates apply by the UTC close date
        run = crm("report funnel --period 2026-Q4", ok=False)
        assert run.exit_code == 1
        assert "USD" in run.stderr and "2026-10-20" in run.stderr

    @settings(
        max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(
        st.lists(
            st.tuples(st.sampled_from(["alice", "bob"]), st.integers(1, 5)), min_size=1, max_size=5
        )
    )
    def test_per_rep_counts_sum_to_the_team(self, crm, deals) -> None:
        crm.db.unlink(missing_ok=True)
        crm("user add alice --team east")
        crm("user add bob --team east")
        for index, (rep, stage) in enumerate(deals):
            crm(f"deal add D{index} --amount 100 --owner {rep} --at 2026-10-05")
            if stage > 1:
                crm(f"deal move D{index} {stage} --at 2026-10-06")
        team = crm.json("report funnel --team east --period 2026-Q4")["stages"]
        per_rep = [
            crm.json(f"report funnel --owner {u} --period 2026-Q4")["stages"]
            for u in ("alice", "bob")
        ]
        for index, stage in enumerate(team):
            assert stage["reached"] == sum(r[index]["reached"] for r in per_rep)


class TestForecast:
    """Forecast categories, quotas rolled up, attainment and gap."""

    def test_commit_and_best_case_across_two_months(self, crm) -> None:
        crm("user add alice")
        crm("user quota set alice 2026-10 1000")
        crm("user quota set alice 2026-11 2000")
        crm("user quota set alice 2026-12 3000")
        crm("deal add A --amount 1000 --owner alice --close 2026-11-15")
        crm("deal edit A --forecast commit")  # set by hand
        crm("deal add B --amount 2000 --owner alice --close 2026-12-10")
        crm("deal move B Proposal")  # 40% → best case by default
        crm("deal add C --amount 400 --owner alice --close 2026-12-20")  # 10% → pipeline
        crm("deal add W --amount 1500 --owner alice --close 2026-10-30 --at 2026-10-01")
        crm("deal win W --at 2026-10-15")
        report = crm.json("report forecast --period 2026-Q4")
        rows = {r["period"]: r for r in report["rows"]}
        assert rows["2026-10"]["won"] == "1500.00"
        assert rows["2026-10"]["attainment"] == 1.5  # 1500 / 1000
        assert rows["2026-11"]["commit"] == "1000.00"
        assert rows["2026-11"]["weighted_pipeline"] == "100.00"  # 1000 × 10%
        assert rows["2026-11"]["gap"] == "2000.00"  # 2000 − 0 won
        assert rows["2026-12"]["best_case"] == "2000.00"
        assert rows["2026-12"]["pipeline"] == "400.00"
        assert rows["2026-12"]["weighted_pipeline"] == "840.00"  # 2000×40% + 400×10%
        # the quarter quota rolls up from the months: 1000 + 2000 + 3000
        total = report["total"]
        assert total["quota"] == "6000.00"
        assert total["gap"] == "4500.00"  # 6000 − 1500
        quarter = crm.json("report forecast --period 2026-Q4 --by quarter")["rows"][0]
        assert quarter["quota"] == "6000.00" and quarter["commit"] == "1000.00"

    def test_a_quarter_quota_shows_in_the_monthly_total(self, crm) -> None:
        crm("user add alice")
        crm("user quota set alice 2026-Q4 9000")
        crm("deal add W --amount 3000 --owner alice --at 2026-10-01")
        crm("deal win W --at 2026-11-15")
        report = crm.json("report forecast --period 2026-Q4")
        assert all(r["quota"] is None for r in report["rows"])  # no monthly quotas
        # the quarter's own quota, 9000; attainment 3000 / 9000; gap 6000
        assert (report["total"]["quota"], report["total"]["gap"]) == ("9000.00", "6000.00")
        assert report["total"]["attainment"] == 0.3333

    def test_as_of_shows_what_was_committed(self, crm, monkeypatch) -> None:
        monkeypatch.setenv("CRM_NOW", "2026-10-01T12:00:00+00:00")
        crm("user add alice")
        crm("deal add A --amount 1000 --owner alice --close 2026-11-15")
        crm("deal edit A --forecast commit")
        monkeypatch.setenv("CRM_NOW", "2026-11-23T12:00:00+00:00")
        crm("deal edit A --forecast omitted --amount 5")
        then = crm.json("report forecast --period 2026-Q4 --as-of 2026-10-01")
        assert then["total"]["commit"] == "1000.00"
        now = crm.json("report forecast --period 2026-Q4")
        assert now["total"]["commit"] == "0.00" and now["total"]["omitted"] == "5.00"

    def test_bad_category(self, crm) -> None:
        crm("deal add A --amount 1")
        run = crm("deal edit A --forecast maybe", ok=False)
        assert run.exit_code == 1 and "commit" in run.stderr


class TestLost:
    def test_by_reason_competitor_stage(self, crm) -> None:
        _book(crm)
        report = crm.json("report lost --period 2026-Q4")
        assert report["lost"] == 1 and report["amount"] == "2000.00"
        assert report["by_reason"] == [{"reason": "price", "deals": 1, "amount": "2000.00"}]
        assert report["by_stage"][0]["stage"] == "Proposal"
        assert report["competitors"] == [
            {"competitor": "Globex", "won": 0, "lost": 1, "win_rate": 0.0}
        ]


class TestActivity:
    def test_done_scheduled_and_targets(self, crm) -> None:
        crm("user add alice")
        crm("user target set alice 2026-W49 calls=3 meetings=1")
        crm.user = "alice"
        crm('log call "one" --at 2026-11-30T10:00')
        crm('log call "two" --at 2026-12-02T10:00')
        crm('activity add meeting "m" --start "2026-12-03 10:00"')
        report = crm.json("report activity --period 2026-W49")
        rows = {r["kind"]: r for r in report["rows"]}
        assert (rows["call"]["done"], rows["call"]["target"]) == (2, 3)
        assert rows["call"]["attainment"] == 0.6667  # 2 / 3
        assert (rows["meeting"]["done"], rows["meeting"]["scheduled"]) == (0, 1)

    def test_unknown_kind_target(self, crm) -> None:
        crm("user add alice")
        run = crm("user target set alice 2026-W49 lunches=3", ok=False)
        assert run.exit_code == 1 and "lunches" in run.stderr


class TestSegments:
    def test_rfm_scores_on_ten_companies(self, crm) -> None:
        # company k (1..10) won k deals of k×100 EUR, the last one k days ago (CRM_NOW 23 Nov)
        crm("user add alice")
        for k in range(1, 11):
            crm(f'company add "Co{k:02d}"')
            for n in range(k):
                crm(
                    f'deal add "Co{k:02d}-{n}" --company "Co{k:02d}" --amount {k * 100} --owner alice --at 2026-06-01'
                )
                crm(
                    f'deal win "Co{k:02d}-{n}" --at 2026-11-{23 - (11 - k) if n == 0 else 1:02d}T09:00'
                )
        report = crm.json("report segments")
        by = {c["company"]: c for c in report["companies"]}
        # 10 distinct values: score = ceil(5 × rank / 10): ranks 1-2 → 1, 3-4 → 2, … 9-10 → 5
        assert (by["Co10"]["r"], by["Co10"]["f"], by["Co10"]["m"]) == (5, 5, 5)
        assert (by["Co01"]["r"], by["Co01"]["f"], by["Co01"]["m"]) == (1, 1, 1)
        assert (by["Co05"]["f"], by["Co06"]["f"]) == (3, 3)
        assert by["Co10"]["segment"] == "champions"
        assert by["Co01"]["segment"] == "lost"
        assert by["Co03"]["monetary"] == "900.00"  # 3 deals × 300
        listed = crm.json("company list --segment champions")
        assert {c["name"] for c in listed} == {
            c for c, v in by.items() if v["segment"] == "champions"
        }

    def test_bad_segment(self, crm) -> None:
        run = crm("company list --segment vip", ok=False)
        assert run.exit_code == 1 and "at-risk" in run.stderr


class TestBadInput:
    @pytest.mark.parametrize(
        "args",
        [
            "report funnel --period 2026-Q5",
            "report funnel --period 2026-13",
            "report forecast --from 2026-12-01 --to 2026-11-01",
            "report funnel --team nowhere",
            "report funnel --owner ghost",
            "report lost --territory mars",
            "report funnel --pipeline nope",
        ],
    )
    def test_one_line_error_exit_1(self, crm, args) -> None:
        crm("user add alice --team east --territory dach")
        run = crm(args, ok=False)
        assert run.exit_code == 1
        assert run.stderr.startswith("error: ") and "Traceback" not in run.stderr

    def test_empty_period_is_zeros_with_a_note(self, crm) -> None:
        run = crm("report funnel --period 2025-Q1 --json")
        assert run.exit_code == 0
        assert run.json()["won"] == 0 and "zero" in run.stderr


class TestOutput:
    def test_chart_only_in_table_mode(self, crm) -> None:
        _book(crm)
        table = crm("report funnel --period 2026-Q4").stdout
        assert "Deals reaching each stage" in table and "█" in table
        assert "Proposal (100%)" in table  # 4 of 4 from Qualification
        csv_out = crm("report funnel --period 2026-Q4 --csv").stdout
        assert "█" not in csv_out and csv_out.startswith("stage,reached")

    def test_html_page_escapes_and_renders_in_chromium(self, crm, tmp_path: Path) -> None:
        crm("user add alice")
        crm('deal add "<b>x</b>" --amount 10 --owner alice --at 2026-10-02')
        crm('deal lose "<b>x</b>" --reason "<img src=x onerror=alert(1)>" --at 2026-10-05')
        page = tmp_path / "lost.html"
        crm(f"report lost --period 2026-Q4 --html {page}")
        text = page.read_text()
        assert "<svg" in text and "<img src=x" not in text and "&lt;img" in text
        assert "<script src" not in text and "<link" not in text  # nothing fetched
        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        if chromium is None:
            # CI installs it (.ci/run): there a missing browser fails instead of hiding the check
            assert not os.environ.get("CI"), "chromium is missing: .ci/run installs it"
            pytest.skip("chromium is installed by .ci/run")
        dom = subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={tmp_path / 'profile'}",
                "--dump-dom",
                page.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
        assert "<svg" in dom and "Lost deals by reason" in dom


class TestQueryPlans:
    """Each report's SQL reads through indexes: never a scan of activities, nor of every deal."""

    def test_plans_use_indexes(self, crm) -> None:
        from dataclasses import replace

        from crmcli.clock import now
        from crmcli.config import Settings
        from crmcli.reports.activity import _buckets, activity_query
        from crmcli.reports.filters import ReportFilters, overlapping, resolve
        from crmcli.reports.forecast import forecast_queries
        from crmcli.reports.funnel import funnel_queries
        from crmcli.reports.lost import lost_queries
        from crmcli.reports.segments import segments_sql
        from crmcli.reports.source import deal_source
        from crmcli.services.book import Book

        crm("user add alice")
        book = Book.open(Settings(db=str(crm.db), user=None))
        actor = book.actor
        with book.read() as r:
            scope = resolve(r, ReportFilters(period="2026-Q4"), actor=actor)
            source = deal_source(r, as_of=None, today=scope.today)
            statements = {
                **{
                    f"funnel {k}": v
                    for k, v in funnel_queries(r, scope, source, snapshot=False).items()
                },
                **{
                    f"forecast {k}": v
                    for k, v in forecast_queries(
                        r, replace(scope, pipeline=None), source, overlapping(scope.period, "month")
                    ).items()
                },
                **{
                    f"lost {k}": v
                    for k, v in lost_queries(r, replace(scope, pipeline=None)).items()
                },
                "activity": activity_query(scope, _buckets(scope.period, "week")),
                "segments": segments_sql(r, base="EUR", now=now()),
            }
            plans = {
                name: [str(x[3]) for x in r.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()]
                for name, (sql, params) in statements.items()
            }
        book.close()
        for name, plan in plans.items():
            for step in plan:
                assert not step.startswith(("SCAN activities", "SCAN a")) or "INDEX" in step, (
                    name,
                    plan,
                )
                assert step not in ("SCAN deals", "SCAN d"), (name, plan)
        assert any("ix_activities_report_day" in step for step in plans["activity"])
        assert any("ix_activities_report_company" in step for step in plans["segments"])
        assert any("ix_deals_report_created" in step for step in plans["funnel reach"])


class TestBoardCurrencies:
    def test_board_folds_currencies_with_a_rate_and_keeps_the_rest_apart(self, crm) -> None:
        crm("user add alice")
        crm("deal add E --amount 1000 --owner alice")
        crm("deal add U --amount 1000 --currency USD --owner alice")
        crm("deal add G --amount 100 --currency GBP --owner alice")
        prospecting = crm.json("board")["stages"][0]
        # no rates yet: only EUR is summed; USD and GBP stay apart, never added in
        assert prospecting["amount"] == "1000.00"
        assert {g["currency"] for g in prospecting["other_currencies"]} == {"USD", "GBP"}
        crm("currency rate set USD 0.9 --at 2026-11-01")
        prospecting = crm.json("board")["stages"][0]
        assert prospecting["amount"] == "1900.00"  # 1000 + 1000 × 0.9
        assert prospecting["weighted_amount"] == "190.00"  # 10% of it
        assert [g["currency"] for g in prospecting["other_currencies"]] == ["GBP"]

    def test_deal_list_total_follows_the_rule(self, crm) -> None:
        crm("user add alice")
        crm("currency rate set USD 0.9 --at 2026-10-01")
        crm("deal add E --amount 1000 --owner alice")
        crm("deal add U --amount 1000 --currency USD --owner alice")
        crm("deal add G --amount 100 --currency GBP --owner alice")
        out = crm("deal list").stdout
        # 1000 + 1000 × 0.9 = 1900; GBP has no rate and is left out, named
        assert "Σ 1,900.00 EUR over 3 deals" in out and "100.00 GBP" in out
        assert "Σ" not in crm("deal list --json").stdout


class TestAsOfProperty:
    """For any history, --as-of DAY equals the report saved on DAY (funnel and forecast)."""

    OPS = st.lists(
        st.tuples(
            st.integers(0, 3),  # day offset from 2 Oct
            st.sampled_from(
                ["add", "next", "win", "lose", "amount", "owner", "reopen", "delete", "forecast"]
            ),
            st.integers(0, 3),  # which deal
        ),
        min_size=3,
        max_size=10,
    )

    @settings(
        max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(OPS)
    def test_as_of_equals_saved_report(self, crm, monkeypatch, ops) -> None:
        crm.db.unlink(missing_ok=True)
        monkeypatch.setenv("CRM_NOW", "2026-10-01T12:00:00+00:00")
        crm("user add alice")
        crm("user add bob")
        crm("deal add D0 --amount 100 --owner alice --close 2026-11-10")
        made = 1
        saved: dict[str, tuple[object, object]] = {}
        for offset in range(4):
            day = f"2026-10-{2 + offset:02d}"
            monkeypatch.setenv("CRM_NOW", f"{day}T12:00:00+00:00")
            for when, op, which in ops:
                if when != offset:
                    continue
                name = f"D{which % made}"
                args = {
                    "add": f"deal add D{made} --amount {100 + made} --owner bob --close 2026-12-0{made % 9 + 1}",
                    "next": f"deal move {name} --next",
                    "win": f"deal win {name}",
                    "lose": f"deal lose {name} --reason price",
                    "amount": f"deal edit {name} --amount {7 * (which + 1)}",
                    "owner": f"deal edit {name} --owner bob",
                    "reopen": f"deal reopen {name}",
                    "delete": f"deal delete {name}",
                    "forecast": f"deal edit {name} --forecast commit",
                }[op]
                if crm(args, ok=False).exit_code == 0 and op == "add":
                    made += 1
            saved[day] = (
                crm.json("report funnel --snapshot --period 2026-Q4"),
                crm.json("report forecast --period 2026-Q4"),
            )
        monkeypatch.setenv("CRM_NOW", "2026-11-20T12:00:00+00:00")
        crm("deal add Later --amount 5 --owner alice")
        for day, (funnel, forecast) in saved.items():
            then = crm.json(f"report funnel --snapshot --as-of {day} --period 2026-Q4")
            for key in (
                "stages",
                "won",
                "lost",
                "open_deals",
                "weighted_pipeline",
                "deals",
                "avg_cycle_days",
            ):
                assert then[key] == funnel[key], (day, key)
            then_forecast = crm.json(f"report forecast --as-of {day} --period 2026-Q4")
            assert then_forecast["rows"] == forecast["rows"], day


class TestSegmentCurrencies:
    def test_monetary_converts_and_a_missing_rate_is_an_error(self, crm) -> None:
        crm("user add alice")
        crm('company add "Yankee"')
        crm(
            "deal add Y --company Yankee --amount 1000 --currency USD --owner alice --at 2026-06-01"
        )
        crm("deal win Y --at 2026-11-02")  # 00:00 in Berlin on 2 Nov: the 2 Nov rate applies
        run = crm("report segments", ok=False)
        assert run.exit_code == 1 and "USD" in run.stderr and "2026-11-02" in run.stderr
        assert crm("company list --segment loyal", ok=False).exit_code == 1
        crm("currency rate set USD 0.5 --at 2026-11-01")
        crm("currency rate set USD 0.8 --at 2026-11-02")
        company = crm.json("report segments")["companies"][0]
        assert company["monetary"] == "800.00"  # 1000 × 0.8

    def test_limit_lists_the_first_companies_and_counts_all(self, crm) -> None:
        crm("user add alice")
        for k in range(3):
            crm(f'company add "Co{k}"')
            crm(
                f'deal add "D{k}" --company "Co{k}" --amount {100 * (k + 1)} --owner alice --at 2026-06-01'
            )
            crm(f'deal win "D{k}" --at 2026-11-0{k + 1}')
        run = crm("report segments --limit 2 --json")
        report = run.json()
        assert report["scored"] == 3 and sum(report["counts"].values()) == 3
        assert len(report["companies"]) == 2
        assert "showing 2 of 3" in run.stderr


def test_every_report_option_has_help() -> None:
    import typer

    from crmcli.commands import currency, report, user_target

    for module in (report, currency, user_target):
        group = typer.main.get_command(module.app)
        for name, command in group.commands.items():  # type: ignore[attr-defined]
            commands = getattr(command, "commands", {name: command})
            for sub in commands.values():
                assert sub.help, (module.__name__, name)
                for param in sub.params:
                    if isinstance(param, typer.core.TyperOption) and param.name != "help":
                        assert param.help, (name, param.name)


class TestReportCurrency:
    def test_currency_option_uses_rates_into_that_currency(self, crm) -> None:
        crm("user add alice")
        crm("deal add E --amount 1000 --owner alice --at 2026-10-02")
        run = crm("report funnel --period 2026-Q4 --currency USD", ok=False)
        assert run.exit_code == 1 and "--into USD" in run.stderr
        crm("currency rate set EUR 1.10 --into USD --at 2026-10-01")
        report = crm.json("report funnel --period 2026-Q4 --currency USD")
        # 1000 EUR open in Prospecting at 1.10 → 1100 USD; weighted 10% → 110.00
        assert report["currency"] == "USD" and report["weighted_pipeline"] == "110.00"
        assert [r["base"] for r in crm.json("currency rate list --into USD")] == ["USD"]
