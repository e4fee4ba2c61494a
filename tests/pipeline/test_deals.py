"""Deals: add, list, show, edit, delete — shapes, handles and bad input."""

from __future__ import annotations

import pytest

from tests.conftest import Crm
from tests.pipeline.conftest import add_company


def _deal_count(crm: Crm) -> int:
    return len(crm.json("deal list --status all --limit 500"))


class TestAdd:
    """`crm deal add` places a deal in the first open stage with everything it was given."""

    def test_spec_example_verbatim(self, book_with_acme: Crm) -> None:
        crm = book_with_acme
        deal = crm.json(
            'deal add "Acme renewal" --company "Acme GmbH" --amount 48000 --currency EUR '
            "--owner alice --close 2026-12-15"
        )
        assert deal["name"] == "Acme renewal"
        assert deal["company"] == "Acme GmbH"
        assert deal["owner"] == "alice"
        assert deal["amount"] == "48000.00"
        assert deal["currency"] == "EUR"
        assert deal["expected_close"] == "2026-12-15"
        assert deal["stage"] == "Prospecting"
        assert deal["status"] == "open"
        assert deal["weighted_amount"] == "4800.00"  # 10% default of Prospecting

    def test_owner_defaults_to_the_acting_user(self, team: Crm) -> None:
        team.user = "bob"
        assert team.json("deal add Widgets --amount 100")["owner"] == "bob"
        assert team.json("deal add Gadgets --amount 100 --owner me")["owner"] == "bob"

    def test_owner_must_be_a_known_active_rep(self, team: Crm) -> None:
        """The same owner rule as leads, contacts and companies (users.find_owner)."""
        unknown = team("deal add W --amount 1 --owner nobody", ok=False)
        assert unknown.exit_code == 1
        assert "unknown owner 'nobody'" in unknown.stderr
        team("deal add Kept --amount 1 --owner bob")
        team("user edit bob --inactive")
        for command in ("deal add W --amount 1 --owner bob", "deal edit Kept --owner bob"):
            refused = team(command, ok=False)
            assert refused.exit_code == 1
            assert "inactive" in refused.stderr
        assert [d["name"] for d in team.json("deal list --status all")] == ["Kept"]
        # Filtering by a rep who left still works.
        assert [d["name"] for d in team.json("deal list --owner bob")] == ["Kept"]

    def test_probability_override_and_stage(self, team: Crm) -> None:
        deal = team.json("deal add Big --amount 1000 --probability 35% --stage Proposal")
        assert deal["stage"] == "Proposal"
        assert deal["probability"] == 35
        assert deal["weighted_amount"] == "350.00"

    def test_products_become_lines_and_the_amount(self, team: Crm) -> None:
        with_products = _with_products(team)
        deal = with_products.json("deal add Bundle --product SKU-1 --qty 3 --product SKU-2")
        assert deal["amount"] == "3500.00"  # 3 × 1000 + 1 × 500
        shown = with_products.json(f"deal show {deal['handle']}")
        assert [(line["sku"], line["quantity"], line["total"]) for line in shown["lines"]] == [
            ("SKU-1", "3", "3000.00"),
            ("SKU-2", "1", "500.00"),
        ]

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            ("--amount -5", "negative"),
            ("--amount lots", "not an amount"),
            ("--amount 10 --probability 101", "between 0 and 100"),
            ("--amount 10 --probability -1", "between 0 and 100"),
            ("--amount 10 --probability high", "not a number"),
            ("--amount 10 --currency XYZ", "unknown currency"),
            ("--amount 10 --company Nowhere", "no company"),
            ("--amount 10 --close someday", "cannot read the date"),
            ("--amount 10 --stage 'Closed Won'", "open stage"),
        ],
    )
    def test_bad_input_is_refused_and_nothing_written(
        self, team: Crm, args: str, message: str
    ) -> None:
        result = team(f"deal add Broken {args}", ok=False)
        assert result.exit_code == 1
        assert message in result.stderr
        assert result.stderr.startswith("error: ")
        assert result.stdout == ""
        assert _deal_count(team) == 0


def _with_products(crm: Crm) -> Crm:
    from tests.pipeline.conftest import writer

    with writer(crm) as w:
        for sku, price in (("SKU-1", 1_000_000), ("SKU-2", 500_000)):
            w.insert(
                "products",
                {
                    "sku": sku,
                    "name": f"Product {sku}",
                    "unit_price_milli": price,
                    "currency": "EUR",
                    "tax_pct": "0",
                    "active": True,
                },
            )
    return crm


