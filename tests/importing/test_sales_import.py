"""Payments (and refunds) and quotes through `crm import`: the sales services' rules apply
row by row, rejected rows carry the service's reason, re-imports with --key are idempotent."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import Crm
from tests.importing.test_import import changes
from tests.sales.conftest import order_for


@pytest.fixture
def sales(team: Crm) -> Crm:
    """alice's deal "Acme renewal" for Acme GmbH, and products SKU-1, SKU-2."""
    team("company add 'Acme GmbH' --domain acme.example")
    team("deal add 'Acme renewal' --company 'Acme GmbH' --amount 48000 --owner alice")
    team("product add SKU-1 'CRM Seat (annual)' --price 480 --tax 19 --unit seat")
    team("product add SKU-2 'Onboarding package' --price 2500 --tax 19")
    return team


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def rejected(path: Path) -> list[dict[str, str]]:
    with path.with_name(f"{path.stem}.rejected.csv").open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


class TestPayments:
    def test_payments_and_refunds_go_through_the_balance_rules(self, sales, tmp_path):
        order = order_for(sales, "Acme renewal", "1000", at="2026-11-20")
        source = write(
            tmp_path / "payments.csv",
            "Date,Invoice,Deal,Amount,Method,Reference,Note\n"
            f'2026-11-21,{order["number"]},,"€ 400.00",transfer,BANK-1,first\n'
            "2026-11-22,,Acme renewal,350.50 EUR,card,BANK-2,second\n"
            "2026-11-23,,Acme renewal,300,card,BANK-3,over the balance\n"
            "2026-11-24,,Acme renewal,-50.50,,BANK-4,refund of the card payment\n"
            "2026-11-24,,Acme renewal,10 USD,,BANK-5,wrong currency\n"
            "2026-11-25,,Nobody's deal,10,,BANK-6,no such deal\n"
            "2026-11-25,,,10,,BANK-7,no target\n",
        )
        result = sales.json(f"import payment {source}", ok=False)
        assert (result["created"], result["rejected"]) == (3, 4)
        assert result["unmatched_columns"] == ["Note"] and result["extra_kept"] is False
        reasons = {r["Reference"]: r["_error"] for r in rejected(source)}
        assert "is more than the open balance of order" in reasons["BANK-3"]
        assert "is in EUR, the row says USD" in reasons["BANK-5"]
        assert "Nobody's deal" in reasons["BANK-6"]
        assert "needs an order or a deal" in reasons["BANK-7"]
        shown = sales.json(f"order show {order['number']}")
        assert (shown["paid"], shown["balance"]) == ("700.00", "300.00")
        refund = next(p for p in sales.json("payment list") if p["kind"] == "refund")
        card = next(p for p in sales.json("payment list") if p["reference"] == "BANK-2")
        assert (refund["amount"], refund["refund_of"]) == ("-50.50", card["handle"])
        assert refund["paid_at"].startswith("2026-11-2")  # the file's date, not the import's

    def test_dry_run_writes_nothing(self, sales, tmp_path):
        order_for(sales, "Acme renewal", "1000", at="2026-11-20")
        source = write(tmp_path / "p.csv", "deal,amount\nAcme renewal,600\nAcme renewal,600\n")
        before = changes(sales)
        result = sales.json(f"import payment {source} --dry-run", ok=False)
        # the second row sees the first one's payment: the balance rule holds in a dry run
        assert (result["created"], result["rejected"], result["written"]) == (1, 1, False)
        assert sales.json("payment list") == []
        assert changes(sales) == before
        assert not source.with_name("p.rejected.csv").exists()

    def test_reimport_with_key_is_idempotent(self, sales, tmp_path):
        order_for(sales, "Acme renewal", "1000", at="2026-11-20")
        source = write(
            tmp_path / "p.csv",
            "deal,amount,reference,method,date\n"
            "Acme renewal,100,R-1,card,2026-11-21\n"
            "Acme renewal,200,R-2,card,2026-11-22\n",
        )
        first = sales.json(f"import payment {source} --key reference")
        assert first["created"] == 2
        before = changes(sales)
        again = sales.json(f"import payment {source} --key reference")
        assert (again["created"], again["unchanged"], again["rejected"]) == (0, 2, 0)
        assert changes(sales) == before
        assert len(sales.json("payment list")) == 2
        # a matched payment may get a new method, never a new amount
        write(
            source,
            "deal,amount,reference,method\nAcme renewal,100,R-1,transfer\nAcme renewal,250,R-2,card\n",
        )
        changed = sales.json(f"import payment {source} --key reference", ok=False)
        assert (changed["updated"], changed["rejected"]) == (1, 1)
        assert "cannot change what was paid" in rejected(source)[0]["_error"]
        assert {p["reference"]: p["method"] for p in sales.json("payment list")} == {
            "R-1": "transfer",
            "R-2": "card",
        }

    def test_export_reimports_with_key_id_unchanged(self, sales, tmp_path):
        order_for(sales, "Acme renewal", "1000", at="2026-11-20")
        sales("payment add 'Acme renewal' 400 --method card --reference R-1")
        paid = sales.json("payment add 'Acme renewal' 100 --reference R-2")
        sales(f"payment refund {paid['handle']} 40 --reference R-3")
        target = tmp_path / "payments.csv"
        sales(f"export payment --csv -o {target}")
        result = sales.json(f"import payment {target} --key id")
        assert (result["unchanged"], result["created"], result["rejected"]) == (3, 0, 0)


