"""crm brief: everything to know before a meeting, on one screen."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from crmcli import output
from crmcli.commands._common import book
from crmcli.output import Column

app = typer.Typer()

DEALS = [
    Column("handle", "id"),
    Column("name"),
    Column("stage"),
    Column("days_in_stage", "days in stage", justify="right"),
    Column("amount", justify="right"),
    Column("currency", "cur"),
    Column("expected_close", "close"),
    Column("next_step", "next step", max_width=30),
    Column("owner"),
]
ACTIVITIES = [
    Column("handle", "id"),
    Column("when"),
    Column("kind"),
    Column("subject", max_width=40),
    Column("outcome"),
    Column("deal"),
    Column("owner"),
]
QUOTES = [
    Column("handle", "id"),
    Column("number"),
    Column("version", "v", justify="right"),
    Column("status"),
    Column("total", justify="right"),
    Column("currency", "cur"),
    Column("valid_until", "valid until"),
    Column("deal"),
]
CHANGES = [
    Column("at", "when"),
    Column("user"),
    Column("entity", "record", render=lambda v, r: f"{v} {r['record']}"),
    Column("op"),
    Column("field"),
    Column("new", max_width=30),
]


def _rows(items: Any) -> list[dict[str, Any]]:
    return [dict(i) if isinstance(i, dict) else i.__dict__ for i in items]


@app.command()
def brief(
    ctx: typer.Context,
    handle: Annotated[
        str, typer.Argument(help="A contact, company, lead or deal: name, e-mail, id.")
    ],
    type_: Annotated[
        str | None, typer.Option("--type", "-t", help="contact, company, lead or deal.")
    ] = None,
) -> None:
    """Everything to know before a meeting: profile, deals, last interactions, tasks, quotes."""
    from crmcli.services.briefing import brief as run

    result = run(book(ctx), handle, kind=type_)
    document = result.as_dict()
    profile = dict(result.profile)
    if result.company and result.type != "company":
        profile["company"] = result.company["name"]
        profile["classification"] = result.company.get("classification")
    if result.next_meeting:
        m = result.next_meeting
        profile["next meeting"] = f"{output.human(m.when)} {m.kind} {m.subject}"
    for currency, amount in result.open_balance.items():
        profile[f"open balance {currency}"] = amount
    fields = [
        Column(k)
        for k, v in profile.items()
        if k not in ("id", "handle", "name", "created_at", "updated_at", "deleted_at")
        and not k.endswith("_id")
        and v not in (None, "", [])
    ]
    output.emit_object(
        {**document, **profile} if output.options.format != "json" else document,
        fields,
        title=f"{result.type} {result.handle} {result.name}",
        sections={
            "Open deals": (_rows(result.open_deals), DEALS),
            "Last interactions": (_rows(result.last_interactions), ACTIVITIES),
            "Open tasks": (_rows(result.open_tasks), ACTIVITIES),
            "Quotes": (_rows(result.quotes), QUOTES),
            "Recent changes": (_rows(result.recent_changes), CHANGES),
        },
    )
