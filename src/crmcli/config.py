"""Where the database lives and who is acting: options, environment, platform defaults."""

from __future__ import annotations

import getpass
import os
import re
from dataclasses import dataclass
from pathlib import Path

from crmcli.errors import InvalidInput

APP_NAME = "crmcli"
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
# Folders kept in step by file-sync tools, where a live SQLite file gets corrupted.
_SYNCED_MARKERS = (
    "dropbox",
    "onedrive",
    "google drive",
    "googledrive",
    "icloud",
    "nextcloud",
    "owncloud",
    "syncthing",
    "box sync",
)
_NETWORK_FS = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smbfs",
        "smb3",
        "sshfs",
        "fuse.sshfs",
        "9p",
        "afs",
        "davfs",
        "fuse.rclone",
    }
)


def default_db_path() -> Path:
    """``crm.db`` in the platform's user data folder (e.g. ``~/.local/share/crmcli``)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False)) / "crm.db"


def os_username() -> str:
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # pragma: no cover - no passwd entry (containers)
        name = "me"
    return normalise_username(name, strict=False)


def normalise_username(text: str, *, strict: bool = True) -> str:
    """Usernames are lower-case ``[a-z0-9._-]``, up to 64 characters."""
    name = text.strip().lower()
    if _USERNAME.match(name):
        return name
    if strict:
        raise InvalidInput(
            f"{text!r} is not a valid username", hint="use letters, digits, '.', '_' or '-'"
        )
    cleaned = re.sub(r"[^a-z0-9._-]", "", name)[:64]
    return cleaned if cleaned and cleaned[0].isalnum() else "me"


@dataclass(frozen=True)
class Settings:
    """Resolved global options."""

    db: str
    user: str | None  # None: the default user of the book

    @classmethod
    def resolve(cls, *, db: str | None = None, user: str | None = None) -> Settings:
        target = db or os.environ.get("CRM_DB") or str(default_db_path())
        acting = user or os.environ.get("CRM_USER") or None
        return cls(db=target, user=normalise_username(acting) if acting else None)


def shared_folder_reason(target: str) -> str | None:
    """Why ``target`` looks like a synced or network folder (where SQLite is unsafe), or None."""
    if "://" in target:
        return None
    path = Path(target).expanduser().resolve()
    lowered = str(path).lower()
    for marker in _SYNCED_MARKERS:
        if marker in lowered:
            return f"it is inside a {marker.title()} folder"
    for parent in [path.parent, *path.parent.parents]:
        if (parent / ".stfolder").exists():
            return "it is inside a Syncthing folder"
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return None
    best = ("", "")
    for line in mounts:
        parts = line.split()
        if (
            len(parts) >= 3
            and lowered.startswith(parts[1].lower())
            and len(parts[1]) > len(best[0])
        ):
            best = (parts[1], parts[2])
    if best[1] in _NETWORK_FS:
        return f"it is on a network filesystem ({best[1]})"
    return None
