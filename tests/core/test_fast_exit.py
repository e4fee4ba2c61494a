"""A successful read-only command (``crm report …``) ends the process at once, output whole;
writes and failures take the ordinary way out."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import Crm

# ``crm`` as its console script runs it, plus an exit handler that says whether the
# interpreter shut down the ordinary way.
_MAIN = (
    "import atexit, sys; atexit.register(lambda: sys.stderr.write('shut down\\n')); "
    "from crmcli.cli import main; sys.argv[0] = 'crm'; main()"
)


def _crm(crm: Crm, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    return subprocess.run(
        [sys.executable, "-c", _MAIN, "--db", str(crm.db), *argv],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_a_report_prints_everything_and_exits_zero(team: Crm) -> None:
    team("plan add standard --tiers 0:5%,50000:8% --trigger won")
    team("plan assign standard alice")
    team("deal add 'Acme renewal' --amount 28800 --owner alice")
    team("deal win 'Acme renewal'")
    expected = team("report commission --period 2026-Q4 --json").stdout
    done = _crm(team, "report", "commission", "--period", "2026-Q4", "--json")
    assert done.returncode == 0, done.stderr
    assert "shut down" not in done.stderr  # ended at once
    assert done.stdout == expected
    assert '"amount":"1440.00"' in done.stdout  # 28,800 x 5%


def test_writes_and_errors_exit_as_before(team: Crm) -> None:
    added = _crm(team, "deal", "add", "Globex pilot", "--amount", "5000", "--owner", "bob")
    assert added.returncode == 0, added.stderr
    assert "shut down" in added.stderr
    assert [d["name"] for d in team.json("deal list")] == ["Globex pilot"]
    bad = _crm(team, "report", "commission", "--period", "2026-Q5")
    assert bad.returncode == 1
    assert bad.stderr.startswith("error: ")
    assert "shut down" in bad.stderr
