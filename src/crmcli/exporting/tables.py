"""Every entity as a table a script or a spreadsheet reads: every field, a stable column
order (the table's own), and next to each reference id the name it points at.

Rows are streamed from one SELECT (a cursor, not a list), so exporting a large book takes
flat memory; the output layer writes them as CSV (formula cells neutralised) or JSON.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crmcli import clock
from crmcli.errors import InvalidInput
from crmcli.services.book import Book
from crmcli.storage.db import Reader

# noun -> table, in the order `export all` writes them (and a re-import reads them); the
# file of each is named after its table.
TABLES: dict[str, str] = {
    "user": "users",
    "company": "companies",
    "contact": "contacts",
    "lead": "leads",
    "deal": "deals",
    "activity": "activities",
    "product": "products",
    "quote": "quotes",
    "order": "orders",
    "payment": "payments",
    "expense": "expenses",
    # the rest of the book, so `export all` is a backup a person can read
    "pipeline": "pipelines",
    "stage": "stages",
    "stage-history": "stage_history",
    "deal-line": "deal_lines",
    "deal-split": "deal_splits",
    "quote-line": "quote_lines",
    "quota": "quotas",
    "activity-target": "activity_targets",
    "exchange-rate": "exchange_rates",
    "commission-plan": "commission_plans",
    "plan-assignment": "plan_assignments",
    "commission-period": "commission_periods",
    "commission-statement": "commission_statements",
    "commission-line": "commission_lines",
}
# reference column -> (table, the column shown next to it, its name in the export)
REFERENCES: dict[str, tuple[str, str, str]] = {
    "company_id": ("companies", "name", "company"),
    "contact_id": ("contacts", "name", "contact"),
    "owner_id": ("users", "username", "owner"),
    "deal_id": ("deals", "name", "deal"),
    "lead_id": ("leads", "name", "lead"),
    "pipeline_id": ("pipelines", "name", "pipeline"),
    "stage_id": ("stages", "name", "stage"),
    "product_id": ("products", "sku", "product"),
    "quote_id": ("quotes", "number", "quote"),
    "order_id": ("orders", "number", "order"),
    "user_id": ("users", "username", "user"),
}
HIDDEN = frozenset({"deleted_at"})
TAGGED = frozenset({"companies", "contacts", "leads", "deals"})


@dataclass(frozen=True)
class ExportFilters:
    """What to export: every live record, or those matching all the filters given."""

    owner: str | None = None
    tags: tuple[str, ...] = ()  # every one of them
    since: str | None = None  # updated at or after
    company: str | None = None
    source: str | None = None
    search: str | None = None  # every word in one of the record's text fields
    limit: int | None = None


@dataclass
class ExportTable:
    """A streamed export: column names and rows (tuples in column order)."""

    noun: str
    columns: list[str]
    rows: Iterator[tuple[Any, ...]]


def _table_columns(reader: Reader, table: str) -> list[str]:
    cursor = reader.execute(f"SELECT * FROM {table} WHERE 1 = 0")
    return [d[0] for d in cursor.description]


def export_table(reader: Reader, noun: str, *, filters: ExportFilters | None = None) -> ExportTable:
    """One entity's live records, streamed; call inside ``book.read()``."""
    table = TABLES.get(noun)
    if table is None:
        raise InvalidInput(f"cannot export {noun!r}", hint="exportable: " + ", ".join(TABLES))
    filters = filters or ExportFilters()
    own = [c for c in _table_columns(reader, table) if c not in HIDDEN]
    # On SQLite a time is stored as canonical UTC ISO 8601 text: exported as it is stored,
    # instead of parsed into a datetime and formatted back for every cell.
    as_text = _time_columns(reader, table) if reader.dialect == "sqlite" else set()
    select = [f"CAST(t.{c} AS TEXT)" if c in as_text else f"t.{c}" for c in own]
    # Names next to reference ids come from id -> name maps loaded once per referenced
    # table (a dict look-up per row), not from a join: a random index probe per row and
    # reference costs more than reading the referenced table whole.
    columns: list[str] = []
    order: list[int] = []  # output column -> position in (row + names + tags)
    refs: list[tuple[int, dict[str, Any]]] = []  # (column position in row, id -> name)
    maps: dict[tuple[str, str], dict[str, Any]] = {}
    for index, column in enumerate(own):
        columns.append(column)
        order.append(index)
        ref = REFERENCES.get(column)
        if ref is None or ref[2] in own:  # no reference, or a real column has that name
            continue
        ref_table, label, name = ref
        if (ref_table, label) not in maps:
            maps[ref_table, label] = {
                r["id"]: r["label"]
                for r in reader.rows(f"SELECT id, {label} AS label FROM {ref_table}")
            }
        refs.append((index, maps[ref_table, label]))
        columns.append(name)
        order.append(len(own) + len(refs) - 1)
    tags: dict[str, str] | None = None
    if table in TAGGED:
        tags = _tags_of(reader, table)
        columns.append("tags")
        order.append(len(own) + len(refs))
    where, params = _where(reader, table, own, filters)
    # Rows in the order they were written: SQLite's rowid streams from the first row,
    # where ORDER BY created_at would sort the whole table before it (no such index).
    sort = "t.rowid" if reader.dialect == "sqlite" else "t.created_at, t.id"
    # Every column aliased: PostgreSQL's dict rows would merge same-named columns.
    selected = ", ".join(f"{expression} AS c{i}" for i, expression in enumerate(select))
    sql = f"SELECT {selected} FROM {table} t WHERE {where} ORDER BY {sort}" + (
        " LIMIT ?" if filters.limit else ""
    )
    if filters.limit:
        params.append(filters.limit)
    cursor = reader.execute(sql, params)
    money = [i for i, c in enumerate(columns) if c.endswith(("_cents", "_milli"))]
    columns = [_money_name(c) for c in columns]
    currency = columns.index("currency") if "currency" in columns else None
    plan = _Plan(order, refs, tags, money, currency)
    return ExportTable(noun, columns, _rows(cursor, plan))


