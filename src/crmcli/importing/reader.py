"""Reading real CSV files: encoding detection, delimiter sniffing, rows streamed one by one.

The file is never loaded whole: a sample (the first :data:`SAMPLE_BYTES`) decides the
encoding and the delimiter, then ``csv`` reads the stream, so memory stays flat whatever
the file's size.
"""

from __future__ import annotations

import codecs
import csv
import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from crmcli.errors import InvalidInput

SAMPLE_BYTES = 256 * 1024
DELIMITERS = (",", ";", "\t", "|")
_NAMED_DELIMITERS = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Field sizes: a notes cell may be long, but not unbounded (a broken quote would swallow
# the rest of the file into one cell).
csv.field_size_limit(10 * 1024 * 1024)


@dataclass(frozen=True)
class Row:
    """One data row: its number in the file (the header is row 1) and its cells."""

    number: int
    cells: list[str]


def detect_encoding(sample: bytes) -> str:
    """The text encoding of a file from its first bytes: a BOM, strict UTF-8, else the
    best guess of charset-normalizer (UTF-16 without BOM, GB18030, cp1252…)."""
    for bom, name in _BOMS:
        if sample.startswith(bom):
            return name
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A sample cut inside a multi-byte character is still UTF-8.
        if exc.start < len(sample) - 3:
            return _guess(sample)
    return "utf-8"


def _guess(sample: bytes) -> str:
    from charset_normalizer import from_bytes  # 20 ms, only for files that are not UTF-8

    best = from_bytes(sample[:65536]).best()
    if best is None:
        raise InvalidInput(
            "cannot tell the file's text encoding",
            hint="name it with --encoding (utf-8, utf-16, gb18030, cp1252…)",
        )
    name = best.encoding.lower().replace("_", "-")
    # The Chinese family is read as GB18030, the superset of GBK and GB2312.
    return "gb18030" if name in ("gbk", "gb2312", "gb18030") else name


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV sample: the candidate most frequent in the header line
    (outside quotes) that splits the next lines alike."""
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if not lines:
        return ","
    header = _outside_quotes(lines[0])
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: (counts[d], -DELIMITERS.index(d)))
    return best if counts[best] else ","


def _outside_quotes(line: str) -> str:
    out, quoted = [], False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted:
            out.append(char)
    return "".join(out)


def delimiter_option(text: str | None) -> str | None:
    """``--delimiter`` as given: one character, or tab/comma/semicolon/pipe by name."""
    if text is None:
        return None
    value = _NAMED_DELIMITERS.get(text.lower(), text)
    if len(value) != 1:
        raise InvalidInput(
            f"the delimiter must be one character, not {text!r}", hint="e.g. ';' or tab"
        )
    return value


class _Prefixed(io.RawIOBase):
    """A byte stream that replays an already-read sample, then reads on (for stdin)."""

    def __init__(self, sample: bytes, rest: IO[bytes], *, owned: bool) -> None:
        self._sample = memoryview(sample)
        self._rest = rest
        self._owned = owned  # a file we opened is closed with us; stdin is not

    def close(self) -> None:
        if self._owned and not self.closed:
            self._rest.close()
        super().close()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._sample:
            size = min(len(buffer), len(self._sample))
            buffer[:size] = self._sample[:size]
            self._sample = self._sample[size:]
            return size
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


@dataclass
class CsvSource:
    """An open CSV file: the encoding and delimiter in use, its header, and its rows."""

    name: str
    encoding: str
    delimiter: str
    header: list[str]
    _stream: io.TextIOWrapper
    _reader: Iterator[list[str]]
    path: Path | None = None

    def rows(self) -> Iterator[Row]:
        """The data rows; blank lines are skipped, trailing empty cells dropped."""
        width = len(self.header)
        number = 1
        try:
            for cells in self._reader:
                number += 1
                if not any(c.strip() for c in cells):
                    continue
                while len(cells) > width and not cells[-1].strip():
                    cells.pop()
                yield Row(number, cells)
        except UnicodeDecodeError as exc:
            raise InvalidInput(
                f"{self.name}: row {number + 1} is not {self.encoding} text",
                hint="name the file's encoding with --encoding",
            ) from exc
        except csv.Error as exc:
            raise InvalidInput(
                f"{self.name}: row {number + 1}: {exc}",
                hint="check the quoting there, or name the separator with --delimiter",
            ) from exc

    def close(self) -> None:
        self._stream.close()


def open_csv(
    target: str, *, encoding: str | None = None, delimiter: str | None = None
) -> CsvSource:
    """Open ``target`` (a path, or ``-`` for stdin) and read its header."""
    if target == "-":
        raw: IO[bytes] = sys.stdin.buffer
        path = None
        name = "stdin"
    else:
        path = Path(target).expanduser()
        name = str(path)
        try:
            raw = path.open("rb")
        except OSError as exc:
            raise InvalidInput(
                f"cannot read {path}: {exc.strerror}", hint="check the path and its permissions"
            ) from exc
    sample = raw.read(SAMPLE_BYTES)
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise InvalidInput(f"unknown encoding {encoding!r}", hint="e.g. utf-8, cp1252") from exc
        chosen = encoding
    else:
        chosen = detect_encoding(sample)
    head = sample.decode(chosen, errors="replace")
    if head.startswith("\ufeff"):
        head = head[1:]
    delim = delimiter or sniff_delimiter(head)
    stream = io.TextIOWrapper(
        io.BufferedReader(_Prefixed(sample, raw, owned=path is not None), buffer_size=1 << 16),
        encoding=chosen,
        newline="",
    )
    reader = csv.reader(stream, delimiter=delim)
    try:
        header = next(reader)
    except StopIteration:
        stream.close()
        raise InvalidInput(
            f"{name} is empty", hint="the first line must name the columns"
        ) from None
    except UnicodeDecodeError as exc:
        stream.close()
        raise InvalidInput(f"{name} is not {chosen} text", hint="pass --encoding") from exc
    if header and header[0].startswith("\ufeff"):
        header[0] = header[0][1:]
    while header and not header[-1].strip():
        header.pop()
    if not header:
        stream.close()
        raise InvalidInput(f"{name} has no header row", hint="the first line must name the columns")
    return CsvSource(name, chosen, delim, header, stream, reader, path)
