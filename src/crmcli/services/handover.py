"""Handover: move a rep's open work to another rep in one transaction.

What moves: open leads (new, working, qualified), open deals, companies, contacts, and
activities not done yet (scheduled, due or overdue, recurring series included). Closed
deals, converted or disqualified leads and done activities keep their owner: they are
the record of who did the work (and who earned the commission).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from crmcli.errors import InvalidInput
from crmcli.services.book import Book
from crmcli.services.companies import find_company
from crmcli.services.handles import short
from crmcli.services.leads import OPEN_STATUSES
from crmcli.services.users import find_owner
from crmcli.storage.db import Reader, Row

# (kind, table, label column, extra condition)
KINDS: tuple[tuple[str, str, str, str], ...] = (
    ("lead", "leads", "name", f"status IN ({', '.join(repr(s) for s in OPEN_STATUSES)})"),
    ("deal", "deals", "name", "status = 'open'"),
    ("company", "companies", "name", "1 = 1"),
    ("contact", "contacts", "name", "1 = 1"),
    ("activity", "activities", "subject", "done_at IS NULL"),
)
# How a record belongs to a company, when the handover is limited to some companies.
_COMPANY_SCOPE = {
    "leads": "lower(company_name) IN (SELECT lower(name) FROM companies WHERE id IN ({ids}))",
    "deals": "company_id IN ({ids})",
    "companies": "id IN ({ids})",
    "contacts": "company_id IN ({ids})",
    "activities": "(company_id IN ({ids}) OR deal_id IN (SELECT id FROM deals WHERE "
    "company_id IN ({ids})) OR contact_id IN (SELECT id FROM contacts WHERE "
    "company_id IN ({ids})))",
}


def _records(
    reader: Reader, from_id: str, company_ids: Sequence[str] | None
) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = {}
    for kind, table, label, condition in KINDS:
        where = f"owner_id = ? AND deleted_at IS NULL AND {condition}"
        params: list[Any] = [from_id]
        if company_ids is not None:
            marks = ", ".join("?" * len(company_ids))
            scope = _COMPANY_SCOPE[table].format(ids=marks)
            where += f" AND {scope}"
            params += list(company_ids) * scope.count("IN (?")
        out[kind] = reader.rows(
            f"SELECT id, {label} AS label FROM {table} WHERE {where} ORDER BY {label}", params
        )
    return out


def handover(
    book: Book,
    *,
    from_rep: str,
    to_rep: str,
    companies: Sequence[str] = (),
    dry_run: bool = False,
    at: datetime | None = None,
) -> dict[str, Any]:
    """Move the open work of ``from_rep`` (optionally only for ``companies``) to ``to_rep``.

    Each moved record gets one history entry (owner old → new). ``dry_run`` lists what
    would move and writes nothing.
    """
    with book.write(at=at) as w:
        source = find_owner(w, from_rep, must_be_active=False)
        target = find_owner(w, to_rep)
        if source["id"] == target["id"]:
            raise InvalidInput("--from and --to name the same rep")
        company_ids = [find_company(w, h)["id"] for h in companies] if companies else None
        found = _records(w, source["id"], company_ids)
        result = {
            "from": source["username"],
            "to": target["username"],
            "dry_run": dry_run,
            "counts": {kind: len(rows) for kind, rows in found.items()},
            "records": [
                {"entity": kind, "id": row["id"], "handle": short(row["id"]), "name": row["label"]}
                for kind, rows in found.items()
                for row in rows
            ],
        }
        if dry_run:
            return result
        tables = {kind: table for kind, table, _, _ in KINDS}
        for kind, rows in found.items():
            for row in rows:
                w.update(tables[kind], row["id"], {"owner_id": target["id"]})
        return result
