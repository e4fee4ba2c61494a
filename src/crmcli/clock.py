"""The one clock of the program, and the parsing of the times and amounts of time people type.

``CRM_NOW`` (ISO 8601) fixes "now" for the whole process so scripts and tests are
reproducible. Times are parsed in the user's zone (``CRM_TZ``, else the system zone) and
returned timezone-aware; storage converts them to UTC.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cache
from typing import Any

from crmcli.errors import InvalidInput

_REL = re.compile(
    r"^(?:in\s+)?([+-]?)\s*(\d+)\s*(m|min|mins|minutes?|h|hrs?|hours?|d|days?|w|weeks?|mo|months?|y|years?)(\s+ago)?$",
    re.IGNORECASE,
)
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(w|d|h|m|s)", re.IGNORECASE)


@cache
def local_zone() -> tzinfo:
    """The user's time zone: ``CRM_TZ`` (an IANA name) or the system's."""
    name = os.environ.get("CRM_TZ") or os.environ.get("TZ")
    if name in ("UTC", "Etc/UTC"):  # no zone database to read (servers, scripts, tests)
        return UTC
    from dateutil import tz  # 10 ms; only the commands that print or parse times pay it

    zone = tz.gettz(name) if name else None
    chosen: tzinfo = zone or tz.tzlocal()
    return chosen


def zone_name() -> str | None:
    """The IANA name of the user's zone (for iCalendar TZID), if known."""
    name = os.environ.get("CRM_TZ") or os.environ.get("TZ")
    if name:
        from dateutil import tz

        return name if tz.gettz(name) is not None else None
    try:
        # The system zone has no name in dateutil; tzlocal knows it where it is installed.
        from tzlocal import get_localzone_name

        return str(get_localzone_name())
    except Exception:
        return None


def zone_label() -> str:
    """The user's zone as shown in messages."""
    return zone_name() or "the local time zone"


def now() -> datetime:
    """The current time, timezone-aware in UTC; ``CRM_NOW`` overrides it."""
    fixed = os.environ.get("CRM_NOW")
    if fixed:
        try:
            value = datetime.fromisoformat(fixed)
        except ValueError as exc:
            raise InvalidInput(
                f"CRM_NOW={fixed!r} is not an ISO 8601 time",
                hint="use ISO 8601, e.g. CRM_NOW=2026-11-23T10:00:00+01:00",
            ) from exc
        if value.tzinfo is None:
            value = value.replace(tzinfo=local_zone())
        return value.astimezone(UTC)
    return datetime.now(UTC)


def today() -> date:
    """Today's date in the user's zone."""
    return now().astimezone(local_zone()).date()


def to_local(value: datetime) -> datetime:
    """``value`` shown in the user's zone."""
    return value.astimezone(local_zone())


def _relative(amount: int, unit: str) -> Any:
    """A timedelta, or a relativedelta for months and years."""
    from dateutil.relativedelta import relativedelta

    unit = unit.lower()
    if unit.startswith("mo"):
        return relativedelta(months=amount)
    if unit.startswith("m"):
        return timedelta(minutes=amount)
    if unit.startswith("h"):
        return timedelta(hours=amount)
    if unit.startswith("d"):
        return timedelta(days=amount)
    if unit.startswith("w"):
        return timedelta(weeks=amount)
    return relativedelta(years=amount)


_DAY_WORDS = {"today": 0, "tomorrow": 1, "yesterday": -1}
_TIME_WORDS = {"noon": "12:00", "midday": "12:00", "midnight": "00:00"}
# 01/02/2026, 1.2., 12-1: day and month both <= 12 and different = two possible dates.
_NUMERIC_DATE = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{2,4}))?\.?(?:\s|$)")
_HINT = "try 2026-12-01, 2026-12-01 14:30, tomorrow 9am, +3d, next friday, in 2 hours"


def _fmt(value: datetime) -> str:
    return value.strftime("%a %Y-%m-%d %H:%M %Z").strip()


def _check_wall_time(value: datetime, text: str) -> datetime:
    """A local wall time the user typed must exist once: DST gaps and folds are errors."""
    from dateutil import tz

    if not tz.datetime_exists(value):
        raise InvalidInput(
            f"{text!r} is {value:%Y-%m-%d %H:%M}, a time that does not exist in "
            f"{zone_label()} (the clocks go forward then)",
            hint="pick a time an hour later or earlier",
        )
    if tz.datetime_ambiguous(value):
        first = tz.enfold(value, fold=0)
        second = tz.enfold(value, fold=1)
        raise InvalidInput(
            f"{text!r} is ambiguous: {value:%Y-%m-%d %H:%M} happens twice in {zone_label()} "
            f"({first.isoformat()} and {second.isoformat()})",
            hint="add the offset, e.g. 2026-10-25 02:30+02:00",
        )
    return value


