"""crm currency: dated exchange rates into the reporting currency."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from crmcli import output
from crmcli.commands._common import book
from crmcli.output import Column

app = typer.Typer(
    help="Exchange rates: crm currency rate set USD 0.92 [--at DATE].", no_args_is_help=True
)
rate_app = typer.Typer(
    help="Dated exchange rates into the reporting currency.", no_args_is_help=True
)
app.add_typer(rate_app, name="rate")

COLUMNS = [
    Column("currency"),
    Column("rate", justify="right", render=lambda v, _r: str(v)),
    Column("base", "into"),
    Column("valid_from", "from"),
]


@app.callback()
def currency() -> None:
    """Exchange rates: crm currency rate set USD 0.92 [--at DATE]."""


@rate_app.command("set")
def set_(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Currency code, e.g. USD.")],
    rate: Annotated[str, typer.Argument(help="Value of one unit in the reporting currency.")],
    at: Annotated[
        str | None, typer.Option("--at", help="Day the rate takes effect (default: today).")
    ] = None,
    into: Annotated[
        str | None,
        typer.Option("--into", help="Currency it converts into (default: reporting_currency)."),
    ] = None,
) -> None:
    """Record the rate of CODE into the reporting currency from a day on."""
    from crmcli.clock import parse_date
    from crmcli.services.currency import set_rate

    view = set_rate(
        book(ctx),
        currency=code,
        rate=rate,
        valid_from=parse_date(at) if at else None,
        into=into,
    )
    output.done(f"1 {view.currency} = {view.rate} {view.base} from {view.valid_from}", asdict(view))


@rate_app.command("list")
def list_(
    ctx: typer.Context,
    code: Annotated[str | None, typer.Argument(help="Only this currency.")] = None,
    into: Annotated[
        str | None, typer.Option("--into", help="Rates into this currency (default: reporting).")
    ] = None,
) -> None:
    """The recorded rates, by currency and day."""
    from crmcli.services.currency import list_rates

    rows = [asdict(v) for v in list_rates(book(ctx), currency=code, into=into)]
    output.emit_list(rows, COLUMNS, title="Exchange rates", empty="no exchange rates yet")
