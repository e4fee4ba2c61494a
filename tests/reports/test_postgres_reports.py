"""The reports on PostgreSQL give the figures they give on SQLite."""

from __future__ import annotations

import pytest

from tests.reports.test_reports import _book


def _every_report(pgcrm) -> None:
    _book(pgcrm)
    pgcrm("currency rate set USD 0.9 --at 2026-10-01")
    pgcrm("deal add U --amount 100 --currency USD --owner alice --close 2026-12-01")
    funnel = pgcrm.json("report funnel --period 2026-Q4")
    assert [s["reached"] for s in funnel["stages"]] == [5, 4, 4, 3, 3, 1]
    assert funnel["weighted_pipeline"] == "3259.00"  # 3250 + 100 × 0.9 × 10%
    assert funnel["avg_cycle_days"] == 18.0
    then = pgcrm.json("report funnel --snapshot --as-of 2026-10-31 --period 2026-Q4")
    assert then["won"] == 2  # A (20 Oct) and C (30 Oct; reopened only on 5 Nov)
    assert pgcrm.json("report forecast --period 2026-Q4 --by-rep")["total"]["pipeline"] == "90.00"
    assert pgcrm.json("report lost --period 2026-Q4")["lost"] == 1
    pgcrm.user = "alice"
    pgcrm('log call "x" --at 2026-11-02T10:00')
    assert pgcrm.json("report activity --period 2026-11")["done"] == 1
    pgcrm("company add Acme")
    pgcrm("deal edit A --company Acme")
    segments = pgcrm.json("report segments")
    assert [c["company"] for c in segments["companies"]] == ["Acme"]
    assert pgcrm.json("company list --segment " + segments["companies"][0]["segment"])


def test_every_report_on_sqlite(crm) -> None:
    _every_report(crm)


@pytest.mark.postgres
def test_every_report_on_postgres(pgcrm) -> None:
    _every_report(pgcrm)
