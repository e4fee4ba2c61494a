"""crm lead: capture, status flow, score, assign, and conversion in one transaction."""

from __future__ import annotations

import json

from tests.parties.helpers import add_activity, count, query


class TestConvert:
    """`crm lead convert` creates or reuses company and contact, optionally a deal, at once."""

    def test_spec_example_verbatim(self, crm):
        crm('lead add "Grace Hopper" --email grace@navy.example --company "Navy Labs" --source web')
        result = crm.json('lead convert grace@navy.example --deal "Navy Labs pilot" --amount 12000')
        assert result["company_created"] and result["contact_created"]
        assert result["company"]["name"] == "Navy Labs"
        assert result["company"]["domain"] == "navy.example"
        assert result["contact"]["email"] == "grace@navy.example"
        assert result["contact"]["company"] == "Navy Labs"
        deal = result["deal"]
        assert (deal["name"], deal["amount"], deal["status"]) == (
            "Navy Labs pilot",
            "12000.00",
            "open",
        )
        stage = query(
            crm.db,
            "SELECT s.name FROM deals d JOIN stages s ON s.id = d.stage_id WHERE d.id = ?",
            (deal["id"],),
        )
        assert stage == [("Prospecting",)]
        lead = crm.json("lead show grace@navy.example")
        assert lead["status"] == "converted"
        assert lead["converted_deal_id"] == deal["id"]
        assert lead["converted_contact_id"] == result["contact"]["id"]

    def test_converting_twice_is_an_error_and_writes_nothing(self, crm):
        crm("lead add Grace --email grace@navy.example --company 'Navy Labs'")
        crm("lead convert Grace")
        changes = query(crm.db, "SELECT count(*) FROM changes")[0][0]
        run = crm("lead convert Grace --deal X --amount 5", ok=False)
        assert run.exit_code == 1
        assert "already converted" in run.stderr
        assert query(crm.db, "SELECT count(*) FROM changes")[0][0] == changes
        assert count(crm.db, "deals") == 0

    def test_reuses_company_by_email_domain_and_contact_by_email(self, crm):
        crm("company add 'Acme GmbH' --domain acme.example")
        crm("contact add 'Ada L.' --email ada@acme.example")
        crm("lead add 'Ada Lovelace' --email ADA@acme.example --company 'ACME' --title CTO")
        result = crm.json("lead convert 'Ada Lovelace' --amount 500 --currency usd")
        assert not result["company_created"] and not result["contact_created"]
        assert result["company"]["name"] == "Acme GmbH"
        assert result["contact"]["name"] == "Ada L."
        assert result["contact"]["company"] == "Acme GmbH"  # filled in from the lead
        assert result["contact"]["title"] == "CTO"
        assert (result["deal"]["name"], result["deal"]["currency"]) == ("Acme GmbH", "USD")
        assert count(crm.db, "companies") == 1 and count(crm.db, "contacts") == 1

    def test_reuses_company_by_exact_name_and_skips_free_mail_domains(self, crm):
        crm("company add 'Navy Labs'")
        crm("lead add Grace --email grace@gmail.com --company 'navy labs'")
        result = crm.json("lead convert Grace")
        assert not result["company_created"]
        assert result["company"]["domain"] is None  # gmail.com says nothing about Navy Labs
        assert result["deal"] is None
        assert count(crm.db, "deals") == 0

    def test_reuses_the_contact_that_has_the_email_as_a_further_address(self, crm):
        crm("contact add 'Grace H' --email grace@navy.example")
        crm("contact add 'Grace Hopper' --email admiral@home.example --force")
        crm("contact merge grace@navy.example admiral@home.example")
        crm("lead add 'Grace Hopper' --email ADMIRAL@home.example")
        result = crm.json("lead convert 'Grace Hopper'")
        assert not result["contact_created"]
        assert result["contact"]["email"] == "grace@navy.example"
        assert count(crm.db, "contacts") == 1

    def test_links_the_leads_activities(self, crm):
        crm("lead add Grace --email grace@navy.example --company 'Navy Labs'")
        lead_id = crm.json("lead show Grace")["id"]
        activity = add_activity(crm.db, "Intro call", lead_id=lead_id)
        result = crm.json("lead convert Grace --deal Pilot")
        assert result["activities_linked"] == 1
        links = query(
            crm.db,
            "SELECT contact_id, company_id, deal_id, lead_id FROM activities WHERE id = ?",
            (activity,),
        )
        assert links == [
            (result["contact"]["id"], result["company"]["id"], result["deal"]["id"], lead_id)
        ]

    def test_disqualified_lead_must_be_qualified_first(self, crm):
        crm("lead add Spam --email s@spam.example")
        crm("lead disqualify Spam --reason spam")
        run = crm("lead convert Spam", ok=False)
        assert run.exit_code == 1 and "qualify it first" in run.stderr
        crm("lead qualify Spam")
        crm("lead convert Spam")


