"""Quotes through the CLI: numbering, lines, totals, status, versions, acceptance."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import Crm
from tests.sales.conftest import new_quote

NUMBER = re.compile(r"^Q-2026-[0-9A-HJKMNP-TV-Z]{5}-\d{4}$")


class TestSpecExamples:
    """SPEC §3: `quote new --deal … --valid 30d` and `quote line add Q-… --product SKU-1 …`."""

    def test_verbatim(self, sales: Crm) -> None:
        sales('quote new --deal "Acme renewal" --valid 30d')
        number = sales.json("quote list")[0]["number"]
        assert NUMBER.match(number)
        sales(f"quote line add {number} --product SKU-1 --qty 3 --discount 10")
        quote = sales.json(f"quote show {number}")
        assert quote["valid_until"] == "2026-12-23"  # 30 days after 2026-11-23
        assert (quote["company"], quote["contact"], quote["owner"]) == (
            "Acme GmbH",
            "Ada Lovelace",
            "alice",
        )
        line = quote["lines"][0]
        # 3 × 480.00 × 0.9 = 1,296.00; 19% tax = 246.24
        assert (line["sku"], line["net"], line["tax"]) == ("SKU-1", "1296.00", "246.24")
        assert (quote["subtotal"], quote["discounts"], quote["tax"], quote["total"]) == (
            "1440.00",
            "144.00",
            "246.24",
            "1542.24",
        )


class TestTotals:
    """The README's worked example through the CLI, and currencies with 0 and 3 decimals."""

    def test_worked_example(self, sales: Crm) -> None:
        number = new_quote(sales, "Acme renewal", "--discount", "5")["number"]
        sales(f"quote line add {number} --text 'Consulting day' --price 100 --qty 2 --tax 19")
        sales(f"quote line add {number} --text 'Workshop' --price 50 --discount 10 --tax 7")
        sales(f"quote line add {number} --text Shipping --price 15 --tax 19 --charge")
        quote = sales.json(f"quote show {number}")
        assert quote["taxes"] == [
            {"rate": "7", "base": "42.75", "tax": "2.99"},
            {"rate": "19", "base": "205.00", "tax": "38.95"},
        ]
        assert (
            quote["subtotal"],
            quote["line_discounts"],
            quote["quote_discount"],
            quote["charges"],
            quote["tax"],
            quote["total"],
        ) == ("250.00", "5.00", "12.25", "15.00", "41.94", "289.69")
        assert sales.json("quote list")[0]["total"] == "289.69"  # the stored total agrees

    def test_jpy_has_no_minor_unit(self, sales: Crm) -> None:
        number = new_quote(sales, "Acme renewal", "--currency", "JPY")["number"]
        sales(f"quote line add {number} --text 'Licence' --price 333 --qty 3 --discount 5 --tax 10")
        quote = sales.json(f"quote show {number}")
        # 999 × 0.95 = 949.05 → 949; 10% = 94.9 → 95
        assert (quote["lines"][0]["net"], quote["tax"], quote["total"]) == ("949", "95", "1044")

    def test_kwd_has_three_decimals(self, sales: Crm) -> None:
        number = new_quote(sales, "Acme renewal", "--currency", "KWD")["number"]
        sales(f"quote line add {number} --text Audit --price 1.234 --qty 7 --discount 12.5 --tax 5")
        quote = sales.json(f"quote show {number}")
        # 8.638 × 0.875 = 7.55825 → 7.558; 5% = 0.3779 → 0.378
        assert (quote["lines"][0]["net"], quote["tax"], quote["total"]) == (
            "7.558",
            "0.378",
            "7.936",
        )

    def test_line_edit_and_remove_by_position(self, sales: Crm) -> None:
        number = new_quote(sales)["number"]
        sales(f"quote line add {number} --product SKU-1 --qty 2")
        sales(f"quote line add {number} --product SKU-2")
        sales(f"quote line edit {number} 1 --qty 4 --discount 50")
        quote = sales.json(f"quote show {number}")
        assert quote["lines"][0]["net"] == "960.00"  # 4 × 480 × 0.5
        quote = sales.json(f"quote line remove {number} 1")
        assert [(x["position"], x["sku"]) for x in quote["lines"]] == [(1, "SKU-2")]
        assert quote["total"] == "2975.00"  # 2,500 + 19%


