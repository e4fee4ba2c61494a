"""The one module that owns connections, dialects, transactions and the change log.

Services speak portable SQL with ``?`` placeholders through :class:`Reader` and
:class:`Writer`; this module adapts it to SQLite (stdlib ``sqlite3``) or PostgreSQL
(``psycopg``). We use the DB-API rather than SQLAlchemy sessions on purpose: importing
SQLAlchemy + SQLModel costs ~0.5 s, more than the whole budget of a read command, so the
ORM is used only for the schema (``crmcli.models``) and migrations.

Every write goes through :class:`Writer`, which appends to ``changes`` in the same
transaction: a create carries the whole record, an update one entry per changed field
(old → new), a delete one entry. That log is the audit trail and what sync ships.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from crmcli import clock
from crmcli.errors import DatabaseError, InvalidInput, LockTimeout, NotFound
from crmcli.storage import search_index

Row = dict[str, Any]
Dialect = Literal["sqlite", "postgresql"]

BUSY_TIMEOUT_MS = 10_000
CACHE_KIB = 64 * 1024
SCAN_CACHE_KIB = 2 * 1024  # SQLite's default: for one-off scans (Reader.tuples)
BULK_CACHE_KIB = 1024 * 1024  # while one transaction bulk-inserts (demo books, imports)
BULK_ROWS = 5_000
BULK_WAL_PAGES = 100_000  # ~400 MB of WAL between checkpoints during bulk writes
SCHEMA_VERSION = 1  # the sync/operation-log format version written into every change
_INSERT_CHANGE = (
    "INSERT INTO changes (id, hlc, replica_id, actor, entity, record_id, op, field, "
    "old_value, new_value, at, entered_at, schema_version) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _adapt_datetime(value: datetime) -> str:
    """The canonical text of a time: UTC, fixed width, so text order is time order.

    SQLite stores it, and the change log carries it, in this one form.
    """
    if value.tzinfo is UTC:  # the common case: skip the conversion
        return value.isoformat(timespec="microseconds")
    if value.tzinfo is None:
        raise InvalidInput(
            "internal: a naive datetime reached storage",
            hint="this is a bug in crmcli: please report it with the output of CRM_DEBUG=1",
        )
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _text(value: Any) -> Any:
    kind = type(value)  # exact types: this runs for every cell of a bulk insert
    if kind is datetime:
        return _adapt_datetime(value)
    if kind is date:
        return value.isoformat()
    if kind is Decimal:
        return str(value)
    return value


_PLAIN = frozenset({str, int, float, bool, type(None)})  # stored as they are


def _convert_datetime(raw: bytes) -> datetime:
    value = datetime.fromisoformat(raw.decode())
    return value if value.tzinfo else value.replace(tzinfo=UTC)


sqlite3.register_adapter(datetime, _adapt_datetime)
sqlite3.register_adapter(date, lambda d: d.isoformat())
sqlite3.register_adapter(Decimal, str)
sqlite3.register_converter("DATETIME", _convert_datetime)
sqlite3.register_converter("DATE", lambda raw: date.fromisoformat(raw.decode()[:10]))
sqlite3.register_converter("BOOLEAN", lambda raw: raw not in (b"0", b""))


def as_datetime(value: Any) -> datetime | None:
    """Normalise an aggregate's value (``MAX(start_at)`` loses its type on SQLite)."""
    if value is None or isinstance(value, datetime):
        return value
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def new_id() -> str:
    """A fresh random UUID, version 4 (generated here, so replicas never collide).

    Its random bits come from a pool filled 256 ids at a time by one ``os.urandom`` call: a
    bulk import makes two ids a row, and ``uuid.uuid4()`` costs four times as much per id.
    """
    return _uuid_text(_random_hex(), "4")


def _random_hex() -> str:
    """32 random hex digits, from a pool filled by one ``os.urandom`` call."""
    try:
        return _RANDOM_HEX.pop()
    except IndexError:
        raw = os.urandom(16 * 256).hex()
        _RANDOM_HEX.extend(raw[start : start + 32] for start in range(0, len(raw), 32))
        return _RANDOM_HEX.pop()


