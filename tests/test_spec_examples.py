"""SPEC §3 "Examples that work verbatim", for the parts built so far, run in order."""

from __future__ import annotations

import shlex
from pathlib import Path

from icalendar import Calendar

EXAMPLES = """
crm user add alice --name "Alice Ng" --team east
crm company add "Acme GmbH" --domain acme.example --class target
crm contact add "Ada Lovelace" --email ada@acme.example --phone "+44 20 7946 0000" --company "Acme GmbH"
crm lead add "Grace Hopper" --email grace@navy.example --company "Navy Labs" --source web
crm lead convert grace@navy.example --deal "Navy Labs pilot" --amount 12000
crm deal add "Acme renewal" --company "Acme GmbH" --amount 48000 --currency EUR --owner alice --close 2026-12-15
crm deal move "Acme renewal" Proposal --at 2026-10-01
crm deal win "Acme renewal" --at 2026-11-20
crm deal lose "Navy Labs pilot" --reason price --competitor "Globex"
crm log call "Discussed pricing" --with ada@acme.example --deal "Acme renewal" --at "yesterday 16:00"
crm activity add meeting "Weekly sync" --with ada@acme.example --start "next monday 10:00" --duration 30m --every "weekly"
crm export calendar --ics agenda.ics
"""


def test_spec_examples_run_verbatim_and_do_what_they_say(crm, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for line in EXAMPLES.strip().splitlines():
        crm(*shlex.split(line)[1:])

    acme = crm.json("deal show 'Acme renewal'")
    assert acme["status"] == "won" and acme["amount"] == "48000.00" and acme["currency"] == "EUR"
    assert acme["owner"] == "alice"
    navy = crm.json("deal show 'Navy Labs pilot'")
    assert (navy["status"], navy["lost_reason"], navy["competitor"]) == ("lost", "price", "Globex")
    assert navy["amount"] == "12000.00"
    ada = crm.json("contact show ada@acme.example")
    assert ada["phone"] == "+442079460000" and ada["company"] == "Acme GmbH"
    grace = crm.json("lead show grace@navy.example")
    assert grace["status"] == "converted"

    calendar = Calendar.from_ical((tmp_path / "agenda.ics").read_bytes())
    summaries = {str(e["SUMMARY"]) for e in calendar.walk("VEVENT")}
    assert {"Discussed pricing", "Weekly sync"} <= summaries
    sync = next(e for e in calendar.walk("VEVENT") if str(e["SUMMARY"]) == "Weekly sync")
    assert sync["RRULE"]["FREQ"] == ["WEEKLY"]

    history = crm.json("history 'Acme renewal' --entity deal")["changes"]
    # --at 2026-10-01 is local midnight (Europe/Berlin, CEST), stored in UTC
    assert any(c["field"] == "stage_id" and c["at"] == "2026-09-30T22:00:00+00:00" for c in history)
