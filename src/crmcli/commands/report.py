"""crm report: the reports of the book (this branch: receivables and expenses)."""

from __future__ import annotations

import typer

from crmcli.commands import report_sales

app = typer.Typer(help="Reports: receivables, expenses.", no_args_is_help=True)
report_sales.register(app)