def _uuid_text(h: str, version: str) -> str:
    """32 hex digits as a UUID of this version: the version nibble and the variant bits
    (10, RFC 4122 / 9562) set, the rest as given."""
    return (
        f"{h[:8]}-{h[8:12]}-{version}{h[13:16]}-{_VARIANT[int(h[16], 16) & 3]}{h[17:20]}-{h[20:32]}"
    )


_VARIANT = "89ab"
_RANDOM_HEX: list[str] = []
# A forked child must never hand out the random bits its parent still holds.
os.register_at_fork(after_in_child=_RANDOM_HEX.clear)


def new_change_id() -> str:
    """A change-log entry's id: a version-7 UUID (RFC 9562), 48 bits of the machine's clock
    in milliseconds, then 74 random bits.

    The log's primary key is the largest index a write touches. Random ids put every new
    entry on a random page of it, so an import of 100,000 rows rewrote most of that index;
    ids in time order land on its last pages (that alone took the benchmark's import from
    ~7,700 to ~9,000 rows/s). The clock is the real one, not ``CRM_NOW``: it orders storage
    only, and the change's own time is its ``at`` and ``hlc``. Replicas need no
    coordination: 74 random bits keep their ids apart. Record ids stay version 4: their
    first characters are the handles people type, and those must differ from one record to
    the next.
    """
    return _uuid_text(f"{time.time_ns() // 1_000_000:012x}{_random_hex()[12:]}", "7")


def to_json_value(value: Any) -> Any:
    """A value as it is written into the change log and JSON output."""
    if isinstance(value, datetime):
        return _adapt_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date | Decimal):
        return to_json_value(value)
    raise TypeError(f"cannot log a {type(value).__name__}")


# One encoder for every dump: json.dumps with options builds a new one on each call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_json_default)


def dumps(value: Any) -> str:
    """JSON as the change log stores it (times in UTC ISO 8601, decimals as strings)."""
    return _ENCODER.encode(value)


def _is_url(target: str) -> bool:
    return "://" in target


