"""Every live indexed row has exactly one document, numbered after the row itself; none is
left behind by edits, deletes, undo, tags or merges, and a snapshot copy keeps the numbering."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from crmcli.storage.search_index import CODES, SLOTS
from tests.conftest import Crm

ALWAYS = ("contacts", "companies", "deals")  # tables whose every live row has a name


def _consistent(crm: Crm, path: Path | None = None) -> list[tuple[str, str]]:
    """Each document sits at its live row's number and names that row; the tables whose
    rows always have a name have one document per live row."""
    conn = sqlite3.connect(path or crm.db)
    try:
        docs = {
            r[0]: r[1:]
            for r in conn.execute("SELECT rowid, entity, record_id, name FROM search_index")
        }
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        live: dict[int, tuple[str, str]] = {}
        for table, code in CODES.items():
            if table in tables:
                for rowid, record_id in conn.execute(
                    f"SELECT rowid, id FROM {table} WHERE deleted_at IS NULL"
                ):
                    live[rowid * SLOTS + code] = (table, record_id)
    finally:
        conn.close()
    assert set(docs) <= set(live), "a document of no live row"
    for rowid, (_entity, record_id, _name) in docs.items():
        table, source_id = live[rowid]
        if table in ALWAYS:
            assert record_id == source_id  # it names its own row
    for rowid, (table, _) in live.items():
        if table in ALWAYS:
            assert rowid in docs, f"a live row of {table} without its document"
    return sorted((str(e), str(n)) for e, _r, n in docs.values())


def test_documents_follow_their_rows(crm: Crm) -> None:
    crm("company add 'Harbor Freight Lines' --domain harbor.example")
    crm("contact add 'Imogen Ash' --email imogen@harbor.example --company 'Harbor Freight Lines'")
    crm("contact add 'Imogen Asher' --email asher@harbor.example --force")
    crm("contact edit 'Imogen Ash' --tag kestrel --title Purser")
    crm("deal add 'Harbor renewal' --company 'Harbor Freight Lines' --amount 900 --currency EUR")
    assert ("contact", "Imogen Ash") in _consistent(crm)
    crm("contact edit 'Imogen Ash' --name 'Imogen Ashford'")
    docs = _consistent(crm)
    assert ("contact", "Imogen Ashford") in docs and ("contact", "Imogen Ash") not in docs
    crm("contact delete 'Imogen Ashford'")
    docs = _consistent(crm)
    assert ("contact", "Imogen Ashford") not in docs
    assert not crm.json("search", "kestrel")  # the tag went with it
    change = next(c["handle"] for c in crm.json("history", "-n", "5") if c["op"] == "delete")
    crm("history", "--undo", change)
    assert ("contact", "Imogen Ashford") in _consistent(crm)
    assert [h["name"] for h in crm.json("search", "kestrel")] == ["Imogen Ashford"]
    crm("contact merge 'Imogen Ashford' 'Imogen Asher'")
    docs = _consistent(crm)
    assert ("contact", "Imogen Asher") not in docs
    # a sync snapshot is the file copied by VACUUM INTO: rows keep their rowids there
    copy = crm.db.with_name("snapshot.db")
    conn = sqlite3.connect(crm.db)
    conn.execute("VACUUM INTO ?", (str(copy),))
    conn.close()
    assert _consistent(crm, copy) == docs
