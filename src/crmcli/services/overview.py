"""A one-screen overview of a book: record counts and the default pipeline by stage."""

from __future__ import annotations

from typing import Any

from crmcli.services.book import Book


def book_summary(book: Book) -> dict[str, Any]:
    """Counts and pipeline totals of a book: what ``crm demo`` shows when it is done."""
    from crmcli.money import format_money, from_milli

    with book.read() as r:
        counts = {
            table: r.scalar(f"SELECT count(*) FROM {table} WHERE deleted_at IS NULL")
            for table in (
                "users",
                "companies",
                "contacts",
                "leads",
                "deals",
                "activities",
                "quotes",
                "payments",
            )
        }
        stages = r.rows(
            "SELECT s.id, s.name AS stage, s.kind, s.probability, count(d.id) AS deals "
            "FROM stages s JOIN pipelines p ON p.id = s.pipeline_id AND p.is_default = ? "
            "LEFT JOIN deals d ON d.stage_id = s.id AND d.deleted_at IS NULL "
            "WHERE s.deleted_at IS NULL "
            "GROUP BY s.id, s.name, s.kind, s.probability, s.position ORDER BY s.position",
            (True,),
        )
        # Amounts per currency: never one sum of EUR and USD.
        sums = r.rows(
            "SELECT d.stage_id, d.currency, sum(d.amount_milli) AS total FROM deals d "
            "WHERE d.deleted_at IS NULL GROUP BY d.stage_id, d.currency ORDER BY d.currency"
        )
    by_stage: dict[str, dict[str, Any]] = {}
    for row in sums:
        by_stage.setdefault(row["stage_id"], {})[row["currency"]] = from_milli(
            row["total"], row["currency"]
        )
    for s in stages:
        amounts = by_stage.get(s.pop("id"), {})
        s["amounts"] = amounts
        s["amount"] = "; ".join(format_money(v, c) for c, v in amounts.items()) or "0"
    return {"counts": counts, "pipeline": stages}