@dataclass
class Database:
    """An open book of business: a SQLite file or a PostgreSQL URL."""

    target: str
    dialect: Dialect
    _conn: Any = field(default=None, repr=False)
    created: bool = False  # this open created the schema (first use): the book seeds it

    @property
    def path(self) -> Path | None:
        return None if self.dialect != "sqlite" else Path(self.target)

    # -- connections -----------------------------------------------------------------
    @classmethod
    def connect(cls, target: str) -> Database:
        """Open (creating on first use) and migrate the database at ``target``."""
        if _is_url(target):
            if not target.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
                raise DatabaseError(
                    f"unsupported database URL {target.split('://', maxsplit=1)[0]}://",
                    hint="use a file path or postgresql://user@host/dbname",
                )
            db = cls(target.replace("postgresql+psycopg://", "postgresql://"), "postgresql")
            db._conn = _connect_postgresql(db.target)
        else:
            db = cls(str(Path(target).expanduser()), "sqlite")
            db._conn = _connect_sqlite(Path(db.target))
        from crmcli.storage.migrate import ensure_schema

        ensure_schema(db)
        return db

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def reopen(self) -> None:
        """Open the SQLite file again (``crm sync`` replaced a fresh book with a snapshot)."""
        self.close()
        self._conn = _connect_sqlite(Path(self.target))

    @property
    def raw(self) -> Any:
        """The DB-API connection (for the migration runner and backups only)."""
        return self._conn

    def sql(self, statement: str) -> str:
        """Adapt portable ``?`` placeholders to the driver's style."""
        if self.dialect == "postgresql":
            return statement.replace("%", "%%").replace("?", "%s")
        return statement

    # -- transactions ----------------------------------------------------------------
    @contextmanager
    def read(self) -> Iterator[Reader]:
        """A read-only view (one consistent snapshot on both dialects)."""
        with self._translate_errors():
            if self.dialect == "sqlite":
                self._conn.execute("BEGIN")
            try:
                yield Reader(self)
            finally:
                self._rollback()

    @contextmanager
    def write(self, *, user: str, at: datetime | None = None) -> Iterator[Writer]:
        """One transaction: everything written in it, and its change log, or nothing."""
        with self._translate_errors():
            if self.dialect == "sqlite":
                # IMMEDIATE takes the write lock up front, so two writers queue on the
                # busy timeout instead of failing on a lock upgrade.
                self._conn.execute("BEGIN IMMEDIATE")
            writer = Writer(self, user=user, at=at)
            try:
                yield writer
                writer.record_origin()
                writer.flush_clock()
            except BaseException:
                self._rollback()
                raise
            finally:
                if writer._bulk:
                    self._conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            self._commit()

    @contextmanager
    def bulk_writes(self) -> Iterator[None]:
        """Many write transactions in a row (an import): the WAL is checkpointed once at the
        end (and past :data:`BULK_WAL_PAGES`), not every 1,000 pages.

        Each automatic checkpoint copies the WAL into the file and syncs it; an import of
        many batches would pay that every few batches. A crash still loses nothing that
        was committed (the WAL holds it). SQLite only; a no-op elsewhere.
        """
        if self.dialect != "sqlite":
            yield
            return
        self._conn.execute(f"PRAGMA wal_autocheckpoint = {BULK_WAL_PAGES}")
        try:
            yield
        finally:
            self._conn.execute("PRAGMA wal_autocheckpoint = 1000")
            with contextlib.suppress(sqlite3.Error):  # a reader may hold the WAL: next time
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def _commit(self) -> None:
        if self.dialect == "sqlite":
            self._conn.execute("COMMIT")
        else:
            self._conn.commit()

    def _rollback(self) -> None:
        if self.dialect == "postgresql":
            self._conn.rollback()
        elif self._conn.in_transaction:
            self._conn.execute("ROLLBACK")

    @contextmanager
    def _translate_errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.OperationalError as exc:
            text = str(exc)
            if "locked" in text or "busy" in text:
                raise LockTimeout(
                    "the database is locked by another crm process",
                    hint="try again in a moment",
                ) from exc
            raise DatabaseError(
                f"database error: {text}",
                hint="try again; if it persists, check the file with crm backup",
            ) from exc
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.IntegrityError):
                raise InvalidInput(
                    f"that would break the data's integrity: {exc}",
                    hint="check the records it points at exist (a list command shows them)",
                ) from exc
            raise DatabaseError(
                f"cannot use {self.target}: {exc}",
                hint="is it a crm database? restore it from `crm backup` if it is damaged",
            ) from exc
        except Exception as exc:
            if self.dialect == "postgresql" and type(exc).__module__.startswith("psycopg"):
                name = type(exc).__name__
                if name in ("LockNotAvailable", "SerializationFailure", "DeadlockDetected"):
                    raise LockTimeout(
                        f"the database is busy: {exc}", hint="try again in a moment"
                    ) from exc
                if name in ("UniqueViolation", "ForeignKeyViolation", "NotNullViolation"):
                    raise InvalidInput(
                        f"that would break the data's integrity: {exc}",
                        hint="check the records it points at exist (a list command shows them)",
                    ) from exc
                raise DatabaseError(
                    f"database error: {exc}".splitlines()[0],
                    hint="try again; if it persists, check the server's log",
                ) from exc
            raise


def busy_timeout_ms() -> int:
    """How long a writer waits for another's lock: ``CRM_BUSY_TIMEOUT`` (ms), default 10 s."""
    raw = os.environ.get("CRM_BUSY_TIMEOUT", "")
    return int(raw) if raw.isdigit() else BUSY_TIMEOUT_MS


