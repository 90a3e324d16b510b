"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps every message it is given.

The mail tests send through the stdlib's smtplib to this server, so what they check is
what a mail server would have received: the envelope, the headers and each MIME part.
The server speaks plain SMTP by default; with a certificate it offers STARTTLS or
speaks TLS from the first byte, and with a login it asks for ``AUTH`` (over TLS only,
as real servers do). :func:`self_signed_certificate` makes the certificate with the
``openssl`` command, for ``127.0.0.1``.
"""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

Security = Literal["plain", "starttls", "tls"]


@dataclass
class Delivery:
    """One message as the server took it: the envelope, and whether TLS carried it."""

    sender: str
    recipients: list[str]
    encrypted: bool
    login: str | None


@dataclass
class SmtpServer:
    """What a test sees of the server: its URL (``STORYLINE_SMTP_URL``), what arrived."""

    url: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    # Addresses the server refuses at RCPT TO, as a real server refuses unknown mailboxes.
    refused: set[str] = field(default_factory=set)
    deliveries: list[Delivery] = field(default_factory=list)
    _arrived: threading.Condition = field(default_factory=threading.Condition)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """The messages once ``count`` have arrived; fails the test after ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    pytest.fail(f"{len(self.messages)} of {count} messages arrived in {timeout}s")
                self._arrived.wait(left)
            return list(self.messages)

    def keep(self, message: EmailMessage, delivery: Delivery) -> None:
        with self._arrived:
            self.messages.append(message)
            self.deliveries.append(delivery)
            self._arrived.notify_all()


class _Collector:
    """aiosmtpd's handler: parses each message with the modern email policy and keeps it."""

    def __init__(self, server: SmtpServer, login: tuple[str, str] | None) -> None:
        self.server = server
        self.login = login

    async def handle_RCPT(
        self, smtp: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.server.refused:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content
        assert isinstance(content, bytes)
        # The wire's CRLF line ends become LF, as a mailbox on disk keeps them.
        lines = content.replace(b"\r\n", b"\n")
        message = email.message_from_bytes(lines, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        auth = session.auth_data
        assert smtp.transport is not None
        delivery = Delivery(
            sender=str(envelope.mail_from),
            recipients=list(envelope.rcpt_tos),
            encrypted=smtp.transport.get_extra_info("ssl_object") is not None,
            login=auth.login.decode() if isinstance(auth, LoginPassword) else None,
        )
        self.server.keep(message, delivery)
        return "250 Message accepted for delivery"

    def authenticate(
        self, smtp: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if not isinstance(data, LoginPassword) or self.login is None:
            return AuthResult(success=False, handled=False)
        given = (data.login.decode(), data.password.decode())
        return AuthResult(success=given == self.login, handled=False, auth_data=data)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate and its key for ``127.0.0.1``, made by ``openssl`` in ``folder``."""
    certificate, key = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(certificate),
        ],
        check=True,
        capture_output=True,
    )
    return certificate, key


@contextmanager
def served_smtp(
    security: Security = "plain",
    *,
    certificate: tuple[Path, Path] | None = None,
    login: tuple[str, str] | None = None,
) -> Iterator[SmtpServer]:
    """Run an SMTP server on a free port until the block ends.

    ``security``: ``plain`` (no TLS; URL ``smtp+plain://``), ``starttls`` (offered after
    EHLO; URL ``smtp://``) or ``tls`` (from the first byte; URL ``smtps://``). The last
    two need ``certificate`` (certificate and key files). ``login``: the user name and
    password the server asks for; they are put in the URL, percent-encoded.
    """
    port = free_port()
    scheme = {"plain": "smtp+plain", "starttls": "smtp", "tls": "smtps"}[security]
    credentials = ""
    if login is not None:
        credentials = f"{quote(login[0], safe='')}:{quote(login[1], safe='')}@"
    server = SmtpServer(url=f"{scheme}://{credentials}127.0.0.1:{port}", port=port)
    collector = _Collector(server, login)
    options: dict[str, Any] = {}
    if security != "plain":
        assert certificate is not None, f"a {security} server needs a certificate"
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*certificate)
        options["tls_context" if security == "starttls" else "ssl_context"] = context
    if login is not None:
        options["authenticator"] = collector.authenticate
        # aiosmtpd knows of TLS only when STARTTLS made it: on an implicit-TLS port its
        # "AUTH only over TLS" check would refuse every login.
        options["auth_require_tls"] = security != "tls"
    controller = Controller(
        collector, hostname="127.0.0.1", port=port, server_hostname="mail.test", **options
    )
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A plain SMTP server on 127.0.0.1 for one test (``tests/conftest.py`` imports it)."""
    with served_smtp() as server:
        yield server
