"""Commission statements, hand-built: every figure is worked out in the comment beside it."""

from __future__ import annotations

from tests.commission.conftest import lines, pay, statement, won

STANDARD = '--tiers "0:5%,50000:8%,100000:10%"'


class TestTiers:
    """SPEC §5: marginal bands like tax brackets, retroactive bands on the whole basis."""

    def test_spec_worked_example_marginal_pays_8500(self, reps) -> None:
        reps(f"plan add standard {STANDARD}")
        reps("plan assign standard bob")
        won(reps, "Big deal", "120000", "2026-11-20", owner="bob")
        st = statement(reps, "2026-Q4", "bob")
        # 50,000 × 5% + 50,000 × 8% + 20,000 × 10% = 2,500 + 4,000 + 2,000 = 8,500.00
        assert lines(st) == [
            ("Big deal", "50000.00", "0.05", "2500.00"),
            ("Big deal", "50000.00", "0.08", "4000.00"),
            ("Big deal", "20000.00", "0.1", "2000.00"),
        ]
        assert st["total"] == "8500.00" and st["basis"] == "120000.00"

    def test_spec_worked_example_retroactive_pays_12000(self, reps) -> None:
        reps(f"plan add retro {STANDARD} --mode retroactive")
        reps("plan assign retro bob")
        won(reps, "Big deal", "120000", "2026-11-20", owner="bob")
        st = statement(reps, "2026-Q4", "bob")
        # the band reached (100,000+: 10%) on the whole basis: 120,000 × 10% = 12,000.00
        assert lines(st) == [("Big deal", "120000.00", "0.1", "12000.00")]
        assert st["total"] == "12000.00"

    def test_a_deal_crossing_two_bands_gets_a_line_per_band(self, reps) -> None:
        reps(f"plan add standard {STANDARD}")
        reps("plan assign standard bob")
        won(reps, "First", "30000", "2026-10-10", owner="bob")
        won(reps, "Second", "90000", "2026-11-10", owner="bob")
        st = statement(reps, "2026-Q4", "bob")
        # First:  0 → 30,000 in band 1: 30,000 × 5% = 1,500
        # Second: 30,000 → 120,000 crosses 50,000 and 100,000:
        #         20,000 × 5% = 1,000; 50,000 × 8% = 4,000; 20,000 × 10% = 2,000
        assert lines(st) == [
            ("First", "30000.00", "0.05", "1500.00"),
            ("Second", "20000.00", "0.05", "1000.00"),
            ("Second", "50000.00", "0.08", "4000.00"),
            ("Second", "20000.00", "0.1", "2000.00"),
        ]
        assert st["total"] == "8500.00"  # 1,500 + 1,000 + 4,000 + 2,000

    def test_accelerator_multiplies_the_rate_above_quota(self, reps) -> None:
        reps(f"plan add standard {STANDARD} --accelerator 1.5")
        reps("plan assign standard bob")
        reps("user quota set bob 2026-Q4 80000")
        won(reps, "Big deal", "120000", "2026-11-20", owner="bob")
        st = statement(reps, "2026-Q4", "bob")
        # quota 80,000 cuts band 2:  50,000 × 5%          = 2,500
        #                            30,000 × 8%          = 2,400  (50k → 80k)
        #                            20,000 × 8% × 1.5    = 2,400  (80k → 100k, 12%)
        #                            20,000 × 10% × 1.5   = 3,000  (100k → 120k, 15%)
        assert lines(st) == [
            ("Big deal", "50000.00", "0.05", "2500.00"),
            ("Big deal", "30000.00", "0.08", "2400.00"),
            ("Big deal", "20000.00", "0.12", "2400.00"),
            ("Big deal", "20000.00", "0.15", "3000.00"),
        ]
        assert [x["above_quota"] for x in st["lines"]] == [False, False, True, True]
        assert st["total"] == "10300.00" and st["quota"] == "80000.00"
        assert st["attainment"] == 1.5  # 120,000 / 80,000

    def test_bands_in_percent_of_quota(self, reps) -> None:
        reps('plan add q --basis quota --tiers "0:4%,100:8%"')
        reps("plan assign q bob")
        reps("user quota set bob 2026-Q4 50000")
        won(reps, "One", "30000", "2026-10-10", owner="bob")
        won(reps, "Two", "30000", "2026-11-10", owner="bob")
        st = statement(reps, "2026-Q4", "bob")
        # the 100% band starts at 50,000 × 100% = 50,000
        # One: 30,000 × 4% = 1,200; Two: 20,000 × 4% = 800, then 10,000 × 8% = 800
        assert lines(st) == [
            ("One", "30000.00", "0.04", "1200.00"),
            ("Two", "20000.00", "0.04", "800.00"),
            ("Two", "10000.00", "0.08", "800.00"),
        ]
        assert st["total"] == "2800.00" and st["attainment"] == 1.2

    def test_quota_bands_without_a_quota_is_one_line_error(self, reps) -> None:
        reps('plan add q --basis quota --tiers "0:4%,100:8%"')
        reps("plan assign q bob")
        run = reps("report commission --period 2026-Q4", ok=False)
        assert run.exit_code == 1
        assert run.stderr.startswith("error: bob: plan 'q' pays by quota attainment")
        assert "crm user quota set bob 2026-Q4" in run.stderr

    def test_cap_cuts_the_line_that_reaches_it(self, reps) -> None:
        reps("plan add capped --flat 10% --cap 5000")
        reps("plan assign capped bob")
        for name, day in (("A", "2026-10-05"), ("B", "2026-10-20"), ("C", "2026-11-05")):
            won(reps, name, "30000" if name != "C" else "10000", day, owner="bob")
        st = statement(reps, "2026-Q4", "bob")
        # A: 30,000 × 10% = 3,000; B: 3,000 but only 2,000 left under the cap; C: 1,000 → 0
        assert [(x["deal"], x["amount"], x["capped"]) for x in st["lines"]] == [
            ("A", "3000.00", False),
            ("B", "2000.00", True),
            ("C", "0.00", True),
        ]
        assert st["total"] == "5000.00"

    def test_each_line_rounds_half_up_and_the_total_is_their_sum(self, reps) -> None:
        reps("plan add flat --flat 5%")
        reps("plan assign flat bob")
        won(reps, "Small", "50.10", "2026-10-05", owner="bob")
        won(reps, "Other", "50.30", "2026-10-06", owner="bob")
        st = statement(reps, "2026-Q4", "bob")
        # 50.10 × 5% = 2.505 → 2.51 (half-up, not half-even 2.50); 50.30 × 5% = 2.515 → 2.52
        assert [x["amount"] for x in st["lines"]] == ["2.51", "2.52"]
        assert st["total"] == "5.03"  # the sum of the lines (not 100.40 × 5% = 5.02)


