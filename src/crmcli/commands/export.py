"""crm export: records out as vCard, iCalendar, CSV or JSON.

Each area registers its own formats (one module each), so this file only assembles them.
"""

from __future__ import annotations

import typer

from crmcli.commands import export_calendar, export_people, export_tables

app = typer.Typer(help="Export records as CSV, JSON, vCard or iCalendar.", no_args_is_help=True)
export_people.register(app)
export_calendar.register(app)
export_tables.register(app)
