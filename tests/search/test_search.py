"""crm search: what it finds, how it ranks, and that the index follows every write."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from crmcli.storage.db import Writer
from tests.conftest import Crm


@contextmanager
def writer(crm: Crm) -> Iterator[Writer]:
    from crmcli.config import Settings
    from crmcli.services.book import Book

    book = Book.open(Settings.resolve(db=str(crm.db)))
    try:
        with book.write() as w:
            yield w
    finally:
        book.close()


def found(crm: Crm, text: str, *extra: str) -> list[tuple[str, str]]:
    """(type, name) of each hit, best first."""
    return [(h["type"], h["name"]) for h in crm.json("search", text, *extra)]


@pytest.fixture
def book(crm: Crm) -> Crm:
    crm("company add 'Acme GmbH' --domain acme.example --class target")
    crm(
        "contact add 'Ada Lovelace' --email ada@acme.example --phone '+44 20 7946 0000' "
        "--company 'Acme GmbH' --tag webinar"
    )
    crm("contact add 'José Müller' --notes 'Prefers calls in the morning'")
    crm("contact add '山田太郎' --email yamada@example.jp")
    crm("lead add 'Grace Hopper' --email grace@navy.example --company 'Navy Labs'")
    crm("deal add 'Acme renewal' --company 'Acme GmbH' --amount 48000")
    crm(
        "log call 'Discussed pricing' --with ada@acme.example --deal 'Acme renewal' "
        "--notes 'They want a multi-year discount'"
    )
    return crm


class TestWhatItFinds:
    """Names, e-mails, domains, notes, tags, CJK and accents, across every type."""

    def test_by_name_email_domain_and_note(self, book: Crm) -> None:
        assert ("contact", "Ada Lovelace") in found(book, "lovelace")
        assert found(book, "ada@acme.example")[0] == ("contact", "Ada Lovelace")
        assert ("company", "Acme GmbH") in found(book, "acme.example")
        assert found(book, "morning") == [("contact", "José Müller")]
        assert found(book, "multi-year") == [("activity", "Discussed pricing")]

    def test_text_with_punctuation_is_plain_words(self, book: Crm) -> None:
        book("company edit 'Acme GmbH' --website https://www.acme.example/shop")
        assert ("company", "Acme GmbH") in found(book, "https://www.acme.example")
        book("log note 'Meeting moved to 10:30' --with ada@acme.example")
        assert found(book, "10:30") == [("activity", "Meeting moved to 10:30")]

    def test_by_phone_and_tag(self, book: Crm) -> None:
        assert ("contact", "Ada Lovelace") in found(book, "+44 20 7946 0000")
        assert ("contact", "Ada Lovelace") in found(book, "+44 (20) 7946")
        assert found(book, "webinar") == [("contact", "Ada Lovelace")]

    def test_cjk_name_by_any_part(self, book: Crm) -> None:
        assert found(book, "山田") == [("contact", "山田太郎")]
        assert found(book, "太郎") == [("contact", "山田太郎")]
        assert found(book, "田中") == []
        [hit] = book.json("search", "太郎")
        assert (hit["snippet"], hit["highlights"]) == ("山田太郎", [[2, 4]])
        book("contact", "add", "李小龍", "--notes", "会议在北京举行 next week")
        [hit] = book.json("search", "北京")
        assert (hit["snippet"], hit["highlights"]) == ("会议在北京举行 next week", [[3, 5]])

    def test_accented_name_typed_without_accents(self, book: Crm) -> None:
        assert found(book, "jose muller") == [("contact", "José Müller")]
        assert found(book, "MÜLLER") == [("contact", "José Müller")]

    def test_prefix_and_phrase(self, book: Crm) -> None:
        kinds = {t for t, _ in found(book, "acm")}
        assert {"company", "contact", "deal"} <= kinds
        assert found(book, '"acme renewal"') == [("deal", "Acme renewal")]
        assert found(book, '"renewal acme"') == []

    def test_operators_pass_through(self, book: Crm) -> None:
        assert ("deal", "Acme renewal") not in found(book, "acme NOT renewal")
        assert ("company", "Acme GmbH") in found(book, "acme NOT renewal")
        assert {"José Müller", "Grace Hopper"} <= {n for _, n in found(book, "muller OR grace")}
        assert found(book, "renew*") == [("deal", "Acme renewal")]
        names = found(book, "name: acme")
        assert ("contact", "Ada Lovelace") not in names  # her e-mail is not her name
        assert ("company", "Acme GmbH") in names

    def test_type_filter_and_limit(self, book: Crm) -> None:
        assert {t for t, _ in found(book, "acme", "--type", "deal")} == {"deal"}
        assert len(found(book, "acme", "--limit", "1")) == 1
        assert found(book, "grace", "--type", "lead") == [("lead", "Grace Hopper")]

    def test_hit_names_its_owner_and_marks_the_match(self, book: Crm) -> None:
        [hit] = book.json("search", "multi-year")
        assert hit["owner"]["type"] == "deal" and hit["owner"]["name"] == "Acme renewal"
        start, end = hit["highlights"][0]
        assert hit["snippet"][start:end].lower() == "multi-year"
        [contact] = book.json("search", "lovelace")
        assert contact["owner"]["name"] == "Acme GmbH"

    def test_exact_name_ranks_first(self, book: Crm) -> None:
        book(
            "deal add 'Acme GmbH expansion' --company 'Acme GmbH' --amount 100 "
            "--notes 'Acme GmbH Acme GmbH Acme GmbH'"
        )
        hits = book.json("search", "acme gmbh")
        assert (hits[0]["type"], hits[0]["name"], hits[0]["exact"]) == (
            "company",
            "Acme GmbH",
            True,
        )
        assert all(not h["exact"] for h in hits[1:])

    def test_table_marks_the_match_only_where_styles_show(self, book: Crm) -> None:
        plain = book("search", "multi-year").stdout
        assert "multi-year" in plain and "\x1b" not in plain
        coloured = book("search", "multi-year", env={"FORCE_COLOR": "1"}).stdout
        assert "\x1b[1;7m" in coloured  # bold reverse around the match
        assert _ansi_free(coloured) == plain


class TestBadInput:
    """Query syntax errors and bad options are one line, never a traceback."""

    @pytest.mark.parametrize("text", ['"unbalanced', "acme AND", "(acme", "NOT"])
    def test_fts_syntax_error(self, book: Crm, text: str) -> None:
        run = book("search", text, ok=False)
        assert run.exit_code == 1
        assert run.stderr.startswith("error: cannot search for")
        assert "Traceback" not in run.stderr

    def test_empty_text_and_unknown_type(self, book: Crm) -> None:
        assert book("search", "  ", ok=False).exit_code == 1
        run = book("search", "acme", "--type", "planet", ok=False)
        assert run.exit_code == 1 and "--type is one of" in run.stderr

    def test_markup_in_user_text_is_printed_literally(self, crm: Crm) -> None:
        crm("contact", "add", "[bold red]Mallory[/]")
        with writer(crm) as w:  # an escape that came in by sync or an old import
            w.insert("contacts", {"name": "Eve", "notes": "evil \x1b[31m notes"})
        out = crm("search", "mallory").stdout
        assert "[bold red]Mallory[/]" in out
        out = crm("search", "evil").stdout
        assert "\x1b" not in out and "\\x1b" in out

    def test_nothing_found_is_a_note(self, book: Crm) -> None:
        run = book("search", "zebra")
        assert run.stdout == "" and "nothing matches" in run.stderr


class TestInStep:
    """Every write keeps the index in step: edits, deletes, merges, undo, bulk inserts."""

    def test_edit(self, book: Crm) -> None:
        book("contact edit 'Ada Lovelace' --name 'Ada King'")
        assert found(book, "lovelace") == []
        assert found(book, "king") == [("contact", "Ada King")]

    def test_delete_and_undo(self, book: Crm) -> None:
        book("contact delete 'Ada Lovelace'")
        assert found(book, "lovelace") == []
        assert found(book, "webinar") == []  # its tag's document went with it
        change = book.json("history", "-n", "1")[0]["id"]
        book("history", "--undo", change)
        assert found(book, "lovelace") == [("contact", "Ada Lovelace")]
        assert found(book, "webinar") == [("contact", "Ada Lovelace")]

    def test_undo_of_an_edit(self, book: Crm) -> None:
        book("contact edit 'Ada Lovelace' --name 'Ada King'")
        change = book.json("history", "-n", "1")[0]["id"]
        book("history", "--undo", change)
        assert found(book, "king") == []
        assert found(book, "lovelace") == [("contact", "Ada Lovelace")]

    def test_merge(self, book: Crm) -> None:
        book("contact add 'Ada L.' --email ada.l@other.example --notes 'met at the expo'")
        book("contact merge 'Ada Lovelace' 'Ada L.'", input="y\n")
        assert found(book, "expo") == [("contact", "Ada Lovelace")]
        assert found(book, "ada.l@other.example") == [("contact", "Ada Lovelace")]

    def test_untag(self, book: Crm) -> None:
        book("contact edit 'Ada Lovelace' --untag webinar")
        assert found(book, "webinar") == []

    def test_bulk_insert_is_indexed(self, crm: Crm) -> None:
        crm("user list")
        with writer(crm) as w:
            w.insert_many(
                "companies",
                [{"name": f"Bulk {i:04d} AG", "classification": "prospect"} for i in range(6000)],
            )
        assert found(crm, "Bulk 4321 AG")[0] == ("company", "Bulk 4321 AG")
        assert len(crm.json("search", "bulk", "-n", "50")) == 50

    def test_quote_number_customer_and_lines(self, book: Crm) -> None:
        with writer(book) as w:
            deal = w.row("SELECT id FROM deals WHERE name = 'Acme renewal'")
            assert deal is not None
            quote = w.insert(
                "quotes", _required(w, "quotes", {"number": "Q-2026-0001", "deal_id": deal["id"]})
            )
            line = {"quote_id": quote["id"], "description": "Onboarding workshop"}
            w.insert("quote_lines", _required(w, "quote_lines", line))
        assert ("quote", "Q-2026-0001") in found(book, "onboarding")
        assert found(book, "Q-2026-0001", "--type", "quote") == [("quote", "Q-2026-0001")]
        assert ("quote", "Q-2026-0001") in found(book, "acme", "--type", "quote")
        [hit] = book.json("search", "onboarding")
        assert hit["owner"]["name"] == "Acme renewal"

    def test_the_writer_is_the_one_place(self, book: Crm) -> None:
        """Documents match live records exactly, whatever the sequence of writes was."""
        book("contact delete 'José Müller'")
        book("deal edit 'Acme renewal' --name 'Acme renewal 2027'")
        conn = sqlite3.connect(book.db)
        docs = {(e, r) for e, r in conn.execute("SELECT entity, record_id FROM search_index")}
        for table, entity in (
            ("contacts", "contact"),
            ("deals", "deal"),
            ("activities", "activity"),
        ):
            live = {r for (r,) in conn.execute(f"SELECT id FROM {table} WHERE deleted_at IS NULL")}
            assert {r for e, r in docs if e == entity} == live


def _required(w: Writer, table: str, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` plus a zero/blank for every other NOT NULL column (the quote tables belong
    to the quote-to-cash area; their money columns change scale while we work)."""
    row = dict(values)
    for _, name, kind, notnull, default, pk in w.execute(f"PRAGMA table_info({table})"):
        if notnull and not pk and default is None and name not in row and not name.endswith("_at"):
            row[name] = 0 if kind.upper() in ("INTEGER", "BIGINT", "BOOLEAN") else "0"
    return row


