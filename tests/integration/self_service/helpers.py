"""Helpers for the self-service tests: an SMS adapter that keeps what it was handed, and a
customer's browser that asks for a code and types it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import httpx

from careloop.notify.adapters import Message
from tests.integration.web.helpers import post_form, web_client


@dataclass
class CapturingSms:
    """Delivers nothing; keeps every message as the gateway would have received it."""

    name: str = "capturing"
    messages: list[Message] = field(default_factory=list)

    def send(self, message: Message) -> None:
        self.messages.append(message)

    def last_code(self) -> str:
        found = re.search(r"\b(\d{6})\b", self.messages[-1].body)
        assert found, self.messages[-1].body
        return found.group(1)


def capture_sms(app: Any) -> CapturingSms:
    sms = CapturingSms()
    app.state.notify_adapters = {"sms": sms, "email": sms, "webhook": sms}
    return sms


def customer(base_url: str) -> httpx.Client:
    return web_client(base_url)


def ask_code(client: httpx.Client, phone: str) -> httpx.Response:
    return post_form(client, "/self-service/code", phone=phone)


def verify(client: httpx.Client, code: str) -> httpx.Response:
    return post_form(client, "/self-service/verify", code=code)
