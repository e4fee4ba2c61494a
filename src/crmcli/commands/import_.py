"""crm import: records in from CSV, vCard or iCalendar files.

Each area registers its own formats (one module each), so this file only assembles them.
"""

from __future__ import annotations

import typer

from crmcli.commands import import_calendar, import_csv

app = typer.Typer(help="Import CSV, vCard or iCalendar files.", no_args_is_help=True)
import_csv.register(app)
import_calendar.register(app)