def _parse_fields(raw: str, text: str) -> tuple[datetime, set[str]]:
    """dateutil's reading of ``raw`` and which of year/month/day it found in the text.

    Parsing twice with two different defaults tells what came from the text and what
    dateutil would silently have filled in from the default.
    """
    from dateutil import parser, tz

    unknown: list[str] = []

    def tzinfos(name: str | None, offset: int | None) -> tzinfo | None:
        # dateutil asks for every parsed time, with name None when the text named no zone.
        if not name:
            return None if offset is None else tz.tzoffset(None, offset)
        zone: tzinfo | None = tz.gettz(name)
        if zone is None:
            unknown.append(name)
        return zone

    try:
        one = parser.parse(raw, default=datetime(2000, 1, 1), tzinfos=tzinfos)
        two = parser.parse(raw, default=datetime(2004, 2, 2), tzinfos=tzinfos)
    except (ValueError, OverflowError) as exc:
        reason = str(exc).split(":")[0] if "Unknown string format" not in str(exc) else ""
        detail = f" ({reason})" if reason else ""
        raise InvalidInput(f"cannot read the date {text!r}{detail}", hint=_HINT) from exc
    if unknown:
        raise InvalidInput(
            f"unknown time zone {unknown[0]!r} in {text!r}",
            hint="use an offset (+01:00), Z, or an IANA name like Europe/Berlin",
        )
    found = {
        name
        for name, a, b in (
            ("year", one.year, two.year),
            ("month", one.month, two.month),
            ("day", one.day, two.day),
        )
        if a == b
    }
    return one, found


def _ambiguous_numeric(raw: str, text: str) -> None:
    match = _NUMERIC_DATE.match(raw)
    if not match:
        return
    first, second = int(match.group(1)), int(match.group(2))
    if first <= 12 and second <= 12 and first != second:
        raise InvalidInput(
            f"{text!r} is ambiguous: month {first} day {second}, or day {first} month {second}?",
            hint="write the date as ISO: 2026-12-01",
        )


def parse_when(text: str, *, base: datetime | None = None) -> datetime:
    """Parse a time a person typed (ISO, ``tomorrow 9am``, ``+3d``, ``next friday``…).

    Relative forms count from ``base`` (default: now) in the user's zone. A date without
    a time means midnight local time. Raises InvalidInput, showing what was understood,
    rather than guessing.
    """
    zone = local_zone()
    current = (base or now()).astimezone(zone)
    raw = " ".join(text.strip().split())
    lowered = raw.lower()
    if not lowered:
        raise InvalidInput("empty date", hint=_HINT)
    if lowered == "now":
        return current.astimezone(UTC)

    match = _REL.match(re.sub(r"^in an? ", "in 1 ", lowered))
    if match:
        return _shift(current, match)

    for word, clock_time in _TIME_WORDS.items():
        raw = re.sub(rf"\b{word}\b", clock_time, raw, flags=re.IGNORECASE)
    words = raw.split()
    folded = [w.lower() for w in words]
    # "9am tomorrow", "10:00 next monday": the day part may come last.
    if all(_day_of(folded[:size], current) is None for size in (2, 1)):
        for size in (2, 1):
            if len(words) > size and _day_of(folded[-size:], current) is not None:
                words = words[-size:] + words[:-size]
                folded = folded[-size:] + folded[:-size]
                break

    day: date | None = None
    rest = raw
    for size in (2, 1):
        found = _day_of(folded[:size], current) if len(words) >= size else None
        if found is not None:
            day = found
            rest = " ".join(words[size:])
            break

    if day is not None:
        understood = f"{' '.join(folded[: len(words) - len(rest.split())])} = {day:%a %Y-%m-%d}"
        rest = re.sub(r"^at\s+", "", rest, flags=re.IGNORECASE).strip()
        if not rest:
            return datetime.combine(day, time(0), zone).astimezone(UTC)
        parsed, found_fields = _parse_time_only(rest, text, understood)
        wall = datetime.combine(day, parsed.time(), parsed.tzinfo or zone)
        if parsed.tzinfo is None:
            wall = _check_wall_time(wall, text)
        return wall.astimezone(UTC)

    if lowered.isdigit():
        raise InvalidInput(
            f"{text!r} is ambiguous: a day, a year or a time?",
            hint="write 2026-12-01, 9am or 14:00",
        )
    _ambiguous_numeric(raw, text)
    parsed, found_fields = _parse_fields(raw, text)
    if "day" in found_fields and "month" not in found_fields:
        raise InvalidInput(
            f"{text!r} names a day ({parsed.day}) but no month", hint="write 2026-12-01"
        )
    if "month" in found_fields and "day" not in found_fields:
        raise InvalidInput(
            f"{text!r} names a month ({parsed:%B}) but no day", hint="write 2026-12-01"
        )
    if "year" in found_fields and "month" not in found_fields:
        raise InvalidInput(f"{text!r} names a year but no date", hint="write 2026-12-01")
    year = parsed.year if "year" in found_fields else current.year
    month, day_n = (
        (parsed.month, parsed.day) if "day" in found_fields else (current.month, current.day)
    )
    try:
        value = parsed.replace(year=year, month=month, day=day_n)
    except ValueError as exc:
        raise InvalidInput(f"cannot read the date {text!r}: {exc}", hint=_HINT) from exc
    if value.tzinfo is None:
        value = _check_wall_time(value.replace(tzinfo=zone), text)
    return value.astimezone(UTC)


