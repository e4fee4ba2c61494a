"""The import run: stream rows, convert them, check them in batches, write each batch in one
transaction, and account for every row (created, updated, unchanged, skipped, rejected).

Batches of :data:`BATCH_ROWS` rows, cleaned by the validators in a worker process when
there are several (:mod:`crmcli.importing.cleaning`): their links and duplicate candidates
are looked up with one query per rule, valid new records go in through
``Writer.insert_many`` (so history and sync see each one), updates through
``Writer.update`` (only fields that really change, so a re-import of the same file logs
nothing). A crash loses at most the batch in flight.
``--dry-run`` and ``--strict`` run the whole file in one transaction that is rolled back
(always, or when a row was rejected).
"""

from __future__ import annotations

import csv
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from crmcli.bulk import rare_collections
from crmcli.errors import ImportInterrupted, InvalidInput
from crmcli.importing.cleaning import clean_batches
from crmcli.importing.entities import (
    ENTITY_TYPES,
    Candidate,
    Context,
    Entity,
    extra_json,
    in_file_names,
)
from crmcli.importing.links import Companies, Owners, rows_where_in
from crmcli.importing.mapping import Mapping_, build_mapping, parse_overrides
from crmcli.importing.reader import CsvSource, Row, open_csv
from crmcli.services.book import Book
from crmcli.services.dedupe import Duplicate, LikelyDuplicate, Match, check
from crmcli.storage.db import Reader, Writer, new_id

BATCH_ROWS = 2000
ON_DUPLICATE = ("reject", "skip", "update", "merge", "create")
KEYS = ("id", "external_id", "email", "domain")
ACTIONS = ("created", "updated", "unchanged", "skipped", "rejected")


@dataclass(frozen=True)
class ImportOptions:
    """How to run an import (the command's options)."""

    entity: str
    source: str  # a path, or "-" for stdin
    encoding: str | None = None
    delimiter: str | None = None
    profile: str | None = None
    maps: tuple[str, ...] = ()
    dry_run: bool = False
    strict: bool = False
    on_duplicate: str = "reject"
    key: str | None = None
    dayfirst: bool = False
    decimal_comma: bool = False
    batch_rows: int = BATCH_ROWS
    reject_file: str | None = None
    at: datetime | None = None
    # A file of several batches is cleaned in a worker process (crmcli.importing.cleaning);
    # False cleans every batch in this one.
    parallel: bool = True


@dataclass(frozen=True)
class MappingView:
    """What ``--show-mapping`` prints."""

    entity: str
    file: str
    encoding: str
    delimiter: str
    profile: str | None
    columns: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class ImportSummary:
    """The outcome of an import: counts per action, and where the rejected rows went."""

    entity: str
    file: str
    encoding: str
    delimiter: str
    profile: str | None
    rows: int
    created: int
    updated: int
    unchanged: int
    skipped: int
    rejected: int
    companies_created: int
    dry_run: bool
    written: bool
    reject_file: str | None
    unmatched_columns: tuple[str, ...]
    errors: tuple[dict[str, Any], ...] = ()  # the first rejected rows: row, error
    extra_kept: bool = True  # unmatched columns went into each record's extra field

    def as_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        out = asdict(self)
        out["unmatched_columns"] = list(self.unmatched_columns)
        out["errors"] = list(self.errors)
        return out


class _Rollback(Exception):
    """Raised inside the run's transaction to undo it (dry run, strict with rejects)."""


@dataclass
class _Tally:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ACTIONS, 0))
    rows: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)


class RejectFile:
    """The rejected rows: the original cells plus ``_row`` and ``_error``, in the input's
    encoding and delimiter, written next to the input (created on the first reject)."""

    def __init__(self, path: Path, header: Sequence[str], encoding: str, delimiter: str) -> None:
        self.path = path
        self._header = [*header, "_row", "_error"]
        self._encoding = "utf-8-sig" if encoding == "utf-8-sig" else encoding
        self._delimiter = delimiter
        self._stream: IO[str] | None = None
        self._writer: Any = None
        self.dry_run = False
        self.count = 0

    def write(self, number: int, cells: Sequence[str], error: str) -> None:
        if self.dry_run:  # a dry run writes nothing; the summary lists the first rejects
            self.count += 1
            return
        if self._writer is None:
            self._stream = self.path.open("w", encoding=self._encoding, newline="")
            self._writer = csv.writer(self._stream, delimiter=self._delimiter)
            self._writer.writerow(self._header)
        # Short rows are padded so _row and _error stay in their columns; the surplus cells
        # of a long row follow them, so nothing of the original is lost.
        width = len(self._header) - 2
        padded = [*cells[:width], *[""] * (width - len(cells))]
        self._writer.writerow([*padded, number, error, *cells[width:]])

    @property
    def used(self) -> bool:
        return self._writer is not None

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()


