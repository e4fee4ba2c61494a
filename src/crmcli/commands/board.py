"""crm board: the pipeline in the terminal, one panel per open stage."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

import typer

from crmcli import output
from crmcli.output import Column

app = typer.Typer(help="The pipeline as a board, one column per stage.")

PANEL_MIN_WIDTH = 26  # 3 panels side by side on an 80-column terminal
TOTAL_COLUMNS = [
    Column("stage"),
    Column("count", justify="right"),
    Column("amount", justify="right"),
    Column("weighted_amount", "weighted", justify="right"),
    Column("currency"),
    Column("rotting", justify="right"),
]


def _short_money(value: Decimal | None, currency: str) -> str:
    """Whole units (a board is a glance), rounded half-up like every amount we show."""
    from decimal import ROUND_HALF_UP

    whole = (value or Decimal(0)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"{whole:,} {currency}"


def render(board: dict[str, Any], width: int) -> Any:
    """Panels of ``PANEL_MIN_WIDTH``+ columns, wrapped onto as many rows as ``width`` needs."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    def line(text: str, style: str = "") -> Text:
        return Text(output.safe(text), style=style, no_wrap=True, overflow="ellipsis")

    stages = board["stages"]
    per_row = max(1, min(len(stages) or 1, width // PANEL_MIN_WIDTH))
    panel_width = max(12, width // per_row)
    panels = []
    bodies: list[list[Any]] = []
    for stage in stages:
        currency = stage["currency"]
        plural = "" if stage["count"] == 1 else "s"
        counts = Text(f"{stage['count']:,} deal{plural}", no_wrap=True, overflow="ellipsis")
        if stage["rotting"]:
            counts.append(f" · ! {stage['rotting']:,} idle", "red")
        body: list[Any] = [
            counts,
            line(f"Σ {_short_money(stage['amount'], currency)}", "bold"),
            # No currency here: the line above names it, and 80 columns leave 22 per panel.
            line(f"weighted {_short_money(stage['weighted_amount'], '').strip()}"),
        ]
        for other in stage["other_currencies"]:
            body.append(line(f"+ {other['count']} in {other['currency']}", "dim"))
        for card in stage["cards"]:
            body.append(Text(""))
            body.append(line(card["name"], "bold"))
            owner = f" · {card['owner']}" if card["owner"] else ""
            body.append(line(f"{_short_money(card['amount'], card['currency'])}{owner}"))
            if card["company"]:
                body.append(line(card["company"], "dim"))
            close = card["expected_close"]
            body.append(line(f"close {close.isoformat()}" if close else "no close date", "dim"))
            if card["rotting"]:
                body.append(line(f"! {card['idle_days']}d idle", "bold red"))
        hidden = stage["count"] - len(stage["cards"])
        if hidden > 0:
            body.append(Text(""))
            body.append(line(f"… {hidden:,} more", "dim"))
        bodies.append(body)
        panels.append(
            Panel(
                Group(*body),
                title=line(stage["stage"], "bold"),
                title_align="left",
                width=panel_width,
                padding=(0, 1),
            )
        )
    grid = Table.grid(padding=0)
    for _ in range(per_row):
        grid.add_column(width=panel_width, no_wrap=True)
    for start in range(0, len(panels), per_row):
        chunk = panels[start : start + per_row]
        # One height per row of panels, so the boxes line up.
        height = max(len(b) for b in bodies[start : start + per_row]) + 2
        for panel in chunk:
            panel.height = height
        grid.add_row(*chunk, *([""] * (per_row - len(chunk))))
    owner = f" · {board['owner']}" if board["owner"] else ""
    currency = board["currency"]
    heading = line(
        f"{board['pipeline']}{owner} · {board['count']:,} open · "
        f"{_short_money(board['amount'], currency)} · "
        f"weighted {_short_money(board['weighted_amount'], currency)}",
        "bold",
    )
    legend = Text(
        "Biggest deals first; ! = idle past the stage's rotting days (crm deal list --rotting).",
        style="dim",
    )
    return Group(heading, grid, legend) if stages else Group(heading, Text("no open stages"))


@app.command()
def board(
    ctx: typer.Context,
    owner: Annotated[str | None, typer.Option(help="Only this rep's deals ('me' = you).")] = None,
    pipeline: Annotated[str | None, typer.Option(help="Pipeline (default: the default).")] = None,
    cards: Annotated[int, typer.Option(min=0, max=100, help="Deals shown per stage.")] = 5,
) -> None:
    """The pipeline as a board: per open stage the count, total, weighted total and top deals."""
    from crmcli.commands._common import book
    from crmcli.services.board import board as service

    document = service(book(ctx), pipeline=pipeline, owner=owner, cards=cards)
    if output.options.format == "csv":
        flat = [
            {k: v for k, v in s.items() if k not in ("cards", "other_currencies")}
            for s in document["stages"]
        ]
        output.emit_list(flat, TOTAL_COLUMNS)
        return
    output.emit_document(document, lambda: render(document, output.console().width))
