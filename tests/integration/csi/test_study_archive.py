"""Studies kept for the record: stored whole, listed within scope, refused to the desk."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from careloop.domain.csi.model import ECSI
from careloop.domain.errors import DomainError
from careloop.services.access.actors import actor_for
from careloop.services.csi import archive
from careloop.services.csi.study import StudyResult, run_study
from careloop.services.csi.survey import prepare_survey, read_survey_file
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from careloop.store.models import SecurityEvent
from tests.unit.services.csi.synthetic import SHIPPED_CSV

NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def result() -> StudyResult:
    survey = prepare_survey(read_survey_file(SHIPPED_CSV), ECSI, weight="weight")
    return run_study(survey, ECSI, resamples=3, source="survey.csv")


def _uow(url: str) -> UnitOfWork:
    return UnitOfWork(make_session_factory(make_engine(url)))


def test_a_stored_study_comes_back_whole_and_is_audited(database_url: str, result: StudyResult):
    with _uow(database_url) as uow:
        saved = archive.save_study(uow, actor_for(uow, "super1"), NOW, result, "2026 年度测评")
    with _uow(database_url) as uow:
        summary, again = archive.load_study(uow, actor_for(uow, "super1"), saved.id)
        events = uow.session.scalars(
            select(SecurityEvent).where(SecurityEvent.kind == "csi_study_saved")
        ).all()
    assert again == result
    assert (summary.title, summary.responses, summary.created_by) == (
        "2026 年度测评",
        120,
        "super1",
    )
    assert summary.headline_index == pytest.approx(result.index[0].value)
    assert [e.detail["study"] for e in events if e.detail] == [saved.id]


def test_studies_are_seen_within_the_scope_they_were_run_in(database_url: str, result: StudyResult):
    with _uow(database_url) as uow:
        province = archive.save_study(uow, actor_for(uow, "super1"), NOW, result)
        city = archive.save_study(uow, actor_for(uow, "lead1"), NOW, result, "甲市")
    with _uow(database_url) as uow:
        assert [s.id for s in archive.list_studies(uow, actor_for(uow, "admin"))] == [
            city.id, province.id
        ]  # fmt: skip
        assert [s.id for s in archive.list_studies(uow, actor_for(uow, "lead1"))] == [city.id]
        with pytest.raises(DomainError) as hidden:
            archive.load_study(uow, actor_for(uow, "lead1"), province.id)
    assert hidden.value.message() == f"满意度测评不存在：{province.id}"
    assert province.title == "ecsi · survey.csv"


def test_the_desk_may_not_run_or_read_studies(database_url: str, result: StudyResult):
    with _uow(database_url) as uow:
        agent = actor_for(uow, "agent1")
        with pytest.raises(DomainError) as refused:
            archive.save_study(uow, agent, NOW, result)
        assert refused.value.status == 403
        with pytest.raises(DomainError):
            archive.list_studies(uow, agent)
