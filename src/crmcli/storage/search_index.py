"""The full-text index behind ``crm search``, kept in step by the Writer in every write.

On SQLite it is one FTS5 table, ``search_index``: one document per indexed row, with the
record a hit names (``entity``, ``record_id``: a tag's or a quote line's document names the
record it belongs to), a ``name`` and a ``body``. Documents are numbered after their
source rows: a document's rowid is its row's rowid times :data:`SLOTS` plus its table's
code (:data:`CODES`), so a row's document is found from the row itself, and a bulk insert
appends to the index's tables instead of landing at random places in them. (A rowid hashed
from the UUID made FTS5's content and size tables two random-key B-trees more for every
row written; a table mapping UUIDs to documents, as migration 0013 kept, was one more.)
FTS5 also keeps one buffer for a whole batch: it flushes on every out-of-order rowid. Rows
of indexed tables are never deleted (deletes are soft), so a rowid never passes to another
row, and ``VACUUM INTO`` (a sync snapshot) keeps rowids.

Tokenizer (measured, see the README): ``unicode61 remove_diacritics 2`` folds case and
accents (``muller`` finds Müller). It keeps a run of CJK characters as one token, so
Chinese, Japanese and Korean characters are spaced out here, on the way in and in queries,
and a CJK word becomes a phrase of single characters (``山田`` finds 山田太郎). The trigram
tokenizer was measured too (README, "Search"): on SQLite before 3.45 it cannot fold accents,
it misses words shorter than three characters (most CJK given names) and its index is ~6x
larger.

A table joins the index by one line in ``INDEXED``. PostgreSQL has no FTS5: the hook is a
no-op there and :func:`search` falls back to ``ILIKE`` over the same declared columns.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from crmcli.errors import InvalidInput

if TYPE_CHECKING:
    from crmcli.storage.db import Reader, Row, Writer

TABLE = "search_index"
TOKENIZER = "unicode61 remove_diacritics 2"
CREATE_SQL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5("
    f"entity UNINDEXED, record_id UNINDEXED, name, body, tokenize = '{TOKENIZER}')"
)
_INSERT_DOC = f"INSERT INTO {TABLE} (rowid, entity, record_id, name, body) VALUES (?, ?, ?, ?, ?)"
SLOTS = 64  # document rowid = source rowid * SLOTS + the source table's code
_CHUNK = 500  # ids per IN (...) list
NAME_WEIGHT = 10.0  # a match in the name counts ten times one in the notes
MARK_START, MARK_END = "\ue000", "\ue001"  # private-use: never in user text we show


@dataclass(frozen=True)
class Indexed:
    """What one table puts into the index: one document per live row."""

    table: str
    entity: str  # what a hit is called ("contact"); "" when ``entity_column`` names it
    name: tuple[str, ...]
    body: tuple[str, ...] = ()
    belongs_to: str | None = None  # the column naming the record the document is about
    parent: str | None = None  # that record's table (None: read from ``entity_column``)
    entity_column: str | None = None  # tags: the table of the tagged record
    # (column, SQL taking that column's value) -> text added to the body (a quote's customer)
    lookups: tuple[tuple[str, str], ...] = ()

    @property
    def columns(self) -> frozenset[str]:
        """Columns whose change re-indexes the row."""
        extra = (self.belongs_to, self.entity_column, *(c for c, _ in self.lookups))
        return frozenset((*self.name, *self.body, "deleted_at", *(c for c in extra if c)))


_QUOTE_CUSTOMER = (
    "SELECT coalesce(c.name, '') || ' ' || d.name FROM deals d "
    "LEFT JOIN companies c ON c.id = d.company_id WHERE d.id = ?"
)
INDEXED: dict[str, Indexed] = {
    i.table: i
    for i in (
        Indexed(
            "contacts",
            "contact",
            ("name",),
            ("email", "other_emails", "phone", "other_phones", "title", "notes"),
        ),
        Indexed(
            "companies",
            "company",
            ("name",),
            ("domain", "website", "industry", "phone", "city", "country", "notes"),
        ),
        Indexed(
            "leads",
            "lead",
            ("name",),
            ("email", "phone", "company_name", "title", "website", "source", "notes"),
        ),
        Indexed("deals", "deal", ("name",), ("next_step", "competitor", "lost_reason", "notes")),
        Indexed("activities", "activity", ("subject",), ("notes", "location", "outcome")),
        Indexed(
            "quotes", "quote", ("number",), ("notes",), lookups=(("deal_id", _QUOTE_CUSTOMER),)
        ),
        Indexed("quote_lines", "quote", (), ("description",), "quote_id", "quotes"),
        Indexed("products", "product", ("sku", "name"), ("description",)),
        Indexed("payments", "payment", ("reference",), ("method",)),
        Indexed("expenses", "expense", ("note",), ("category",)),
        Indexed("tags", "", (), ("name",), "record_id", entity_column="entity"),
    )
}
# Each indexed table's code in document rowids: fixed for good (a new table takes the next
# unused number; a number is never reused).
CODES = {
    "contacts": 1,
    "companies": 2,
    "leads": 3,
    "deals": 4,
    "activities": 5,
    "quotes": 6,
    "quote_lines": 7,
    "products": 8,
    "payments": 9,
    "expenses": 10,
    "tags": 11,
}
assert set(CODES) == set(INDEXED) and len(set(CODES.values())) == len(CODES) < SLOTS


def doc_rowid(table: str, rowid: int) -> int:
    """The rowid of the document of row ``rowid`` of ``table``."""
    return int(rowid) * SLOTS + CODES[table]


# The entity a hit in a table's documents names.
ENTITY_OF_TABLE = {i.table: i.entity for i in INDEXED.values() if i.entity and not i.belongs_to}
TABLE_OF_ENTITY = {entity: table for table, entity in ENTITY_OF_TABLE.items()}


def is_index_table(name: str) -> bool:
    """The FTS5 table and its shadow tables (not in the ORM metadata)."""
    return name == TABLE or name.startswith(f"{TABLE}_")


# -- documents -------------------------------------------------------------------------------

# Patterns stay text until first used (``re`` caches what it compiles): every crm command
# imports this module through the Writer, few of them search or index CJK text.
_CJK = (
    "([\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f\U00020000-\U0002fa1f])"
)


def spaced(text: str) -> str:
    """CJK characters as separate tokens (unicode61 would keep a run as one word)."""
    if text.isascii():
        return text
    return re.sub(_CJK, r" \1 ", text)


def unspaced(text: str) -> str:
    """Undo :func:`spaced` in a name or snippet (marks may wrap the characters)."""
    if text.isascii():
        return text
    marks = f"[{MARK_START}{MARK_END}]*"
    out = re.sub(f" ?({marks}{_CJK}{marks}) ?", r"\1", text)
    return out.replace(f"{MARK_END}{MARK_START}", "")


def _join(row: Mapping[str, Any], columns: Sequence[str]) -> str:
    parts = [str(v) for c in columns if (v := row.get(c)) not in (None, "")]
    return spaced(" ".join(parts))


Document = tuple[int, str, str, str, str]  # rowid, entity, record id, name, body


def _document(reader: Reader, spec: Indexed, row: Mapping[str, Any]) -> Document | None:
    """The index row of one source row, read with its ``rowid`` (None: it names nothing we
    index)."""
    if spec.belongs_to:
        record_id = row.get(spec.belongs_to)
        table = spec.parent or row.get(spec.entity_column or "")
        entity = ENTITY_OF_TABLE.get(str(table))
        if not record_id or not entity:
            return None
    else:
        entity, record_id = spec.entity, row["id"]
    body = _join(row, spec.body)
    for column, sql in spec.lookups:
        if row.get(column):
            found = reader.scalar(sql, (row[column],))
            if found:
                body = f"{body} {spaced(str(found))}" if body else spaced(str(found))
    rowid = doc_rowid(spec.table, row["rowid"])
    return rowid, entity, str(record_id), _join(row, spec.name), body


def _add(w: Reader, docs: Iterable[Document]) -> None:
    """Add documents, in rowid order (FTS5 then buffers them as one segment)."""
    ordered = sorted(docs)
    if ordered:
        w.executemany(_INSERT_DOC, ordered)


def _forget(w: Reader, rows: Iterable[tuple[str, int]]) -> None:
    """Remove the documents of these source rows, ``(table, rowid)``, in rowid order (a row
    without a document is passed over)."""
    docs = sorted({doc_rowid(table, rowid) for table, rowid in rows})
    if docs:
        w.executemany(f"DELETE FROM {TABLE} WHERE rowid = ?", [(d,) for d in docs])


def _by_id(w: Reader, table: str, ids: Sequence[str], columns: str = "rowid, *") -> list[Row]:
    """Rows of ``table`` with these ids, ``_CHUNK`` ids a query."""
    found: list[Row] = []
    for start in range(0, len(ids), _CHUNK):
        part = ids[start : start + _CHUNK]
        marks = ", ".join("?" * len(part))
        found += w.rows(f"SELECT {columns} FROM {table} WHERE id IN ({marks})", part)
    return found


def _rowids(w: Reader, table: str, ids: Sequence[str]) -> dict[str, int]:
    """The rowids of rows of ``table`` by id."""
    return {r["id"]: r["rowid"] for r in _by_id(w, table, ids, "id, rowid")}


# -- the Writer's hooks (no-ops on PostgreSQL and for tables that are not indexed) -------------


def applied(
    w: Writer,
    table: str,
    record_id: str,
    *,
    insert: Mapping[str, Any] | None = None,
    assign: Mapping[str, Any] | None = None,
) -> None:
    """An operation received from another replica (``crm sync``'s ``Writer.apply_foreign``)."""
    if insert:
        inserted(w, table, [insert])
    if assign:
        updated(w, table, record_id, assign)


class Pending:
    """Records whose documents are refreshed together at the end of a bulk write.

    FTS5 writes its buffered terms out as a new segment whenever a document's rowid is not
    above the last one written, and at every savepoint; each segment then feeds FTS5's
    incremental merging, which rewrites older segments. Sync's merge applies operations
    under savepoints (then one per operation), so indexing as it went wrote one segment per
    operation (10,000 for a 10,000-operation merge, and ~14,000 pages of merging on the
    benchmark book). Noted
    here instead, the documents are deleted and added once, in rowid order: one or two
    segments for the whole merge.
    """

    def __init__(self) -> None:
        self.records: dict[tuple[str, str], tuple[bool, bool]] = {}  # -> (new, children)

    def note(
        self, table: str, record_id: str, *, new: bool = False, children: bool = False
    ) -> None:
        """``new``: inserted in this write (no document yet); ``children``: its deleted_at
        changed, so its tags' and lines' documents follow it."""
        was_new, had_children = self.records.get((table, record_id), (new, False))
        self.records[(table, record_id)] = (was_new, had_children or children)


@contextmanager
def deferred(w: Writer) -> Iterator[None]:
    """Index changes made inside the block at its end, in one pass (sync's merge)."""
    if w.dialect != "sqlite" or w.search_pending is not None:
        yield
        return
    pending = w.search_pending = Pending()
    try:
        yield
    finally:
        w.search_pending = None
    _refresh(w, pending)  # not reached when the block raised: its transaction is undone


def _refresh(w: Writer, pending: Pending) -> None:
    """Rewrite the documents of the noted records (and their tags and lines) from the rows
    as they are now: stale documents removed, then the live rows' added, each in rowid order."""
    by_table: dict[str, list[str]] = {}
    for table, record_id in pending.records:
        by_table.setdefault(table, []).append(record_id)
    forget: set[tuple[str, int]] = set()
    orphans: set[int] = set()  # tags and lines whose record is deleted: no document
    docs: dict[int, Document] = {}
    for table, ids in by_table.items():
        spec = INDEXED[table]
        rows = {row["id"]: row for row in _by_id(w, table, ids)}
        for record_id in ids:
            new, children = pending.records[(table, record_id)]
            current = rows.get(record_id)
            if current is not None and not new:
                forget.add((table, current["rowid"]))
            alive = current is not None and not current.get("deleted_at")
            if current is not None and alive and (doc := _document(w, spec, current)):
                docs[doc[0]] = doc
            if children:
                for child, child_row in _children(w, table, record_id):
                    forget.add((child, child_row["rowid"]))
                    if not alive:
                        orphans.add(doc_rowid(child, child_row["rowid"]))
                    elif not child_row.get("deleted_at") and (
                        doc := _document(w, INDEXED[child], child_row)
                    ):
                        docs[doc[0]] = doc
    _forget(w, forget)
    _add(w, (doc for rowid, doc in docs.items() if rowid not in orphans))


def _active(w: Reader, table: str) -> Indexed | None:
    return INDEXED.get(table) if w.dialect == "sqlite" else None


def last_rowid(w: Writer, table: str) -> int | None:
    """Before rows are inserted into ``table``: its largest rowid, which :func:`inserted`
    reads the new rows' rowids after. None where no document is written at once."""
    if _active(w, table) is None or w.search_pending is not None:
        return None
    return int(w.scalar(f"SELECT coalesce(max(rowid), 0) FROM {table}"))


def inserted(
    w: Writer, table: str, rows: Sequence[Mapping[str, Any]], *, after: int | None = None
) -> None:
    """New rows: add their documents (in rowid order: a bulk insert is one flush).

    ``after`` (from :func:`last_rowid`): the rows' rowids are then read as one range of the
    table, above it, instead of one id at a time."""
    spec = _active(w, table)
    if spec is None:
        return
    if w.search_pending is not None:
        for r in rows:
            w.search_pending.note(table, str(r["id"]), new=True)
        return
    live = [r for r in rows if not r.get("deleted_at")]
    missing = [str(r["id"]) for r in live if "rowid" not in r]
    rowids: dict[str, int] = {}
    if missing and after is not None:
        rowids = dict(w.tuples(f"SELECT id, rowid FROM {table} WHERE rowid > ?", (after,)))
    if any(i not in rowids for i in missing):  # past the largest rowid, SQLite picks at random
        rowids.update(_rowids(w, table, [i for i in missing if i not in rowids]))
    _add(
        w,
        (
            d
            for r in live
            if (d := _document(w, spec, r if "rowid" in r else {**r, "rowid": rowids[r["id"]]}))
        ),
    )


def updated(w: Writer, table: str, record_id: str, columns: Iterable[str]) -> None:
    """Changed fields: re-index the row when an indexed column changed (a ``deleted_at``
    set or cleared — as sync applies a tombstone — takes its tags and lines along)."""
    spec = _active(w, table)
    changed = set(columns)
    if spec is None or spec.columns.isdisjoint(changed):
        return
    if w.search_pending is not None:
        w.search_pending.note(table, record_id, children="deleted_at" in changed)
        return
    row = w.row(f"SELECT rowid, * FROM {table} WHERE id = ?", (record_id,))
    if row is None or row.get("deleted_at"):
        deleted(w, table, record_id)
        return
    _forget(w, [(table, row["rowid"])])
    inserted(w, table, [row])
    if "deleted_at" in changed:
        for child, child_row in _children(w, table, record_id):
            _forget(w, [(child, child_row["rowid"])])
            if not child_row.get("deleted_at"):
                inserted(w, child, [child_row])


def deleted(w: Writer, table: str, record_id: str) -> None:
    """A soft delete: the row's document goes, and those of its tags and lines."""
    if _active(w, table) is None:
        return
    if w.search_pending is not None:
        w.search_pending.note(table, record_id, children=True)
        return
    rowid = w.scalar(f"SELECT rowid FROM {table} WHERE id = ?", (record_id,))
    children = [(child, r["rowid"]) for child, r in _children(w, table, record_id)]
    _forget(w, [(table, rowid), *children] if rowid is not None else children)


def restored(w: Writer, table: str, record_id: str) -> None:
    """An undone delete: the row and its live tags and lines are found again."""
    updated(w, table, record_id, ["deleted_at"])


def _children(w: Reader, table: str, record_id: str) -> list[tuple[str, Row]]:
    found: list[tuple[str, Row]] = []
    for spec in INDEXED.values():
        if not spec.belongs_to or (spec.parent and spec.parent != table):
            continue
        if not _has_table(w, spec.table):
            continue
        where, params = f"{spec.belongs_to} = ?", [record_id]
        if spec.entity_column:
            where += f" AND {spec.entity_column} = ?"
            params.append(table)
        found += [
            (spec.table, r)
            for r in w.rows(f"SELECT rowid, * FROM {spec.table} WHERE {where}", params)
        ]
    return found


def _has_table(r: Reader, table: str) -> bool:
    return bool(r.scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)))


