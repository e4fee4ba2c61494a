"""Handles a human can type, and the history every write leaves."""

from __future__ import annotations

import sqlite3

from hypothesis import given
from hypothesis import strategies as st


class TestHandles:
    """Unique id prefix, exact email, exact or unique partial name; ambiguity lists candidates."""

    def test_by_username_email_name_and_id_prefix(self, crm) -> None:
        alice = crm.json("user add alice --name 'Alice Ng' --email alice@example.com")
        for handle in (
            "alice",
            "ALICE@example.com",
            "alice ng",
            "Ng",
            alice["id"][:6],
            alice["id"],
        ):
            assert crm.json("user", "show", handle)["username"] == "alice", handle

    def test_ambiguous_lists_candidates(self, crm) -> None:
        crm("user add alice --name 'Alice Ng'")
        crm("user add alina --name 'Alina Ng'")
        run = crm("user show ng", ok=False)
        assert run.exit_code == 1
        assert "ambiguous" in run.stderr
        assert "alice" in run.stderr and "alina" in run.stderr  # the candidates, by username
        assert run.stdout == ""

    def test_not_found_suggests(self, crm) -> None:
        crm("user add alice --name 'Alice Ng'")
        run = crm("user show alcie", ok=False)
        assert run.exit_code == 1 and "did you mean" in run.stderr


class TestNonAsciiNames:
    """Names with letters SQLite's lower() cannot fold resolve as typed and in any case."""

    NAMES = ("ÖBB Holding", "Émile Zola", "Ærø Shipping", "上海通用汽车", "İstanbul Tekstil")

    def test_companies_by_exact_and_other_case_names(self, crm) -> None:
        for name in self.NAMES:
            crm("company", "add", name)
        for name in self.NAMES:
            for typed in (name, name.lower(), name.upper(), name.split()[0].lower()):
                shown = crm.json("company", "show", typed)
                assert shown["name"] == name, typed

    def test_links_and_filters_find_them(self, crm) -> None:
        crm("company", "add", "ÖBB Holding", "--territory", "Österreich")
        crm("contact", "add", "Ümit Öz", "--email", "umit@obb.example", "--company", "ÖBB Holding")
        crm("deal", "add", "Rail ÖBB", "--amount", "100", "--company", "öbb holding")
        deal = crm.json("deal", "show", "rail öbb")
        assert deal["company"] == "ÖBB Holding"
        listed = crm.json("company", "list", "--territory", "Österreich")
        assert [c["name"] for c in listed] == ["ÖBB Holding"]
        assert crm.json("contact", "show", "ümit öz")["email"] == "umit@obb.example"

    def test_list_search_as_typed_and_in_capitals(self, crm) -> None:
        crm("company", "add", "Öko Bau")
        crm("company", "add", "Acme GmbH")
        for typed in ("Öko", "ÖKO", "bau", "ÖKO BAU"):
            found = crm.json("company", "list", "--search", typed)
            assert [c["name"] for c in found] == ["Öko Bau"], typed

    def test_an_exact_duplicate_is_caught(self, crm) -> None:
        crm("company", "add", "ÖBB Holding")
        again = crm("company", "add", "ÖBB Holding", ok=False)
        assert again.exit_code != 0 and "duplicate" in again.stderr

    def test_two_names_alike_but_for_case_are_ambiguous(self, crm) -> None:
        crm("company", "add", "Öko Bau")
        crm("company", "add", "Öko Bauplan", "--force")
        run = crm("company", "show", "öko", ok=False)
        assert run.exit_code == 1 and "ambiguous" in run.stderr


