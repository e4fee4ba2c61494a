"""The data model of SPEC §2 as SQLModel tables: the single source of truth for the schema.

These classes define the tables Alembic migrates. Importing them costs SQLAlchemy and
pydantic (~0.5 s), so the hot path (every ``crm`` command) never does: the storage layer
speaks SQL through the DB-API, and only migrations, the schema tests and tooling import
this package. Conventions the storage layer relies on: ids are UUID strings, columns named
``*_at`` are timezone-aware UTC timestamps, ``*_milli`` are integer money in thousandths
of the currency unit, and every mutable record has ``created_at``, ``updated_at`` and a
soft ``deleted_at``.
"""

from sqlmodel import SQLModel

import crmcli.models.indexes
import crmcli.models.report_indexes  # noqa: F401  (attaches the 0005 indexes)
from crmcli.models.activities import Activity
from crmcli.models.changes import Change, ChangeOrigin, Meta, SyncConflict
from crmcli.models.compensation import CommissionPlan, PlanAssignment, Quota
from crmcli.models.parties import Company, Contact, Lead, Tag, User
from crmcli.models.pipeline import Deal, DealLine, DealSplit, Pipeline, Stage, StageHistory
from crmcli.models.reporting import ActivityTarget, ExchangeRate
from crmcli.models.sales import Expense, Order, Payment, Product, Quote, QuoteLine

metadata = SQLModel.metadata

__all__ = [
    "Activity",
    "ActivityTarget",
    "Change",
    "ChangeOrigin",
    "CommissionPlan",
    "Company",
    "Contact",
    "Deal",
    "DealLine",
    "DealSplit",
    "ExchangeRate",
    "Expense",
    "Lead",
    "Meta",
    "Order",
    "Payment",
    "Pipeline",
    "PlanAssignment",
    "Product",
    "Quota",
    "Quote",
    "QuoteLine",
    "Stage",
    "StageHistory",
    "SyncConflict",
    "Tag",
    "User",
    "metadata",
]
