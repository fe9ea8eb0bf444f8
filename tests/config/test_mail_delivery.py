"""Mail really leaves by SMTP: a password reset reaches a local SMTP server started here (issue 13, L5)."""

from __future__ import annotations

import email
import re
import socket
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller

from django.test import override_settings
from django.urls import reverse

from accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


class Inbox:
    """An aiosmtpd handler keeping every message it accepts."""

    def __init__(self):
        self.messages: list[tuple[str, list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


def test_a_password_reset_is_delivered_by_smtp_to_the_mail_server(client, smtp_server):
    controller, inbox = smtp_server
    user = UserFactory(email="zhang.san@example.cn")
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST=controller.hostname,
        EMAIL_PORT=controller.port,
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        DEFAULT_FROM_EMAIL="共治 Gongzhi <noreply@gongzhi.example>",
    ):
        response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == 302
    assert len(inbox.messages) == 1
    mail_from, recipients, message = inbox.messages[0]
    assert mail_from == "noreply@gongzhi.example" and recipients == ["zhang.san@example.cn"]
    body = message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"https?://[^/]+(/accounts/password/reset/key/[^\s]+/)", body).group(1)
    assert client.get(link).status_code == 302  # the link opens the form to set a new password