class TestList:
    """`crm deal list`: open deals, most recently updated first, filters, JSON shape."""

    def test_json_shape(self, book_with_acme: Crm) -> None:
        crm = book_with_acme
        crm("deal add 'Acme renewal' --company 'Acme GmbH' --amount 48000 --owner alice")
        (row,) = crm.json("deal list")
        for key in (
            "id",
            "handle",
            "name",
            "company",
            "company_id",
            "owner",
            "owner_id",
            "pipeline",
            "stage",
            "stage_id",
            "stage_probability",
            "status",
            "amount",
            "currency",
            "probability",
            "weighted_amount",
            "expected_close",
            "days_in_stage",
            "idle_days",
            "rotting",
            "next_step",
            "source",
            "created_at",
            "updated_at",
        ):
            assert key in row, key
        assert row["handle"] == row["id"][:8]
        assert row["rotting"] is False

    def test_default_sort_is_most_recently_updated_and_limit(self, team: Crm) -> None:
        for i, day in enumerate(("2026-11-01", "2026-11-03", "2026-11-02")):
            team(f"deal add D{i} --amount 10 --at {day}")
        assert [d["name"] for d in team.json("deal list")] == ["D1", "D2", "D0"]
        assert [d["name"] for d in team.json("deal list --limit 2")] == ["D1", "D2"]
        assert [d["name"] for d in team.json("deal list --sort name")] == ["D0", "D1", "D2"]

    def test_filters(self, team: Crm) -> None:
        team("deal add A --amount 10 --owner alice")
        team("deal add B --amount 20 --owner bob")
        team("deal add C --amount 30 --owner bob")
        team("deal win C")
        assert [d["name"] for d in team.json("deal list --owner bob")] == ["B"]
        team.user = "alice"
        assert [d["name"] for d in team.json("deal list --owner me")] == ["A"]
        team.user = None
        assert [d["name"] for d in team.json("deal list --status won")] == ["C"]
        assert {d["name"] for d in team.json("deal list --status all")} == {"A", "B", "C"}
        assert team.json("deal list --stage 1 --sort name")[0]["name"] == "A"
        result = team("deal list --status maybe", ok=False)
        assert result.exit_code == 1

    def test_quiet_prints_handles(self, team: Crm) -> None:
        deal = team.json("deal add A --amount 10")
        assert team("deal list -q").stdout.split() == [deal["handle"]]


class TestShow:
    """`crm deal show`: the record, its weighted value, timeline and history."""

    def test_json_sections(self, team: Crm) -> None:
        team("deal add 'Acme renewal' --amount 48000 --at 2026-09-01")
        team("deal move 'Acme renewal' Proposal --at 2026-10-01")
        shown = team.json("deal show Acme")
        assert shown["stage"] == "Proposal"
        assert shown["weighted_amount"] == "19200.00"
        assert shown["days_in_stage"] == 53  # 2026-10-01 00:00 → 2026-11-23 10:00
        assert [(h["from_stage"], h["to_stage"]) for h in shown["stage_history"]] == [
            (None, "Prospecting"),
            ("Prospecting", "Proposal"),
        ]
        assert shown["stage_history"][0]["days"] == 30
        for key in ("activities", "quotes", "lines", "changes"):
            assert isinstance(shown[key], list)
        stage_change = next(c for c in shown["changes"] if c["field"] == "stage_id")
        assert (stage_change["old"], stage_change["new"]) == ("Prospecting", "Proposal")

    def test_table_has_timeline(self, team: Crm) -> None:
        team("deal add 'Acme renewal' --amount 48000")
        team("deal move Acme Qualification")
        text = team("deal show Acme").stdout
        assert "Stage history" in text
        assert "Qualification" in text
        assert "Prospecting" in text  # the stage it left: only the timeline and changes name it
        assert "9,600.00 EUR" in text  # weighted at 20%
        assert "days in stage" in text

    def test_unknown_deal(self, team: Crm) -> None:
        result = team("deal show Nothing", ok=False)
        assert result.exit_code == 1
        assert "no deal matches" in result.stderr


class TestEditDelete:
    """Editing fields (not stages) and soft deletion with undo."""

    def test_edit_fields_and_clear_override(self, team: Crm) -> None:
        add_company(team, "Globex Corp")
        team("deal add Thing --amount 10 --probability 50")
        edited = team.json(
            "deal edit Thing --amount 2500.50 --company Globex --next-step 'Call CFO' "
            "--owner alice --close 2027-01-31 --probability none"
        )
        assert edited["amount"] == "2500.50"
        assert edited["company"] == "Globex Corp"
        assert edited["next_step"] == "Call CFO"
        assert edited["owner"] == "alice"
        assert edited["expected_close"] == "2027-01-31"
        assert edited["probability"] is None

    @pytest.mark.parametrize(
        "args", ["--amount -1", "--amount abc", "--probability 150", "--currency EURO"]
    )
    def test_edit_bad_input_changes_nothing(self, team: Crm, args: str) -> None:
        team("deal add Thing --amount 10")
        result = team(f"deal edit Thing {args}", ok=False)
        assert result.exit_code == 1
        deal = team.json("deal show Thing")
        assert (deal["amount"], deal["currency"], deal["probability"]) == ("10.00", "EUR", None)

    def test_delete_and_undo(self, team: Crm) -> None:
        team("deal add Thing --amount 10")
        result = team("deal delete Thing")
        assert "undo: crm history --undo" in result.stderr
        assert team.json("deal list") == []
        change = result.stderr.rsplit("--undo ", 1)[1].split(")")[0]
        assert change == team.json("history", "-n", "1")[0]["handle"]  # as the table shows it
        team(f"history --undo {change}")
        assert [d["name"] for d in team.json("deal list")] == ["Thing"]


def test_effective_probability_is_the_weighting_rule(book_with_acme: Crm) -> None:
    """A 0% override stays 0% (not the stage's 10%); won counts 100, lost 0."""
    crm = book_with_acme
    crm("deal add 'Zero' --amount 1000 --probability 0")
    crm("deal add 'Plain' --amount 1000")
    crm("deal add 'Won' --amount 1000")
    crm("deal win 'Won'")
    deals = {d["name"]: d for d in crm.json("deal list --status all")}
    assert (
        deals["Zero"]["effective_probability"] == 0 and deals["Zero"]["weighted_amount"] == "0.00"
    )
    assert deals["Plain"]["effective_probability"] == 10
    assert deals["Won"]["effective_probability"] == 100
