"""``crm search``: one ranked list of hits across every kind of record and note."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from crmcli.errors import InvalidInput
from crmcli.services.book import Book
from crmcli.services.handles import ENTITIES, short
from crmcli.storage import search_index
from crmcli.storage.db import Reader, Row

SEARCH_TYPES = (
    "contact",
    "company",
    "lead",
    "deal",
    "activity",
    "quote",
    "product",
    "payment",
    "expense",
)
# What owns a hit of each kind (first link set wins): an activity's deal, a contact's company.
OWNER_LINKS: dict[str, tuple[tuple[str, str], ...]] = {
    "activity": (
        ("deal_id", "deal"),
        ("contact_id", "contact"),
        ("company_id", "company"),
        ("lead_id", "lead"),
    ),
    "contact": (("company_id", "company"),),
    "deal": (("company_id", "company"), ("contact_id", "contact")),
    "quote": (("deal_id", "deal"),),
    "payment": (("deal_id", "deal"),),
    "expense": (("deal_id", "deal"), ("company_id", "company")),
}


@dataclass(frozen=True)
class Owner:
    """The record a hit belongs to (an activity's deal, a contact's company)."""

    type: str
    id: str
    handle: str
    name: str


@dataclass(frozen=True)
class Hit:
    """One search result: what it is, how to name it, and where the words matched."""

    type: str
    id: str
    handle: str
    name: str
    snippet: str  # plain text around the match
    highlights: tuple[tuple[int, int], ...]  # (start, end) of each match in the snippet
    exact: bool  # the name is exactly the text searched for
    rank: float  # bm25: lower is better
    owner: Owner | None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["highlights"] = [list(span) for span in self.highlights]
        return data


def _types(types: Sequence[str] | None) -> list[str] | None:
    if not types:
        return None
    chosen = []
    for kind in types:
        name = (
            kind.strip().lower().rstrip("s") if kind.strip().lower() != "companies" else "company"
        )
        if name == "activitie":
            name = "activity"
        if name not in SEARCH_TYPES:
            raise InvalidInput(
                f"cannot search {kind!r}", hint=f"--type is one of: {', '.join(SEARCH_TYPES)}"
            )
        chosen.append(name)
    return chosen


def search(
    book: Book, text: str, *, types: Sequence[str] | None = None, limit: int = 20
) -> list[Hit]:
    """The best ``limit`` hits for ``text``: an exact name first, then by bm25 rank."""
    if limit < 1:
        raise InvalidInput("--limit must be at least 1")
    with book.read() as r:
        return search_in(r, text, types=types, limit=limit)


def search_in(
    reader: Reader, text: str, *, types: Sequence[str] | None = None, limit: int = 20
) -> list[Hit]:
    """:func:`search` inside an open transaction (the briefing and MCP reuse it)."""
    docs = search_index.search_documents(reader, text, entities=_types(types), limit=limit)
    records = _live_records(reader, docs)
    owners = _owners(reader, records)
    hits: list[Hit] = []
    for doc in docs:
        record = records.get((doc["entity"], doc["record_id"]))
        if record is None:  # deleted meanwhile, or a tag of a deleted record
            continue
        snippet, spans = search_index.split_marks(doc["snippet"])
        hits.append(
            Hit(
                type=doc["entity"],
                id=doc["record_id"],
                handle=short(doc["record_id"]),
                name=_name(doc, record),
                snippet=snippet,
                highlights=spans,
                exact=doc["exact"],
                rank=doc["rank"],
                owner=owners.get((doc["entity"], doc["record_id"])),
            )
        )
        if len(hits) == limit:
            break
    return hits


def _name(doc: Row, record: Row) -> str:
    spec = ENTITIES.get(doc["entity"])
    return str(record.get(spec.names[0]) or "") if spec else str(doc["name"])


def _live_records(reader: Reader, docs: list[Row]) -> dict[tuple[str, str], Row]:
    wanted: dict[str, set[str]] = {}
    for doc in docs:
        wanted.setdefault(doc["entity"], set()).add(doc["record_id"])
    found: dict[tuple[str, str], Row] = {}
    for entity, ids in wanted.items():
        table = search_index.TABLE_OF_ENTITY.get(entity)
        if table is None:
            continue
        marks = ", ".join("?" * len(ids))
        for row in reader.rows(
            f"SELECT * FROM {table} WHERE id IN ({marks}) AND deleted_at IS NULL", sorted(ids)
        ):
            found[(entity, row["id"])] = row
    return found


def _owners(reader: Reader, records: dict[tuple[str, str], Row]) -> dict[tuple[str, str], Owner]:
    links: dict[tuple[str, str], tuple[str, str]] = {}
    for (entity, record_id), row in records.items():
        for column, owner_entity in OWNER_LINKS.get(entity, ()):
            if row.get(column):
                links[(entity, record_id)] = (owner_entity, row[column])
                break
    labels: dict[tuple[str, str], str] = {}
    by_entity: dict[str, set[str]] = {}
    for owner_entity, owner_id in links.values():
        by_entity.setdefault(owner_entity, set()).add(owner_id)
    for owner_entity, ids in by_entity.items():
        spec = ENTITIES[owner_entity]
        for owner_id, name in reader.values_by_id(spec.table, spec.names[0], ids).items():
            labels[(owner_entity, owner_id)] = str(name or "")
    return {
        hit: Owner(
            type=o_entity, id=o_id, handle=short(o_id), name=labels.get((o_entity, o_id), "")
        )
        for hit, (o_entity, o_id) in links.items()
    }
