"""Quote to cash on PostgreSQL: the same commands, the same figures."""

from __future__ import annotations

import pytest

from tests.conftest import Crm

pytestmark = pytest.mark.postgres


def test_quote_to_cash_on_postgresql(pgcrm: Crm) -> None:
    crm = pgcrm
    crm("user add alice --name 'Alice Ng' --team east")
    crm("company add 上海通用汽车")
    crm("deal add 'SGM rollout' --company 上海通用汽车 --amount 1 --owner alice")
    crm("product add SKU-1 'CRM Seat' --price 480 --tax 19")
    number = crm.json("quote new --deal 'SGM rollout' --discount 5 --at 2026-09-01")["number"]
    crm(f"quote line add {number} --product SKU-1 --qty 3 --discount 10")
    crm(f"quote line add {number} --text 服务费 --price 15 --charge --tax 19")
    crm(f"quote send {number} --at 2026-09-01")
    # 1,296.00 → 1,231.20 after 5%, tax 233.93; charge 15.00, tax 2.85
    accepted = crm.json(f"quote accept {number} --at 2026-09-02")
    assert accepted["total"] == "1482.98" and accepted["deal_won"] is True
    crm(f"payment add {accepted['order']['number']} 482.98 --at 2026-09-20")
    crm("expense add 'SGM rollout' 100 --category travel --at 2026-09-03")
    report = crm.json("report receivables --as-of 2026-11-23")
    (row,) = report["rows"]
    # due 2026-10-02: 52 days past due on 2026-11-23
    assert (row["customer"], row["open"], row["days_31_60"]) == (
        "上海通用汽车",
        "1000.00",
        "1000.00",
    )
    assert crm.json("--as alice agenda --overdue")[0]["kind"] == "balance"
    expenses = crm.json("report expenses --period 2026-Q3")
    assert expenses["totals"][0]["cost_of_sale"] == "0.0674"  # 100 / 1,482.98
    assert len(crm.json("quote list --status accepted --owner alice")) == 1