def reject_path(source: str, explicit: str | None) -> Path:
    """Where rejected rows go: ``--reject-file``, else ``NAME.rejected.csv`` beside the input
    (in the current folder for stdin)."""
    if explicit:
        return Path(explicit).expanduser()
    if source == "-":
        return Path("stdin.rejected.csv")
    path = Path(source).expanduser()
    return path.with_name(f"{path.stem}.rejected{path.suffix or '.csv'}")


def entity_for(name: str) -> Entity:
    kind = ENTITY_TYPES.get(name)
    if kind is None:
        raise InvalidInput(
            f"cannot import {name!r} from CSV", hint="importable: " + ", ".join(ENTITY_TYPES)
        )
    return kind()


def show_mapping(options: ImportOptions) -> MappingView:
    """The columns of the file and the field each feeds (nothing is imported)."""
    source = open_csv(options.source, encoding=options.encoding, delimiter=options.delimiter)
    try:
        mapping = _mapping(source, options)
    finally:
        source.close()
    return MappingView(
        options.entity,
        source.name,
        source.encoding,
        source.delimiter,
        mapping.profile,
        tuple(
            {
                "column": c.header,
                "field": c.field or ("" if c.how == "ignored" else "extra"),
                "how": c.how,
            }
            for c in mapping.columns
        ),
    )


def _mapping(source: CsvSource, options: ImportOptions) -> Mapping_:
    entity_for(options.entity)
    return build_mapping(
        source.header,
        options.entity,
        profile=options.profile,
        overrides=parse_overrides(options.maps, options.entity),
    )


