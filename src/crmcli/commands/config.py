"""crm config: the user's settings file."""

from __future__ import annotations

from typing import Annotated

import typer

from crmcli import output
from crmcli.output import Column

app = typer.Typer(
    help="Your settings: seller block, currencies, terms, locale.", no_args_is_help=True
)

KeyArg = Annotated[str, typer.Argument(help="A key, e.g. seller.name (see: crm config list).")]


@app.command("get")
def get(key: KeyArg) -> None:
    """Print one setting's value."""
    from crmcli import settings

    value = settings.get(key)
    if output.options.format == "json":
        output.emit_document({"key": key, "value": value})
    elif value is not None:
        output.emit_text(output.safe(str(value)))


@app.command("set")
def set_(key: KeyArg, value: Annotated[str, typer.Argument(help="The new value.")]) -> None:
    """Check and store a setting."""
    from crmcli import settings

    stored = settings.set_value(key, value)
    output.note(f"{key} = {stored}  ({settings.config_path()})")


@app.command("unset")
def unset(key: KeyArg) -> None:
    """Remove a setting (its default applies again)."""
    from crmcli import settings

    settings.unset(key)
    output.note(f"{key} unset")


@app.command("list")
def list_() -> None:
    """Every setting with its value, default and meaning."""
    from crmcli import settings

    rows = [
        {
            "key": name,
            "value": value,
            "default": settings.KEYS[name].default,
            "help": settings.KEYS[name].help,
        }
        for name, value in settings.all_settings().items()
    ]
    if output.options.format == "json":
        output.emit_document({r["key"]: r["value"] for r in rows})
        return
    output.emit_list(
        rows,
        [Column("key"), Column("value"), Column("default"), Column("help")],
        caption=str(settings.config_path()),
        handle_key="key",
    )
