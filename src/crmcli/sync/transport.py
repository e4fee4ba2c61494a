"""The shared folder: which files are ours, which are others', how ours are written.

One writer per file: a replica only ever creates files named after its own replica id,
each written once under a temporary name, flushed, fsynced and renamed into place, and
never rewritten. Everything a sync tool or an editor leaves around (temporary files,
"conflicted copies", lock files) is ignored because it does not match the strict pattern.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from crmcli.errors import InvalidInput
from crmcli.sync.container import fsync_dir

BATCH_SUFFIX = ".crmbatch"
SNAPSHOT_SUFFIX = ".crmsnap"
TEAM_FILE = "crm-team.json"
_NAME = re.compile(
    r"^(?P<replica>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\."
    r"(?P<seq>\d{8})(?P<suffix>\.crmbatch|\.crmsnap)$"
)
# What file-sync tools and editors leave behind; never read, whatever the name says.
_IGNORED = re.compile(r"(\.tmp$|conflicted copy|\.sync-conflict-|^~\$|^\.)", re.IGNORECASE)


@dataclass(frozen=True)
class FolderFile:
    """A batch or snapshot file of the shared folder."""

    name: str
    path: Path
    replica_id: str
    seq: int
    kind: str  # batch|snapshot
    size: int


def batch_name(replica_id: str, seq: int) -> str:
    return f"{replica_id}.{seq:08d}{BATCH_SUFFIX}"


def snapshot_name(replica_id: str, seq: int) -> str:
    return f"{replica_id}.{seq:08d}{SNAPSHOT_SUFFIX}"


def check_folder(folder: Path) -> Path:
    """The shared folder, resolved; a one-line error if it cannot be used."""
    path = folder.expanduser()
    if not path.exists():
        raise InvalidInput(
            f"the sync folder {path} does not exist",
            hint="create it (or mount the network drive) and run crm sync again",
        )
    if not path.is_dir():
        raise InvalidInput(f"{path} is a file, not a folder", hint="pass a folder to --remote")
    if not os.access(path, os.W_OK | os.X_OK):
        raise InvalidInput(f"cannot write to the sync folder {path}", hint="check its permissions")
    return path.resolve()


def list_files(folder: Path) -> list[FolderFile]:
    """Every well-named batch and snapshot in the folder (ignoring everything else)."""
    found = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if _IGNORED.search(entry.name):
                continue
            match = _NAME.match(entry.name)
            if match is None:
                continue
            try:
                size = entry.stat().st_size
            except OSError:  # removed meanwhile (a compaction on another replica)
                continue
            found.append(
                FolderFile(
                    name=entry.name,
                    path=Path(entry.path),
                    replica_id=match["replica"],
                    seq=int(match["seq"]),
                    kind="batch" if match["suffix"] == BATCH_SUFFIX else "snapshot",
                    size=size,
                )
            )
    found.sort(key=lambda f: (f.replica_id, f.seq, f.kind))
    return found


def write_atomically(folder: Path, name: str, fill: Callable[[IO[bytes]], None]) -> Path:
    """Create ``folder/name`` once: temp name, flush, fsync, rename, fsync the folder."""
    final = folder / name
    temp = folder / f".{name}.{os.getpid()}.tmp"
    try:
        with temp.open("xb") as handle:
            fill(handle)
            handle.flush()
            os.fsync(handle.fileno())
        if final.exists():  # immutable: never replace a file that is already there
            raise FileExistsError(final)
        temp.replace(final)
    finally:
        temp.unlink(missing_ok=True)
    fsync_dir(folder)
    return final


def remove_stale_temps(folder: Path, replica_id: str) -> None:
    """Our own temp files left by a sync that was killed (never anyone else's)."""
    for path in folder.glob(f".{replica_id}.*.tmp"):
        try:
            pid = int(path.name.rsplit(".", 2)[-2])
        except ValueError:
            continue
        if pid != os.getpid() and not _alive(pid):
            path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - someone else's process
        return True
    return True


def read_team(folder: Path) -> dict[str, Any] | None:
    """The team file (is this folder encrypted, with which key id), or None."""
    path = folder / TEAM_FILE
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return None  # half-copied: treated as absent until complete
    return data if isinstance(data, dict) else None


def write_team(folder: Path, team: dict[str, Any]) -> None:
    """Create the team file (once: it is never rewritten)."""
    body = (json.dumps(team, indent=2, sort_keys=True) + "\n").encode()

    def fill(handle: IO[bytes]) -> None:
        handle.write(body)

    with contextlib.suppress(FileExistsError):  # another replica created it meanwhile
        write_atomically(folder, TEAM_FILE, fill)
