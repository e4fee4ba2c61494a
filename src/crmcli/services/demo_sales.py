"""The demo book's sales expenses (travel, entertainment, samples) on its deals.

Called once by :func:`crmcli.services.demo.generate`, inside its bulk transaction; the
quotes, orders and payments of the demo come from the generator itself.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from crmcli.storage.db import Row, Writer

# category: (weight, smallest, largest) in whole currency units
EXPENSES = {
    "travel": (5, 80, 1_800),
    "entertainment": (3, 40, 600),
    "samples": (1, 20, 400),
    "other": (1, 10, 250),
}


def add_expenses(
    w: Writer, *, deals: Sequence[Row], rng: random.Random, now: datetime, share: float = 0.4
) -> int:
    """Give about ``share`` of the deals one to three expenses by their owner; returns how many."""
    categories = list(EXPENSES)
    weights = [EXPENSES[c][0] for c in categories]
    rows: list[dict[str, Any]] = []
    for deal in deals:
        if rng.random() >= share:
            continue
        start = deal["created_at"]
        end = min(deal["closed_at"] or now, now)
        span = max((end - start).total_seconds(), 3600.0)
        for _ in range(rng.randint(1, 3)):
            category = rng.choices(categories, weights)[0]
            _, low, high = EXPENSES[category]
            spent = start + timedelta(seconds=rng.uniform(0, span))
            rows.append(
                {
                    "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "deal_id": deal["id"],
                    "company_id": deal["company_id"],
                    "user_id": deal["owner_id"],
                    "category": category,
                    # whole cents: 10.00 … high.99, in thousandths
                    "amount_milli": rng.randint(low * 100, high * 100) * 10,
                    "currency": deal["currency"],
                    "spent_at": spent,
                    "note": None,
                    "created_at": spent,
                }
            )
    return w.insert_many("expenses", rows)
