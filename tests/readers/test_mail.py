"""Mail through a real SMTP server on 127.0.0.1: the parts that arrive, the three kinds of
``STORYLINE_SMTP_URL`` (plain, STARTTLS, TLS) with a login, and every way sending fails."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope

from storyline.readers.mail import (
    Mailer,
    MailError,
    MailNotConfigured,
    RecipientRefused,
    parse_smtp_url,
    password_reset_mail,
)
from storyline.settings import Settings, SettingsError, load_settings
from tests.support.smtp_server import SmtpServer, free_port, self_signed_certificate, served_smtp

LOGIN = ("desk@gullhaven.example", "p@ss:w/rd%1")


def _settings(smtp_url: str, **more: str) -> Settings:
    return load_settings(
        environ={
            "STORYLINE_SMTP_URL": smtp_url,
            "STORYLINE_MAIL_FROM": "Gullhaven Wire <news@gullhaven.example>",
            "STORYLINE_BASE_URL": "https://news.gullhaven.example",
            **more,
        }
    )


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    return self_signed_certificate(tmp_path)


def test_a_message_arrives_with_its_text_and_html_parts(smtp_server: SmtpServer) -> None:
    mailer = Mailer(_settings(smtp_server.url))
    assert mailer.configured
    mailer.send(
        "Marit.Oyen@fjordpost.example",
        "Ferry timetable changes on Friday",
        "The 07:40 crossing leaves at 07:55.\n",
        "<p>The <b>07:40</b> crossing leaves at 07:55.</p>",
    )
    [message] = smtp_server.wait_for(1)
    assert message["From"] == "Gullhaven Wire <news@gullhaven.example>"
    assert message["To"] == "Marit.Oyen@fjordpost.example"
    assert message["Subject"] == "Ferry timetable changes on Friday"
    assert message["Date"]
    assert message["Message-ID"].endswith("@gullhaven.example>")
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None and html is not None
    assert plain.get_content() == "The 07:40 crossing leaves at 07:55.\n"
    assert html.get_content().strip() == "<p>The <b>07:40</b> crossing leaves at 07:55.</p>"
    [delivery] = smtp_server.deliveries
    assert delivery.sender == "news@gullhaven.example"
    assert delivery.recipients == ["Marit.Oyen@fjordpost.example"]
    assert not delivery.encrypted and delivery.login is None


def test_a_message_without_html_is_plain_text_only(smtp_server: SmtpServer) -> None:
    Mailer(_settings(smtp_server.url)).send("reader@fjordpost.example", "Hello", "Only text.\n")
    [message] = smtp_server.wait_for(1)
    assert message.get_content_type() == "text/plain"
    assert message.get_content() == "Only text.\n"


@pytest.mark.parametrize(
    ("to", "subject"),
    [
        ("reader@fjordpost.example\r\nBcc: everyone@fjordpost.example", "Hello"),
        ("reader@fjordpost.example", "Hello\nBcc: everyone@fjordpost.example"),
        ("reader@fjordpost.example", "Hello\rX-Injected: yes"),
        ("reader@fjordpost.example, other@fjordpost.example", "Hello"),
        ("not an address", "Hello"),
    ],
)
def test_headers_cannot_be_smuggled_in(smtp_server: SmtpServer, to: str, subject: str) -> None:
    with pytest.raises(MailError, match="refused"):
        Mailer(_settings(smtp_server.url)).send(to, subject, "Text.\n")
    Mailer(_settings(smtp_server.url)).send("reader@fjordpost.example", "After", "Text.\n")
    [message] = smtp_server.wait_for(1)  # only the good one arrived
    assert message["Subject"] == "After"


def test_without_a_server_nothing_is_sent_and_the_error_says_why() -> None:
    mailer = Mailer(_settings(""))
    assert not mailer.configured
    with pytest.raises(MailNotConfigured, match="STORYLINE_SMTP_URL"):
        mailer.send("reader@fjordpost.example", "Hello", "Text.\n")


def test_a_server_that_is_down_is_a_mail_error() -> None:
    port = free_port()  # nothing listens there
    mailer = Mailer(_settings(f"smtp+plain://127.0.0.1:{port}"))
    with pytest.raises(MailError, match=f"127.0.0.1:{port}") as caught:
        mailer.send("reader@fjordpost.example", "Hello", "Text.\n")
    assert not isinstance(caught.value, MailNotConfigured)


def test_a_refused_address_is_told_apart(smtp_server: SmtpServer) -> None:
    smtp_server.refused.add("gone@fjordpost.example")
    with pytest.raises(RecipientRefused, match=r"gone@fjordpost\.example"):
        Mailer(_settings(smtp_server.url)).send("gone@fjordpost.example", "Hello", "Text.\n")


@pytest.mark.parametrize(
    "to",
    [
        "<x>@fjordpost.example",  # the parser's HeaderParseError, not a ValueError
        "a@b@fjordpost.example",  # likewise
        "@fjordpost.example",
        "jörg@fjordpost.example",  # a non-ASCII local part: the email package cannot write it
        "reader@",
        "reader@fjordpost.example\nBcc: everyone@fjordpost.example",
    ],
)
def test_an_address_that_cannot_take_mail_is_the_recipients_problem(
    smtp_server: SmtpServer, to: str
) -> None:
    """Whatever is wrong with one reader's address is a :class:`RecipientRefused`, which a
    loop over readers skips, never another error that would stop it."""
    mailer = Mailer(_settings(smtp_server.url))
    with pytest.raises(RecipientRefused, match="refused"):
        mailer.send(to, "Hello", "Text.\n")
    mailer.send("reader@fjordpost.example", "After", "Text.\n")
    [message] = smtp_server.wait_for(1)
    assert message["Subject"] == "After"


class _Recipients:
    """An aiosmtpd handler that keeps the envelope recipients of what it accepts."""

    def __init__(self) -> None:
        self.accepted: list[list[str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        self.accepted.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


def test_an_address_that_needs_smtputf8_from_a_server_without_it_is_refused() -> None:
    """A non-ASCII domain is a valid address, but smtplib sends it only with SMTPUTF8;
    a server without it (aiosmtpd's Controller offers it unless told not to) cannot take
    it: that reader's problem, not the server's."""
    handler, port = _Recipients(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, enable_SMTPUTF8=False)
    controller.start()
    try:
        mailer = Mailer(_settings(f"smtp+plain://127.0.0.1:{port}"))
        with pytest.raises(RecipientRefused, match="SMTPUTF8"):
            mailer.send("marit@fjordpøst.example", "Hello", "Text.\n")
        mailer.send("reader@fjordpost.example", "After", "Text.\n")
    finally:
        controller.stop()
    assert handler.accepted == [["reader@fjordpost.example"]]


def test_an_address_that_needs_smtputf8_goes_to_a_server_with_it(smtp_server: SmtpServer) -> None:
    Mailer(_settings(smtp_server.url)).send("marit@fjordpøst.example", "Hello", "Text.\n")
    smtp_server.wait_for(1)
    assert smtp_server.deliveries[0].recipients == ["marit@fjordpøst.example"]


def test_a_subject_with_a_line_break_is_not_the_recipients_problem(
    smtp_server: SmtpServer,
) -> None:
    with pytest.raises(MailError, match="subject") as caught:
        Mailer(_settings(smtp_server.url)).send("reader@fjordpost.example", "A\nB: c", "T.\n")
    assert not isinstance(caught.value, RecipientRefused)


def test_smtp_urls_are_parsed_with_their_credentials_decoded() -> None:
    server = parse_smtp_url("smtp://desk%40gullhaven.example:p%40ss%3Aw%2Frd@mail.example:2525")
    assert (server.scheme, server.host, server.port) == ("smtp", "mail.example", 2525)
    assert (server.username, server.password) == ("desk@gullhaven.example", "p@ss:w/rd")
    assert parse_smtp_url("smtp://mail.example").port == 587
    assert parse_smtp_url("smtps://mail.example").port == 465
    plain = parse_smtp_url("smtp+plain://relay.example")
    assert (plain.port, plain.username) == (25, None)
    for wrong in ("http://mail.example", "mail.example:25", "smtp://", "smtp://mail:port"):
        with pytest.raises(SettingsError, match="STORYLINE_SMTP_URL"):
            parse_smtp_url(wrong)


def test_starttls_is_used_when_offered_and_the_login_goes_over_it(
    certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # trust the test's certificate
    with served_smtp("starttls", certificate=certificate, login=LOGIN) as server:
        assert server.url.startswith("smtp://desk%40gullhaven.example:")
        Mailer(_settings(server.url)).send("reader@fjordpost.example", "Hello", "Text.\n")
        server.wait_for(1)
    [delivery] = server.deliveries
    assert delivery.encrypted and delivery.login == LOGIN[0]


def test_implicit_tls_with_a_login(
    certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    with served_smtp("tls", certificate=certificate, login=LOGIN) as server:
        assert server.url.startswith("smtps://")
        Mailer(_settings(server.url)).send("reader@fjordpost.example", "Hello", "Text.\n")
        server.wait_for(1)
    [delivery] = server.deliveries
    assert delivery.encrypted and delivery.login == LOGIN[0]


def test_a_certificate_nobody_vouches_for_is_refused(certificate: tuple[Path, Path]) -> None:
    with served_smtp("starttls", certificate=certificate, login=LOGIN) as server:
        with pytest.raises(MailError, match="certificate"):
            Mailer(_settings(server.url)).send("reader@fjordpost.example", "Hello", "Text.\n")
        assert server.messages == []


def test_a_password_is_not_sent_to_a_server_without_starttls(smtp_server: SmtpServer) -> None:
    url = f"smtp://desk:secret@127.0.0.1:{smtp_server.port}"
    with pytest.raises(MailError, match="does not offer STARTTLS") as caught:
        Mailer(_settings(url)).send("reader@fjordpost.example", "Hello", "Text.\n")
    assert "secret" not in str(caught.value)
    assert smtp_server.messages == []


def test_smtp_without_a_login_still_sends_nothing_in_plain_text(smtp_server: SmtpServer) -> None:
    """``smtp://`` promises STARTTLS: without a login the mail itself (a reset link, a
    digest) is what a server that leaves STARTTLS out, or a man in the middle who
    strips it, would read."""
    anonymous = f"smtp://127.0.0.1:{smtp_server.port}"
    with pytest.raises(MailError, match="does not offer STARTTLS") as caught:
        Mailer(_settings(anonymous)).send("reader@fjordpost.example", "Hello", "Text.\n")
    assert not isinstance(caught.value, RecipientRefused)  # the server's fault, not the address's
    assert "smtp+plain://" in str(caught.value)
    plain = f"smtp+plain://127.0.0.1:{smtp_server.port}"  # the scheme that says "no TLS"
    Mailer(_settings(plain)).send("reader@fjordpost.example", "After", "Text.\n")
    [message] = smtp_server.wait_for(1)
    assert message["Subject"] == "After"


def test_anonymous_starttls_is_used_when_offered(
    certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    with served_smtp("starttls", certificate=certificate) as server:
        Mailer(_settings(server.url)).send("reader@fjordpost.example", "Hello", "Text.\n")
        server.wait_for(1)
    [delivery] = server.deliveries
    assert delivery.encrypted and delivery.login is None


def test_the_password_stays_out_of_the_servers_repr() -> None:
    server = parse_smtp_url("smtp://desk:wh1sper-s3cret@mail.example:587")
    assert server.password == "wh1sper-s3cret"
    assert "wh1sper" not in repr(server) and "wh1sper" not in str(server)
    assert "mail.example" in repr(server) and "desk" in repr(server)


def test_the_password_reset_mail_says_what_it_is_and_escapes_the_name() -> None:
    settings = _settings("")
    link = "https://news.gullhaven.example/account/reset?token=abc&x=1"
    subject, text, html = password_reset_mail(settings, "Ola <Nordvik> & Co", link)
    assert "password" in subject.lower()
    assert "Ola <Nordvik> & Co" in text and link in text
    assert "within 1 hour" in text and "ignore this mail" in text
    assert "https://news.gullhaven.example" in text
    assert "Ola &lt;Nordvik&gt; &amp; Co" in html and "<Nordvik>" not in html
    assert 'href="https://news.gullhaven.example/account/reset?token=abc&amp;x=1"' in html
    assert "within 1 hour" in html and "ignore this mail" in html
    _, shorter, _ = password_reset_mail(settings, "Ola", link, valid_for=timedelta(minutes=30))
    assert "within 30 minutes" in shorter
