"""crm sync end to end: the folder transport, merge rules, conflicts, snapshots, keys, clocks."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crmcli.services import companies, contacts
from crmcli.services.search import search
from crmcli.sync import container, engine
from crmcli.sync.engine import sync
from crmcli.sync.state import conflicts, resolve, status
from tests.conftest import Crm
from tests.sync.conftest import change_ids, make_replica, state
from tests.sync.test_schema import make_row

ROOT = Path(__file__).resolve().parents[2]


def _company(book, name: str = "Acme GmbH") -> str:
    return str(companies.add_company(book, name=name, force=True)["id"])


def _files(folder: Path, suffix: str = ".crmbatch") -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name.endswith(suffix))


class TestExchange:
    """Each replica writes only its own immutable files and reads everyone else's."""

    def test_two_reps_edit_different_fields_both_win(self, replicas, tmp_path) -> None:
        a, b, _ = replicas
        folder = str(tmp_path / "team")
        record = _company(a)
        sync(a, remote=folder)
        sync(b, remote=folder)
        companies.edit_company(a, record, industry="Steel")
        companies.edit_company(b, record, city="Berlin")
        for book in (a, b, a):
            sync(book, remote=folder)
        for book in (a, b):
            with book.read() as r:
                row = r.get("companies", record)
            assert (row["industry"], row["city"]) == ("Steel", "Berlin")
        assert not conflicts(a) and not conflicts(b)

    def test_files_are_named_by_replica_and_never_rewritten(self, replicas, tmp_path) -> None:
        a, _b, _ = replicas
        folder = tmp_path / "team"
        _company(a)
        sync(a, remote=str(folder))
        first = _files(folder)
        assert len(first) == 1
        before = first[0].read_bytes()
        _company(a, "Globex")
        sync(a, remote=str(folder))
        assert first[0].read_bytes() == before
        replica = a.db.raw.execute("SELECT value FROM meta WHERE key = 'replica_id'").fetchone()[0]
        assert all(p.name.startswith(replica) for p in _files(folder))
        assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]

    def test_applied_operations_are_history_not_exported_again(self, replicas, tmp_path) -> None:
        a, b, c = replicas
        folder = str(tmp_path / "team")
        record = _company(a)
        sync(a, remote=folder)
        report = sync(b, remote=folder)
        assert report.applied > 0 and report.sent == 0
        with b.read() as r:
            origin = r.row(
                "SELECT replica_id, actor FROM changes WHERE record_id = ? AND op = 'create'",
                (record,),
            )
            mine = r.meta("replica_id")
        assert origin["replica_id"] != mine
        assert sync(b, remote=folder).applied == 0  # repeated: nothing new
        sync(c, remote=folder)
        assert state(c) == state(a)

    def test_cli_remembers_the_folder(self, tmp_path) -> None:
        from typer.testing import CliRunner

        folder = tmp_path / "team"
        folder.mkdir()
        crm = Crm(db=tmp_path / "mine.db", runner=CliRunner())
        crm("company add 'Acme GmbH'")
        first = crm.json(f"sync --remote {folder}")
        assert first["sent"] > 0 and first["folder"] == str(folder.resolve())
        crm("company edit 'Acme GmbH' --industry Steel")
        again = crm.json("sync")
        assert again["sent"] == 1
        shown = crm.json("sync status")
        assert shown["remote"] == str(folder.resolve()) and shown["pending_out"] == 0
        assert shown["conflicts_open"] == 0 and shown["last_sync_at"]

    def test_no_folder_yet_is_one_line_error(self, crm, tmp_path) -> None:
        run = crm("sync", ok=False)
        assert run.exit_code == 1 and "crm sync --remote FOLDER" in run.stderr
        run = crm(f"sync --remote {tmp_path / 'missing'}", ok=False)
        assert run.exit_code == 1 and "does not exist" in run.stderr
        assert "Traceback" not in run.stderr


