"""crm sync: share the book with the team through a shared folder (SPEC §6)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from crmcli import output
from crmcli.commands._common import book
from crmcli.output import Column

app = typer.Typer(
    help="Sync with the team through a shared folder: crm sync --remote FOLDER.",
    invoke_without_command=True,
)
RemoteOption = Annotated[
    str | None,
    typer.Option(
        "--remote",
        "-r",
        help="The team's shared folder (network drive, Syncthing/Dropbox folder); remembered.",
    ),
]


@app.callback()
def sync(ctx: typer.Context, remote: RemoteOption = None) -> None:
    """Exchange changes with the shared folder (crm sync alone repeats the last --remote)."""
    if ctx.invoked_subcommand is not None:
        return  # a verb runs; it reads --remote from here too (_parent_remote)
    from crmcli.sync.engine import join_new_book
    from crmcli.sync.engine import sync as run_sync

    if remote:
        from crmcli.config import Settings, os_username

        state = ctx.find_root().obj
        settings = Settings.resolve(db=state.db, user=state.user)
        # a new rep: the newest snapshot becomes the book (no empty book created first)
        join_new_book(settings.db, remote=remote, username=settings.user or os_username())
    report = run_sync(book(ctx), remote=remote)
    document = _report(report)
    if output.options.format == "json":
        output.emit_document(document)
        return
    for issue in report.incomplete:
        output.note(f"waiting for {issue.name}: {issue.problem}")
    for issue in report.refused:
        output.warn(f"{issue.name} {issue.problem}")
    for issue in report.newer:
        output.warn(f"{issue.name} kept, not applied: {issue.problem}")
    if report.joined_from:
        output.note(f"joined the team from snapshot {report.joined_from}")
    output.note(
        f"synced with {report.folder}: {report.applied} operations in, {report.sent} out"
        + (f", {report.waiting} waiting" if report.waiting else "")
    )
    if report.conflicts:
        output.note(
            f"{report.conflicts} new conflict(s): see crm sync conflicts, settle with "
            "crm sync resolve ID --keep mine|theirs|VALUE"
        )


def _report(report: Any) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(report)


@app.command("init")
def init(
    ctx: typer.Context,
    remote: RemoteOption = None,
    encrypt: Annotated[
        bool, typer.Option("--encrypt", help="Create a team key: batches are encrypted.")
    ] = False,
) -> None:
    """Set up a shared folder for the team (with --encrypt, a team key shown once)."""
    from crmcli.sync.engine import init as run_init

    result = run_init(book(ctx), remote=remote or _parent_remote(ctx), encrypt=encrypt)
    if output.options.format == "json":
        output.emit_document(
            {"folder": result.folder, "encrypted": result.encrypted, "key": result.key}
        )
        return
    output.note(f"team folder ready: {result.folder}")
    if result.key:
        output.emit_text(result.key)
        output.note(
            "this is the team key, shown only now: pass it to each teammate privately "
            "(not through the shared folder); they run: crm sync join --key KEY "
            f"--remote {result.folder}"
        )
    output.note("now run: crm sync")


@app.command("join")
def join(
    ctx: typer.Context,
    key: Annotated[str, typer.Option("--key", help="The team key a teammate gave you.")],
    remote: RemoteOption = None,
) -> None:
    """Join an encrypted team folder with the team key, then run crm sync."""
    from crmcli.sync.engine import join as run_join

    folder = run_join(book(ctx), key_text=key, remote=remote or _parent_remote(ctx))
    output.done(
        f"team key stored for {folder}; now run: crm sync",
        {"folder": str(folder), "handle": str(folder)},
    )


def _parent_remote(ctx: typer.Context) -> str | None:
    parent = ctx.parent
    return None if parent is None else parent.params.get("remote")


STATUS_FIELDS = [
    Column("remote", "folder"),
    Column("reachable"),
    Column("encrypted"),
    Column("replica_id", "this replica"),
    Column("last_sync_at", "last sync"),
    Column("pending_out", "operations to send"),
    Column("pending_in_files", "files to read"),
    Column("waiting_operations", "operations waiting"),
    Column("conflicts_open", "open conflicts"),
]
REPLICA_COLUMNS = [
    Column("replica_id", "replica", render=lambda v, _r: str(v)[:8]),
    Column("user"),
    Column("files"),
    Column("applied"),
    Column("last_file_at", "last file"),
]


@app.command("status")
def status(ctx: typer.Context) -> None:
    """Replicas seen, last sync, operations pending in and out, conflicts open."""
    from crmcli.sync.state import status as read_status

    state = read_status(book(ctx))
    if output.options.format == "json":
        output.emit_document(state)
        return
    output.emit_object(
        dict(state),
        STATUS_FIELDS,
        title="Sync",
        sections={"Replicas seen": (list(state["replicas"]), REPLICA_COLUMNS)},
    )
    for reason, count in state["waiting_reasons"].items():
        output.note(f"{count} operation(s) waiting: {reason}")
    for item in state["refused"]:
        output.warn(f"refused {item['file']}: {item['problem']}")
    for item in state["newer"]:
        output.warn(f"not applied {item['file']}: {item['problem']}")


CONFLICT_COLUMNS = [
    Column("handle", "conflict"),
    Column("kind"),
    Column("entity", "record", render=lambda v, r: f"{v} {str(r['record_id'])[:8]}"),
    Column("field"),
    Column("kept", max_width=30),
    Column("lost", max_width=30),
    Column("mine", "yours"),
    Column("hint", max_width=50),
]


@app.command("conflicts")
def conflicts(
    ctx: typer.Context,
    include_resolved: Annotated[
        bool, typer.Option("--all", help="Include resolved conflicts.")
    ] = False,
) -> None:
    """Values that lost a concurrent edit, edits that raced a delete, duplicate keys."""
    from crmcli.sync.state import conflicts as list_conflicts

    rows = [c.public() for c in list_conflicts(book(ctx), include_resolved=include_resolved)]
    output.emit_list(rows, CONFLICT_COLUMNS, title="Sync conflicts", empty="no open conflicts")


@app.command("resolve")
def resolve(
    ctx: typer.Context,
    conflict: Annotated[str, typer.Argument(help="The conflict's id (prefix).")],
    keep: Annotated[
        str, typer.Option("--keep", help="mine, theirs, or the value to keep instead.")
    ],
) -> None:
    """Settle a conflict: --keep mine|theirs|VALUE (the choice syncs to everyone)."""
    from crmcli.sync.state import resolve as run_resolve

    result = run_resolve(book(ctx), conflict, keep=keep)
    output.done(
        f"conflict {result.conflict.handle}: {result.action}",
        {**result.conflict.public(), "action": result.action},
    )