def _connect_sqlite(path: Path) -> sqlite3.Connection:
    timeout_ms = busy_timeout_ms()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            # Created readable by its owner only; SQLite gives -wal/-shm the same mode.
            with contextlib.suppress(FileExistsError):  # another crm created it just now
                os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except OSError as exc:
        raise DatabaseError(
            f"cannot create the database {path}: {exc.strerror}",
            hint="choose a writable place with --db or CRM_DB",
        ) from exc
    if path.is_dir():
        raise DatabaseError(
            f"{path} is a folder, not a database file", hint="pass a file path to --db"
        )
    if not os.access(path, os.R_OK):
        raise DatabaseError(
            f"cannot read the database {path}: permission denied",
            hint="ask the file's owner, or use --db with a file of your own",
        )
    try:
        conn = sqlite3.connect(
            path,
            detect_types=sqlite3.PARSE_DECLTYPES,
            isolation_level=None,  # we issue BEGIN/COMMIT ourselves
            timeout=timeout_ms / 1000,
            check_same_thread=False,  # the TUI reads in a worker thread, one at a time
        )
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {timeout_ms}")
        conn.execute("PRAGMA foreign_keys = ON")
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        if mode != "wal" and os.access(path, os.W_OK):
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        # SQLite's default 2 MB page cache thrashes on the UUID-keyed indexes of a large
        # book; the pages are allocated only as they are used.
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    except sqlite3.DatabaseError as exc:
        text = str(exc)
        if "locked" in text or "busy" in text:
            raise LockTimeout(
                "the database is locked by another crm process", hint="try again in a moment"
            ) from exc
        raise DatabaseError(
            f"cannot open {path}: {text}",
            hint="is it a crm database? restore it from `crm backup` if it is damaged",
        ) from exc
    return conn


def _connect_postgresql(url: str) -> Any:
    try:
        import psycopg  # only PostgreSQL users pay for the driver
        from psycopg.rows import dict_row
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise DatabaseError(
            "PostgreSQL support is not installed", hint="pip install 'crmcli[postgres]'"
        ) from exc
    try:
        conn = psycopg.connect(url, row_factory=dict_row, autocommit=False)
    except psycopg.Error as exc:
        raise DatabaseError(
            f"cannot connect to PostgreSQL: {str(exc).splitlines()[0]}",
            hint="check the URL, and that the server runs and accepts you",
        ) from exc
    conn.execute("SET TIME ZONE 'UTC'")
    conn.commit()
    return conn


