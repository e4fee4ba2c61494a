"""Storage: the database file, pragmas, migrations, refusal of bad files, concurrency."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from crmcli.storage.schema import HEAD, REVISIONS

ROOT = Path(__file__).resolve().parents[2]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class TestNewFile:
    """The default database is created on first use, private, in WAL mode."""

    def test_created_in_platform_data_dir_with_owner_only_mode(self, tmp_path: Path) -> None:
        from typer.testing import CliRunner

        from crmcli.cli import app

        result = CliRunner().invoke(app, ["user", "list", "--json"])
        assert result.exit_code == 0, result.stderr
        db = tmp_path / "xdg-data" / "crmcli" / "crm.db"
        assert db.exists()
        assert stat.S_IMODE(db.stat().st_mode) == 0o600

    def test_env_var_and_option_choose_the_file(self, crm, tmp_path: Path) -> None:
        crm("user add alice")
        assert crm.db.exists()
        other = tmp_path / "nested" / "folder" / "other.db"
        run = crm.runner.invoke(
            __import__("crmcli.cli").cli.app, ["user", "list", "-q"], env={"CRM_DB": str(other)}
        )
        assert run.exit_code == 0
        assert other.exists() and "alice" not in run.stdout

    def test_pragmas(self, crm) -> None:
        crm("user list")
        from crmcli.config import Settings
        from crmcli.services.book import Book

        book = Book.open(Settings.resolve(db=str(crm.db)))
        conn = book.db.raw
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
        book.close()

    def test_default_user_and_pipeline_seeded(self, crm) -> None:
        users = crm.json("user list")
        assert len(users) == 1 and users[0]["role"] == "admin"
        conn = sqlite3.connect(crm.db)
        stages = [r[0] for r in conn.execute("SELECT name FROM stages ORDER BY position")]
        assert stages == [
            "Prospecting",
            "Qualification",
            "Proposal",
            "Evaluation",
            "Negotiation",
            "Closed Won",
            "Closed Lost",
        ]


class TestMigrations:
    """Alembic upgrades old files without losing data and refuses newer ones."""

    def test_revisions_constant_matches_scripts(self) -> None:
        from alembic.config import Config
        from alembic.script import ScriptDirectory

        from crmcli.storage.migrate import MIGRATIONS

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        script = ScriptDirectory.from_config(config)
        chain = [rev.revision for rev in reversed(list(script.walk_revisions()))]
        assert tuple(chain) == REVISIONS
        assert script.get_current_head() == HEAD

    def test_models_match_migrated_schema(self, crm) -> None:
        crm("user list")
        from alembic.autogenerate import compare_metadata
        from alembic.migration import MigrationContext
        from sqlalchemy import create_engine

        import crmcli.models
        from crmcli.storage.search_index import is_index_table

        engine = create_engine(f"sqlite:///{crm.db}")
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn,
                opts={
                    "include_name": lambda name, type_, _parent: (
                        not (type_ == "table" and is_index_table(name))
                    )
                },
            )
            diff = compare_metadata(context, crmcli.models.metadata)
        assert diff == []

    def test_upgrade_from_first_migration_keeps_data(self, tmp_path: Path, crm) -> None:
        from crmcli.config import Settings
        from crmcli.storage.db import Database
        from crmcli.storage.migrate import upgrade

        # A file as the first release made it: schema 0001 and a user in it.
        db = Database(str(crm.db), "sqlite")
        db._conn = sqlite3.connect(crm.db)
        upgrade(db, REVISIONS[0])
        db._conn.execute(
            "INSERT INTO users (id, created_at, updated_at, username, name, role, active) "
            "VALUES ('u-1', '2026-01-01 00:00:00.000000+00:00', '2026-01-01 00:00:00.000000+00:00', 'olduser', 'Old User', 'rep', 1)"
        )
        db._conn.execute("INSERT INTO meta (key, value) VALUES ('default_user', 'u-1')")
        db._conn.execute("INSERT INTO meta (key, value) VALUES ('replica_id', 'r-1')")
        db._conn.commit()
        db.close()

        users = crm.json("user list")
        assert [u["username"] for u in users] == ["olduser"]
        version = (
            sqlite3.connect(crm.db).execute("SELECT version_num FROM alembic_version").fetchone()[0]
        )
        assert version == HEAD
        indexes = {
            r[0]
            for r in sqlite3.connect(crm.db).execute(
                "SELECT name FROM sqlite_master WHERE type='index'"
            )
        }
        assert "ix_deals_status_stage" in indexes
        assert Path(f"{crm.db}.before-{HEAD}.bak").exists()
        backup = sqlite3.connect(f"{crm.db}.before-{HEAD}.bak")  # the file as it was
        assert (
            backup.execute("SELECT version_num FROM alembic_version").fetchone()[0] == REVISIONS[0]
        )
        assert backup.execute("SELECT username FROM users").fetchall() == [("olduser",)]
        assert Settings.resolve(db=str(crm.db)).db == str(crm.db)

    def test_money_moves_from_cents_to_thousandths_without_losing_a_value(self, crm) -> None:
        """0003 rescales every amount and its change-log entries; history and undo still work."""
        from alembic import command
        from alembic.config import Config
        from sqlalchemy import create_engine

        from crmcli.storage.migrate import MIGRATIONS

        crm('deal add "Tokyo" --amount 1500000 --currency JPY')
        crm('deal add "Berlin" --amount 1250.50 --currency EUR')
        crm('deal edit "Berlin" --amount 1300.25')
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        engine = create_engine(f"sqlite:///{crm.db}")
        with engine.begin() as connection:  # back to a 0002 file: amounts in cents
            config.attributes["connection"] = connection
            command.downgrade(config, "0002_indexes")
        engine.dispose()
        old = sqlite3.connect(crm.db)
        assert sorted(old.execute("SELECT amount_cents FROM deals").fetchall()) == [
            (130025,),
            (150000000,),
        ]
        assert old.execute(
            "SELECT old_value, new_value FROM changes WHERE field = 'amount_cents'"
        ).fetchall() == [("125050", "130025")]
        old.close()

        deals = {d["name"]: d for d in crm.json("deal list")}  # reopening upgrades to HEAD
        assert deals["Tokyo"]["amount"] == "1500000" and deals["Berlin"]["amount"] == "1300.25"
        rows = sqlite3.connect(crm.db).execute("SELECT amount_milli FROM deals").fetchall()
        assert sorted(rows) == [(1300250,), (1500000000,)]
        history = crm.json('history "Berlin"')
        change = next(h for h in history["changes"] if h["field"] == "amount_milli")
        assert (change["old_label"], change["new_label"]) == ("1250.50", "1300.25")
        crm(f"history --undo {change['id']}")
        assert crm.json('deal show "Berlin"')["amount"] == "1250.50"

    def test_newer_schema_is_refused_and_untouched(self, crm) -> None:
        crm("user add alice")
        conn = sqlite3.connect(crm.db)
        conn.execute("UPDATE alembic_version SET version_num = '0099_future'")
        conn.commit()
        conn.close()
        before = digest(crm.db)
        run = crm("user add bob", ok=False)
        assert run.exit_code == 1
        assert "newer" in run.stderr and "upgrade crmcli" in run.stderr
        assert "Traceback" not in run.stderr
        assert digest(crm.db) == before


class TestBadFiles:
    """Unusable database files give one line and a hint, never a traceback."""

    def test_corrupt_file(self, crm) -> None:
        crm.db.write_bytes(b"this is not a database at all" * 100)
        before = digest(crm.db)
        run = crm("user list", ok=False)
        assert run.exit_code == 1
        assert run.stderr.startswith("error: ") and "hint:" in run.stderr
        assert len(run.stderr.strip().splitlines()) == 2
        assert digest(crm.db) == before

    def test_foreign_sqlite_file(self, crm) -> None:
        conn = sqlite3.connect(crm.db)
        conn.execute("CREATE TABLE photos (id INTEGER)")
        conn.commit()
        conn.close()
        run = crm("user list", ok=False)
        assert run.exit_code == 1 and "not a crm database" in run.stderr

    def test_unwritable_location(self, tmp_path: Path, crm) -> None:
        blocker = tmp_path / "a-file"
        blocker.write_text("x")
        crm.db = blocker / "crm.db"
        run = crm("user list", ok=False)
        assert run.exit_code == 1 and "cannot create the database" in run.stderr

    def test_locked_database_exits_3(self, crm) -> None:
        crm("user add alice")
        holder = sqlite3.connect(crm.db, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            run = crm("user add bob", ok=False, env={"CRM_BUSY_TIMEOUT": "200"})
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert run.exit_code == 3 and "locked" in run.stderr
        assert "bob" not in crm("user list -q").stdout

    def test_shared_folder_warning(self, tmp_path: Path, crm) -> None:
        crm.db = tmp_path / "Dropbox" / "crm.db"
        run = crm("user list")
        assert "shared or synced" in run.stderr


class TestConcurrency:
    """Two crm processes writing at once both succeed."""

    def test_two_writers(self, crm) -> None:
        crm("user list")
        env = {**os.environ, "CRM_DB": str(crm.db), "PYTHONPATH": str(ROOT / "src")}
        script = "import sys\nfrom crmcli.cli import main\nsys.argv=['crm','user','add',sys.argv[1]]\nmain()"
        procs = []
        for prefix in ("a", "b"):
            cmd = "; ".join(f'{sys.executable} -c "{script}" {prefix}{i}' for i in range(6))
            procs.append(subprocess.Popen(["bash", "-c", cmd], env=env, stderr=subprocess.PIPE))
        for proc in procs:
            _, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err.decode()
        names = set(crm("user list -q").stdout.split())
        assert {f"{p}{i}" for p in "ab" for i in range(6)} <= names


@pytest.mark.parametrize("table", ["users", "deals", "activities"])
def test_every_record_has_uuid_and_timestamps(crm, table: str) -> None:
    crm("user list")
    cols = {r[1] for r in sqlite3.connect(crm.db).execute(f"PRAGMA table_info({table})")}
    assert {"id", "created_at", "updated_at", "deleted_at"} <= cols


def test_new_ids_are_distinct_version_4_uuids() -> None:
    """Record ids (pooled, drawn from os.urandom) are RFC 4122 version-4 UUIDs, never twice."""
    import uuid

    from crmcli.storage.db import new_id

    ids = [new_id() for _ in range(5000)]
    assert len(set(ids)) == len(ids)
    for text in ids:
        parsed = uuid.UUID(text)
        assert str(parsed) == text  # canonical form: lower-case hex, four hyphens
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122


def test_change_ids_are_distinct_version_7_uuids_in_time_order() -> None:
    """Change-log ids are RFC 9562 version-7 UUIDs: the first 48 bits are the time in ms,
    so ids made in later milliseconds sort after earlier ones (the log's key index grows at
    its end), and the random rest keeps ids made in the same millisecond apart."""
    import time
    import uuid

    from crmcli.storage.db import new_change_id

    before = time.time_ns() // 1_000_000
    ids = [new_change_id() for _ in range(5000)]
    after = time.time_ns() // 1_000_000
    assert len(set(ids)) == len(ids)
    for text in ids:
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert parsed.version == 7 and parsed.variant == uuid.RFC_4122
        assert before <= parsed.int >> 80 <= after  # unix_ts_ms
    later = []
    for _ in range(5):
        time.sleep(0.002)
        later.append(new_change_id())
    assert later == sorted(later) and ids[-1] < later[0]


def test_a_forked_child_draws_its_own_ids() -> None:
    """A child process never hands out an id (or a change id's random bits) its parent
    already holds in its pool."""
    import os

    from crmcli.storage.db import new_change_id, new_id

    new_id()  # the parent's pools are now filled
    new_change_id()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report its next ids and leave at once
        ids = [new_id() for _ in range(10)] + [new_change_id()[-12:] for _ in range(10)]
        os.write(write, " ".join(ids).encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    child = set(os.read(read, 1 << 16).decode().split())
    os.close(read)
    parent = {new_id() for _ in range(300)} | {new_change_id()[-12:] for _ in range(300)}
    assert len(child) == 20 and not child & parent