class TestSplits:
    def test_60_40_split_plus_a_20_percent_overlay(self, reps) -> None:
        reps("plan add flat --flat 10%")
        for rep in ("alice", "bob", "carol"):
            reps(f"plan assign flat {rep}")
        deal = won(reps, "Acme renewal", "48000", "2026-11-20")
        reps("deal split 'Acme renewal' alice=60 bob=40 --overlay carol=20")
        report = reps.json("report commission --period 2026-Q4")
        got = {
            s["rep"]: (s["basis"], s["total"], s["lines"][0]["split"]) for s in report["statements"]
        }
        # alice 48,000 × 60% = 28,800 × 10% = 2,880; bob 19,200 → 1,920;
        # carol's overlay 48,000 × 20% = 9,600 → 960, on top of the 100%
        assert got == {
            "alice": ("28800.00", "2880.00", "revenue"),
            "bob": ("19200.00", "1920.00", "revenue"),
            "carol": ("9600.00", "960.00", "overlay"),
        }
        assert report["statements"][0]["lines"][0]["deal_id"] == deal

    def test_overlay_alone_keeps_the_owner_at_100_percent(self, reps) -> None:
        reps("plan add flat --flat 10%")
        reps("plan assign flat alice")
        reps("plan assign flat carol")
        won(reps, "Solo", "10000", "2026-11-20")
        reps("deal split Solo --overlay carol=20")
        report = reps.json("report commission --period 2026-Q4")
        # alice keeps 100%: 10,000 × 10% = 1,000; carol 2,000 × 10% = 200
        assert {s["rep"]: s["total"] for s in report["statements"]} == {
            "alice": "1000.00",
            "carol": "200.00",
        }


class TestPlanChange:
    def test_each_deal_is_paid_on_the_plan_in_force_on_its_close_date(self, reps) -> None:
        reps("plan add base --flat 5%")
        reps("plan add senior --flat 10%")
        won(reps, "October deal", "10000", "2026-10-15")
        won(reps, "November deal", "20000", "2026-11-10")
        reps("plan assign base alice")  # the first assignment covers everything before it
        reps("plan assign senior alice --from 2026-11-01")  # base now ends 2026-10-31
        st = statement(reps, "2026-Q4")
        # 10,000 × 5% (base) = 500; 20,000 × 10% (senior) = 2,000
        assert [(x["deal"], x["plan"], x["amount"]) for x in st["lines"]] == [
            ("October deal", "base", "500.00"),
            ("November deal", "senior", "2000.00"),
        ]
        assert st["total"] == "2500.00" and st["plan"] == "senior"
        assert st["plans"] == ["base", "senior"]
        shown = reps.json("plan show base")["assignments"]
        assert [(a["rep"], a["valid_from"], a["valid_to"]) for a in shown] == [
            ("alice", None, "2026-10-31")
        ]