class TestBadInput:
    """One-line errors, exit 1, nothing written."""

    @pytest.mark.parametrize(
        ("options", "message"),
        [
            ("--product SKU-1 --qty 0", "quantity must be more than zero"),
            ("--product SKU-1 --qty -2", "quantity must be more than zero"),
            ("--product SKU-1 --discount 150", "discount '150' must be between 0 and 100"),
            ("--product SKU-1 --discount -1", "must be between 0 and 100"),
            ("--product SKU-1 --tax 101", "tax '101' must be between 0 and 100"),
            ("--product NOPE", "unknown product 'NOPE'"),
            ("--text Setup", "a --text line needs a --price"),
            ("--product SKU-1 --text x --price 1", "one of them"),
        ],
    )
    def test_line_add_refused(self, sales: Crm, options: str, message: str) -> None:
        number = new_quote(sales)["number"]
        run = sales(f"quote line add {number} {options}", ok=False)
        assert run.exit_code == 1 and message in run.stderr and "Traceback" not in run.stderr
        assert sales.json(f"quote show {number}")["lines"] == []

    def test_archived_product(self, sales: Crm) -> None:
        number = new_quote(sales)["number"]
        sales(f"quote line add {number} --product SKU-2")
        sales("product archive SKU-2")
        run = sales(f"quote line add {number} --product SKU-2", ok=False)
        assert run.exit_code == 1 and "archived" in run.stderr
        # the old line keeps it
        assert sales.json(f"quote show {number}")["lines"][0]["sku"] == "SKU-2"

    def test_product_in_another_currency(self, sales: Crm) -> None:
        sales("product add US-1 'US seat' --price 500 --currency USD")
        number = new_quote(sales)["number"]
        run = sales(f"quote line add {number} --product US-1", ok=False)
        assert run.exit_code == 1
        assert "priced in USD, the quote in EUR" in run.stderr and "hint:" in run.stderr

    def test_unknown_currency(self, sales: Crm) -> None:
        run = sales("quote new --deal 'Acme renewal' --currency XYZ", ok=False)
        assert run.exit_code == 1 and "unknown currency code 'XYZ'" in run.stderr
        assert sales.json("quote list") == []

    def test_editing_a_sent_quote_hints_revise(self, sales: Crm) -> None:
        number = new_quote(sales)["number"]
        sales(f"quote line add {number} --product SKU-1")
        sales(f"quote send {number}")
        for command in (
            f"quote line add {number} --product SKU-1",
            f"quote edit {number} --discount 5",
            f"quote line remove {number} 1",
        ):
            run = sales(command, ok=False)
            assert run.exit_code == 1 and "only a draft can change" in run.stderr
            assert f"hint: make a new version to change: crm quote revise {number}" in run.stderr
        assert len(sales.json(f"quote show {number}")["lines"]) == 1


class TestLifecycle:
    """draft → sent → accepted | declined; expiry; versions."""

    def _sent(self, crm: Crm) -> str:
        number: str = new_quote(crm, "Acme renewal", "--valid", "2026-12-01")["number"]
        crm(f"quote line add {number} --product SKU-1 --qty 10")
        crm(f"quote send {number}")
        return number

    def test_a_sent_quote_past_its_validity_reads_expired(self, sales: Crm) -> None:
        number = self._sent(sales)
        later = {"CRM_NOW": "2026-12-05T10:00:00+01:00"}
        assert sales.json(f"quote show {number}", env=later)["status"] == "expired"
        assert [q["number"] for q in sales.json("quote list --status expired", env=later)] == [
            number
        ]
        assert sales.json("quote list --status sent", env=later) == []
        run = sales(f"quote accept {number}", ok=False, env=later)
        assert run.exit_code == 1 and "expired on 2026-12-01" in run.stderr
        assert "crm quote revise" in run.stderr
        assert sales.json("order list") == []

    def test_decline_then_accept_is_refused(self, sales: Crm) -> None:
        number = self._sent(sales)
        assert sales.json(f"quote decline {number}")["status"] == "declined"
        run = sales(f"quote accept {number}", ok=False)
        assert run.exit_code == 1 and "already declined" in run.stderr

    def test_revise_freezes_the_old_version(self, sales: Crm) -> None:
        number = self._sent(sales)
        v2 = sales.json(f"quote revise {number}")
        assert (v2["number"], v2["version"], v2["status"]) == (number, 2, "draft")
        assert [x["sku"] for x in v2["lines"]] == ["SKU-1"]
        sales(f"quote line edit {number} 1 --qty 12")  # the latest version is the draft
        v1 = sales.json(f"quote show {number}/v1")
        assert (v1["status"], v1["lines"][0]["quantity"]) == ("superseded", "10")
        run = sales(f"quote accept {number}/v1", ok=False)
        assert run.exit_code == 1 and "superseded by version 2" in run.stderr
        assert [(v["version"], v["status"]) for v in v2["versions"]] == [
            (1, "superseded"),
            (2, "draft"),
        ]
        # only the latest version is listed unless asked
        assert [(q["number"], q["version"]) for q in sales.json("quote list")] == [(number, 2)]
        assert len(sales.json("quote list --status all")) == 2

    def test_accept_creates_the_order_and_wins_the_deal_in_its_history(self, sales: Crm) -> None:
        number = self._sent(sales)
        result = sales.json(f"quote accept {number} --at 2026-11-25")
        assert result["status"] == "accepted" and result["deal_won"] is True
        order = result["order"]
        # 10 × 480 = 4,800 + 19% = 5,712.00; due 30 days (payment_terms_days) later
        assert (order["amount"], order["balance"], order["due_date"]) == (
            "5712.00",
            "5712.00",
            "2026-12-25",
        )
        assert order["number"].startswith("O-2026-")
        deal = sales.json("deal show 'Acme renewal'")
        assert (deal["status"], deal["stage"], deal["amount"]) == ("won", "Closed Won", "5712.00")
        assert [o["number"] for o in deal["orders"]] == [order["number"]]
        changes = sales.json("history 'Acme renewal' --entity deal")["changes"]
        fields = {c["field"] for c in changes if c["op"] == "update"}
        assert {"amount_milli", "stage_id", "status"} <= fields
        run = sales(f"quote accept {number}", ok=False)
        assert run.exit_code == 1 and "already accepted" in run.stderr

    def test_accept_no_win_keeps_the_deal_open(self, sales: Crm) -> None:
        number = self._sent(sales)
        assert sales.json(f"quote accept {number} --no-win")["deal_won"] is False
        deal = sales.json("deal show 'Acme renewal'")
        assert (deal["status"], deal["amount"]) == ("open", "5712.00")

    def test_a_failed_accept_writes_nothing(self, sales: Crm) -> None:
        number = self._sent(sales)
        sales("deal lose 'Acme renewal' --reason price")
        run = sales(f"quote accept {number}", ok=False)
        assert run.exit_code == 1 and "is lost" in run.stderr
        assert sales.json(f"quote show {number}")["status"] == "sent"
        assert sales.json("order list") == []


