"""Search, brief and status on PostgreSQL: the ILIKE fallback, the same commands."""

from __future__ import annotations

import pytest

from tests.conftest import Crm

pytestmark = pytest.mark.postgres


def test_search_brief_status_on_postgres(pgcrm: Crm) -> None:
    pgcrm("company add 'Acme GmbH' --domain acme.example")
    pgcrm("contact add 'Ada Lovelace' --email ada@acme.example --company 'Acme GmbH'")
    pgcrm("log call 'Discussed pricing' --with ada@acme.example")
    hits = pgcrm.json("search ada")
    assert ("contact", "Ada Lovelace") in [(h["type"], h["name"]) for h in hits]
    assert pgcrm.json("search 'acme gmbh'")[0]["exact"] is True
    assert [h["name"] for h in pgcrm.json("search pricing --type activity")] == [
        "Discussed pricing"
    ]
    pgcrm("contact edit 'Ada Lovelace' --name 'Ada King'")
    assert [h["name"] for h in pgcrm.json("search king")] == ["Ada King"]
    brief = pgcrm.json("brief ada@acme.example")
    assert brief["last_interactions"][0]["subject"] == "Discussed pricing"
    assert pgcrm.json("status")["overdue"] == []
    assert "alice (via mcp)" not in pgcrm("history -n 3").stdout
