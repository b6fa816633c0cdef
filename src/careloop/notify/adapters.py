"""Adapters that deliver one message each; the outbox row is written before any of them runs."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import TYPE_CHECKING, Protocol

import httpx

if TYPE_CHECKING:
    from careloop.config import Settings


@dataclass(frozen=True, slots=True)
class Message:
    id: int
    channel: str
    recipient: str
    subject: str
    body: str


class Adapter(Protocol):
    name: str

    def send(self, message: Message) -> None:
        """Deliver or raise; the caller marks the outbox row sent or failed."""


class RecordingAdapter:
    """Delivers nothing: the outbox row *is* the record, visible in the API (the default)."""

    name = "recording"

    def send(self, message: Message) -> None:
        return None


class SmsAdapter:
    """Posts to the operator's SMS gateway (HTTP JSON); the gateway owns retries and receipts."""

    name = "sms"

    def __init__(self, gateway_url: str, timeout: float = 10) -> None:
        self.gateway_url = gateway_url
        self.timeout = timeout

    def send(self, message: Message) -> None:
        phone = message.recipient.removeprefix("tel:")
        response = httpx.post(
            self.gateway_url,
            json={"to": phone, "text": message.body, "ref": message.id},
            timeout=self.timeout,
        )
        response.raise_for_status()


class EmailAdapter:
    name = "email"

    def __init__(self, host: str, port: int = 25, sender: str = "careloop@localhost") -> None:
        self.host, self.port, self.sender = host, port, sender

    def send(self, message: Message) -> None:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = message.recipient.removeprefix("mailto:")
        mail["Subject"] = message.subject
        mail.set_content(message.body)
        with smtplib.SMTP(self.host, self.port, timeout=10) as smtp:
            smtp.send_message(mail)


class WebhookAdapter:
    name = "webhook"

    def __init__(self, url: str, timeout: float = 10) -> None:
        self.url, self.timeout = url, timeout

    def send(self, message: Message) -> None:
        response = httpx.post(
            self.url,
            json={
                "id": message.id,
                "recipient": message.recipient,
                "subject": message.subject,
                "body": message.body,
            },
            timeout=self.timeout,
        )
        response.raise_for_status()


def adapters_from_settings(settings: Settings) -> dict[str, Adapter]:
    """Recording for every channel unless `notify` is ``live`` and the channel is configured.

    CARELOOP_NOTIFY=live and CARELOOP_SMS_GATEWAY_URL, CARELOOP_SMTP_HOST (CARELOOP_SMTP_PORT,
    CARELOOP_MAIL_FROM), CARELOOP_WEBHOOK_URL. Sending for real must be asked for twice: the
    mode and the address.
    """
    recording = RecordingAdapter()
    adapters: dict[str, Adapter] = {"sms": recording, "email": recording, "webhook": recording}
    if settings.notify != "live":
        return adapters
    if settings.sms_gateway_url:
        adapters["sms"] = SmsAdapter(settings.sms_gateway_url)
    if settings.smtp_host:
        adapters["email"] = EmailAdapter(settings.smtp_host, settings.smtp_port, settings.mail_from)
    if settings.webhook_url:
        adapters["webhook"] = WebhookAdapter(settings.webhook_url)
    return adapters