class TestPaidTrigger:
    def test_payments_across_two_periods_with_a_refund(self, reps) -> None:
        reps('plan add onpay --tiers "0:5%,30000:10%" --trigger paid')
        reps("plan assign onpay alice")
        deal = won(reps, "Acme renewal", "48000", "2026-09-10")
        pay(reps, deal, "24000", "2026-09-20")
        pay(reps, deal, "24000", "2026-10-15")
        pay(reps, deal, "-10000", "2026-11-10")  # a refund
        q3 = statement(reps, "2026-Q3")
        # Q3: 24,000 received × 5% = 1,200 (winning the deal pays nothing on this plan)
        assert lines(q3) == [("Acme renewal", "24000.00", "0.05", "1200.00")]
        q4 = statement(reps, "2026-Q4")
        # Q4 starts again at 0: 24,000 × 5% = 1,200; the refund walks back 24,000 → 14,000
        # in band 1: −10,000 × 5% = −500; total 700 on a basis of 14,000
        assert [(x["kind"], x["basis"], x["amount"]) for x in q4["lines"]] == [
            ("commission", "24000.00", "1200.00"),
            ("clawback", "-10000.00", "-500.00"),
        ]
        assert q4["total"] == "700.00" and q4["basis"] == "14000.00"

    def test_a_refund_beyond_the_periods_payments_is_one_negative_line(self, reps) -> None:
        reps("plan add onpay --flat 10% --trigger paid")
        reps("plan assign onpay bob")
        old = won(reps, "Old deal", "10000", "2026-09-10", owner="bob")
        new = won(reps, "New deal", "1200", "2026-11-01", owner="bob")
        pay(reps, new, "1200", "2026-11-02")
        pay(reps, old, "-2000", "2026-11-03")
        st = statement(reps, "2026-Q4", "bob")
        # 1,200 × 10% = 120; the refund walks 1,200 → −800 at the same 10%: −2,000 → −200
        assert [(x["kind"], x["basis"], x["amount"]) for x in st["lines"]] == [
            ("commission", "1200.00", "120.00"),
            ("clawback", "-2000.00", "-200.00"),
        ]
        assert st["total"] == "-80.00" and st["basis"] == "-800.00"


class TestOutput:
    def test_json_has_the_spec_shape(self, reps) -> None:
        reps(f"plan add standard {STANDARD} --accelerator 1.5")
        reps("plan assign standard alice")
        won(reps, "Acme renewal", "48000", "2026-11-20")
        report = reps.json("report commission --period 2026-Q4 --rep alice")
        assert report["period"] == {"label": "2026-Q4", "from": "2026-10-01", "to": "2026-12-31"}
        (st,) = report["statements"]
        assert {"rep", "plan", "quota", "basis", "attainment", "total", "lines"} <= set(st)
        assert (st["rep"], st["plan"], st["quota"], st["basis"]) == (
            "alice",
            "standard",
            "100000.00",
            "48000.00",
        )
        assert st["attainment"] == 0.48 and st["total"] == "2400.00"
        assert {"deal", "deal_id", "kind", "basis", "rate", "amount"} <= set(st["lines"][0])

    def test_csv_is_one_row_per_line(self, reps) -> None:
        import csv
        import io

        reps(f"plan add standard {STANDARD}")
        reps("plan assign standard bob")
        won(reps, "=Big deal", "120000", "2026-11-20", owner="bob")
        rows = list(
            csv.DictReader(io.StringIO(reps("report commission --period 2026-Q4 --csv").stdout))
        )
        assert [(r["rep"], r["basis"], r["rate"], r["amount"]) for r in rows] == [
            ("bob", "50000.00", "0.05", "2500.00"),
            ("bob", "50000.00", "0.08", "4000.00"),
            ("bob", "20000.00", "0.1", "2000.00"),
        ]
        assert rows[0]["deal"] == "'=Big deal"  # formula injection neutralised

    def test_table_names_rep_quota_and_total(self, reps) -> None:
        reps(f"plan add standard {STANDARD}")
        reps("plan assign standard alice")
        won(reps, "Acme renewal", "48000", "2026-11-20")
        out = reps("report commission --period 2026-Q4").stdout
        assert "alice" in out and "quota 100,000.00" in out and "total 2,400.00 EUR" in out
        assert "Acme renewal" in out

    def test_team_filter_and_reps_without_plan(self, reps) -> None:
        reps("plan add flat --flat 10%")
        reps("plan assign flat alice")
        reps("plan assign flat bob")
        report = reps.json("report commission --period 2026-Q4 --team east")
        assert [s["rep"] for s in report["statements"]] == ["alice"]  # carol has no plan
        assert reps.json("report commission --period 2026-Q4 --rep carol")["statements"] == []


