"""The book's overview (what `crm demo` prints) never adds amounts of two currencies."""

from __future__ import annotations

from decimal import Decimal


def test_stage_totals_stay_per_currency(crm) -> None:
    from crmcli.config import Settings
    from crmcli.services.book import Book
    from crmcli.services.overview import book_summary

    crm('deal add "Berlin" --amount 1000 --currency EUR')
    crm('deal add "Boston" --amount 500.50 --currency USD')
    crm('deal add "Bonn" --amount 250 --currency EUR')
    book = Book.open(Settings(db=str(crm.db), user=None))
    try:
        first = book_summary(book)["pipeline"][0]
    finally:
        book.close()
    assert first["stage"] == "Prospecting" and first["deals"] == 3
    # 1,000 + 250 EUR and 500.50 USD: two totals, not 1,750.50 of anything
    assert first["amounts"] == {"EUR": Decimal("1250.00"), "USD": Decimal("500.50")}
    assert first["amount"] == "1,250.00 EUR; 500.50 USD"