class Reader:
    """Queries inside one transaction."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.dialect = db.dialect
        self._conn = db._conn

    def execute(self, statement: str, params: Sequence[Any] = ()) -> Any:
        return self._conn.execute(self.db.sql(statement), tuple(params))

    def executemany(self, statement: str, seq: Sequence[Sequence[Any]]) -> None:
        if self.dialect == "sqlite":
            self._conn.executemany(statement, seq)
        else:
            with self._conn.cursor() as cursor:
                cursor.executemany(self.db.sql(statement), seq)

    def rows(self, statement: str, params: Sequence[Any] = ()) -> list[Row]:
        return [dict(r) for r in self.execute(statement, params).fetchall()]

    def tuples(
        self, statement: str, params: Sequence[Any] = (), *, scan: bool = False
    ) -> list[tuple[Any, ...]]:
        """Rows as plain tuples in column order: no mapping per row (long reports).

        ``scan``: a one-off pass over pages no later query reads again (a report's credit
        rows): SQLite's default 2 MB page cache serves it, its pages recycled, where the
        large cache would allocate (and fault in) a fresh page for each of thousands.
        """
        if self.dialect == "sqlite":
            cursor = self._conn.cursor()
            cursor.row_factory = None
            if not scan:
                return cursor.execute(statement, tuple(params)).fetchall()  # type: ignore[no-any-return]
            self._conn.execute(f"PRAGMA cache_size = -{SCAN_CACHE_KIB}")
            try:
                return cursor.execute(statement, tuple(params)).fetchall()  # type: ignore[no-any-return]
            finally:
                self._conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        from psycopg.rows import tuple_row  # PostgreSQL only

        with self._conn.cursor(row_factory=tuple_row) as cursor:
            cursor.execute(self.db.sql(statement), tuple(params))
            return cursor.fetchall()  # type: ignore[no-any-return]

    def row(self, statement: str, params: Sequence[Any] = ()) -> Row | None:
        found = self.execute(statement, params).fetchone()
        return None if found is None else dict(found)

    def scalar(self, statement: str, params: Sequence[Any] = ()) -> Any:
        found = self.execute(statement, params).fetchone()
        if found is None:
            return None
        return found[0] if self.dialect == "sqlite" else next(iter(found.values()))

    def get(self, table: str, record_id: str, *, include_deleted: bool = False) -> Row:
        """The record ``record_id`` of ``table``; NotFound if absent (or soft-deleted)."""
        found = self.row(f"SELECT * FROM {table} WHERE id = ?", (record_id,))
        if found is None or (found.get("deleted_at") and not include_deleted):
            raise NotFound(
                f"no record {record_id} in {table}",
                hint="find it with a list command, e.g. crm deal list",
            )
        return found

    def values_by_id(
        self, table: str, column: str, ids: Iterable[str], *, alive: bool = False
    ) -> dict[str, Any]:
        """``{id: column}`` for the records among ``ids`` (``alive``: not soft-deleted)."""
        wanted = sorted(set(ids))
        alive_only = " AND deleted_at IS NULL" if alive else ""
        found: dict[str, Any] = {}
        for start in range(0, len(wanted), 500):  # below SQLite's limit on bound parameters
            part = wanted[start : start + 500]
            for item in self.rows(
                f"SELECT id, {column} AS value FROM {table} "
                f"WHERE id IN ({', '.join('?' * len(part))}){alive_only}",
                part,
            ):
                found[item["id"]] = item["value"]
        return found

    def prefix_clause(self, column: str, prefix: str) -> tuple[str, tuple[str, ...]]:
        """A condition matching ``column`` values starting with ``prefix``, index-friendly."""
        if self.dialect == "sqlite":
            # A range, not LIKE: SQLite's LIKE is case-folding and skips the index.
            return f"{column} >= ? AND {column} < ?", (prefix, prefix + "\U0010ffff")
        return f"{column} LIKE ?", (prefix.replace("%", "").replace("_", "") + "%",)

    def meta(self, key: str) -> str | None:
        return self.scalar("SELECT value FROM meta WHERE key = ?", (key,))  # type: ignore[no-any-return]


class Writer(Reader):
    """Writes inside one transaction, each one logged to ``changes``."""

    def __init__(self, db: Database, *, user: str, at: datetime | None) -> None:
        super().__init__(db)
        self.user = user
        self.entered_at = clock.now()
        self.at = at or self.entered_at
        self._replica: str | None = None
        self._hlc: tuple[int, int] | None = None
        self._hlc_dirty = False
        self._bulk = False
        # Records whose search documents wait for the end of a bulk write (sync's merge).
        self.search_pending: search_index.Pending | None = None
        self.origin: str | None = None  # e.g. "mcp": noted beside each change (change_origins)
        self._originated: list[str] = []
        # Who made each inserted row, when one transaction writes for several people (the
        # demo generator records each rep's records as theirs); None: ``user`` made all.
        self.actor_of: Callable[[str, Mapping[str, Any]], str | None] | None = None

    # -- hybrid logical clock --------------------------------------------------------
    @property
    def replica_id(self) -> str:
        if self._replica is None:
            self._replica = self.meta("replica_id") or "unknown"
        return self._replica

    def next_hlc(self) -> str:
        """The next hybrid-logical-clock stamp: ``<ms:013>-<counter:05>-<replica>``."""
        return self.next_hlcs(1)[0]

    def next_hlcs(self, count: int) -> list[str]:
        """``count`` consecutive stamps (one clock reading for a whole bulk insert)."""
        if self._hlc is None:
            stored = self.meta("hlc")
            if stored:
                stored_ms, stored_counter, _ = stored.split("-", 2)
                self._hlc = (int(stored_ms), int(stored_counter))
            else:
                self._hlc = (0, 0)
        physical = int(clock.now().timestamp() * 1000)
        last_ms, last_counter = self._hlc
        ms, first = (physical, 0) if physical > last_ms else (last_ms, last_counter + 1)
        suffix = f"-{self.replica_id}"
        # The counter has five digits in the stamp; past that the millisecond moves on.
        stamps = []
        counter = first
        for _ in range(count):
            if counter > 99_999:
                ms, counter = ms + 1, 0
            stamps.append(f"{ms:013d}-{counter:05d}{suffix}")
            counter += 1
        self._hlc = (ms, counter - 1)
        self._hlc_dirty = True
        return stamps

    def observe_hlc(self, stamp: str) -> None:
        """Advance the clock past a stamp received from another replica (sync)."""
        ms, counter, _ = stamp.split("-", 2)
        self.next_hlc()
        assert self._hlc is not None
        self._hlc = max(self._hlc, (int(ms), int(counter)))

    def flush_clock(self) -> None:
        if self._hlc_dirty and self._hlc is not None:
            self.set_meta("hlc", f"{self._hlc[0]:013d}-{self._hlc[1]:05d}-{self.replica_id}")
            self._hlc_dirty = False

    def record_origin(self) -> None:
        """Note where this transaction's changes came from (the ``changes`` rows stay as sync
        ships them; the note is this replica's own)."""
        if self._originated:
            self.executemany(
                "INSERT INTO change_origins (change_id, origin) VALUES (?, ?)",
                [(change_id, self.origin) for change_id in self._originated],
            )
            self._originated = []

    def set_meta(self, key: str, value: str) -> None:
        self.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # -- logged writes ---------------------------------------------------------------
    def _change(
        self,
        entity: str,
        record_id: str,
        op: str,
        field_name: str | None,
        old_json: str | None,
        new_json: str | None,
        stamp: str,
        at: Any,
        actor: str | None = None,
    ) -> tuple[Any, ...]:
        """One row of the change log, as ``_INSERT_CHANGE`` takes it."""
        change_id = new_change_id()
        if self.origin:
            self._originated.append(change_id)
        return (
            change_id,
            stamp,
            self.replica_id,
            actor or self.user,
            entity,
            record_id,
            op,
            field_name,
            old_json,
            new_json,
            at,
            self.entered_at,
            SCHEMA_VERSION,
        )

    def log(
        self,
        entity: str,
        record_id: str,
        op: str,
        *,
        field_name: str | None = None,
        old: Any = None,
        new: Any = None,
    ) -> str:
        """Append one operation to the change log (at the stated time of this write).

        Returns the change's id (what ``crm history --undo`` takes).
        """
        change = self._change(
            entity,
            record_id,
            op,
            field_name,
            None if old is None else dumps(old),
            None if new is None else dumps(new),
            self.next_hlc(),
            self.at,
        )
        self.execute(_INSERT_CHANGE, change)
        return str(change[0])

    def insert(self, table: str, values: Mapping[str, Any]) -> Row:
        """Insert a record (id and timestamps filled in) and log its creation."""
        row = self._complete(values)
        self._insert_rows(table, [row])
        return row

    def insert_many(self, table: str, rows: Iterable[Mapping[str, Any]]) -> int:
        """Bulk insert (demo data, imports), each row logged as a create."""
        completed = [self._complete(r) for r in rows]
        if completed:
            self._insert_rows(table, completed)
        return len(completed)

    def _insert_rows(self, table: str, rows: list[Row]) -> None:
        """Insert complete rows and log each as a create stamped with its ``created_at``."""
        stamps = self.next_hlcs(len(rows))
        if self.dialect == "sqlite" and len(rows) >= BULK_ROWS and not self._bulk:
            self._bulk = True
            self.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
        if self.dialect == "sqlite":
            # Render times, dates and decimals to text once, for the table and the log alike
            # (on PostgreSQL the driver needs the typed values).
            plain = _PLAIN
            rows = [{k: v if type(v) in plain else _text(v) for k, v in r.items()} for r in rows]
        columns = list(rows[0])
        placeholders = ", ".join("?" * len(columns))
        last = search_index.last_rowid(self, table)  # its documents follow the rows' rowids
        self.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})",
            [tuple(map(r.__getitem__, columns)) for r in rows],
        )
        actor_of = self.actor_of or (lambda _table, _row: None)
        self.executemany(
            _INSERT_CHANGE,
            [
                self._change(
                    table,
                    r["id"],
                    "create",
                    None,
                    None,
                    dumps(r),
                    stamp,
                    r["created_at"],
                    actor_of(table, r),
                )
                for r, stamp in zip(rows, stamps, strict=True)
            ],
        )
        search_index.inserted(self, table, rows, after=last)  # in bulk too

    def apply_foreign(
        self,
        change: Sequence[Any],
        *,
        insert: Mapping[str, Any] | None = None,
        assign: Mapping[str, Any] | None = None,
        log: bool = True,
    ) -> None:
        """Apply an operation received from another replica (``crm sync``).

        ``change`` is the operation as the origin logged it (the columns of
        ``_INSERT_CHANGE``); it is recorded verbatim — same id, HLC, replica and user — so
        history shows it and sync never exports it as a local one. ``insert`` is the row to
        create, ``assign`` the columns to set on ``change``'s record: what the merge decided.
        ``log=False`` leaves recording it to :meth:`log_foreign` (a merge of thousands of
        operations records them at once, in id order).
        """
        table, record_id = change[4], change[5]
        if insert:
            columns = list(insert)
            self.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' * len(columns))})",
                [insert[c] for c in columns],
            )
            search_index.inserted(self, table, [insert])
        if assign:
            self.execute(
                f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in assign)} WHERE id = ?",
                [*assign.values(), record_id],
            )
            search_index.updated(self, table, record_id, assign)
        if log:
            self.execute(_INSERT_CHANGE, tuple(change))

    def log_foreign(self, changes: Sequence[Sequence[Any]]) -> None:
        """Record operations received from other replicas verbatim (see apply_foreign)."""
        if changes:
            self.executemany(_INSERT_CHANGE, [tuple(c) for c in changes])

    @contextmanager
    def deferred_indexes(self, *tables: str) -> Iterator[None]:
        """Bulk-load helper: drop the secondary indexes of ``tables``, rebuild them after.

        Building an index once over sorted data is far cheaper than updating it row by row
        at random UUID positions. Transactional on SQLite; a no-op elsewhere.
        """
        if self.dialect != "sqlite":
            yield
            return
        marks = ", ".join("?" * len(tables))
        indexes = self.rows(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND sql NOT LIKE 'CREATE UNIQUE%' AND tbl_name IN ({marks})",
            tables,
        )
        for index in indexes:
            self.execute(f'DROP INDEX "{index["name"]}"')
        yield
        for index in indexes:
            self.execute(index["sql"])

    def _complete(self, values: Mapping[str, Any]) -> Row:
        row = dict(values)
        row.setdefault("id", new_id())
        row.setdefault("created_at", self.at)
        row.setdefault("updated_at", row["created_at"])
        return row

    def update(
        self, table: str, record_id: str, changes: Mapping[str, Any]
    ) -> dict[str, tuple[Any, Any]]:
        """Set fields of one record; log one change per field that really changed."""
        if not changes:
            return {}
        columns = list(changes)
        current = self.row(f"SELECT {', '.join(columns)} FROM {table} WHERE id = ?", (record_id,))
        if current is None:
            raise NotFound(
                f"no record {record_id} in {table}",
                hint="find it with a list command, e.g. crm deal list",
            )
        diff = {c: (current[c], changes[c]) for c in columns if current[c] != changes[c]}
        if not diff:
            return {}
        assignments = ", ".join(f"{c} = ?" for c in diff)
        self.execute(
            f"UPDATE {table} SET {assignments}, updated_at = ? WHERE id = ?",
            [*(new for _, new in diff.values()), self.at, record_id],
        )
        for name, (old, new) in diff.items():
            self.log(table, record_id, "update", field_name=name, old=old, new=new)
        search_index.updated(self, table, record_id, diff)
        return diff

    def delete(self, table: str, record_id: str) -> str:
        """Soft-delete: set ``deleted_at`` (a tombstone) and log it; returns the change id."""
        self.get(table, record_id)
        self.execute(
            f"UPDATE {table} SET deleted_at = ?, updated_at = ? WHERE id = ?",
            (self.at, self.at, record_id),
        )
        search_index.deleted(self, table, record_id)
        return self.log(table, record_id, "delete", new=self.at)

    def restore(self, table: str, record_id: str) -> None:
        """Undo a soft delete."""
        row = self.get(table, record_id, include_deleted=True)
        if not row.get("deleted_at"):
            raise InvalidInput(
                f"{table.rstrip('s')} {record_id[:8]} is not deleted",
                hint="see its history: crm history",
            )
        self.execute(
            f"UPDATE {table} SET deleted_at = NULL, updated_at = ? WHERE id = ?",
            (self.at, record_id),
        )
        self.log(table, record_id, "restore", old=row["deleted_at"])
        search_index.restored(self, table, record_id)
