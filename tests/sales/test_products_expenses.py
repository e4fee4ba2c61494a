"""The price book, deal product lines, expenses and the expenses report."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import Crm
from tests.sales.conftest import order_for


class TestPriceBook:
    def test_add_list_show_edit_archive(self, crm: Crm) -> None:
        added = crm.json("product add SKU-1 'CRM Seat' --price 1,250.5 --tax 19 --unit seat")
        assert (added["unit_price"], added["tax_pct"], added["currency"]) == (
            "1250.50",
            "19",
            "EUR",
        )
        crm("product add YEN-1 'Licence' --price 1000 --currency jpy")
        assert [p["sku"] for p in crm.json("product list")] == ["SKU-1", "YEN-1"]
        assert [p["sku"] for p in crm.json("product list -n 1")] == ["SKU-1"]
        assert crm.json("product show sku-1")["unit"] == "seat"  # SKU in any case
        edited = crm.json("product edit SKU-1 --price 99.999 --name 'Seat'")
        assert (edited["unit_price"], edited["name"]) == ("100.00", "Seat")  # half-up at cents
        crm("product archive SKU-1")
        assert [p["sku"] for p in crm.json("product list")] == ["YEN-1"]
        assert len(crm.json("product list --archived")) == 2
        assert crm.json("product edit SKU-1 --active")["active"] is True

    @pytest.mark.parametrize(
        ("command", "message"),
        [
            ("product add SKU-1 Dup --price 1", "already in the price book"),
            ("product add 'SKU 2' X --price 1", "contains spaces"),
            ("product add SKU-3 X --price -1", "cannot be negative"),
            ("product add SKU-3 X --price 1 --currency XXQ", "unknown currency code"),
            ("product add SKU-3 X --price 1 --tax 120", "must be between 0 and 100"),
            ("product show NOPE", "unknown product"),
        ],
    )
    def test_bad_input(self, crm: Crm, command: str, message: str) -> None:
        crm("product add SKU-1 'CRM Seat' --price 10")
        run = crm(command, ok=False)
        assert run.exit_code == 1 and message in run.stderr and "Traceback" not in run.stderr
        assert len(crm.json("product list --archived")) == 1

    def test_create_product_service_for_imports(self, crm: Crm) -> None:
        from crmcli.config import Settings
        from crmcli.services.book import Book
        from crmcli.services.sales.products import create_product

        book = Book.open(Settings.resolve(db=str(crm.db)))
        try:
            made = create_product(
                book, sku="IMP-1", name="Imported", price=Decimal("12.345"), currency="KWD"
            )
        finally:
            book.close()
        assert made["unit_price"] == Decimal("12.345")
        history = crm.json("history --entity product")
        assert any(c["op"] == "create" for c in history)


class TestDealLines:
    def test_add_and_remove(self, sales: Crm) -> None:
        sales("deal line add 'Acme renewal' --product SKU-1 --qty 2")
        lines = sales.json("deal line add 'Acme renewal' --product SKU-2 --discount 10")
        assert [(x["position"], x["sku"], x["total"]) for x in lines] == [
            (1, "SKU-1", "960.00"),
            (2, "SKU-2", "2250.00"),
        ]
        assert sales.json("deal line remove 'Acme renewal' 1")[0]["sku"] == "SKU-2"
        deal = sales.json("deal show 'Acme renewal'")
        assert [x["sku"] for x in deal["lines"]] == ["SKU-2"]
        assert deal["amount"] == "48000.00"  # the forecast amount is the rep's
        run = sales("deal line remove 'Acme renewal' 3", ok=False)
        assert run.exit_code == 1 and "has no line 3" in run.stderr


class TestExpenses:
    def test_expenses_on_a_deal_and_a_company_and_the_report(self, sales: Crm) -> None:
        sales("--as alice expense add 'Acme renewal' 240.50 --category travel --note 'Flight'")
        sales("--as alice expense add 'Acme GmbH' 80 --category entertainment")
        sales("--as bob expense add 'Acme renewal' 50 --category samples --at 2026-10-02")
        sales("--as bob expense add 'Acme renewal' 999 --category other --at 2026-09-30")  # Q3
        deal = sales.json("deal show 'Acme renewal'")
        assert sorted(e["amount"] for e in deal["expenses"]) == ["240.50", "50.00", "999.00"]
        company = sales.json("company show 'Acme GmbH'")
        assert len(company["expenses"]) == 4  # the deal's count for its company too
        assert [e["category"] for e in sales.json("expense list --rep bob")] == ["samples", "other"]

        order_for(sales, "Acme renewal", "10000", at="2026-11-10")  # won at 10,000 in Q4
        report = sales.json("report expenses --period 2026-Q4")
        assert report["period"] == {"label": "2026-Q4", "from": "2026-10-01", "to": "2026-12-31"}
        by_rep = {r["rep"]: r for r in report["by_rep"]}
        # alice spent 320.50 and won 10,000.00: 3.205% → 0.0321 (four decimals, half-up)
        assert (by_rep["alice"]["expenses"], by_rep["alice"]["won_revenue"]) == (
            "320.50",
            "10000.00",
        )
        assert by_rep["alice"]["cost_of_sale"] == "0.0321"
        assert (by_rep["bob"]["expenses"], by_rep["bob"]["cost_of_sale"]) == ("50.00", None)
        assert {c["category"]: c["expenses"] for c in report["by_category"]} == {
            "travel": "240.50",
            "entertainment": "80.00",
            "samples": "50.00",
        }
        (deal_row,) = report["by_deal"]
        assert (deal_row["deal"], deal_row["expenses"], deal_row["cost_of_sale"]) == (
            "Acme renewal",
            "290.50",
            "0.0291",
        )
        assert report["totals"][0]["expenses"] == "370.50"
        q3 = sales.json("report expenses --from 2026-07-01 --to 2026-09-30")
        assert [r["expenses"] for r in q3["by_rep"]] == ["999.00"]

    @pytest.mark.parametrize(
        ("command", "message"),
        [
            ("expense add 'Acme renewal' 10 --category food", "unknown expense category"),
            ("expense add 'Acme renewal' 0 --category travel", "more than zero"),
            ("expense add Nowhere 10 --category travel", "no deal or company matches"),
            ("expense add 'Acme renewal' 10 --category travel --currency ABC", "unknown currency"),
        ],
    )
    def test_bad_input(self, sales: Crm, command: str, message: str) -> None:
        run = sales(command, ok=False)
        assert run.exit_code == 1 and message in run.stderr
        assert sales.json("expense list") == []


def test_every_sales_command_has_help(crm: Crm, tmp_path: Path) -> None:
    for noun in ("product", "quote", "order", "payment", "expense", "report"):
        text = crm(noun, "--help").stdout
        assert "Usage" in text and "Commands" in text
    assert "receivables" in crm("report --help").stdout
    assert "add" in crm("quote line --help").stdout and "remove" in crm("deal line --help").stdout
