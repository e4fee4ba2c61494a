"""A quote's life: send, decline, revise (a new version) and accept (order + won deal,
one transaction)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from crmcli import clock
from crmcli.errors import InvalidInput
from crmcli.money import to_milli
from crmcli.services.book import Book
from crmcli.services.handles import short
from crmcli.services.sales.quotes import (
    DEFAULT_VALID_DAYS,
    LINE_FIELDS,
    QuoteView,
    effective_status,
    find_quote,
    quote_lines,
    quote_view,
    refresh,
    require_draft,
    totals_of,
)
from crmcli.storage.db import Row, Writer


def send_quote(book: Book, handle: str, *, at: datetime | None = None) -> QuoteView:
    """Mark a draft as sent to the customer (it is frozen from now on)."""
    with book.write(at=at) as w:
        quote = find_quote(w, handle)
        require_draft(quote)
        if not any(line["kind"] == "item" for line in quote_lines(w, quote["id"])):
            raise InvalidInput(
                f"quote {quote['number']} has no lines", hint="add one: crm quote line add"
            )
        today = clock.to_local(w.at).date()
        if quote["valid_until"] is not None and quote["valid_until"] < today:
            raise InvalidInput(
                f"quote {quote['number']} was valid until {quote['valid_until']}",
                hint=f"extend it first: crm quote edit {quote['number']} --valid 30d",
            )
        w.update("quotes", quote["id"], {"status": "sent", "sent_at": w.at})
        return refresh(w, quote["id"])


def _require_decidable(w: Writer, quote: Row, verb: str) -> None:
    status = effective_status(quote["status"], quote["valid_until"], clock.to_local(w.at).date())
    label = f"quote {quote['number']} v{quote['version']}"
    if status == "superseded":
        latest = w.scalar(
            "SELECT max(version) FROM quotes WHERE number = ? AND deleted_at IS NULL",
            (quote["number"],),
        )
        raise InvalidInput(
            f"{label} is superseded by version {latest}",
            hint=f"{verb} the latest version: crm quote {verb} {quote['number']}",
        )
    if status == "expired":
        raise InvalidInput(
            f"{label} expired on {quote['valid_until']}",
            hint=f"make a new version with a new validity: crm quote revise {quote['number']}",
        )
    if status in ("accepted", "declined"):
        raise InvalidInput(
            f"{label} is already {status}",
            hint=f"to offer again: crm quote revise {quote['number']}"
            if status == "declined"
            else "an accepted quote is final; its order: crm order list",
        )


def decline_quote(book: Book, handle: str, *, at: datetime | None = None) -> QuoteView:
    """Record that the customer declined the quote."""
    with book.write(at=at) as w:
        quote = find_quote(w, handle)
        _require_decidable(w, quote, "decline")
        w.update("quotes", quote["id"], {"status": "declined", "decided_at": w.at})
        return quote_view(w, w.get("quotes", quote["id"]))


def revise_quote(book: Book, handle: str, *, at: datetime | None = None) -> QuoteView:
    """A new draft version copied from the latest one; the old version is frozen."""
    with book.write(at=at) as w:
        quote = find_quote(w, handle)
        latest = w.row(
            "SELECT * FROM quotes WHERE number = ? AND deleted_at IS NULL "
            "ORDER BY version DESC LIMIT 1",
            (quote["number"],),
        )
        assert latest is not None
        if latest["status"] == "draft":
            raise InvalidInput(
                f"version {latest['version']} of {quote['number']} is still a draft",
                hint=f"change it directly: crm quote edit|line add {quote['number']}",
            )
        if latest["status"] == "accepted":
            raise InvalidInput(
                f"quote {quote['number']} v{latest['version']} is accepted; it is final",
                hint=f"start a new quote: crm quote new --deal {short(quote['deal_id'])}",
            )
        copied = {
            k: latest[k]
            for k in (
                "number",
                "deal_id",
                "currency",
                "valid_until",
                "discount_pct",
                "tax_pct",
                "total_milli",
                "notes",
                "contact_id",
                "terms",
            )
        }
        today = clock.to_local(w.at).date()
        if copied["valid_until"] is None or copied["valid_until"] < today:
            copied["valid_until"] = today + timedelta(days=DEFAULT_VALID_DAYS)
        row = w.insert(
            "quotes",
            {
                **copied,
                "version": latest["version"] + 1,
                "status": "draft",
                "previous_id": latest["id"],
            },
        )
        for line in quote_lines(w, latest["id"]):
            w.insert(
                "quote_lines",
                {k: line[k] for k in ("position", *LINE_FIELDS)} | {"quote_id": row["id"]},
            )
        w.update("quotes", latest["id"], {"status": "superseded"})
        return refresh(w, row["id"])


@dataclass(frozen=True)
class Acceptance:
    """What accepting a quote did: the quote, its new order, and the deal's stage change."""

    quote: QuoteView
    order: dict[str, Any]
    deal: str
    won: bool
    from_stage: str | None
    to_stage: str | None


def accept_quote(
    book: Book, handle: str, *, win: bool = True, at: datetime | None = None
) -> Acceptance:
    """Accept a quote: order created, deal amount = quote total, deal won (unless ``win``
    is False); one transaction."""
    from crmcli.services import deals
    from crmcli.services.sales.orders import create_order, order_view

    with book.write(at=at) as w:
        quote = find_quote(w, handle)
        _require_decidable(w, quote, "accept")
        lines = quote_lines(w, quote["id"])
        if not any(line["kind"] == "item" for line in lines):
            raise InvalidInput(
                f"quote {quote['number']} has no lines",
                hint=f"add one: crm quote line add {quote['number']} --product SKU",
            )
        deal = w.get("deals", quote["deal_id"])
        if win and deal["status"] == "lost":
            raise InvalidInput(
                f"deal {deal['name']!r} is lost",
                hint=f"reopen it (crm deal reopen {short(deal['id'])}) or accept with --no-win",
            )
        total = totals_of(quote, lines).total
        w.update(
            "quotes",
            quote["id"],
            {"status": "accepted", "decided_at": w.at, "total_milli": to_milli(total)},
        )
        order = create_order(w, quote=quote, amount=total)
        w.update(
            "deals", deal["id"], {"amount_milli": to_milli(total), "currency": quote["currency"]}
        )
        won, from_stage, to_stage = False, None, None
        if win and deal["status"] == "open":
            current = w.get("stages", deal["stage_id"], include_deleted=True)
            target = deals.first_stage(w, deal["pipeline_id"], "won")
            deals.enter_stage(
                w,
                w.get("deals", deal["id"]),
                target,
                {"status": "won", "closed_at": w.at},
                actor_id=deals.acting_user_id(w),
            )
            won, from_stage, to_stage = True, current["name"], target["name"]
        return Acceptance(
            quote=quote_view(w, w.get("quotes", quote["id"])),
            order=dict(order_view(w, order)),
            deal=deal["name"],
            won=won,
            from_stage=from_stage,
            to_stage=to_stage,
        )