def _tags_of(reader: Reader, table: str) -> dict[str, str]:
    """``{record id: "a;b"}`` for the table's tagged records (names in order)."""
    out: dict[str, list[str]] = {}
    for row in reader.rows(
        "SELECT record_id, name FROM tags WHERE entity = ? AND deleted_at IS NULL "
        "ORDER BY record_id, name",
        (table,),
    ):
        out.setdefault(row["record_id"], []).append(row["name"])
    return {k: ";".join(v) for k, v in out.items()}


@dataclass(frozen=True)
class _Plan:
    """How a fetched row becomes an export row."""

    order: list[int]
    refs: list[tuple[int, dict[str, Any]]]
    tags: dict[str, str] | None
    money: list[int]
    currency: int | None


def _time_columns(reader: Reader, table: str) -> set[str]:
    return {
        r["name"]
        for r in reader.rows(f"PRAGMA table_info({table})")
        if str(r["type"]).upper() == "DATETIME"
    }


def _money_name(column: str) -> str:
    return column.removesuffix("_cents").removesuffix("_milli")


def _rows(cursor: Any, plan: _Plan) -> Iterator[tuple[Any, ...]]:
    """Export rows: names and tags added, columns in order, integer money columns as
    Decimal amounts of the row's currency."""
    from operator import itemgetter

    from crmcli.money import from_milli

    pick = itemgetter(*plan.order)
    refs, tags, money, currency = plan.refs, plan.tags, plan.money, plan.currency
    while True:
        chunk = cursor.fetchmany(2000)
        if not chunk:
            return
        dict_rows = isinstance(chunk[0], dict)
        for row in chunk:
            values = tuple(row.values()) if dict_rows else tuple(row)
            extended = values + tuple(names.get(values[i]) for i, names in refs)
            if tags is not None:
                extended += (tags.get(values[0]),)
            out = pick(extended)
            if money:
                items = list(out)
                code = str(items[currency]) if currency is not None else "EUR"
                for i in money:
                    items[i] = from_milli(items[i], code)
                out = tuple(items)
            yield out


def _where(
    reader: Reader, table: str, own: Sequence[str], filters: ExportFilters
) -> tuple[str, list[Any]]:
    where = ["t.deleted_at IS NULL"] if "deleted_at" in _table_columns(reader, table) else ["1 = 1"]
    params: list[Any] = []
    if filters.owner:
        if "owner_id" not in own:
            raise InvalidInput(f"{table} have no owner", hint="drop --owner for this export")
        from crmcli.services.users import find_owner

        where.append("t.owner_id = ?")
        params.append(find_owner(reader, filters.owner, must_be_active=False)["id"])
    for tag in filters.tags:
        where.append(
            "EXISTS (SELECT 1 FROM tags x WHERE x.entity = ? AND x.record_id = t.id "
            "AND x.name = ? AND x.deleted_at IS NULL)"
        )
        params += [table, tag.strip().lower()]
    if filters.since:
        since: datetime = clock.parse_when(filters.since)
        where.append("t.updated_at >= ?")
        params.append(since)
    if filters.company:
        if "company_id" not in own:
            raise InvalidInput(f"{table} have no company", hint="drop --company for this export")
        from crmcli.services.handles import resolve

        where.append("t.company_id = ?")
        params.append(resolve(reader, "company", filters.company)["id"])
    if filters.source:
        if "source" not in own:
            raise InvalidInput(f"{table} have no source", hint="drop --source for this export")
        where.append("lower(t.source) = lower(?)")
        params.append(filters.source.strip())
    if filters.search:
        from crmcli.services.handles import contains_pattern

        texts = [c for c in ("name", "email", "subject", "title", "notes", "domain") if c in own]
        for word in filters.search.split():
            where.append("(" + " OR ".join(f"lower(t.{c}) LIKE ? ESCAPE '\\'" for c in texts) + ")")
            params += [contains_pattern(word)] * len(texts)
    return " AND ".join(where), params


def pick_fields(table: ExportTable, fields: Sequence[str] | None) -> ExportTable:
    """Only ``fields`` (in that order); an unknown name is an error listing the known ones."""
    if not fields:
        return table
    unknown = [f for f in fields if f not in table.columns]
    if unknown:
        raise InvalidInput(
            f"unknown field(s): {', '.join(unknown)}", hint="fields: " + ", ".join(table.columns)
        )
    positions = [table.columns.index(f) for f in fields]
    rows = (tuple(row[i] for i in positions) for row in table.rows)
    return ExportTable(table.noun, list(fields), rows)


def export_nouns(book: Book) -> list[str]:
    """The nouns `export all` writes: every table this book has."""
    with book.read() as r:
        present = (
            {row["name"] for row in r.rows("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if r.dialect == "sqlite"
            else set(TABLES.values())
        )
    return [noun for noun, table in TABLES.items() if table in present]
