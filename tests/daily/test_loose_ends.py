"""The loose ends of the first capabilities: the first-use user, who made the demo, hints."""

from __future__ import annotations

import sqlite3


class TestFirstUseUser:
    """`crm user add alice …` completes the user the first open created for alice."""

    def test_spec_example_as_alice_completes_the_first_user(self, crm) -> None:
        env = {"CRM_USER": "alice"}
        crm("pipeline list", env=env)  # the first open, as alice, creates a bare alice
        added = crm.json('user add alice --name "Alice Ng" --team east', env=env)
        assert (added["username"], added["name"], added["team"], added["role"]) == (
            "alice",
            "Alice Ng",
            "east",
            "rep",
        )
        users = crm.json("user list", env=env)
        assert [u["username"] for u in users] == ["alice"]
        history = crm.json("history alice --entity user", env=env)["changes"]
        ops = [c["op"] for c in history]
        assert ops.count("create") == 1
        updates = [c for c in history if c["op"] == "update"]
        # One completion: the changed fields, logged in one write at one time.
        assert {c["field"] for c in updates} == {"name", "team", "role"}
        assert len({(c["at"], c["entered_at"]) for c in updates}) == 1

    def test_a_real_duplicate_is_still_refused_with_a_hint(self, team) -> None:
        run = team("user add alice --name 'Other Alice'", ok=False)
        assert run.exit_code == 1
        assert "error: user 'alice' already exists" in run.stderr
        assert "hint: change their details with: crm user edit alice" in run.stderr

    def test_a_completed_first_user_is_not_completed_twice(self, crm) -> None:
        env = {"CRM_USER": "alice"}
        crm("pipeline list", env=env)
        crm('user add alice --name "Alice Ng" --team east', env=env)
        run = crm('user add alice --name "Alice Two"', env=env, ok=False)
        assert run.exit_code == 1
        assert "already exists" in run.stderr


def test_demo_records_are_made_by_their_reps(demo) -> None:
    """Each demo write is logged as the rep who owns what was written (never the OS user)."""
    conn = sqlite3.connect(demo.db)
    try:
        rows = conn.execute(
            "SELECT c.actor, u.username FROM changes c JOIN deals d ON d.id = c.record_id "
            "JOIN users u ON u.id = d.owner_id WHERE c.entity = 'deals' AND c.op = 'create'"
        ).fetchall()
        assert rows and all(actor == owner for actor, owner in rows)
        by_activity = conn.execute(
            "SELECT count(*) FROM changes c JOIN activities a ON a.id = c.record_id "
            "JOIN users u ON u.id = a.owner_id WHERE c.entity = 'activities' "
            "AND c.actor <> u.username"
        ).fetchone()[0]
        assert by_activity == 0
        history = conn.execute(
            "SELECT DISTINCT c.actor FROM changes c JOIN stage_history s ON s.id = c.record_id"
        ).fetchall()
        reps = {r[0] for r in conn.execute("SELECT username FROM users WHERE role = 'rep'")}
        assert {r[0] for r in history} <= reps
        seeded = conn.execute(
            "SELECT DISTINCT entity FROM changes WHERE actor NOT IN (SELECT username FROM users "
            "WHERE role = 'rep')"
        ).fetchall()
        # Only what the first open seeded (pipeline, stages, the first user) is not a rep's.
        assert {r[0] for r in seeded} <= {"pipelines", "stages", "users"}
    finally:
        conn.close()
