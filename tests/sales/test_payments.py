"""Orders, payments, refunds, overpayment credit, receivables with aging, overdue balances."""

from __future__ import annotations

from decimal import Decimal

from tests.conftest import Crm
from tests.sales.conftest import order_for


class TestPayments:
    def test_an_order_paid_in_two_parts_reaches_zero(self, sales: Crm) -> None:
        order = order_for(sales, "Acme renewal", "48000", at="2026-11-20")
        assert order["balance"] == "48000.00"
        # SPEC §3, verbatim
        sales('payment add "Acme renewal" 24000 --at 2026-11-25')
        second = sales.json(f"payment add {order['number']} 24000 --method card --reference R-2")
        assert (second["order_balance"], second["kind"]) == ("0.00", "payment")
        shown = sales.json(f"order show {order['number']}")
        assert (shown["paid"], shown["balance"], shown["status"]) == ("48000.00", "0.00", "paid")
        assert [p["amount"] for p in shown["payments"]] == ["24000.00", "24000.00"]
        # --at 2026-11-25 is local midnight (Europe/Berlin), stored in UTC
        assert "2026-11-24T23:00:00+00:00" in {p["paid_at"] for p in shown["payments"]}

    def test_a_payment_above_the_balance_is_refused_unless_it_is_a_credit(self, sales: Crm) -> None:
        order = order_for(sales, "Acme renewal", "1000", at="2026-11-20")
        run = sales("payment add 'Acme renewal' 1000.01", ok=False)
        assert run.exit_code == 1
        assert "1,000.01 EUR is more than the open balance" in run.stderr
        assert "--allow-overpayment" in run.stderr
        assert sales.json("payment list") == []
        credit = sales.json("payment add 'Acme renewal' 1200 --allow-overpayment")
        assert credit["order_balance"] == "-200.00"
        assert sales.json(f"order show {order['number']}")["status"] == "credit"

    def test_refund(self, sales: Crm) -> None:
        order_for(sales, "Acme renewal", "1000", at="2026-11-20")
        paid = sales.json("payment add 'Acme renewal' 1000")
        refund = sales.json(f"payment refund {paid['handle']} 300")
        assert (refund["kind"], refund["amount"], refund["refund_of"]) == (
            "refund",
            "-300.00",
            paid["handle"],
        )
        assert refund["order_balance"] == "300.00"
        run = sales(f"payment refund {paid['handle']} 700.01", ok=False)
        assert run.exit_code == 1 and "is more than what is left of payment" in run.stderr
        rest = sales.json(f"payment refund {paid['handle']}")  # the remaining 700
        assert rest["amount"] == "-700.00" and rest["order_balance"] == "1000.00"
        run = sales(f"payment refund {paid['handle']}", ok=False)
        assert run.exit_code == 1 and "nothing to refund" in run.stderr
        run = sales(f"payment refund {refund['handle']}", ok=False)
        assert run.exit_code == 1 and "itself a refund" in run.stderr

    def test_a_payment_on_a_deal_without_an_order_is_refused(self, sales: Crm) -> None:
        run = sales("payment add 'Acme renewal' 100", ok=False)
        assert run.exit_code == 1 and "has no order to pay" in run.stderr
        assert "crm quote accept" in run.stderr
        for bad in ("0", "-5", "abc"):
            order_for(sales, "Acme renewal", "100", at="2026-11-20") if bad == "0" else None
            run = sales("payment", "add", "Acme renewal", bad, ok=False)
            assert run.exit_code in (1, 2) and "Traceback" not in run.stderr
        assert sales.json("payment list") == []

    def test_payments_reach_the_deal_card_and_the_company_view(self, sales: Crm) -> None:
        order_for(sales, "Acme renewal", "1000", at="2026-11-20")
        sales("payment add 'Acme renewal' 400")
        deal = sales.json("deal show 'Acme renewal'")
        assert deal["balance"] == [
            {
                "currency": "EUR",
                "ordered": "1000.00",
                "paid": "400.00",
                "balance": "600.00",
                "overdue": "0.00",
            }
        ]
        assert [p["amount"] for p in deal["payments"]] == ["400.00"]
        company = sales.json("company show 'Acme GmbH'")
        assert company["balance"][0]["balance"] == "600.00"
        assert len(company["orders"]) == 1 and len(company["payments"]) == 1


class TestReceivables:
    """Aging buckets against a table computed by hand."""

    def test_aging_buckets(self, sales: Crm) -> None:
        sales("company add 'Globex'")
        sales("deal add 'Globex rollout' --company Globex --amount 1 --owner bob")
        sales("deal add 'Globex pilot' --company Globex --amount 1 --owner bob")
        sales("deal add 'Acme upgrade' --company 'Acme GmbH' --amount 1 --owner alice")
        # Each order is due 30 days after acceptance. As of 2026-11-23:
        order_for(sales, "Acme renewal", "1000", at="2026-11-01")  # due 12-01: current
        order_for(sales, "Acme upgrade", "200", at="2026-10-01")  # due 10-31: 23 days, 1–30
        order_for(sales, "Globex rollout", "300", at="2026-08-20")  # due 09-19: 65 days, 61–90
        order_for(sales, "Globex pilot", "400", at="2026-06-01")  # due 07-01: 145 days, > 90
        sales("payment add 'Globex pilot' 150 --at 2026-11-01")  # 250 left
        sales("payment add 'Acme upgrade' 200 --at 2026-11-30")  # after the as-of day

        report = sales.json("report receivables")
        assert report["as_of"] == "2026-11-23"
        rows = {(r["rep"], r["customer"]): r for r in report["rows"]}
        alice = rows[("alice", "Acme GmbH")]
        assert (alice["orders"], alice["open"], alice["current"], alice["days_1_30"]) == (
            2,
            "1200.00",
            "1000.00",
            "200.00",
        )
        bob = rows[("bob", "Globex")]
        assert (bob["open"], bob["days_61_90"], bob["over_90"], bob["overdue"]) == (
            "550.00",
            "300.00",
            "250.00",
            "550.00",
        )

        as_of = sales.json("report receivables --as-of 2026-11-23")
        assert as_of == report
        after = sales.json("report receivables --as-of 2026-12-01 --owner alice")
        (row,) = after["rows"]
        # the upgrade was paid on 11-30; the renewal is due on 12-01 itself: still current
        assert (row["orders"], row["open"], row["current"]) == (1, "1000.00", "1000.00")
        later = sales.json("report receivables --as-of 2027-01-15 --team west")
        (row,) = later["rows"]
        # 2027-01-15: rollout 118 days, pilot 198 days past due: both over 90
        assert (row["rep"], row["over_90"], row["days_61_90"]) == ("bob", "550.00", "0.00")
        assert later["totals"][0]["open"] == "550.00"

    def test_overdue_balances_in_the_agenda(self, sales: Crm) -> None:
        order = order_for(sales, "Acme renewal", "1000", at="2026-10-01")
        sales("payment add 'Acme renewal' 250")
        items = sales.json("--as alice agenda --overdue")
        balance = [i for i in items if i["kind"] == "balance"]
        assert [(b["handle"], b["balance"], b["deal"]) for b in balance] == [
            (order["number"], "750.00", "Acme renewal")
        ]
        day = sales("--as alice agenda").stdout
        assert "Overdue balances" in day and "750.00 EUR overdue 23 days" in day
        assert sales.json("--as bob agenda --overdue") == []  # not bob's deal
        assert len(sales.json("agenda --overdue --all")) == 1
        assert Decimal(sales.json("--as alice agenda")["overdue_balances"][0]["balance"]) == 750
