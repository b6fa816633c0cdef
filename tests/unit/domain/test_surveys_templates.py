"""Survey templates and answers: scales, both languages, the satisfaction question."""

from __future__ import annotations

from typing import Any

import pytest

from careloop.domain.surveys import (
    DEFAULT_TEMPLATE,
    SurveyError,
    is_opt_out_reply,
    is_satisfied,
    parse_answers,
    parse_rule,
    parse_template,
    phone_hash,
    score_of,
    token_hash,
)


def test_the_default_template_asks_result_timeliness_attitude_and_suggestions() -> None:
    kinds = [(q.key, q.kind) for q in DEFAULT_TEMPLATE.questions]
    assert kinds == [
        ("result", "yes_no"),
        ("timeliness", "score5"),
        ("attitude", "score10"),
        ("suggestion", "text"),
    ]
    assert DEFAULT_TEMPLATE.question("result").text("zh") == "您对本次投诉的处理结果是否满意？"


def test_a_template_survives_its_json_form() -> None:
    again = parse_template(DEFAULT_TEMPLATE.to_json(), version=1)
    assert again == DEFAULT_TEMPLATE


def choice_template(**overall: Any) -> dict[str, Any]:
    return {
        "purpose": "complaint_closed",
        "name_zh": "测试",
        "name_en": "Test",
        "overall": "mood",
        "questions": [
            {
                "key": "mood",
                "kind": "choice",
                "text_zh": "总体感受",
                "text_en": "Overall",
                "choices": [
                    {"key": "good", "text_zh": "满意", "text_en": "Good", "satisfied": True},
                    {"key": "ok", "text_zh": "基本满意", "text_en": "OK", "satisfied": True},
                    {"key": "bad", "text_zh": "不满意", "text_en": "Bad"},
                ],
                **overall,
            }
        ],
    }


def test_a_choice_marked_satisfied_counts_as_satisfied() -> None:
    template = parse_template(choice_template())
    assert is_satisfied(template, parse_answers(template, {"mood": "ok"})) is True
    assert is_satisfied(template, parse_answers(template, {"mood": "bad"})) is False


def test_a_score_is_satisfied_from_its_line() -> None:
    data = {
        "name_zh": "评分",
        "name_en": "Score",
        "questions": [
            {"key": "score", "kind": "score10", "text_zh": "打分", "text_en": "Score",
             "satisfied_from": 7},
        ],
    }  # fmt: skip
    template = parse_template(data)
    assert is_satisfied(template, {"score": 7}) is True
    assert is_satisfied(template, {"score": 6}) is False
    assert is_satisfied(DEFAULT_TEMPLATE, {"result": False}) is False


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"overall": "nope"}, "满意度问题不在问题列表中"),
        ({"name_en": ""}, "英文名称不能为空"),
        ({"questions": []}, "问题应为 1 至 20 个"),
    ],
)
def test_a_broken_template_is_refused_in_chinese(change: dict[str, Any], words: str) -> None:
    data = {**DEFAULT_TEMPLATE.to_json(), **change}
    with pytest.raises(SurveyError) as caught:
        parse_template(data)
    assert caught.value.status == 422
    assert words in caught.value.message("zh")


def test_a_text_question_cannot_say_whether_the_customer_is_satisfied() -> None:
    data = DEFAULT_TEMPLATE.to_json() | {"overall": "suggestion"}
    with pytest.raises(SurveyError):
        parse_template(data)


def test_answers_are_checked_against_their_scales() -> None:
    good = {"result": "yes", "timeliness": "5", "attitude": "10", "suggestion": " 很好 "}
    assert parse_answers(DEFAULT_TEMPLATE, good) == {
        "result": True,
        "timeliness": 5,
        "attitude": 10,
        "suggestion": "很好",
    }
    for bad in ({"timeliness": "6"}, {"attitude": "0"}, {"attitude": "8.5"}, {"result": "maybe"}):
        with pytest.raises(SurveyError) as caught:
            parse_answers(DEFAULT_TEMPLATE, good | bad)
        assert caught.value.status == 422


def test_a_required_question_left_blank_names_the_question() -> None:
    with pytest.raises(SurveyError) as caught:
        parse_answers(DEFAULT_TEMPLATE, {"result": "yes", "timeliness": "4"})
    assert (
        caught.value.message("zh")
        == "「您对工作人员的服务态度打几分？（1分最差，10分最好）」请作答"
    )


def test_the_optional_suggestion_may_stay_empty() -> None:
    answers = parse_answers(DEFAULT_TEMPLATE, {"result": "no", "timeliness": "1", "attitude": "2"})
    assert "suggestion" not in answers


def test_yes_counts_one_and_no_zero_in_a_mean() -> None:
    q = DEFAULT_TEMPLATE.question("result")
    assert (score_of(q, True), score_of(q, False)) == (1.0, 0.0)
    assert score_of(DEFAULT_TEMPLATE.question("suggestion"), "x") is None


@pytest.mark.parametrize("reply", ["退订", "TD", " td ", "T D", "STOP"])
def test_an_sms_reply_asking_to_stop_is_an_opt_out(reply: str) -> None:
    assert is_opt_out_reply(reply)


@pytest.mark.parametrize("reply", ["谢谢", "", "TDD", "满意"])
def test_other_sms_replies_are_not_opt_outs(reply: str) -> None:
    assert not is_opt_out_reply(reply)


def test_tokens_and_numbers_are_kept_only_as_hashes() -> None:
    assert len(token_hash("abc")) == 64 and token_hash("abc") != "abc"
    assert phone_hash("13812345678") != phone_hash("13812345679")


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"quiet_days": -1}, "同一客户免打扰天数应为 0 至 365 之间的整数"),
        ({"night_start": "25:00"}, "夜间开始时间应为 HH:MM"),
        ({"daily_cap": 0}, "每日上限应为正整数或留空"),
        ({"channel": "email"}, "发送渠道目前只支持短信"),
    ],
)
def test_a_bad_sending_rule_is_refused_in_words(data: dict[str, Any], words: str) -> None:
    with pytest.raises(SurveyError) as caught:
        parse_rule(data)
    assert words in caught.value.message("zh")


def test_a_rule_survives_its_json_form() -> None:
    rule = parse_rule({"daily_cap": 200, "night_start": "20:30", "quiet_days": 14})
    assert parse_rule(rule.to_json()) == rule


def test_answers_read_in_words_in_either_language() -> None:
    result, attitude = DEFAULT_TEMPLATE.question("result"), DEFAULT_TEMPLATE.question("attitude")
    assert result.answer_text(True, "zh") == "是"
    assert result.answer_text(False, "en") == "No"
    assert attitude.answer_text(8, "zh") == "8 分（满分 10）"
    assert attitude.answer_text(8, "en") == "8 / 10"
