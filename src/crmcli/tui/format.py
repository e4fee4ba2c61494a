"""How the TUI writes values in cells: local times, amounts, user text that is never markup."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from rich.cells import cell_len, set_cell_size
from rich.control import strip_control_codes
from rich.measure import Measurement
from rich.segment import Segment
from rich.text import Text

from crmcli import clock
from crmcli.money import format_money


def when(value: Any, *, with_time: bool = True) -> str:
    """A stored time in the user's zone (``Mon 23 Nov 10:00``); a date as ``2026-11-23``."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        local = clock.to_local(value)
        return f"{local:%a %d %b %H:%M}" if with_time else f"{local:%Y-%m-%d}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def money(amount: Any, currency: str | None = None, *, whole: bool = False) -> str:
    """``48,000.00 EUR`` (or ``48,000 EUR`` with ``whole``: a board is a glance)."""
    if amount is None:
        return ""
    value = Decimal(amount)
    if whole:
        value = value.quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return f"{value:,} {currency or ''}".strip()
    if currency:
        return format_money(value, currency)  # the currency's own minor unit (JPY: none)
    return f"{value:,}"


class Cell:
    """One line of plain text (never Rich markup) in a table cell: cut with an ellipsis to
    the column's width, justified, rendered as a single segment. A page of a list repaints
    ~250 of them; a Rich ``Text`` would run its wrapping and justifying for each."""

    __slots__ = ("plain", "right", "width")

    def __init__(self, plain: str, *, right: bool = False) -> None:
        self.plain = plain
        self.right = right
        self.width = cell_len(plain)

    def __str__(self) -> str:
        return self.plain

    def __repr__(self) -> str:
        return f"Cell({self.plain!r})"

    def fit(self, room: int) -> str:
        """The text in exactly ``room`` cells: cut with an ellipsis, or padded (justified)."""
        if self.width > room:
            return set_cell_size(self.plain, room - 1) + "…" if room > 1 else "…"[:room]
        gap = " " * (room - self.width)
        return gap + self.plain if self.right else self.plain + gap

    def __rich_console__(self, console: Any, options: Any) -> Iterator[Segment]:
        room = options.max_width
        yield Segment(self.fit(room) if self.right or self.width > room else self.plain)

    def __rich_measure__(self, console: Any, options: Any) -> Measurement:
        return Measurement(self.width, self.width)


def cell(value: Any, *, justify: str = "left") -> Cell | Text:
    """A table cell: user text as plain text (never Rich markup), lists joined; a ``Text``
    (styled on purpose by a screen) is kept as it is."""
    if isinstance(value, Text):
        return value
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value)
    if isinstance(value, datetime):
        value = when(value)
    elif isinstance(value, bool):
        value = "yes" if value else ""
    text = "" if value is None else str(value)
    if not text.isprintable():
        text = strip_control_codes(text.replace("\n", " ").replace("\t", " "))
    return Cell(text, right=justify == "right")


def editable(value: Any) -> str:
    """A stored time as the user would type it back: ``2026-11-23 10:00`` (local)."""
    if isinstance(value, datetime):
        return f"{clock.to_local(value):%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)
