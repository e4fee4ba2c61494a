"""Quotes: priced offers on a deal, numbered across the team, versioned, accepted into orders.

This module finds, shows, lists, creates and edits quotes; :mod:`.quote_lines` changes a
draft's lines and :mod:`.quote_status` moves a quote through its life.

Status: draft → sent → accepted | declined; a sent quote past ``valid_until`` reads as
expired. Only a draft changes; ``revise`` copies the latest version into a new draft
(version + 1) and freezes the old one as ``superseded``, so at most one version of a
number can ever be accepted. Accepting creates the order, sets the deal's amount to the
quote total and (unless ``win=False``) wins the deal through the pipeline's own stage step,
all in one transaction. Totals follow :mod:`crmcli.services.sales.totals` literally.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, TypedDict

from crmcli import clock
from crmcli.errors import Ambiguous, InvalidInput, NotFound
from crmcli.money import (
    currency_exponent,
    parse_currency,
    parse_percent,
    to_milli,
)
from crmcli.services.book import Book
from crmcli.services.handles import change_handle, contains_pattern, resolve, short
from crmcli.services.sales.config import amount_of, setting
from crmcli.services.sales.numbering import next_number
from crmcli.services.sales.totals import LineInput, QuoteTotals, quote_totals
from crmcli.services.validate import clean_text
from crmcli.storage.db import Reader, Row, Writer

STATUSES = ("draft", "sent", "accepted", "declined", "expired", "superseded")
LIST_STATUSES = (*STATUSES, "open", "all")
DEFAULT_VALID_DAYS = 30
_DAYS = re.compile(r"^\+?(\d{1,4})\s*d(ays?)?$")


class QuoteLineView(TypedDict):
    """One line of a quote with what the totals rule made of it."""

    id: str
    position: int
    kind: str  # item | charge
    product_id: str | None
    sku: str | None
    description: str
    quantity: Decimal
    unit: str | None
    unit_price: Decimal
    discount_pct: Decimal
    tax_pct: Decimal
    list_value: Decimal
    net: Decimal  # after the line's discount
    tax: Decimal


class TaxView(TypedDict):
    rate: Decimal
    base: Decimal
    tax: Decimal


class QuoteVersion(TypedDict):
    handle: str
    version: int
    status: str
    total: Decimal
    created_at: datetime


class QuoteView(TypedDict):
    """A quote as ``quote show --json`` prints it (README: "Quote JSON fields")."""

    id: str
    handle: str
    number: str
    version: int
    status: str  # as it reads today: a sent quote past valid_until is "expired"
    deal_id: str
    deal: str
    company_id: str | None
    company: str | None
    contact_id: str | None
    contact: str | None
    owner: str | None
    currency: str
    valid_until: date | None
    discount_pct: Decimal
    terms: str | None
    notes: str | None
    subtotal: Decimal
    line_discounts: Decimal
    quote_discount: Decimal
    discounts: Decimal
    net: Decimal
    taxes: list[TaxView]
    tax: Decimal
    charges: Decimal
    total: Decimal
    lines: list[QuoteLineView]
    versions: list[QuoteVersion]
    order: str | None
    created_at: datetime
    sent_at: datetime | None
    decided_at: datetime | None


class QuoteRow(TypedDict):
    """One row of ``quote list``."""

    id: str
    handle: str
    number: str
    version: int
    status: str
    deal: str
    company: str | None
    owner: str | None
    total: Decimal
    currency: str
    valid_until: date | None
    created_at: datetime


# -- parsing ---------------------------------------------------------------------------------
def parse_quantity(text: str | Decimal | int) -> Decimal:
    """A positive quantity (``3``, ``2.5``)."""
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation as exc:
        raise InvalidInput(f"quantity {text!r} is not a number", hint="e.g. --qty 3") from exc
    if not value.is_finite() or value <= 0:
        raise InvalidInput(f"quantity must be more than zero, not {text}", hint="e.g. --qty 3")
    if value >= Decimal("1e9") or value.as_tuple().exponent < -4:  # type: ignore[operator]
        raise InvalidInput(f"quantity {text} has too many digits", hint="at most 4 decimals")
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def parse_validity(text: str | date | None, *, today: date) -> date:
    """``30d`` (days from today) or a date; None: 30 days from today."""
    if text is None:
        return today + timedelta(days=DEFAULT_VALID_DAYS)
    if isinstance(text, date):
        return text
    match = _DAYS.match(text.strip().lower())
    if match:
        return today + timedelta(days=int(match.group(1)))
    return clock.parse_date(text)


def effective_status(status: str, valid_until: date | None, today: date) -> str:
    """A sent quote past its validity reads as expired."""
    if status == "sent" and valid_until is not None and valid_until < today:
        return "expired"
    return status


# -- finding ---------------------------------------------------------------------------------
def find_quote(reader: Reader, handle: str) -> Row:
    """A quote by number (latest version; ``NUMBER/v2`` for another), id prefix or part of
    its number."""
    text = handle.strip()
    version: int | None = None
    match = re.match(r"^(.*?)\s*/\s*v(\d+)$", text, flags=re.IGNORECASE)
    if match:
        text, version = match.group(1), int(match.group(2))
    if not text:
        raise InvalidInput("empty quote handle", hint="give a quote number, e.g. Q-2026-…")
    rows = reader.rows(
        "SELECT * FROM quotes WHERE lower(number) = ? AND deleted_at IS NULL ORDER BY version DESC",
        (text.lower(),),
    )
    if not rows:
        numbers = reader.rows(
            "SELECT DISTINCT number FROM quotes WHERE lower(number) LIKE ? ESCAPE '\\' "
            "AND deleted_at IS NULL LIMIT 11",
            (contains_pattern(text),),
        )
        if len(numbers) > 1:
            raise Ambiguous("quote", text, [n["number"] for n in numbers])
        if numbers:
            rows = reader.rows(
                "SELECT * FROM quotes WHERE number = ? AND deleted_at IS NULL "
                "ORDER BY version DESC",
                (numbers[0]["number"],),
            )
    if not rows:
        try:
            found = resolve(reader, "quote", text)
        except NotFound as exc:
            raise NotFound(f"no quote matches {text!r}", hint="see: crm quote list") from exc
        if version is None:
            return found
        rows = reader.rows(
            "SELECT * FROM quotes WHERE number = ? AND deleted_at IS NULL ORDER BY version DESC",
            (found["number"],),
        )
    if version is None:
        return rows[0]
    for row in rows:
        if row["version"] == version:
            return row
    raise NotFound(
        f"quote {rows[0]['number']} has no version {version}",
        hint=f"versions: {', '.join(str(r['version']) for r in reversed(rows))}",
    )


# What a quote line is, besides its place and its quote: what a revision copies and what
# tells an unchanged re-imported line from a new one.
LINE_FIELDS = (
    "kind",
    "product_id",
    "description",
    "quantity",
    "unit_price_milli",
    "discount_pct",
    "tax_pct",
    "unit",
)


def quote_lines(reader: Reader, quote_id: str) -> list[Row]:
    """A quote's lines by position, with the product's SKU."""
    return reader.rows(
        "SELECT l.*, p.sku FROM quote_lines l LEFT JOIN products p ON p.id = l.product_id "
        "WHERE l.quote_id = ? AND l.deleted_at IS NULL ORDER BY l.position",
        (quote_id,),
    )


def totals_of(quote: Row, lines: list[Row]) -> QuoteTotals:
    """The totals rule applied to stored lines."""
    currency = quote["currency"]
    return quote_totals(
        [
            LineInput(
                quantity=Decimal(line["quantity"]),
                unit_price=amount_of(line["unit_price_milli"], currency),
                discount_pct=Decimal(line["discount_pct"] or "0"),
                tax_pct=Decimal(line["tax_pct"] or "0"),
                charge=line["kind"] == "charge",
            )
            for line in lines
        ],
        quote_discount_pct=Decimal(quote["discount_pct"] or "0"),
        exponent=currency_exponent(currency),
    )


def quote_view(reader: Reader, quote: Row) -> QuoteView:
    """The whole quote: parties, lines, totals, versions and its order."""
    lines = quote_lines(reader, quote["id"])
    totals = totals_of(quote, lines)
    currency = quote["currency"]
    deal = reader.get("deals", quote["deal_id"], include_deleted=True)
    company = (
        reader.row("SELECT id, name FROM companies WHERE id = ?", (deal["company_id"],))
        if deal["company_id"]
        else None
    )
    contact_id = quote["contact_id"] or deal["contact_id"]
    contact = (
        reader.row("SELECT id, name FROM contacts WHERE id = ?", (contact_id,))
        if contact_id
        else None
    )
    owner = (
        reader.scalar("SELECT username FROM users WHERE id = ?", (deal["owner_id"],))
        if deal["owner_id"]
        else None
    )
    versions = reader.rows(
        "SELECT id, version, status, total_milli, valid_until, created_at FROM quotes "
        "WHERE number = ? AND deleted_at IS NULL ORDER BY version",
        (quote["number"],),
    )
    order = reader.scalar(
        "SELECT number FROM orders WHERE quote_id = ? AND deleted_at IS NULL", (quote["id"],)
    )
    today = clock.today()
    return QuoteView(
        id=quote["id"],
        handle=short(quote["id"]),
        number=quote["number"],
        version=quote["version"],
        status=effective_status(quote["status"], quote["valid_until"], today),
        deal_id=deal["id"],
        deal=deal["name"],
        company_id=company["id"] if company else None,
        company=company["name"] if company else None,
        contact_id=contact["id"] if contact else None,
        contact=contact["name"] if contact else None,
        owner=owner,
        currency=currency,
        valid_until=quote["valid_until"],
        discount_pct=Decimal(quote["discount_pct"] or "0"),
        terms=quote["terms"],
        notes=quote["notes"],
        subtotal=totals.subtotal,
        line_discounts=totals.line_discounts,
        quote_discount=totals.quote_discount,
        discounts=totals.discounts,
        net=totals.net,
        taxes=[TaxView(rate=t.rate, base=t.base, tax=t.tax) for t in totals.taxes],
        tax=totals.tax,
        charges=totals.charges,
        total=totals.total,
        lines=[
            QuoteLineView(
                id=line["id"],
                position=line["position"],
                kind=line["kind"],
                product_id=line["product_id"],
                sku=line["sku"],
                description=line["description"],
                quantity=Decimal(line["quantity"]),
                unit=line["unit"],
                unit_price=amount_of(line["unit_price_milli"], currency),
                discount_pct=Decimal(line["discount_pct"] or "0"),
                tax_pct=Decimal(line["tax_pct"] or "0"),
                list_value=computed.list_value,
                net=computed.net,
                tax=computed.tax,
            )
            for line, computed in zip(lines, totals.lines, strict=True)
        ],
        versions=[
            QuoteVersion(
                handle=short(v["id"]),
                version=v["version"],
                status=effective_status(v["status"], v["valid_until"], today),
                total=amount_of(v["total_milli"], currency),
                created_at=v["created_at"],
            )
            for v in versions
        ],
        order=None if order is None else str(order),
        created_at=quote["created_at"],
        sent_at=quote["sent_at"],
        decided_at=quote["decided_at"],
    )


def refresh(w: Writer, quote_id: str) -> QuoteView:
    """Store the recomputed total (what lists and reports read) and return the quote."""
    quote = w.get("quotes", quote_id)
    total = totals_of(quote, quote_lines(w, quote_id)).total
    w.update("quotes", quote_id, {"total_milli": to_milli(total)})
    return quote_view(w, w.get("quotes", quote_id))


def require_draft(quote: Row) -> None:
    """Refuse to change anything but a draft, saying what to do instead."""
    if quote["status"] == "draft":
        return
    hint = f"make a new version to change: crm quote revise {quote['number']}"
    if quote["status"] == "accepted":
        # An accepted quote has its order; a new version could be accepted a second time.
        hint = f"it is final; for a new offer: crm quote new --deal {short(quote['deal_id'])}"
    raise InvalidInput(
        f"quote {quote['number']} v{quote['version']} is {quote['status']}; "
        "only a draft can change",
        hint=hint,
    )


# -- creating and editing --------------------------------------------------------------------
def _clean_optional(text: str | None, *, what: str, max_length: int) -> str | None:
    if text is None:
        return None
    return clean_text(text, what=what, max_length=max_length, multiline=True) or None


def default_terms() -> str:
    """The terms a new quote gets: payment within ``payment_terms_days`` of the invoice."""
    days = int(setting("payment_terms_days"))
    return f"Payment within {days} days of the invoice date."


def new_quote(
    book: Book,
    *,
    deal: str,
    contact: str | None = None,
    valid: str | date | None = None,
    currency: str | None = None,
    terms: str | None = None,
    notes: str | None = None,
    discount: str | Decimal | None = None,
    at: datetime | None = None,
) -> QuoteView:
    """A new draft quote on a deal; the customer is the deal's company and contact."""
    from crmcli.services.deals import find_deal

    code = parse_currency(currency) if currency else None
    discount_pct = parse_percent(discount, what="discount") if discount is not None else None
    terms_text = _clean_optional(terms, what="terms", max_length=5000)
    notes_text = _clean_optional(notes, what="notes", max_length=20_000)
    today = clock.to_local(at).date() if at else clock.today()
    valid_until = parse_validity(valid, today=today)
    if valid_until < today:
        raise InvalidInput(f"valid until {valid_until} is in the past", hint="e.g. --valid 30d")
    with book.write(at=at) as w:
        row = create_quote(
            w,
            deal=find_deal(w, deal),
            contact=contact,
            currency=code,
            valid_until=valid_until,
            discount_pct=discount_pct,
            terms=terms_text,
            notes=notes_text,
        )
        return quote_view(w, w.get("quotes", row["id"]))


