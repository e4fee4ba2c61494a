"""The command surface: help everywhere, aliases, and what each command pays to start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from crmcli.cli import ALIASES, NOUNS, LazyGroup, app

ROOT = Path(__file__).resolve().parents[2]


def all_commands():
    root = typer.main.get_command(app)
    assert isinstance(root, LazyGroup)
    ctx = root.make_context("crm", ["--help"], resilient_parsing=True)
    for name in root.list_commands(ctx):
        command = root.get_command(ctx, name)
        yield name, command
        for sub_name, sub in getattr(command, "commands", {}).items():
            yield f"{name} {sub_name}", sub
            for leaf_name, leaf in getattr(sub, "commands", {}).items():
                yield f"{name} {sub_name} {leaf_name}", leaf


def test_every_command_has_help_text() -> None:
    missing = [name for name, command in all_commands() if not (command.help or command.short_help)]
    assert missing == []


def test_root_help_lists_nouns_without_importing_them(crm) -> None:
    run = crm("--help")
    assert "user" in run.stdout and "history" in run.stdout


def test_plural_aliases(crm) -> None:
    assert crm("users list -q").exit_code == 0
    assert all(target in NOUNS for target in ALIASES.values())


def _modules_after(argv: list[str], db: Path) -> set[str]:
    code = (
        "import sys, json\n"
        "from crmcli.cli import main\n"
        f"sys.argv = ['crm', '--db', {str(db)!r}, *{argv!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write('\\nMODULES=' + json.dumps(sorted(sys.modules)))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    return set(json.loads(result.stderr.rsplit("MODULES=", 1)[1]))


def test_read_commands_do_not_import_the_orm(crm) -> None:
    crm("user list")  # create and migrate first: that path may import Alembic
    modules = _modules_after(["user", "list"], crm.db)
    # pydantic is not on this list: Typer itself imports it to run any command.
    heavy = {
        m for m in modules if m.split(".")[0] in {"sqlalchemy", "sqlmodel", "alembic", "textual"}
    }
    assert heavy == set()


def test_help_imports_no_noun() -> None:
    modules = _modules_after(["--help"], Path("/nonexistent/never-opened.db"))
    assert not any(m.startswith("crmcli.commands.") for m in modules)
    assert "sqlite3" not in modules


def test_core_never_imports_ui_toolkits() -> None:
    code = (
        "import sys, pkgutil, importlib, crmcli\n"
        "for pkg in ('services', 'storage', 'reports', 'io', 'sync'):\n"
        "    try:\n        mod = importlib.import_module('crmcli.' + pkg)\n    except ModuleNotFoundError:\n        continue\n"
        "    for info in pkgutil.walk_packages(mod.__path__, mod.__name__ + '.'):\n"
        "        if '.migrations' in info.name:\n            continue\n"
        "        importlib.import_module(info.name)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('typer', 'rich', 'textual')]\n"
        "print(','.join(bad))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert result.stdout.strip() == ""


@pytest.mark.parametrize("seed", [42])
def test_demo_is_deterministic(tmp_path: Path, seed: int) -> None:
    from typer.testing import CliRunner

    def build(name: str) -> list[tuple]:
        db = tmp_path / name
        result = CliRunner().invoke(
            app, ["--db", str(db), "demo", "--seed", str(seed), "--scale", "0.2"]
        )
        assert result.exit_code == 0, result.stderr
        import sqlite3

        conn = sqlite3.connect(db)
        return conn.execute(
            "SELECT id, name, amount_milli, status, closed_at FROM deals ORDER BY id"
        ).fetchall()

    assert build("a.db") == build("b.db")


class TestDemoBook:
    """The demo book looks like a real sales team's year."""

    def test_sizes_and_shape(self, demo) -> None:
        import sqlite3

        conn = sqlite3.connect(demo.db)
        one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
        assert one("SELECT count(*) FROM users WHERE role = 'rep'") == 5
        assert one("SELECT count(DISTINCT team) FROM users WHERE team IS NOT NULL") == 2
        assert one("SELECT count(*) FROM companies") == 200
        assert one("SELECT count(*) FROM contacts") == 600
        assert one("SELECT count(*) FROM deals") == 400
        assert one("SELECT count(*) FROM activities") == 3000
        assert one("SELECT count(*) FROM quotes") == 60
        for status in ("won", "lost", "open"):
            assert one(f"SELECT count(*) FROM deals WHERE status = '{status}'") > 20
        assert one("SELECT count(*) FROM deals WHERE status = 'lost' AND lost_reason IS NULL") == 0
        assert one("SELECT count(*) FROM deals WHERE status != 'open' AND closed_at IS NULL") == 0
        assert (
            one(
                "SELECT count(*) FROM deals d WHERE NOT EXISTS (SELECT 1 FROM stage_history h WHERE h.deal_id = d.id)"
            )
            == 0
        )
        assert one("SELECT count(*) FROM activities WHERE rrule IS NOT NULL") >= 10
        assert (
            one(
                "SELECT count(*) FROM activities WHERE kind = 'task' AND done_at IS NULL AND due_at < '2026-11-23'"
            )
            > 5
        )
        assert one("SELECT count(*) FROM payments") > 10
        assert one("SELECT count(*) FROM quote_lines") >= 60
        # a coherent calendar: nothing before its deal existed, weekdays only, notes in the past
        assert (
            one(
                "SELECT count(*) FROM activities a JOIN deals d ON d.id = a.deal_id WHERE coalesce(a.start_at, a.due_at) < d.created_at"
            )
            == 0
        )
        assert (
            one(
                "SELECT count(*) FROM activities WHERE strftime('%w', coalesce(start_at, due_at)) IN ('0', '6')"
            )
            == 0
        )
        assert (
            one(
                "SELECT count(*) FROM activities WHERE kind IN ('note', 'email') AND start_at > '2026-11-23T10'"
            )
            == 0
        )
        # every record's creation is in the change log, like any other write
        assert one("SELECT count(*) FROM changes WHERE entity = 'deals' AND op = 'create'") == 400

    def test_refuses_a_book_with_data(self, demo) -> None:
        run = demo("demo", ok=False)
        assert run.exit_code == 1 and "empty" in run.stderr
