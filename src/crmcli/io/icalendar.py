"""iCalendar (RFC 5545) in and out, through the icalendar library.

Writing: one VEVENT per meeting/call/email/note with a start, one VTODO per task (and per
activity without a start); ``UID`` is the record's UUID (or the UID it was imported with);
single events are written in UTC, recurring series with ``TZID`` = the user's zone (plus
its VTIMEZONE) so they keep their local time across daylight-saving changes.

Reading: VEVENT and VTODO become plain dicts; any line the library could not parse, or a
``TZID`` it does not know (and the file does not define), is an error naming the event.
This module knows nothing about the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode

from crmcli import clock
from crmcli.errors import InvalidInput

PRODID = "-//crmcli//crmcli activities//EN"
X_DATA = "X-CRMCLI"  # owner=alice&outcome=reached&deal=<uuid>…, URL-encoded


def calendar_bytes(items: Iterable[Mapping[str, Any]], *, tzid: str | None) -> bytes:
    """Serialise export items (see ``services.activities.export_items``) as one VCALENDAR."""
    import icalendar  # 60 ms: only export and import pay it

    zone: Any = None
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if tzid and tzid.upper() not in ("UTC", "ETC/UTC", "Z"):
        from zoneinfo import ZoneInfo

        zone = ZoneInfo(tzid)
        # Added up front rather than by add_missing_timezones(), which re-reads every
        # component (a second pass over 100k events).
        cal.add_component(icalendar.Timezone.from_tzid(tzid))
    local = clock.local_zone()
    # Hot path: properties are built as typed values and assigned directly, which skips
    # Component.add's type lookup (about a quarter of the time per event); rare ones use add.
    text, stamp_type, categories = icalendar.vText, icalendar.vDDDTypes, icalendar.vCategory
    for item in items:
        todo = item["component"] == "VTODO"
        comp = icalendar.Todo() if todo else icalendar.Event()
        comp["UID"] = text(item["uid"])
        comp["DTSTAMP"] = stamp_type(item["stamp"].astimezone(UTC))
        comp["SUMMARY"] = text(item["subject"])
        # Series (and their overrides) keep the zone so that RRULE expands in local time.
        in_zone = zone is not None and (item.get("rrule") or item.get("recurrence_id"))
        all_day = bool(item.get("all_day"))

        def when(value: datetime, all_day: bool = all_day, in_zone: Any = in_zone) -> Any:
            if all_day:
                return value.astimezone(local).date()
            return value.astimezone(zone) if in_zone else value.astimezone(UTC)

        start = item.get("start_at")
        if start is not None:
            if in_zone or all_day:
                comp.add("dtstart", when(start))
            else:
                comp["DTSTART"] = stamp_type(start.astimezone(UTC))
        end = item.get("end_at")
        if end is not None and not todo and start is not None and end > start:
            if in_zone or all_day:
                comp.add("dtend", when(end))
            else:
                comp["DTEND"] = stamp_type(end.astimezone(UTC))
        if todo and item.get("due_at") is not None:
            comp["DUE"] = stamp_type(item["due_at"].astimezone(UTC))
        if item.get("recurrence_id") is not None:
            comp.add("recurrence-id", when(item["recurrence_id"]))
        if item.get("rrule"):
            comp.add("rrule", icalendar.vRecur.from_ical(item["rrule"]))
            for excluded in item.get("exdates") or ():
                comp.add("exdate", when(excluded))
        if todo:
            done = item.get("done_at")
            comp["STATUS"] = text("COMPLETED" if done else "NEEDS-ACTION")
            if done:
                comp["COMPLETED"] = stamp_type(done.astimezone(UTC))
        else:
            comp["STATUS"] = text("CONFIRMED")
        comp["CATEGORIES"] = categories([item["kind"]])
        if item.get("description"):
            comp["DESCRIPTION"] = text(item["description"])
        if item.get("location"):
            comp["LOCATION"] = text(item["location"])
        extra = {k: str(v) for k, v in (item.get("x") or {}).items() if v is not None}
        if extra:
            # One property for what calendars do not model (owner, outcome, links…).
            comp[X_DATA] = text(urlencode(extra))
        cal.add_component(comp)
    # Unsorted: properties are already added in a sensible order; sorting costs ~10%.
    data: bytes = cal.to_ical(sorted=False)
    return data


# -- reading ------------------------------------------------------------------------------
def read_calendar(data: bytes, *, source: str) -> list[dict[str, Any]]:
    """The VEVENTs and VTODOs of an .ics file as dicts; InvalidInput on anything broken."""
    import icalendar

    try:
        calendars = icalendar.Calendar.from_ical(data, multiple=True)
    except (ValueError, IndexError, KeyError) as exc:
        raise InvalidInput(
            f"{source} is not a valid iCalendar file: {str(exc).splitlines()[0][:200]}",
            hint="nothing was imported",
        ) from exc
    if not calendars:
        raise InvalidInput(f"{source} holds no VCALENDAR", hint="nothing was imported")
    out: list[dict[str, Any]] = []
    for cal in calendars:
        for comp in cal.walk():
            if comp.name not in ("VEVENT", "VTODO"):
                continue
            out.append(_component(comp, source, len(out) + 1))
    return out


def _component(comp: Any, source: str, number: int) -> dict[str, Any]:
    uid = str(comp.get("uid") or "").strip()
    label = f"{comp.name} {number}" + (f" (UID {uid})" if uid else "")
    if comp.errors:
        prop, message = comp.errors[0]
        where = f" in {prop}" if prop else ""
        raise InvalidInput(
            f"{source}: {label} has a broken line{where}: {message}",
            hint="fix or remove that line; nothing was imported",
        )

    def when(name: str) -> datetime | date | None:
        prop = comp.get(name)
        if prop is None:
            return None
        value = prop.dt
        if isinstance(value, timedelta):
            raise InvalidInput(
                f"{source}: {label}: {name} is a duration, expected a time",
                hint="give a date or date-time there; nothing was imported",
            )
        if isinstance(value, datetime) and value.tzinfo is None:
            tzid = prop.params.get("TZID")
            if tzid:
                raise InvalidInput(
                    f"{source}: {label}: unknown time zone TZID={tzid} in {name}",
                    hint="add its VTIMEZONE to the file or use an IANA name; nothing was imported",
                )
            # Floating time (no zone): the user's zone, as RFC 5545 prescribes.
            value = value.replace(tzinfo=clock.local_zone())
        return value  # type: ignore[no-any-return]

    def many(name: str) -> list[datetime | date]:
        raw = comp.get(name)
        if raw is None:
            return []
        found: list[datetime | date] = []
        for prop in raw if isinstance(raw, list) else [raw]:
            tzid = prop.params.get("TZID")
            for entry in prop.dts:
                value = entry.dt
                if isinstance(value, tuple):  # RDATE;VALUE=PERIOD: (start, end or duration)
                    value = value[0]
                if isinstance(value, datetime) and value.tzinfo is None:
                    if tzid:
                        raise InvalidInput(
                            f"{source}: {label}: unknown time zone TZID={tzid} in {name}",
                            hint="nothing was imported",
                        )
                    value = value.replace(tzinfo=clock.local_zone())
                found.append(value)
        return found

    rules = comp.get("rrule")
    if isinstance(rules, list):
        if len(rules) > 1:
            raise InvalidInput(
                f"{source}: {label} has several RRULEs; crmcli takes one",
                hint="split the event into one per rule; nothing was imported",
            )
        rules = rules[0]
    categories: list[str] = []
    raw_categories = comp.get("categories")
    for prop in raw_categories if isinstance(raw_categories, list) else [raw_categories]:
        if prop is not None:
            categories.extend(str(c) for c in prop.cats)
    duration = comp.get("duration")
    return {
        "component": comp.name,
        "uid": uid,
        "label": label,
        "summary": str(comp.get("summary") or "").strip(),
        "description": str(comp.get("description") or "") or None,
        "location": str(comp.get("location") or "") or None,
        "status": str(comp.get("status") or "").upper() or None,
        "categories": categories,
        "start": when("dtstart"),
        "end": when("dtend"),
        "duration": duration.dt if duration is not None else None,
        "due": when("due"),
        "completed": when("completed"),
        "stamp": when("dtstamp"),
        "recurrence_id": when("recurrence-id"),
        "rrule": rules.to_ical().decode() if rules is not None else None,
        "exdates": many("exdate"),
        "has_rdate": comp.get("rdate") is not None,
        "rdates": many("rdate"),
        "x": dict(parse_qsl(str(comp.get(X_DATA) or ""))),
    }


# -- invitations (iTIP, RFC 5546) ---------------------------------------------------------
def invite_bytes(
    item: Mapping[str, Any],
    *,
    method: str,
    sequence: int,
    organizer: tuple[str, str | None],
    attendees: Iterable[tuple[str, str | None]],
    tzid: str | None,
) -> bytes:
    """One meeting as an iTIP message: ``METHOD:REQUEST`` (an invitation or its update) or
    ``METHOD:CANCEL``, with ORGANIZER, ATTENDEEs (e-mail, name) and the series' RRULE.

    ``item`` is an export item (``services.activities.export_items``); calendar and mail
    clients match updates by UID and take the one with the highest SEQUENCE.
    """
    import icalendar  # only invitations pay it

    plain = icalendar.Calendar.from_ical(calendar_bytes([item], tzid=tzid))
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    for tz in plain.walk("VTIMEZONE"):
        cal.add_component(tz)
    event = next(iter(plain.walk("VEVENT")))
    event.pop("DTSTAMP", None)
    event.add("dtstamp", clock.now().astimezone(UTC))
    event.add("sequence", sequence)
    event.pop("STATUS", None)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    event.pop(X_DATA, None)
    email, name = organizer
    org = icalendar.vCalAddress(f"mailto:{email}")
    if name:
        org.params["CN"] = icalendar.vText(name)
    event.add("organizer", org)
    for email, name in attendees:
        who = icalendar.vCalAddress(f"mailto:{email}")
        if name:
            who.params["CN"] = icalendar.vText(name)
        who.params["ROLE"] = icalendar.vText("REQ-PARTICIPANT")
        who.params["PARTSTAT"] = icalendar.vText("NEEDS-ACTION")
        who.params["RSVP"] = icalendar.vText("TRUE")
        event.add("attendee", who)
    cal.add_component(event)
    data: bytes = cal.to_ical()
    return data