class TestHistory:
    """Creates, updates (old → new) and deletes are logged with who and when."""

    def test_create_update_logged_with_actor(self, team) -> None:
        team.user = "alice"
        team("user edit bob --team north")
        doc = team.json("history bob --entity user")
        ops = [(c["op"], c["field"], c["old"], c["new"]) for c in doc["changes"]]
        assert ops[0][0] == "create"
        assert ("update", "team", "west", "north") in ops
        update = next(c for c in doc["changes"] if c["op"] == "update")
        assert update["user"] == "alice"

    def test_stated_and_entered_time(self, team) -> None:
        team("user edit bob --team north --at '2026-10-01 09:00'")
        update = next(
            c for c in team.json("history bob --entity user")["changes"] if c["op"] == "update"
        )
        assert update["at"] == "2026-10-01T07:00:00+00:00"  # 09:00 Berlin (CEST)
        assert update["entered_at"] == "2026-11-23T09:00:00+00:00"  # CRM_NOW

    def test_hlc_is_strictly_increasing(self, team) -> None:
        for team_name in ("a", "b", "c"):
            team("user", "edit", "bob", "--team", team_name)
        conn = sqlite3.connect(team.db)
        stamps = [r[0] for r in conn.execute("SELECT hlc FROM changes ORDER BY rowid")]
        assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)

    def test_undo_an_update(self, team) -> None:
        team("user edit bob --team north")
        change = next(
            c for c in team.json("history bob --entity user")["changes"] if c["field"] == "team"
        )
        team("history", "--undo", change["handle"])
        assert team.json("user show bob")["team"] == "west"

    def test_the_table_shows_each_change_by_the_end_of_its_id(self, team) -> None:
        """A change id begins with its time, so the handle shown is its last 8 characters,
        and `--undo` takes that handle or the whole id."""
        team("user edit bob --team north")
        team("user edit bob --team south")
        changes = team.json("history bob --entity user")["changes"]
        assert all(c["handle"] == c["id"][-8:] for c in changes)
        table = team("history bob --entity user").stdout
        assert all(c["handle"] in table for c in changes)
        assert not any(c["id"][:8] in table for c in changes)  # their time, alike
        north, south = (next(c for c in changes if c["new"] == t) for t in ("north", "south"))
        team("history", "--undo", south["id"])  # the whole id, as a script keeps it
        assert team.json("user show bob")["team"] == "north"
        team("history", "--undo", north["handle"].upper())
        assert team.json("user show bob")["team"] == "west"

    def test_an_older_books_change_prefix_still_undoes(self, team) -> None:
        """Books written before change ids were time-ordered hold random ids, whose history
        showed their first characters: those still work."""
        team("user edit bob --team north")
        conn = sqlite3.connect(team.db)
        with conn:
            conn.execute(
                "UPDATE changes SET id = '3f2a9c1b-0d4e-4a7b-9c2d-5e6f7a8b9c0d' "
                "WHERE field = 'team'"
            )
        conn.close()
        team("history", "--undo", "3f2a9c1b")
        assert team.json("user show bob")["team"] == "west"

    def test_a_handle_naming_two_changes_lists_them(self, team) -> None:
        team("user edit bob --team north")
        team("user edit bob --team south")
        conn = sqlite3.connect(team.db)
        with conn:  # two ids ending alike (one in 2^32 by chance)
            for n, team_name in enumerate(("north", "south")):
                conn.execute(
                    "UPDATE changes SET id = substr(id, 1, 28) || ? WHERE new_value = ?",
                    (f"{n}bad0bad", f'"{team_name}"'),
                )
        conn.close()
        run = team("history", "--undo", "bad0bad", ok=False)
        assert run.exit_code != 0 and "0bad0bad" in run.stderr and "1bad0bad" in run.stderr
        assert team.json("user show bob")["team"] == "south"  # nothing undone
        team("history", "--undo", "1bad0bad")  # the change to south: back to north
        assert team.json("user show bob")["team"] == "north"

    def test_an_unknown_or_malformed_change_is_one_line_error(self, team) -> None:
        for handle in ("ffffffff", "zz%", "'; DROP TABLE changes"):
            run = team("history", "--undo", handle, ok=False)
            assert run.exit_code != 0 and "no change" in run.stderr
            assert "Traceback" not in run.stderr
        assert team.json("user show bob")["team"] == "west"

    def test_recent_changes(self, team) -> None:
        rows = team.json("history -n 5")
        assert len(rows) == 5 and rows[0]["hlc"] > rows[-1]["hlc"]


class TestMoney:
    """Money is Decimal stored in exact thousandths; bad amounts are refused."""

    @given(
        st.decimals(min_value=0, max_value=10**12, places=3, allow_nan=False, allow_infinity=False),
        st.sampled_from(["EUR", "JPY", "KWD"]),
    )
    def test_storage_round_trip_is_exact_at_the_currency_unit(self, amount, currency) -> None:
        from crmcli.money import from_milli, round_money, to_milli

        rounded = round_money(amount, currency)
        assert from_milli(to_milli(rounded), currency) == rounded

    def test_bad_amounts(self) -> None:
        import pytest

        from crmcli.errors import InvalidInput
        from crmcli.money import parse_currency, parse_money

        for bad in ("12,5.0", "abc", "-5", "1e5", "", "NaN"):
            with pytest.raises(InvalidInput):
                parse_money(bad)
        assert str(parse_money("48,000.50")) == "48000.50"
        assert str(parse_money("-5", allow_negative=True)) == "-5.00"
        with pytest.raises(InvalidInput):
            parse_currency("EURO")


class TestHybridLogicalClock:
    """Stamps stay fixed-width and ordered even when the wall clock stands still."""

    def test_counter_overflow_rolls_into_the_next_millisecond(self, crm) -> None:
        crm("user list")
        from crmcli.config import Settings
        from crmcli.services.book import Book

        book = Book.open(Settings.resolve(db=str(crm.db)))
        try:
            with book.write() as w:
                stamps = w.next_hlcs(120_000)  # CRM_NOW is fixed: one physical millisecond
        finally:
            book.close()
        assert stamps == sorted(stamps)
        assert len(set(stamps)) == len(stamps)
        assert {len(s.split("-", 2)[0]) for s in stamps} == {13}
        assert {len(s.split("-", 2)[1]) for s in stamps} == {5}


def test_history_names_what_reference_fields_point_at(crm) -> None:
    crm("company add 'Acme GmbH'")
    crm("deal add 'Acme renewal' --company 'Acme GmbH' --amount 1000")
    crm("deal move 'Acme renewal' Proposal")
    change = next(
        c
        for c in crm.json("history 'Acme renewal' --entity deal")["changes"]
        if c["field"] == "stage_id"
    )
    assert (change["old_label"], change["new_label"]) == ("Prospecting", "Proposal")
    assert len(change["old"]) == 36  # the ids stay in the JSON
    table = crm("history 'Acme renewal' --entity deal").stdout
    assert "Prospecting" in table and "Proposal" in table
