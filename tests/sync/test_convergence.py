"""Replicas converge whatever the order, repetition or partiality of syncs (SPEC §6)."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmcli.errors import CrmError
from crmcli.services import companies, contacts, deals
from crmcli.sync.engine import sync
from tests.sync.conftest import change_ids, make_replica, state
from tests.sync.test_schema import make_row

STAGES = ["Qualification", "Proposal", "Evaluation", "Negotiation", "Closed Won"]
NAMES = ["Acme", "Globex", "Initech", "Umbrella"]
TAGS = ["vip", "webinar", "churn"]

# Default run (CI): at least 200 examples; `--hypothesis-profile thorough` runs 1,000.
EXAMPLES = max(200, settings().max_examples)

step = st.one_of(
    st.tuples(st.just("company"), st.integers(0, 4), st.sampled_from(NAMES)),
    st.tuples(st.just("contact"), st.integers(0, 4), st.sampled_from(NAMES)),
    st.tuples(st.just("deal"), st.integers(0, 4), st.integers(1, 9)),
    st.tuples(st.just("edit"), st.integers(0, 4), st.integers(0, 30), st.sampled_from(NAMES)),
    st.tuples(st.just("delete"), st.integers(0, 4), st.integers(0, 30)),
    st.tuples(
        st.just("tag"), st.integers(0, 4), st.integers(0, 30), st.sampled_from(TAGS), st.booleans()
    ),
    st.tuples(st.just("move"), st.integers(0, 4), st.integers(0, 30), st.sampled_from(STAGES)),
    # unique keys claimed on several replicas: created, or edited into a collision
    st.tuples(st.just("product"), st.integers(0, 4), st.integers(1, 3)),
    st.tuples(st.just("sku"), st.integers(0, 4), st.integers(0, 30), st.integers(1, 3)),
    st.tuples(st.just("sync"), st.integers(0, 4)),
    st.tuples(st.just("sync"), st.integers(0, 4)),
    # a sync that sees only some files (the sync tool has not delivered the rest yet)
    st.tuples(st.just("partial"), st.integers(0, 4), st.integers(0, 2**16)),
)


def _partial_sync(book: Any, folder: Path, hold: Path, mask: int) -> None:
    files = sorted(p for p in folder.iterdir() if p.suffix in (".crmbatch", ".crmsnap"))
    hidden = [p for i, p in enumerate(files) if mask >> (i % 16) & 1]
    for path in hidden:
        path.rename(hold / path.name)
    try:
        sync(book, remote=str(folder))
    finally:
        for path in hidden:
            (hold / path.name).rename(path)


def _pick(book: Any, table: str, index: int) -> str | None:
    with book.read() as r:
        ids = [
            row["id"]
            for row in r.rows(f"SELECT id FROM {table} WHERE deleted_at IS NULL ORDER BY id")
        ]
    return ids[index % len(ids)] if ids else None


def _run(book: Any, action: tuple[Any, ...]) -> None:
    kind = action[0]
    if kind == "company":
        companies.add_company(book, name=f"{action[2]} GmbH", force=True)
    elif kind == "contact":
        contacts.add_contact(
            book, name=f"Ada {action[2]}", email=f"ada@{action[2].lower()}.example", force=True
        )
    elif kind == "deal":
        deals.add_deal(book, name=f"Deal {action[2]}", amount=str(action[2] * 1000))
    elif kind == "edit":
        table = ("companies", "contacts", "deals")[action[2] % 3]
        target = _pick(book, table, action[2])
        if target is None:
            return
        if table == "companies":
            companies.edit_company(book, target, industry=action[3])
        elif table == "contacts":
            contacts.edit_contact(book, target, title=action[3])
        else:
            deals.edit_deal(book, target, next_step=f"call {action[3]}")
    elif kind == "delete":
        table = ("companies", "contacts", "deals")[action[2] % 3]
        target = _pick(book, table, action[2])
        if target is None:
            return
        if table == "companies":
            companies.delete_company(book, target)
        elif table == "contacts":
            contacts.delete_contact(book, target)
        else:
            deals.delete_deal(book, target)
    elif kind == "tag":
        table = ("companies", "contacts")[action[2] % 2]
        target = _pick(book, table, action[2])
        if target is None:
            return
        change = {"add": [action[3]]} if action[4] else {"remove": [action[3]]}
        if table == "companies":
            companies.edit_company(book, target, **change)
        else:
            contacts.edit_contact(book, target, **change)
    elif kind == "product":
        with book.write() as w:
            make_row(w, "products", sku=f"SKU-{action[2]}", name="Widget")
    elif kind == "sku":
        target = _pick(book, "products", action[2])
        if target is not None:
            with book.write() as w:
                w.update("products", target, {"sku": f"SKU-{action[3]}"})
    elif kind == "move":
        target = _pick(book, "deals", action[2])
        if target is not None:
            deals.move_deal(book, target, stage=action[3])


class TestConvergence:
    """Random creates, edits, deletes, tags and stage moves on 3–5 replicas, random syncs."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(count=st.integers(3, 5), steps=st.lists(step, min_size=3, max_size=30))
    def test_replicas_converge_and_keep_every_operation(
        self, book_template: Path, count: int, steps: list[tuple[Any, ...]]
    ) -> None:
        # in memory where the OS offers it: the property is about merging, not about how
        # fast this machine's disk honours the fsyncs every batch file gets
        shm = Path("/dev/shm")
        with tempfile.TemporaryDirectory(dir=shm if shm.is_dir() else None) as tmp:
            folder = Path(tmp) / "team"
            folder.mkdir()
            hold = Path(tmp) / "not-delivered-yet"
            hold.mkdir()
            books = [make_replica(book_template, Path(tmp) / f"r{i}.db") for i in range(count)]
            try:
                for action in steps:
                    book = books[action[1] % count]
                    if action[0] == "sync":
                        sync(book, remote=str(folder))
                        continue
                    if action[0] == "partial":
                        _partial_sync(book, folder, hold, action[2])
                        continue
                    # a service may refuse (a won deal moved, …): then nothing is written
                    with contextlib.suppress(CrmError):
                        _run(book, action)
                for _ in range(3):  # renames made while merging travel one more round
                    for book in books:
                        sync(book, remote=str(folder))
                first = state(books[0])
                every_change = set().union(*(change_ids(b) for b in books))
                for book in books:
                    assert state(book) == first
                    # nothing vanished: every replica's history holds every operation
                    assert change_ids(book) == every_change
                    with book.read() as r:
                        assert r.scalar("PRAGMA integrity_check") == "ok"
                        assert not r.rows("PRAGMA foreign_key_check")
                        assert not r.scalar("SELECT count(*) FROM sync_pending")
            finally:
                for book in books:
                    book.close()
