"""One error hierarchy, raised by the core and rendered once by the CLI and the TUI.

Each class's docstring is its default message; the exit codes are those of SPEC §3.
"""

from __future__ import annotations

from collections.abc import Sequence


class CrmError(Exception):
    """Something went wrong."""

    exit_code = 1

    def __init__(self, message: str | None = None, *, hint: str | None = None) -> None:
        self.message = message or (self.__doc__ or "").strip()
        self.hint = hint
        super().__init__(self.message)


class UserError(CrmError):
    """Invalid input."""


class InvalidInput(UserError):
    """That value is not valid."""


class NotFound(UserError):
    """No such record."""


class Ambiguous(UserError):
    """That handle matches several records."""

    def __init__(self, entity: str, handle: str, candidates: Sequence[str]) -> None:
        shown = "; ".join(candidates[:10]) + ("; …" if len(candidates) > 10 else "")
        super().__init__(
            f"{entity} {handle!r} is ambiguous: {shown}",
            hint="use a longer id prefix, the email, or the full name",
        )
        self.candidates = list(candidates)


class DatabaseError(CrmError):
    """The database cannot be used."""


class NewerSchema(DatabaseError):
    """This database was written by a newer crmcli."""


class Conflict(CrmError):
    """The change conflicts with another one."""

    exit_code = 3


class LockTimeout(Conflict):
    """The database stayed locked by another crm process."""


class ImportRejected(CrmError):
    """Some rows were rejected."""

    exit_code = 4


class ImportInterrupted(CrmError):
    """The import was interrupted."""

    exit_code = 130  # as any command stopped by Ctrl-C
