"""Every live indexed row has exactly one document, found through its key; none is left
behind by edits, deletes, undo, tags or merges."""

from __future__ import annotations

import sqlite3

from tests.conftest import Crm


def _consistent(crm: Crm) -> list[tuple[str, str]]:
    conn = sqlite3.connect(crm.db)
    try:
        docs = {r[0]: r[1:] for r in conn.execute("SELECT rowid, entity, name FROM search_index")}
        keys = dict(conn.execute("SELECT source_id, doc FROM search_index_keys"))
    finally:
        conn.close()
    assert sorted(keys.values()) == sorted(docs), "a document without its key, or the reverse"
    assert len(set(keys.values())) == len(keys)
    return sorted((str(e), str(n)) for e, n in docs.values())


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
