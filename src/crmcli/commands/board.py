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


def render(board: dict[str, Any], width: int, *, color: bool = False) -> str:
    """Panels of ``PANEL_MIN_WIDTH``+ columns, wrapped onto as many rows as ``width`` needs.

    Drawn as plain text (``crmcli.plain``): laying out Rich panels took longer than
    reading the board from the book.
    """
    from crmcli import plain
    from crmcli.plain import BOLD, DIM, RED, Line

    def line(text: str, style: str | None = None) -> Line:
        return Line(output.safe(text), style)

    stages = board["stages"]
    per_row = max(1, min(len(stages) or 1, width // PANEL_MIN_WIDTH))
    panel_width = max(12, width // per_row)
    titled: list[tuple[Line, list[Line]]] = []
    for stage in stages:
        currency = stage["currency"]
        plural = "" if stage["count"] == 1 else "s"
        counts = Line(
            f"{stage['count']:,} deal{plural}",
            tail=((f" · ! {stage['rotting']:,} idle", RED),) if stage["rotting"] else (),
        )
        body: list[Line] = [
            counts,
            line(f"Σ {_short_money(stage['amount'], currency)}", BOLD),
            # No currency here: the line above names it, and 80 columns leave 22 per panel.
            line(f"weighted {_short_money(stage['weighted_amount'], '').strip()}"),
        ]
        for other in stage["other_currencies"]:
            body.append(line(f"+ {other['count']} in {other['currency']}", DIM))
        for card in stage["cards"]:
            body.append(Line(""))
            body.append(line(card["name"], BOLD))
            owner = f" · {card['owner']}" if card["owner"] else ""
            body.append(line(f"{_short_money(card['amount'], card['currency'])}{owner}"))
            if card["company"]:
                body.append(line(card["company"], DIM))
            close = card["expected_close"]
            body.append(line(f"close {close.isoformat()}" if close else "no close date", DIM))
            if card["rotting"]:
                body.append(line(f"! {card['idle_days']}d idle", BOLD + RED))
        hidden = stage["count"] - len(stage["cards"])
        if hidden > 0:
            body.append(Line(""))
            body.append(line(f"… {hidden:,} more", DIM))
        titled.append((line(stage["stage"], BOLD), body))
    owner = f" · {board['owner']}" if board["owner"] else ""
    currency = board["currency"]
    heading = plain.truncate(
        output.safe(
            f"{board['pipeline']}{owner} · {board['count']:,} open · "
            f"{_short_money(board['amount'], currency)} · "
            f"weighted {_short_money(board['weighted_amount'], currency)}"
        ),
        width,
    )
    lines = [f"{BOLD}{heading}{plain.RESET}" if color else heading]
    if not stages:
        return "\n".join([*lines, "no open stages"])
    lines += plain.panels(titled, panel_width=panel_width, per_row=per_row, color=color)
    legend = (
        "Biggest deals first; ! = idle past the stage's rotting days (crm deal list --rotting)."
    )
    for text in plain.wrap(legend, width):
        lines.append(f"{DIM}{text}{plain.RESET}" if color else text)
    return "\n".join(lines)


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
    output.emit_document(
        document,
        lambda: render(document, output.terminal_width(), color=output.colour()),
    )
