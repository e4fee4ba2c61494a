"""Pipelines and their ordered stages (default probability, kind, rotting threshold)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from crmcli.errors import InvalidInput
from crmcli.services.book import DEFAULT_ROTTING_DAYS, DEFAULT_STAGES, Book
from crmcli.services.deals import (
    acting_user_id,
    enter_stage,
    find_pipeline,
    parse_probability,
    pipeline_stages,
    stage_in,
)
from crmcli.services.records import public
from crmcli.services.validate import clean_text
from crmcli.storage.db import Reader, Row, Writer

KINDS = ("open", "won", "lost")


def _rotting(value: str | int | None) -> int | None:
    """Days without activity or stage change before an open deal counts as idle; 0 = never."""
    if value is None:
        return None
    try:
        days = int(str(value).strip())
    except ValueError as exc:
        raise InvalidInput(
            f"rotting days must be a whole number, not {value!r}",
            hint="give a whole number of days, e.g. 30",
        ) from exc
    if days < 0 or days > 3650:
        raise InvalidInput(
            f"rotting days must be between 0 and 3650, not {days}",
            hint="give 0 (never idle) to 3650 days",
        )
    return days or None


def _kind(value: str) -> str:
    kind = value.strip().lower()
    if kind not in KINDS:
        raise InvalidInput(
            f"stage kind must be one of {', '.join(KINDS)}, not {value!r}",
            hint="use open, won or lost",
        )
    return kind


def parse_stage_spec(text: str) -> list[tuple[str, int]]:
    """``"Discovery:10,Demo:30,Trial:60"`` → open stages with their probabilities."""
    out = []
    for part in text.split(","):
        if not part.strip():
            continue
        name, _, probability = part.rpartition(":")
        if not name:
            raise InvalidInput(f"stage {part.strip()!r} needs a probability", hint="e.g. Demo:30")
        out.append(
            (
                clean_text(name, what="stage name", max_length=100, required=True),
                parse_probability(probability, what=f"probability of {name.strip()}") or 0,
            )
        )
    if not out:
        raise InvalidInput("--stages names no stage", hint="e.g. --stages 'Discovery:10,Demo:30'")
    return out


def _deal_counts(reader: Reader, stage_ids: Sequence[str]) -> dict[str, int]:
    """How many (not deleted) deals sit in each stage, whatever their status."""
    if not stage_ids:
        return {}
    rows = reader.rows(
        "SELECT stage_id, count(*) AS n FROM deals WHERE deleted_at IS NULL "
        f"AND stage_id IN ({', '.join('?' * len(stage_ids))}) GROUP BY stage_id",
        list(stage_ids),
    )
    return {r["stage_id"]: r["n"] for r in rows}


def list_pipelines(book: Book) -> list[Row]:
    """Every pipeline in order, with its stage names."""
    with book.read() as r:
        pipelines = r.rows(
            "SELECT * FROM pipelines WHERE deleted_at IS NULL ORDER BY position, name"
        )
        names: dict[str, list[str]] = {p["id"]: [] for p in pipelines}
        # One query for every pipeline's stages, not one per pipeline.
        for stage in r.rows(
            "SELECT pipeline_id, name FROM stages WHERE deleted_at IS NULL "
            "ORDER BY pipeline_id, position"
        ):
            names.get(stage["pipeline_id"], []).append(stage["name"])
        return [{**public(p), "stages": names[p["id"]]} for p in pipelines]


def show_pipeline(book: Book, handle: str | None) -> Row:
    """A pipeline with its stages and how many deals sit in each."""
    with book.read() as r:
        pipeline = find_pipeline(r, handle)
        stages = pipeline_stages(r, pipeline["id"])
        counts = _deal_counts(r, [s["id"] for s in stages])
        pipeline["stages"] = [
            {
                "id": s["id"],
                "position": s["position"],
                "name": s["name"],
                "probability": s["probability"],
                "kind": s["kind"],
                "rotting_days": s["rotting_days"],
                "deals": counts.get(s["id"], 0),
            }
            for s in stages
        ]
        return public(pipeline)


def add_pipeline(
    book: Book,
    *,
    name: str,
    stages: str | None = None,
    default: bool = False,
    rotting_days: str | int | None = None,
    at: datetime | None = None,
) -> Row:
    """A new pipeline; ``stages`` names its open stages (else the SPEC §4 set), plus
    "Closed Won" and "Closed Lost"."""
    name = clean_text(name, what="pipeline name", max_length=100, required=True)
    rot = _rotting(rotting_days) if rotting_days is not None else DEFAULT_ROTTING_DAYS
    if stages:
        spec = [(n, p, "open") for n, p in parse_stage_spec(stages)]
        spec += [("Closed Won", 100, "won"), ("Closed Lost", 0, "lost")]
    else:
        spec = list(DEFAULT_STAGES)
    names = [n.casefold() for n, _, _ in spec]
    if len(set(names)) != len(names):
        raise InvalidInput("two stages have the same name", hint="give each stage its own name")
    with book.write(at=at) as w:
        if w.row("SELECT id FROM pipelines WHERE lower(name) = lower(?)", (name,)):
            raise InvalidInput(
                f"pipeline {name!r} already exists",
                hint="choose another name, or see it: crm pipeline show",
            )
        position = int(w.scalar("SELECT COALESCE(MAX(position), 0) FROM pipelines") or 0) + 1
        if default:
            _clear_default(w)
        pipeline = w.insert(
            "pipelines", {"name": name, "is_default": default, "position": position}
        )
        for i, (stage_name, probability, kind) in enumerate(spec, start=1):
            w.insert(
                "stages",
                {
                    "pipeline_id": pipeline["id"],
                    "name": stage_name,
                    "position": i,
                    "probability": probability,
                    "kind": kind,
                    "rotting_days": rot if kind == "open" else None,
                },
            )
    return show_pipeline(book, pipeline["id"])


def _named(stages: Sequence[Row], name: str, *, other_than: str | None = None) -> bool:
    """Whether another stage of the list already has ``name`` (case-insensitive)."""
    return any(s["name"].casefold() == name.casefold() and s["id"] != other_than for s in stages)


def _clear_default(w: Writer) -> None:
    for row in w.rows("SELECT id FROM pipelines WHERE is_default = ?", (True,)):
        w.update("pipelines", row["id"], {"is_default": False})


def edit_pipeline(
    book: Book,
    handle: str,
    *,
    name: str | None = None,
    default: bool | None = None,
    position: int | None = None,
    at: datetime | None = None,
) -> Row:
    """Rename a pipeline, make it the default, or change its place in lists."""
    with book.write(at=at) as w:
        pipeline = find_pipeline(w, handle)
        values: dict[str, Any] = {}
        if name is not None:
            values["name"] = clean_text(name, what="pipeline name", max_length=100, required=True)
            clash = w.row(
                "SELECT id FROM pipelines WHERE lower(name) = lower(?) AND id <> ?",
                (values["name"], pipeline["id"]),
            )
            if clash:
                raise InvalidInput(
                    f"pipeline {values['name']!r} already exists", hint="choose another name"
                )
        if default:
            _clear_default(w)
            values["is_default"] = True
        elif default is False and pipeline["is_default"]:
            raise InvalidInput(
                "a book always has a default pipeline", hint="make another one --default instead"
            )
        if position is not None:
            if position < 1:
                raise InvalidInput("position must be 1 or more", hint="give --position 1 or more")
            values["position"] = position
        if not values:
            raise InvalidInput("nothing to change", hint="see: crm pipeline edit --help")
        w.update("pipelines", pipeline["id"], values)
    return show_pipeline(book, pipeline["id"])


def _renumber(w: Writer, stages: list[Row]) -> None:
    for i, stage in enumerate(stages, start=1):
        if stage["position"] != i:
            w.update("stages", stage["id"], {"position": i})


def _placed(stages: list[Row], moving: Row | None, index: int) -> list[Row]:
    rest = [s for s in stages if moving is None or s["id"] != moving["id"]]
    index = max(0, min(index, len(rest)))
    return [*rest[:index], *([moving] if moving else []), *rest[index:]]


def _target_index(
    w: Writer,
    pipeline: Row,
    stages: list[Row],
    *,
    position: int | None,
    after: str | None,
    before: str | None,
    exclude: str | None = None,
) -> int | None:
    rest = [s for s in stages if s["id"] != exclude]
    if sum(x is not None for x in (position, after, before)) > 1:
        raise InvalidInput("use one of --position, --after, --before")
    if position is not None:
        if not 1 <= position <= len(rest) + 1:
            raise InvalidInput(
                f"position must be between 1 and {len(rest) + 1}",
                hint="see the positions: crm pipeline show",
            )
        return position - 1
    anchor_text = after or before
    if anchor_text is None:
        return None
    anchor = stage_in(w, pipeline, anchor_text)
    if anchor["id"] == exclude:
        raise InvalidInput(
            "a stage cannot be placed next to itself",
            hint="name another stage for --after/--before",
        )
    index = next(i for i, s in enumerate(rest) if s["id"] == anchor["id"])
    return index + 1 if after else index


def add_stage(
    book: Book,
    *,
    name: str,
    pipeline: str | None = None,
    probability: str | int = 0,
    kind: str = "open",
    rotting_days: str | int | None = None,
    position: int | None = None,
    after: str | None = None,
    before: str | None = None,
    at: datetime | None = None,
) -> Row:
    """Add a stage; by default the last open stage (before the closing ones)."""
    name = clean_text(name, what="stage name", max_length=100, required=True)
    kind = _kind(kind)
    chance = parse_probability(probability) or 0
    rot = _rotting(rotting_days) if rotting_days is not None else DEFAULT_ROTTING_DAYS
    with book.write(at=at) as w:
        pipeline_row = find_pipeline(w, pipeline)
        stages = pipeline_stages(w, pipeline_row["id"])
        if _named(stages, name):
            raise InvalidInput(
                f"pipeline {pipeline_row['name']!r} already has a stage {name!r}",
                hint="choose another name, or edit that stage: crm pipeline stage edit",
            )
        index = _target_index(
            w, pipeline_row, stages, position=position, after=after, before=before
        )
        if index is None:
            opens = [i for i, s in enumerate(stages) if s["kind"] == "open"]
            index = (opens[-1] + 1) if opens and kind == "open" else len(stages)
        values = {
            "pipeline_id": pipeline_row["id"],
            "name": name,
            "position": len(stages) + 1,
            "probability": chance,
            "kind": kind,
            "rotting_days": rot if kind == "open" else None,
        }
        # Inserted (or a deleted namesake restored: names are unique per pipeline) at the
        # end, then everyone is renumbered into place.
        deleted = w.row(
            "SELECT id FROM stages WHERE pipeline_id = ? AND lower(name) = lower(?) "
            "AND deleted_at IS NOT NULL",
            (pipeline_row["id"], name),
        )
        if deleted is not None:
            w.restore("stages", deleted["id"])
            w.update("stages", deleted["id"], values)
            stage = w.get("stages", deleted["id"])
        else:
            stage = w.insert("stages", values)
        _renumber(w, _placed(stages, stage, index))
    return show_pipeline(book, pipeline_row["id"])


def edit_stage(
    book: Book,
    stage: str,
    *,
    pipeline: str | None = None,
    name: str | None = None,
    probability: str | int | None = None,
    kind: str | None = None,
    rotting_days: str | int | None = None,
    at: datetime | None = None,
) -> Row:
    """Rename a stage or change its probability, kind or rotting threshold."""
    with book.write(at=at) as w:
        pipeline_row = find_pipeline(w, pipeline)
        current = stage_in(w, pipeline_row, stage)
        values: dict[str, Any] = {}
        if name is not None:
            values["name"] = clean_text(name, what="stage name", max_length=100, required=True)
            stages = pipeline_stages(w, pipeline_row["id"])
            if _named(stages, values["name"], other_than=current["id"]):
                raise InvalidInput(
                    f"pipeline {pipeline_row['name']!r} already has that stage",
                    hint="choose another name",
                )
        if probability is not None:
            values["probability"] = parse_probability(probability)
        if kind is not None:
            values["kind"] = _kind(kind)
            if values["kind"] != current["kind"]:
                if _deal_counts(w, [current["id"]]):
                    raise InvalidInput(
                        f"stage {current['name']!r} has deals; its kind cannot change",
                        hint="move them out first, or add a new stage",
                    )
                _keep_one_of_kind(w, pipeline_row, current)
        if rotting_days is not None:
            values["rotting_days"] = _rotting(rotting_days)
        if not values:
            raise InvalidInput("nothing to change", hint="see: crm pipeline stage edit --help")
        w.update("stages", current["id"], values)
    return show_pipeline(book, pipeline_row["id"])


def _keep_one_of_kind(w: Writer, pipeline: Row, stage: Row) -> None:
    same = [s for s in pipeline_stages(w, pipeline["id"]) if s["kind"] == stage["kind"]]
    if len(same) <= 1:
        raise InvalidInput(
            f"{stage['name']!r} is the only {stage['kind']} stage of {pipeline['name']!r}",
            hint=f"a pipeline needs at least one {stage['kind']} stage",
        )


def move_stage(
    book: Book,
    stage: str,
    *,
    pipeline: str | None = None,
    position: int | None = None,
    after: str | None = None,
    before: str | None = None,
    at: datetime | None = None,
) -> Row:
    """Put a stage at another place in its pipeline's order."""
    with book.write(at=at) as w:
        pipeline_row = find_pipeline(w, pipeline)
        current = stage_in(w, pipeline_row, stage)
        stages = pipeline_stages(w, pipeline_row["id"])
        index = _target_index(
            w,
            pipeline_row,
            stages,
            position=position,
            after=after,
            before=before,
            exclude=current["id"],
        )
        if index is None:
            raise InvalidInput("say where: --position N, --after STAGE or --before STAGE")
        _renumber(w, _placed(stages, current, index))
    return show_pipeline(book, pipeline_row["id"])


