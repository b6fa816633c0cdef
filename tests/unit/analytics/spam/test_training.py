"""Training on a small source: the held-out split, the metrics computed on it, the verdicts,
and a model that reads back from disk the same; and the acceptance figure on the English
collection (spam F1 ≥ 0.95 on its held-out split)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from careloop.analytics.spam import model_store, report, training
from careloop.analytics.spam.classifier import Verdict, load_latest
from careloop.analytics.spam.kinds import NOT_SPAM, SPAM_KIND_CODES
from careloop.analytics.spam.sources import careloop_examples, sms_spam_collection

TRAINED_AT = datetime(2026, 11, 28, 10, 15, tzinfo=UTC)


@pytest.fixture(scope="module")
def run() -> training.TrainingRun:
    return training.train([careloop_examples()], seed=3, refit=False)


def test_split_is_stratified_seeded_and_disjoint() -> None:
    rows = careloop_examples().rows
    train_a, test_a = training.split(rows, seed=3, test_size=0.2)
    train_b, test_b = training.split(rows, seed=3, test_size=0.2)
    assert (train_a, test_a) == (train_b, test_b)
    assert not set(train_a) & set(test_a) and len(train_a) + len(test_a) == len(rows)
    for code in SPAM_KIND_CODES:
        total = sum(r.kind == code for r in rows)
        assert sum(r.kind == code for r in test_a) == round(total * 0.2)
    assert training.split(rows, seed=4, test_size=0.2)[1] != test_a


def test_metrics_are_computed_on_the_held_out_rows_only(run: training.TrainingRun) -> None:
    [evaluation] = run.evaluations
    _, held_out = training.split(careloop_examples().rows, seed=3, test_size=0.2)
    assert evaluation.test_rows == len(held_out)
    assert evaluation.train_rows == len(careloop_examples().rows) - len(held_out)
    spam = evaluation.spam
    assert sum(map(sum, spam.confusion)) == len(held_out)
    assert spam.metrics("spam").support == sum(r.spam for r in held_out)
    assert evaluation.kind is not None
    assert sum(map(sum, evaluation.kind.confusion)) == sum(r.spam for r in held_out)
    hits = spam.confusion[0][0]
    predicted_spam = spam.confusion[0][0] + spam.confusion[1][0]
    assert spam.metrics("spam").precision == pytest.approx(hits / predicted_spam)


def test_verdicts_have_a_kind_a_score_and_the_features_behind_them(
    run: training.TrainingRun, tmp_path: Path
) -> None:
    classifier = model_store.load_version(
        model_store.save(run, tmp_path, TRAINED_AT, report.render(run, "zh"))
    )
    fraud, family = classifier.classify(
        ["【公安局】您的账户涉嫌洗钱，请立即转入安全账户配合调查", "妈，我今晚加班，不回家吃饭了"]
    )
    assert isinstance(fraud, Verdict)
    assert fraud.spam and fraud.kind in SPAM_KIND_CODES and 0.5 <= fraud.score <= 1
    assert fraud.features and all(isinstance(f, str) and f.strip() for f in fraud.features)
    assert not family.spam and family.kind == NOT_SPAM and 0 <= family.score < 0.5
    assert classifier.classify([]) == []


def test_the_model_round_trips_from_disk_with_its_metadata_and_evaluation(
    run: training.TrainingRun, tmp_path: Path
) -> None:
    text = report.render(run, "en")
    saved = model_store.save(run, tmp_path / "spam-models", TRAINED_AT, text)
    again = model_store.save(run, tmp_path / "spam-models", TRAINED_AT, text)
    assert (saved.name, again.name) == ("20261128T101500Z", "20261128T101500Z-2")
    loaded = load_latest(tmp_path)
    assert loaded.version == again.name
    texts = [r.text for r in careloop_examples().rows[:40]]
    expected = run.models.spam.predict_proba(texts)[:, 1]
    assert [v.score for v in loaded.classify(texts)] == [round(float(p), 4) for p in expected]
    meta = json.loads((saved / "metadata.json").read_text(encoding="utf-8"))
    assert meta["trained_at"] == "2026-11-28T10:15:00+00:00" and meta["seed"] == 3
    [source] = meta["sources"]
    assert source["name"] == "careloop-examples" and source["rows"] == len(run.sources[0].rows)
    assert source["sha256"] == run.sources[0].digest
    assert meta["evaluation"][0]["spam"]["labels"] == ["spam", "ham"]
    assert (saved / "evaluation.txt").read_text(encoding="utf-8") == text
    assert "precision" in text and "Confusion matrix" in text


def test_no_model_is_a_readable_error(tmp_path: Path) -> None:
    with pytest.raises(model_store.NoModelError) as caught:
        load_latest(tmp_path)
    assert "spam-models" in caught.value.message("en")
    assert "没有训练好的" in caught.value.message("zh")


def test_a_damaged_model_is_a_readable_error_not_a_traceback(tmp_path: Path) -> None:
    damaged = tmp_path / "spam-models" / "20261128T101500Z"
    damaged.mkdir(parents=True)
    (damaged / "model.joblib").write_bytes(b"not a pickle")
    (damaged / "metadata.json").write_text("{}", encoding="utf-8")
    with pytest.raises(model_store.UnreadableModelError) as caught:
        load_latest(tmp_path)
    assert caught.value.message("en").startswith(f"cannot load the spam model {damaged}")
    assert "无法加载垃圾短信模型" in caught.value.message("zh")


def test_spam_f1_on_the_english_collection_held_out_split_is_at_least_0_95() -> None:
    collection = sms_spam_collection()
    if collection is None:
        pytest.skip("the SMS Spam Collection package (extra spam-corpus) is not installed")
    assert len(collection.rows) == 5574 and sum(r.spam for r in collection.rows) == 747
    [evaluation] = training.train([collection], seed=0, refit=False).evaluations
    assert evaluation.test_rows == round(4827 * 0.2) + round(747 * 0.2)
    assert evaluation.spam.metrics("spam").f1 >= 0.95
