"""Shared fixtures: an isolated user data dir, a fixed clock and zone, and a `crm` runner.

Every test gets its own real SQLite file under tmp_path; nothing touches the user's data.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from crmcli.cli import app

pytest_plugins = ["tests.pg"]  # the real-PostgreSQL fixtures

NOW = "2026-11-23T10:00:00+01:00"  # a Monday, 10:00 in Europe/Berlin
ZONE = "Europe/Berlin"


@dataclass
class Run:
    """The outcome of one `crm …` invocation."""

    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


@dataclass
class Crm:
    """Runs `crm` in-process against one database, like a user at a shell."""

    db: Path
    runner: CliRunner
    user: str | None = None

    def __call__(
        self,
        *args: str,
        ok: bool = True,
        input: str | None = None,
        env: dict[str, str] | None = None,
    ) -> Run:
        argv = list(args) if len(args) != 1 else shlex.split(args[0])
        full = ["--db", str(self.db), *(["--as", self.user] if self.user else []), *argv]
        result = self.runner.invoke(app, full, input=input, env=env, catch_exceptions=False)
        run = Run(result.exit_code, result.stdout, result.stderr)
        if ok and run.exit_code != 0:
            raise AssertionError(
                f"crm {' '.join(argv)} exited {run.exit_code}\nstdout: {run.stdout}\nstderr: {run.stderr}"
            )
        return run

    def json(self, *args: str, **kwargs: Any) -> Any:
        argv = list(args) if len(args) != 1 else shlex.split(args[0])
        return self(*argv, "--json", **kwargs).json()


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Point the user data dir at tmp_path, fix now and the zone, drop the caller's CRM_*."""
    for var in ("CRM_DB", "CRM_USER", "CRM_DEBUG", "NO_COLOR", "CRM_NOW", "CRM_TZ", "CRM_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CRM_NOW", NOW)
    monkeypatch.setenv("CRM_TZ", ZONE)
    monkeypatch.setenv("COLUMNS", "120")
    from crmcli import clock, output, settings

    clock.local_zone.cache_clear()
    settings._load.cache_clear()
    output.configure()
    yield
    settings._load.cache_clear()
    clock.local_zone.cache_clear()
    output.configure()


@pytest.fixture
def crm(tmp_path: Path) -> Crm:
    """`crm` on a fresh database file, acting as the default user."""
    return Crm(db=tmp_path / "crm.db", runner=CliRunner())


@pytest.fixture
def team(crm: Crm) -> Crm:
    """A book with reps alice (east) and bob (west)."""
    crm("user add alice --name 'Alice Ng' --team east")
    crm("user add bob --name 'Bob Okafor' --team west")
    return crm


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo book per test session (copied per test by `demo`)."""
    import os

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    old = {k: os.environ.get(k) for k in ("CRM_NOW", "CRM_TZ")}
    os.environ["CRM_NOW"], os.environ["CRM_TZ"] = NOW, ZONE
    try:
        from crmcli import clock

        clock.local_zone.cache_clear()
        result = CliRunner().invoke(app, ["--db", str(path), "demo"], catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return path


@pytest.fixture
def demo(demo_template: Path, tmp_path: Path) -> Crm:
    """`crm` on a private copy of the demo book."""
    import sqlite3

    target = tmp_path / "demo.db"
    src = sqlite3.connect(demo_template)
    dst = sqlite3.connect(target)
    src.backup(dst)
    src.close()
    dst.close()
    return Crm(db=target, runner=CliRunner())


@pytest.fixture
def pgcrm(pg_url: str) -> Crm:
    """`crm` on a fresh PostgreSQL database (same commands, different --db)."""
    return Crm(db=pg_url, runner=CliRunner())  # type: ignore[arg-type]
