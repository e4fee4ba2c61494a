"""crm tui: the full-screen app."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(help="The full-screen app.")


@app.command()
def tui(
    ctx: typer.Context,
    screen: Annotated[
        str,
        typer.Argument(
            help="The screen to open: home, board, leads, contacts, companies, deals, "
            "activities, calendar, quotes, reports."
        ),
    ] = "home",
) -> None:
    """Open the full-screen app (? lists the keys, q quits)."""
    from crmcli.errors import InvalidInput
    from crmcli.tui.registry import SCREENS

    names = [s.name for s in SCREENS]
    if screen not in names:
        raise InvalidInput(f"there is no screen {screen!r}", hint="one of: " + ", ".join(names))
    from crmcli.tui.app import make_app  # Textual costs ~0.3 s: only this command pays it

    state = ctx.find_root().obj
    state.book()  # create/migrate up front, so errors show before the screen
    make_app(state.open_book, start=screen).run()
