"""One occurrence of a recurring series, shaped like an activity row, and its handle."""

from __future__ import annotations

from datetime import datetime

from crmcli import clock
from crmcli.services.handles import short
from crmcli.storage.db import Row


def anchor_of(row: Row) -> datetime:
    """Where a series starts: its start, else its due time."""
    anchor = row.get("start_at") or row.get("due_at")
    assert anchor is not None, "a series always has a start or a due time"
    return anchor  # type: ignore[no-any-return]


def occurrence_handle(series_id: str, at: datetime) -> str:
    """The handle of one occurrence: ``1a2b3c4d@2026-11-30T10:00`` (local time)."""
    return f"{short(series_id)}@{clock.to_local(at):%Y-%m-%dT%H:%M}"


def occurrence_row(series: Row, at: datetime) -> Row:
    """One occurrence of ``series`` starting at ``at``, shaped like an activity row."""
    shift = at - anchor_of(series)
    out = dict(series)
    out.update(
        id=None,
        series_id=series["id"],
        recurrence_at=at,
        handle=occurrence_handle(series["id"], at),
        start_at=series["start_at"] + shift if series.get("start_at") else None,
        end_at=series["end_at"] + shift if series.get("end_at") else None,
        due_at=series["due_at"] + shift if series.get("due_at") else None,
        done_at=None,
        exdates=None,
    )
    return out
