"""Sending mail (password resets, digests) through the SMTP server the operator names.

``STORYLINE_SMTP_URL`` says how to reach it:

- ``smtp://user:pass@host:587``: mail submission, always upgraded with STARTTLS, with or
  without a login. Nothing is sent over a connection that was not upgraded: a server (or
  a man in the middle) that leaves STARTTLS out gets an error, neither a password nor a
  reader's mail (a password-reset link is as good as the password);
- ``smtps://user:pass@host:465``: TLS from the first byte;
- ``smtp+plain://host:25``: never TLS, for a relay on the same machine or network.

User name and password are percent-decoded (``%40`` for ``@``). Certificates are checked
against the system's trust store; ``SSL_CERT_FILE`` adds a private authority. Empty: no
mail, :attr:`Mailer.configured` is False and :meth:`Mailer.send` says so.

An address that cannot take mail (malformed, refused by the server, or needing SMTPUTF8
from a server without it) is a :class:`RecipientRefused`, told apart from a failure of
the server itself, so that a loop over readers skips that one and goes on.

Each message is its own connection, with a 10 s timeout on every step: Storyline sends
a password reset now and then and one digest per reader per period, so a connection
kept open would buy nothing and could go stale between two sends.
"""

from __future__ import annotations

import ipaddress
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import timedelta
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from urllib.parse import unquote, urlsplit

from jinja2 import Environment, StrictUndefined

from storyline.settings import Settings, SettingsError

SMTP_TIMEOUT = 10.0
DEFAULT_PORTS = {"smtp": 587, "smtps": 465, "smtp+plain": 25}

_HTML = Environment(autoescape=True, undefined=StrictUndefined)


class MailError(RuntimeError):
    """A message could not be sent; the message says why (and never holds the password)."""


class MailNotConfigured(MailError):
    """No mail server is set (``STORYLINE_SMTP_URL`` is empty)."""


class RecipientRefused(MailError):
    """The recipient's address cannot take mail: it is not one address Storyline can write
    (a line break, two ``@``, a non-ASCII local part), or the server refused it, or it
    needs SMTPUTF8 and the server lacks it. Mail to others may still go."""


@dataclass(frozen=True)
class MailServer:
    """Where mail goes, parsed from ``STORYLINE_SMTP_URL``."""

    scheme: str  # smtp, smtps, smtp+plain
    host: str
    port: int
    username: str | None
    # Left out of the repr, so that a log line or a traceback showing the server does
    # not show the password.
    password: str = field(repr=False)


def parse_smtp_url(url: str) -> MailServer:
    """The server a ``STORYLINE_SMTP_URL`` names; :class:`SettingsError` when it is wrong."""
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS:
        raise SettingsError(
            f"STORYLINE_SMTP_URL: {parts.scheme or 'no'} scheme; use smtp://, smtps:// "
            "or smtp+plain://"
        )
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError as error:
        raise SettingsError(f"STORYLINE_SMTP_URL: {error}") from error
    if not parts.hostname:
        raise SettingsError("STORYLINE_SMTP_URL names no host, e.g. smtp://mail.example.org")
    return MailServer(
        scheme=parts.scheme,
        host=parts.hostname,
        port=port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password or ""),
    )


