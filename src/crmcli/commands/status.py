"""crm status: today's dashboard — agenda, overdue, idle deals, closing, pipeline, quota."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from crmcli import output
from crmcli.commands._common import book
from crmcli.output import Column

app = typer.Typer()

ITEMS = [
    Column("handle", "id"),
    Column("when"),
    Column("kind"),
    Column("subject", max_width=40),
    Column("deal"),
    Column("contact"),
    Column("owner"),
]
DEALS = [
    Column("handle", "id"),
    Column("name"),
    Column("stage"),
    Column("amount", justify="right"),
    Column("currency", "cur"),
    Column("expected_close", "close"),
    Column("idle_days", "idle days", justify="right"),
    Column("owner"),
]
STAGES = [
    Column("stage"),
    Column("count", "deals", justify="right"),
    Column("amount", justify="right"),
    Column("weighted_amount", "weighted", justify="right"),
    Column("currency", "cur"),
    Column("rotting", "idle", justify="right"),
]


def _pct(value: Any, _row: Any) -> str:
    return "" if value is None else f"{value:.0%}"


TEAM = [
    Column("user"),
    Column("team"),
    Column("today", justify="right"),
    Column("overdue", justify="right"),
    Column("open_deals", "open deals", justify="right"),
    Column("idle_deals", "idle", justify="right"),
    Column("quota", justify="right"),
    Column("won", justify="right"),
    Column("attainment", justify="right", render=_pct),
]


@app.command()
def status(
    ctx: typer.Context,
    team: Annotated[bool, typer.Option("--team", help="Everyone's day, one line per rep.")] = False,
) -> None:
    """Your day: agenda, overdue items, idle deals, deals closing this month, pipeline, quota."""
    from crmcli.services.status import status as run

    result = run(book(ctx), team=team)
    document = result.as_dict()
    if output.options.format == "json":
        output.emit_object(document)
        return
    summary: dict[str, Any] = {
        "day": result.day,
        "for": result.user or "the team",
        "today": f"{len(result.agenda)} items",
        "overdue": f"{len(result.overdue)} items",
    }
    if result.attainment:
        a = result.attainment
        summary["quota"] = f"{a.period}: {a.won:,.2f} of {a.quota:,.2f} {a.currency}"
        summary["attainment"] = _pct(a.attainment, None)
    team_rows = [
        {
            **line,
            "quota": line["attainment"]["quota"] if line["attainment"] else None,
            "won": line["attainment"]["won"] if line["attainment"] else None,
            "attainment": line["attainment"]["attainment"] if line["attainment"] else None,
        }
        for line in document["team"]
    ]
    output.emit_object(
        summary,
        title="Status",
        sections={
            "Today": (list(document["agenda"]), ITEMS),
            "Overdue": (list(document["overdue"]), ITEMS),
            "Idle deals": (list(document["idle_deals"]), DEALS),
            "Closing this month": (list(document["closing_this_month"]), DEALS),
            "Pipeline": ([s for s in document["pipeline"] if s["count"]], STAGES),
            "Team": (team_rows, TEAM),
        },
    )
