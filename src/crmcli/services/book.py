"""The book of business: an open database plus who is acting."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from crmcli.config import Settings, os_username
from crmcli.errors import InvalidInput, NotFound
from crmcli.storage.db import Database, Reader, Writer

# Records every replica creates for itself get the same ids everywhere (uuid5), so a team
# syncing through a folder ends up with one default pipeline and one "alice", not several.
NAMESPACE = uuid.UUID("6f1c6a4e-3d1b-4e0f-9a55-2f0c1c0c7e11")

DEFAULT_PIPELINE = "Sales"
DEFAULT_STAGES = (
    ("Prospecting", 10, "open"),
    ("Qualification", 20, "open"),
    ("Proposal", 40, "open"),
    ("Evaluation", 60, "open"),
    ("Negotiation", 80, "open"),
    ("Closed Won", 100, "won"),
    ("Closed Lost", 0, "lost"),
)
DEFAULT_ROTTING_DAYS = 30


def stable_id(kind: str, key: str) -> str:
    """A deterministic UUID for records every replica creates on its own."""
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{key.lower()}"))


def ensure_default_user(w: Writer, username: str, *, role: str) -> str:
    """The user every replica knows as ``username`` (created when missing) becomes the default."""
    user_id = stable_id("user", username)
    if w.row("SELECT id FROM users WHERE id = ?", (user_id,)) is None:
        w.insert(
            "users",
            {"id": user_id, "username": username, "name": username, "role": role, "active": True},
        )
    w.set_meta("default_user", user_id)
    return user_id


@dataclass
class Book:
    """An open crm database and the acting user; the first argument of every service."""

    db: Database
    requested_user: str | None = None
    origin: str | None = None  # where writes come from when not typed at the CLI ("mcp")
    _actor: dict[str, str] | None = field(default=None, repr=False)

    @classmethod
    def open(cls, settings: Settings) -> Book:
        """Open (creating and seeding on first use) the database the settings name."""
        db = Database.connect(settings.db)
        book = cls(db=db, requested_user=settings.user)
        if db.created:
            book._seed(settings.user or os_username())
        return book

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def read(self) -> Iterator[Reader]:
        with self.db.read() as reader:
            yield reader

    @contextmanager
    def write(self, *, at: datetime | None = None) -> Iterator[Writer]:
        """A logged transaction on behalf of the acting user; ``at`` is the stated time."""
        actor = self.actor
        with self.db.write(user=actor["username"], at=at) as writer:
            writer.origin = self.origin
            yield writer

    @property
    def actor(self) -> dict[str, str]:
        """The acting user (``--as``/``CRM_USER``, else the book's default user)."""
        if self._actor is None:
            with self.db.read() as r:
                if self.requested_user:
                    row = r.row(
                        "SELECT id, username, active FROM users WHERE username = ? "
                        "AND deleted_at IS NULL",
                        (self.requested_user,),
                    )
                    if row is None:
                        raise NotFound(
                            f"unknown user {self.requested_user!r}",
                            hint=f"add them with: crm user add {self.requested_user}",
                        )
                    if not row["active"]:
                        raise InvalidInput(
                            f"user {self.requested_user!r} is inactive",
                            hint=f"reactivate: crm user edit {self.requested_user} --active",
                        )
                else:
                    default = r.meta("default_user")
                    row = r.row("SELECT id, username FROM users WHERE id = ?", (default,))
                    if row is None:
                        raise NotFound("this book has no default user", hint="pass --as USER")
            self._actor = {"id": row["id"], "username": row["username"]}
        return self._actor

    def _seed(self, username: str) -> None:
        """First use: replica id, the default user and the default pipeline of SPEC §4."""
        with self.db.write(user=username) as w:
            if w.meta("replica_id") is None:
                w.set_meta("replica_id", str(uuid.uuid4()))
            ensure_default_user(w, username, role="admin")
            pipeline_id = stable_id("pipeline", DEFAULT_PIPELINE)
            if w.row("SELECT id FROM pipelines WHERE id = ?", (pipeline_id,)) is None:
                w.insert(
                    "pipelines",
                    {
                        "id": pipeline_id,
                        "name": DEFAULT_PIPELINE,
                        "is_default": True,
                        "position": 1,
                    },
                )
                for position, (name, probability, kind) in enumerate(DEFAULT_STAGES, start=1):
                    w.insert(
                        "stages",
                        {
                            "id": stable_id("stage", f"{DEFAULT_PIPELINE}/{name}"),
                            "pipeline_id": pipeline_id,
                            "name": name,
                            "position": position,
                            "probability": probability,
                            "kind": kind,
                            "rotting_days": DEFAULT_ROTTING_DAYS if kind == "open" else None,
                        },
                    )