class TestStatus:
    """new → working → qualified / disqualified (with reason) → converted."""

    def test_flow_and_list_defaults(self, crm):
        crm("lead add A --email a@x.example")
        crm("lead add B --email b@x.example")
        crm("lead add C --email c@x.example")
        crm("lead edit A --status working")
        crm("lead qualify B")
        crm("lead disqualify C --reason 'no budget'")
        c = crm.json("lead show C")
        assert (c["status"], c["disqualify_reason"]) == ("disqualified", "no budget")
        open_leads = {row["name"]: row["status"] for row in crm.json("lead list")}
        assert open_leads == {"A": "working", "B": "qualified"}
        assert len(crm.json("lead list --all")) == 3
        assert [r["name"] for r in crm.json("lead list --status disqualified")] == ["C"]
        crm("lead qualify C")
        assert crm.json("lead show C")["disqualify_reason"] is None

    def test_bad_status_and_missing_reason(self, crm):
        crm("lead add A")
        run = crm("lead edit A --status converted", ok=False)
        assert run.exit_code == 1 and "status must be" in run.stderr
        assert crm("lead disqualify A", ok=False).exit_code == 2  # --reason is required
        run = crm("lead disqualify A --reason ' '", ok=False)
        assert run.exit_code == 1
        a = crm.json("lead show A")
        assert (a["status"], a["disqualify_reason"]) == ("new", None)

    def test_converted_lead_cannot_be_edited(self, crm):
        crm("lead add A --company X")
        crm("lead convert A")
        run = crm("lead edit A --title Boss", ok=False)
        assert run.exit_code == 1 and "converted" in run.stderr


class TestCaptureAndDedupe:
    def test_every_field(self, team):
        team(
            "lead add 'Grace Hopper' --email grace@navy.example --phone '+1 415 555 2671' "
            "--title 'VP Engineering' --company 'Navy Labs' --company-size 300 "
            "--website navy.example --source Referral --owner alice --tag hot "
            "--notes 'from the conference' --external-id web-7"
        )
        lead = team.json("lead show Grace")
        assert lead["phone"] == "+14155552671"
        assert lead["website"] == "https://navy.example"
        assert (lead["company_size"], lead["owner"], lead["tags"]) == (300, "alice", ["hot"])

    def test_duplicates(self, crm):
        crm("lead add Grace --email grace@navy.example --company 'Navy Labs'")
        run = crm("lead add 'Grace H' --email GRACE@navy.example", ok=False)
        assert run.exit_code == 1 and "already exists" in run.stderr
        run = crm("lead add 'grace' --company 'navy labs'", ok=False)
        assert "possible duplicate" in run.stderr
        crm("lead add 'Grace' --company 'Navy Labs' --force")
        assert len(crm.json("lead list")) == 2

    def test_bad_input(self, crm):
        for args in (
            "lead add X --email a@@b",
            "lead add X --phone 999",
            "lead add X --owner ghost",
            "lead add X --website 'not a url'",
        ):
            run = crm(args, ok=False)
            assert run.exit_code == 1, args
            assert len(run.stderr.strip().splitlines()) <= 2
        assert count(crm.db, "leads") == 0


