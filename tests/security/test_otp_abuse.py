"""One-time codes of customer self-service under attack.

A code is read only by the phone it was sent to (the test's capturing SMS adapter plays the
phone): it never appears in any list, API answer, page or export a member of staff can read;
it works once; wrong guesses burn the challenge; one number written with spaces, dashes or
+86 is one number for the send limit; and a member of staff cannot become the customer of a
complaint outside their scope by asking for the code and looking for it.

Different customers are different client addresses (127.0.x.y, all loopback), so the
per-client limits do not hide what the per-phone rules do.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from careloop.notify.adapters import Message
from tests.integration.api.helpers import act, create
from tests.security.conftest import Stack
from tests.security.probes import csrf_token, fill, routes_of, text_of, web_client, where

CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")
READERS = ["admin", "super1", "lead1", "inspector"]
"""Staff who read the outbox, lists and exports of the whole province or a city."""


@dataclass
class CapturingSms:
    """The customer's phone: every message the app sends, as sent."""

    name: str = "capture"
    sent: list[Message] = field(default_factory=list)

    def send(self, message: Message) -> None:
        self.sent.append(message)

    def codes_for(self, phone: str) -> list[str]:
        return [
            found.group(0)
            for m in self.sent
            if m.recipient == f"tel:{phone}" and (found := CODE.search(m.body))
        ]


@pytest.fixture(scope="module")
def sms(stack: Stack) -> Iterator[CapturingSms]:
    capture = CapturingSms()
    stack.app.state.notify_adapters = {"sms": capture}  # type: ignore[attr-defined]
    yield capture


_addresses = iter(f"127.0.{a}.{b}" for a in range(10, 250) for b in range(1, 250))


class Customer:
    """A browser on a phone, from a client address of its own."""

    def __init__(self, stack: Stack, cookies: dict[str, str] | None = None) -> None:
        self.client = httpx.Client(
            base_url=stack.url,
            timeout=30,
            transport=httpx.HTTPTransport(local_address=next(_addresses)),
            cookies=cookies,
        )
        self.token = csrf_token(self.client, "/self-service")

    def ask(self, phone: str) -> httpx.Response:
        data = {"phone": phone, **({"csrf_token": self.token} if self.token else {})}
        return self.client.post("/self-service/code", data=data)

    def verify(self, code: str) -> httpx.Response:
        data = {"code": code, **({"csrf_token": self.token} if self.token else {})}
        return self.client.post("/self-service/verify", data=data)

    def rate(self, complaint_id: int, satisfied: bool = True) -> httpx.Response:
        data = {"satisfied": "1" if satisfied else "0"}
        if self.token:
            data["csrf_token"] = self.token
        return self.client.post(f"/self-service/complaints/{complaint_id}/rate", data=data)


def _verified(response: httpx.Response) -> bool:
    return response.status_code == 303 and "careloop_customer" in response.headers.get(
        "set-cookie", ""
    )


def _replied_complaint(stack: Stack, creator: str, region: str, phone: str) -> dict[str, Any]:
    client = stack.api.as_(creator)
    c = create(client, region=region, customer={"phone": phone})
    c = act(client, f"/api/v1/complaints/{c['id']}/handle", version=c["version"])
    return act(client, f"/api/v1/complaints/{c['id']}/reply", version=c["version"], text="已修复")


def _everything_readable(stack: Stack, username: str, complaint_id: int) -> dict[str, str]:
    """Every answer `username` gets from the GET routes without an id (lists, exports, pages,
    the outbox), the complaint's own routes, and the outbox filtered to codes."""
    api, browser = stack.api.as_(username), web_client(stack.api, username)
    answers = {}
    for route in routes_of(stack.app):
        if route.method != "GET" or route.mount:
            continue
        if route.path_params and set(route.path_params) != {"complaint_id"}:
            continue  # reports (by kind), policies, languages: no customer's message in them
        client = api if route.api else browser
        for query in ({"limit": 200}, {"kind": "otp", "limit": 200, "format": "xlsx"}):
            response = client.get(fill(route.path, {"complaint_id": complaint_id}), params=query)
            assert response.status_code < 500, where(response)
            if response.status_code == 200:
                answers[str(response.request.url)] = text_of(response)
    return answers


def test_codes_never_appear_in_any_list_answer_page_or_export(stack: Stack, sms: CapturingSms):
    phone = "13600001111"
    c = _replied_complaint(stack, "agent1", "C1-K1", phone)
    before = [t for u in READERS for t in _everything_readable(stack, u, c["id"]).values()]
    code = None
    for _ in range(5):  # a code that no answer already held by chance (a date, a number)
        assert Customer(stack).ask("136 0000 1111").status_code == 200
        code = sms.codes_for(phone)[-1]
        if not any(code in text for text in before):
            break
    assert code is not None and not any(code in text for text in before)
    leaks = []
    for username in READERS:
        for url, text in _everything_readable(stack, username, c["id"]).items():
            if code in text:
                leaks.append(f"{username}: {url}")
    assert not leaks, "the code shows in:\n" + "\n".join(leaks)