def create_quote(
    w: Writer,
    *,
    deal: Row,
    contact: str | None = None,
    currency: str | None = None,
    valid_until: date,
    discount_pct: Decimal | None = None,
    terms: str | None = None,
    notes: str | None = None,
    number: str | None = None,
) -> Row:
    """Write a new draft (cleaned values) on ``deal``; ``number``: the quote's own number
    (an import keeps the other system's), else the next of this replica's series."""
    if deal["status"] == "lost":
        raise InvalidInput(
            f"deal {deal['name']!r} is lost",
            hint=f"reopen it first: crm deal reopen {short(deal['id'])}",
        )
    contact_id = resolve(w, "contact", contact)["id"] if contact else deal["contact_id"]
    return w.insert(
        "quotes",
        {
            "number": number or next_number(w, table="quotes", prefix=str(setting("quote_prefix"))),
            "version": 1,
            "deal_id": deal["id"],
            "status": "draft",
            "currency": currency or deal["currency"],
            "valid_until": valid_until,
            "discount_pct": str(discount_pct or 0),
            "tax_pct": "0",
            "total_milli": 0,
            "notes": notes,
            "contact_id": contact_id,
            "terms": terms or default_terms(),
        },
    )


def edit_quote(
    book: Book,
    handle: str,
    *,
    contact: str | None = None,
    valid: str | date | None = None,
    currency: str | None = None,
    terms: str | None = None,
    notes: str | None = None,
    discount: str | Decimal | None = None,
    at: datetime | None = None,
) -> QuoteView:
    """Change a draft: contact, validity, terms, notes, quote-level discount, currency."""
    with book.write(at=at) as w:
        quote = find_quote(w, handle)
        require_draft(quote)
        values: dict[str, Any] = {}
        if contact is not None:
            values["contact_id"] = resolve(w, "contact", contact)["id"] if contact else None
        if valid is not None:
            values["valid_until"] = parse_validity(valid, today=clock.today())
        if terms is not None:
            values["terms"] = _clean_optional(terms, what="terms", max_length=5000)
        if notes is not None:
            values["notes"] = _clean_optional(notes, what="notes", max_length=20_000)
        if discount is not None:
            values["discount_pct"] = str(parse_percent(discount, what="discount"))
        if currency is not None:
            code = parse_currency(currency)
            if code != quote["currency"] and quote_lines(w, quote["id"]):
                raise InvalidInput(
                    "a quote with lines cannot change currency",
                    hint="remove the lines first, or start a new quote in that currency",
                )
            values["currency"] = code
        if not values:
            raise InvalidInput("nothing to change", hint="see: crm quote edit --help")
        w.update("quotes", quote["id"], values)
        return refresh(w, quote["id"])


