"""The options every ``crm report`` verb shares, added to a command by one decorator.

A report command is written as ``def funnel(ctx, filters: ReportFilters, html: str | None,
**its own options)`` and registered with ``@report_command(app, "funnel")``: the decorator
adds ``--period --from --to --owner --team --territory --pipeline --currency --html`` to
its signature (Typer reads the signature) and hands the command a ``ReportFilters``.
``--json``/``--csv`` are the global output options (also accepted after the verb).
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable
from typing import Annotated, Any

import typer

from crmcli.reports.filters import ReportFilters

_SHARED: list[tuple[str, Any]] = [
    (
        "period",
        Annotated[
            str | None,
            typer.Option(
                "--period", "-p", help="2026-Q4, 2026-11, 2026 or 2026-W49 (default: this quarter)."
            ),
        ],
    ),
    (
        "from_",
        Annotated[str | None, typer.Option("--from", help="First day (instead of --period).")],
    ),
    ("to", Annotated[str | None, typer.Option("--to", help="Last day (instead of --period).")]),
    ("owner", Annotated[str | None, typer.Option("--owner", help="Only this rep (me: you).")]),
    ("team", Annotated[str | None, typer.Option("--team", help="Only reps of this team.")]),
    (
        "territory",
        Annotated[str | None, typer.Option("--territory", help="Only reps of this territory.")],
    ),
    (
        "pipeline",
        Annotated[
            str | None, typer.Option("--pipeline", help="Pipeline (default: the default one).")
        ],
    ),
    (
        "currency",
        Annotated[
            str | None,
            typer.Option(
                "--currency", help="Report in this currency (default: reporting_currency)."
            ),
        ],
    ),
    (
        "html",
        Annotated[
            str | None,
            typer.Option("--html", metavar="FILE", help="Also write a self-contained HTML page."),
        ],
    ),
]
_FILTER_KEYS = ("period", "from_", "to", "owner", "team", "territory", "pipeline", "currency")


def report_command(
    app: typer.Typer, name: str
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register ``func`` as ``crm report NAME`` with the shared report options."""

    def decorate(func: Callable[..., None]) -> Callable[..., None]:
        own = inspect.signature(func)
        # The command module's annotations are strings (postponed evaluation): resolve them
        # in that module, or Typer would not see its typer.Option(...) metadata.
        hints = typing.get_type_hints(func, include_extras=True)
        kept = [
            p.replace(annotation=hints.get(p.name, p.annotation))
            for p in own.parameters.values()
            if p.name not in ("filters", "html")
        ]
        shared = [
            inspect.Parameter(key, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=kind)
            for key, kind in _SHARED
        ]

        @functools.wraps(func)
        def command(**kwargs: Any) -> None:
            filters = ReportFilters(**{k: kwargs.pop(k) for k in _FILTER_KEYS})
            func(filters=filters, html=kwargs.pop("html"), **kwargs)

        positional = [p for p in kept if p.kind is not inspect.Parameter.KEYWORD_ONLY]
        keyword = [p for p in kept if p.kind is inspect.Parameter.KEYWORD_ONLY]
        command.__signature__ = own.replace(  # type: ignore[attr-defined]
            parameters=[p.replace(kind=inspect.Parameter.POSITIONAL_OR_KEYWORD) for p in positional]
            + [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in keyword]
            + shared
        )
        app.command(name)(command)
        return func

    return decorate
