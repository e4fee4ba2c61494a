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
    from dateutil import tz  # 10 ms; only the commands that print or parse times pay it

    name = os.environ.get("CRM_TZ") or os.environ.get("TZ")
    zone = tz.gettz(name) if name else None
    return zone or tz.tzlocal()


def now() -> datetime:
    """The current time, timezone-aware in UTC; ``CRM_NOW`` overrides it."""
    fixed = os.environ.get("CRM_NOW")
    if fixed:
        try:
            value = datetime.fromisoformat(fixed)
        except ValueError as exc:
            raise InvalidInput(f"CRM_NOW={fixed!r} is not an ISO 8601 time") from exc
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


def _relative(amount: int, unit: str) -> timedelta | object:
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


def parse_when(text: str, *, base: datetime | None = None) -> datetime:
    """Parse a time a person typed (ISO, ``tomorrow 9am``, ``+3d``, ``next friday``…).

    Relative forms count from ``base`` (default: now) in the user's zone. A date without
    a time means midnight local time. Raises InvalidInput, showing what was understood,
    rather than guessing.
    """
    zone = local_zone()
    current = (base or now()).astimezone(zone)
    raw = text.strip()
    lowered = raw.lower()
    if not lowered:
        raise InvalidInput("empty date", hint="try 2026-12-01 14:30, tomorrow 9am, +3d")
    if lowered == "now":
        return current.astimezone(UTC)

    match = _REL.match(lowered)
    if match:
        sign, amount, unit, ago = match.groups()
        delta = _relative(int(amount), unit)
        negative = (sign == "-") ^ bool(ago)
        result = current - delta if negative else current + delta  # type: ignore[operator]
        return result.astimezone(UTC)  # type: ignore[no-any-return]

    day: date | None = None
    rest = lowered
    for word, offset in (("today", 0), ("tomorrow", 1), ("yesterday", -1)):
        if rest == word or rest.startswith(word + " "):
            day = current.date() + timedelta(days=offset)
            rest = rest[len(word) :].strip()
            break
    if day is None:
        words = rest.split(maxsplit=2)
        if words and words[0] in ("next", "last", "this") and len(words) > 1:
            name = words[1]
            target = next((i for i, w in enumerate(_WEEKDAYS) if w.startswith(name[:3])), None)
            if target is not None and len(name) >= 3:
                delta_days = (target - current.weekday()) % 7
                if words[0] == "next":
                    delta_days = delta_days or 7
                elif words[0] == "last":
                    delta_days = -((current.weekday() - target) % 7 or 7)
                day = current.date() + timedelta(days=delta_days)
                rest = words[2] if len(words) > 2 else ""
            elif name in ("week", "month", "year") and words[0] != "this":
                sign_n = 1 if words[0] == "next" else -1
                unit = {"week": "w", "month": "mo", "year": "y"}[name]
                shifted = current + _relative(sign_n, unit)  # type: ignore[operator]
                day = shifted.date()
                rest = words[2] if len(words) > 2 else ""
        elif words and any(w == words[0] for w in _WEEKDAYS):
            target = _WEEKDAYS.index(words[0])
            day = current.date() + timedelta(days=(target - current.weekday()) % 7)
            rest = " ".join(words[1:])

    from dateutil import parser  # 60 ms: only commands that take a date pay for it

    if day is not None:
        if not rest:
            return datetime.combine(day, time(0), zone).astimezone(UTC)
        rest = rest.removeprefix("at ").strip()
        try:
            parsed_time = parser.parse(rest, default=datetime.combine(day, time(0)))
        except (ValueError, OverflowError) as exc:
            raise InvalidInput(
                f"cannot read the time {rest!r} in {text!r}", hint="try 9am, 14:30, 4pm"
            ) from exc
        if parsed_time.date() != day:
            raise InvalidInput(f"{text!r} names two different days")
        return parsed_time.replace(tzinfo=zone).astimezone(UTC)

    try:
        parsed = parser.parse(raw, default=datetime.combine(current.date(), time(0)))
    except (ValueError, OverflowError) as exc:
        raise InvalidInput(
            f"cannot read the date {text!r}",
            hint="try 2026-12-01, 2026-12-01 14:30, tomorrow 9am, +3d, next friday",
        ) from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


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


def parse_period(text: str) -> tuple[date, date]:
    """Parse a reporting period (``2026-Q4``, ``2026-07``, ``2026``) into inclusive dates."""
    raw = text.strip().upper()
    match = re.fullmatch(r"(\d{4})(?:-(Q[1-4]|\d{2}))?", raw)
    if not match:
        raise InvalidInput(f"cannot read the period {text!r}", hint="try 2026-Q4, 2026-07 or 2026")
    year = int(match.group(1))
    part = match.group(2)
    if part is None:
        return date(year, 1, 1), date(year, 12, 31)
    if part.startswith("Q"):
        q = int(part[1])
        start = date(year, 3 * q - 2, 1)
        end_month = 3 * q
    else:
        month = int(part)
        if not 1 <= month <= 12:
            raise InvalidInput(f"{text!r}: month must be 01–12")
        start = date(year, month, 1)
        end_month = month
    next_month = date(year + (end_month == 12), end_month % 12 + 1, 1)
    return start, next_month - timedelta(days=1)
