"""CSV import: real-world files, profiles, broken rows, reject file, dry run, strict,
idempotent re-import, interruption safety."""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"

ROWS = [
    ["Name", "E-mail Address", "Phone", "Company", "Notes"],
    ["Zhāng Wěi 张伟", "zhang@acme.example", "+86 10 6552 9988", "Acme GmbH", "首次联系"],
    ["José Müller", "jose@acme.example", "", "Acme GmbH", "Café, crème"],
    ["Ana O'Neil", "ana@globex.example", "", "Globex", "line one\nline two"],
]
# cp1252 cannot hold Chinese: its file uses the Western names only.
WESTERN = [ROWS[0], *ROWS[2:]]


def fixture(tmp_path: Path, name: str) -> Path:
    """A copy of a fixture file (reject files are written beside the input)."""
    target = tmp_path / name
    target.write_bytes((FIXTURES / name).read_bytes())
    return target


def write(path: Path, rows: list[list[str]], *, encoding: str, delimiter: str) -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        csv.writer(f, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return path


def count(crm, table: str) -> int:
    con = sqlite3.connect(crm.db)
    try:
        return con.execute(f"SELECT count(*) FROM {table} WHERE deleted_at IS NULL").fetchone()[0]
    finally:
        con.close()


def changes(crm) -> int:
    con = sqlite3.connect(crm.db)
    try:
        return con.execute("SELECT count(*) FROM changes").fetchone()[0]
    finally:
        con.close()


def _descendants(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += [int(child), *_descendants(int(child))]
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited (its parent, init, reaps it)


class TestRealFiles:
    """Every encoding and delimiter the issue names is detected and read the same."""

    @pytest.mark.parametrize(
        ("encoding", "delimiter", "rows"),
        [
            ("utf-8", ",", ROWS),
            ("utf-8-sig", ";", ROWS),
            ("utf-16", "\t", ROWS),  # Excel's "Unicode text"
            ("gb18030", ",", ROWS),
            ("gbk", ";", ROWS),
            ("cp1252", ";", WESTERN),
            ("cp1252", "\t", WESTERN),
        ],
    )
    def test_encodings_and_delimiters(self, crm, tmp_path, encoding, delimiter, rows):
        source = write(tmp_path / "c.csv", rows, encoding=encoding, delimiter=delimiter)
        result = crm.json(f"import contact {source}")
        assert result["created"] == len(rows) - 1
        assert result["rejected"] == 0
        assert result["delimiter"] == delimiter
        exported = crm.json("export contact --fields name,email,notes,company")
        names = {r["name"] for r in exported}
        assert names == {r[0] for r in rows[1:]}
        assert {r["company"] for r in exported} >= {"Acme GmbH"}
        ana = next(r for r in exported if r["email"] == "ana@globex.example")
        assert ana["notes"] == "line one\nline two"  # a quoted newline stays in its cell

    def test_encoding_option_and_blank_lines_and_trailing_columns(self, crm, tmp_path):
        source = tmp_path / "c.csv"
        source.write_bytes(
            "name,email,,\r\nRené Ñúñez,rene@x.example,,\r\n\r\n,,,\r\nLuz,luz@x.example\r\n".encode(
                "cp1252"
            )
        )
        run = crm(f"import contact {source} --encoding cp1252")
        # Blank lines are skipped; empty trailing header cells do not count as columns.
        assert "2 created" in run.stderr
        rows = crm.json("export contact --fields name")
        assert sorted(r["name"] for r in rows) == ["Luz", "René Ñúñez"]

    def test_stdin(self, crm):
        run = crm("import contact -", input="name,email\nAda,ada@x.example\n")
        assert "1 created" in run.stderr
        assert count(crm, "contacts") == 1

    def test_delimiter_option(self, crm, tmp_path):
        source = tmp_path / "c.txt"
        source.write_text("name|email\nAda|ada@x.example\n")
        crm(f"import contact {source} --delimiter '|'")
        assert count(crm, "contacts") == 1


class TestProfiles:
    """Exports of other CRMs are recognised by their headers and linked across files."""

    def test_salesforce_accounts_then_contacts(self, crm, tmp_path):
        accounts = crm.json(f"import company {fixture(tmp_path, 'salesforce_accounts.csv')}")
        assert accounts["profile"] == "salesforce"
        assert accounts["created"] == 2
        contacts = crm.json(
            f"import contact {fixture(tmp_path, 'salesforce_contacts.csv')} "
            f"--reject-file {tmp_path / 'r.csv'}",
            ok=False,
        )
        assert (contacts["created"], contacts["rejected"]) == (2, 1)
        assert "0015g00000NoneAA" in contacts["errors"][0]["error"]
        ada = crm.json("contact show ada@acme.example")
        assert ada["company"] == "Acme GmbH"  # found through AccountId
        assert ada["external_id"] == "0035g00000AdaAAA"
        assert ada["phone"] == "+442079460000"
        assert "follow up in Q1" in ada["notes"]
        acme = crm.json("company show 'Acme GmbH'")
        assert acme["size"] == 1200 and acme["domain"] == "acme.example"

    def test_hubspot_contacts(self, crm, tmp_path):
        result = crm.json(f"import contact {fixture(tmp_path, 'hubspot_contacts.csv')}")
        assert result["profile"] == "hubspot"
        assert result["created"] == 2 and result["companies_created"] == 2
        grace = crm.json("contact show grace@navy.example")
        assert grace["name"] == "Grace Hopper" and grace["title"] == "Rear Admiral"
        assert grace["external_id"] == "51"
        assert grace["created_at"].startswith("2024-03-05")
        extra = crm.json("export contact --fields email,extra")
        assert '"Lifecycle Stage":"lead"' in next(
            r["extra"] for r in extra if r["email"] == "grace@navy.example"
        )

    def test_pipedrive_deals(self, crm, tmp_path):
        crm.json(f"import company {fixture(tmp_path, 'salesforce_accounts.csv')}")
        crm.json(f"import contact {fixture(tmp_path, 'salesforce_contacts.csv')}", ok=False)
        result = crm.json(f"import deal {fixture(tmp_path, 'pipedrive_deals.csv')}")
        assert result["profile"] == "pipedrive" and result["created"] == 2
        deal = crm.json("deal show 'Acme renewal'")
        assert deal["stage"] == "Proposal"
        assert deal["amount"] == "48000.00"
        assert deal["company"] == "Acme GmbH" and deal["contact"] == "Ada Lovelace"
        pilot = crm.json("deal show 'Globex pilot'")
        assert (pilot["amount"], pilot["currency"]) == ("12500.00", "USD")

    def test_zoho_leads(self, crm, tmp_path):
        result = crm.json(f"import lead {fixture(tmp_path, 'zoho_leads.csv')}", ok=False)
        assert result["profile"] == "zoho"
        assert (result["created"], result["rejected"]) == (2, 1)
        leads = {r["email"]: r for r in crm.json("lead list")}
        assert leads["katherine@nasa.example"]["status"] == "working"
        assert leads["katherine@nasa.example"]["company_size"] == 5000
        assert leads["dorothy@nasa.example"]["status"] == "new"

    def test_activities_link_by_handles(self, crm, tmp_path):
        crm.json(f"import company {fixture(tmp_path, 'salesforce_accounts.csv')}")
        crm.json(f"import contact {fixture(tmp_path, 'salesforce_contacts.csv')}", ok=False)
        crm.json(f"import deal {fixture(tmp_path, 'pipedrive_deals.csv')}")
        result = crm.json(f"import activity {fixture(tmp_path, 'activities.csv')}", ok=False)
        assert (result["created"], result["rejected"]) == (2, 1)
        assert "not a date" in result["errors"][0]["error"]
        rows = crm.json("export activity --fields subject,contact,deal,external_id")
        assert {
            "subject": "Discussed pricing",
            "contact": "Ada Lovelace",
            "deal": "Acme renewal",
            "external_id": "act-1",
        } in rows

    def test_profile_option_and_show_mapping(self, crm, tmp_path):
        view = crm.json(
            f"import contact {fixture(tmp_path, 'hubspot_contacts.csv')} --show-mapping --profile zoho"
        )
        fields = {c["column"]: c["field"] for c in view["columns"]}
        assert view["profile"] == "zoho"
        assert fields["Email"] == "email" and fields["Lifecycle Stage"] == "extra"
        assert not crm.db.exists()  # nothing opened, nothing imported
        run = crm(
            f"import contact {fixture(tmp_path, 'hubspot_contacts.csv')} --profile nope", ok=False
        )
        assert run.exit_code == 1 and "unknown profile" in run.stderr

    def test_map_override(self, crm, tmp_path):
        source = tmp_path / "c.csv"
        source.write_text("Who,Mailbox\nAda,ada@x.example\n")
        crm(f"import contact {source} --map Who=name --map Mailbox=email")
        assert crm.json("contact show ada@x.example")["name"] == "Ada"


BROKEN = (
    "name,email,phone,company\n"
    "Ada Lovelace,ada@acme.example,,Acme\n"
    "Too,few\n"
    "Too,many,cells,in,this,row\n"
    "Bad Mail,not-an-email,,\n"
    "Ada L.,ada@acme.example,,\n"  # the same e-mail earlier in the file
    "Grace Hopper,grace@navy.example,,Navy\n"
    "Old Friend,old@friend.example,,\n"  # already in the book
)


class TestBrokenRows:
    """Every broken row is rejected with its reason; the valid ones are written."""

    @pytest.fixture
    def source(self, crm, tmp_path):
        crm("contact add 'Old Friend' --email old@friend.example")
        path = tmp_path / "people.csv"
        path.write_text(BROKEN, encoding="utf-8")
        return path

    def test_counts_and_reject_file(self, crm, source):
        run = crm(f"import contact {source}", ok=False)
        assert run.exit_code == 4
        assert "5 of 7 row(s) rejected" in run.stderr
        assert count(crm, "contacts") == 3
        with (source.parent / "people.rejected.csv").open(encoding="utf-8") as f:
            rejected = list(csv.DictReader(f))
        assert [r["_row"] for r in rejected] == ["3", "4", "5", "6", "8"]
        reasons = [r["_error"] for r in rejected]
        assert "columns" in reasons[0] and "columns" in reasons[1]
        assert "not a valid e-mail" in reasons[2]
        assert "row 2" in reasons[3]
        assert "already exists" in reasons[4]
        assert rejected[2]["name"] == "Bad Mail"  # the original row comes along

    def test_reject_file_keeps_the_input_encoding(self, crm, tmp_path):
        source = tmp_path / "x.csv"
        source.write_bytes("name;email\nRené;bad\n".encode("cp1252"))
        crm(f"import contact {source} --encoding cp1252", ok=False)
        assert "René" in (tmp_path / "x.rejected.csv").read_bytes().decode("cp1252")

    def test_dry_run_writes_nothing(self, crm, source):
        before = changes(crm)
        result = crm.json(f"import contact {source} --dry-run", ok=False)
        assert (result["created"], result["rejected"], result["written"]) == (2, 5, False)
        assert result["companies_created"] == 2
        assert changes(crm) == before and count(crm, "companies") == 0
        assert (
            result["reject_file"] is None and not (source.parent / "people.rejected.csv").exists()
        )
        assert [e["row"] for e in result["errors"]] == [3, 4, 5, 6, 8]

    def test_strict_writes_nothing_when_a_row_is_rejected(self, crm, source):
        before = changes(crm)
        run = crm(f"import contact {source} --strict", ok=False)
        assert run.exit_code == 4 and "nothing written" in run.stderr
        assert changes(crm) == before

    def test_on_duplicate_skip_and_update(self, crm, tmp_path):
        crm("contact add 'Old Friend' --email old@friend.example")
        source = tmp_path / "d.csv"
        source.write_text("name,email,title\nOld Friend,old@friend.example,CEO\n")
        assert crm.json(f"import contact {source} --on-duplicate skip")["skipped"] == 1
        assert crm.json(f"import contact {source} --on-duplicate update")["updated"] == 1
        assert crm.json("contact show old@friend.example")["title"] == "CEO"
        bad = crm(f"import contact {source} --on-duplicate maybe", ok=False)
        assert bad.exit_code == 1


class TestReimport:
    """--key makes a nightly import of the same file idempotent."""

    def test_same_counts_and_no_new_history(self, crm, tmp_path):
        source = tmp_path / "nightly.csv"
        source.write_text(
            "External Id,Name,Email,Title\n"
            "w-1,Ada Lovelace,ada@x.example,CTO\n"
            "w-2,Grace Hopper,grace@x.example,Admiral\n"
        )
        first = crm.json(f"import contact {source} --key external_id")
        assert first["created"] == 2
        before = changes(crm)
        again = crm.json(f"import contact {source} --key external_id")
        assert (again["created"], again["unchanged"], again["rows"]) == (0, 2, 2)
        assert changes(crm) == before
        source.write_text(
            "External Id,Name,Email,Title\n"
            "w-1,Ada Lovelace,ada@x.example,CEO\n"
            "w-2,Grace Hopper,grace@x.example,Admiral\n"
        )
        third = crm.json(f"import contact {source} --key external_id")
        assert (third["updated"], third["unchanged"]) == (1, 1)
        assert changes(crm) == before + 1  # one field changed, one entry
        assert count(crm, "contacts") == 2

    def test_bad_key(self, crm, tmp_path):
        source = tmp_path / "c.csv"
        source.write_text("name\nAda\n")
        run = crm(f"import deal {source} --key email", ok=False)
        assert run.exit_code == 1 and "--key" in run.stderr


BIG = 60_000  # rows in the file an interruption test stops midway


def _start_big_import(
    crm, tmp_path: Path, *, after: int
) -> tuple[subprocess.Popen, Path, list[int]]:
    """A real `crm import contact` of BIG rows in batches of 500, in its own process group,
    running until ``after`` contacts are in the book; with the worker processes it started."""
    source = tmp_path / "big.csv"
    with source.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["name", "email"])
        for i in range(BIG):
            out.writerow([f"Person {i}", f"p{i}@big.example"])
    crm("contact list")  # create the book
    env = {**os.environ, "CRM_DB": str(crm.db)}
    argv = [sys.executable, "-m", "crmcli", "import", "contact", str(source), "--batch-size", "500"]
    proc = subprocess.Popen(
        argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None and count(crm, "contacts") < after:
        time.sleep(0.01)
    assert proc.poll() is None, "the import finished before it could be interrupted"
    return proc, source, _descendants(proc.pid)


def _none_left(helpers: list[int]) -> None:
    """The worker processes do not outlive the import they worked for."""
    deadline = time.monotonic() + 20
    while any(_alive(pid) for pid in helpers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in helpers if _alive(pid)]


class TestInterruption:
    """A process killed mid-import leaves whole batches, a sound file, and a rerun finishes."""

    def test_sigkill(self, crm, tmp_path):
        proc, source, helpers = _start_big_import(crm, tmp_path, after=1000)
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        _none_left(helpers)
        con = sqlite3.connect(crm.db)
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        done = con.execute("SELECT count(*) FROM contacts").fetchone()[0]
        logged = con.execute(
            "SELECT count(*) FROM changes WHERE entity = 'contacts' AND op = 'create'"
        ).fetchone()[0]
        con.close()
        assert done % 500 == 0 and 0 < done < BIG  # whole batches only
        assert logged == done  # every written row is in history
        result = crm.json(f"import contact {source} --key email")
        assert (result["unchanged"], result["created"]) == (done, BIG - done)
        assert count(crm, "contacts") == BIG

    def test_ctrl_c(self, crm, tmp_path):
        """Ctrl-C (SIGINT to the whole process group, worker included): exit 130, one
        message naming the rows kept, which are exactly the rows in the book; no traceback
        and no process left behind."""
        proc, _source, helpers = _start_big_import(crm, tmp_path, after=5000)
        os.killpg(proc.pid, signal.SIGINT)
        err = proc.communicate(timeout=60)[1].decode()
        assert proc.returncode == 130, err[-2000:]
        assert "Traceback" not in err and "Exception ignored" not in err
        kept = int(err.split("the first ")[1].split(" data rows")[0].replace(",", ""))
        assert kept == count(crm, "contacts") and kept % 500 == 0
        assert "--key" in err
        _none_left(helpers)


class TestProducts:
    """The price book imports through the products service's SKU, price and tax rules."""

    def test_hubspot_products_and_rekeyed_reimport(self, crm, tmp_path):
        source = fixture(tmp_path, "hubspot_products.csv")
        result = crm.json(f"import product {source}", ok=False)
        assert result["profile"] == "hubspot"
        assert (result["created"], result["rejected"]) == (2, 1)
        seat = crm.json("product show SEAT-1")
        assert (seat["unit_price"], seat["currency"]) == ("480.00", "USD")
        again = crm.json(f"import product {source} --key sku", ok=False)
        assert (again["unchanged"], again["created"]) == (2, 0)

    def test_sku_is_never_duplicated(self, crm, tmp_path):
        source = tmp_path / "p.csv"
        source.write_text(
            'sku,name,price,currency,tax\nSKU-1,Seat,"1.250,00 €",,19\nSKU-1,Seat again,10,EUR,\n'
        )
        result = crm.json(
            f"import product {source} --decimal-comma --on-duplicate create", ok=False
        )
        assert (result["created"], result["rejected"]) == (1, 1)
        product = crm.json("product show SKU-1")
        assert (product["unit_price"], product["tax_pct"]) == ("1250.00", "19")


class TestExpensesAndDeals:
    """Expenses and deals reject what their services refuse, row by row."""

    def test_expenses(self, crm, tmp_path):
        crm("company add 'Acme GmbH'")
        crm("deal add 'Acme renewal' --company 'Acme GmbH' --amount 48000")
        source = tmp_path / "e.csv"
        source.write_text(
            "Date,Deal,Company,Category,Amount,Note,Receipt no\n"
            '2026-11-20,Acme renewal,,travel,"€ 312.50",Train,R-1\n'
            "2026-11-21,,Acme GmbH,ent,45.00 USD,Lunch,R-2\n"
            "2026-11-22,Nope,,travel,10,,R-3\n"
            "2026-11-22,Acme renewal,,travel,-5,,R-4\n"
        )
        result = crm.json(f"import expense {source}", ok=False)
        assert (result["created"], result["rejected"]) == (2, 2)
        rows = {r["note"]: r for r in crm.json("export expense")}
        assert (rows["Train"]["amount"], rows["Train"]["deal"]) == ("312.50", "Acme renewal")
        assert (rows["Lunch"]["category"], rows["Lunch"]["currency"]) == ("entertainment", "USD")
        assert '"Receipt no":"R-1"' in rows["Train"]["extra"]

    def test_broken_deals(self, crm, tmp_path):
        source = tmp_path / "d.csv"
        source.write_text(
            "name,amount,stage,close date\n"
            "Good,1000,Proposal,2026-12-31\n"
            "Negative,(120.00),,\n"
            "Unknown stage,10,Nowhere,\n"
            ",10,,\n"
            "Bad date,10,,31.31.2026\n"
        )
        result = crm.json(f"import deal {source}", ok=False)
        assert (result["created"], result["rejected"]) == (1, 4)
        assert crm.json("deal show Good")["stage"] == "Proposal"


def test_one_list_of_importable_nouns() -> None:
    """The CLI offers exactly the nouns the pipeline has an entity for."""
    from crmcli.commands.import_csv import NOUNS
    from crmcli.importing.entities import ENTITY_TYPES

    assert tuple(ENTITY_TYPES) == NOUNS
