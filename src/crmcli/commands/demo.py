"""crm demo: a realistic demo book of business."""

from __future__ import annotations

from typing import Annotated

import typer

from crmcli import output
from crmcli.commands._common import book
from crmcli.output import Column

app = typer.Typer(help="Fill a database with a realistic demo book of business.")


@app.command()
def demo(
    ctx: typer.Context,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same book.")] = 42,
    scale: Annotated[
        float,
        typer.Option(
            min=0.05, max=1000, help="Size factor (1 = 200 companies, 400 deals, 3,000 activities)."
        ),
    ] = 1.0,
) -> None:
    """Fill an empty database with a demo business: reps, accounts, deals, activities, quotes."""
    from crmcli.services.demo import DemoSize, generate
    from crmcli.services.overview import book_summary

    the_book = book(ctx)
    result = generate(
        the_book,
        size=DemoSize.scaled(scale),
        seed=seed,
        progress=lambda step: output.note(f"creating {step}…"),
    )
    output.note(f"demo book created in {result.seconds:.1f} s")
    summary = book_summary(the_book)
    if output.options.format != "table":
        output.emit_document(summary)
        return
    output.emit_list(
        [{"what": k, "count": v} for k, v in summary["counts"].items()],
        [Column("what"), Column("count", justify="right")],
        title="Demo book of business",
    )
    output.emit_list(
        summary["pipeline"],
        [
            Column("stage"),
            Column("deals", justify="right"),
            Column("amount", justify="right"),
            Column("probability", "prob %", justify="right"),
        ],
        title="Pipeline",
    )
