"""The only writer to stdout: Rich tables for people, JSON and CSV for scripts.

User text is never interpreted: cells are Rich ``Text`` (no markup) with control characters
shown escaped, and CSV cells that a spreadsheet would run as a formula are neutralised.
Notes, warnings and errors go to stderr so stdout stays data.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from crmcli.errors import CrmError, InvalidInput

Format = Literal["table", "json", "csv"]
_CONTROL = dict.fromkeys([*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0)])
_CONTROL_MAP = {c: f"\\x{c:02x}" for c in _CONTROL}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_CHARS = "".join(_FORMULA_START)


@dataclass
class Options:
    """How to print: chosen once by the global options."""

    format: Format = "table"
    quiet: bool = False
    no_color: bool = False


options = Options()


def configure(*, format: Format = "table", quiet: bool = False, no_color: bool = False) -> None:
    options.format = format
    options.quiet = quiet
    options.no_color = no_color or "NO_COLOR" in os.environ


@dataclass(frozen=True)
class Column:
    """A table column: the row key, its header, and how to show the value."""

    key: str
    header: str = ""
    justify: Literal["left", "right", "center"] = "left"
    render: Callable[[Any, Mapping[str, Any]], Any] | None = None  # str, or a Rich Text
    style: str | None = None
    max_width: int | None = None
    # ``render`` returns a Rich renderable (a search hit's marked snippet): the list is then
    # drawn by Rich instead of the plain-text table -- except where no styles show (no
    # colour terminal) and ``plain`` renders the same value as text: then the plain table,
    # without importing Rich.
    rich: bool = False
    plain: Callable[[Any, Mapping[str, Any]], str] | None = None

    @property
    def title(self) -> str:
        return self.header or self.key.replace("_", " ")


def safe(text: str) -> str:
    """User text made inert for a terminal: control characters are shown escaped."""
    return text.translate(_CONTROL_MAP)


def human(value: Any) -> str:
    """A value as a person reads it in a table."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, datetime):
        from crmcli.clock import to_local

        local = to_local(value)
        return local.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return ", ".join(human(v) for v in value)
    return safe(str(value))


def jsonable(value: Any) -> Any:
    """A value as scripts get it: Decimal as string, times ISO 8601 with offset."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    return value


def csv_cell(value: Any) -> str:
    """A CSV cell; text starting like a formula is prefixed with ``'`` (OWASP)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        value = ";".join(str(v) for v in value)
    text = str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def console() -> Any:
    from rich.console import Console  # 30 ms: only when something is printed

    return Console(
        file=sys.stdout,
        no_color=options.no_color or "NO_COLOR" in os.environ,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=False,
    )


