"""crm tui: the full-screen app."""

from __future__ import annotations

import typer

app = typer.Typer(help="The full-screen app.")


@app.command()
def tui(ctx: typer.Context) -> None:
    """Open the full-screen app (q quits)."""
    from crmcli.tui.app import make_app  # Textual costs ~0.3 s: only this command pays it

    state = ctx.find_root().obj
    state.book()  # create/migrate up front, so errors show before the screen
    make_app(state.open_book).run()
