"""The statement engine's SQL on PostgreSQL: the same commands, the same figures."""

from __future__ import annotations

import pytest

from tests.commission.conftest import pay, statement, won

pytestmark = pytest.mark.postgres


def test_statements_splits_payments_and_close_on_postgres(pgcrm) -> None:
    pgcrm("user add alice --name 'Alice Ng' --team east")
    pgcrm("user add bob")
    pgcrm("user quota set alice 2026-Q4 100000")
    pgcrm('plan add standard --tiers "0:5%,50000:8%,100000:10%" --accelerator 1.5')
    pgcrm("plan add onpay --flat 10% --trigger paid")
    pgcrm("plan assign standard alice")
    pgcrm("plan assign onpay bob")
    big = won(pgcrm, "Big deal", "120000", "2026-11-20")
    pgcrm("deal split 'Big deal' alice=100 --overlay bob=10")
    old = won(pgcrm, "Q3 deal", "10000", "2026-09-10", owner="bob")
    pay(pgcrm, old, "10000", "2026-09-15")
    pay(pgcrm, big, "12000", "2026-11-25")
    pay(pgcrm, old, "-2000", "2026-11-26")
    # alice: 2,500 + 4,000 + 20,000 × 15% = 9,500 (quota 100,000, accelerator 1.5)
    assert statement(pgcrm, "2026-Q4")["total"] == "9500.00"
    pgcrm("commission close 2026-Q3")  # bob: 10,000 received × 10% = 1,000
    bob = statement(pgcrm, "2026-Q4", "bob")
    # bob's overlay 10% of the 12,000 received = 1,200 × 10% = 120; the refund −2,000 × 10%
    assert [(x["kind"], x["amount"]) for x in bob["lines"]] == [
        ("commission", "120.00"),
        ("clawback", "-200.00"),
    ]
    assert statement(pgcrm, "2026-Q3", "bob")["total"] == "1000.00"
