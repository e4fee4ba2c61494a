"""Import and export on a real PostgreSQL server: the same commands, the same results."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.postgres


def test_import_reimport_and_export(pgcrm, tmp_path) -> None:
    source = tmp_path / "c.csv"
    source.write_text(
        "External Id,Name,Email,Company,Tags\n"
        "e1,Ada Lovelace,ada@acme.example,Acme GmbH,vip;eu\n"
        "e2,Grace Hopper,grace@navy.example,,\n"
        "e3,Bad,not-an-email,,\n"
    )
    first = pgcrm.json(f"import contact {source} --key external_id", ok=False)
    assert (first["created"], first["rejected"], first["companies_created"]) == (2, 1, 1)
    again = pgcrm.json(f"import contact {source} --key external_id", ok=False)
    assert (again["created"], again["unchanged"]) == (0, 2)
    rows = pgcrm.json("export contact --fields name,company,tags")
    assert {"name": "Ada Lovelace", "company": "Acme GmbH", "tags": "eu;vip"} in rows
    folder = tmp_path / "all"
    pgcrm(f"export all {folder}")
    assert (folder / "contacts.csv").read_text().count("\n") == 3