class Mailer:
    """Sends mail as ``STORYLINE_MAIL_FROM`` through ``STORYLINE_SMTP_URL``."""

    def __init__(self, settings: Settings) -> None:
        self.sender = settings.mail_from
        self.server = parse_smtp_url(settings.smtp_url) if settings.smtp_url else None
        self.helo_name = _helo_name(settings.public_url)

    @property
    def configured(self) -> bool:
        return self.server is not None

    def send(self, to: str, subject: str, text: str, html: str | None = None) -> None:
        """Send one message to one address: ``text``, and ``html`` as its alternative.

        Raises :class:`MailNotConfigured` without a server, :class:`RecipientRefused` when
        the address cannot take mail (see the class), :class:`MailError` when the subject
        could smuggle in headers, or when sending fails.
        """
        if self.server is None:
            raise MailNotConfigured(
                "Storyline has no mail server: set STORYLINE_SMTP_URL to send mail."
            )
        message = build_message(self.sender, to, subject, text, html)
        self._deliver(self.server, message, to)

    def _deliver(self, server: MailServer, message: EmailMessage, to: str) -> None:
        try:
            with self._connect(server) as client:
                self._secure_and_log_in(client, server)
                try:
                    client.send_message(message)
                except smtplib.SMTPNotSupportedError as error:
                    # smtplib asks for SMTPUTF8 only for an address that is not ASCII:
                    # the reader's, unless the operator's sender is not ASCII either.
                    if to.isascii() or not _envelope_sender(self.sender).isascii():
                        raise
                    raise RecipientRefused(
                        f"the address {to} needs SMTPUTF8, which {server.host}:{server.port} "
                        "does not offer"
                    ) from error
        except smtplib.SMTPRecipientsRefused as error:
            raise RecipientRefused(f"the mail server refused the address {to}") from error
        except (smtplib.SMTPException, OSError) as error:
            raise MailError(
                f"could not send mail through {server.host}:{server.port}: {error}"
            ) from error

    def _connect(self, server: MailServer) -> smtplib.SMTP:
        if server.scheme == "smtps":
            return smtplib.SMTP_SSL(
                server.host,
                server.port,
                local_hostname=self.helo_name,
                timeout=SMTP_TIMEOUT,
                context=ssl.create_default_context(),
            )
        return smtplib.SMTP(
            server.host, server.port, local_hostname=self.helo_name, timeout=SMTP_TIMEOUT
        )

    def _secure_and_log_in(self, client: smtplib.SMTP, server: MailServer) -> None:
        """STARTTLS for ``smtp://``, then the login when there is one. A ``smtp://``
        server that does not offer STARTTLS gets nothing, login or not: the scheme
        promises TLS, and ``smtp+plain://`` is there for a relay that has none."""
        if server.scheme == "smtp":
            client.ehlo()
            if not client.has_extn("starttls"):
                raise MailError(
                    f"{server.host}:{server.port} does not offer STARTTLS, so neither a "
                    "password nor mail is sent; use smtp+plain:// for a server without TLS"
                )
            client.starttls(context=ssl.create_default_context())
            client.ehlo()
        if server.username is not None:
            client.login(server.username, server.password)


def build_message(
    sender: str, to: str, subject: str, text: str, html: str | None = None
) -> EmailMessage:
    """The message :meth:`Mailer.send` sends. A line break in the address or the subject
    is refused: it would let whoever chose them add headers or recipients. An address
    that is not one address (or has a non-ASCII local part, which the email package
    cannot write) is the recipient's problem, a :class:`RecipientRefused`."""
    if "\r" in subject or "\n" in subject:
        raise MailError("refused: the subject holds a line break")
    if "\r" in to or "\n" in to:
        raise RecipientRefused("refused: the address holds a line break")
    try:
        recipient = Address(addr_spec=to.strip())
    except (ValueError, IndexError, HeaderParseError) as error:
        # ValueError: the parser's defects (no domain, a non-ASCII local part, ...);
        # HeaderParseError: what it cannot parse at all ("<x>@ex.org", "a@b@ex.org").
        raise RecipientRefused(f"refused: {to!r} is not one email address") from error
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=_sender_domain(sender))
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


_RESET_HTML = _HTML.from_string(
    """<!doctype html>
<html lang="en"><body>
<p>Hello {{ name }},</p>
<p>Someone asked to reset the password of your Storyline account at {{ site }}.
To choose a new password, open this link within {{ lasts }}:</p>
<p><a href="{{ link }}">{{ link }}</a></p>
<p>The link works once. If you did not ask for a new password, ignore this mail: your
password stays as it is, and nobody can change it without the link.</p>
</body></html>
"""
)


def password_reset_mail(
    settings: Settings, name: str, link: str, valid_for: timedelta = timedelta(hours=1)
) -> tuple[str, str, str]:
    """The subject, plain text and HTML of the mail carrying a password-reset ``link``."""
    site = settings.public_url
    lasts = _duration(valid_for)
    subject = "Reset your Storyline password"
    text = (
        f"Hello {name},\n\n"
        f"Someone asked to reset the password of your Storyline account at {site}.\n"
        f"To choose a new password, open this link within {lasts}:\n\n"
        f"{link}\n\n"
        "The link works once. If you did not ask for a new password, ignore this mail:\n"
        "your password stays as it is, and nobody can change it without the link.\n"
    )
    html = _RESET_HTML.render(name=name, site=site, link=link, lasts=lasts)
    return subject, text, html


def _duration(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' * (hours != 1)}"
    return f"{minutes} minute{'s' * (minutes != 1)}"


def _envelope_sender(sender: str) -> str:
    """The bare address of ``STORYLINE_MAIL_FROM`` (``news@example.org``)."""
    return parseaddr(sender)[1]


def _sender_domain(sender: str) -> str:
    """The domain of the sender's address, for Message-IDs (``localhost`` without one)."""
    return _envelope_sender(sender).rpartition("@")[2] or "localhost"


def _helo_name(public_url: str) -> str:
    """The name Storyline gives itself in EHLO: its public host name, an address
    literal (``[127.0.0.1]``) when that host is an IP address."""
    host = urlsplit(public_url).hostname or "localhost"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return host
    return f"[{host}]"
