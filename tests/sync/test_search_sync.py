"""The full-text index after a sync: what arrived is found, what was edited or deleted
elsewhere is found as it is now, and the merge indexes in one pass (not one FTS5 segment
per operation)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import Crm
from tests.sync.conftest import make_replica


def _found(crm: Crm, text: str) -> list[tuple[str, str]]:
    return [(h["type"], h["name"]) for h in crm.json("search", text)]


def _documents(db: Path) -> list[tuple[object, ...]]:
    """The index's documents (each replica numbers its own: rowids are not compared)."""
    conn = sqlite3.connect(db)
    try:
        return sorted(conn.execute("SELECT entity, record_id, name, body FROM search_index"))
    finally:
        conn.close()


def _segments_written(db: Path) -> int:
    """FTS5's write counter: leaf pages written to the index since it was made (each
    segment flush writes at least one)."""
    conn = sqlite3.connect(db)
    try:
        blob = conn.execute("SELECT block FROM search_index_data WHERE id = 10").fetchone()[0]
    finally:
        conn.close()

    def varint(at: int) -> tuple[int, int]:
        value = 0
        for i in range(9):
            byte = blob[at]
            at += 1
            if i == 8:
                return (value << 8) | byte, at
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                return value, at
        return value, at

    at = 4  # the structure record: cookie, levels, segments, write counter
    _levels, at = varint(at)
    _segments, at = varint(at)
    counter, _ = varint(at)
    return counter


@pytest.fixture
def pair(book_template: Path, tmp_path: Path) -> tuple[Crm, Crm, str]:
    """Two replicas of one team, as a rep runs them, and their shared folder."""
    folder = tmp_path / "team"
    folder.mkdir()
    crms = []
    for name in ("a", "b"):
        make_replica(book_template, tmp_path / f"{name}.db").close()
        crms.append(Crm(db=tmp_path / f"{name}.db", runner=CliRunner()))
    return crms[0], crms[1], str(folder)


class TestSearchAfterSync:
    def test_what_arrives_is_found_as_it_is_now(self, pair) -> None:
        a, b, folder = pair
        a("company add 'Zephyr Works' --domain zephyr.example")
        a("contact add 'Quentin Blake' --email quentin@zephyr.example --company 'Zephyr Works'")
        a("contact edit 'Quentin Blake' --tag aviary")
        a("deal add 'Zephyr rollout' --company 'Zephyr Works' --amount 1000 --currency EUR")
        a("log call 'Walked through the marmalade pricing' --deal 'Zephyr rollout'")
        for crm in (a, b):
            crm("sync", "--remote", folder)
        assert _found(b, "marmalade") == [("activity", "Walked through the marmalade pricing")]
        assert _found(b, "quentin") == [("contact", "Quentin Blake")]
        assert ("contact", "Quentin Blake") in _found(b, "aviary")  # its tag's document
        assert _found(b, "zephyr rollout") == [("deal", "Zephyr rollout")]

        # edited and deleted on the other replica: the index follows
        a(
            "deal edit 'Zephyr rollout' --name 'Zephyr expansion' --next-step 'Send the kumquat deck'"
        )
        a("contact delete 'Quentin Blake'")
        for crm in (a, b):
            crm("sync", "--remote", folder)
        assert _found(b, "kumquat") == [("deal", "Zephyr expansion")]
        assert _found(b, "rollout") == []
        assert _found(b, "quentin") == []
        assert _found(b, "aviary") == []  # the deleted contact's tag went with it
        # the same documents as the replica that indexed each write as it was made
        assert _documents(b.db) == _documents(a.db)

        # an undone delete syncs as a restore: the contact and its tag are found again
        last = a.json("history", "-n", "1")[0]["id"]
        a("history", "--undo", last)
        for crm in (a, b):
            crm("sync", "--remote", folder)
        assert _found(b, "quentin") == [("contact", "Quentin Blake")]
        assert ("contact", "Quentin Blake") in _found(b, "aviary")
        assert _documents(b.db) == _documents(a.db)

    def test_a_merge_indexes_in_one_pass(self, pair) -> None:
        """Indexing operation by operation wrote one FTS5 segment per operation (each one
        applies in its own savepoint, and FTS5 flushes at every savepoint)."""
        a, b, folder = pair
        a("sync", "--remote", folder)
        b("sync", "--remote", folder)
        for i in range(60):
            a("contact", "add", f"Person {i}", "--email", f"p{i}@example.com")
        for i in range(0, 60, 2):
            a("contact", "edit", f"Person {i}", "--title", f"Buyer {i}")
        a("sync", "--remote", folder)
        before = _segments_written(b.db)
        b("sync", "--remote", folder)
        assert _found(b, "person 59") == [("contact", "Person 59")]
        assert _found(b, "buyer 42") == [("contact", "Person 42")]
        assert _documents(b.db) == _documents(a.db)
        assert _segments_written(b.db) - before <= 4  # 90 operations, one or two flushes

    def test_merge_keeps_savepoint_undo_in_memory_and_maps_the_file(
        self, pair, monkeypatch
    ) -> None:
        """Each operation's savepoint journals the pages it changes again; on SQLite's
        default temp storage that is a file (730 MB of writes on the benchmark book)."""
        from crmcli.config import Settings
        from crmcli.services.book import Book
        from crmcli.sync import merge
        from crmcli.sync.engine import sync

        a, b, folder = pair
        a("company add 'Umlaut AG'")
        a("sync", "--remote", folder)
        seen: list[int] = []
        real = merge.Merger.merge

        def spy(self: merge.Merger, incoming: object) -> merge.MergeResult:
            seen.append(self.w.scalar("PRAGMA temp_store"))
            seen.append(self.w.scalar("PRAGMA mmap_size") > 0)
            return real(self, incoming)  # type: ignore[arg-type]

        monkeypatch.setattr(merge.Merger, "merge", spy)
        book = Book.open(Settings(db=str(b.db), user=None))
        try:
            assert sync(book, remote=folder).applied > 0
            assert seen == [2, True]  # MEMORY, and the file mapped, while merging
            raw = book.db.raw  # then both put back
            assert (
                raw.execute("PRAGMA temp_store").fetchone()[0],
                raw.execute("PRAGMA mmap_size").fetchone()[0],
            ) == (0, 0)
        finally:
            book.close()
