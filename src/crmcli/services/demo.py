"""A realistic, deterministic demo book of business (and, scaled up, the benchmark book).

Everything comes from one seeded ``random.Random`` and the program clock, so the same seed
and ``CRM_NOW`` give the same book. Rows go in through ``Writer.insert_many`` — bulk, but
still logged as creations in the change log like every other write.
"""

from __future__ import annotations

import contextlib
import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from crmcli import clock
from crmcli.errors import InvalidInput
from crmcli.money import SCALE, to_milli
from crmcli.services.book import DEFAULT_PIPELINE, DEFAULT_STAGES, Book, stable_id
from crmcli.services.demo_sales import add_expenses

REPS = (
    ("alice", "Alice Ng", "east", "DACH"),
    ("bob", "Bob Okafor", "east", "Benelux"),
    ("carol", "Carol Díaz", "east", "Nordics"),
    ("dave", "Dave Kowalski", "west", "UK & Ireland"),
    ("erin", "Erin Walsh", "west", "France"),
)
FIRST = [
    "Ada",
    "Alan",
    "Grace",
    "Linus",
    "Barbara",
    "Margaret",
    "Dennis",
    "Ken",
    "Radia",
    "Frances",
    "Edsger",
    "Donald",
    "John",
    "Katherine",
    "Tim",
    "Vint",
    "Hedy",
    "Annie",
    "Niklaus",
    "Guido",
    "Sophie",
    "Yukihiro",
    "Bjarne",
    "Anders",
    "Joan",
    "Mary",
    "Rosalind",
    "Marie",
    "Lise",
    "Emmy",
    "Ravi",
    "Priya",
    "Chen",
    "Mei",
    "Omar",
    "Fatima",
    "Lars",
    "Ingrid",
    "Pedro",
    "Lucía",
]
LAST = [
    "Lovelace",
    "Turing",
    "Hopper",
    "Torvalds",
    "Liskov",
    "Hamilton",
    "Ritchie",
    "Thompson",
    "Perlman",
    "Allen",
    "Dijkstra",
    "Knuth",
    "McCarthy",
    "Johnson",
    "Berners-Lee",
    "Cerf",
    "Lamarr",
    "Easley",
    "Wirth",
    "Rossum",
    "Wilson",
    "Matsumoto",
    "Stroustrup",
    "Hejlsberg",
    "Clarke",
    "Keller",
    "Franklin",
    "Curie",
    "Meitner",
    "Noether",
    "Patel",
    "Sharma",
    "Wang",
    "Li",
    "Haddad",
    "Khan",
    "Larsen",
    "Berg",
    "Santos",
    "García",
]
SYLLABLES = [
    "ac",
    "me",
    "glo",
    "bex",
    "ini",
    "tech",
    "umb",
    "rel",
    "la",
    "hoo",
    "li",
    "soy",
    "lent",
    "cy",
    "ber",
    "dyne",
    "stark",
    "wayne",
    "tyr",
    "ell",
    "vand",
    "lay",
    "oscorp",
    "nova",
    "terra",
    "lumen",
    "quant",
    "ix",
    "orbit",
    "vertex",
    "helix",
]
SUFFIXES = ("GmbH", "Ltd", "Inc", "SA", "BV", "AB", "AG", "plc", "Group", "Labs")
INDUSTRIES = (
    "Manufacturing",
    "Software",
    "Retail",
    "Logistics",
    "Healthcare",
    "Finance",
    "Energy",
    "Education",
    "Media",
    "Public sector",
)
CITIES = (
    ("Berlin", "DE"),
    ("Munich", "DE"),
    ("Vienna", "AT"),
    ("Zurich", "CH"),
    ("Amsterdam", "NL"),
    ("Brussels", "BE"),
    ("Stockholm", "SE"),
    ("Oslo", "NO"),
    ("London", "GB"),
    ("Dublin", "IE"),
    ("Paris", "FR"),
    ("Lyon", "FR"),
)
TITLES = (
    "CEO",
    "CTO",
    "Head of IT",
    "Procurement Manager",
    "VP Sales",
    "Operations Director",
    "IT Manager",
    "CFO",
    "Purchasing Lead",
    "Engineer",
)
SOURCES = ("web", "referral", "event", "cold call", "partner", "webinar")
LOST_REASONS = ("price", "timing", "no budget", "competitor", "no decision", "missing features")
BULK_TABLES = (
    "companies",
    "contacts",
    "tags",
    "leads",
    "deals",
    "stage_history",
    "deal_splits",
    "activities",
    "quotes",
    "quote_lines",
    "orders",
    "payments",
    "changes",
)
DEAL_KINDS = ("renewal", "expansion", "pilot", "rollout", "upgrade", "new business")
COMPETITORS = ("Globex", "Initech", "Umbrella", "Hooli", "Soylent")
ACTIVITY_SUBJECTS = {
    "call": (
        "Discovery call",
        "Follow-up call",
        "Pricing discussion",
        "Check-in call",
        "Reference call",
    ),
    "meeting": (
        "Demo",
        "On-site workshop",
        "Kick-off meeting",
        "Quarterly business review",
        "Negotiation meeting",
    ),
    "email": ("Sent proposal", "Sent case study", "Answered questions", "Sent contract draft"),
    "task": (
        "Prepare proposal",
        "Send quote",
        "Update forecast",
        "Check references",
        "Book follow-up",
    ),
    "note": (
        "Budget confirmed",
        "Decision maker identified",
        "Competitor in play",
        "Legal review needed",
    ),
}
PRODUCTS = (
    ("SKU-1", "CRM Seat (annual)", "480.00"),
    ("SKU-2", "Onboarding package", "2500.00"),
    ("SKU-3", "Premium support (annual)", "6000.00"),
    ("SKU-4", "Data migration", "4000.00"),
    ("SKU-5", "Training day", "1200.00"),
    ("SKU-6", "API add-on (annual)", "3000.00"),
    ("SKU-7", "Analytics add-on (annual)", "3600.00"),
    ("SKU-8", "Custom integration", "8000.00"),
)


