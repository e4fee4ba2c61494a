"""Leads, contacts and companies figures (issue 3) on the big book.

Lists read one page (a LIMIT on an indexed order), never every row, except the lead list
sorted by the live score, which scores every open lead (20k on the full book) by design.
"""

from __future__ import annotations

from pathlib import Path

from harness import Case

BENCH_COMPANY = "Bench Parties GmbH"
BENCH_EMAIL = "bench.parties@bench-parties.example"


def _ensure_bench_records(book_path: Path) -> None:
    """A known company and contact to `show` (created once, through the services)."""
    from crmcli.config import Settings
    from crmcli.services.book import Book
    from crmcli.services.contacts import add_contact

    book = Book.open(Settings.resolve(db=str(book_path)))
    try:
        with book.read() as r:
            found = r.row(
                "SELECT id FROM contacts WHERE lower(email) = ? AND deleted_at IS NULL",
                (BENCH_EMAIL,),
            )
        if found is None:
            add_contact(
                book, name="Bench Parties", email=BENCH_EMAIL, company=BENCH_COMPANY, force=True
            )
    finally:
        book.close()


CASES = [
    Case("contact list --limit 50", ["contact", "list", "--limit", "50"]),
    Case("contact list --json --limit 50", ["contact", "list", "--json", "--limit", "50"]),
    Case("contact list --tag webinar -n 50", ["contact", "list", "--tag", "webinar", "-n", "50"]),
    Case(
        "contact show (by e-mail)",
        ["contact", "show", BENCH_EMAIL],
        setup=_ensure_bench_records,
    ),
    Case(
        "company show (360° view)",
        ["company", "show", BENCH_COMPANY],
        setup=_ensure_bench_records,
    ),
    Case(
        "company list --class key-account -n 50",
        ["company", "list", "--class", "key-account", "-n", "50"],
    ),
    Case("lead list --limit 50", ["lead", "list", "--limit", "50"]),
    Case("lead list --sort -score -n 50", ["lead", "list", "--sort", "-score", "-n", "50"]),
]
