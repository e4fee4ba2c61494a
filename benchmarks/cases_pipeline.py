"""Pipeline figures (issue 4): deal list, the board and a stage move on the 100k-deal book.

Each is at most 2× the stdlib-sqlite3 baseline app (goal 1.5×); none of them may read every
deal to show 50 (see ix_deals_status_updated and ix_deals_board in 0002_indexes).
"""

from __future__ import annotations

from pathlib import Path

from harness import Case

BENCH_DEAL = "Bench pipeline move"


def _reset_move_deal(book_path: Path) -> None:
    """Make sure the deal the move case moves exists and sits in the first stage again.

    Done through the services (logged like any change), so the timed `crm deal move` is a
    real move with a stage-history row every repetition.
    """
    from crmcli.config import Settings
    from crmcli.services import deals
    from crmcli.services.book import Book

    book = Book.open(Settings.resolve(db=str(book_path)))
    try:
        with book.read() as r:
            found = r.row(
                "SELECT id, status, stage_id FROM deals WHERE lower(name) = ? "
                "AND deleted_at IS NULL",
                (BENCH_DEAL.lower(),),
            )
        if found is None:
            deals.add_deal(book, name=BENCH_DEAL, amount="1000")
            return
        if found["status"] != "open":
            deals.reopen_deal(book, found["id"], stage="1")
        with book.read() as r:
            first = deals.pipeline_stages(r, deals.default_pipeline(r)["id"])[0]
            current = r.scalar("SELECT stage_id FROM deals WHERE id = ?", (found["id"],))
        if current != first["id"]:
            deals.move_deal(book, found["id"], stage="1")
    finally:
        book.close()


CASES = [
    Case("deal list --limit 50", ["deal", "list", "--limit", "50"]),
    Case("board", ["board"]),
    Case("board --owner alice", ["board", "--owner", "alice"]),
    Case(
        "deal move",
        ["deal", "move", BENCH_DEAL, "Qualification"],
        setup=_reset_move_deal,
    ),
]
