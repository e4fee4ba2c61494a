"""Quote to cash on a deal card and a company's 360° view: orders, payments, balance,
expenses."""

from __future__ import annotations

from typing import TypedDict

from crmcli import clock
from crmcli.services.sales.expenses import ExpenseView, expenses_of
from crmcli.services.sales.orders import OrderView, orders_of_company, orders_of_deal
from crmcli.services.sales.payments import PaymentView, payments_of_deal
from crmcli.services.sales.receivables import BalanceLine, balances
from crmcli.storage.db import Reader


class DealSales(TypedDict):
    """What ``deal show`` gains: the deal's orders, payments, balance and expenses."""

    orders: list[OrderView]
    payments: list[PaymentView]
    balance: list[BalanceLine]
    expenses: list[ExpenseView]


class CompanySales(TypedDict):
    """What the company 360° view gains (it lists quotes and payments already)."""

    orders: list[OrderView]
    balance: list[BalanceLine]
    expenses: list[ExpenseView]


def deal_sales(reader: Reader, deal_id: str) -> DealSales:
    """A deal's orders, payments, balance per currency and expenses."""
    return DealSales(
        orders=orders_of_deal(reader, deal_id),
        payments=payments_of_deal(reader, deal_id),
        balance=balances(reader, today=clock.today(), deal_id=deal_id),
        expenses=expenses_of(reader, deal_id=deal_id),
    )


def company_sales(reader: Reader, company_id: str) -> CompanySales:
    """A company's orders, balance per currency and expenses (its own and its deals')."""
    return CompanySales(
        orders=orders_of_company(reader, company_id),
        balance=balances(reader, today=clock.today(), company_id=company_id),
        expenses=expenses_of(reader, company_id=company_id),
    )