# -- (re)building ----------------------------------------------------------------------------


def rebuild(conn: Any) -> int:
    """Fill the index from scratch over a raw sqlite3 connection (the migration's); returns
    the number of documents."""
    from crmcli.storage.db import Database, Reader

    db = Database("migration", "sqlite")
    db._conn = conn
    reader = Reader(db)
    conn.execute(CREATE_SQL)
    conn.execute(f"DELETE FROM {TABLE}")
    total = 0
    for spec in INDEXED.values():
        if not _has_table(reader, spec.table):
            continue
        cursor = conn.execute(
            f"SELECT rowid, * FROM {spec.table} WHERE deleted_at IS NULL ORDER BY rowid"
        )
        names = [d[0] for d in cursor.description]
        while batch := cursor.fetchmany(50_000):
            docs = [
                d
                for values in batch
                if (d := _document(reader, spec, dict(zip(names, values, strict=True))))
            ]
            _add(reader, docs)
            total += len(docs)
    conn.execute(f"INSERT INTO {TABLE} ({TABLE}) VALUES ('optimize')")
    return total


# -- queries ---------------------------------------------------------------------------------

# FTS5 syntax a person may type on purpose: phrases, groups, prefixes, operators, a column.
_OPERATORS = r'["()*^]|\b(AND|OR|NOT|NEAR)\b|(?:^|[\s(])(name|body)\s*:'
_WORD = r"\S+"
_PHONE = r"^\+?\(?\d[\d\s\-().]{5,}$"