class TestLists:
    def test_filters(self, sales: Crm) -> None:
        sales("deal add 'Globex pilot' --amount 1000 --owner bob")
        a = new_quote(sales, "Acme renewal", "--valid", "5d")["number"]
        b = new_quote(sales, "Globex pilot", "--valid", "60d")["number"]
        for number in (a, b):
            sales(f"quote line add {number} --product SKU-1")
            sales(f"quote send {number}")
        assert [q["number"] for q in sales.json("quote list --owner bob")] == [b]
        assert [q["number"] for q in sales.json("quote list --company 'Acme GmbH'")] == [a]
        assert [q["number"] for q in sales.json("quote list --deal Globex")] == [b]
        assert [q["number"] for q in sales.json("quote list --expiring 7d")] == [a]
        assert sales.json("quote list --status draft") == []
        assert sales("quote list -q").stdout.split() == [b, a]
        run = sales("quote list --status nope", ok=False)
        assert run.exit_code == 1 and "unknown quote status" in run.stderr


class TestNumbering:
    """Two replicas (database files with their own replica ids) never share a number."""

    def test_two_replicas_number_apart(self, tmp_path: Path) -> None:
        numbers = []
        for name in ("laptop-alice.db", "laptop-bob.db"):
            crm = Crm(db=tmp_path / name, runner=CliRunner())
            crm("deal add 'Offline deal' --amount 100")
            first = crm.json("quote new --deal 'Offline deal'")["number"]
            second = crm.json("quote new --deal 'Offline deal'")["number"]
            assert NUMBER.match(first) and first.endswith("-0001") and second.endswith("-0002")
            assert first.rsplit("-", 1)[0] == second.rsplit("-", 1)[0]  # one series per replica
            numbers += [first, second]
        assert len(set(numbers)) == 4
        assert numbers[0].split("-")[2] != numbers[2].split("-")[2]

    def test_series_is_derived_from_the_replica_id(self) -> None:
        from crmcli.services.sales.numbering import series_code

        assert series_code("6f1c6a4e-3d1b-4e0f-9a55-2f0c1c0c7e11") == series_code(
            "6f1c6a4e-3d1b-4e0f-9a55-2f0c1c0c7e11"
        )
        codes = {series_code(f"00000000-0000-4000-8000-{n:012d}") for n in range(1000)}
        assert len(codes) == 1000

    def test_prefix_comes_from_config(self, sales: Crm) -> None:
        sales("config set quote_prefix OFR")
        assert new_quote(sales)["number"].startswith("OFR-2026-")