_amounts = st.lists(
    st.tuples(
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("300"), places=2),
        st.sampled_from(["card", "transfer", "cash", ""]),
    ),
    min_size=1,
    max_size=4,
)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(payments=_amounts)
def test_payment_export_round_trip(team: Crm, tmp_path_factory: Any, payments: Any) -> None:
    """Payments exported, deleted and imported back from the export are the same payments."""
    tmp = tmp_path_factory.mktemp("round")
    book = Crm(db=tmp / "crm.db", runner=team.runner)
    book("company add 'Acme GmbH'")
    book("deal add 'Acme renewal' --company 'Acme GmbH' --amount 1200")
    order_for(book, "Acme renewal", "1200", at="2026-11-20")
    for i, (amount, method) in enumerate(payments):
        book(
            "payment",
            "add",
            "Acme renewal",
            str(amount),
            "--reference",
            f"R-{i}",
            *(("--method", method) if method else ()),
            "--at",
            f"2026-11-{21 + i}",
        )
    fields = "order,amount,currency,paid_at,method,reference"
    target = tmp / "payments.csv"
    book(f"export payment --csv --fields {fields} -o {target}")
    before = book.json(f"export payment --fields {fields}")
    for payment in book.json("payment list"):
        book(f"payment delete {payment['handle']}")
    result = book.json(f"import payment {target}")
    assert result["created"] == len(payments)
    after = book.json(f"export payment --fields {fields}")
    assert sorted(after, key=str) == sorted(before, key=str)


QUOTES = (
    "Quote Number,Deal,SKU,Description,Qty,Unit Price,Discount,Valid Until\n"
    "Q-77,Acme renewal,SKU-1,,10,,10%,2026-12-31\n"
    'Q-77,,,Custom onboarding,1,"€ 1,500.00",,\n'
    "Q-77,,SKU-2,,2,2400,,\n"
    "Q-78,Acme renewal,,Support hours,4,120,,\n"
    "Q-78,,NOPE-1,,1,,,\n"
    "Q-79,Nobody's deal,,Setup,1,10,,\n"
)


class TestQuotes:
    def test_rows_with_one_number_build_one_quote(self, sales, tmp_path):
        source = write(tmp_path / "quotes.csv", QUOTES)
        result = sales.json(f"import quote {source}", ok=False)
        assert (result["created"], result["rejected"]) == (4, 2)
        reasons = {r["_row"]: r["_error"] for r in rejected(source)}
        assert "NOPE-1" in reasons["6"] and "Nobody's deal" in reasons["7"]
        quote = sales.json("quote show Q-77")
        assert [(line["description"], line["quantity"]) for line in quote["lines"]] == [
            ("CRM Seat (annual)", "10"),
            ("Custom onboarding", "1"),
            ("Onboarding package", "2"),
        ]
        # the quote service's own totals: 10 x 480 less 10%, + 1,500 + 2 x 2,400 (SKU-2 at
        # the row's price), taxed per line at the products' 19% and the free line's 0%
        assert (quote["status"], quote["valid_until"]) == ("draft", "2026-12-31")
        assert (quote["subtotal"], quote["net"]) == ("11100.00", "10620.00")
        assert quote["total"] == str(Decimal("10620.00") + Decimal("1732.80"))
        assert sales.json("quote show Q-78")["total"] == "480.00"

    def test_dry_run_writes_nothing(self, sales, tmp_path):
        source = write(tmp_path / "quotes.csv", QUOTES)
        before = changes(sales)
        result = sales.json(f"import quote {source} --dry-run", ok=False)
        assert (result["created"], result["rejected"], result["written"]) == (4, 2, False)
        assert changes(sales) == before
        assert sales.json("quote list") == []

    def test_reimport_with_key_adds_only_missing_lines(self, sales, tmp_path):
        source = write(tmp_path / "quotes.csv", QUOTES)
        sales.json(f"import quote {source}", ok=False)
        total = sales.json("quote show Q-77")["total"]
        before = changes(sales)
        again = sales.json(f"import quote {source} --key number", ok=False)
        assert (again["created"], again["unchanged"], again["rejected"]) == (0, 4, 2)
        assert changes(sales) == before
        # without --key, a quote number that exists is refused, not doubled
        plain = sales.json(f"import quote {source}", ok=False)
        assert (plain["created"], plain["rejected"]) == (0, 6)
        assert "already exists" in rejected(source)[0]["_error"]
        # the fixed row goes in with --key: only the line the quote lacked
        fixed = write(tmp_path / "fixed.csv", "quote,sku,qty\nQ-78,SKU-1,1\n")
        added = sales.json(f"import quote {fixed} --key number")
        assert added["created"] == 1
        assert sales.json("quote show Q-78")["total"] == str(Decimal("480.00") + Decimal("571.20"))
        assert sales.json("quote show Q-77")["total"] == total

    def test_a_sent_quote_takes_no_new_line(self, sales, tmp_path):
        source = write(tmp_path / "quotes.csv", QUOTES)
        sales.json(f"import quote {source}", ok=False)
        sales("quote send Q-78")
        fixed = write(tmp_path / "fixed.csv", "quote,sku,qty\nQ-78,SKU-1,1\n")
        result = sales.json(f"import quote {fixed} --key number", ok=False)
        assert result["rejected"] == 1
        assert "only a draft can change" in rejected(fixed)[0]["_error"]
