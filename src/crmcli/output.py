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
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from crmcli.errors import CrmError, InvalidInput

Format = Literal["table", "json", "csv"]
_CONTROL = dict.fromkeys([*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0)])
_CONTROL_MAP = {c: f"\\x{c:02x}" for c in _CONTROL}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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


def _write_json(document: Any) -> None:
    sys.stdout.write(json.dumps(jsonable(document), ensure_ascii=False, indent=2) + "\n")


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

    grid = Table(title=title, caption=caption, header_style="bold", expand=False, pad_edge=False)
    for col in columns:
        grid.add_column(
            col.title,
            justify=col.justify,
            style=col.style,
            max_width=col.max_width,
            overflow="fold",
        )
    for row in rows:
        cells = (
            col.render(row.get(col.key), row) if col.render else human(row.get(col.key))
            for col in columns
        )
        grid.add_row(*(Text(c) if isinstance(c, str) else c for c in cells))
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
    console().print(table(rows, columns, title=title, caption=caption))


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
    from rich.table import Table
    from rich.text import Text

    card = Table.grid(padding=(0, 2))
    card.add_column(style="bold")
    card.add_column()
    shown = fields or [Column(k) for k in obj if not isinstance(obj[k], list | dict)]
    for col in shown:
        value = obj.get(col.key)
        if value is None or value == "":
            continue
        card.add_row(Text(col.title), Text(col.render(value, obj) if col.render else human(value)))
    out = console()
    if title:
        out.print(Text(safe(title), style="bold underline"))
    out.print(card)
    for name, (rows, columns) in (sections or {}).items():
        if rows:
            out.print()
            out.print(table(rows, columns, title=name))


def emit_document(document: Any, render: Callable[[], Any] | None = None) -> None:
    """Print a report: JSON as is, or the Rich renderable ``render()`` builds."""
    if options.format == "json" or render is None:
        _write_json(document)
        return
    console().print(render())


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
