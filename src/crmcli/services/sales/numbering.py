"""Document numbers unique across the team: ``Q-2026-7KX3M-0001``, ``O-2026-7KX3M-0001``.

A number is ``PREFIX-YEAR-SERIES-SEQUENCE``:

- PREFIX is ``quote_prefix`` from ``crm config`` (default ``Q``) for quotes, ``O`` for orders;
- YEAR is the year of the stated time (``--at``) in the user's zone;
- SERIES is this replica's own code: five Crockford base-32 characters derived from the
  replica id every database file gets when it is created (``meta.replica_id``). Two reps
  numbering quotes offline on different replicas use different series, so their numbers
  never collide when ``crm sync`` brings them together; 32⁵ ≈ 33.5 million codes make a
  clash between two random replica ids about one in 30 million for a pair of replicas;
- SEQUENCE counts up per prefix, year and series (at least four digits).

A sequence only ever looks at its own replica's series, so it needs no coordination.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from crmcli import clock
from crmcli.storage.db import Writer

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # no I, L, O, U: nothing to misread
SERIES_LENGTH = 5


def series_code(replica_id: str) -> str:
    """The five-character series of a replica id (stable: the same id, the same code)."""
    try:
        value = uuid.UUID(replica_id).int
    except ValueError:
        value = int(uuid.uuid5(uuid.NAMESPACE_OID, replica_id).hex, 16)
    chars = []
    for _ in range(SERIES_LENGTH):
        value, digit = divmod(value, 32)
        chars.append(_CROCKFORD[digit])
    return "".join(chars)


def next_number(w: Writer, *, table: str, prefix: str, at: datetime | None = None) -> str:
    """The next free number of this replica's series in ``table`` (``quotes`` or ``orders``)."""
    year = clock.to_local(at or w.at).year
    stem = f"{prefix}-{year}-{series_code(w.replica_id)}-"
    clause, params = w.prefix_clause("number", stem)
    # Longest, then highest: 10000 sorts after 9999.
    last = w.scalar(
        f"SELECT number FROM {table} WHERE {clause} "
        "ORDER BY length(number) DESC, number DESC LIMIT 1",
        params,
    )
    sequence = 1
    if last is not None:
        tail = str(last)[len(stem) :]
        sequence = int(tail) + 1 if tail.isdigit() else 1
    return f"{stem}{sequence:04d}"
