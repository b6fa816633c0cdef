"""One-time codes of customer self-service: never readable by staff, hashed at rest,
single-use, attempt-capped, and limited per phone number and per client address."""

from __future__ import annotations

import threading

from sqlalchemy import select

from careloop.api.app import create_app
from careloop.config import Settings
from careloop.domain.errors import DomainError
from careloop.services.access import self_service
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from careloop.store.models import Notification
from careloop.store.models.access import OtpChallenge
from tests.conftest import Api, LiveServer, MovableClock
from tests.integration.api.helpers import create
from tests.integration.self_service.helpers import ask_code, capture_sms, customer, verify

PHONE = "13812345678"


def _rows(database_url: str, model: type) -> list:  # type: ignore[type-arg]
    engine = make_engine(database_url)
    try:
        with UnitOfWork(make_session_factory(engine)) as uow:
            return list(uow.session.scalars(select(model)))
    finally:
        engine.dispose()


def test_no_reader_of_the_outbox_sees_a_code_and_none_is_kept(app, api: Api, database_url: str):
    sms = capture_sms(app)
    create(api.as_("agent1"), customer={"phone": PHONE})
    assert ask_code(customer(api.base_url), PHONE).status_code == 200
    code = sms.last_code()
    assert sms.messages[-1].recipient == f"tel:{PHONE}"  # the gateway gets number and code
    for reader in ("lead1", "super1", "admin"):
        for query in ("?kind=otp", "", "?status=sent"):
            page = api.as_(reader).get(f"/api/v1/sla/notifications{query}")
            assert page.status_code == 200, page.text
            assert all(item["kind"] != "otp" for item in page.json()["items"]), reader
            assert code not in page.text and PHONE not in page.text, reader
    # What stays in the database gives neither the code nor the number back.
    (row,) = [n for n in _rows(database_url, Notification) if n.kind == "otp"]
    assert code not in row.body and PHONE not in row.recipient and row.status == "sent"
    (challenge,) = _rows(database_url, OtpChallenge)
    assert code not in challenge.code_hash and challenge.code_hash.startswith("$argon2id$")


def test_a_code_signs_in_once(app, api: Api):
    sms = capture_sms(app)
    browser = customer(api.base_url)
    ask_code(browser, PHONE)
    challenge = browser.cookies["careloop_otp"]
    code = sms.last_code()
    assert verify(browser, code).status_code == 303
    # The same challenge and code again (a copied cookie, a replay): refused.
    replay = customer(api.base_url)
    replay.cookies.set("careloop_otp", challenge, path="/self-service")
    again = verify(replay, code)
    assert again.status_code == 422 and "careloop_customer" not in again.cookies


def test_five_wrong_codes_burn_the_challenge(app, api: Api):
    sms = capture_sms(app)
    browser = customer(api.base_url)
    ask_code(browser, PHONE)
    code = sms.last_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for left in (4, 3, 2, 1):
        answer = verify(browser, wrong)
        assert answer.status_code == 422 and f"还可再试 {left} 次" in answer.text
    challenge = browser.cookies["careloop_otp"]
    assert verify(browser, wrong).status_code == 422  # the fifth: burned
    browser.cookies.set("careloop_otp", challenge, path="/self-service")
    burned = verify(browser, code)
    assert burned.status_code == 422 and "请重新获取" in burned.text


def test_codes_to_one_number_are_limited_however_it_is_written(app, api: Api):
    sms = capture_sms(app)
    browser = customer(api.base_url)
    spellings = [PHONE, "138 1234 5678", "+86 138-1234-5678", "0086 13812345678", "138-1234-5678"]
    for spelling in spellings:
        assert ask_code(browser, spelling).status_code == 200, spelling
    refused = ask_code(customer(api.base_url), "+86 138 1234 5678")
    assert refused.status_code == 429
    assert len(sms.messages) == 5
    # Another number is not held back by this one's limit.
    assert ask_code(browser, "13900000009").status_code == 200


def test_codes_are_limited_per_client_address(database_url: str, clock: MovableClock):
    app = create_app(Settings(database_url=database_url, otp_codes_per_client_hour=3), clock=clock)
    sms = capture_sms(app)
    try:
        with LiveServer(app) as server:
            browser = customer(server.url)
            for n in range(3):
                assert ask_code(browser, f"1390000000{n}").status_code == 200
            assert ask_code(browser, "13900000009").status_code == 429
            assert len(sms.messages) == 3
            clock.advance(minutes=21)  # a third of an hour gives one code back
            assert ask_code(browser, "13900000009").status_code == 200
    finally:
        app.state.engine.dispose()


def test_single_use_holds_across_processes(database_url: str, clock: MovableClock):
    apps = [create_app(Settings(database_url=database_url), clock=clock) for _ in range(2)]
    sms = [capture_sms(a) for a in apps]
    try:
        with LiveServer(apps[0]) as one, LiveServer(apps[1]) as two:
            browser = customer(one.url)
            ask_code(browser, PHONE)
            challenge, code = browser.cookies["careloop_otp"], sms[0].last_code()
            other = customer(two.url)
            other.cookies.set("careloop_otp", challenge, path="/self-service")
            assert verify(other, code).status_code == 303  # checked by the other process
            assert verify(browser, code).status_code == 422  # and used up for both
    finally:
        for a in apps:
            a.state.engine.dispose()


def test_parallel_tries_of_one_code_sign_in_once(database_url: str, clock: MovableClock):
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    sms = capture_sms(type("App", (), {"state": type("S", (), {})()})())
    with UnitOfWork(factory) as uow:
        challenge = self_service.send_code(uow, PHONE, clock.now, sms)
    code = sms.last_code()
    outcomes: list[str] = []
    barrier = threading.Barrier(6)

    def attempt() -> None:
        barrier.wait()
        with UnitOfWork(factory) as uow:
            try:
                outcomes.append(self_service.verify_code(uow, challenge.token, code, clock.now))
            except DomainError as exc:
                outcomes.append(exc.code)

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    engine.dispose()
    assert sorted(outcomes) == sorted([PHONE] + ["otp_invalid"] * 5)


def test_an_expired_code_is_refused(app, api: Api, clock: MovableClock):
    sms = capture_sms(app)
    browser = customer(api.base_url)
    ask_code(browser, PHONE)
    clock.advance(minutes=11)
    answer = verify(browser, sms.last_code())
    assert answer.status_code == 422 and "请重新获取" in answer.text
