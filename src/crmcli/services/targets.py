"""Activity targets: how many calls, meetings… a rep means to do in a period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from crmcli.errors import InvalidInput
from crmcli.periods import parse_period
from crmcli.services.activities import activity_kinds
from crmcli.services.book import Book
from crmcli.services.deals import find_rep
from crmcli.services.users import is_me


@dataclass(frozen=True)
class TargetView:
    """One activity target."""

    user: str
    period: str
    kind: str
    target: int


def parse_targets(items: list[str], kinds: list[str]) -> dict[str, int]:
    """``calls=20 meetings=5`` (plurals accepted) as ``{kind: count}``; unknown kinds refused."""
    found: dict[str, int] = {}
    for item in items:
        name, sep, number = item.partition("=")
        kind = name.strip().lower()
        if kind not in kinds and kind.endswith("s") and kind[:-1] in kinds:
            kind = kind[:-1]
        if not sep or kind not in kinds:
            raise InvalidInput(
                f"unknown activity kind {name.strip()!r}"
                if sep
                else f"expected KIND=N, not {item!r}",
                hint=f"kinds: {', '.join(kinds)}; e.g. calls=20 meetings=5",
            )
        if not number.strip().isdigit():
            raise InvalidInput(f"a target is a whole number, not {number!r}")
        found[kind] = int(number)
    if not found:
        raise InvalidInput("name at least one target", hint="e.g. calls=20 meetings=5")
    return found


def set_targets(
    book: Book, *, user: str, period: str, items: list[str], at: datetime | None = None
) -> list[TargetView]:
    """Set a rep's activity targets for a period (``2026-W49``, ``2026-12`` …)."""
    label = parse_period(period).label
    actor = book.actor
    with book.write(at=at) as w:
        rep = actor if is_me(user) else find_rep(w, user, actor=actor, must_be_active=False)
        username = w.scalar("SELECT username FROM users WHERE id = ?", (rep["id"],))
        targets = parse_targets(items, activity_kinds(w))
        out = []
        for kind, count in targets.items():
            existing = w.row(
                "SELECT id FROM activity_targets WHERE user_id = ? AND period = ? AND kind = ?",
                (rep["id"], label, kind),
            )
            if existing:
                w.update("activity_targets", existing["id"], {"target": count, "deleted_at": None})
            else:
                w.insert(
                    "activity_targets",
                    {"user_id": rep["id"], "period": label, "kind": kind, "target": count},
                )
            out.append(TargetView(str(username), label, kind, count))
        return out


def list_targets(book: Book, *, user: str | None = None) -> list[TargetView]:
    """Every activity target (of one rep), by rep, period and kind."""
    actor = book.actor if user else {}
    with book.read() as r:
        where, params = "t.deleted_at IS NULL", []
        if user:
            where += " AND t.user_id = ?"
            params.append(find_rep(r, user, actor=actor, must_be_active=False)["id"])
        rows = r.rows(
            "SELECT u.username, t.period, t.kind, t.target FROM activity_targets t "
            f"JOIN users u ON u.id = t.user_id WHERE {where} ORDER BY u.username, t.period, t.kind",
            params,
        )
    return [TargetView(x["username"], x["period"], x["kind"], x["target"]) for x in rows]