def test_a_code_works_once(stack: Stack, sms: CapturingSms):
    phone = "13600002222"
    _replied_complaint(stack, "agent1", "C1-K1", phone)
    customer = Customer(stack)
    assert customer.ask(phone).status_code == 200
    challenge = dict(customer.client.cookies)
    code = sms.codes_for(phone)[-1]
    first = customer.verify(code)
    assert _verified(first), where(first)
    # The same challenge and code again, as an eavesdropper who kept both would send them.
    replay = Customer(
        stack, cookies={k: v for k, v in challenge.items() if k != "careloop_customer"}
    )
    again = replay.verify(code)
    assert not _verified(again), f"the code worked twice: {where(again)}"
    assert again.status_code < 500


def test_wrong_codes_burn_the_challenge(stack: Stack, sms: CapturingSms):
    phone = "13600003333"
    _replied_complaint(stack, "agent1", "C1-K1", phone)
    customer = Customer(stack)
    assert customer.ask(phone).status_code == 200
    code = sms.codes_for(phone)[-1]
    wrong = [f"{(int(code) + k) % 10**6:06d}" for k in range(1, 13)]
    for guess in wrong:
        answer = customer.verify(guess)
        assert not _verified(answer) and answer.status_code < 500, where(answer)
    stack.clock.advance(minutes=2)  # any rate limit has refilled; the code is still in time
    right = customer.verify(code)
    assert not _verified(right), "12 wrong guesses, and the right code still works"


def test_spellings_of_one_number_share_its_send_limit(stack: Stack, sms: CapturingSms):
    """Thirty asks for one number from thirty addresses: written the same way each time, and
    in five spellings; the spellings must not get more codes sent than the one spelling."""
    same, varied = "13600004444", "13600005555"
    for _ in range(30):
        assert Customer(stack).ask(same).status_code < 500
    spellings = ["13600005555", "136 0000 5555", "136-0000-5555", "+86 136 0000 5555",
                 "+8613600005555"]  # fmt: skip
    for i in range(30):
        assert Customer(stack).ask(spellings[i % len(spellings)]).status_code < 500
    sent_same, sent_varied = len(sms.codes_for(same)), len(sms.codes_for(varied))
    assert 0 < sent_same < 30, f"no send limit per number: {sent_same} codes in a minute"
    assert sent_varied <= sent_same, (
        f"one number in five spellings got {sent_varied} codes, one spelling {sent_same}"
    )


def test_one_client_cannot_send_codes_to_number_after_number(stack: Stack, sms: CapturingSms):
    """45 numbers from one address in a minute (the SMS pump the audit found): the per-client
    limit holds some of them back."""
    pump = Customer(stack)
    numbers = [f"1360100{i:04d}" for i in range(45)]
    for number in numbers:
        assert pump.ask(number).status_code < 500
    sent = sum(len(sms.codes_for(number)) for number in numbers)
    assert sent < len(numbers), f"one client sent {sent} codes to {len(numbers)} numbers"


def test_staff_cannot_act_as_the_customer_of_a_complaint_they_cannot_see(
    stack: Stack, sms: CapturingSms
):
    """A city C1 lead asks for the code of a city C2 customer, then reads everything they can
    read and tries every six-digit number in the outbox as the code: none gets them in, and
    the complaint they could not see is not rated."""
    phone = "13600006666"
    c = _replied_complaint(stack, "agentc2", "C2-K1", phone)
    lead = stack.api.as_("lead1")
    assert lead.get(f"/api/v1/complaints/{c['id']}").status_code == 404
    attacker = Customer(stack, cookies={"careloop_session": stack.api.token("lead1") or ""})
    attacker.token = csrf_token(attacker.client, "/self-service")
    before = list(_everything_readable(stack, "lead1", c["id"]).values())
    code = None
    for _ in range(3):  # a code that no answer already held by chance (a date, a number)
        assert attacker.ask(phone).status_code == 200
        code = sms.codes_for(phone)[-1]
        if not any(code in text for text in before):
            break
    assert code is not None
    readable = _everything_readable(stack, "lead1", c["id"])
    holding = [url for url, text in readable.items() if code in text]
    assert not holding, f"lead1 reads the customer's code in {holding}"
    outbox = lead.get("/api/v1/sla/notifications", params={"kind": "otp", "limit": 500})
    candidates = sorted(set(CODE.findall(outbox.text)))[:15] if outbox.status_code == 200 else []
    for guess in candidates:
        if _verified(attacker.verify(guess)):
            attacker.rate(c["id"])
            break
    rated = attacker.rate(c["id"])
    assert rated.status_code < 500
    after = stack.api.as_("admin").get(f"/api/v1/complaints/{c['id']}").json()
    assert after["status"] == "replied", f"a staff member rated it: {after['status']}"
    assert after["callback_satisfied"] is None
