"""Checklists, scoring, evidence and plans: the pure rules of inspections."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from careloop.domain.errors import InvalidInput
from careloop.domain.supervision import checklists, dial_tests, plans, scoring
from careloop.domain.supervision.scoring import ItemResult

STORE = checklists.SEED_CHECKLISTS["store_visit"]
EVIDENCE = {"photo": "IMG_0001.jpg", "recording": "REC-1", "timestamp": "10:02-10:19"}


def full_marks(checklist: checklists.Checklist, **overrides: float) -> list[ItemResult]:
    return [
        ItemResult(i.code, overrides.get(i.code, i.weight), {k: EVIDENCE[k] for k in i.evidence})
        for i in checklist.items
    ]


def test_every_seed_checklist_weighs_one_hundred_points():
    for kind, checklist in checklists.SEED_CHECKLISTS.items():
        assert checklist.kind == kind and checklist.version == 1
        assert checklist.total_weight == 100
        assert any(item.mandatory for item in checklist.items)


def test_a_visit_with_full_marks_scores_one_hundred_and_is_compliant():
    score = scoring.score_visit(STORE, full_marks(STORE))
    assert score.score == 100.0 and score.compliant and score.failed_items == ()


def test_a_score_below_the_pass_mark_is_not_compliant():
    score = scoring.score_visit(STORE, full_marks(STORE, environment=4, waiting_time=4, notices=4))
    assert score.score == 82.0
    assert not score.compliant
    assert set(score.failed_items) == {"environment", "waiting_time", "notices"}
    assert score.failed_mandatory == ()


def test_a_failed_mandatory_item_fails_a_visit_that_scores_well():
    score = scoring.score_visit(STORE, full_marks(STORE, tariff_disclosure=0))
    assert score.score == 85.0 and score.score >= STORE.pass_mark
    assert not score.compliant and score.failed_mandatory == ("tariff_disclosure",)


def test_the_pass_mark_is_the_checklists_own():
    lenient = replace(STORE, version=2, pass_mark=80.0)
    score = scoring.score_visit(
        lenient, full_marks(lenient, environment=4, waiting_time=4, notices=4)
    )
    assert score.compliant and score.checklist_version == 2


def test_submitting_needs_every_item_scored_and_its_evidence():
    results = full_marks(STORE)
    assert scoring.missing_for_submit(STORE, results) == []
    without_recording = [
        ItemResult(r.code, r.awarded, {}) if r.code == "tariff_disclosure" else r for r in results
    ]
    problems = scoring.missing_for_submit(STORE, without_recording[1:])
    assert [p.item for p in problems] == ["environment", "tariff_disclosure"]
    assert problems[1].zh == "「告知资费」缺少录音编号"


def test_points_outside_an_items_weight_are_refused_in_words():
    with pytest.raises(InvalidInput) as caught:
        scoring.check_results(STORE, [ItemResult("environment", 11)])
    assert "环境整洁" in caught.value.message("zh") and "0 到 10" in caught.value.message("zh")
    with pytest.raises(InvalidInput):
        scoring.check_results(STORE, [ItemResult("no_such_item", 1)])
    with pytest.raises(InvalidInput):
        scoring.check_results(STORE, [ItemResult("environment", float("nan"))])


def test_a_checklist_round_trips_through_its_stored_form():
    assert checklists.from_json(checklists.to_json(STORE)) == STORE


def test_a_checklist_with_duplicate_codes_or_unknown_evidence_is_refused():
    data = checklists.to_json(STORE)
    data["items"].append(dict(data["items"][0]))
    with pytest.raises(InvalidInput):
        checklists.from_json(data)
    data = checklists.to_json(STORE)
    data["items"][0]["evidence"] = ["video"]
    with pytest.raises(InvalidInput):
        checklists.from_json(data)


def test_answered_within_counts_exactly_at_the_limit():
    assert dial_tests.answered_within("answered", 20.0)
    assert not dial_tests.answered_within("answered", 20.5)
    assert not dial_tests.answered_within("busy", None)
    assert dial_tests.answered_within("answered", 14.0, limit=15)


def test_an_answered_dial_test_needs_its_answer_time():
    at = datetime(2026, 9, 1, tzinfo=UTC)
    with pytest.raises(InvalidInput):
        dial_tests.check_measurement(
            dial_tests.DialMeasurement("10000", at, "answered", None, None)
        )
    with pytest.raises(InvalidInput):
        dial_tests.check_measurement(dial_tests.DialMeasurement("10000", at, "busy", None, 5))
    with pytest.raises(InvalidInput):
        dial_tests.check_measurement(dial_tests.DialMeasurement("10000", at, "answered", -1, None))
    dial_tests.check_measurement(dial_tests.DialMeasurement("10000", at, "answered", 8, 12))


def test_quarters_begin_and_end_on_calendar_quarters():
    assert plans.quarter_of(date(2026, 11, 28)) == (date(2026, 10, 1), date(2026, 12, 31))
    assert plans.quarter_of(date(2026, 2, 1)) == (date(2026, 1, 1), date(2026, 3, 31))
    assert plans.quarter_label(date(2026, 8, 5)) == "2026Q3"


def test_the_rotation_visits_every_store_once_and_never_by_its_own_countys_staff():
    stores = [plans.Subject(i, f"/1/2/{10 + i % 3}/") for i in range(9)]
    inspectors = [plans.Inspector(100, "/1/2/10/50/"), plans.Inspector(101, "/1/2/11/51/")]
    start, end = date(2026, 10, 1), date(2026, 12, 31)
    slots = plans.rotation(stores, inspectors, start, end)
    assert sorted(s.subject_id for s in slots) == list(range(9))
    by_id = {s.id: s for s in stores}
    own = {100: "/1/2/10/", 101: "/1/2/11/"}
    assert all(by_id[s.subject_id].region_path != own[s.inspector_id] for s in slots)
    assert all(start <= s.due <= end for s in slots)
    months = {s.due.month for s in slots}
    assert months == {10, 11, 12}


def test_a_daily_plan_has_one_slot_per_hotline_and_day():
    hotlines = [plans.Subject(1, "/1/2/5/"), plans.Subject(2, "/1/2/6/")]
    slots = plans.daily(hotlines, plans.Inspector(7, "/1/2/3/"), date(2026, 9, 1), date(2026, 9, 3))
    assert len(slots) == 6 and slots[-1].due == date(2026, 9, 3)
    with pytest.raises(InvalidInput):
        plans.daily(hotlines, plans.Inspector(7, "/1/"), date(2026, 9, 3), date(2026, 9, 1))


def test_the_inspection_indicators_pool_sum_over_sum_and_say_no_data_when_empty():
    from careloop.domain.indicators import formulas, rollup
    from careloop.domain.indicators.formulas import IndicatorCounts, indicator_values

    city = IndicatorCounts(inspections=4, inspections_compliant=3, inspection_score_total=360.0,
                           dial_tests=10, dial_tests_answered=9)  # fmt: skip
    county = IndicatorCounts(inspections=1, inspection_score_total=70.0, dial_tests=0)
    values = [indicator_values(c) for c in (city, county)]
    rate = rollup.pool([v["inspection_compliance_rate"] for v in values])
    assert rate is not None and rate.value == 60.0  # 3 of 5, not the mean of 75 % and 0 %
    mean = rollup.pool([v["mean_inspection_score"] for v in values])
    assert mean is not None and mean.value == 86.0
    assert values[0]["dial_test_answer_rate"].value == 90.0
    assert values[1]["dial_test_answer_rate"].value is None
    assert formulas.inspection_compliance_rate(0, 0).value is None