# -- lists -----------------------------------------------------------------------------------
def _status_clause(statuses: list[str], today: date) -> tuple[str, list[Any]]:
    parts: list[str] = []
    params: list[Any] = []
    for status in statuses:
        if status == "expired":
            parts.append("(q.status = ? OR (q.status = ? AND q.valid_until < ?))")
            params += ["expired", "sent", today]
        elif status == "sent":
            parts.append("(q.status = ? AND (q.valid_until IS NULL OR q.valid_until >= ?))")
            params += ["sent", today]
        elif status == "open":
            parts.append(
                "(q.status = ? OR (q.status = ? AND (q.valid_until IS NULL OR q.valid_until >= ?)))"
            )
            params += ["draft", "sent", today]
        else:
            parts.append("q.status = ?")
            params.append(status)
    return "(" + " OR ".join(parts) + ")", params


def list_quotes(
    book: Book,
    *,
    status: str | None = None,
    deal: str | None = None,
    company: str | None = None,
    owner: str | None = None,
    expiring: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[QuoteRow]:
    """Quotes, newest first; superseded versions only when asked for (``--status``);
    ``offset`` skips that many (the TUI's pages)."""
    today = clock.today()
    statuses = [s.strip().lower() for s in (status or "").split(",") if s.strip()]
    unknown = [s for s in statuses if s not in LIST_STATUSES]
    if unknown:
        raise InvalidInput(
            f"unknown quote status {unknown[0]!r}", hint=f"one of: {', '.join(LIST_STATUSES)}"
        )
    if limit < 1:
        raise InvalidInput("--limit must be at least 1")
    where = ["q.deleted_at IS NULL"]
    params: list[Any] = []
    if not statuses:
        where.append("q.status <> ?")
        params.append("superseded")
    elif "all" not in statuses:
        clause, args = _status_clause(statuses, today)
        where.append(clause)
        params += args
    if expiring:
        match = _DAYS.match(expiring.strip().lower())
        if not match:
            raise InvalidInput(f"--expiring takes days, e.g. 7d, not {expiring!r}")
        where.append("q.status = ? AND q.valid_until >= ? AND q.valid_until <= ?")
        params += ["sent", today, today + timedelta(days=int(match.group(1)))]
    actor = book.actor if owner else {}
    with book.read() as r:
        if deal:
            from crmcli.services.deals import find_deal  # ~9 ms: only when filtering by deal

            where.append("q.deal_id = ?")
            params.append(find_deal(r, deal)["id"])
        if company:
            where.append("d.company_id = ?")
            params.append(resolve(r, "company", company)["id"])
        if owner:
            from crmcli.services.deals import find_rep  # ~9 ms: only when filtering by owner

            where.append("d.owner_id = ?")
            params.append(find_rep(r, owner, actor=actor, must_be_active=False)["id"])
        rows = r.rows(
            "SELECT q.id, q.number, q.version, q.status, q.total_milli, q.currency, "
            "q.valid_until, q.created_at, d.name AS deal, c.name AS company, u.username AS owner "
            "FROM quotes q JOIN deals d ON d.id = q.deal_id "
            "LEFT JOIN companies c ON c.id = d.company_id "
            "LEFT JOIN users u ON u.id = d.owner_id "
            f"WHERE {' AND '.join(where)} "
            "ORDER BY q.created_at DESC, q.number DESC, q.version DESC LIMIT ? OFFSET ?",
            (*params, limit, max(0, offset)),
        )
    return [
        QuoteRow(
            id=row["id"],
            handle=short(row["id"]),
            number=row["number"],
            version=row["version"],
            status=effective_status(row["status"], row["valid_until"], today),
            deal=row["deal"],
            company=row["company"],
            owner=row["owner"],
            total=amount_of(row["total_milli"], row["currency"]),
            currency=row["currency"],
            valid_until=row["valid_until"],
            created_at=row["created_at"],
        )
        for row in rows
    ]


def show_quote(book: Book, handle: str) -> QuoteView:
    """One quote with its lines, totals and versions."""
    with book.read() as r:
        return quote_view(r, find_quote(r, handle))


def delete_quote(book: Book, handle: str, *, at: datetime | None = None) -> tuple[QuoteView, str]:
    """Soft-delete a draft version; returns it and the change id that undoes it."""
    with book.write(at=at) as w:
        quote = find_quote(w, handle)
        if quote["status"] != "draft":
            raise InvalidInput(
                f"quote {quote['number']} v{quote['version']} is {quote['status']}; "
                "only a draft can be deleted",
                hint="a sent quote stays on record: crm quote decline, or crm quote revise",
            )
        view = quote_view(w, quote)
        change = w.delete("quotes", quote["id"])
        if quote["previous_id"]:  # the version it was revised from is the latest again
            import json

            before = w.scalar(
                "SELECT old_value FROM changes WHERE entity = ? AND record_id = ? "
                "AND field = ? ORDER BY hlc DESC LIMIT 1",
                ("quotes", quote["previous_id"], "status"),
            )
            status = json.loads(before) if before else "sent"
            w.update("quotes", quote["previous_id"], {"status": status})
        return view, change_handle(change)
