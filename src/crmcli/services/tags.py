"""Tags: one row per (record, tag) in ``tags``, so sync merges a record's tags per element.

Tag names are lower-cased and trimmed; removing a tag soft-deletes its row and adding it
again restores that row (the table is unique on entity, record and name).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from crmcli.errors import InvalidInput
from crmcli.services.book import stable_id
from crmcli.services.validate import clean_text
from crmcli.storage.db import Reader, Writer

_CHUNK = 500  # ids per IN (...) list, well under every driver's parameter limit


def clean_tag(name: str) -> str:
    """A tag as stored: trimmed, lower-case, one line, no commas."""
    value = clean_text(name, what="tag", max_length=100, required=True).lower()
    if "," in value:
        raise InvalidInput(f"tag {name!r} contains a comma", hint="repeat --tag for several tags")
    return value


def clean_tags(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(clean_tag(n) for n in names))


def add_tags(w: Writer, table: str, record_id: str, names: Iterable[str]) -> list[str]:
    """Tag a record; returns the tags that were not there yet."""
    added = []
    for name in clean_tags(names):
        row = w.row(
            "SELECT id, deleted_at FROM tags WHERE entity = ? AND record_id = ? AND name = ?",
            (table, record_id, name),
        )
        if row is None:
            # one id per (record, tag) on every replica, so two reps adding the same tag
            # offline make one element that sync merges, not a duplicate
            tag_id = stable_id("tag", f"{table}:{record_id}:{name}")
            w.insert("tags", {"id": tag_id, "entity": table, "record_id": record_id, "name": name})
        elif row["deleted_at"] is not None:
            w.restore("tags", row["id"])
        else:
            continue
        added.append(name)
    return added


def remove_tags(w: Writer, table: str, record_id: str, names: Iterable[str]) -> list[str]:
    """Untag a record; returns the tags that were there."""
    removed = []
    for name in clean_tags(names):
        row = w.row(
            "SELECT id FROM tags WHERE entity = ? AND record_id = ? AND name = ? "
            "AND deleted_at IS NULL",
            (table, record_id, name),
        )
        if row is not None:
            w.delete("tags", row["id"])
            removed.append(name)
    return removed


def tags_for(reader: Reader, table: str, record_ids: Sequence[str]) -> dict[str, list[str]]:
    """The live tags of each record, sorted by name."""
    out: dict[str, list[str]] = {}
    ids = list(record_ids)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        for row in reader.rows(
            f"SELECT record_id, name FROM tags WHERE entity = ? AND deleted_at IS NULL "
            f"AND record_id IN ({', '.join('?' * len(chunk))}) ORDER BY name",
            (table, *chunk),
        ):
            out.setdefault(row["record_id"], []).append(row["name"])
    return out


def copy_tags(
    w: Writer, table: str, from_id: str, to_id: str, *, to_table: str | None = None
) -> None:
    """Give ``to_id`` every live tag of ``from_id`` (merges, lead conversion)."""
    names = tags_for(w, table, [from_id]).get(from_id, [])
    if names:
        add_tags(w, to_table or table, to_id, names)
