"""crm commission: close a period (freeze its statements as paid out), list periods."""

from __future__ import annotations

from typing import Annotated

import typer

from crmcli import output
from crmcli.commands._common import AtOption, book, when
from crmcli.output import Column

app = typer.Typer(help="Commission periods: close (pay out), list.", no_args_is_help=True)

PERIOD_COLUMNS = [
    Column("period"),
    Column("from"),
    Column("to"),
    Column("status"),
    Column("closed_at", "closed"),
    Column("statements", justify="right"),
    Column("total", justify="right"),
    Column(
        "takes_corrections",
        "note",
        render=lambda v, _r: "clawbacks and adjustments land here" if v else "",
    ),
]


@app.command("close")
def close(
    ctx: typer.Context,
    period: Annotated[str, typer.Argument(help="The period to close: 2026-Q3, 2026-09, 2026.")],
    at: AtOption = None,
) -> None:
    """Freeze a period's statements as paid out (once, after the period has ended)."""
    from crmcli.reports.commission_close import close_period

    result = close_period(book(ctx), period, at=when(at))
    output.done(
        f"closed {result.label}: {result.statements} statements, {output.human(result.total)} "
        "paid out; later changes go to the first open period",
        result.to_dict(),
    )


@app.command("periods")
def periods(ctx: typer.Context) -> None:
    """Closed periods and the open quarters (the first open one takes corrections)."""
    from crmcli.reports.commission_close import list_periods

    rows = [p.to_dict() for p in list_periods(book(ctx))]
    output.emit_list(rows, PERIOD_COLUMNS, handle_key="period", empty="no periods")
