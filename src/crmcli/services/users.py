"""Reps: add, list, show, edit, deactivate."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from crmcli.config import normalise_username
from crmcli.errors import InvalidInput, NotFound
from crmcli.services.book import Book, stable_id
from crmcli.services.handles import resolve
from crmcli.services.records import public
from crmcli.services.validate import clean_email, clean_text
from crmcli.storage.db import Reader, Row

ROLES = ("rep", "manager", "admin")


def public_user(row: Row) -> Row:
    """A user as output sees it: the handle of a user is the username."""
    return {**public(row), "handle": row["username"]}


USER_FIELDS = ("name", "email", "team", "territory", "role", "active")


def add_user(
    book: Book,
    *,
    username: str,
    name: str | None = None,
    email: str | None = None,
    team: str | None = None,
    territory: str | None = None,
    role: str = "rep",
    at: datetime | None = None,
) -> Row:
    """Create a rep; usernames are unique (and give the same id on every replica)."""
    username = normalise_username(username)
    values = _validated(
        {
            "name": name or username,
            "email": email,
            "team": team,
            "territory": territory,
            "role": role,
        }
    )
    with book.write(at=at) as w:
        existing = w.row(
            "SELECT id, username, name, email, team, territory, deleted_at FROM users "
            "WHERE username = ?",
            (username,),
        )
        if existing is not None:
            if _first_use_placeholder(w, existing):
                # The first open created this user with nothing but the login name: adding
                # it now completes it (one logged update) instead of refusing a duplicate.
                w.update("users", existing["id"], values)
                return public_user(w.get("users", existing["id"]))
            raise InvalidInput(
                f"user {username!r} already exists",
                hint=f"change their details with: crm user edit {username} --name …",
            )
        return public_user(
            w.insert(
                "users",
                {"id": stable_id("user", username), "username": username, "active": True, **values},
            )
        )


def _first_use_placeholder(reader: Reader, user: Row) -> bool:
    """Whether ``user`` is the book's first-use user, still as the first open made it."""
    return (
        user["deleted_at"] is None
        and user["id"] == reader.meta("default_user")
        and user["name"] == user["username"]
        and not (user["email"] or user["team"] or user["territory"])
    )


def _validated(values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    if "name" in out and out["name"] is not None:
        out["name"] = clean_text(out["name"], what="name", max_length=200)
    if out.get("email"):
        out["email"] = clean_email(out["email"])
    for key in ("team", "territory"):
        if out.get(key) is not None:
            out[key] = clean_text(out[key], what=key, max_length=100) or None
    if "role" in out and out["role"] not in ROLES:
        raise InvalidInput(
            f"role must be one of {', '.join(ROLES)}, not {out['role']!r}",
            hint="use --role rep, manager or admin",
        )
    return out


def find_user(reader: Reader, handle: str) -> Row:
    """A user by username, email, name or id prefix."""
    return resolve(reader, "user", handle)


def is_me(handle: str | None) -> bool:
    """Whether an owner option says ``me`` (the acting user), in any case."""
    return handle is not None and handle.strip().lower() == "me"


def find_owner(reader: Reader, handle: str, *, must_be_active: bool = True) -> Row:
    """The rep ``handle`` names (username, e-mail, name), for an owner option.

    An unknown handle is "unknown owner"; a rep who left is refused as a new owner, but
    filters (``must_be_active=False``) may still name them.
    """
    try:
        user = resolve(reader, "user", handle)
    except NotFound as exc:
        raise NotFound(f"unknown owner {handle!r}", hint=exc.hint or "see: crm user list") from exc
    if must_be_active and not user["active"]:
        raise InvalidInput(
            f"user {user['username']!r} is inactive",
            hint="choose an active rep (crm user list), or reactivate with crm user edit --active",
        )
    return user


def list_users(book: Book, *, team: str | None = None, include_inactive: bool = False) -> list[Row]:
    """All reps, by username."""
    where = ["deleted_at IS NULL"]
    params: list[Any] = []
    if team:
        where.append("lower(team) = lower(?)")
        params.append(team)
    if not include_inactive:
        where.append("active = ?")
        params.append(True)
    with book.read() as r:
        rows = r.rows(
            "SELECT id, username, name, email, team, territory, role, active, created_at "
            f"FROM users WHERE {' AND '.join(where)} ORDER BY username",
            params,
        )
    return [public_user(row) for row in rows]


def show_user(book: Book, handle: str) -> Row:
    with book.read() as r:
        return public_user(find_user(r, handle))


def edit_user(book: Book, handle: str, *, at: datetime | None = None, **changes: Any) -> Row:
    """Change a rep's name, email, team, territory, role or active flag."""
    unknown = set(changes) - set(USER_FIELDS)
    if unknown:
        raise InvalidInput(
            f"cannot edit {', '.join(sorted(unknown))} of a user",
            hint="see what can change: crm user edit --help",
        )
    values = _validated({k: v for k, v in changes.items() if v is not None})
    with book.write(at=at) as w:
        user = find_user(w, handle)
        w.update("users", user["id"], values)
        return public_user(w.get("users", user["id"]))
