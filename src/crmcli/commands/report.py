"""TEMPORARY (commission branch): the reports area lands the real ``crm report``.

When that lands this file is replaced by theirs, whose ``EXTRA_MODULES`` already imports
``crmcli.commands.report_commission``.
"""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(help="Funnel, forecast, commission, lost deals, activity.", no_args_is_help=True)


@app.callback()
def report() -> None:
    """Funnel, forecast, commission, lost deals, activity."""


EXTRA_MODULES: tuple[str, ...] = ("crmcli.commands.report_commission",)
for _module in EXTRA_MODULES:
    importlib.import_module(_module)
