"""What every command module shares: the open book, ``--at``, and common columns."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from crmcli.services.book import Book

AtOption = Annotated[
    str | None,
    typer.Option("--at", help="When it happened (backfill): 2026-10-01, 'yesterday 16:00', -2d."),
]
LimitOption = Annotated[int, typer.Option("--limit", "-n", min=1, help="Show at most this many.")]


def book(ctx: typer.Context) -> Book:
    """The book of business the global options name (opened once per invocation)."""
    return ctx.find_root().obj.book()  # type: ignore[no-any-return]


def when(text: str | None) -> datetime | None:
    """Parse ``--at`` (None: now)."""
    if text is None:
        return None
    from crmcli.clock import parse_when

    return parse_when(text)
