"""Quotas per rep and period, and the roll-up reports and commission rely on."""

from __future__ import annotations

from decimal import Decimal


class TestQuotas:
    def test_spec_example_and_restating(self, team) -> None:
        team("user quota set alice 2026-Q4 100000")
        team("user quota set alice 2026-Q4 120000")  # restated, not duplicated
        quotas = team.json("user quota list --user alice")
        assert [(q["period"], q["amount"], q["currency"]) for q in quotas] == [
            ("2026-Q4", "120000.00", "EUR")
        ]
        history = team.json("history")
        assert any(c["field"] == "amount_milli" for c in history if c["entity"] == "quotas")

    def test_months_roll_up_to_the_quarter_and_quarters_to_the_year(self, team) -> None:
        from crmcli.config import Settings
        from crmcli.periods import parse_period
        from crmcli.services.book import Book
        from crmcli.services.quotas import quota_for

        for month, amount in (("2026-10", "30000"), ("2026-11", "30000"), ("2026-12", "40000.50")):
            team(f"user quota set bob {month} {amount}")
        team("user quota set bob 2026-Q1 90000")
        book = Book.open(Settings(db=str(team.db), user=None))
        with book.read() as r:
            bob = r.row("SELECT id FROM users WHERE username = 'bob'")["id"]
            # Q4 = 30,000 + 30,000 + 40,000.50 = 100,000.50 (no quota of its own)
            assert quota_for(r, user_id=bob, period=parse_period("2026-Q4")) == Decimal("100000.50")
            # 2026 = Q1 90,000 + Q4 100,000.50 (Q2, Q3 have none) = 190,000.50
            assert quota_for(r, user_id=bob, period=parse_period("2026")) == Decimal("190000.50")
            assert quota_for(r, user_id=bob, period=parse_period("2026-Q2")) is None
        book.close()
        assert [q["period"] for q in team.json("user quota list --period 2026-Q4")] == [
            "2026-10",
            "2026-11",
            "2026-12",
        ]

    def test_bad_input(self, team) -> None:
        for argv, message in (
            ("user quota set alice 2026-Q5 1000", "quarter"),
            ("user quota set alice 2026-W49 1000", "year, quarter or month"),
            ("user quota set nobody 2026-Q4 1000", "unknown owner"),
            ("user quota set alice 2026-Q4 lots", "not an amount"),
            ("user quota set alice 2026-Q4 1000 --currency XXX1", "unknown currency"),
        ):
            run = team(argv, ok=False)
            assert run.exit_code == 1 and message in run.stderr, (argv, run.stderr)
        assert team.json("user quota list") == []