def delete_stage(
    book: Book,
    stage: str,
    *,
    pipeline: str | None = None,
    move_to: str | None = None,
    at: datetime | None = None,
) -> tuple[Row, int]:
    """Delete a stage; its deals must move (``move_to``, same kind) — each move is recorded."""
    with book.write(at=at) as w:
        pipeline_row = find_pipeline(w, pipeline)
        current = stage_in(w, pipeline_row, stage)
        _keep_one_of_kind(w, pipeline_row, current)
        deals = w.rows(
            "SELECT id, stage_id, pipeline_id, stage_changed_at FROM deals "
            "WHERE stage_id = ? AND deleted_at IS NULL",
            (current["id"],),
        )
        if deals and move_to is None:
            raise InvalidInput(
                f"stage {current['name']!r} has {len(deals)} deal(s)",
                hint=f"move them: crm pipeline stage delete {current['name']!r} --move-to STAGE",
            )
        if deals:
            assert move_to is not None
            target = stage_in(w, pipeline_row, move_to)
            if target["id"] == current["id"] or target["kind"] != current["kind"]:
                raise InvalidInput(
                    f"--move-to must be another {current['kind']} stage "
                    f"of {pipeline_row['name']!r}",
                    hint="see the stages: crm pipeline show",
                )
            actor_id = acting_user_id(w)
            for deal in deals:
                # The same stage change as crm deal move; a backfill warning has no one to see it.
                enter_stage(w, deal, target, {}, actor_id=actor_id)
        w.delete("stages", current["id"])
        _renumber(w, pipeline_stages(w, pipeline_row["id"]))
    return show_pipeline(book, pipeline_row["id"]), len(deals)