class TestScore:
    """Rule-based score: shown in list, sortable, rules configurable."""

    def test_default_rules_and_sorting(self, crm):
        crm("lead add Cold --source 'cold call'")
        crm("lead add Warm --source web --email w@x.example")
        crm(
            "lead add Hot --source referral --title CEO --company-size 2000 "
            "--email h@x.example --phone '+1 415 555 2671'"
        )
        scores = {r["name"]: r["score"] for r in crm.json("lead list")}
        assert scores == {"Cold": 0, "Warm": 15, "Hot": 30 + 25 + 25 + 5 + 5}
        assert [r["name"] for r in crm.json("lead list --sort -score")] == ["Hot", "Warm", "Cold"]
        assert [r["name"] for r in crm.json("lead list --min-score 10 --sort score")] == [
            "Warm",
            "Hot",
        ]
        breakdown = crm.json("lead show Hot")["score_breakdown"]
        assert {"rule": "title ceo", "points": 25} in breakdown

    def test_recent_activity_adds_points(self, crm):
        crm("lead add A")
        lead_id = crm.json("lead show A")["id"]
        add_activity(crm.db, "Call", lead_id=lead_id, done_at="2026-11-20 10:00:00.000000+00:00")
        assert crm.json("lead show A")["score"] == 20

    def test_custom_rules(self, crm, tmp_path):
        crm("lead add A --source web")
        rules = tmp_path / "rules.json"
        rules.write_text(json.dumps({"source": {"web": 50}}))
        out = crm.json(f"lead scoring --set {rules}")
        assert out["rescored"] == 1 and out["rules"]["source"] == {"web": 50}
        assert crm.json("lead show A")["score"] == 50
        assert query(crm.db, "SELECT score FROM leads") == [(50,)]
        rules.write_text(json.dumps({"source": {"web": "lots"}}))
        run = crm(f"lead scoring --set {rules}", ok=False)
        assert run.exit_code == 1
        crm("lead scoring --reset")
        assert crm.json("lead show A")["score"] == 10


class TestAssign:
    def test_to_one_rep(self, team):
        team("lead add A")
        team("lead assign A --to bob")
        assert team.json("lead show A")["owner"] == "bob"
        run = team("lead assign A --to ghost", ok=False)
        assert run.exit_code == 1 and "unknown owner" in run.stderr

    def test_reports_every_assigned_lead(self, team):
        for name in ("A", "B", "C"):
            team(f"lead add {name} --source referral")
        rows = team.json("lead assign C A --to bob")
        assert [(r["name"], r["owner"], r["score"]) for r in rows] == [
            ("C", "bob", 30),
            ("A", "bob", 30),
        ]
        assert team.json("lead show B")["owner"] != "bob"

    def test_round_robin_over_a_team_is_fair_across_runs(self, team):
        team("user add carol --team east")
        team("user add dave --team east")
        team("user edit dave --inactive")
        for name in "ABC":
            team(f"lead add {name} --at 2026-11-0{ord(name) - 60}")
        team("lead assign --round-robin --team east")
        owners = {r["name"]: r["owner"] for r in team.json("lead list")}
        assert owners == {"A": "alice", "B": "carol", "C": "alice"}
        team("lead add D")
        team("lead assign D --round-robin --team east")
        assert team.json("lead show D")["owner"] == "carol"  # continues after alice
        run = team("lead assign A --round-robin --team nowhere", ok=False)
        assert run.exit_code == 1 and "no active reps" in run.stderr


class TestListFilters:
    def test_ranges_search_and_owner(self, team):
        team("lead add Old --company Foo --owner alice --at 2026-09-01")
        team("lead add New --company Bar --owner bob --notes 'wants a demo' --at 2026-11-22")
        names = lambda args: [r["name"] for r in team.json(f"lead list {args}")]  # noqa: E731
        assert names("--created-to 2026-10-01") == ["Old"]
        assert names("--created-from -7d") == ["New"]
        assert names("--search demo") == ["New"]
        assert names("--search foo") == ["Old"]
        assert names("--owner bob") == ["New"]
        assert names("") == ["New", "Old"]  # newest first

    def test_delete(self, crm):
        crm("lead add A")
        crm("lead delete A")
        assert crm.json("lead list --all") == []