def _shift(current: datetime, match: re.Match[str]) -> datetime:
    """``+3d``, ``in 2 hours``, ``3 weeks ago``: hours and minutes are elapsed time,
    days and longer keep the wall-clock time across a DST change."""
    from dateutil import tz

    sign, amount, unit, ago = match.groups()
    delta = _relative(int(amount), unit)
    negative = (sign == "-") ^ bool(ago)
    if isinstance(delta, timedelta) and delta < timedelta(days=1):
        base = current.astimezone(UTC)
        return base - delta if negative else base + delta
    result: datetime = current - delta if negative else current + delta
    resolved: datetime = tz.resolve_imaginary(result)
    return resolved.astimezone(UTC)


def _day_of(words: list[str], current: datetime) -> date | None:
    """The day named by ``today``/``tomorrow``/``next friday``/``monday``…, else None."""
    if not words:
        return None
    first = words[0]
    if len(words) == 1:
        if first in _DAY_WORDS:
            return current.date() + timedelta(days=_DAY_WORDS[first])
        target = _weekday(first)
        if target is not None:
            return current.date() + timedelta(days=(target - current.weekday()) % 7)
        return None
    if first not in ("next", "last", "this") or len(words) != 2:
        return None
    name = words[1]
    target = _weekday(name)
    if target is not None:
        delta_days = (target - current.weekday()) % 7
        if first == "next":
            delta_days = delta_days or 7
        elif first == "last":
            delta_days = -((current.weekday() - target) % 7 or 7)
        return current.date() + timedelta(days=delta_days)
    if name in ("week", "month", "year") and first != "this":
        unit = {"week": "w", "month": "mo", "year": "y"}[name]
        shifted: datetime = current + _relative(1 if first == "next" else -1, unit)
        return shifted.date()
    return None


def _weekday(name: str) -> int | None:
    if len(name) < 3:
        return None
    return next((i for i, w in enumerate(_WEEKDAYS) if w.startswith(name)), None)


def _parse_time_only(rest: str, text: str, understood: str) -> tuple[datetime, set[str]]:
    """The time of day after a day word; a bare ``9`` (am or pm?) is refused."""
    if rest.isdigit():
        raise InvalidInput(
            f"cannot read the time {rest!r} in {text!r} (understood {understood}): "
            f"{rest}am or {rest}pm?",
            hint=f"write {rest}am, {rest}pm or {int(rest) % 24:02d}:00",
        )
    try:
        parsed, found = _parse_fields(rest, text)
    except InvalidInput as exc:
        raise InvalidInput(
            f"cannot read the time {rest!r} in {text!r} (understood {understood})",
            hint="try 9am, 14:30, 4pm",
        ) from exc
    if found:
        raise InvalidInput(
            f"{text!r} names two days (understood {understood}, then {rest!r})",
            hint="write the day once: tomorrow 9am or 2026-12-01 09:00",
        )
    return parsed, found


def parse_date(text: str) -> date:
    """Parse a calendar date (``2026-12-15``, ``+30d``, ``next friday``) in the user's zone."""
    return parse_when(text).astimezone(local_zone()).date()


def parse_duration(text: str) -> timedelta:
    """Parse an amount of time: ``30m``, ``1h30m``, ``2d``, ``1.5h``, ``90`` (minutes)."""
    raw = text.strip().lower().replace(" ", "")
    if raw.isdigit():
        return timedelta(minutes=int(raw))
    pos = 0
    total = timedelta()
    for match in _DURATION.finditer(raw):
        if match.start() != pos:
            break
        amount = float(match.group(1))
        unit = match.group(2)
        total += {
            "w": timedelta(weeks=amount),
            "d": timedelta(days=amount),
            "h": timedelta(hours=amount),
            "m": timedelta(minutes=amount),
            "s": timedelta(seconds=amount),
        }[unit]
        pos = match.end()
    if pos != len(raw) or pos == 0:
        raise InvalidInput(f"cannot read the duration {text!r}", hint="try 30m, 1h30m, 2d")
    return total
