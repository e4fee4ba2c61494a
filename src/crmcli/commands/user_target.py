"""crm user target: activity targets per rep and period."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from crmcli import output
from crmcli.commands._common import AtOption, book, when
from crmcli.output import Column

app = typer.Typer(
    help="Activity targets: crm user target set alice 2026-W49 calls=20.", no_args_is_help=True
)
COLUMNS = [Column("user"), Column("period"), Column("kind"), Column("target", justify="right")]


@app.command("set")
def set_(
    ctx: typer.Context,
    user: Annotated[str, typer.Argument(help="The rep (me: you).")],
    period: Annotated[str, typer.Argument(help="2026-W49, 2026-12, 2026-Q4 or 2026.")],
    targets: Annotated[list[str], typer.Argument(help="KIND=N pairs: calls=20 meetings=5.")],
    at: AtOption = None,
) -> None:
    """Set a rep's activity targets for a period."""
    from crmcli.services.targets import set_targets

    views = set_targets(book(ctx), user=user, period=period, items=targets, at=when(at))
    text = ", ".join(f"{v.kind}={v.target}" for v in views)
    output.done(f"targets of {views[0].user} for {views[0].period}: {text}")


@app.command("list")
def list_(
    ctx: typer.Context,
    user: Annotated[str | None, typer.Argument(help="Only this rep.")] = None,
) -> None:
    """Every activity target."""
    from crmcli.services.targets import list_targets

    rows = [asdict(v) for v in list_targets(book(ctx), user=user)]
    output.emit_list(rows, COLUMNS, title="Activity targets", empty="no activity targets yet")
