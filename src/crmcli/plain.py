"""Tables, record cards and board panels drawn as plain text, the way Rich draws them.

The daily commands (lists, shows, the board) print one table each. Importing Rich's
console and laying the table out through its renderables costs 50–80 ms — more than
opening the book and running the query — so the output layer draws these shapes here,
with the same box characters, padding, column sizing (Rich's collapse-the-widest rule)
and word wrapping. Only the standard library is imported. Styles (bold headers…) are
ANSI codes, written only when the output layer says colour is on.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

Justify = Literal["left", "right", "center"]
BOLD, DIM, ITALIC, RED, RESET = "\x1b[1m", "\x1b[2m", "\x1b[3m", "\x1b[31m", "\x1b[0m"


@lru_cache(maxsize=4096)
def _char_width(char: str) -> int:
    if unicodedata.combining(char) or char in "\u200b\u200c\u200d\ufeff":
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def width(text: str) -> int:
    """How many terminal cells ``text`` takes (wide East Asian characters take two)."""
    if text.isascii():
        return len(text)
    return sum(_char_width(c) for c in text)


def _split_at(text: str, cells: int) -> tuple[str, str]:
    """``text`` cut after ``cells`` terminal cells (at least one character)."""
    if text.isascii():
        return text[: max(cells, 1)], text[max(cells, 1) :]
    used = 0
    for index, char in enumerate(text):
        used += _char_width(char)
        if used > cells:
            return (text[:index], text[index:]) if index else (text[:1], text[1:])
    return text, ""


def wrap(text: str, cells: int) -> list[str]:
    """Lines of at most ``cells`` cells: broken at spaces, long words folded (like Rich)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if width(paragraph) <= cells:
            lines.append(paragraph)
            continue
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if width(candidate) <= cells:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = word
            while width(line) > cells:
                head, line = _split_at(line, cells)
                lines.append(head)
        lines.append(line)
    return lines


def truncate(text: str, cells: int) -> str:
    """One line of at most ``cells`` cells, ending in … when cut (Rich's ellipsis overflow)."""
    text = text.replace("\n", " ")
    if width(text) <= cells:
        return text
    head, _ = _split_at(text, max(cells - 1, 0))
    return (head if cells > 1 else "") + "…"


def pad(text: str, cells: int, justify: Justify = "left") -> str:
    gap = cells - width(text)
    if gap <= 0:
        return text
    if justify == "right":
        return " " * gap + text
    if justify == "center":
        left = gap // 2
        return " " * left + text + " " * (gap - left)
    return text + " " * gap


