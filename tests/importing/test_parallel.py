"""A file of several batches is cleaned in a worker process: the import it makes is the one
cleaning in this process makes (same counts, same records, same rejects), on real files."""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmcli.config import Settings
from crmcli.importing.pipeline import ImportOptions, run_import
from crmcli.services.book import Book

FIXTURES = Path(__file__).parent / "fixtures"
TABLES = {
    "contact": "contacts",
    "company": "companies",
    "lead": "leads",
    "deal": "deals",
    "activity": "activities",
    "product": "products",
}
SETUP = {
    "salesforce_contacts.csv": [("company", "salesforce_accounts.csv")],
    "activities.csv": [
        ("company", "salesforce_accounts.csv"),
        ("contact", "salesforce_contacts.csv"),
        ("deal", "pipedrive_deals.csv"),
    ],
}
# A record's handle in a message (the two books' records have their own ids).
_HANDLE = re.compile(r"\b[0-9a-f]{8}\b")
# Columns that differ between two imports of the same file by design (new ids, links to them).
VOLATILE = {"id", "company_id", "contact_id", "deal_id", "lead_id", "owner_id", "merged_into_id"}


def _import(tmp: Path, source: Path, entity: str, *, parallel: bool) -> dict[str, Any]:
    book_path = tmp / ("worker.db" if parallel else "here.db")
    book = Book.open(Settings(db=str(book_path), user=None))
    try:
        # what the file links to first (the accounts for AccountId; people and deals for
        # activities), imported the same way in both books
        for first, before in SETUP.get(source.name, ()):
            copy = tmp / before  # reject files are written beside the input: not in the repo
            copy.write_bytes((FIXTURES / before).read_bytes())
            run_import(book, ImportOptions(first, str(copy), on_duplicate="skip"))
        rejects = tmp / f"rejects-{parallel}.csv"
        summary = run_import(
            book,
            ImportOptions(
                entity, str(source), batch_rows=1, parallel=parallel, reject_file=str(rejects)
            ),
        )
    finally:
        book.close()
    con = sqlite3.connect(book_path)
    con.row_factory = sqlite3.Row
    table = TABLES[entity]
    records = sorted(
        tuple((k, v) for k, v in dict(row).items() if k not in VOLATILE)
        for row in con.execute(f"SELECT * FROM {table}")
    )
    logged = con.execute("SELECT count(*) FROM changes WHERE entity = ?", (table,)).fetchone()[0]
    con.close()
    outcome = summary.as_dict()
    outcome.pop("reject_file")
    return {
        "summary": json.loads(_HANDLE.sub("<id>", json.dumps(outcome, default=str))),
        "records": records,
        "logged": logged,
        "rejects": _HANDLE.sub("<id>", rejects.read_text("utf-8")) if rejects.exists() else None,
    }


def _alike(tmp_path: Path, source: Path, entity: str) -> dict[str, Any]:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    inline = _import(tmp_path / "a", source, entity, parallel=False)
    worker = _import(tmp_path / "b", source, entity, parallel=True)
    assert worker == inline
    return worker


@pytest.mark.parametrize(
    ("name", "entity"),
    [
        ("hubspot_contacts.csv", "contact"),
        ("salesforce_contacts.csv", "contact"),
        ("salesforce_accounts.csv", "company"),
        ("zoho_leads.csv", "lead"),
        ("pipedrive_deals.csv", "deal"),
        ("activities.csv", "activity"),
        ("hubspot_products.csv", "product"),
    ],
)
def test_each_crm_profile_imports_alike(tmp_path: Path, name: str, entity: str) -> None:
    source = tmp_path / name
    source.write_bytes((FIXTURES / name).read_bytes())
    outcome = _alike(tmp_path, source, entity)
    assert outcome["summary"]["rows"] >= 2  # batches of one row: the worker cleans the second on
    assert outcome["records"]