def run_import(
    book: Book,
    options: ImportOptions,
    *,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import a CSV file of ``options.entity`` records; see the module docstring."""
    if options.on_duplicate not in ON_DUPLICATE:
        raise InvalidInput(
            f"--on-duplicate must be one of {', '.join(ON_DUPLICATE)}",
        )
    entity = entity_for(options.entity)
    if options.key is not None and options.key not in entity.keys:
        raise InvalidInput(
            f"a {entity.name} cannot be matched by {options.key!r}",
            hint="--key " + " or ".join(entity.keys),
        )
    source = open_csv(options.source, encoding=options.encoding, delimiter=options.delimiter)
    rejects = RejectFile(
        reject_path(options.source, options.reject_file),
        source.header,
        source.encoding,
        source.delimiter,
    )
    rejects.dry_run = options.dry_run
    tally = _Tally()
    written = not options.dry_run
    try:
        mapping = _mapping(source, options)
        actor_id = book.actor["id"]  # read before the run's own transaction opens
        whole: AbstractContextManager[Writer | None] = (
            book.write(at=options.at) if options.dry_run or options.strict else nullcontext()
        )
        try:
            with (
                book.db.bulk_writes(),
                rare_collections(),
                _stop_between_batches() as stopping,
                whole as outer,
            ):
                ctx = _context(book, outer, actor_id, options)
                committing = _Commit()
                batches = _batches(source.rows(), options.batch_rows)
                try:
                    # Cleaning (the validators) needs no database: it runs in a worker
                    # process (or, for one batch, here while nothing else is to be done).
                    for rows, batch in clean_batches(
                        entity, mapping, batches, ctx, parallel=options.parallel
                    ):
                        if stopping():
                            raise KeyboardInterrupt
                        tally.rows += len(rows)
                        committing.wait()
                        if outer is not None:
                            _run_batch(outer, entity, batch, options, ctx, tally, rejects)
                        else:
                            transaction = book.write(at=options.at)
                            w = transaction.__enter__()
                            try:
                                _run_batch(w, entity, batch, options, ctx, tally, rejects)
                            except BaseException:
                                transaction.__exit__(*sys.exc_info())  # rolls back
                                raise
                            committing.start(transaction, tally.rows)
                        if progress is not None:
                            progress(tally.rows)
                except KeyboardInterrupt:
                    if outer is not None:
                        raise  # a dry run or --strict: its one transaction is undone
                    committing.wait()  # a batch already committing is kept whole
                    raise _interrupted(entity, options, committing.committed_rows) from None
                finally:
                    committing.wait()
                companies_created = ctx.companies_created
                if options.dry_run or (options.strict and tally.counts["rejected"]):
                    raise _Rollback
        except _Rollback:
            written = False
    finally:
        source.close()
        rejects.close()
    return ImportSummary(
        entity=entity.name,
        file=source.name,
        encoding=source.encoding,
        delimiter=source.delimiter,
        profile=mapping.profile,
        rows=tally.rows,
        **tally.counts,
        companies_created=companies_created,
        dry_run=options.dry_run,
        written=written,
        reject_file=str(rejects.path) if rejects.used else None,
        unmatched_columns=tuple(mapping.unmatched),
        errors=tuple(tally.errors[:20]),
        extra_kept=entity.keeps_extra,
    )


def _interrupted(entity: Entity, options: ImportOptions, rows: int) -> ImportInterrupted:
    """What Ctrl-C leaves: the whole batches written before it, and how to finish."""
    if not rows:
        return ImportInterrupted(
            "interrupted: nothing was imported", hint="run the same import again"
        )
    key = options.key or " or --key ".join(k for k in entity.keys if k != "id")
    return ImportInterrupted(
        f"interrupted: the first {rows:,} data rows were imported (whole batches)",
        hint=f"run the same import again with --key {key} to finish without duplicates",
    )


@contextmanager
def _stop_between_batches() -> Iterator[Callable[[], bool]]:
    """Ctrl-C stops the import before its next batch, not wherever Python happens to be.

    Python raises KeyboardInterrupt at whatever line runs when the signal arrives, and one
    raised inside a finaliser (``__del__``, a weakref callback) is printed and dropped. An
    import interrupted so ran on to the end and exited 0 (the Ctrl-C test did, twice, in
    full test runs on a loaded machine). Here the first Ctrl-C only sets a flag, which the
    batch loop reads (a batch takes a fraction of a second); a second one interrupts at
    once. Signals are the main thread's: called from another thread, this changes nothing.
    """
    asked = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield asked.is_set
        return

    def ctrl_c(_signal: int, _frame: object) -> None:
        if asked.is_set():
            raise KeyboardInterrupt  # pressed again: now
        asked.set()

    previous = signal.signal(signal.SIGINT, ctrl_c)
    try:
        yield asked.is_set
    finally:
        signal.signal(signal.SIGINT, previous)


def _batches(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _context(book: Book, outer: Writer | None, actor_id: str, options: ImportOptions) -> Context:
    """What the run shares: the users (loaded once), the company cache, the options."""

    def make(reader: Reader) -> Context:
        return Context(
            owners=Owners(reader),
            companies=Companies(),
            actor_id=actor_id,
            dayfirst=options.dayfirst,
            decimal_comma=options.decimal_comma,
        )

    if outer is not None:
        return make(outer)
    with book.read() as reader:
        return make(reader)


class _Commit:
    """The COMMIT of the batch just written, run in a thread while the next batch's
    cleaned rows arrive (no database work happens meanwhile: :meth:`wait` comes first).
    Batches still commit one by one, in order, each in its own transaction."""

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._rows = 0  # the rows read up to the end of the batch being committed
        self.committed_rows = 0  # the rows read up to the end of the last committed batch

    def start(self, transaction: AbstractContextManager[Writer], rows: int) -> None:
        self._rows = rows

        def commit() -> None:
            try:
                transaction.__exit__(None, None, None)
            except BaseException as exc:  # re-raised by wait(), in the importing thread
                self._error = exc

        self._thread = threading.Thread(target=commit, name="crm-import-commit")
        self._thread.start()

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None
            if self._error is None:
                self.committed_rows = self._rows
        if self._error is not None:
            error, self._error = self._error, None
            raise error


def _run_batch(
    w: Writer,
    entity: Entity,
    batch: list[Candidate],
    options: ImportOptions,
    ctx: Context,
    tally: _Tally,
    rejects: RejectFile,
) -> None:
    live = [c for c in batch if c.error is None]
    _find_existing(w, entity, live, options)
    entity.resolve(w, [c for c in live if c.error is None], ctx)
    live = [c for c in live if c.error is None]
    checked = [c for c in live if c.existing is None or options.on_duplicate != "skip"]
    entity.duplicates(w, [c for c in checked if c.existing is None])
    _decide(entity, live, options)
    creates = [c for c in live if c.action == "created"]
    for cand in creates:
        cand.values.setdefault("id", new_id())
        entity.defaults(cand, ctx)
        if cand.extra and entity.keeps_extra:
            cand.values["extra"] = extra_json(cand.extra, None)
    if creates:
        entity.create(w, creates, ctx)
        _tags(w, entity, creates)
    for cand in live:
        if cand.action in ("updated", "merge"):
            _update(w, entity, cand, merge=cand.action == "merge")
    for cand in batch:
        if cand.error is not None:
            cand.action = "rejected"
            rejects.write(cand.number, cand.cells, cand.error)
            if len(tally.errors) < 20:
                tally.errors.append({"row": cand.number, "error": cand.error})
        tally.counts[cand.action] += 1


def _find_existing(
    w: Writer, entity: Entity, batch: list[Candidate], options: ImportOptions
) -> None:
    """With ``--key`` (or an ``id`` column), the records the rows name: one query."""
    key = options.key
    by_id = [c for c in batch if c.values.get("id")]
    if by_id:
        found = {
            r["id"]: r
            for r in rows_where_in(w, entity.table, "id", [c.values["id"] for c in by_id])
        }
        for cand in by_id:
            cand.existing = found.get(cand.values["id"])
    if key is None or key == "id":
        return
    expression = entity.keys[key]
    value_of: Callable[[Candidate], Any] = (
        (lambda c: str(c.values.get(key) or "").lower() or None)
        if expression.startswith("lower(")
        else (lambda c: c.values.get(key))
    )
    wanted = [value_of(c) for c in batch if c.existing is None and value_of(c)]
    found_rows: dict[str, Any] = {}
    for row in rows_where_in(w, entity.table, expression, wanted):
        value = row[key].lower() if expression.startswith("lower(") else row[key]
        found_rows.setdefault(value, row)
    for cand in batch:
        if cand.existing is None and value_of(cand):
            cand.existing = found_rows.get(value_of(cand))


def _decide(entity: Entity, batch: list[Candidate], options: ImportOptions) -> None:
    """What happens to each row: the dedupe rule decides, --on-duplicate says what to do
    with a duplicate; rows of one batch are checked against each other too."""
    seen: dict[tuple[str, str], Candidate] = {}
    by_fuzzy: dict[str, dict[str, str]] = {}  # fuzzy key -> {"row N": name} created so far
    for cand in batch:
        if cand.existing is not None:
            cand.action = "updated"
            continue
        matches = list(cand.matches)
        for reason, value in entity.batch_keys(cand):
            other = seen.get((reason, value))
            if other is not None:
                matches.append(_in_file(other, reason))
        fuzzy = entity.fuzzy_key(cand)
        earlier = by_fuzzy.get(fuzzy) if fuzzy is not None else None
        if earlier:
            matches += in_file_names(cand.values["name"], earlier)
        force = options.on_duplicate == "create" and not any(
            m.reason in entity.unique_reasons for m in matches
        )
        try:
            check(matches, entity=entity.name, force=force)
        except (Duplicate, LikelyDuplicate) as exc:
            if options.on_duplicate in ("update", "merge") and exc.matches:
                target = exc.matches[0]
                if target.id.startswith("row "):
                    cand.error = exc.message.replace("already exists", "is earlier in the file")
                    continue
                cand.existing = _EXISTING_PLACEHOLDER | {"id": target.id}
                cand.action = "updated" if options.on_duplicate == "update" else "merge"
                continue
            if options.on_duplicate == "skip":
                cand.action = "skipped"
                continue
            cand.error = exc.message
            continue
        cand.action = "created"
        for reason, value in entity.batch_keys(cand):
            seen.setdefault((reason, value), cand)
        if fuzzy is not None:
            by_fuzzy.setdefault(fuzzy, {})[f"row {cand.number}"] = cand.label


_EXISTING_PLACEHOLDER: dict[str, Any] = {"_lazy": True}


def _in_file(other: Candidate, reason: str, score: int = 100) -> Match:
    return Match(f"row {other.number}", other.label, reason, score)


def _tags(w: Writer, entity: Entity, batch: list[Candidate]) -> None:
    from crmcli.services.tags import add_tags

    for cand in batch:
        if cand.tags:
            add_tags(w, entity.table, cand.values["id"], cand.tags)


def _update(w: Writer, entity: Entity, cand: Candidate, *, merge: bool) -> None:
    """Apply a row to the record it matched: only fields the row gives (``merge``: only
    those the record lacks); nothing logged when nothing changes."""
    from crmcli.services.tags import add_tags

    assert cand.existing is not None
    if cand.existing.get("_lazy"):
        cand.existing = w.get(entity.table, cand.existing["id"])
    existing = cand.existing
    update_values = getattr(entity, "update_values", None)
    values = update_values(cand) if update_values else dict(cand.values)
    values.pop("id", None)
    values.pop("created_at", None)
    changes = {
        k: v
        for k, v in values.items()
        if v is not None and k in existing and (not merge or existing[k] in (None, ""))
    }
    if cand.extra and entity.keeps_extra:
        changes["extra"] = extra_json(cand.extra, existing.get("extra"))
    diff = w.update(entity.table, existing["id"], changes)
    added = add_tags(w, entity.table, existing["id"], cand.tags) if cand.tags else []
    cand.record_id = existing["id"]
    cand.action = "updated" if diff or added else "unchanged"
