"""The same storage, history and commands on a real PostgreSQL server."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.postgres


def test_first_use_migrates_and_seeds(pgcrm) -> None:
    users = pgcrm.json("user list")
    assert len(users) == 1
    pgcrm("user add alice --name 'Alice Ng' --team east")
    assert {u["username"] for u in pgcrm.json("user list")} >= {"alice"}


def test_history_and_undo(pgcrm) -> None:
    pgcrm("user add bob --team west")
    pgcrm("user edit bob --team north --at '2026-10-01 09:00'")
    changes = pgcrm.json("history bob --entity user")["changes"]
    update = next(c for c in changes if c["op"] == "update")
    assert (update["old"], update["new"], update["at"]) == (
        "west",
        "north",
        "2026-10-01T07:00:00+00:00",
    )
    pgcrm("history", "--undo", update["handle"])
    assert pgcrm.json("user show bob")["team"] == "west"


def test_handles_and_errors(pgcrm) -> None:
    pgcrm("user add alice --name 'Alice Ng' --email alice@example.com")
    assert pgcrm.json("user show ALICE@example.com")["username"] == "alice"
    run = pgcrm("user show nobody", ok=False)
    assert run.exit_code == 1 and run.stderr.startswith("error: no user matches")


def test_demo_book_loads(pgcrm) -> None:
    pgcrm("demo --scale 0.1")
    assert len(pgcrm.json("user list")) == 6


def test_everyday_flow_on_postgres(pgcrm) -> None:
    """The README's everyday commands work unchanged on PostgreSQL."""
    import shlex

    from tests.test_docs import code_blocks, section

    for line in code_blocks(section("Everyday use"))[0].splitlines():
        pgcrm(*shlex.split(line)[1:])
    deal = pgcrm.json("deal show 'Acme renewal'")
    assert (
        deal["stage"] == "Proposal"
        or deal.get("stage_name") == "Proposal"
        or "Proposal" in str(deal)
    )
    assert pgcrm.json("contact show ada@acme.example")["phone"] == "+442079460000"


def test_non_ascii_names_resolve_in_any_case(pgcrm) -> None:
    """PostgreSQL folds Unicode in lower(); handles match there as on SQLite."""
    pgcrm("company", "add", "ÖBB Holding")
    for typed in ("ÖBB Holding", "öbb holding", "öbb"):
        assert pgcrm.json("company", "show", typed)["name"] == "ÖBB Holding"