class TestMigration:
    """A book written before the index existed is indexed by the migration."""

    def test_existing_book_is_rebuilt(self, tmp_path, crm: Crm) -> None:
        from alembic import command
        from alembic.config import Config
        from sqlalchemy import create_engine

        from crmcli.storage.migrate import MIGRATIONS
        from crmcli.storage.schema import REVISIONS

        crm("contact add 'Ada Lovelace' --email ada@acme.example --tag vip")
        crm("contact add 'Gone Person'")
        crm("contact delete 'Gone Person'")
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        engine = create_engine(f"sqlite:///{crm.db}")
        with engine.begin() as connection:  # back to the revision before the index existed
            config.attributes["connection"] = connection
            command.downgrade(config, REVISIONS[REVISIONS.index("0007_search") - 1])
        engine.dispose()
        tables = {r[0] for r in sqlite3.connect(crm.db).execute("SELECT name FROM sqlite_master")}
        assert "search_index" not in tables
        # the next crm command upgrades the file, and the migration indexes what it holds
        assert found(crm, "lovelace") == [("contact", "Ada Lovelace")]
        assert found(crm, "vip") == [("contact", "Ada Lovelace")]
        assert found(crm, "gone") == []


class TestInvariant:
    """Whatever the sequence of adds, edits, tags, deletes and undos, the index holds exactly
    the live records (and their live tags)."""

    @staticmethod
    def _check(crm: Crm) -> None:
        conn = sqlite3.connect(crm.db)
        docs = set(conn.execute("SELECT entity, record_id, name FROM search_index"))
        live = {
            ("contact", i, n)
            for i, n in conn.execute("SELECT id, name FROM contacts WHERE deleted_at IS NULL")
        }
        tags = {
            ("contact", r, "")
            for (r,) in conn.execute(
                "SELECT t.record_id FROM tags t JOIN contacts c ON c.id = t.record_id "
                "WHERE t.deleted_at IS NULL AND c.deleted_at IS NULL"
            )
        }
        conn.close()
        assert {d for d in docs if d[0] == "contact"} == live | tags

    def test_random_sequences(self, tmp_path) -> None:
        from hypothesis import HealthCheck, given, settings
        from hypothesis import strategies as st
        from typer.testing import CliRunner

        ops = st.lists(
            st.tuples(
                st.sampled_from(["add", "rename", "tag", "untag", "delete", "undo"]),
                st.integers(0, 3),
            ),
            min_size=1,
            max_size=8,
        )
        counter = iter(range(10_000))

        @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
        @given(ops)
        def run(sequence: list[tuple[str, int]]) -> None:
            crm = Crm(db=tmp_path / f"p{next(counter)}.db", runner=CliRunner())
            names: list[str] = []
            for op, pick in sequence:
                if op == "add" or not names:
                    names.append(f"Person {len(names)}")
                    crm("contact", "add", names[-1])
                    continue
                name = names[pick % len(names)]
                if op == "rename":
                    new = f"{name} X"
                    if crm("contact", "edit", name, "--name", new, ok=False).exit_code == 0:
                        names[names.index(name)] = new
                elif op == "tag":
                    crm("contact", "edit", name, "--tag", f"t{pick}", ok=False)
                elif op == "untag":
                    crm("contact", "edit", name, "--untag", f"t{pick}", ok=False)
                elif op == "delete":
                    crm("contact", "delete", name, ok=False)
                else:
                    last = crm.json("history", "-n", "1")[0]["id"]
                    crm("history", "--undo", last, ok=False)
                self._check(crm)

        run()


def _ansi_free(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)
