"""A DataTable of records: one page at a time, row keys are record ids."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual.widgets import DataTable

from crmcli.tui.format import Cell, cell


@dataclass(frozen=True)
class Col:
    """A column: the row key it shows, its label, the service's sort key (None: unsortable),
    an optional formatter and whether it is right-aligned."""

    key: str
    label: str
    sort: str | None = None
    fmt: Callable[[dict[str, Any]], Any] | None = None
    right: bool = False
    width: int | None = None


class RecordTable(DataTable[Any]):
    """Rows of records; ``show`` replaces the rows (a page) in one go."""

    def __init__(self, columns: Sequence[Col], **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.cols = list(columns)
        self.records: list[dict[str, Any]] = []
        self.fast_cells = True  # False: DataTable renders every cell (the tests compare)

    def on_mount(self) -> None:
        self._ensure_columns()

    def _ensure_columns(self) -> None:
        # A page can arrive before this widget's own Mount is handled: columns first, always.
        if not self.columns:
            for col in self.cols:
                self.add_column(col.label, key=col.key, width=col.width)

    def show(self, records: Sequence[dict[str, Any]]) -> None:
        """Replace the rows; the cursor goes back to the top."""
        self._ensure_columns()
        self.clear()
        self.records = list(records)
        for index, record in enumerate(self.records):
            self.add_row(
                *(
                    cell(
                        col.fmt(record) if col.fmt else record.get(col.key),
                        justify="right" if col.right else "left",
                    )
                    for col in self.cols
                ),
                key=str(record.get("id") or record.get("handle") or index),
            )

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> list[list[Segment]]:
        """A one-line data cell holding a ``Cell`` as one segment, styled as DataTable styles
        it (base, cursor/hover component, CSS-priority colours, the row/column meta that
        clicks read) — without the Rich pipeline DataTable runs for each cell (``Padding``,
        ``Styled``, ``render_lines``), which is most of a page flip's paint. Anything else
        (headers, labels, wrapped rows, styled ``Text``) is DataTable's own rendering;
        tests/tui/test_format.py checks that both paint the same."""
        pad = self.cell_padding
        if row_index >= 0 and column_index >= 0 and width > 2 * pad and self.fast_cells:
            row_key = self._row_locations.get_key(row_index)
            row = self.rows.get(row_key) if row_key is not None else None
            if row is not None and row.height == 1 and row_index >= self.fixed_rows:
                value = self._get_row_renderables(row_index).cells[column_index]
                if isinstance(value, Cell) and column_index >= self.fixed_columns:
                    component, post = self._get_styles_to_render_cell(
                        False,
                        False,
                        False,
                        hover,
                        cursor,
                        self.show_cursor,
                        self._show_hover_cursor,
                        self.cursor_foreground_priority == "css",
                        self.cursor_background_priority == "css",
                    )
                    meta = Style.from_meta({"row": row_index, "column": column_index})
                    style = base_style + meta + component + post
                    text = " " * pad + value.fit(width - 2 * pad) + " " * pad
                    return [[Segment(text, style)]]
        return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)

    def current(self) -> dict[str, Any] | None:
        """The record under the cursor."""
        if not self.records or not 0 <= self.cursor_row < len(self.records):
            return None
        return self.records[self.cursor_row]