class TestBadInput:
    def test_period_like_2026_q5_is_refused(self, reps) -> None:
        run = reps("report commission --period 2026-Q5", ok=False)
        assert run.exit_code == 1 and run.stdout == ""
        assert run.stderr.startswith("error:") and len(run.stderr.splitlines()) <= 2

    def test_pipeline_and_currency_do_not_apply(self, reps) -> None:
        for option in ("--pipeline Sales", "--currency USD"):
            run = reps(f"report commission --period 2026-Q4 {option}", ok=False)
            assert run.exit_code == 1 and "do not apply" in run.stderr and run.stdout == ""

    def test_unknown_rep(self, reps) -> None:
        run = reps("report commission --period 2026-Q4 --rep zed", ok=False)
        assert run.exit_code == 1 and "zed" in run.stderr


class TestDocuments:
    def test_pdf_and_html_statements(self, reps, tmp_path) -> None:
        reps(f"plan add standard {STANDARD}")
        reps("plan assign standard alice")
        won(reps, "Acme <b>renewal</b>", "48000", "2026-11-20")
        won(reps, "Москва 上海", "1000", "2026-11-21")  # needs the Unicode font
        pdf, page = tmp_path / "st.pdf", tmp_path / "st.html"
        reps(f"report commission --period 2026-Q4 --pdf {pdf} --html {page}")
        assert pdf.read_bytes().startswith(b"%PDF-")
        text = page.read_text()
        assert "Acme &lt;b&gt;renewal&lt;/b&gt;" in text and "<b>renewal" not in text
        assert "2,400.00" in text and "Alice Ng" in text and "Москва 上海" in text


class TestCurrencies:
    def test_a_deal_in_another_currency_converts_at_the_rate_of_its_day(self, reps) -> None:
        reps("currency rate set USD 0.9 --at 2026-01-01")
        reps("currency rate set USD 0.8 --at 2026-11-01")
        reps("plan add flat --flat 10%")
        reps("plan assign flat bob")
        for name, day in (("October", "2026-10-15"), ("November", "2026-11-15")):
            deal = reps.json(
                f"deal add {name} --amount 10000 --currency USD --owner bob --at 2026-01-02"
            )
            reps(f"deal win {deal['handle']} --at '{day} 12:00'")
        st = statement(reps, "2026-Q4", "bob")
        # 10,000 USD × 0.9 = 9,000 EUR × 10% = 900; 10,000 × 0.8 = 8,000 × 10% = 800
        assert [(x["basis"], x["amount"]) for x in st["lines"]] == [
            ("9000.00", "900.00"),
            ("8000.00", "800.00"),
        ]

    def test_a_foreign_credit_without_a_rate_is_an_error_naming_currency_and_day(
        self, reps
    ) -> None:
        reps("plan add flat --flat 10%")
        reps("plan assign flat bob")
        deal = reps.json(
            "deal add Foreign --amount 10000 --currency USD --owner bob --at 2026-01-02"
        )
        reps(f"deal win {deal['handle']} --at '2026-10-15 12:00'")
        run = reps("report commission --period 2026-Q4", ok=False)
        assert run.exit_code == 1 and "USD" in run.stderr and "2026-10-15" in run.stderr, run.stderr


class TestPaymentsThroughTheCli:
    def test_crm_payment_add_and_refund_feed_a_paid_plan(self, reps) -> None:
        reps("plan add onpay --flat 5% --trigger paid")
        reps("plan assign onpay alice")
        reps("deal add 'Acme renewal' --amount 48000 --owner alice --at 2026-10-01")
        quote = reps.json("quote new --deal 'Acme renewal' --at 2026-11-01")["number"]
        reps(f"quote line add {quote} --text Renewal --price 48000 --at 2026-11-01")
        reps(f"quote accept {quote} --at 2026-11-20")  # an order on the won deal
        assert statement(reps, "2026-Q4")["lines"] == []  # won, nothing received yet
        payment = reps.json("payment add 'Acme renewal' 24000 --at 2026-11-25")
        reps(f"payment refund {payment['handle']} 4000 --at 2026-11-28")
        st = statement(reps, "2026-Q4")
        # received 24,000 × 5% = 1,200; refunded 4,000 × 5% = −200
        assert [(x["kind"], x["basis"], x["amount"]) for x in st["lines"]] == [
            ("commission", "24000.00", "1200.00"),
            ("clawback", "-4000.00", "-200.00"),
        ]
        assert st["total"] == "1000.00"
