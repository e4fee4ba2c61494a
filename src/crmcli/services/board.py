"""The board: per open stage of a pipeline, count, total, weighted total and the top cards.

Totals come from SQL aggregates and each column's cards from one LIMITed query on the
``(status, stage_id, amount_milli)`` index, so the board costs the same on 400 or 100,000
deals: nothing loads every deal.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from crmcli import clock
from crmcli.money import SCALE, from_milli, round_money
from crmcli.services.book import Book
from crmcli.services.currency import load_rates
from crmcli.services.deals import (
    IDLE_SQL,
    effective_probability,
    find_pipeline,
    find_rep,
    idle_days,
    is_rotting,
    names_for,
    pipeline_stages,
    weighted_amount,
)
from crmcli.services.handles import short
from crmcli.storage.db import Row

DEFAULT_CARDS = 5


def _weighted(plain_milli: int, overridden: int, probability: int, currency: str) -> Decimal:
    """Σ amount × probability: stage default for deals without an override, theirs otherwise."""
    total = Decimal(plain_milli or 0) * probability + Decimal(overridden or 0)
    return round_money(total / (100 * SCALE), currency)


def board(
    book: Book,
    *,
    pipeline: str | None = None,
    owner: str | None = None,
    cards: int = DEFAULT_CARDS,
) -> dict[str, Any]:
    """The board's data: one entry per open stage, with totals and the biggest deals."""
    now = clock.now()
    cards = max(0, cards)
    actor = book.actor if owner else {}  # looked up in its own transaction
    with book.read() as r:
        pipeline_row = find_pipeline(r, pipeline)
        rep = find_rep(r, owner, actor=actor, must_be_active=False) if owner else None
        owner_id = rep["id"] if rep else None
        owner_name = rep["username"] if rep else None
        owner_clause = " AND owner_id = ?" if owner_id else ""
        owner_args: tuple[Any, ...] = (owner_id,) if owner_id else ()
        columns: list[dict[str, Any]] = []
        card_rows: list[Row] = []
        for stage in pipeline_stages(r, pipeline_row["id"]):
            if stage["kind"] != "open":
                continue
            days = stage["rotting_days"]
            cutoff = now - timedelta(days=days) if days else None
            groups = r.rows(
                "SELECT currency, count(*) AS n, SUM(amount_milli) AS total, "
                "SUM(CASE WHEN probability IS NULL THEN amount_milli ELSE 0 END) AS plain, "
                "SUM(CASE WHEN probability IS NULL THEN 0 ELSE amount_milli * probability END) "
                "AS overridden, "
                f"SUM(CASE WHEN {IDLE_SQL} THEN 1 ELSE 0 END) AS idle "
                "FROM deals WHERE status = ? AND stage_id = ? AND deleted_at IS NULL"
                f"{owner_clause} GROUP BY currency",
                (cutoff, cutoff, "open", stage["id"], *owner_args),
            )
            top = (
                r.rows(
                    "SELECT * FROM deals WHERE status = ? AND stage_id = ? AND deleted_at IS NULL"
                    f"{owner_clause} ORDER BY amount_milli DESC LIMIT ?",
                    ("open", stage["id"], *owner_args, cards),
                )
                if cards
                else []
            )
            card_rows += top
            by_currency = [
                {
                    "currency": g["currency"],
                    "count": g["n"],
                    "amount": from_milli(g["total"] or 0, g["currency"]),
                    "weighted_amount": _weighted(
                        g["plain"], g["overridden"], stage["probability"], g["currency"]
                    ),
                    "rotting": int(g["idle"] or 0),
                }
                for g in groups
            ]
            columns.append({"stage": stage, "groups": by_currency, "cards": top})
        names = names_for(r, card_rows)
        rates = load_rates(r)
    # Totals in the reporting currency, other currencies at today's rate (the reports' rule);
    # a currency without a rate is never summed in: it stays apart in other_currencies.
    main = rates.base
    today = clock.today()
    stages_out = []
    for column in columns:
        stage = column["stage"]
        folded = [g for g in column["groups"] if rates.has(g["currency"], today)]
        mine = {
            "amount": rates.round(
                sum((rates.rate(g["currency"], today) * g["amount"] for g in folded), Decimal(0))
            ),
            "weighted_amount": rates.round(
                sum(
                    (rates.rate(g["currency"], today) * g["weighted_amount"] for g in folded),
                    Decimal(0),
                )
            ),
        }
        stages_out.append(
            {
                "stage": stage["name"],
                "stage_id": stage["id"],
                "position": stage["position"],
                "probability": stage["probability"],
                "rotting_days": stage["rotting_days"],
                "count": sum(g["count"] for g in column["groups"]),
                "currency": main,
                "amount": mine["amount"],
                "weighted_amount": mine["weighted_amount"],
                "rotting": sum(g["rotting"] for g in column["groups"]),
                "other_currencies": [g for g in column["groups"] if g not in folded],
                "cards": [_card(d, stage, names, now) for d in column["cards"]],
            }
        )
    return {
        "pipeline": pipeline_row["name"],
        "pipeline_id": pipeline_row["id"],
        "owner": owner_name,
        "currency": main,
        "count": sum(s["count"] for s in stages_out),
        "amount": sum((s["amount"] for s in stages_out), Decimal("0.00")),
        "weighted_amount": sum((s["weighted_amount"] for s in stages_out), Decimal("0.00")),
        "rotting": sum(s["rotting"] for s in stages_out),
        "stages": stages_out,
    }


def _card(deal: Row, stage: Row, names: dict[str, dict[str, str]], now: Any) -> dict[str, Any]:
    return {
        "id": deal["id"],
        "handle": short(deal["id"]),
        "name": deal["name"],
        "amount": from_milli(deal["amount_milli"], deal["currency"]),
        "currency": deal["currency"],
        "probability": effective_probability(deal, stage),
        "weighted_amount": weighted_amount(deal, stage),
        "company": names["companies"].get(deal["company_id"] or ""),
        "owner": names["users"].get(deal["owner_id"] or ""),
        "expected_close": deal["expected_close"],
        "idle_days": idle_days(deal, now),
        "rotting": is_rotting(deal, stage, now),
    }