def fold(text: str) -> str:
    """Lower case without accents: how the tokenizer compares words."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def match_expression(text: str) -> str:
    """The FTS5 query for what a person typed.

    Plain words: every word must appear, the last ones as prefixes (``acm`` finds Acme).
    Text with FTS5 syntax (double-quoted phrases, AND/OR/NOT, ``*``, parentheses, a column
    filter) is passed on as written, with CJK characters spaced like the documents.
    """
    stripped = text.strip()
    if not stripped:
        raise InvalidInput(
            "nothing to search for", hint='try: crm search acme or crm search "ada l"'
        )
    if re.match(_PHONE, stripped):  # phones are stored as one run of digits (+44 20… → 4420…)
        digits = re.sub(r"\D", "", stripped)
        return f'"{digits}"*'
    if re.search(_OPERATORS, stripped):
        return spaced(stripped)
    terms = []
    for word in re.findall(_WORD, stripped):
        inner = spaced(word).strip().replace('"', "")
        if inner:
            terms.append(f'"{inner}"*')
    return " ".join(terms)


def _entity_filter(entities: Sequence[str] | None) -> tuple[str, list[Any]]:
    if not entities:
        return "", []
    return f" AND entity IN ({', '.join('?' * len(entities))})", list(entities)


def search_documents(
    reader: Reader, text: str, *, entities: Sequence[str] | None = None, limit: int = 20
) -> list[Row]:
    """Best documents for ``text``: ``entity``, ``record_id``, ``name``, ``snippet`` (matches
    between ``MARK_START`` and ``MARK_END``), ``exact`` (the name is the text), ranked."""
    if reader.dialect != "sqlite":
        return _search_like(reader, text, entities=entities, limit=limit)
    expression = match_expression(text)
    where, params = _entity_filter(entities)
    snippet = f"snippet({TABLE}, -1, '{MARK_START}', '{MARK_END}', '…', 12)"
    select = (
        f"SELECT entity, record_id, name, {snippet} AS snippet, "
        f"bm25({TABLE}, 0, 0, {NAME_WEIGHT}, 1.0) AS rank FROM {TABLE} "
    )
    wanted = fold(" ".join(text.split()))
    try:
        # An exact name first: documents whose name starts with the words, compared whole.
        exact = (
            [
                {**r, "exact": True}
                for r in reader.rows(
                    f"{select} WHERE {TABLE} MATCH ?{where} ORDER BY rank LIMIT 50",
                    (_name_phrase(text), *params),
                )
                if fold(unspaced(r["name"])) == wanted
            ]
            if _name_phrase(text)
            else []
        )
        ranked = reader.rows(
            f"{select} WHERE {TABLE} MATCH ?{where} ORDER BY rank LIMIT ?",
            (expression, *params, limit * 3 + 10),
        )
    except sqlite3.OperationalError as exc:
        message = str(exc)
        if "locked" not in message and "busy" not in message:  # the query's own fault
            raise InvalidInput(
                f"cannot search for {text!r}: {message.removeprefix('database error: ')}",
                hint="quote a phrase with double quotes; join words with AND, OR, NOT",
            ) from exc
        raise
    out: list[Row] = []
    seen: set[tuple[str, str]] = set()
    for row in [*exact, *ranked]:
        ident = (row["entity"], row["record_id"])
        if ident in seen:
            continue
        seen.add(ident)
        out.append(
            {
                "entity": row["entity"],
                "record_id": row["record_id"],
                "name": unspaced(row["name"]),
                "snippet": unspaced(row["snippet"]),
                "rank": float(row["rank"]),
                "exact": bool(row.get("exact")),
            }
        )
    return out


def _name_phrase(text: str) -> str | None:
    """``name : ^"words"``: documents whose name starts with the typed words."""
    if re.search(_OPERATORS, text):
        return None
    inner = spaced(" ".join(text.split())).replace('"', "").strip()
    return f'name : ^"{inner}"' if inner else None


def _search_like(
    reader: Reader, text: str, *, entities: Sequence[str] | None, limit: int
) -> list[Row]:
    """PostgreSQL (until it gets its own index): ``ILIKE`` over the declared columns."""
    words = [w.strip('"*') for w in re.findall(_WORD, text) if w.strip('"*')]
    if not words:
        raise InvalidInput("nothing to search for", hint="try: crm search acme")
    out: list[Row] = []
    for spec in INDEXED.values():
        if spec.belongs_to or not spec.name or (entities and spec.entity not in entities):
            continue
        columns = [*spec.name, *spec.body]
        exists = reader.scalar("SELECT to_regclass(?)", (spec.table,))
        if exists is None:
            continue
        cond = " AND ".join(
            "(" + " OR ".join(f"lower(coalesce({c}, '')) LIKE ? ESCAPE '\\'" for c in columns) + ")"
            for _ in words
        )
        params = [_contains(w) for w in words for _ in columns]
        for row in reader.rows(
            f"SELECT * FROM {spec.table} WHERE deleted_at IS NULL AND {cond} LIMIT ?",
            (*params, limit),
        ):
            name = " ".join(str(row[c]) for c in spec.name if row.get(c))
            exact = fold(name) == fold(" ".join(words))
            out.append(
                {
                    "entity": spec.entity,
                    "record_id": row["id"],
                    "name": name,
                    "snippet": _mark(_best_text(row, columns, words[0]), words),
                    "rank": 0.0 if exact else 1.0,
                    "exact": exact,
                }
            )
    out.sort(key=lambda r: (not r["exact"], r["rank"], r["name"]))
    return out[: limit * 3 + 10]


def _contains(text: str) -> str:
    """A case-folded ``LIKE … ESCAPE '\\'`` pattern (storage cannot use services.handles)."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _best_text(row: Mapping[str, Any], columns: Sequence[str], word: str) -> str:
    for column in columns:
        value = str(row.get(column) or "")
        if word.lower() in value.lower():
            return value[:200]
    return str(row.get(columns[0]) or "")


def _mark(text: str, words: Sequence[str]) -> str:
    pattern = "|".join(re.escape(w) for w in words)
    return re.sub(f"({pattern})", rf"{MARK_START}\1{MARK_END}", text, flags=re.IGNORECASE)


def split_marks(snippet: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A snippet's plain text and the (start, end) offsets of its marked matches."""
    plain: list[str] = []
    spans: list[tuple[int, int]] = []
    start = 0
    length = 0
    for char in snippet:
        if char == MARK_START:
            start = length
        elif char == MARK_END:
            spans.append((start, length))
        else:
            plain.append(char)
            length += 1
    return "".join(plain), tuple(spans)
