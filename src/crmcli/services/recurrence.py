"""Recurring activities: RFC 5545 RRULEs through dateutil.rrule, expanded on read.

A series is one ``activities`` row: its start (``start_at``, or ``due_at`` for a task
without a start) anchors the rule, ``rrule`` holds the rule without DTSTART, and
``exdates`` lists excluded occurrences (comma-separated UTC ISO times). Occurrences are
never stored; an occurrence completed, moved or edited on its own becomes a row of its
own (``series_id`` + ``recurrence_at``) and its original time joins ``exdates``.

Rules are expanded in the user's zone (``CRM_TZ``), so a weekly 10:00 meeting stays at
10:00 local time across daylight-saving changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from crmcli import clock
from crmcli.errors import InvalidInput

_WEEKDAY_NAMES = tuple(
    (name, name[:2].upper())
    for name in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
)
_FREQS = {"day": "DAILY", "week": "WEEKLY", "month": "MONTHLY", "year": "YEARLY"}
_EVERY = re.compile(
    r"^(?:every\s+)?(?:(\d+)\s+)?"
    r"(daily|weekly|monthly|yearly|annually|biweekly|fortnightly|weekdays?|days?|weeks?|months?|years?)"
    r"(?:\s+on\s+(.+))?$"
)
_ORDINAL_DAY = re.compile(r"^([+-]?\d{1,2})?([a-z]{2,9})$")
_ORDINALS = {"first": "1", "second": "2", "third": "3", "fourth": "4", "last": "-1"}
_ALLOWED_FREQ = ("HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_HINT_EVERY = 'try "daily", "weekly", "weekly on mon,wed", "every 2 weeks", "monthly on 1mo"'
# A rule whose first occurrence is further away than this is treated as never yielding.
SEARCH_YEARS = 10


def every_to_rrule(text: str) -> str:
    """Turn ``--every`` words into an RRULE: ``weekly on mon,wed`` → ``FREQ=WEEKLY;BYDAY=MO,WE``."""
    raw = " ".join(text.lower().replace(",", ", ").split()).replace(" ,", ",")
    match = _EVERY.match(raw)
    if not match:
        raise InvalidInput(f"cannot read the recurrence {text!r}", hint=_HINT_EVERY)
    number, unit, on = match.groups()
    interval = int(number) if number else 1
    if interval < 1:
        raise InvalidInput(
            f"{text!r}: the interval must be at least 1", hint="e.g. 'every 2 weeks'"
        )
    parts: dict[str, str] = {}
    if unit.startswith("weekday"):
        parts = {"FREQ": "WEEKLY", "BYDAY": "MO,TU,WE,TH,FR"}
    elif unit in ("biweekly", "fortnightly"):
        parts = {"FREQ": "WEEKLY"}
        interval *= 2
    elif unit == "annually":
        parts = {"FREQ": "YEARLY"}
    elif unit.endswith("ly"):
        parts = {"FREQ": unit.upper()}
    else:
        parts = {"FREQ": _FREQS[unit.rstrip("s")]}
    if interval > 1:
        parts["INTERVAL"] = str(interval)
    if on:
        days, monthdays = _on_days(on, text)
        if days:
            if "BYDAY" in parts:
                raise InvalidInput(
                    f"{text!r}: weekdays already name the days",
                    hint="use 'weekly on mon,wed' or 'every monday', not both",
                )
            parts["BYDAY"] = ",".join(days)
        if monthdays:
            parts["BYMONTHDAY"] = ",".join(monthdays)
    return ";".join(f"{k}={v}" for k, v in parts.items())


def _on_days(on: str, text: str) -> tuple[list[str], list[str]]:
    days: list[str] = []
    monthdays: list[str] = []
    for item in (p.strip() for p in on.replace(" and ", ",").split(",")):
        if not item:
            continue
        words = item.split()
        if len(words) == 2 and words[0] in _ORDINALS:
            item = _ORDINALS[words[0]] + words[1]  # noqa: PLW2901 - "first monday" → "1monday"
        if re.fullmatch(r"-?\d{1,2}", item):
            monthdays.append(item)
            continue
        match = _ORDINAL_DAY.match(item)
        name = match.group(2) if match else ""
        day = next((code for full, code in _WEEKDAY_NAMES if full.startswith(name)), None)
        if match is None or day is None:
            raise InvalidInput(f"cannot read the day {item!r} in {text!r}", hint=_HINT_EVERY)
        days.append(f"{match.group(1) or ''}{day}")
    return days, monthdays


def _parts(rule: str) -> dict[str, str]:
    text = rule.strip()
    text = text[len("RRULE:") :] if text.upper().startswith("RRULE:") else text
    if "\n" in text or "DTSTART" in text.upper():
        raise InvalidInput(
            "give the RRULE alone, without DTSTART", hint='e.g. --rrule "FREQ=WEEKLY;BYDAY=MO"'
        )
    parts: dict[str, str] = {}
    for piece in filter(None, text.split(";")):
        key, sep, value = piece.partition("=")
        if not sep or not value:
            raise InvalidInput(
                f"cannot read {piece!r} in the RRULE {rule!r}",
                hint="write it as NAME=VALUE;…, e.g. FREQ=WEEKLY;BYDAY=MO",
            )
        parts[key.strip().upper()] = value.strip().upper()
    if parts.get("FREQ") not in _ALLOWED_FREQ:
        raise InvalidInput(
            f"the RRULE {rule!r} needs FREQ={'|'.join(_ALLOWED_FREQ)}",
            hint="e.g. FREQ=MONTHLY;BYDAY=1MO",
        )
    return parts


def _until_utc(value: str, rule: str) -> datetime:
    """An RRULE UNTIL (date, floating local time, or UTC) as a UTC time."""
    zone = clock.local_zone()
    try:
        if len(value) == 8:
            day = datetime.strptime(value, "%Y%m%d")
            return day.replace(hour=23, minute=59, second=59, tzinfo=zone).astimezone(UTC)
        if value.endswith("Z"):
            return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        return datetime.strptime(value, "%Y%m%dT%H%M%S").replace(tzinfo=zone).astimezone(UTC)
    except ValueError as exc:
        raise InvalidInput(
            f"cannot read UNTIL={value} in the RRULE {rule!r}",
            hint="write UNTIL as 20261231T235959Z or 20261231",
        ) from exc


def until_end(value: datetime) -> datetime:
    """``--until 2026-12-31`` includes that whole day (a time of 00:00 means the date)."""
    local = value.astimezone(clock.local_zone())
    if (local.hour, local.minute, local.second) == (0, 0, 0):
        local = local.replace(hour=23, minute=59, second=59)
    return local.astimezone(UTC)


def build_rule(
    *,
    anchor: datetime,
    every: str | None = None,
    rrule: str | None = None,
    until: datetime | None = None,
    count: int | None = None,
) -> str | None:
    """The validated RRULE (UNTIL in UTC) for a series starting at ``anchor``, or None.

    Errors: both ``every`` and ``rrule``; COUNT with UNTIL; a rule that never yields.
    """
    if every and rrule:
        raise InvalidInput("give --every or --rrule, not both")
    if not every and not rrule:
        if until is not None or count is not None:
            raise InvalidInput("--until and --count need --every or --rrule")
        return None
    parts = _parts(every_to_rrule(every) if every else str(rrule))
    if until is not None:
        parts["UNTIL"] = until_end(until).strftime("%Y%m%dT%H%M%SZ")
    if count is not None:
        if count < 1:
            raise InvalidInput("--count must be at least 1")
        parts["COUNT"] = str(count)
    if "COUNT" in parts and "UNTIL" in parts:
        raise InvalidInput(
            "a recurrence takes COUNT or UNTIL, not both (RFC 5545)",
            hint="drop --count or --until",
        )
    if "UNTIL" in parts:
        parts["UNTIL"] = _until_utc(parts["UNTIL"], rrule or every or "").strftime("%Y%m%dT%H%M%SZ")
    rule = ";".join(f"{k}={v}" for k, v in parts.items())
    first = first_occurrence(rule, anchor)
    if first is None:
        raise InvalidInput(
            f"the recurrence {rule} never happens from {clock.to_local(anchor):%Y-%m-%d %H:%M} on",
            hint="check BYMONTHDAY/BYMONTH, UNTIL and the start",
        )
    return rule


@lru_cache(maxsize=256)
def _parsed(rule: str) -> Any:
    """A parsed rule with a placeholder start (replaced per series; parsing is the slow part)."""
    from dateutil.rrule import rrulestr  # 15 ms; only commands that expand series pay it

    placeholder = datetime(2000, 1, 1, tzinfo=clock.local_zone())
    try:
        return rrulestr(rule, dtstart=placeholder)
    except (ValueError, TypeError) as exc:
        raise InvalidInput(
            f"invalid RRULE {rule!r}: {exc}",
            hint="see RFC 5545 §3.3.10, e.g. FREQ=MONTHLY;BYDAY=1MO",
        ) from exc


def rule_for(rule: str, anchor: datetime) -> Any:
    """The dateutil rrule of ``rule`` starting at ``anchor`` (expanded in the user's zone)."""
    return _parsed(rule).replace(dtstart=anchor.astimezone(clock.local_zone()))


def first_occurrence(rule: str, anchor: datetime) -> datetime | None:
    """The first occurrence (UTC) within SEARCH_YEARS of the anchor, or None."""
    parts = _parts(rule)
    limit = anchor + timedelta(days=366 * SEARCH_YEARS)
    if parts["FREQ"] != "YEARLY" and parts.keys() & {"BYMONTH", "BYMONTHDAY", "BYYEARDAY"}:
        # dateutil walks every period up to year 9999 for a rule that can never match
        # (FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30 takes seconds), so first ask the same date
        # filters as a YEARLY rule, which steps a year at a time.
        yearly = {
            k: v for k, v in parts.items() if k in ("BYMONTH", "BYMONTHDAY", "BYYEARDAY", "BYDAY")
        }
        if "BYDAY" in yearly:
            yearly["BYDAY"] = re.sub(r"[+-]?\d+", "", yearly["BYDAY"])
        probe = ";".join(["FREQ=YEARLY", *(f"{k}={v}" for k, v in yearly.items())])
        if rule_for(probe, anchor).after(anchor, inc=True) is None:
            return None
    found = rule_for(rule, anchor).after(anchor.astimezone(clock.local_zone()), inc=True)
    if found is None or found > limit:
        return None
    return found.astimezone(UTC)  # type: ignore[no-any-return]


def parse_exdates(text: str | None) -> set[datetime]:
    """The ``exdates`` column as a set of UTC times."""
    if not text:
        return set()
    out = set()
    for item in text.split(","):
        value = datetime.fromisoformat(item.strip())
        out.add(value if value.tzinfo else value.replace(tzinfo=UTC))
    return out


def format_exdates(values: Iterable[datetime]) -> str | None:
    """UTC times as stored in ``exdates`` (sorted, comma-separated), None when empty."""
    items = sorted({v.astimezone(UTC) for v in values})
    return ",".join(v.isoformat() for v in items) or None


_WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@lru_cache(maxsize=256)
def _simple(rule: str) -> tuple[str, int, frozenset[int] | None, datetime | None] | None:
    """(freq, interval, weekdays, until) for the rules an agenda meets most — DAILY or
    WEEKLY with INTERVAL, plain BYDAY, UNTIL — which are expanded arithmetically; None
    for anything else (dateutil expands those)."""
    try:
        parts = _parts(rule)
    except InvalidInput:
        return None
    if parts["FREQ"] not in ("DAILY", "WEEKLY") or set(parts) - {
        "FREQ",
        "INTERVAL",
        "BYDAY",
        "UNTIL",
        "WKST",
    }:
        return None
    if parts.get("WKST", "MO") != "MO":
        return None
    days: frozenset[int] | None = None
    if "BYDAY" in parts:
        codes = parts["BYDAY"].split(",")
        if any(code not in _WEEKDAY_CODES for code in codes):
            return None  # ordinals (1MO) and typos go to dateutil
        days = frozenset(_WEEKDAY_CODES.index(code) for code in codes)
    until = None
    if "UNTIL" in parts:
        if not parts["UNTIL"].endswith("Z"):
            return None
        until = datetime.strptime(parts["UNTIL"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    interval = int(parts.get("INTERVAL", "1"))
    if interval < 1:
        return None
    return parts["FREQ"], interval, days, until


def _simple_occurrences(
    spec: tuple[str, int, frozenset[int] | None, datetime | None],
    anchor: datetime,
    start: datetime,
    end: datetime,
) -> list[datetime]:
    """Occurrences of a simple rule in [start, end): the same as dateutil's, without its
    per-series set-up cost (thousands of series in one agenda query)."""
    freq, interval, days, until = spec
    zone = clock.local_zone()
    local_anchor = anchor.astimezone(zone)
    first_day = local_anchor.date()
    wall = local_anchor.time()
    if freq == "WEEKLY" and days is None:
        days = frozenset({first_day.weekday()})
    anchor_week = first_day - timedelta(days=first_day.weekday())
    day = max(first_day, start.astimezone(zone).date() - timedelta(days=1))
    last = end.astimezone(zone).date() + timedelta(days=1)
    out = []
    while day <= last:
        if freq == "DAILY":
            ok = (day - first_day).days % interval == 0 and (days is None or day.weekday() in days)
        else:
            week = day - timedelta(days=day.weekday())
            ok = ((week - anchor_week).days // 7) % interval == 0 and day.weekday() in (days or ())
        if ok:
            at = datetime.combine(day, wall, zone).astimezone(UTC)
            if until is not None and at > until:
                break
            if start <= at < end and at >= anchor:
                out.append(at)
        day += timedelta(days=1)
    return out


@lru_cache(maxsize=256)
def _keeps_wall_time(rule: str) -> bool:
    """Whether every occurrence is at the anchor's local clock time (daily or coarser,
    no BYHOUR/BYMINUTE/BYSECOND)."""
    try:
        parts = _parts(rule)
    except InvalidInput:
        return False
    return parts["FREQ"] in ("DAILY", "WEEKLY", "MONTHLY", "YEARLY") and not (
        parts.keys() & {"BYHOUR", "BYMINUTE", "BYSECOND"}
    )


def _misses_by_wall_time(rule: str, anchor: datetime, start: datetime, end: datetime) -> bool:
    """A short window (reminders: the next 15 minutes) cannot hold an occurrence of a series
    whose clock time lies outside it: thousands of series skipped without expanding them.
    A window across a daylight-saving shift gets an hour of margin each side."""
    if not _keeps_wall_time(rule):
        return False
    wall = anchor.astimezone(clock.local_zone()).time()
    first, last = _wall_window(start, end)
    inside = first <= wall <= last if first <= last else (wall >= first or wall <= last)
    return not inside


@lru_cache(maxsize=8)
def _wall_window(start: datetime, end: datetime) -> tuple[time, time]:
    """The local clock times a window spans (an hour wider each side across a DST shift)."""
    zone = clock.local_zone()
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    if local_start.utcoffset() == local_end.utcoffset():
        return local_start.time(), local_end.time()
    first = (start - timedelta(hours=1)).astimezone(zone).time()
    return first, (end + timedelta(hours=1)).astimezone(zone).time()


def occurrences(
    rule: str,
    anchor: datetime,
    start: datetime,
    end: datetime,
    *,
    exdates: Iterable[datetime] = (),
) -> list[datetime]:
    """Occurrence starts (UTC) with ``start <= t < end``, minus the excluded ones."""
    if end - start < timedelta(hours=22) and _misses_by_wall_time(rule, anchor, start, end):
        return []
    excluded = {e.astimezone(UTC) for e in exdates}
    spec = _simple(rule)
    if spec is not None and end - start <= timedelta(days=62):
        found = _simple_occurrences(spec, anchor, start, end)
        return [f for f in found if f not in excluded]
    zone = clock.local_zone()
    expanded = rule_for(rule, anchor).between(
        start.astimezone(zone), end.astimezone(zone), inc=True
    )
    out = []
    for value in expanded:
        utc = value.astimezone(UTC)
        if utc < end and utc not in excluded:
            out.append(utc)
    return out


def occurrence_at(
    rule: str, anchor: datetime, wanted: datetime, *, exdates: Iterable[datetime] = ()
) -> datetime | None:
    """The occurrence starting at ``wanted``; for a local midnight, the one on that day."""
    local = wanted.astimezone(clock.local_zone())
    if (local.hour, local.minute, local.second) == (0, 0, 0):
        day_start = local
        day_end = local + timedelta(days=1)
        found = occurrences(rule, anchor, day_start, day_end, exdates=exdates)
        if len(found) > 1:
            times = ", ".join(f"{clock.to_local(f):%H:%M}" for f in found)
            raise InvalidInput(
                f"the series happens {len(found)} times on {local:%Y-%m-%d} ({times})",
                hint="give the time too: --occurrence '2026-11-30 10:00'",
            )
        return found[0] if found else None
    exact = occurrences(rule, anchor, wanted, wanted + timedelta(seconds=1), exdates=exdates)
    return exact[0] if exact else None
