"""crm pipeline: pipelines and their ordered stages."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from crmcli import output
from crmcli.commands._common import AtOption, book, when
from crmcli.output import Column

app = typer.Typer(help="Pipelines and their stages.", no_args_is_help=True)
stage_app = typer.Typer(help="Stages of a pipeline: add, edit, move, delete.", no_args_is_help=True)
app.add_typer(stage_app, name="stage")

PipelineOption = Annotated[
    str | None, typer.Option("--pipeline", "-p", help="Pipeline (default: the default one).")
]
StageArg = Annotated[str, typer.Argument(help="Stage name (or prefix) or 1-based position.")]

PIPELINE_COLUMNS = [
    Column("handle", "id"),
    Column("position", "#", justify="right"),
    Column("name"),
    Column("is_default", "default"),
    Column("stages", render=lambda v, _r: " → ".join(v)),
]
STAGE_COLUMNS = [
    Column("position", "#", justify="right"),
    Column("name", "stage"),
    Column("probability", "prob %", justify="right"),
    Column("kind"),
    Column("rotting_days", "rotting after (days)", justify="right"),
    Column("deals", justify="right"),
]


def _show(pipeline: dict[str, Any], message: str | None = None) -> None:
    if message is not None:
        output.note(message)
    if output.options.format == "json":
        output.emit_document(pipeline)
        return
    output.emit_list(
        pipeline["stages"],
        STAGE_COLUMNS,
        title=f"Pipeline {pipeline['name']}" + (" (default)" if pipeline["is_default"] else ""),
        handle_key="name",
    )


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """List pipelines with their stages."""
    from crmcli.services.pipelines import list_pipelines

    rows = list_pipelines(book(ctx))
    output.emit_list(rows, PIPELINE_COLUMNS, empty="no pipelines")


@app.command("show")
def show(
    ctx: typer.Context,
    pipeline: Annotated[str | None, typer.Argument(help="Pipeline (default: the default).")] = None,
) -> None:
    """Show a pipeline's stages: probability, kind, rotting threshold, deals in each."""
    from crmcli.services.pipelines import show_pipeline

    _show(show_pipeline(book(ctx), pipeline))


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Pipeline name, e.g. Partners.")],
    stages: Annotated[
        str | None,
        typer.Option(
            help="Open stages with probabilities: 'Discovery:10,Demo:30,Trial:60' "
            "(Closed Won/Lost are added; default: the standard stages)."
        ),
    ] = None,
    default: Annotated[bool, typer.Option("--default", help="Make it the default.")] = False,
    rotting_days: Annotated[
        str | None, typer.Option(help="Idle days before a deal rots (default 30; 0 = never).")
    ] = None,
    at: AtOption = None,
) -> None:
    """Add a pipeline."""
    from crmcli.services.pipelines import add_pipeline

    pipeline = add_pipeline(
        book(ctx), name=name, stages=stages, default=default, rotting_days=rotting_days, at=when(at)
    )
    _show(pipeline, f"added pipeline {pipeline['name']}")


@app.command("edit")
def edit(
    ctx: typer.Context,
    pipeline: Annotated[str, typer.Argument(help="Pipeline name or id prefix.")],
    name: Annotated[str | None, typer.Option(help="New name.")] = None,
    default: Annotated[
        bool | None, typer.Option("--default", help="Make it the default pipeline.")
    ] = None,
    position: Annotated[int | None, typer.Option(help="Place in lists (1 = first).")] = None,
    at: AtOption = None,
) -> None:
    """Rename a pipeline, make it the default, or reorder it."""
    from crmcli.services.pipelines import edit_pipeline

    updated = edit_pipeline(
        book(ctx), pipeline, name=name, default=default, position=position, at=when(at)
    )
    _show(updated, f"updated pipeline {updated['name']}")


@stage_app.command("add")
def stage_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Stage name, e.g. Demo.")],
    pipeline: PipelineOption = None,
    probability: Annotated[str, typer.Option(help="Default win probability 0–100.")] = "0",
    kind: Annotated[str, typer.Option(help="open, won or lost.")] = "open",
    rotting_days: Annotated[
        str | None, typer.Option(help="Idle days before a deal rots (default 30; 0 = never).")
    ] = None,
    position: Annotated[int | None, typer.Option(help="1-based place in the order.")] = None,
    after: Annotated[str | None, typer.Option(help="Place it after this stage.")] = None,
    before: Annotated[str | None, typer.Option(help="Place it before this stage.")] = None,
    at: AtOption = None,
) -> None:
    """Add a stage (default: after the last open stage)."""
    from crmcli.services.pipelines import add_stage

    updated = add_stage(
        book(ctx),
        name=name,
        pipeline=pipeline,
        probability=probability,
        kind=kind,
        rotting_days=rotting_days,
        position=position,
        after=after,
        before=before,
        at=when(at),
    )
    _show(updated, f"added stage {name.strip()} to {updated['name']}")


@stage_app.command("edit")
def stage_edit(
    ctx: typer.Context,
    stage: StageArg,
    pipeline: PipelineOption = None,
    name: Annotated[str | None, typer.Option(help="New name.")] = None,
    probability: Annotated[str | None, typer.Option(help="Default win probability 0–100.")] = None,
    kind: Annotated[str | None, typer.Option(help="open, won or lost.")] = None,
    rotting_days: Annotated[
        str | None, typer.Option(help="Idle days before a deal rots (0 = never).")
    ] = None,
    at: AtOption = None,
) -> None:
    """Rename a stage or change its probability, kind or rotting threshold."""
    from crmcli.services.pipelines import edit_stage

    updated = edit_stage(
        book(ctx),
        stage,
        pipeline=pipeline,
        name=name,
        probability=probability,
        kind=kind,
        rotting_days=rotting_days,
        at=when(at),
    )
    _show(updated, f"updated stage {name or stage} of {updated['name']}")


@stage_app.command("move")
def stage_move(
    ctx: typer.Context,
    stage: StageArg,
    pipeline: PipelineOption = None,
    position: Annotated[int | None, typer.Option(help="New 1-based place.")] = None,
    after: Annotated[str | None, typer.Option(help="Put it after this stage.")] = None,
    before: Annotated[str | None, typer.Option(help="Put it before this stage.")] = None,
    at: AtOption = None,
) -> None:
    """Reorder a stage: --position N, --after STAGE or --before STAGE."""
    from crmcli.services.pipelines import move_stage

    updated = move_stage(
        book(ctx),
        stage,
        pipeline=pipeline,
        position=position,
        after=after,
        before=before,
        at=when(at),
    )
    _show(updated, f"moved stage {stage} of {updated['name']}")


@stage_app.command("delete")
def stage_delete(
    ctx: typer.Context,
    stage: StageArg,
    pipeline: PipelineOption = None,
    move_to: Annotated[
        str | None, typer.Option(help="Move the stage's deals here first (same kind).")
    ] = None,
    at: AtOption = None,
) -> None:
    """Delete a stage (its deals must be moved to another stage of the same kind)."""
    from crmcli.services.pipelines import delete_stage

    updated, moved = delete_stage(book(ctx), stage, pipeline=pipeline, move_to=move_to, at=when(at))
    extra = f"; moved {moved} deal(s) to {move_to}" if moved else ""
    _show(updated, f"deleted stage {stage} of {updated['name']}{extra}")
