"""Cleaning an import's rows: cells mapped to fields and checked by the entity's validators.

Cleaning needs no database, and on a large file it is half the work: the validators
(e-mail, phone, dates) are pure Python. So a file of more than one batch is cleaned in a
worker process, on another core, a couple of batches ahead of the batch this process is
writing; a file of one batch (and any machine where a worker cannot start) is cleaned here.
Both ways run the same function on the same rows, so the outcome is the same.
"""

from __future__ import annotations

import itertools
import json
from collections import deque
from collections.abc import Iterator
from concurrent.futures import BrokenExecutor, Executor, Future
from typing import Any

from crmcli.bulk import collect_rarely
from crmcli.errors import UserError
from crmcli.importing import convert
from crmcli.importing.entities import ENTITY_TYPES, Candidate, Context, Entity
from crmcli.importing.links import Companies, Owners
from crmcli.importing.mapping import Mapping_
from crmcli.importing.reader import Row

AHEAD = 2  # batches handed to the worker before they are needed (memory stays flat)
_REPEATABLE_JOIN = ";"

# What a cleaned row comes back as: values, links, tags, extra, error (its number and
# cells stay here, in the rows of the batch).
Cleaned = tuple[dict[str, Any], dict[str, str], list[str], dict[str, str], str | None]


def cells_to_data(mapping: Mapping_, cells: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """A row's cells as {field: text} and {unmatched header: text} (the record's extra)."""
    data: dict[str, str] = {}
    extra: dict[str, str] = {}
    for column in mapping.columns:
        value = convert.unguard(cells[column.index]).strip()
        if not value or column.how == "ignored":
            continue
        if column.field is None:
            extra[column.header] = value
        elif column.field in data:
            data[column.field] += _REPEATABLE_JOIN + value
        else:
            data[column.field] = value
    if "extra" in data:  # an exported extra column comes back as the record's extra
        try:
            stored = json.loads(data.pop("extra"))
        except ValueError:
            stored = {}
        if isinstance(stored, dict):
            extra = {**{str(k): str(v) for k, v in stored.items()}, **extra}
    return data, extra


def clean_cells(
    entity: Entity, mapping: Mapping_, rows: list[tuple[int, list[str]]], ctx: Context
) -> list[Cleaned]:
    """Each row cleaned: what it holds, or why it is rejected."""
    width = len(mapping.columns)
    out: list[Cleaned] = []
    for number, cells in rows:
        cand = Candidate(number, cells)
        if len(cells) != width:
            cand.error = f"the row has {len(cells)} columns, the header {width}"
        else:
            data, cand.extra = cells_to_data(mapping, cells)
            try:
                entity.clean(data, cand, ctx)
            except UserError as exc:
                cand.error = exc.message
        out.append((cand.values, cand.links, cand.tags, cand.extra, cand.error))
    return out


def candidates(rows: list[Row], cleaned: list[Cleaned]) -> list[Candidate]:
    return [
        Candidate(row.number, row.cells, values, links, tags, extra, error)
        for row, (values, links, tags, extra, error) in zip(rows, cleaned, strict=True)
    ]


def clean_batches(
    entity: Entity,
    mapping: Mapping_,
    batches: Iterator[list[Row]],
    ctx: Context,
    *,
    parallel: bool = True,
) -> Iterator[tuple[list[Row], list[Candidate]]]:
    """The batches with their candidates, in file order (see the module docstring)."""

    def here(rows: list[Row]) -> list[Candidate]:
        return candidates(
            rows, clean_cells(entity, mapping, [(r.number, r.cells) for r in rows], ctx)
        )

    first = next(batches, None)
    if first is None:
        return
    second = next(batches, None)
    worker = _start_worker(entity, mapping, ctx) if parallel and second is not None else None
    if worker is None:
        yield first, here(first)
        if second is not None:
            yield second, here(second)
            for rows in batches:
                yield rows, here(rows)
        return
    assert second is not None  # a worker is started for a second batch only
    upcoming: Iterator[list[Row]] = itertools.chain([second], batches)
    pending: deque[tuple[list[Row], Future[list[Cleaned]]]] = deque()

    def hand_over() -> None:
        rows = next(upcoming, None)
        if rows is None:
            return
        cells = [(r.number, r.cells) for r in rows]
        try:
            future = worker.submit(_clean_in_worker, cells)
        except (BrokenExecutor, RuntimeError):  # the worker is gone: this batch is done here
            future = Future()
            future.set_result(clean_cells(entity, mapping, cells, ctx))
        pending.append((rows, future))

    try:
        for _ in range(AHEAD):
            hand_over()
        yield first, here(first)  # while the worker starts
        while pending:
            rows, future = pending.popleft()
            try:
                cleaned = future.result()
            except BrokenExecutor:  # the worker died (killed, out of memory): go on here
                left = [rows, *(waiting for waiting, _ in pending)]
                pending.clear()
                for rest in itertools.chain(left, upcoming):
                    yield rest, here(rest)
                return
            hand_over()
            yield rows, candidates(rows, cleaned)
    finally:
        worker.shutdown(wait=True, cancel_futures=True)


# -- the worker process ------------------------------------------------------------------------
_WORKER: tuple[Entity, Mapping_, Context] | None = None


def _start_worker(entity: Entity, mapping: Mapping_, ctx: Context) -> Executor | None:
    """A one-process pool that cleans batches, or None where no process can be started."""
    # multiprocessing is imported only for a file of several batches.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    try:
        return ProcessPoolExecutor(
            max_workers=1,
            # spawn: a fresh interpreter, never a copy of this one's open database
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(
                entity.name,
                mapping,
                ctx.owners,
                ctx.actor_id,
                ctx.dayfirst,
                ctx.decimal_comma,
            ),
        )
    except (OSError, ImportError, NotImplementedError):
        return None


def _init_worker(
    entity: str,
    mapping: Mapping_,
    owners: Owners,
    actor_id: str,
    dayfirst: bool,
    decimal_comma: bool,
) -> None:
    global _WORKER
    import signal

    # Ctrl-C reaches the whole process group: the importing process handles it (and shuts
    # this worker down); here it would only print a traceback from the middle of a queue.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _leave_with_parent()
    collect_rarely()  # this process only cleans rows
    ctx = Context(
        owners=owners,
        companies=Companies(),
        actor_id=actor_id,
        dayfirst=dayfirst,
        decimal_comma=decimal_comma,
    )
    _WORKER = (ENTITY_TYPES[entity](), mapping, ctx)


def _leave_with_parent() -> None:
    """End this worker the moment the importing process ends, however it ends (a worker
    of a killed import would otherwise wait on its queue forever)."""
    import multiprocessing
    import os
    import threading

    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()  # returns when the parent's end of the pipe closes
        os._exit(0)

    threading.Thread(target=watch, name="crm-import-parent", daemon=True).start()


def _clean_in_worker(rows: list[tuple[int, list[str]]]) -> list[Cleaned]:
    assert _WORKER is not None, "the worker was started without its initializer"
    entity, mapping, ctx = _WORKER
    return clean_cells(entity, mapping, rows, ctx)