def terminal_width() -> int:
    """The width tables are laid out for: ``COLUMNS``, else the terminal's, else 80 (as Rich)."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        if sys.stdout.isatty():
            return os.get_terminal_size(sys.stdout.fileno()).columns
    except (OSError, ValueError):
        pass
    return 80


def colour() -> bool:
    """Whether stdout gets ANSI styles: a terminal, colours not turned off (as Rich decides)."""
    if options.no_color or "NO_COLOR" in os.environ or os.environ.get("TERM") == "dumb":
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    try:
        return sys.stdout.isatty()
    except ValueError:
        return False


def _cell(col: Column, row: Mapping[str, Any]) -> str:
    return col.render(row.get(col.key), row) if col.render else human(row.get(col.key))


def table_text(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[Column],
    *,
    title: str | None = None,
    caption: str | None = None,
) -> str:
    """The table :func:`table` draws, as text drawn without Rich (see ``crmcli.plain``)."""
    from crmcli import plain

    return plain.table(
        [plain.Col(c.title, c.justify, c.max_width) for c in columns],
        [[_cell(col, row) for col in columns] for row in rows],
        limit=terminal_width(),
        title=title,
        caption=caption,
        color=colour(),
    )


def _json_default(value: Any) -> Any:
    """What ``json`` cannot encode itself, as ``jsonable`` shows it (no pre-pass over big
    documents: the encoder calls this only for decimals, times and the like)."""
    kind = type(value)
    if kind is Decimal:  # by far the most common: money in every row
        return str(value)
    if kind is date or kind is datetime:
        return value.isoformat()
    converted = jsonable(value)
    if converted is value:
        raise TypeError(f"cannot show a {kind.__name__} as JSON")
    return converted


def _json_shallow(value: Any, depth: int) -> str:
    """JSON indented for ``depth`` levels; each value below them on one line."""
    try:
        return _json_shallow_bytes(value, depth).decode()
    except TypeError:
        return _json_shallow_text(value, depth)


def _json_shallow_bytes(value: Any, depth: int) -> bytes:
    """:func:`_json_shallow` as UTF-8 (see :func:`_json_shallow_pieces`)."""
    return b"".join(_json_shallow_pieces(value, depth))


def _json_shallow_pieces(value: Any, depth: int) -> list[bytes | memoryview]:
    """The UTF-8 pieces of :func:`_json_shallow`, unjoined (written out as they are), each
    one-line value encoded by orjson (compact, several times faster than the stdlib
    encoder: a report's ten thousand rows). Raises TypeError for what orjson refuses (an
    integer beyond 64 bits, a lone surrogate, a mapping keyed by non-strings):
    :func:`_json_shallow_text` encodes those."""
    import orjson  # 2 ms: only for long reports printed as JSON

    dumps = orjson.dumps
    # orjson writes dates and times itself; money is Decimal, shown as jsonable shows it.
    # Decimal.__str__ (C, no Python frame per amount) raises TypeError for anything else.
    default = Decimal.__str__

    def encode(item: Any) -> bytes:
        return dumps(item, default=default)

    def rows(items: Sequence[Any], joiner: bytes) -> bytes | memoryview:
        """``items`` one per line. A list of flat records is encoded in one call (a call
        per row faults in fresh memory for each: ~3x the time) and cut at the ``},{"``
        between records: that text cannot overlap itself, so when it occurs exactly once
        per boundary it occurs nowhere else (not in a name, not in a nested value)."""
        if len(items) > 1 and all(type(item) is dict and item for item in items):
            parts = dumps(items, default=default).split(b'},{"')
            if len(parts) == len(items):
                # the brackets cut off without a copy (the caller writes its own)
                return memoryview((b"}" + joiner + b'{"').join(parts))[1:-1]
        return joiner.join([encode(item) for item in items])

    pieces: list[bytes | memoryview] = []
    _json_pieces(value, depth, 0, pieces, encode, rows)
    return pieces


def _json_shallow_text(value: Any, depth: int) -> str:
    """:func:`_json_shallow` by the stdlib's C encoder (``indent`` would force the
    pure-Python one, several times slower)."""
    pieces: list[str] = []
    _json_pieces(value, depth, 0, pieces, _encode_one_line)
    return "".join(pieces)


def _json_pieces(
    value: Any, depth: int, level: int, out: list[Any], encode: Any, rows: Any = None
) -> None:
    """The pieces (all str, or all bytes: as ``encode`` makes them) of a shallow-indented
    document, joined once at the end (not once per level). ``rows(items, joiner)`` encodes
    the items of a last-level list, one per line (default: ``encode`` each)."""
    if level < depth and value and isinstance(value, Mapping | list | tuple):
        empty = encode("")[:0]  # "" or b"": the pieces' type
        pad = _as(empty, "\n" + "  " * (level + 1))
        close = _as(empty, "\n" + "  " * level)
        comma, colon = _as(empty, ","), _as(empty, ": ")
        if isinstance(value, Mapping):
            out.append(_as(empty, "{"))
            for n, (k, v) in enumerate(value.items()):
                out.append((comma if n else empty) + pad + encode(str(k)) + colon)
                _json_pieces(v, depth, level + 1, out, encode, rows)
            out.append(close + _as(empty, "}"))
        elif level + 1 == depth:  # the last indented level: every item on one line
            joined = rows(value, comma + pad) if rows else (comma + pad).join(map(encode, value))
            out.append(_as(empty, "[") + pad + joined)
            out.append(close + _as(empty, "]"))
        else:
            out.append(_as(empty, "["))
            for n, v in enumerate(value):
                out.append(comma + pad if n else pad)
                _json_pieces(v, depth, level + 1, out, encode, rows)
            out.append(close + _as(empty, "]"))
        return
    out.append(encode(value))


def _as(kind: Any, text: str) -> Any:
    """``text`` as the same type as ``kind`` (str, or UTF-8 bytes)."""
    return text.encode() if isinstance(kind, bytes) else text


_ONE_LINE = json.JSONEncoder(ensure_ascii=False, default=_json_default)


def _one_line_encoder() -> Callable[[Any], str]:
    """``_ONE_LINE.encode`` without its set-up on every call: the C encoder, made once
    with the same settings."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # an interpreter without the C accelerator
        return _ONE_LINE.encode
    encoder = make(
        None, _json_default, json.encoder.encode_basestring, None, ": ", ", ", False, False, True
    )
    return lambda value: "".join(encoder(value, 0))


_encode_one_line = _one_line_encoder()


