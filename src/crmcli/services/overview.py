"""A one-screen overview of a book: record counts and the default pipeline by stage."""

from __future__ import annotations

from typing import Any

from crmcli.services.book import Book


def book_summary(book: Book) -> dict[str, Any]:
    """Counts and pipeline totals of a book: what ``crm demo`` shows when it is done."""
    from crmcli.money import from_milli

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
            "SELECT s.name AS stage, s.kind, s.probability, count(d.id) AS deals, "
            "coalesce(sum(d.amount_milli), 0) AS amount_milli "
            "FROM stages s JOIN pipelines p ON p.id = s.pipeline_id AND p.is_default = ? "
            "LEFT JOIN deals d ON d.stage_id = s.id AND d.deleted_at IS NULL "
            "WHERE s.deleted_at IS NULL "
            "GROUP BY s.id, s.name, s.kind, s.probability, s.position ORDER BY s.position",
            (True,),
        )
    for s in stages:
        s["amount"] = from_milli(s.pop("amount_milli"), "EUR")
    return {"counts": counts, "pipeline": stages}
