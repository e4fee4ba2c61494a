"""crm completion: the shell completion script for bash, zsh or fish."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from crmcli import output

app = typer.Typer(help="Shell completion: print the script for bash, zsh or fish.")


class Shell(StrEnum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"


@app.command()
def completion(
    shell: Annotated[Shell, typer.Argument(help="bash, zsh or fish.")],
) -> None:
    """Print the completion script; e.g. eval "$(crm completion bash)" in ~/.bashrc."""
    from typer._completion_shared import get_completion_script

    output.emit_text(
        get_completion_script(prog_name="crm", complete_var="_CRM_COMPLETE", shell=shell.value)
    )
