"""Sales expenses (费用管理): travel, entertainment, samples… against a deal or a customer.

An expense on a deal also counts for the deal's company; the rep is the acting user unless
another is named. ``crm report expenses`` sets them against won revenue (cost of sale).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, TypedDict

from crmcli.errors import InvalidInput, NotFound
from crmcli.money import parse_currency, parse_money, to_milli
from crmcli.services.book import Book
from crmcli.services.handles import change_handle, resolve, short
from crmcli.services.sales.config import amount_of, setting
from crmcli.services.validate import clean_text
from crmcli.storage.db import Reader, Row

CATEGORIES = ("travel", "entertainment", "samples", "other")


class ExpenseView(TypedDict):
    """One expense as lists and JSON show it."""

    id: str
    handle: str
    category: str
    amount: Decimal
    currency: str
    spent_at: datetime
    deal_id: str | None
    deal: str | None
    company_id: str | None
    company: str | None
    rep: str | None
    note: str | None


_SELECT = (
    "SELECT e.*, d.name AS deal, c.name AS company, u.username AS rep FROM expenses e "
    "LEFT JOIN deals d ON d.id = e.deal_id LEFT JOIN companies c ON c.id = e.company_id "
    "LEFT JOIN users u ON u.id = e.user_id"
)


def _view(row: Row) -> ExpenseView:
    return ExpenseView(
        id=row["id"],
        handle=short(row["id"]),
        category=row["category"],
        amount=amount_of(row["amount_milli"], row["currency"]),
        currency=row["currency"],
        spent_at=row["spent_at"],
        deal_id=row["deal_id"],
        deal=row["deal"],
        company_id=row["company_id"],
        company=row["company"],
        rep=row["rep"],
        note=row["note"],
    )


def parse_category(text: str) -> str:
    """One of travel, entertainment, samples, other (a unique prefix is enough)."""
    value = text.strip().lower()
    found = [c for c in CATEGORIES if c.startswith(value)] if value else []
    if len(found) != 1:
        raise InvalidInput(
            f"unknown expense category {text!r}", hint=f"one of: {', '.join(CATEGORIES)}"
        )
    return found[0]


def _target(reader: Reader, handle: str) -> tuple[str | None, str | None]:
    """(deal id, company id) of a deal (its company too) or a company."""
    from crmcli.services.deals import find_deal

    try:
        deal = find_deal(reader, handle)
    except NotFound:
        try:
            company = resolve(reader, "company", handle)
        except NotFound as exc:
            raise NotFound(
                f"no deal or company matches {handle.strip()!r}",
                hint="name a deal (crm deal list) or a company (crm company list)",
            ) from exc
        return None, company["id"]
    return deal["id"], deal["company_id"]


def add_expense(
    book: Book,
    *,
    target: str,
    amount: str | Decimal,
    category: str,
    currency: str | None = None,
    rep: str | None = None,
    note: str | None = None,
    at: datetime | None = None,
) -> ExpenseView:
    """Record an expense against a deal or a company."""
    from crmcli.services.deals import find_rep

    kind = parse_category(category)
    code = parse_currency(currency) if currency else None
    note_text = (
        clean_text(note, what="note", max_length=2000, multiline=True) or None if note else None
    )
    with book.write(at=at) as w:
        deal_id, company_id = _target(w, target)
        if code is None:
            code = (
                str(w.scalar("SELECT currency FROM deals WHERE id = ?", (deal_id,)))
                if deal_id
                else parse_currency(str(setting("currency")))
            )
        value = parse_money(amount, currency=code)
        if value <= 0:
            raise InvalidInput(
                f"an expense must be more than zero, not {amount}",
                hint="give the amount spent, e.g. 120.50",
            )
        user = find_rep(w, rep, actor=book.actor)
        row = w.insert(
            "expenses",
            {
                "deal_id": deal_id,
                "company_id": company_id,
                "user_id": user["id"],
                "category": kind,
                "amount_milli": to_milli(value),
                "currency": code,
                "spent_at": w.at,
                "note": note_text,
            },
        )
        found = w.row(f"{_SELECT} WHERE e.id = ?", (row["id"],))
        assert found is not None
        return _view(found)


def expenses_of(
    reader: Reader, *, deal_id: str | None = None, company_id: str | None = None
) -> list[ExpenseView]:
    """A deal's or a company's expenses, newest first."""
    column, value = ("e.deal_id", deal_id) if deal_id else ("e.company_id", company_id)
    return [
        _view(row)
        for row in reader.rows(
            f"{_SELECT} WHERE {column} = ? AND e.deleted_at IS NULL ORDER BY e.spent_at DESC",
            (value,),
        )
    ]


def list_expenses(
    book: Book,
    *,
    deal: str | None = None,
    company: str | None = None,
    rep: str | None = None,
    category: str | None = None,
    limit: int = 50,
) -> list[ExpenseView]:
    """Expenses, newest first."""
    from crmcli.services.deals import find_deal, find_rep

    where = ["e.deleted_at IS NULL"]
    params: list[Any] = []
    actor = book.actor if rep else {}
    with book.read() as r:
        if deal:
            where.append("e.deal_id = ?")
            params.append(find_deal(r, deal)["id"])
        if company:
            where.append("e.company_id = ?")
            params.append(resolve(r, "company", company)["id"])
        if rep:
            where.append("e.user_id = ?")
            params.append(find_rep(r, rep, actor=actor, must_be_active=False)["id"])
        if category:
            where.append("e.category = ?")
            params.append(parse_category(category))
        rows = r.rows(
            f"{_SELECT} WHERE {' AND '.join(where)} ORDER BY e.spent_at DESC, e.id LIMIT ?",
            (*params, limit),
        )
    return [_view(row) for row in rows]


def delete_expense(
    book: Book, handle: str, *, at: datetime | None = None
) -> tuple[ExpenseView, str]:
    """Soft-delete an expense; returns it and the change id that undoes it."""
    with book.write(at=at) as w:
        clause, params = w.prefix_clause("id", handle.strip().lower())
        rows = w.rows(
            f"SELECT id FROM expenses WHERE {clause} AND deleted_at IS NULL LIMIT 2", params
        )
        if len(rows) != 1:
            raise NotFound(f"no single expense matches {handle!r}", hint="see: crm expense list")
        found = w.row(f"{_SELECT} WHERE e.id = ?", (rows[0]["id"],))
        assert found is not None
        change = w.delete("expenses", rows[0]["id"])
        return _view(found), change_handle(change)
