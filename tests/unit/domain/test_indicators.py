"""Indicator formulas on a small hand-made data set; every expected answer is worked by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from careloop.domain.errors import InvalidInput
from careloop.domain.indicators.formulas import (
    CATALOGUE,
    DEFAULT_CSI_SCALE,
    CallbackFact,
    ComplaintFact,
    Grade,
    Indicator,
    IndicatorValue,
    StageFact,
    SubscriberCount,
    VetoRule,
    acsi_index,
    appeals_per_million,
    average_handle_time,
    callback_satisfaction,
    complaints_per_10k,
    escalated_per_million,
    escalated_rate,
    evaluate,
    first_contact_resolution,
    grade_csi,
    indicator_score,
    make_value,
    on_time_rate,
    period_on_period,
    pool,
    relative_change,
    repeat_rate,
    reply_stages,
    roll_up,
    scorecard,
    user_base,
    year_on_year,
)

T0 = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
CLOSED = T0 + timedelta(days=2)


def complaint(
    ident: int,
    region: str,
    *,
    escalated: bool = False,
    appeal: bool = False,
    repeat: bool = False,
    closed: bool = True,
    reopened: bool = False,
) -> ComplaintFact:
    return ComplaintFact(
        id=ident,
        accepted_at=T0,
        region_code=region,
        category_code="billing",
        escalated=escalated,
        regulator_appeal=appeal,
        is_repeat=repeat,
        closed_at=CLOSED if closed else None,
        reopened=reopened,
    )


# The data set. gz = Guangzhou, sz = Shenzhen.
#
#  id region escalated appeal repeat closed reopened
#   1  gz       yes     yes     -     yes     -
#   2  gz        -       -     yes    yes     -
#   3  gz        -       -      -     yes    yes
#   4  gz        -       -      -     yes     -
#   5  gz        -       -      -      -      -      (still open)
#   6  sz       yes     yes    yes    yes     -
#   7  sz        -       -      -     yes     -
#   8  sz        -       -      -     yes     -
#   9  sz       yes      -      -      -      -      (escalated, appeal not accepted; open)
#  10  sz        -       -      -     yes     -
COMPLAINTS = [
    complaint(1, "gz", escalated=True, appeal=True),
    complaint(2, "gz", repeat=True),
    complaint(3, "gz", reopened=True),
    complaint(4, "gz"),
    complaint(5, "gz", closed=False),
    complaint(6, "sz", escalated=True, appeal=True, repeat=True),
    complaint(7, "sz"),
    complaint(8, "sz"),
    complaint(9, "sz", escalated=True, closed=False),
    complaint(10, "sz"),
]

# Users: gz 390 000 in January and 410 000 in February (average 400 000), sz 600 000 both
# months; the user base over the two months is 400 000 + 600 000 = 1 000 000.
PHONE_USERS = "mobile + fixed-line phone users"
SUBSCRIBERS = [
    SubscriberCount("gz", date(2025, 1, 1), 390_000, PHONE_USERS),
    SubscriberCount("gz", date(2025, 2, 1), 410_000, PHONE_USERS),
    SubscriberCount("sz", date(2025, 1, 1), 600_000, PHONE_USERS),
    SubscriberCount("sz", date(2025, 2, 1), 600_000, PHONE_USERS),
]


def test_user_base_averages_months_and_sums_regions() -> None:
    base = user_base(SUBSCRIBERS)
    assert base.users == 1_000_000
    assert base.definition == PHONE_USERS


def test_appeals_per_million_counts_accepted_appeals_and_keeps_the_definition() -> None:
    # appeals: complaints 1 and 6 → 2; 2 ÷ 1 000 000 × 1 000 000 = 2.0
    value = appeals_per_million(COMPLAINTS, SUBSCRIBERS)
    assert value.value == pytest.approx(2.0)
    assert (value.numerator, value.denominator) == (2, 1_000_000)
    assert value.denominator_definition == PHONE_USERS


def test_escalated_rate_is_share_of_all_complaints() -> None:
    # escalated: 1, 6, 9 → 3 of 10 complaints = 30 %
    value = escalated_rate(COMPLAINTS)
    assert value.value == pytest.approx(30.0)
    assert (value.numerator, value.denominator) == (3, 10)


def test_escalated_per_million_users() -> None:
    # 3 ÷ 1 000 000 × 1 000 000 = 3.0
    assert escalated_per_million(COMPLAINTS, SUBSCRIBERS).value == pytest.approx(3.0)


def test_complaints_per_10k_users() -> None:
    # 10 ÷ 1 000 000 × 10 000 = 0.1
    value = complaints_per_10k(COMPLAINTS, 1_000_000, denominator_definition=PHONE_USERS)
    assert value.value == pytest.approx(0.1)
    assert value.denominator_definition == PHONE_USERS


def test_repeat_rate() -> None:
    # repeats: 2, 6 → 2 of 10 = 20 %
    assert repeat_rate(COMPLAINTS).value == pytest.approx(20.0)


def test_first_contact_resolution_excludes_reopened_and_repeat_from_closed() -> None:
    # closed: 1 2 3 4 6 7 8 10 = 8; minus 2 (repeat), 3 (reopened), 6 (repeat) → 5
    # 5 ÷ 8 = 62.5 %
    value = first_contact_resolution(COMPLAINTS)
    assert (value.numerator, value.denominator) == (5, 8)
    assert value.value == pytest.approx(62.5)


STAGES = [
    # 2 h, finished an hour before its limit → on time
    StageFact(finished_at=T0 + timedelta(hours=2), due_at=T0 + timedelta(hours=3), started_at=T0),
    # 4 h, finished exactly at its limit → on time
    StageFact(finished_at=T0 + timedelta(hours=4), due_at=T0 + timedelta(hours=4), started_at=T0),
    # 24 h, limit was 12 h → late
    StageFact(finished_at=T0 + timedelta(hours=24), due_at=T0 + timedelta(hours=12), started_at=T0),
    # not finished: neither on time nor late yet, and no duration
    StageFact(finished_at=None, due_at=T0 + timedelta(hours=1), started_at=T0),
]


def test_on_time_rate_counts_finished_stages_only() -> None:
    # on time 2 of 3 finished = 66.666… %
    value = on_time_rate(STAGES)
    assert (value.numerator, value.denominator) == (2, 3)
    assert value.value == pytest.approx(200 / 3)


def test_reply_on_time_rate_from_complaints() -> None:
    due = T0 + timedelta(days=15)
    replied = [
        ComplaintFact(1, T0, "gz", "billing", reply_due_at=due, replied_at=due),  # on time
        ComplaintFact(2, T0, "gz", "billing", reply_due_at=due, replied_at=due + timedelta(1)),
        ComplaintFact(3, T0, "gz", "billing", reply_due_at=due),  # not replied yet
    ]
    # 1 on time of 2 replied = 50 %
    assert on_time_rate(reply_stages(replied)).value == pytest.approx(50.0)


def test_average_handle_time_in_hours() -> None:
    # (2 + 4 + 24) ÷ 3 = 10 h; the unfinished stage has no duration
    assert average_handle_time(STAGES).value == pytest.approx(10.0)


def test_average_handle_time_uses_the_given_working_hours() -> None:
    # a calendar that counts every stage as 1 working hour: 3 ÷ 3 = 1 h
    value = average_handle_time(STAGES, hours_between=lambda start, end: 1.0)
    assert value.value == pytest.approx(1.0)


def test_callback_satisfaction_ignores_callbacks_not_done() -> None:
    callbacks = [
        CallbackFact(T0, True),
        CallbackFact(T0, True),
        CallbackFact(T0, True),
        CallbackFact(T0, False),
        CallbackFact(None, False),  # customer not reached
    ]
    # 3 satisfied of 4 done = 75 %
    assert callback_satisfaction(callbacks).value == pytest.approx(75.0)


# --- empty periods and division by zero: None, never 0 and never an exception -------------


def test_empty_period_gives_no_value_rather_than_zero() -> None:
    for value in (
        escalated_rate([]),
        repeat_rate([]),
        first_contact_resolution([]),
        on_time_rate([]),
        callback_satisfaction([]),
        average_handle_time([]),
    ):
        assert value.value is None
        assert (value.numerator, value.denominator) == (0, 0)


def test_zero_users_gives_no_value() -> None:
    assert appeals_per_million(3, 0).value is None
    assert complaints_per_10k([], []).value is None
    assert appeals_per_million(0, 1_000).value == 0.0  # a real zero stays zero


def test_no_closed_complaints_and_no_finished_stages_give_no_value() -> None:
    assert first_contact_resolution([complaint(1, "gz", closed=False)]).value is None
    assert on_time_rate([StageFact(None, T0)]).value is None
    assert callback_satisfaction([CallbackFact(None, True)]).value is None


# --- pooling: sum ÷ sum, never the average of rates -----------------------------------------


def test_pooled_appeals_rate_of_two_operators_is_not_the_average_of_their_rates() -> None:
    # operator X: 30 appeals, 1 000 000 users → 30 per million
    # operator Y:  5 appeals,   100 000 users → 50 per million
    # average of rates (30 + 50) ÷ 2 = 40 — wrong;
    # pooled (30 + 5) ÷ (1 000 000 + 100 000) × 10⁶ = 35 ÷ 1.1 = 31.8181…
    month = date(2025, 1, 1)
    x = appeals_per_million(30, [SubscriberCount("X", month, 1_000_000, PHONE_USERS)])
    y = appeals_per_million(5, [SubscriberCount("Y", month, 100_000, PHONE_USERS)])
    assert x.value == pytest.approx(30.0)
    assert y.value == pytest.approx(50.0)
    pooled = pool([x, y])
    assert pooled is not None
    assert pooled.value == pytest.approx(35 / 1.1)
    assert pooled.value != pytest.approx(40.0)
    both = appeals_per_million(
        35,
        [
            SubscriberCount("X", month, 1_000_000, PHONE_USERS),
            SubscriberCount("Y", month, 100_000, PHONE_USERS),
        ],
    )
    assert both.value == pytest.approx(35 / 1.1)


def test_different_user_base_definitions_refuse_to_pool() -> None:
    month = date(2025, 1, 1)
    with pytest.raises(InvalidInput):
        user_base(
            [
                SubscriberCount("X", month, 1_000, "phone users"),
                SubscriberCount("Y", month, 1_000, "phone + broadband users"),
            ]
        )
    a = appeals_per_million(1, 1_000, denominator_definition="phone users")
    b = appeals_per_million(1, 1_000, denominator_definition="phone + broadband users")
    with pytest.raises(InvalidInput):
        pool([a, b])


def test_roll_up_pools_leaves_into_every_ancestor() -> None:
    # gz 9 of 10 on time (90 %), sz 1 of 2 (50 %); province gd and group both pool
    # (9 + 1) ÷ (10 + 2) = 83.33 %, not (90 + 50) ÷ 2 = 70 %
    leaves = {
        "gz": make_value("on_time_rate", 9, 10, "stages finished", 100.0),
        "sz": make_value("on_time_rate", 1, 2, "stages finished", 100.0),
    }
    parents: dict[str, str | None] = {"gz": "gd", "sz": "gd", "gd": "group", "group": None}
    rolled = roll_up(leaves, parents)
    assert rolled["gz"].value == pytest.approx(90.0)
    assert rolled["gd"].value == pytest.approx(1000 / 12)
    assert (rolled["group"].numerator, rolled["group"].denominator) == (10, 12)


def test_roll_up_refuses_a_unit_and_a_unit_below_it() -> None:
    leaves = {
        "gz": make_value("on_time_rate", 9, 10, "stages finished", 100.0),
        "gd": make_value("on_time_rate", 1, 2, "stages finished", 100.0),
    }
    with pytest.raises(InvalidInput):
        roll_up(leaves, {"gz": "gd"})


def test_roll_up_of_a_leaf_with_no_data_keeps_no_data() -> None:
    rolled = roll_up({"gz": make_value("on_time_rate", 0, 0, "stages", 100.0)}, {"gz": "gd"})
    assert rolled["gd"].value is None


# --- objectives ----------------------------------------------------------------------------


def test_status_against_objective_higher_is_better() -> None:
    on_time = CATALOGUE["on_time_rate"]  # target 98, threshold 90, tolerance 0
    assert evaluate(99.0, on_time) == "met"
    assert evaluate(98.0, on_time) == "met"
    assert evaluate(95.0, on_time) == "warning"
    assert evaluate(90.0, on_time) == "warning"
    assert evaluate(89.9, on_time) == "breached"
    assert evaluate(None, on_time) == "no_data"
    assert evaluate(on_time_rate([]), on_time) == "no_data"


def test_status_against_objective_lower_is_better_with_tolerance() -> None:
    appeals = Indicator(
        "appeals_per_million", "百万用户申诉率", "Appeals per million users", "per million",
        "lower_better", target=30.0, threshold=50.0, tolerance=2.0, formula="",
    )  # fmt: skip
    assert evaluate(30.0, appeals) == "met"
    assert evaluate(50.0, appeals) == "warning"
    assert evaluate(51.5, appeals) == "warning"  # within the tolerance of 2
    assert evaluate(52.5, appeals) == "breached"


def test_threshold_on_the_better_side_is_refused() -> None:
    with pytest.raises(InvalidInput):
        Indicator("x", "x", "x", "%", "higher_better", 90.0, 95.0, 0.0, "")


def test_indicator_score_is_linear_between_threshold_and_target() -> None:
    # on time: target 98, threshold 90; 94 is half way → 50
    assert indicator_score(94.0, CATALOGUE["on_time_rate"]) == pytest.approx(50.0)
    # appeals per million: target 30, threshold 50; 40 is half way → 50
    assert indicator_score(40.0, CATALOGUE["appeals_per_million"]) == pytest.approx(50.0)
    assert indicator_score(99.0, CATALOGUE["on_time_rate"]) == 100.0
    assert indicator_score(80.0, CATALOGUE["on_time_rate"]) == 0.0
    assert indicator_score(None, CATALOGUE["on_time_rate"]) is None


# --- period on period ----------------------------------------------------------------------


def test_year_on_year_and_period_on_period_changes() -> None:
    assert year_on_year(120.0, 100.0) == pytest.approx(0.2)  # (120 − 100) ÷ 100
    assert period_on_period(80.0, 100.0) == pytest.approx(-0.2)  # (80 − 100) ÷ 100
    assert relative_change(5.0, 0.0) is None  # zero base
    assert relative_change(5.0, None) is None  # missing base
    assert relative_change(None, 5.0) is None  # missing current


# --- KPI scorecard and one-vote veto -------------------------------------------------------


def _values() -> dict[str, IndicatorValue | None]:
    return {
        # 94 % on time → score 50 (see above)
        "on_time_rate": make_value("on_time_rate", 94, 100, "stages", 100.0),
        # 95 % satisfied, target 95 → score 100
        "callback_satisfaction": make_value("callback_satisfaction", 19, 20, "callbacks", 100.0),
        # nothing to measure this period
        "repeat_rate": make_value("repeat_rate", 0, 0, "complaints", 100.0),
        # 60 appeals per million
        "appeals_per_million": make_value("appeals_per_million", 60, 1_000_000, "users", 1e6),
    }


def test_scorecard_weights_scores_and_skips_indicators_without_data() -> None:
    # weights 60 / 40 / 20; repeat_rate has no data so weights renormalise over 60 + 40:
    # 0.6 × 50 + 0.4 × 100 = 70
    card = scorecard(
        _values(), {"on_time_rate": 60, "callback_satisfaction": 40, "repeat_rate": 20}
    )
    assert card.score == pytest.approx(70.0)
    assert not card.vetoed
    items = {item.indicator_id: item for item in card.items}
    assert items["repeat_rate"].status == "no_data"
    assert items["repeat_rate"].weight == 0.0
    assert items["on_time_rate"].weight == pytest.approx(0.6)


def test_veto_rule_zeroes_the_score_and_lists_the_reason() -> None:
    rule = VetoRule("appeals_per_million", ">", 50.0, "百万用户申诉率超过 50 / appeals above 50")
    card = scorecard(
        _values(), {"on_time_rate": 60, "callback_satisfaction": 40}, veto_rules=[rule]
    )
    assert card.vetoed
    assert card.score == 0.0
    assert card.veto_reasons == (rule.reason,)
    assert len(card.items) == 2  # the item scores are still reported


def test_veto_event_from_accountability_zeroes_the_score() -> None:
    card = scorecard(_values(), {"on_time_rate": 1}, veto_events=["重大服务事故 severe failure"])
    assert card.score == 0.0
    assert card.veto_reasons == ("重大服务事故 severe failure",)


def test_veto_rule_does_not_fire_without_data() -> None:
    rule = VetoRule("repeat_rate", ">", 0.0, "any repeat")
    card = scorecard(_values(), {"on_time_rate": 1}, veto_rules=[rule])
    assert not card.vetoed
    assert card.score == pytest.approx(50.0)


def test_scorecard_refuses_unknown_indicator() -> None:
    with pytest.raises(InvalidInput):
        scorecard(_values(), {"no_such_indicator": 1})


# --- satisfaction index ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("index", "code"),
    [
        (100.0, "very_satisfied"),
        (90.0, "very_satisfied"),
        (89.99, "satisfied"),
        (80.0, "satisfied"),
        (79.99, "fairly_satisfied"),
        (60.0, "average"),
        (50.0, "not_very_satisfied"),
        (49.99, "dissatisfied"),
        (30.0, "dissatisfied"),
        (29.99, "very_dissatisfied"),
        (0.0, "very_dissatisfied"),
    ],
)
def test_csi_grade_boundaries(index: float, code: str) -> None:
    assert grade_csi(index).code == code


def test_csi_grade_labels_in_both_languages() -> None:
    grade = grade_csi(90.0)
    assert (grade.label_zh, grade.label_en) == ("很满意", "very satisfied")
    assert len(DEFAULT_CSI_SCALE) == 7


def test_csi_grade_scale_is_configurable() -> None:
    scale = [Grade(0.0, "fail", "不合格", "fail"), Grade(60.0, "pass", "合格", "pass")]
    assert grade_csi(59.99, scale).code == "fail"
    assert grade_csi(60.0, scale).code == "pass"


def test_csi_grade_refuses_out_of_range() -> None:
    with pytest.raises(InvalidInput):
        grade_csi(100.5)
    with pytest.raises(InvalidInput):
        grade_csi(-1.0)


def test_acsi_index_formula() -> None:
    # means 8.2, 7.3, 9.1 → (x̄ − 1) ÷ 9 = 0.8, 0.7, 0.9
    # weights 0.5, 0.3, 0.2 → 0.40 + 0.21 + 0.18 = 0.79 → 79.0
    assert acsi_index([8.2, 7.3, 9.1], [0.5, 0.3, 0.2]) == pytest.approx(79.0)
    # weights 5, 3, 2 normalise to the same
    assert acsi_index([8.2, 7.3, 9.1], [5, 3, 2]) == pytest.approx(79.0)
    # equal weights: (0.8 + 0.7 + 0.9) ÷ 3 = 0.8 → 80.0
    assert acsi_index([8.2, 7.3, 9.1]) == pytest.approx(80.0)
    assert acsi_index([10.0, 10.0]) == pytest.approx(100.0)
    assert acsi_index([1.0]) == pytest.approx(0.0)


def test_acsi_index_refuses_bad_input() -> None:
    with pytest.raises(InvalidInput):
        acsi_index([])
    with pytest.raises(InvalidInput):
        acsi_index([5.0, 6.0], [1.0])
    with pytest.raises(InvalidInput):
        acsi_index([11.0])
    with pytest.raises(InvalidInput):
        acsi_index([5.0], [0.0])