@dataclass(frozen=True)
class DemoSize:
    """How big a book to make."""

    companies: int = 200
    contacts: int = 600
    leads: int = 150
    deals: int = 400
    activities: int = 3000
    quotes: int = 60
    reps: int = 5  # the five named reps; larger books add rep006, rep007, …

    @classmethod
    def scaled(cls, factor: float) -> DemoSize:
        base = cls()
        return cls(
            companies=max(5, int(base.companies * factor)),
            contacts=max(10, int(base.contacts * factor)),
            leads=max(5, int(base.leads * factor)),
            deals=max(10, int(base.deals * factor)),
            activities=max(20, int(base.activities * factor)),
            quotes=max(2, int(base.quotes * factor)),
            reps=max(len(REPS), int(base.reps * factor)),
        )


@dataclass
class DemoSummary:
    counts: dict[str, int]
    seconds: float


class _Gen:
    def __init__(self, seed: int, now: datetime) -> None:
        self.rng = random.Random(seed)
        self.now = now

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def past(self, days: float) -> datetime:
        return self.now - timedelta(seconds=self.rng.uniform(0, days * 86400))

    def work_time(self, day: datetime) -> datetime:
        """A time in office hours on ``day``'s date (weekends move back to Friday)."""
        local = day.astimezone(clock.local_zone())
        weekend = max(0, local.weekday() - 4)
        local = (local - timedelta(days=weekend)).replace(
            hour=self.rng.randint(8, 17),
            minute=self.rng.choice((0, 15, 30, 45)),
            second=0,
            microsecond=0,
        )
        return local.astimezone(UTC)

    def next_work_time(self, after: datetime) -> datetime:
        """Office hours on the first weekday after ``after``'s date."""
        local = after.astimezone(clock.local_zone()) + timedelta(days=1)
        while local.weekday() >= 5:
            local += timedelta(days=1)
        return self.work_time(local)


