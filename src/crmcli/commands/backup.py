"""crm backup: a consistent copy of the database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from crmcli import output
from crmcli.commands._common import book

app = typer.Typer(help="Write a consistent copy of the database.")


@app.command()
def backup(
    ctx: typer.Context,
    destination: Annotated[
        Path, typer.Argument(help="File to write (overwritten).", dir_okay=False)
    ],
) -> None:
    """Write a consistent copy of the database (safe while others write)."""
    from crmcli.services.maintenance import backup as run_backup

    path = run_backup(book(ctx), destination)
    output.done(f"backup written to {path}", {"id": str(path), "handle": str(path)})
