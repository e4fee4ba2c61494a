"""CRM_TZ=UTC needs no zone database: the stdlib's UTC, with the same times as dateutil's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from dateutil import tz

from crmcli import clock


@pytest.mark.parametrize("name", ["UTC", "Etc/UTC"])
def test_utc_zone_is_the_stdlib_utc(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv("CRM_TZ", name)
    clock.local_zone.cache_clear()
    try:
        assert clock.local_zone() is UTC
        # 2026-11-23 23:30 UTC is still the 23rd in UTC (it is the 24th in Berlin).
        monkeypatch.setenv("CRM_NOW", "2026-11-23T23:30:00+00:00")
        assert clock.today().isoformat() == "2026-11-23"
        typed = clock.parse_when("2026-12-01 14:30")
        assert typed == datetime(2026, 12, 1, 14, 30, tzinfo=tz.gettz(name))
        assert typed.utcoffset() is not None and typed.utcoffset().total_seconds() == 0
    finally:
        clock.local_zone.cache_clear()