def _write_json(document: Any, *, depth: int | None = None) -> None:
    if depth is not None:
        try:
            pieces = _json_shallow_pieces(document, depth)
        except TypeError:  # what orjson refuses: the stdlib encoder
            sys.stdout.write(_json_shallow_text(document, depth) + "\n")
            return
        pieces.append(b"\n")
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is None:
            sys.stdout.write(b"".join(pieces).decode())
            return
        sys.stdout.flush()  # bytes straight out: no 4 MB join, decode and re-encode
        buffer.writelines(pieces)
        buffer.flush()
        return
    import orjson  # 2 ms; ~20x the stdlib's indenting encoder (pure Python) on long lists

    try:
        # The same text as json.dumps(indent=2, ensure_ascii=False) would write.
        data = orjson.dumps(document, default=_json_default, option=orjson.OPT_INDENT_2)
    except TypeError:  # what orjson refuses (a mapping keyed by dates…): the stdlib below
        pass
    else:
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is None:
            sys.stdout.write(data.decode() + "\n")
        else:
            sys.stdout.flush()
            buffer.write(data)
            buffer.write(b"\n")
            buffer.flush()
        return
    try:
        text = json.dumps(document, ensure_ascii=False, indent=2, default=_json_default)
    except TypeError:  # e.g. a mapping keyed by dates: the full conversion first
        text = json.dumps(jsonable(document), ensure_ascii=False, indent=2)
    sys.stdout.write(text + "\n")


