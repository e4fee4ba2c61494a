"""crm mcp: serve the book to AI assistants over the Model Context Protocol."""

from __future__ import annotations

from typing import Annotated

import typer

from crmcli.commands._common import book

app = typer.Typer(
    help="Serve the book to AI assistants (Model Context Protocol).", no_args_is_help=True
)


@app.command()
def serve(
    ctx: typer.Context,
    read_only: Annotated[
        bool, typer.Option("--read-only", help="Expose only the tools that read.")
    ] = False,
) -> None:
    """Run an MCP server on stdin/stdout: search, brief, status, lists, and (unless
    --read-only) log, schedule, add and move, recorded as you with 'via mcp'."""
    from crmcli.agent.mcp_server import serve as run  # the MCP SDK: only for this command

    run(book(ctx), read_only=read_only)


@app.command()
def tools(
    ctx: typer.Context,
    read_only: Annotated[bool, typer.Option("--read-only", help="Only the reads.")] = False,
) -> None:
    """List the tools `crm mcp serve` exposes."""
    from crmcli import output
    from crmcli.agent.mcp_server import build_server, tool_names

    output.iter_lines(tool_names(build_server(book(ctx), read_only=read_only)))