def _ratio_reduce(
    total: int, ratios: list[int], maximums: list[int], values: list[int]
) -> list[int]:
    """Take ``total`` away from ``values`` in proportion to ``ratios`` (Rich's rule)."""
    ratios = [ratio if top else 0 for ratio, top in zip(ratios, maximums, strict=True)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return values[:]
    remaining = total
    out = []
    for ratio, top, value in zip(ratios, maximums, values, strict=True):
        if ratio and total_ratio > 0:
            taken = min(top, round(ratio * remaining / total_ratio))
            out.append(value - taken)
            remaining -= taken
            total_ratio -= ratio
        else:
            out.append(value)
    return out


def _collapse(widths: list[int], limit: int) -> list[int]:
    """Shrink the widest columns first until the table fits ``limit`` (Rich's rule)."""
    excess = sum(widths) - limit
    while excess > 0:
        widest = max(widths)
        second = max((w for w in widths if w != widest), default=0)
        step = widest - second
        if not step:
            break
        ratios = [1 if w == widest else 0 for w in widths]
        widths = _ratio_reduce(excess, ratios, [min(excess, step)] * len(widths), widths)
        excess = sum(widths) - limit
    if sum(widths) > limit:
        widths = _ratio_reduce(sum(widths) - limit, [1] * len(widths), widths, widths)
    return widths


@dataclass(frozen=True)
class Col:
    """A column to draw: its header, alignment and optional widest content."""

    header: str
    justify: Justify = "left"
    max_width: int | None = None


def _longest_word(text: str) -> int:
    return max((width(w) for line in text.split("\n") for w in line.split(" ")), default=0)


def _column_widths(columns: Sequence[Col], cells: list[list[str]], limit: int) -> list[int]:
    """Content widths (padding excluded) for ``columns`` in ``limit`` cells of borders."""
    last = len(columns) - 1
    pads = [(0 if i == 0 else 1) + (0 if i == last else 1) for i in range(len(columns))]
    widths = []
    for index, col in enumerate(columns):
        texts = [col.header, *(row[index] for row in cells)]
        natural = max((width(line) for t in texts for line in t.split("\n")), default=0)
        total = natural + pads[index]
        if col.max_width is not None:
            total = min(total, col.max_width + pads[index])
        widths.append(max(total, 1))
    inner = limit - (len(columns) + 1)
    if sum(widths) > inner:
        # Better than Rich's rule where it can be: an amount, a date, an id or a phone number
        # is never cut in the middle. First only the columns wider than their longest word
        # shrink; then the columns of words (names, stages, subjects) may fold down to 6
        # cells, then 4; only when even that does not fit, Rich's collapse of the widest columns.
        words = [
            max(_longest_word(col.header), *(_longest_word(row[i]) for row in cells), 1)
            for i, col in enumerate(columns)
        ]
        texty = [
            col.justify != "right" and not all(atomic(row[i]) for row in cells)
            for i, col in enumerate(columns)
        ]
        for floor in (
            [min(w, words[i] + pads[i]) for i, w in enumerate(widths)],
            *(
                [
                    min(w, (min(words[i], fold) if texty[i] else words[i]) + pads[i])
                    for i, w in enumerate(widths)
                ]
                for fold in (6, 4)
            ),
        ):
            if sum(floor) <= inner:
                widths = _shrink_to(widths, floor, inner)
                break
        else:
            widths = _collapse(widths, inner)
    return [max(w - p, 1) for w, p in zip(widths, pads, strict=True)]


def atomic(text: str) -> bool:
    """A cell read as tokens: empty, or words that each hold a digit (an id, a date and
    time, a phone number)."""
    return all(any(c.isdigit() for c in word) for word in text.split())


def _shrink_to(widths: list[int], floors: list[int], limit: int) -> list[int]:
    """Take cells from the widest columns that are still above their floor until it fits."""
    widths = widths[:]
    excess = sum(widths) - limit
    while excess > 0:
        slack = [i for i, w in enumerate(widths) if w > floors[i]]
        widest = max(widths[i] for i in slack)
        tops = [i for i in slack if widths[i] == widest]
        below = max((widths[i] for i in slack if widths[i] < widest), default=0)
        step = min(widest - max(below, *(floors[i] for i in tops)), -(-excess // len(tops)))
        for i in tops:
            cut = min(max(step, 1), widths[i] - floors[i], excess)
            widths[i] -= cut
            excess -= cut
            if excess <= 0:
                break
    return widths


def _style(text: str, style: str | None, color: bool) -> str:
    return f"{style}{text}{RESET}" if color and style and text else text


def table(
    columns: Sequence[Col],
    cells: list[list[str]],
    *,
    limit: int,
    title: str | None = None,
    caption: str | None = None,
    color: bool = False,
) -> str:
    """A table in Rich's default look (heavy header box, no edge padding)."""
    widths = _column_widths(columns, cells, limit)
    last = len(columns) - 1

    def line(left: str, fill: str, cross: str, right: str) -> str:
        parts = []
        for i, w in enumerate(widths):
            parts.append(fill * (w + (0 if i == 0 else 1) + (0 if i == last else 1)))
        return left + cross.join(parts) + right

    def row_lines(
        texts: Sequence[str], edge: str, style: str | None, *, bottom: bool = False
    ) -> list[str]:
        wrapped = [wrap(t, w) for t, w in zip(texts, widths, strict=True)]
        height = max(len(w) for w in wrapped)
        if bottom:  # header cells sit on the rule below them, as in Rich
            wrapped = [[""] * (height - len(w)) + w for w in wrapped]
        out = []
        for n in range(height):
            parts = []
            for i, (lines, w) in enumerate(zip(wrapped, widths, strict=True)):
                text = lines[n] if n < len(lines) else ""
                body = _style(pad(text, w, columns[i].justify), style, color)
                parts.append(("" if i == 0 else " ") + body + ("" if i == last else " "))
            out.append(edge + edge.join(parts) + edge)
        return out

    total = sum(widths) + sum(
        (0 if i == 0 else 1) + (0 if i == last else 1) for i in range(len(widths))
    )
    total += len(widths) + 1
    out = []
    if title:
        for text in wrap(title, total):
            out.append(_style(pad(text, total, "center"), ITALIC, color))
    out.append(line("┏", "━", "┳", "┓"))
    out.extend(row_lines([c.header for c in columns], "┃", BOLD, bottom=True))
    out.append(line("┡", "━", "╇", "┩"))
    for row in cells:
        out.extend(row_lines(row, "│", None))
    out.append(line("└", "─", "┴", "┘"))
    if caption:
        for text in wrap(caption, total):
            out.append(_style(pad(text, total, "center"), DIM, color))
    return "\n".join(out)


def card(pairs: Sequence[tuple[str, str]], *, limit: int, color: bool = False) -> str:
    """A two-column record card: bold labels, values wrapped to the terminal (Rich's grid)."""
    if not pairs:
        return ""
    label_width = max(width(label) for label, _ in pairs)
    natural = max(width(ln) for _, value in pairs for ln in value.split("\n"))
    value_width = max(min(natural, limit - label_width - 2), 1)
    out = []
    for label, value in pairs:
        lines = wrap(value, value_width)
        for n, text in enumerate(lines):
            head = _style(pad(label if n == 0 else "", label_width), BOLD, color and n == 0)
            out.append(f"{head}  {pad(text, value_width)}")
    return "\n".join(out)


@dataclass(frozen=True)
class Line:
    """One line of a panel: text (cut with … to fit) and an optional ANSI style."""

    text: str
    style: str | None = None
    # Trailing pieces drawn in their own style (e.g. a red "! 3 idle" after a count).
    tail: tuple[tuple[str, str | None], ...] = ()


def panels(
    titled: Sequence[tuple[Line, list[Line]]],
    *,
    panel_width: int,
    per_row: int,
    color: bool = False,
) -> list[str]:
    """Rounded boxes side by side, ``per_row`` to a row, each as tall as the tallest."""
    inner = panel_width - 4  # borders and one space of padding each side
    out: list[str] = []
    for start in range(0, len(titled), per_row):
        chunk = titled[start : start + per_row]
        height = max(len(body) for _, body in chunk)
        boxes = []
        for title, body in chunk:
            name = truncate(title.text, panel_width - 6)
            top = "╭─ " + _style(name, title.style, color) + " "
            top += "─" * (panel_width - 5 - width(name)) + "╮"
            rows = [top]
            for n in range(height):
                item = body[n] if n < len(body) else Line("")
                rows.append("│ " + _panel_line(item, inner, color) + " │")
            rows.append("╰" + "─" * (panel_width - 2) + "╯")
            boxes.append(rows)
        filler = " " * panel_width
        for n in range(height + 2):
            out.append("".join(box[n] for box in boxes) + filler * (per_row - len(boxes)))
    return out


def _panel_line(item: Line, cells: int, color: bool) -> str:
    pieces = [(item.text, item.style), *item.tail]
    full = "".join(text for text, _ in pieces)
    if width(full) > cells:
        return _style(pad(truncate(full, cells), cells), item.style, color)
    drawn = "".join(_style(text, style, color) for text, style in pieces)
    return drawn + " " * (cells - width(full))
