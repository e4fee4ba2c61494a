"""A DataTable of records: one page at a time, row keys are record ids."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from textual.widgets import DataTable

from crmcli.tui.format import cell


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

    def current(self) -> dict[str, Any] | None:
        """The record under the cursor."""
        if not self.records or not 0 <= self.cursor_row < len(self.records):
            return None
        return self.records[self.cursor_row]