def generate(
    book: Book,
    *,
    size: DemoSize | None = None,
    seed: int = 42,
    progress: Callable[[str], None] | None = None,
) -> DemoSummary:
    """Fill an empty book with a demo business; refuses a book that already has deals."""
    import time

    started = time.perf_counter()
    size = size or DemoSize()
    say = progress or (lambda _msg: None)
    g = _Gen(seed, clock.now())
    rng = g.rng
    counts: dict[str, int] = {}
    with book.write() as w:
        if w.scalar("SELECT count(*) FROM deals") or w.scalar("SELECT count(*) FROM contacts"):
            raise InvalidInput(
                "this book already has data; the demo needs an empty one",
                hint="crm --db demo.db demo",
            )
        pipeline_id = stable_id("pipeline", DEFAULT_PIPELINE)
        stages = [
            {
                "id": stable_id("stage", f"{DEFAULT_PIPELINE}/{name}"),
                "name": name,
                "prob": p,
                "kind": kind,
            }
            for name, p, kind in DEFAULT_STAGES
        ]
        open_stages = [s for s in stages if s["kind"] == "open"]
        won_stage = next(s for s in stages if s["kind"] == "won")
        lost_stage = next(s for s in stages if s["kind"] == "lost")
        year_ago = g.now - timedelta(days=365)

        # -- reps, quotas, commission plan ------------------------------------------------
        say("reps")
        reps: list[str] = []
        roster = list(REPS) + [
            (
                f"rep{n:03d}",
                f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                ("east", "west")[n % 2],
                None,
            )
            for n in range(len(REPS) + 1, size.reps + 1)
        ]
        existing = {r["id"] for r in w.rows("SELECT id FROM users")}
        new_reps = []
        for username, name, team, territory in roster:
            uid = stable_id("user", username)
            reps.append(uid)
            if uid not in existing:
                new_reps.append(
                    {
                        "id": uid,
                        "username": username,
                        "name": name,
                        "email": f"{username}@crmcli.example",
                        "team": team,
                        "territory": territory,
                        "role": "rep",
                        "active": True,
                        "created_at": year_ago,
                    }
                )
        w.insert_many("users", new_reps)
        plan_id = g.uid()
        w.insert_many(
            "commission_plans",
            [
                {
                    "id": plan_id,
                    "name": "standard",
                    "tiers": json.dumps([["0", "0.05"], ["50000", "0.08"], ["100000", "0.10"]]),
                    "tier_basis": "money",
                    "mode": "marginal",
                    "trigger": "won",
                    "accelerator": "1.5",
                    "created_at": year_ago,
                }
            ],
        )
        w.insert_many(
            "plan_assignments",
            [
                {
                    "id": g.uid(),
                    "plan_id": plan_id,
                    "user_id": r,
                    "valid_from": year_ago.date(),
                    "created_at": year_ago,
                }
                for r in reps
            ],
        )
        this_year = g.now.year
        quotas: list[dict[str, Any]] = []
        for rep in reps:
            for year in (this_year - 1, this_year):
                for q in range(1, 5):
                    quotas.append(
                        {
                            "id": g.uid(),
                            "user_id": rep,
                            "period": f"{year}-Q{q}",
                            "amount_milli": rng.choice((80_000, 100_000, 120_000, 150_000)) * SCALE,
                            "currency": "EUR",
                            "created_at": year_ago,
                        }
                    )
        counts["quotas"] = w.insert_many("quotas", quotas)

        # -- price book --------------------------------------------------------------------
        products: list[dict[str, Any]] = []
        for sku, name, price in PRODUCTS:
            products.append(
                {
                    "id": stable_id("product", sku),
                    "sku": sku,
                    "name": name,
                    "unit_price_milli": to_milli(Decimal(price)),
                    "currency": "EUR",
                    "tax_pct": "19",
                    "active": True,
                    "created_at": year_ago,
                }
            )
        counts["products"] = w.insert_many("products", products)

        # Secondary indexes are rebuilt once at the end rather than row by row.
        bulk = contextlib.ExitStack()
        bulk.enter_context(w.deferred_indexes(*BULK_TABLES))

        # -- companies and contacts --------------------------------------------------------
        say("companies")
        companies: list[dict[str, Any]] = []
        used_names: set[str] = set()
        for i in range(size.companies):
            while True:
                stem = "".join(
                    rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3)))
                ).capitalize()
                name = f"{stem} {rng.choice(SUFFIXES)}"
                if name not in used_names:
                    break
                stem = f"{stem}{i}"
                name = f"{stem} {rng.choice(SUFFIXES)}"
                if name not in used_names:
                    break
            used_names.add(name)
            city, country = rng.choice(CITIES)
            created = g.past(540)
            companies.append(
                {
                    "id": g.uid(),
                    "name": name,
                    "domain": f"{stem.lower()}.example",
                    "website": f"https://{stem.lower()}.example",
                    "industry": rng.choice(INDUSTRIES),
                    "size": rng.choice((12, 40, 85, 250, 600, 1500, 5000)),
                    "classification": rng.choices(
                        ("prospect", "target", "key_account"), (60, 30, 10)
                    )[0],
                    "territory": None,
                    "city": city,
                    "country": country,
                    "owner_id": rng.choice(reps),
                    "source": rng.choice(SOURCES),
                    "created_at": created,
                    "updated_at": created,
                }
            )
        counts["companies"] = w.insert_many("companies", companies)

        say("contacts")
        contacts: list[dict[str, Any]] = []
        by_company: dict[str, list[str]] = {}
        used_emails: set[str] = set()
        for i in range(size.contacts):
            company = companies[i % len(companies)] if i < len(companies) else rng.choice(companies)
            first, last = rng.choice(FIRST), rng.choice(LAST)
            email = f"{first}.{last}@{company['domain']}".lower()
            if email in used_emails:
                email = f"{first}.{last}{i}@{company['domain']}".lower()
            used_emails.add(email)
            created = max(company["created_at"], g.past(500))
            cid = g.uid()
            by_company.setdefault(company["id"], []).append(cid)
            contacts.append(
                {
                    "id": cid,
                    "name": f"{first} {last}",
                    "email": email,
                    "phone": f"+44207946{rng.randint(0, 9999):04d}" if rng.random() < 0.7 else None,
                    "title": rng.choice(TITLES),
                    "company_id": company["id"],
                    "owner_id": company["owner_id"],
                    "source": company["source"],
                    "created_at": created,
                    "updated_at": created,
                }
            )
        counts["contacts"] = w.insert_many("contacts", contacts)
        tags: list[dict[str, Any]] = []
        for contact in contacts:
            if rng.random() < 0.15:
                tags.append(
                    {
                        "id": g.uid(),
                        "entity": "contacts",
                        "record_id": contact["id"],
                        "name": rng.choice(("webinar", "newsletter", "champion")),
                        "created_at": contact["created_at"],
                    }
                )
        for company in companies:
            if company["classification"] == "key_account" or rng.random() < 0.1:
                tags.append(
                    {
                        "id": g.uid(),
                        "entity": "companies",
                        "record_id": company["id"],
                        "name": rng.choice(("enterprise", "partner", "reference")),
                        "created_at": company["created_at"],
                    }
                )
        counts["tags"] = w.insert_many("tags", tags)

        say("leads")
        leads: list[dict[str, Any]] = []
        for i in range(size.leads):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            stem = "".join(rng.choice(SYLLABLES) for _ in range(2)).capitalize()
            status = rng.choices(("new", "working", "qualified", "disqualified"), (40, 30, 15, 15))[
                0
            ]
            created = g.past(200)
            leads.append(
                {
                    "id": g.uid(),
                    "name": f"{first} {last}",
                    "email": f"{first[0]}.{last}{i}@{stem.lower()}-mail.example".lower(),
                    "title": rng.choice(TITLES),
                    "company_name": f"{stem} {rng.choice(SUFFIXES)}",
                    "company_size": rng.choice((5, 20, 80, 300, 2000)),
                    "source": rng.choice(SOURCES),
                    "status": status,
                    "score": rng.randint(0, 100),
                    "disqualify_reason": rng.choice(("no budget", "student", "competitor", "spam"))
                    if status == "disqualified"
                    else None,
                    "owner_id": rng.choice(reps),
                    "created_at": created,
                    "updated_at": created,
                }
            )
        counts["leads"] = w.insert_many("leads", leads)

        # -- deals with their stage history ------------------------------------------------
        say("deals")
        deals: list[dict[str, Any]] = []
        history: list[dict[str, Any]] = []
        for i in range(size.deals):
            company = rng.choice(companies)
            people: list[str | None] = [*by_company.get(company["id"], [])] or [None]
            created = max(g.past(365), company["created_at"])
            amount = max(1000, int(rng.lognormvariate(9.8, 0.8)) // 100 * 100)
            owner = company["owner_id"] if rng.random() < 0.85 else rng.choice(reps)
            # Walk the stages: each step forward, win or loss happens with some chance.
            at = created
            current = open_stages[0]
            history.append(
                {
                    "id": g.uid(),
                    "deal_id": None,
                    "from_stage_id": None,
                    "to_stage_id": current["id"],
                    "at": at,
                    "user_id": owner,
                    "created_at": at,
                }
            )
            steps = [history[-1]]
            status, closed_at, reason, competitor = "open", None, None, None
            for nxt in [*open_stages[1:], None]:
                at = at + timedelta(days=rng.uniform(3, 25))
                if at >= g.now:
                    break
                roll = rng.random()
                if roll < 0.16:
                    status, target = "lost", lost_stage
                elif nxt is None or (
                    roll > 0.84 and current["name"] in ("Evaluation", "Negotiation")
                ):
                    status, target = "won", won_stage
                elif roll < 0.40 and (g.now - at).days < 45:
                    break  # recent: still being worked in this stage
                elif roll < 0.26 and (g.now - at).days < 120 and current is not open_stages[0]:
                    break  # stalled mid-funnel: open, and by now probably idle
                else:
                    target = nxt
                steps.append(
                    {
                        "id": g.uid(),
                        "deal_id": None,
                        "from_stage_id": current["id"],
                        "to_stage_id": target["id"],
                        "at": at,
                        "user_id": owner,
                        "created_at": at,
                    }
                )
                current = target
                if status != "open":
                    closed_at = at
                    if status == "lost":
                        reason = rng.choice(LOST_REASONS)
                        competitor = (
                            rng.choice(COMPETITORS) if reason in ("competitor", "price") else None
                        )
                    break
            history.extend(steps[1:])
            deal_id = g.uid()
            for step in steps:
                step["deal_id"] = deal_id
            close_date = (closed_at or (g.now + timedelta(days=rng.randint(-10, 90)))).date()
            deals.append(
                {
                    "id": deal_id,
                    "name": f"{company['name'].split()[0]} {rng.choice(DEAL_KINDS)} {i + 1}",
                    "pipeline_id": pipeline_id,
                    "stage_id": current["id"],
                    "company_id": company["id"],
                    "contact_id": rng.choice(people),
                    "owner_id": owner,
                    "amount_milli": amount * SCALE,
                    "currency": "EUR",
                    "probability": None,
                    "expected_close": close_date,
                    "source": company["source"],
                    "next_step": rng.choice(
                        ("Send proposal", "Book demo", "Call CFO", "Legal review", None)
                    )
                    if status == "open"
                    else None,
                    "status": status,
                    "lost_reason": reason,
                    "competitor": competitor,
                    "stage_changed_at": steps[-1]["at"],
                    "last_activity_at": None,
                    "closed_at": closed_at,
                    "created_at": created,
                    "updated_at": steps[-1]["at"],
                }
            )
        splits: list[dict[str, Any]] = []
        for deal in rng.sample(deals, k=max(1, len(deals) // 40)):
            other = rng.choice([r for r in reps if r != deal["owner_id"]])
            splits += [
                {
                    "id": g.uid(),
                    "deal_id": deal["id"],
                    "user_id": deal["owner_id"],
                    "share_pct": "60",
                    "kind": "revenue",
                    "created_at": deal["created_at"],
                },
                {
                    "id": g.uid(),
                    "deal_id": deal["id"],
                    "user_id": other,
                    "share_pct": "40",
                    "kind": "revenue",
                    "created_at": deal["created_at"],
                },
            ]

        # -- activities ---------------------------------------------------------------------
        say("activities")
        activities: list[dict[str, Any]] = []
        last_touch: dict[str, datetime] = {}
        contact_company = {c["id"]: c["company_id"] for c in contacts}
        series = max(1, size.activities // 150)
        for _ in range(series):
            deal = rng.choice(deals)
            start = g.work_time(g.now - timedelta(days=rng.randint(0, 60)))
            if start < deal["created_at"]:
                start = g.next_work_time(deal["created_at"])
            weekday = ("MO", "TU", "WE", "TH", "FR")[
                start.astimezone(clock.local_zone()).weekday() % 5
            ]
            activities.append(
                {
                    "id": g.uid(),
                    "kind": "meeting",
                    "subject": rng.choice(("Weekly sync", "Pipeline review", "Account check-in")),
                    "start_at": start,
                    "end_at": start + timedelta(minutes=30),
                    "all_day": False,
                    "due_at": None,
                    "done_at": None,
                    "owner_id": deal["owner_id"],
                    "deal_id": deal["id"],
                    "contact_id": deal["contact_id"],
                    "company_id": deal["company_id"],
                    "rrule": rng.choice(
                        (
                            f"FREQ=WEEKLY;BYDAY={weekday}",
                            f"FREQ=WEEKLY;INTERVAL=2;BYDAY={weekday}",
                            "FREQ=MONTHLY;BYDAY=1MO",
                        )
                    ),
                    "created_at": start - timedelta(days=1),
                    "updated_at": start - timedelta(days=1),
                }
            )
        kinds = ("call", "call", "email", "meeting", "task", "note", "email", "call")
        for _ in range(size.activities - series):
            kind = rng.choice(kinds)
            linked: dict[str, Any] | None = rng.choice(deals) if rng.random() < 0.8 else None
            if linked is not None:
                end = linked["closed_at"] or g.now + timedelta(days=21)
                span = max(1.0, (end - linked["created_at"]).total_seconds())
                when = g.work_time(linked["created_at"] + timedelta(seconds=rng.uniform(0, span)))
                # Office hours can fall before the deal existed that day: not before it.
                if when < linked["created_at"]:
                    when = g.next_work_time(linked["created_at"])
                contact_id, company_id, owner = (
                    linked["contact_id"],
                    linked["company_id"],
                    linked["owner_id"],
                )
            else:
                contact = rng.choice(contacts)
                when = g.work_time(g.now + timedelta(days=rng.uniform(-365, 21)))
                contact_id, company_id, owner = (
                    contact["id"],
                    contact_company[contact["id"]],
                    contact["owner_id"],
                )
            if kind in ("note", "email") and when > g.now:
                kind = rng.choice(("call", "task", "meeting"))  # only the past has notes
            past = when < g.now
            row: dict[str, Any] = {
                "id": g.uid(),
                "kind": kind,
                "subject": rng.choice(ACTIVITY_SUBJECTS[kind]),
                "start_at": None,
                "end_at": None,
                "all_day": False,
                "due_at": None,
                "done_at": None,
                "outcome": None,
                "owner_id": owner,
                "deal_id": linked["id"] if linked else None,
                "contact_id": contact_id,
                "company_id": company_id,
                "rrule": None,
                "created_at": min(when, g.now) - timedelta(hours=rng.randint(1, 72)),
            }
            if kind == "task":
                row["due_at"] = when
                # Most past tasks are done; the rest are the overdue list.
                row["done_at"] = when if past and rng.random() < 0.85 else None
            else:
                row["start_at"] = when
                row["end_at"] = when + timedelta(
                    minutes=rng.choice((15, 30, 45, 60)) if kind in ("call", "meeting") else 0
                )
                row["done_at"] = when if past else None
                row["outcome"] = (
                    rng.choice(("reached", "left voicemail", "positive", "needs follow-up"))
                    if past and kind == "call"
                    else None
                )
            row["updated_at"] = row["created_at"]
            activities.append(row)
            if linked is not None and past:
                last_touch[linked["id"]] = max(last_touch.get(linked["id"], when), when)
        # Deals go in after their activities are known, so last_activity_at is set on insert.
        for deal in deals:
            deal["last_activity_at"] = last_touch.get(deal["id"])
        counts["deals"] = w.insert_many("deals", deals)
        counts["stage_history"] = w.insert_many("stage_history", history)
        counts["deal_splits"] = w.insert_many("deal_splits", splits)
        counts["activities"] = 0
        for chunk in range(0, len(activities), 50_000):
            counts["activities"] += w.insert_many("activities", activities[chunk : chunk + 50_000])

        # -- quotes, orders, payments -----------------------------------------------------
        say("quotes")
        quotes: list[dict[str, Any]] = []
        lines: list[dict[str, Any]] = []
        orders: list[dict[str, Any]] = []
        payments: list[dict[str, Any]] = []
        candidates = [d for d in deals if d["status"] == "won"] + [
            d
            for d in deals
            if d["status"] == "open" and d["stage_id"] in {s["id"] for s in open_stages[2:]}
        ]
        rng.shuffle(candidates)
        for n, deal in enumerate(
            sorted(candidates[: size.quotes], key=lambda d: d["created_at"]), start=1
        ):
            created = deal["created_at"] + timedelta(days=rng.randint(5, 20))
            created = min(created, g.now - timedelta(hours=1))
            status = (
                "accepted"
                if deal["status"] == "won"
                else rng.choice(("draft", "sent", "sent", "declined"))
            )
            quote_id = g.uid()
            total = 0
            for pos, product in enumerate(rng.sample(products, k=rng.randint(1, 4)), start=1):
                qty = rng.choice((1, 1, 2, 3, 5, 10, 25))
                discount = rng.choice((0, 0, 5, 10))
                # whole cents, as a quote rounds its lines
                line_total = product["unit_price_milli"] * qty * (100 - discount) // 1000 * 10
                total += line_total
                lines.append(
                    {
                        "id": g.uid(),
                        "quote_id": quote_id,
                        "position": pos,
                        "product_id": product["id"],
                        "description": product["name"],
                        "quantity": str(qty),
                        "unit_price_milli": product["unit_price_milli"],
                        "discount_pct": str(discount),
                        "created_at": created,
                    }
                )
            quotes.append(
                {
                    "id": quote_id,
                    "number": f"Q-{created.year}-{n:04d}",
                    "version": 1,
                    "deal_id": deal["id"],
                    "status": status,
                    "currency": "EUR",
                    "valid_until": (created + timedelta(days=30)).date(),
                    "discount_pct": "0",
                    "tax_pct": "19",
                    "total_milli": total,
                    "sent_at": created if status != "draft" else None,
                    "decided_at": deal["closed_at"]
                    if status == "accepted"
                    else (created + timedelta(days=7) if status == "declined" else None),
                    "created_at": created,
                    "updated_at": created,
                }
            )
            if status == "accepted" and deal["closed_at"] is not None:
                order_id = g.uid()
                amount = deal["amount_milli"]
                orders.append(
                    {
                        "id": order_id,
                        "number": f"O-{deal['closed_at'].year}-{len(orders) + 1:04d}",
                        "deal_id": deal["id"],
                        "quote_id": quote_id,
                        "amount_milli": amount,
                        "currency": "EUR",
                        "due_date": (deal["closed_at"] + timedelta(days=30)).date(),
                        "created_at": deal["closed_at"],
                    }
                )
                paid_at = deal["closed_at"] + timedelta(days=rng.randint(10, 45))
                if paid_at < g.now and rng.random() < 0.8:
                    half = amount // 20 * 10  # in whole cents
                    part = amount if rng.random() < 0.7 else half
                    payments.append(
                        {
                            "id": g.uid(),
                            "deal_id": deal["id"],
                            "order_id": order_id,
                            "amount_milli": part,
                            "currency": "EUR",
                            "paid_at": paid_at,
                            "method": "bank transfer",
                            "reference": f"INV-{len(payments) + 1:05d}",
                            "created_at": paid_at,
                        }
                    )
        counts["quotes"] = w.insert_many("quotes", quotes)
        counts["quote_lines"] = w.insert_many("quote_lines", lines)
        counts["orders"] = w.insert_many("orders", orders)
        counts["payments"] = w.insert_many("payments", payments)
        counts["expenses"] = add_expenses(w, deals=deals, rng=rng, now=g.now)
        bulk.close()
        w.set_meta("demo_seed", str(seed))
        # The demo is seen through a rep's eyes: `crm agenda`, `board --owner me`… are alice's.
        w.set_meta("default_user", reps[0])
    return DemoSummary(counts=counts, seconds=time.perf_counter() - started)


__all__ = ["DemoSize", "DemoSummary", "date", "generate"]
