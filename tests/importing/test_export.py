"""CSV/JSON export of every entity: every field, names next to ids, formula cells
neutralised, and an export that re-imports losslessly."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import Crm
from typer.testing import CliRunner

FORMULA = ("=", "+", "-", "@", "\t", "\r")


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


class TestExport:
    """What `crm export NOUN` and `crm export all DIR` write."""

    def test_every_field_and_names_next_to_ids(self, team):
        team("company add 'Acme GmbH' --domain acme.example")
        team(
            "contact add 'Ada Lovelace' --email ada@acme.example --company 'Acme GmbH' --owner alice"
        )
        team("deal add 'Acme renewal' --company 'Acme GmbH' --amount 48000 --owner alice")
        header = team("export contact").stdout.splitlines()[0].split(",")
        assert header[:3] == ["id", "created_at", "updated_at"]
        assert header.index("company") == header.index("company_id") + 1
        assert header.index("owner") == header.index("owner_id") + 1
        [deal] = team.json("export deal")
        assert (deal["stage"], deal["pipeline"], deal["owner"]) == ("Prospecting", "Sales", "alice")
        assert deal["amount"] == "48000.00"
        for noun in (
            "company",
            "lead",
            "activity",
            "user",
            "product",
            "quote",
            "order",
            "payment",
            "expense",
        ):
            team(f"export {noun}")  # every entity exports (empty ones too)

    def test_formula_cells_are_neutralised(self, crm):
        crm("contact add '=HYPERLINK(\"http://x\")' --email a@x.example --title '@SUM(A1)'")
        crm("contact add --email b@x.example --phone '+44 20 7946 0000' -- '-2+3'")
        for row in rows_of(crm("export contact").stdout):
            for value in row.values():
                assert not value.startswith(FORMULA), value
        names = {r["name"] for r in rows_of(crm("export contact").stdout)}
        assert names == {'\'=HYPERLINK("http://x")', "'-2+3"}

    def test_fields_and_output_file(self, crm, tmp_path):
        crm("contact add Ada --email ada@x.example")
        out = tmp_path / "c.json"
        crm(f"export contact --fields email,name -o {out}")
        assert out.read_text().strip().startswith("[")
        assert '"email": "ada@x.example"' in out.read_text()
        run = crm("export company --fields name,nope", ok=False)
        assert run.exit_code == 1 and "unknown field" in run.stderr

    def test_export_all_reimports_into_a_new_book(self, team, tmp_path):
        team("company add 'Acme GmbH' --domain acme.example --class target")
        team("contact add 'Ada Lovelace' --email ada@acme.example --company 'Acme GmbH' --tag vip")
        team("lead add 'Grace Hopper' --email grace@navy.example --company 'Navy Labs'")
        team(
            "deal add 'Acme renewal' --company 'Acme GmbH' --contact ada@acme.example --amount 48000"
        )
        folder = tmp_path / "backup"
        team(f"export all {folder}")
        assert {p.name for p in folder.iterdir()} >= {
            "companies.csv",
            "contacts.csv",
            "leads.csv",
            "deals.csv",
            "activities.csv",
        }
        fresh = Crm(db=tmp_path / "fresh.db", runner=CliRunner())
        fresh("user add alice --name 'Alice Ng' --team east")
        fresh("user add bob --name 'Bob Okafor' --team west")
        for noun, name in (
            ("company", "companies"),
            ("contact", "contacts"),
            ("lead", "leads"),
            ("deal", "deals"),
        ):
            fresh(f"import {noun} {folder / (name + '.csv')}")
        for noun in ("company", "contact", "lead", "deal"):
            before = team.json(f"export {noun}")
            after = fresh.json(f"export {noun}")
            strip = ("updated_at", "score", "stage_changed_at")
            assert [{k: v for k, v in r.items() if k not in strip} for r in after] == [
                {k: v for k, v in r.items() if k not in strip} for r in before
            ], noun


# Text a person could type, including cells a spreadsheet would run as formulas. A leading
# apostrophe is left out: `'=x` is how an export writes `=x`, so it reads back as `=x`.
_text = (
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")),
        min_size=1,
        max_size=20,
    )
    .map(str.strip)
    .filter(lambda t: bool(t) and not t.startswith("'"))
)
_cell = st.one_of(_text, st.sampled_from(FORMULA[:4]).flatmap(lambda c: _text.map(c.__add__)))


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(people=st.lists(st.tuples(_cell, _cell, _cell), min_size=1, max_size=4))
def test_export_import_round_trip(tmp_path_factory, people):
    """Contacts exported to CSV and imported into a new book export the same again."""
    folder = tmp_path_factory.mktemp("trip")
    book = Crm(db=folder / "a.db", runner=CliRunner())
    for i, (name, title, notes) in enumerate(people):
        book(
            "contact",
            "add",
            "--email",
            f"p{i}@x.example",
            f"--title={title}",
            f"--notes={notes}",
            "--force",
            "--",
            name,
        )
    exported = book("export contact").stdout
    for row in rows_of(exported):
        for value in row.values():
            assert not value.startswith(FORMULA)
    source = folder / "contacts.csv"
    source.write_text(exported, encoding="utf-8")
    fresh = Crm(db=folder / "b.db", runner=CliRunner())
    fresh(f"import contact {source}")
    assert fresh("export contact").stdout == exported
    again = Path(source).read_text(encoding="utf-8")
    assert again == exported


def test_export_all_reaches_every_table_of_the_book() -> None:
    """A new table joins `crm export all` (a backup a person can read) or this test fails."""
    import crmcli.models
    from crmcli.exporting.tables import TABLES
    from crmcli.storage.search_index import is_index_table
    from crmcli.sync.rules import INTERNAL_TABLES

    inline = {"tags"}  # a `tags` column on each record they tag
    tables = {
        t
        for t in crmcli.models.metadata.tables
        if t not in INTERNAL_TABLES and not is_index_table(t) and t not in inline
    }
    assert tables - set(TABLES.values()) == set()
