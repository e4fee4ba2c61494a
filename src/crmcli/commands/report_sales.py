"""``crm report receivables`` and ``crm report expenses`` (quote to cash).

A separate module so the report noun can mount these two beside the others:
``report_sales.register(app)`` adds them to any Typer app.
"""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Annotated, Any

import typer

from crmcli import output
from crmcli.commands._common import book
from crmcli.commands._sales import amount, money
from crmcli.output import Column

OwnerOption = Annotated[str | None, typer.Option(help="Only this rep ('me' = you).")]
TeamOption = Annotated[str | None, typer.Option(help="Only this team's reps.")]

AGED = [
    Column("rep"),
    Column("customer", max_width=28),
    Column("currency", "cur"),
    Column("orders", justify="right"),
    Column("open", justify="right", render=amount),
    Column("current", justify="right", render=amount),
    Column("days_1_30", "1–30", justify="right", render=amount),
    Column("days_31_60", "31–60", justify="right", render=amount),
    Column("days_61_90", "61–90", justify="right", render=amount),
    Column("over_90", "over 90", justify="right", render=amount),
]


def aligned(rows: list[dict[str, Any]], columns: list[Column], *, title: str) -> str:
    """Rows as plain aligned text: a long report (hundreds of reps × customers) prints in
    milliseconds, where laying out a Rich table of that many cells takes seconds."""
    # Column by column: one pass per column renders, measures and pads its cells.
    padded: list[list[str]] = []
    for col in columns:
        key, render = col.key, col.render
        if render is None:
            texts = [col.title, *(output.human(row.get(key)) for row in rows)]
        else:
            texts = [col.title, *(render(row.get(key), row) for row in rows)]
        width = max(map(len, texts))
        right = col.justify == "right"
        padded.append([t.rjust(width) if right else t.ljust(width) for t in texts])
    header, *body = ("  ".join(parts).rstrip() for parts in zip(*padded, strict=True))
    rule = "  ".join("-" * len(texts[0]) for texts in padded)
    return "\n".join([title, "", header, rule, *body])


def _share(value: Any, _row: Any) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


def receivables(
    ctx: typer.Context,
    owner: OwnerOption = None,
    team: TeamOption = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Age balances as of this day (default today).")
    ] = None,
) -> None:
    """Open and overdue balances per rep and customer, in aging buckets (days past due)."""
    from crmcli.clock import parse_date
    from crmcli.reports.receivables import ReceivableRow, receivables_report

    report = receivables_report(
        book(ctx), owner=owner, team=team, as_of=parse_date(as_of) if as_of else None
    )
    # Shallow: asdict's deep copy of ~11,000 Decimal cells cost more than the query.
    names = [field.name for field in fields(ReceivableRow)]
    document: dict[str, Any] = {
        "as_of": report.as_of,
        "rows": [{name: getattr(row, name) for name in names} for row in report.rows],
        "totals": [{name: getattr(row, name) for name in names} for row in report.totals],
    }
    if output.options.format != "table":
        if output.options.format == "csv":
            output.emit_list(document["rows"], AGED)
        else:
            output.emit_document(document)
        return
    totals = [{**t, "rep": "total", "customer": ""} for t in document["totals"]]
    if not document["rows"]:
        output.note("nothing is owed")
        return
    if output.options.quiet:
        output.emit_list(document["rows"], AGED, handle_key="customer")
        return
    title = f"Receivables as of {report.as_of.isoformat()} (days past due)"
    output.emit_text(aligned([*document["rows"], *totals], AGED, title=title))


def expenses(
    ctx: typer.Context,
    period: Annotated[
        str | None, typer.Option(help="2026-Q4, 2026-11, 2026 (default: this quarter).")
    ] = None,
    from_: Annotated[str | None, typer.Option("--from", help="First day.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last day.")] = None,
    owner: OwnerOption = None,
    team: TeamOption = None,
) -> None:
    """Sales expenses by rep, category and deal; cost of sale as a share of won revenue."""
    from crmcli import clock
    from crmcli.periods import resolve_period
    from crmcli.reports.expenses import expenses_report

    chosen = resolve_period(period=period, from_=from_, to=to, today=clock.today())
    report = expenses_report(book(ctx), period=chosen, owner=owner, team=team)
    document = asdict(report)
    document["period"] = {
        "label": chosen.label,
        "from": chosen.start.isoformat(),
        "to": chosen.end.isoformat(),
    }
    if output.options.format == "json":
        output.emit_document(document)
        return
    rep_columns = [
        Column("rep"),
        Column("expenses", justify="right", render=money()),
        Column("won_revenue", "won revenue", justify="right", render=money()),
        Column("cost_of_sale", "cost of sale", justify="right", render=_share),
    ]
    totals = [{**t, "rep": "total"} for t in document["totals"]]
    output.emit_list(
        [*document["by_rep"], *totals],
        rep_columns,
        title=f"Expenses {chosen.label} by rep",
        empty=f"no expenses in {chosen.label}",
        handle_key="rep",
    )
    if output.options.format == "csv" or not document["by_rep"]:
        return
    output.emit_list(
        document["by_category"],
        [
            Column("category"),
            Column("expenses", justify="right", render=money()),
            Column("share", justify="right", render=_share),
        ],
        title="by category",
        handle_key="category",
    )
    output.emit_list(
        document["by_deal"][:20],
        [
            Column("deal", max_width=32),
            Column("rep"),
            Column("status"),
            Column("expenses", justify="right", render=money()),
            Column("amount", justify="right", render=money()),
            Column("cost_of_sale", "cost of sale", justify="right", render=_share),
        ],
        title="by deal (top 20)",
        handle_key="deal",
    )


def register(app: typer.Typer) -> None:
    """Add ``receivables`` and ``expenses`` to a report app."""
    app.command("receivables")(receivables)
    app.command("expenses")(expenses)


app = typer.Typer(help="Receivables and expenses reports.", no_args_is_help=True)
register(app)
