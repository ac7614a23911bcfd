"""Scoring and cost arithmetic against values computed by hand."""

from decimal import Decimal

from impact import radar, scoring


def test_ismb_scores_by_hand():
    # ORG: 2,3,4 → 3.0; PHY: 1,2 → 1.5; INC: 5 → 5.0; overall = (3 + 1.5 + 5) / 3 = 3.1666…
    s = scoring.score([("ORG", 2), ("ORG", 3), ("ORG", 4), ("PHY", 1), ("PHY", 2), ("INC", 5)],
                      ["ORG", "PHY", "OPS", "ACC", "INC"])
    assert s.groups == {"ORG": 3.0, "PHY": 1.5, "INC": 5.0}
    assert abs(s.overall - 9.5 / 3) < 1e-9
    assert s.answered == 6


def test_sim3_scores_by_hand_groups_weigh_the_same():
    # O: 0,4,2 → 2.0 ; H: 1 → 1.0 ; T: 3,3 → 3.0 ; P: 0,0,0,4 → 1.0 ; overall = 7 / 4 = 1.75
    answers = [("O", 0), ("O", 4), ("O", 2), ("H", 1), ("T", 3), ("T", 3), ("P", 0), ("P", 0), ("P", 0), ("P", 4)]
    s = scoring.score(answers, ["O", "H", "T", "P"])
    assert s.groups == {"O": 2.0, "H": 1.0, "T": 3.0, "P": 1.0}
    assert s.overall == 1.75


def test_change_per_group_and_overall():
    b = scoring.score([("A", 1), ("B", 2)])
    f = scoring.score([("A", 3), ("B", 2), ("C", 4)])
    d = scoring.change(b, f)
    assert d["A"] == 2 and d["B"] == 0 and d["C"] is None
    assert d["overall"] == f.overall - b.overall == 3.0 - 1.5
    assert scoring.change(b, None) == {}


def test_peer_position_hidden_below_five():
    assert scoring.peer_position(3.0, [3.0, 2.0, 1.0, 4.0]) is None
    # 5 peers: below 3.0 → 2 (1.0, 2.0), equal → 1 (itself) → (2 + 0.5) / 5 = 0.5
    assert scoring.peer_position(3.0, [3.0, 2.0, 1.0, 4.0, 5.0]) == 0.5


def test_to_jpy_rounds_half_up_to_whole_yen():
    assert scoring.to_jpy(Decimal("100.10"), Decimal("151.25")) == Decimal("15140")  # 15140.125
    assert scoring.to_jpy(Decimal("0.50"), Decimal("1")) == Decimal("1")
    assert scoring.to_jpy(Decimal("312000"), Decimal("4.05")) == Decimal("1263600")


def test_allocate_by_person_days_adds_up_exactly():
    # 1,000,000 yen over 30, 20 and 20 person-days: 428571.43 / 285714.29 / 285714.29
    parts = scoring.allocate(Decimal(1_000_000), {1: 30, 2: 20, 3: 20, 4: 0})
    assert parts == {1: Decimal(428572), 2: Decimal(285714), 3: Decimal(285714)}
    assert sum(parts.values()) == Decimal(1_000_000)
    assert scoring.allocate(Decimal(100), {1: 0}) == {}


def test_unit_costs_by_hand():
    u = scoring.unit_costs(Decimal(1_000_000), participants=8, completed=6, person_days=40)
    assert u.per_participant == Decimal(125000)
    assert u.per_completed == Decimal(166667)  # 166666.67 → half up
    assert u.per_person_day == Decimal(25000)
    assert scoring.unit_costs(Decimal(5), 0, 0, 0).per_person_day is None


def test_radar_geometry():
    chart = radar.radar(["A", "B", "C", "D"], [("Baseline", "series-baseline", [1, 5, None, 3])], 1, 5)
    assert len(chart.rings) == 5 and len(chart.axes) == 4
    first = chart.series[0]["dots"]
    assert (first[0]["x"], first[0]["y"]) == (chart.cx, chart.cy)  # 1 = centre
    assert first[1]["x"] == chart.cx + radar.RADIUS  # 5 on the right-hand axis
    assert first[2]["text"] == "—"