BROKEN = [
    ["Name", "Email", "Phone", "Birthday", "Company"],
    ["Ada Lovelace", "ada@example.com", "+44 20 7946 0000", "1815-12-10", "Analytical"],
    ["No Email", "not-an-email", "", "", ""],
    ["Odd Birthday", "odd@example.com", "", "the 45th of Nevember", ""],  # kept in extra
    ["Too", "few"],
    ["Too", "many", "", "", "", "cells", "here"],
    ["Ada Again", "ADA@example.com", "", "", "Analytical"],  # same e-mail, earlier in the file
    ["", "nameless@example.com", "", "", ""],
    ["Grace Hopper", "grace@example.com", "+1 415 555 0100", "9 Dec 1906", "Navy"],
]


def test_broken_rows_are_rejected_alike(tmp_path: Path) -> None:
    source = tmp_path / "broken.csv"
    with source.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(BROKEN)
    outcome = _alike(tmp_path, source, "contact")
    assert (outcome["summary"]["created"], outcome["summary"]["rejected"]) == (3, 5)
    assert "_error" in (outcome["rejects"] or "")


cells = st.one_of(
    st.sampled_from(["", "x", "n/a", "@", "a@b", "+1 415 555 0199", "2026-02-30", "tomorrow"]),
    st.emails().map(str),
    st.text(max_size=12),
)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.lists(cells, min_size=3, max_size=5), min_size=3, max_size=9))
def test_any_rows_import_alike(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]]
) -> None:
    tmp = tmp_path_factory.mktemp("any")
    source = tmp / "any.csv"
    with source.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([["name", "email", "phone", "title"], *rows])
    _alike(tmp, source, "contact")


def test_a_worker_that_dies_leaves_the_import_whole(tmp_path: Path, monkeypatch) -> None:
    """The worker process exits as it starts (as one killed by the system would): every
    batch is then checked here, and the import is the one made without a worker."""
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor

    from crmcli.importing import cleaning

    def dying(*_args: object) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=os._exit,
            initargs=(9,),
        )

    monkeypatch.setattr(cleaning, "_start_worker", dying)
    source = tmp_path / "broken.csv"
    with source.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(BROKEN)
    outcome = _alike(tmp_path, source, "contact")
    assert (outcome["summary"]["created"], outcome["summary"]["rejected"]) == (3, 5)


def test_stdin_in_batches_through_the_command(crm, tmp_path: Path, monkeypatch) -> None:
    """`crm import contact -` of several batches: the rows read from stdin are checked by
    the worker, and each lands once."""
    monkeypatch.chdir(tmp_path)  # a reject file for stdin is written in the current folder
    text = "name,email\n" + "".join(f"Person {i},p{i}@stdin.example\n" for i in range(7))
    text += "Broken,not-an-email\n"
    result = crm("import contact - --batch-size 2 --json", input=text, ok=False)
    assert result.exit_code == 4  # something was rejected
    summary = result.json()
    assert (summary["rows"], summary["created"], summary["rejected"]) == (8, 7, 1)
    assert summary["errors"][0]["row"] == 9
    emails = {c["email"] for c in crm.json("contact list -n 100")}
    assert emails == {f"p{i}@stdin.example" for i in range(7)}


def test_ctrl_c_keeps_whole_batches_and_says_how_many(tmp_path: Path) -> None:
    """Ctrl-C during an import: the batches committed (or committing) stay, the message
    says how many rows that is, and a re-import with a key finishes the job."""
    from crmcli.errors import ImportInterrupted

    source = tmp_path / "ten.csv"
    with source.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(
            [["name", "email"], *([f"Person {i}", f"p{i}@ctrl-c.example"] for i in range(10))]
        )
    path = tmp_path / "book.db"
    book = Book.open(Settings(db=str(path), user=None))
    calls = []

    def press_ctrl_c(rows: int) -> None:
        calls.append(rows)
        if len(calls) == 3:
            raise KeyboardInterrupt

    try:
        with pytest.raises(ImportInterrupted) as stopped:
            run_import(
                book, ImportOptions("contact", str(source), batch_rows=2), progress=press_ctrl_c
            )
        again = run_import(book, ImportOptions("contact", str(source), key="email"))
    finally:
        book.close()
    assert "the first 6 data rows were imported" in stopped.value.message
    assert "--key external_id or --key email" in (stopped.value.hint or "")
    assert (again.unchanged, again.created) == (6, 4)
    con = sqlite3.connect(path)
    assert con.execute("SELECT count(*) FROM contacts").fetchone()[0] == 10
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