def _write_csv(rows: Sequence[Mapping[str, Any]], keys: Sequence[str]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(keys)
    for row in rows:
        writer.writerow([csv_cell(row.get(k)) for k in keys])


def _all_keys(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    keys: dict[str, None] = {}
    for row in rows:
        keys.update(dict.fromkeys(row))
    return list(keys)


def table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[Column],
    *,
    title: str | None = None,
    caption: str | None = None,
) -> Any:
    """A Rich table of ``rows`` (built from Text cells, so nothing is markup)."""
    from rich.table import Table
    from rich.text import Text

    from crmcli import plain

    cells = [
        [
            col.render(row.get(col.key), row) if col.render else human(row.get(col.key))
            for col in columns
        ]
        for row in rows
    ]
    grid = Table(title=title, caption=caption, header_style="bold", expand=False, pad_edge=False)
    for index, col in enumerate(columns):
        # Amounts, dates, ids and phone numbers keep their width when the terminal is
        # narrow (Rich then folds the columns of words), as the plain tables do.
        whole = col.justify == "right" or all(plain.atomic(str(row[index])) for row in cells)
        grid.add_column(
            col.title,
            justify=col.justify,
            style=col.style,
            max_width=col.max_width,
            overflow="fold",
            no_wrap=whole and bool(cells),
        )
    for row_cells in cells:
        grid.add_row(*(Text(c) if isinstance(c, str) else c for c in row_cells))
    return grid


def highlighted(text: str, spans: Sequence[tuple[int, int]], style: str = "bold reverse") -> Any:
    """A table cell with ``spans`` of ``text`` marked (a search hit), each part made safe."""
    from rich.text import Text

    cell = Text()
    at = 0
    for start, end in spans:
        cell.append(safe(text[at:start]))
        cell.append(safe(text[start:end]), style=style)
        at = end
    cell.append(safe(text[at:]))
    return cell


def emit_list(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[Column],
    *,
    title: str | None = None,
    empty: str = "nothing to show",
    handle_key: str = "handle",
    caption: str | None = None,
) -> None:
    """Print a list: a table, a JSON array, CSV, or (``-q``) one handle per line."""
    if options.format == "json":
        _write_json(list(rows))
        return
    if options.format == "csv":
        _write_csv(rows, _all_keys(rows) or [c.key for c in columns])
        return
    if options.quiet:
        for row in rows:
            sys.stdout.write(f"{row.get(handle_key) or row.get('id')}\n")
        return
    if not rows:
        note(empty)
        return
    rich = [c for c in columns if c.rich]
    if rich and (colour() or any(c.plain is None for c in rich)):
        console().print(table(rows, columns, title=title, caption=caption))
        return
    if rich:
        columns = [replace(c, render=c.plain, rich=False) if c.rich else c for c in columns]
    emit_text(table_text(rows, columns, title=title, caption=caption))


def emit_object(
    obj: Mapping[str, Any],
    fields: Sequence[Column] | None = None,
    *,
    title: str | None = None,
    sections: Mapping[str, tuple[Sequence[Mapping[str, Any]], Sequence[Column]]] | None = None,
) -> None:
    """Print one record: a two-column card (plus related tables), or a JSON object."""
    if options.format == "json":
        _write_json(obj)
        return
    if options.format == "csv":
        _write_csv([obj], [c.key for c in fields] if fields else list(obj))
        return
    if options.quiet:
        sys.stdout.write(f"{obj.get('handle') or obj.get('id')}\n")
        return
    from crmcli import plain  # drawn without Rich: see crmcli.plain

    shown = fields or [Column(k) for k in obj if not isinstance(obj[k], list | dict)]
    pairs = []
    for col in shown:
        value = obj.get(col.key)
        if value is None or value == "":
            continue
        pairs.append((col.title, col.render(value, obj) if col.render else human(value)))
    parts = []
    if title:
        heading = safe(title)
        parts.append(f"\x1b[1;4m{heading}\x1b[0m" if colour() else heading)
    parts.append(plain.card(pairs, limit=terminal_width(), color=colour()))
    for name, (rows, columns) in (sections or {}).items():
        if rows:
            parts.append("\n" + table_text(rows, columns, title=name))
    emit_text("\n".join(parts))


def emit_document(
    document: Any, render: Callable[[], Any] | None = None, *, json_depth: int | None = None
) -> None:
    """Print a report: JSON as is, or the Rich renderable ``render()`` builds.

    ``json_depth``: indent only that many levels, one line per deeper value (long reports).
    """
    if options.format == "json" or render is None:
        _write_json(document, depth=json_depth)
        return
    drawn = render()
    if isinstance(drawn, str):  # already text (crmcli.plain): no Rich console needed
        emit_text(drawn)
        return
    console().print(drawn)


def emit_text(text: str) -> None:
    """Plain text on stdout (already made safe by the caller)."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def done(message: str, record: Mapping[str, Any] | None = None) -> None:
    """Confirm a write: the record as JSON (``--json``), its handle (``-q``), or a sentence.

    The sentence goes to stderr, so a script's stdout holds only data.
    """
    if record is not None and options.format == "json":
        _write_json(record)
        return
    if record is not None and (options.quiet or options.format == "csv"):
        sys.stdout.write(f"{record.get('handle') or record.get('id')}\n")
        return
    note(message)


def write_file(target: str, data: bytes) -> None:
    """Write an exported document: to stdout for ``-``, else atomically to a file.

    The file appears whole or not at all (written beside it, then renamed into place).
    """
    if target == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    from pathlib import Path

    path = Path(target).expanduser()
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):  # nothing to clean up where nothing was written
            tmp.unlink()
        raise InvalidInput(
            f"cannot write {path}: {exc.strerror}", hint="choose a writable place"
        ) from exc


def note(message: str) -> None:
    """A remark for the person (stderr)."""
    sys.stderr.write(safe(message) + "\n")


def warn(message: str) -> None:
    sys.stderr.write("warning: " + safe(message) + "\n")


def error(exc: CrmError) -> None:
    """The one rendering of an error: one line, plus a hint line."""
    sys.stderr.write(f"error: {safe(exc.message)}\n")
    if exc.hint:
        sys.stderr.write(f"hint: {safe(exc.hint)}\n")


def iter_lines(values: Iterable[str]) -> None:
    for value in values:
        sys.stdout.write(safe(value) + "\n")


def csv_row(values: Iterable[Any]) -> list[Any]:
    """A row of CSV cells: :func:`csv_cell` per value, with a fast path for the text, None
    and integer cells that make up most of an export (one comprehension, no calls)."""
    return [
        ("'" + v if v and v[0] in _FORMULA_CHARS else v)
        if type(v) is str
        else ("" if v is None else v if type(v) is int else csv_cell(v))
        for v in values
    ]


def _write_rows(
    stream: Any, columns: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str
) -> int:
    count = 0
    if fmt == "json":
        stream.write("[")
        for row in rows:
            stream.write(",\n  " if count else "\n  ")
            stream.write(
                json.dumps(jsonable(dict(zip(columns, row, strict=True))), ensure_ascii=False)
            )
            count += 1
        stream.write("\n]\n" if count else "]\n")
        return count
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(csv_row(row))
        count += 1
    return count


def write_rows(
    target: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]], *, fmt: str
) -> int:
    """Stream an export (CSV with formula cells neutralised, or a JSON array) to stdout
    (``None`` or ``-``) or atomically to a file; returns the number of rows."""
    if target in (None, "-"):
        return _write_rows(sys.stdout, columns, rows, fmt)
    from pathlib import Path

    path = Path(target).expanduser()
    tmp = path.with_name(path.name + ".tmp")
    try:
        with tmp.open("w", encoding="utf-8", newline="") as stream:
            count = _write_rows(stream, columns, rows, fmt)
        tmp.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise InvalidInput(
            f"cannot write {path}: {exc.strerror}", hint="choose a writable place"
        ) from exc
    return count


@contextlib.contextmanager
def progress(label: str) -> Any:
    """A row counter on stderr for long jobs; silent when stderr is no terminal or with -q."""
    if options.quiet or not sys.stderr.isatty():
        yield lambda done: None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    bar = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed:,} rows"),
        TimeElapsedColumn(),
        console=Console(file=sys.stderr, no_color=options.no_color),
        transient=True,
    )
    with bar:
        task = bar.add_task(label, total=None)
        yield lambda done: bar.update(task, completed=done)