class TestFolderHazards:
    """Half-copied files, conflict copies and temp files are ignored until whole and valid."""

    def test_half_written_batch_is_skipped_then_applied(self, replicas, tmp_path) -> None:
        a, b, _ = replicas
        folder = tmp_path / "team"
        elsewhere = tmp_path / "a-only"
        elsewhere.mkdir()
        record = _company(a)
        sync(a, remote=str(elsewhere))
        (batch,) = _files(elsewhere)
        data = batch.read_bytes()
        target = folder / batch.name
        target.write_bytes(data[: len(data) // 2])  # a slow sync tool, half-way
        report = sync(b, remote=str(folder))
        assert report.applied == 0 and [i.name for i in report.incomplete] == [batch.name]
        with b.read() as r:
            assert r.row("SELECT id FROM companies WHERE id = ?", (record,)) is None
        target.write_bytes(data)
        report = sync(b, remote=str(folder))
        assert report.applied > 0 and not report.incomplete
        with b.read() as r:
            assert r.get("companies", record)["name"] == "Acme GmbH"

    def test_preallocated_file_waits(self, replicas, tmp_path) -> None:
        a, b, _ = replicas
        elsewhere = tmp_path / "a-only"
        elsewhere.mkdir()
        _company(a)
        sync(a, remote=str(elsewhere))
        (batch,) = _files(elsewhere)
        data = batch.read_bytes()
        keep = len(data) // 3
        (tmp_path / "team" / batch.name).write_bytes(data[:keep] + b"\0" * (len(data) - keep))
        report = sync(b, remote=str(tmp_path / "team"))
        assert report.incomplete and not report.refused and report.applied == 0

    @pytest.mark.parametrize(
        "name",
        [
            "{stem} (conflicted copy 2026-11-23).crmbatch",
            "{stem}.sync-conflict-20261123-100000-ABCDEFG.crmbatch",
            "~${stem}.crmbatch",
            ".{stem}.crmbatch.1234.tmp",
            "{stem}.crmbatch.tmp",
        ],
    )
    def test_sync_tool_copies_and_temp_files_are_ignored(self, replicas, tmp_path, name) -> None:
        a, b, _ = replicas
        elsewhere = tmp_path / "a-only"
        elsewhere.mkdir()
        _company(a)
        sync(a, remote=str(elsewhere))
        (batch,) = _files(elsewhere)
        stem = batch.name.removesuffix(".crmbatch")
        copy = tmp_path / "team" / name.format(stem=stem)
        copy.write_bytes(batch.read_bytes())
        report = sync(b, remote=str(tmp_path / "team"))
        assert report.applied == 0 and not report.incomplete and not report.refused
        assert copy.exists()  # someone else's file: never touched
        with b.read() as r:
            assert not r.scalar("SELECT count(*) FROM companies")


class TestMergeRules:
    """Same field: highest HLC wins, the loser is kept; deletes; tags; uniqueness."""

    def test_same_field_loser_kept_and_resolvable(self, replicas, tmp_path, monkeypatch) -> None:
        a, b, _ = replicas
        folder = str(tmp_path / "team")
        record = _company(a)
        sync(a, remote=folder)
        sync(b, remote=folder)
        companies.edit_company(a, record, industry="Steel")
        monkeypatch.setenv("CRM_NOW", "2026-11-23T10:01:00+01:00")
        companies.edit_company(b, record, industry="Wood")  # later stamp: wins
        for book in (a, b, a):
            sync(book, remote=folder)
        for book in (a, b):
            with book.read() as r:
                assert r.get("companies", record)["industry"] == "Wood"
        (found,) = conflicts(a)
        assert (found.kind, found.field, found.kept, found.lost, found.mine) == (
            "field",
            "industry",
            "Wood",
            "Steel",
            "lost",
        )
        done = resolve(a, found.handle, keep="mine")
        assert "Steel" in done.action
        sync(a, remote=folder)
        sync(b, remote=folder)
        with b.read() as r:
            assert r.get("companies", record)["industry"] == "Steel"
        assert not conflicts(a)

    def test_resolve_with_a_value_of_ones_own(self, replicas, tmp_path) -> None:
        a, b, _ = replicas
        folder = str(tmp_path / "team")
        record = _company(a)
        sync(a, remote=folder)
        sync(b, remote=folder)
        companies.edit_company(a, record, city="Bonn")
        companies.edit_company(b, record, city="Köln")
        sync(a, remote=folder)
        sync(b, remote=folder)
        (found,) = conflicts(b)
        resolve(b, found.id[:6], keep="Düsseldorf")
        sync(b, remote=folder)
        sync(a, remote=folder)
        with a.read() as r:
            assert r.get("companies", record)["city"] == "Düsseldorf"

    def test_edit_racing_a_delete_is_reported_and_restorable(
        self, replicas, tmp_path, monkeypatch
    ) -> None:
        a, b, _ = replicas
        folder = str(tmp_path / "team")
        record = _company(a)
        sync(a, remote=folder)
        sync(b, remote=folder)
        companies.delete_company(a, record)
        monkeypatch.setenv("CRM_NOW", "2026-11-23T10:01:00+01:00")  # b edits a minute later
        companies.edit_company(b, record, industry="Steel")
        for book in (a, b, a):
            sync(book, remote=folder)
        with a.read() as r:
            row = r.get("companies", record, include_deleted=True)
        assert row["deleted_at"] is not None and row["industry"] == "Steel"
        (found,) = [c for c in conflicts(a) if c.kind == "delete"]
        assert found.mine == "kept"  # a deleted it
        resolve(a, found.handle, keep="theirs")  # keep b's edit: restore the record
        sync(a, remote=folder)
        sync(b, remote=folder)
        with b.read() as r:
            assert r.get("companies", record)["industry"] == "Steel"

    def test_tags_merge_per_element(self, replicas, tmp_path) -> None:
        a, b, _ = replicas
        folder = str(tmp_path / "team")
        record = _company(a)
        companies.edit_company(a, record, add=["vip"])
        sync(a, remote=folder)
        sync(b, remote=folder)
        companies.edit_company(a, record, add=["webinar"], remove=["vip"])
        companies.edit_company(b, record, add=["churn", "webinar"])
        for book in (a, b, a):
            sync(book, remote=folder)
        for book in (a, b):
            with book.read() as r:
                tags = {
                    row["name"]
                    for row in r.rows(
                        "SELECT name FROM tags WHERE record_id = ? AND deleted_at IS NULL",
                        (record,),
                    )
                }
            assert tags == {"webinar", "churn"}

    def test_same_sku_offline_keeps_both_and_reports(self, replicas, tmp_path) -> None:
        a, b, c = replicas
        folder = str(tmp_path / "team")
        for book in (a, b):
            with book.write() as w:
                make_row(w, "products", sku="SKU-1", name="Widget")
        for book in (a, b, c, a):
            sync(book, remote=folder)
        for book in (a, b, c):
            with book.read() as r:
                skus = sorted(
                    (row["id"], row["sku"]) for row in r.rows("SELECT id, sku FROM products")
                )
            assert len(skus) == 2
            assert sorted(s for _, s in skus)[0] == "SKU-1"
            renamed = [s for _, s in skus if s != "SKU-1"]
            assert renamed and renamed[0].startswith("SKU-1~")
            (found,) = [x for x in conflicts(book) if x.kind == "unique"]
            assert "SKU" in (found.hint or "") and found.entity == "products"
        assert state(a) == state(b) == state(c)

    def test_same_contact_email_keeps_both_with_merge_hint(self, replicas, tmp_path) -> None:
        a, b, _ = replicas
        folder = str(tmp_path / "team")
        contacts.add_contact(a, name="Ada Lovelace", email="ada@acme.example")
        contacts.add_contact(b, name="Ada L.", email="ada@acme.example")
        for book in (a, b, a):
            sync(book, remote=folder)
        with a.read() as r:
            assert r.scalar("SELECT count(*) FROM contacts WHERE email = 'ada@acme.example'") == 2
        (found,) = [x for x in conflicts(a) if x.kind == "unique"]
        assert "crm contact merge" in (found.hint or "")

    def test_usernames_taken_twice_are_both_kept(self, replicas, tmp_path) -> None:
        a, b, _ = replicas
        folder = str(tmp_path / "team")
        for book in (a, b):
            with book.write() as w:
                make_row(w, "users", username="sam", name="Sam")  # random ids
        for book in (a, b, a):
            sync(book, remote=folder)
        with a.read() as r:
            names = sorted(
                row["username"] for row in r.rows("SELECT username FROM users WHERE name = 'Sam'")
            )
        assert names[0] == "sam" and names[1].startswith("sam~")
        assert state(a) == state(b)


class TestEncryption:
    """With a team key, batches are encrypted; tampered or foreign ones are refused."""

    def _team(self, tmp_path) -> tuple[Crm, Crm, Path, str]:
        from typer.testing import CliRunner

        folder = tmp_path / "team"
        folder.mkdir(exist_ok=True)
        alice = Crm(db=tmp_path / "alice.db", runner=CliRunner())
        bob = Crm(db=tmp_path / "bob.db", runner=CliRunner())
        run = alice(f"sync init --remote {folder} --encrypt")
        key = run.stdout.strip()
        assert key.startswith("crmkey-") and "team key" in run.stderr
        return alice, bob, folder, key

    def test_encrypted_round_trip_and_nothing_readable(self, tmp_path) -> None:
        alice, bob, folder, key = self._team(tmp_path)
        alice("company add 'Secret Customer AG'")
        alice("sync")
        for path in _files(folder):
            assert b"Secret Customer" not in path.read_bytes()
        run = bob(f"sync --remote {folder}", ok=False)
        assert run.exit_code == 1 and "crm sync join --key" in run.stderr
        bob(f"sync join --key {key} --remote {folder}")
        bob("sync")
        assert bob.json("company list")[0]["name"] == "Secret Customer AG"

    def test_wrong_key_is_refused(self, tmp_path) -> None:
        from crmcli.sync.container import TeamKey

        _alice, bob, folder, _ = self._team(tmp_path)
        run = bob(f"sync join --key {TeamKey.generate().text} --remote {folder}", ok=False)
        assert run.exit_code == 3 and "key" in run.stderr
        run = bob("sync join --key nonsense --remote " + str(folder), ok=False)
        assert run.exit_code == 1

    def test_tampered_batch_is_refused_and_reported(self, tmp_path) -> None:
        alice, bob, folder, key = self._team(tmp_path)
        alice("company add 'Acme GmbH'")
        alice("sync")
        (batch,) = _files(folder)
        data = bytearray(batch.read_bytes())
        data[len(data) // 2] ^= 0x01  # one bit flipped inside a sealed frame
        batch.chmod(0o644)
        batch.write_bytes(bytes(data))
        bob(f"sync join --key {key} --remote {folder}")
        run = bob.json("sync")
        assert run["applied"] == 0 and run["refused"] and "refused" in run["refused"][0]["problem"]
        assert bob.json("company list") == []
        shown = bob.json("sync status")
        assert shown["refused"] and shown["refused"][0]["file"] == batch.name

    def test_forged_checksum_is_still_refused(self, replicas, tmp_path) -> None:
        import hashlib

        from crmcli.sync.container import TeamKey

        key = TeamKey.generate()
        elsewhere = tmp_path / "enc"
        elsewhere.mkdir()
        path = elsewhere / "x.crmbatch"
        with path.open("wb") as handle:
            container.write(handle, {"kind": "batch"}, container.chunked(b"[]"), key=key)
        data = bytearray(path.read_bytes())
        data[-40] ^= 0x01  # inside the last frame
        body = bytes(data[:-32])
        data[-32:] = hashlib.sha256(body).digest()  # the attacker fixes the checksum
        path.write_bytes(bytes(data))
        with path.open("rb") as handle, pytest.raises(container.Refused):
            _, chunks = container.read(handle, key=key, size=len(data))
            list(chunks)

    def test_unencrypted_batch_in_encrypted_folder_is_refused(
        self, tmp_path, book_template
    ) -> None:
        alice, _bob, folder, _key = self._team(tmp_path)
        intruder = make_replica(book_template, tmp_path / "intruder.db")
        try:
            _company(intruder, "Fake Order")
            elsewhere = tmp_path / "plain"
            elsewhere.mkdir()
            sync(intruder, remote=str(elsewhere))
            for path in _files(elsewhere):
                (folder / path.name).write_bytes(path.read_bytes())
        finally:
            intruder.close()
        run = alice.json("sync")
        assert run["refused"] and "not encrypted" in run["refused"][0]["problem"]
        assert alice.json("company list") == []


class TestVersions:
    """A batch from a newer schema is kept but not applied, naming the version needed."""

    def test_newer_schema_batch_is_stored_not_applied(
        self, replicas, tmp_path, monkeypatch
    ) -> None:
        a, b, _ = replicas
        folder = tmp_path / "team"
        record = _company(a)
        engine_head = engine.HEAD
        try:
            engine.HEAD = "0099_future"  # a replica on a newer crmcli
            sync(a, remote=str(folder))
        finally:
            engine.HEAD = engine_head
        report = sync(b, remote=str(folder))
        assert report.applied == 0 and report.newer
        assert (
            "0099_future" in report.newer[0].problem and "upgrade crmcli" in report.newer[0].problem
        )
        assert (folder / report.newer[0].name).exists()
        with b.read() as r:
            assert r.row("SELECT id FROM companies WHERE id = ?", (record,)) is None
        shown = status(b)
        assert shown["newer"] and "0099_future" in shown["newer"][0]["problem"]
        assert sync(b, remote=str(folder)).newer  # still kept, still named
        monkeypatch.setattr(engine, "REVISIONS", (*engine.REVISIONS, "0099_future"))
        report = sync(b, remote=str(folder))  # "after upgrading crmcli"
        assert report.applied > 0 and not report.newer
        with b.read() as r:
            assert r.get("companies", record)["name"] == "Acme GmbH"


class TestSnapshots:
    """New reps join from a snapshot; replicas compact only their own covered files."""

    def test_join_from_snapshot(self, tmp_path, book_template, monkeypatch) -> None:
        monkeypatch.setattr(engine, "SNAPSHOT_FIRST_OPS", 2)
        folder = tmp_path / "team"
        folder.mkdir()
        a = make_replica(book_template, tmp_path / "a.db")
        try:
            for i in range(4):
                _company(a, f"Company {i}")
            report = sync(a, remote=str(folder))
            assert report.written[0].endswith(".crmsnap")
            companies.edit_company(a, "Company 1", industry="Steel")  # after the snapshot
            sync(a, remote=str(folder))
            fresh = make_replica(book_template, tmp_path / "fresh.db")
            try:
                joined = sync(fresh, remote=str(folder))
                assert joined.joined_from and joined.joined_from.endswith(".crmsnap")
                assert state(fresh) | {"users": []} == state(a) | {"users": []}
                with fresh.read() as r:
                    assert (
                        r.meta("replica_id")
                        != a.db.raw.execute(
                            "SELECT value FROM meta WHERE key = 'replica_id'"
                        ).fetchone()[0]
                    )
                    assert r.meta("sync.key") is None
                _company(fresh, "Joiner's company")
                sync(fresh, remote=str(folder))
                sync(a, remote=str(folder))
                assert state(fresh) == state(a)
            finally:
                fresh.close()
        finally:
            a.close()

    def test_compaction_removes_only_own_covered_files(
        self, replicas, tmp_path, monkeypatch
    ) -> None:
        monkeypatch.setattr(engine, "COMPACT_AFTER", 3)
        monkeypatch.setattr(engine, "KEEP_AFTER_COMPACT", 1)
        a, b, c = replicas
        folder = tmp_path / "team"
        _company(b, "B's")
        sync(b, remote=str(folder))
        sync(c, remote=str(folder))  # c has seen b only; it lags behind a
        b_files = {p.name for p in folder.iterdir()}
        for i in range(5):
            _company(a, f"A {i}")
            sync(a, remote=str(folder))
        names = {p.name for p in folder.iterdir()}
        assert b_files <= names  # nobody else's file removed
        replica_a = a.db.raw.execute("SELECT value FROM meta WHERE key = 'replica_id'").fetchone()[
            0
        ]
        own = sorted(n for n in names if n.startswith(replica_a))
        assert any(n.endswith(".crmsnap") for n in own)
        assert len([n for n in own if n.endswith(".crmbatch")]) < 5
        sync(c, remote=str(folder))  # the lagging replica fills the hole from the snapshot
        sync(a, remote=str(folder))
        assert state(c) == state(a)
        assert change_ids(a) <= change_ids(c)


class TestClocks:
    """A clock far ahead does not win for ever; local stamps stay monotonic."""

    def test_far_future_stamps_wait(self, replicas, tmp_path, monkeypatch) -> None:
        a, b, _ = replicas
        folder = str(tmp_path / "team")
        record = _company(a)
        sync(a, remote=folder)
        sync(b, remote=folder)
        monkeypatch.setenv("CRM_NOW", "2026-11-25T10:00:00+01:00")  # b's clock: 2 days ahead
        companies.edit_company(b, record, industry="Future")
        sync(b, remote=folder)
        monkeypatch.setenv("CRM_NOW", "2026-11-23T10:00:00+01:00")
        report = sync(a, remote=folder)
        assert report.waiting == 1 and "ahead" in next(iter(report.waiting_reasons))
        with a.read() as r:
            assert r.get("companies", record)["industry"] is None
            stamp = r.meta("hlc")
        assert int(stamp[:13]) < 1795424400000 + 60_000  # a's clock was not dragged ahead
        shown = status(a)
        assert shown["waiting_operations"] == 1
        monkeypatch.setenv("CRM_NOW", "2026-11-25T10:05:00+01:00")  # time caught up
        report = sync(a, remote=folder)
        assert report.applied == 1 and report.waiting == 0
        with a.read() as r:
            assert r.get("companies", record)["industry"] == "Future"

    def test_local_clock_is_monotonic_across_restarts(self, replicas, monkeypatch) -> None:
        a, _, _ = replicas
        monkeypatch.setenv("CRM_NOW", "2026-11-25T10:00:00+00:00")
        _company(a, "First")
        path = a.db.target
        a.close()
        monkeypatch.setenv("CRM_NOW", "2026-11-20T10:00:00+00:00")  # clock set back
        from crmcli.config import Settings
        from crmcli.services.book import Book

        again = Book.open(Settings(db=path, user=None))
        try:
            _company(again, "Second")
            with again.read() as r:
                stamps = [
                    row["hlc"]
                    for row in r.rows(
                        "SELECT c.hlc FROM changes c JOIN companies co ON co.id = c.record_id "
                        "WHERE c.op = 'create' ORDER BY co.name"
                    )
                ]
            assert stamps[1] > stamps[0]
        finally:
            again.close()


KILLABLE_SYNC = """
import sys
from crmcli.config import Settings
from crmcli.services.book import Book
from crmcli.sync.engine import sync
book = Book.open(Settings(db=sys.argv[1], user=None))
print("syncing", flush=True)  # started up: what the test times its kill from
sync(book, remote=sys.argv[2])
book.close()
"""


class TestCrashes:
    """A sync killed at any point leaves both sides valid; the next sync completes."""

    def _bulk(self, book, prefix: str, count: int) -> None:
        with book.write() as w:
            owner = book.actor["id"]
            w.insert_many(
                "companies",
                (
                    {"name": f"{prefix} {i}", "classification": "prospect", "owner_id": owner}
                    for i in range(count)
                ),
            )

    def test_sigkill_mid_sync(self, tmp_path, book_template) -> None:
        folder = tmp_path / "team"
        folder.mkdir()
        a = make_replica(book_template, tmp_path / "a.db")
        b_path = tmp_path / "b.db"
        b = make_replica(book_template, b_path)
        self._bulk(a, "A", 4000)
        sync(a, remote=str(folder))
        self._bulk(b, "B", 4000)
        b.close()
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        killed = 0
        for delay in (0.02, 0.1, 0.2, 0.35, 0.5):  # after start-up, into the sync itself
            proc = subprocess.Popen(
                [sys.executable, "-c", KILLABLE_SYNC, str(b_path), str(folder)],
                env=env,
                stdout=subprocess.PIPE,
            )
            assert proc.stdout is not None and proc.stdout.readline() == b"syncing\n"
            time.sleep(delay)
            proc.kill()
            proc.wait()
            proc.stdout.close()
            killed += proc.returncode == -9
            conn = sqlite3.connect(b_path)
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            conn.close()
            for path in _files(folder):  # only whole files were ever renamed into place
                with path.open("rb") as handle:
                    _, chunks = container.read(handle, key=None, size=path.stat().st_size)
                    json.loads(b"".join(chunks))
        assert killed, "no run was killed mid-way"
        from crmcli.config import Settings
        from crmcli.services.book import Book

        b = Book.open(Settings(db=str(b_path), user=None))
        try:
            sync(b, remote=str(folder))
            sync(a, remote=str(folder))
            assert state(a) == state(b)
            with b.read() as r:
                assert r.scalar("SELECT count(*) FROM companies") == 8000
        finally:
            a.close()
            b.close()


class TestNewRep:
    """A new rep's first `crm sync --remote` makes their book from the newest snapshot."""

    def test_first_sync_on_no_book_at_all(self, tmp_path, monkeypatch) -> None:
        from typer.testing import CliRunner

        monkeypatch.setattr(engine, "SNAPSHOT_FIRST_OPS", 2)
        folder = tmp_path / "team"
        folder.mkdir()
        alice = Crm(db=tmp_path / "alice.db", runner=CliRunner())
        for name in ("Acme GmbH", "Globex", "Initech"):
            alice(f"company add '{name}'")
        assert alice.json(f"sync --remote {folder}")["written"][0].endswith(".crmsnap")
        bob = Crm(db=tmp_path / "bob.db", runner=CliRunner(), user="bob")
        run = bob.json(f"sync --remote {folder}")
        assert run["joined_from"].endswith(".crmsnap") and run["sent"] == 1  # bob himself
        assert sorted(c["name"] for c in bob.json("company list")) == [
            "Acme GmbH",
            "Globex",
            "Initech",
        ]
        bob("company add 'Bob Ltd'")
        bob("sync")
        alice("sync")
        assert "Bob Ltd" in {c["name"] for c in alice.json("company list")}
        history = alice.json("history 'Bob Ltd'")
        assert history["changes"][0]["user"] == "bob"
        assert oct((tmp_path / "bob.db").stat().st_mode & 0o777) == "0o600"


_AT = "2026-11-23T09:00:00.000000+00:00"  # the tests' CRM_NOW


def _forged_op(
    replica: str, n: int, entity: str, record: str, kind: str, field, new, old=None
) -> list[object]:
    """Operation ``c<n>`` of another replica, stamped ``n`` ms after the tests' clock."""
    stamp = f"17954244000{n:02d}-00001-{replica}"
    encoded_old = None if old is None else json.dumps(old)
    return [f"c{n}", stamp, replica, "mallory", entity, record, kind, field, encoded_old,
            json.dumps(new), _AT, _AT, 1]  # fmt: skip


def _forge_batch(folder: Path, ops: list[list[object]], *, replica: str) -> Path:
    """A batch as another replica would write it (for operations no service makes)."""
    from crmcli.storage.schema import HEAD

    header = {
        "kind": "batch",
        "format": 1,
        "schema": HEAD,
        "replica": replica,
        "seq": 1,
        "prev": "",
        "first": ops[0][1],
        "last": ops[-1][1],
        "count": len(ops),
    }
    path = folder / f"{replica}.00000001.crmbatch"
    with path.open("wb") as handle:
        container.write(handle, header, container.chunked(json.dumps(ops).encode()), key=None)
    return path


class TestHostileBatches:
    """What another replica (or anyone who can write the folder) sends never breaks a book."""

    def test_an_operation_the_schema_rejects_waits(self, replicas, tmp_path) -> None:
        a, _, _ = replicas
        folder = tmp_path / "team"
        replica = "0f0f0f0f-0000-4000-8000-000000000001"
        stamp = "1795424400000-00001-" + replica
        bad = [
            "c1",
            stamp,
            replica,
            "mallory",
            "products",
            "p1",
            "create",
            None,
            None,
            json.dumps({"id": "p1", "name": "No SKU"}),
            "2026-11-23T09:00:00.000000+00:00",
            "2026-11-23T09:00:00.000000+00:00",
            1,
        ]
        _forge_batch(folder, [bad], replica=replica)
        report = sync(a, remote=str(folder))
        assert report.waiting == 1 and "cannot hold it" in next(iter(report.waiting_reasons))
        with a.read() as r:
            assert r.scalar("PRAGMA integrity_check") == "ok"
            assert not r.scalar("SELECT count(*) FROM products")

    def test_a_rejected_operation_among_good_ones_holds_back_only_itself(
        self, replicas, tmp_path
    ) -> None:
        """Operations are applied in runs under one savepoint: one the schema rejects undoes
        its run, which is applied again one by one. The good ones around it (one of them an
        edit of a record created in the same run) land once each, logged once each."""
        a, _, _ = replicas
        folder = tmp_path / "team"
        replica = "0f0f0f0f-0000-4000-8000-000000000003"

        def op(n: int, entity: str, record: str, kind: str, field, new) -> list[object]:
            return _forged_op(replica, n, entity, record, kind, field, new)

        company = {"created_at": _AT, "updated_at": _AT, "classification": "prospect"}
        ops = [
            op(1, "companies", "k1", "create", None, {**company, "id": "k1", "name": "Kite Ltd"}),
            op(2, "products", "p1", "create", None, {"id": "p1", "name": "No SKU"}),
            op(3, "companies", "k1", "update", "name", "Kite Holdings"),
            op(4, "companies", "k2", "create", None, {**company, "id": "k2", "name": "Wren plc"}),
        ]
        _forge_batch(folder, ops, replica=replica)
        report = sync(a, remote=str(folder))
        assert (report.applied, report.waiting) == (3, 1)
        assert "cannot hold it" in next(iter(report.waiting_reasons))
        with a.read() as r:
            assert r.scalar("PRAGMA integrity_check") == "ok"
            names = {row["id"]: row["name"] for row in r.rows("SELECT id, name FROM companies")}
            assert (names.get("k1"), names.get("k2")) == ("Kite Holdings", "Wren plc")
            assert not r.scalar("SELECT count(*) FROM products")
            logged = dict(
                r.tuples("SELECT id, count(*) FROM changes WHERE id LIKE 'c_' GROUP BY id")
            )
            assert logged == {"c1": 1, "c3": 1, "c4": 1}
            assert r.scalar("SELECT count(*) FROM sync_pending") == 1
        assert [h.name for h in search(a, "kite")] == ["Kite Holdings"]
        again = sync(a, remote=str(folder))
        assert (again.applied, again.waiting) == (0, 1)

    def test_a_run_undone_keeps_what_earlier_runs_applied_in_the_records_history(
        self, replicas, tmp_path, monkeypatch
    ) -> None:
        """After a run is undone, the records' histories are read again from the log, which
        must then hold the operations applied by the runs before it: an edit made on top of
        one of them is not mistaken for a concurrent edit (a conflict)."""
        from crmcli.sync import merge

        monkeypatch.setattr(merge, "CHUNK_OPS", 2)
        a, _, _ = replicas
        folder = tmp_path / "team"
        replica = "0f0f0f0f-0000-4000-8000-000000000004"
        kite = _company(a, "Kite Ltd")
        company = {"created_at": _AT, "updated_at": _AT, "classification": "prospect"}
        ops = [  # two runs of two: the second holds the rejected product
            _forged_op(replica, 1, "companies", kite, "update", "name", "Kite Holdings", "Kite Ltd"),
            _forged_op(replica, 2, "companies", "k2", "create", None, {**company, "id": "k2", "name": "Wren plc"}),
            _forged_op(replica, 3, "products", "p1", "create", None, {"id": "p1", "name": "No SKU"}),
            _forged_op(replica, 4, "companies", kite, "update", "name", "Kite Group", "Kite Holdings"),
        ]  # fmt: skip
        _forge_batch(folder, ops, replica=replica)
        report = sync(a, remote=str(folder))
        assert (report.applied, report.waiting, report.conflicts) == (3, 1, 0)
        with a.read() as r:
            assert r.scalar("SELECT name FROM companies WHERE id = ?", (kite,)) == "Kite Group"
            assert not r.scalar("SELECT count(*) FROM sync_conflicts")
            logged = dict(
                r.tuples("SELECT id, count(*) FROM changes WHERE id LIKE 'c_' GROUP BY id")
            )
            assert logged == {"c1": 1, "c2": 1, "c4": 1}

    def test_unknown_tables_and_columns_are_history_only(self, replicas, tmp_path) -> None:
        a, _, _ = replicas
        folder = tmp_path / "team"
        record = _company(a)
        replica = "0f0f0f0f-0000-4000-8000-000000000002"
        at = "2026-11-23T09:00:00.000000+00:00"
        ops = [
            [
                "c2",
                "1795424400000-00001-" + replica,
                replica,
                "mallory",
                "companies; DROP TABLE deals",
                "x",
                "create",
                None,
                None,
                json.dumps({"id": "x"}),
                at,
                at,
                1,
            ],
            [
                "c3",
                "1795424400000-00002-" + replica,
                replica,
                "mallory",
                "companies",
                record,
                "update",
                "name = 'x'; --",
                None,
                json.dumps("x"),
                at,
                at,
                1,
            ],
        ]
        _forge_batch(folder, ops, replica=replica)
        report = sync(a, remote=str(folder))
        assert report.applied == 2  # recorded in history, nothing else
        with a.read() as r:
            assert r.get("companies", record)["name"] == "Acme GmbH"
            assert r.scalar("SELECT count(*) FROM deals") == 0

    def test_operations_of_another_replica_in_a_batch_are_refused(self, replicas, tmp_path) -> None:
        a, _, _ = replicas
        folder = tmp_path / "team"
        replica = "0f0f0f0f-0000-4000-8000-000000000003"
        other = "0f0f0f0f-0000-4000-8000-000000000004"
        at = "2026-11-23T09:00:00.000000+00:00"
        ops = [
            [
                "c4",
                "1795424400000-00001-" + other,
                other,
                "x",
                "companies",
                "y",
                "create",
                None,
                None,
                json.dumps({"id": "y", "name": "Forged"}),
                at,
                at,
                1,
            ]
        ]
        _forge_batch(folder, ops, replica=replica)
        report = sync(a, remote=str(folder))
        assert report.refused and "another replica" in report.refused[0].problem


class TestCommands:
    """The sync verbs as a person types them: conflicts, resolve, status, bad input."""

    def test_conflicts_and_resolve_through_the_cli(self, tmp_path) -> None:
        from typer.testing import CliRunner

        folder = tmp_path / "team"
        folder.mkdir()
        alice = Crm(db=tmp_path / "alice.db", runner=CliRunner())
        bob = Crm(db=tmp_path / "bob.db", runner=CliRunner())
        alice("company add 'Acme GmbH'")
        alice(f"sync --remote {folder}")
        bob(f"sync --remote {folder}")
        alice("company edit 'Acme GmbH' --industry Steel")
        later = {"CRM_NOW": "2026-11-23T10:05:00+01:00"}
        bob("company edit 'Acme GmbH' --industry Wood", env=later)
        bob("sync", env=later)
        alice("sync", env=later)
        found = alice.json("sync conflicts")
        assert [(c["field"], c["kept"], c["lost"], c["mine"]) for c in found] == [
            ("industry", "Wood", "Steel", "lost")
        ]
        assert "industry" in alice("sync conflicts").stdout
        run = alice("sync resolve nope --keep mine", ok=False)
        assert run.exit_code == 1 and "crm sync conflicts" in run.stderr
        done = alice.json(f"sync resolve {found[0]['handle']} --keep mine", env=later)
        assert done["action"].startswith("industry set to")
        assert alice.json("sync conflicts") == []
        assert len(alice.json("sync conflicts --all")) == 1
        again = alice(f"sync resolve {found[0]['handle']} --keep mine", ok=False)
        assert again.exit_code == 1 and "already resolved" in again.stderr
        alice("sync", env=later)
        bob("sync", env=later)
        assert bob.json("company show 'Acme GmbH'")["industry"] == "Steel"
        shown = bob.json("sync status")
        assert [r["user"] for r in shown["replicas"]] and shown["conflicts_open"] >= 0
        assert "Replicas seen" in bob("sync status").stdout

    def test_every_sync_verb_has_help(self, crm) -> None:
        for verb in ("", "init", "join", "status", "conflicts", "resolve"):
            run = crm(f"sync {verb} --help".replace("  ", " "))
            assert run.exit_code == 0 and len(run.stdout) > 100

    def test_init_twice_is_refused(self, crm, tmp_path) -> None:
        folder = tmp_path / "team"
        folder.mkdir()
        crm(f"sync init --remote {folder}")
        run = crm(f"sync init --remote {folder} --encrypt", ok=False)
        assert run.exit_code == 1 and "already a team folder" in run.stderr
