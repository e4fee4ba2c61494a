"""`crm board`: per open stage count, total, weighted total and cards; fits 80 columns."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Crm
from tests.pipeline.conftest import add_company

NARROW = {"COLUMNS": "80", "NO_COLOR": "1"}


def _small_book(crm: Crm) -> Crm:
    add_company(crm, "Acme GmbH")
    crm(
        "deal add 'Acme renewal' --company 'Acme GmbH' --amount 48000 --owner alice "
        "--close 2026-12-15"
    )
    crm(
        "deal add 'Globex expansion with a very long deal name indeed' --amount 1250.50 "
        "--owner bob --stage Proposal --close 2027-01-31"
    )
    crm("deal add 'Initech pilot' --amount 9000 --owner bob --stage Proposal --probability 90")
    crm("deal add 'Old one' --amount 5 --owner alice --at 2026-09-01")
    crm("deal add 'Dollar deal' --amount 700 --currency USD --owner alice --stage Negotiation")
    crm("deal add 'Won one' --amount 999 --owner alice")
    crm("deal win 'Won one'")
    return crm


SNAPSHOT = """\
Sales · 5 open · 58,256 EUR · weighted 13,401 EUR
╭─ Prospecting ──────────╮╭─ Qualification ────────╮╭─ Proposal ─────────────╮
│ 2 deals · ! 1 idle     ││ 0 deals                ││ 2 deals                │
│ Σ 48,005 EUR           ││ Σ 0 EUR                ││ Σ 10,251 EUR           │
│ weighted 4,801         ││ weighted 0             ││ weighted 8,600         │
│                        ││                        ││                        │
│ Acme renewal           ││                        ││ Initech pilot          │
│ 48,000 EUR · alice     ││                        ││ 9,000 EUR · bob        │
│ Acme GmbH              ││                        ││ no close date          │
│ close 2026-12-15       ││                        ││                        │
│                        ││                        ││ Globex expansion with… │
│ Old one                ││                        ││ 1,251 EUR · bob        │
│ 5 EUR · alice          ││                        ││ close 2027-01-31       │
│ no close date          ││                        ││                        │
│ ! 83d idle             ││                        ││                        │
╰────────────────────────╯╰────────────────────────╯╰────────────────────────╯
╭─ Evaluation ───────────╮╭─ Negotiation ──────────╮
│ 0 deals                ││ 1 deal                 │
│ Σ 0 EUR                ││ Σ 0 EUR                │
│ weighted 0             ││ weighted 0             │
│                        ││ + 1 in USD             │
│                        ││                        │
│                        ││ Dollar deal            │
│                        ││ 700 USD · alice        │
│                        ││ no close date          │
╰────────────────────────╯╰────────────────────────╯
Biggest deals first; ! = idle past the stage's rotting days (crm deal list
--rotting).
"""


class TestRender:
    """The rendered board at 80 columns."""

    def test_snapshot_at_80_columns(self, team: Crm) -> None:
        out = _small_book(team)("board", env=NARROW).stdout
        assert [line.rstrip() for line in out.splitlines()] == [
            line.rstrip() for line in SNAPSHOT.splitlines()
        ]

    def test_no_line_wider_than_80_and_content_present(self, team: Crm) -> None:
        out = _small_book(team)("board", env=NARROW).stdout
        assert max(len(line) for line in out.splitlines()) <= 80
        for text in (
            "Prospecting",
            "Qualification",
            "Proposal",
            "Evaluation",
            "Negotiation",
            "Acme renewal",
            "Acme GmbH",
            "alice",
            "close 2026-12-15",
            "! 1 idle",
        ):
            assert text in out, text
        assert "Won one" not in out and "Closed Won" not in out

    def test_wide_terminal_puts_all_stages_on_one_row(self, team: Crm) -> None:
        out = _small_book(team)("board", env={"COLUMNS": "160", "NO_COLOR": "1"}).stdout
        top = out.splitlines()[1]
        assert all(name in top for name in ("Prospecting", "Proposal", "Negotiation"))
        assert max(len(line) for line in out.splitlines()) <= 160

    def test_user_text_is_not_markup(self, team: Crm) -> None:
        team("deal add '[bold]x[/bold] [red]' --amount 1")
        out = team("board", env=NARROW).stdout
        assert "[bold]x[/bold] [red]" in out


class TestData:
    """--json, --owner, --pipeline, --cards."""

    def test_json_shape_and_totals(self, team: Crm) -> None:
        board = _small_book(team).json("board")
        assert set(board) >= {
            "pipeline",
            "owner",
            "currency",
            "count",
            "amount",
            "weighted_amount",
            "rotting",
            "stages",
        }
        assert (board["pipeline"], board["currency"], board["count"]) == ("Sales", "EUR", 5)
        proposal = board["stages"][2]
        assert proposal["stage"] == "Proposal"
        assert (proposal["count"], proposal["amount"]) == (2, "10250.50")
        assert proposal["weighted_amount"] == "8600.20"  # 1250.50×40% + 9000×90%
        card = proposal["cards"][0]
        assert set(card) >= {
            "id",
            "handle",
            "name",
            "amount",
            "currency",
            "company",
            "owner",
            "expected_close",
            "probability",
            "weighted_amount",
            "rotting",
            "idle_days",
        }
        negotiation = board["stages"][4]
        assert negotiation["other_currencies"] == [
            {
                "currency": "USD",
                "count": 1,
                "amount": "700.00",
                "weighted_amount": "560.00",
                "rotting": 0,
            }
        ]

    def test_owner_filter(self, team: Crm) -> None:
        board = _small_book(team).json("board --owner bob")
        assert board["owner"] == "bob"
        assert board["count"] == 2
        names = {c["name"] for s in board["stages"] for c in s["cards"]}
        assert names == {"Initech pilot", "Globex expansion with a very long deal name indeed"}

    def test_pipeline_filter_and_cards(self, team: Crm) -> None:
        team("pipeline add Partners --stages Intro:10,Pilot:50")
        team("deal add P1 --amount 10 --pipeline Partners")
        team("deal add P2 --amount 20 --pipeline Partners")
        board = team.json("board --pipeline Partners --cards 1")
        assert [s["stage"] for s in board["stages"]] == ["Intro", "Pilot"]
        assert board["stages"][0]["count"] == 2
        assert [c["name"] for c in board["stages"][0]["cards"]] == ["P2"]
        assert "… 1 more" in team("board --pipeline Partners --cards 1", env=NARROW).stdout

    def test_unknown_owner(self, team: Crm) -> None:
        result = team("board --owner nobody", ok=False)
        assert result.exit_code == 1
        assert "unknown owner 'nobody'" in result.stderr
        assert result.stdout == ""

    def test_owner_me_and_a_rep_who_left(self, team: Crm) -> None:
        """``--owner me`` is the acting user; a filter may name an inactive rep."""
        _small_book(team)
        team.user = "bob"
        assert team.json("board --owner me")["owner"] == "bob"
        team("user edit alice --inactive")
        board = team.json("board --owner alice")
        assert (board["owner"], board["count"]) == ("alice", 3)


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    amounts=st.lists(
        st.tuples(
            st.integers(0, 10**7),
            st.sampled_from(["1", "3", "5"]),
            st.one_of(st.none(), st.integers(0, 100)),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_board_totals_match_the_deal_list(
    crm: Crm, amounts: list[tuple[int, str, int | None]]
) -> None:
    """SQL aggregates agree with the deals one by one (weighted: within a cent per deal)."""
    from decimal import Decimal

    crm("deal list")  # make sure the book exists
    before = {s["stage"]: s for s in crm.json("board")["stages"]}
    for cents, stage, probability in amounts:
        extra = f" --probability {probability}" if probability is not None else ""
        crm(f"deal add H --amount {Decimal(cents) / 100} --stage {stage}{extra}")
    board = {s["stage"]: s for s in crm.json("board")["stages"]}
    listed = crm.json("deal list --limit 10000")
    for name, column in board.items():
        mine = [d for d in listed if d["stage"] == name]
        assert column["count"] == len(mine)
        assert Decimal(column["amount"]) == sum((Decimal(d["amount"]) for d in mine), Decimal(0))
        weighted = sum((Decimal(d["weighted_amount"]) for d in mine), Decimal(0))
        assert abs(Decimal(column["weighted_amount"]) - weighted) <= Decimal("0.01") * len(mine)
    assert before  # the board of an empty book has its columns too
