"""Deal splits: who shares a deal's credit. Revenue splits total 100%; overlays come on top.

Without revenue splits the owner has 100%. Every change goes through the Writer, so a
split shows in ``crm history`` like any other edit (and claws back or adjusts commission
of closed periods like one).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Literal, TypedDict

from crmcli.errors import InvalidInput, NotFound
from crmcli.services.book import Book
from crmcli.services.deals import find_deal
from crmcli.services.handles import short
from crmcli.services.users import find_owner
from crmcli.storage.db import Reader, Row

SplitKind = Literal["revenue", "overlay"]
HUNDRED = Decimal(100)


class SplitShare(TypedDict):
    rep: str
    rep_id: str
    kind: SplitKind
    share: Decimal


class DealSplitView(TypedDict):
    """A deal's split as output shows it."""

    deal: str
    deal_id: str
    handle: str
    owner: str | None
    splits: list[SplitShare]
    revenue_total: Decimal
    overlay_total: Decimal


def parse_share(text: str) -> tuple[str, Decimal]:
    """``alice=60`` (or ``alice=60%``) → (``alice``, 60)."""
    rep, sep, raw = text.partition("=")
    if not sep or not rep.strip() or not raw.strip():
        raise InvalidInput(f"{text!r} is not REP=PERCENT", hint="write splits like alice=60 bob=40")
    try:
        share = Decimal(raw.strip().removesuffix("%"))
    except InvalidOperation as exc:
        raise InvalidInput(
            f"share {raw!r} of {rep.strip()} is not a number", hint="e.g. alice=60 bob=40"
        ) from exc
    if not share.is_finite() or not 0 < share <= HUNDRED:
        raise InvalidInput(
            f"share {raw!r} of {rep.strip()} must be more than 0 and at most 100",
            hint="shares are percentages, e.g. alice=60 bob=40",
        )
    if share != share.quantize(Decimal("0.0001")):
        raise InvalidInput(
            f"share {raw!r} has more than four decimals", hint="round it, e.g. 33.3333"
        )
    return rep.strip(), share.normalize()


def _resolve_shares(
    reader: Reader, texts: Sequence[str], kind: SplitKind
) -> dict[str, tuple[Row, Decimal]]:
    chosen: dict[str, tuple[Row, Decimal]] = {}
    for text in texts:
        handle, share = parse_share(text)
        try:
            user = find_owner(reader, handle, must_be_active=False)
        except NotFound as exc:
            raise NotFound(
                f"unknown rep {handle!r} in the split", hint="see: crm user list"
            ) from exc
        if user["id"] in chosen:
            raise InvalidInput(
                f"{user['username']} is named twice in the {kind} split",
                hint="name each rep once",
            )
        chosen[user["id"]] = (user, share)
    return chosen


def _view(reader: Reader, deal: Row) -> DealSplitView:
    rows = reader.rows(
        "SELECT s.user_id, s.kind, s.share_pct, u.username FROM deal_splits s "
        "JOIN users u ON u.id = s.user_id WHERE s.deal_id = ? AND s.deleted_at IS NULL "
        "ORDER BY s.kind DESC, u.username",
        (deal["id"],),
    )
    owner = (
        reader.scalar("SELECT username FROM users WHERE id = ?", (deal["owner_id"],))
        if deal.get("owner_id")
        else None
    )
    splits: list[SplitShare] = [
        {
            "rep": r["username"],
            "rep_id": r["user_id"],
            "kind": "overlay" if r["kind"] == "overlay" else "revenue",
            "share": Decimal(r["share_pct"]),
        }
        for r in rows
    ]
    if not any(s["kind"] == "revenue" for s in splits) and deal.get("owner_id"):
        splits.insert(
            0,
            {"rep": owner or "", "rep_id": deal["owner_id"], "kind": "revenue", "share": HUNDRED},
        )
    return {
        "deal": deal["name"],
        "deal_id": deal["id"],
        "handle": short(deal["id"]),
        "owner": owner,
        "splits": splits,
        "revenue_total": sum((s["share"] for s in splits if s["kind"] == "revenue"), Decimal(0)),
        "overlay_total": sum((s["share"] for s in splits if s["kind"] == "overlay"), Decimal(0)),
    }


def show_split(book: Book, deal: str) -> DealSplitView:
    """Who shares the deal's credit (the owner 100% when it was never split)."""
    with book.read() as r:
        return _view(r, find_deal(r, deal))


def split_deal(
    book: Book,
    deal: str,
    *,
    revenue: Sequence[str] = (),
    overlay: Sequence[str] = (),
    clear: bool = False,
    at: datetime | None = None,
) -> DealSplitView:
    """Set the deal's whole split: the revenue shares (total 100) and the overlays.

    Shares not named any more are removed; ``clear`` removes every split (the owner gets
    100% again). Nothing is written when any share is invalid.
    """
    if clear and (revenue or overlay):
        raise InvalidInput("--clear removes every split; do not name shares with it")
    if not clear and not revenue and not overlay:
        raise InvalidInput(
            "name the shares", hint="e.g. crm deal split DEAL alice=60 bob=40 --overlay carol=20"
        )
    with book.write(at=at) as w:
        row = find_deal(w, deal)
        wanted: dict[tuple[str, str], Decimal] = {}
        for user_id, (_user, share) in _resolve_shares(w, revenue, "revenue").items():
            wanted[(user_id, "revenue")] = share
        total = sum(wanted.values(), Decimal(0))
        for user_id, (_user, share) in _resolve_shares(w, overlay, "overlay").items():
            wanted[(user_id, "overlay")] = share
        if revenue and total != HUNDRED:
            raise InvalidInput(
                f"revenue splits total {total.normalize():f}%, not 100%",
                hint="overlays (--overlay carol=20) come on top and do not count",
            )
        existing = w.rows(
            "SELECT id, user_id, kind, share_pct, deleted_at FROM deal_splits WHERE deal_id = ?",
            (row["id"],),
        )
        seen: set[tuple[str, str]] = set()
        for split in existing:
            key = (split["user_id"], split["kind"])
            seen.add(key)
            wanted_share = wanted.get(key)
            if wanted_share is None:
                if split["deleted_at"] is None:
                    w.delete("deal_splits", split["id"])
                continue
            if split["deleted_at"] is not None:
                w.restore("deal_splits", split["id"])
            w.update("deal_splits", split["id"], {"share_pct": f"{wanted_share:f}"})
        for (user_id, kind), share in wanted.items():
            if (user_id, kind) not in seen:
                w.insert(
                    "deal_splits",
                    {
                        "deal_id": row["id"],
                        "user_id": user_id,
                        "kind": kind,
                        "share_pct": f"{share:f}",
                    },
                )
        return _view(w, row)
