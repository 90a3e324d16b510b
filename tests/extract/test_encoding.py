"""Pages whose charset label is wrong or missing still decode to the right text."""

from __future__ import annotations

import pytest

from storyline.extract import extract_article
from storyline.extract.encoding import declared_encoding, decode_html

BODY = (
    "<p>The café on Quai Bérénger reopened on Monday after the flood, and its owner, "
    "Zoë Marchetti, served crêpes to the volunteers who had cleared the square — free of charge "
    "for the whole week, she said, «because they earned it».</p>"
    "<p>The town hall said the square’s cobbles would be relaid by the end of the month, once the "
    "river has fallen below its summer level and the drains have been inspected.</p>"
)


def _page(charset_tag: str) -> str:
    return (
        f"<!DOCTYPE html><html><head>{charset_tag}<title>Quai Bérénger café reopens</title>"
        f"</head><body><article>{BODY}</article></body></html>"
    )


def _text(html: bytes) -> str:
    result = extract_article(html)
    assert result is not None
    return result.text


def test_windows_1252_page_declared_as_utf8() -> None:
    html = _page('<meta charset="utf-8">').encode("cp1252")
    text = _text(html)
    assert "Zoë Marchetti" in text
    assert "crêpes" in text
    assert "square’s cobbles" in text


def test_utf8_page_declared_as_windows_1252() -> None:
    html = _page('<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">')
    text = _text(html.encode("utf-8"))
    assert "Zoë Marchetti" in text
    assert "Ã" not in text  # no mojibake


def test_latin1_label_is_read_as_windows_1252() -> None:
    html = _page('<meta charset="iso-8859-1">').encode("cp1252")
    assert "square’s cobbles" in _text(html)  # ’ exists in Windows-1252, not in Latin-1


def test_a_page_with_only_a_meta_charset() -> None:
    body = (
        "<p>Жители посёлка Сосновка получили новый мост через реку Ветлугу, строительство "
        "которого длилось три года и обошлось областному бюджету дороже, чем планировали.</p>"
        "<p>Глава района сказал, что по мосту пойдёт и школьный автобус, который раньше "
        "объезжал реку через соседний город по разбитой дороге.</p>"
    )
    html = (
        '<html><head><meta charset="windows-1251"><title>Новый мост</title></head>'
        f"<body><article>{body}</article></body></html>"
    ).encode("cp1251")
    assert "Жители посёлка Сосновка" in _text(html)


def test_no_label_at_all() -> None:
    html = _page("").encode("cp1252")
    assert "Zoë Marchetti" in _text(html)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b'<meta charset="UTF-8">', "utf-8"),
        (b'<meta http-equiv="content-type" content="text/html; charset=ISO-8859-1">', "cp1252"),
        (b'<?xml version="1.0" encoding="windows-1251"?>', "cp1251"),
        (b'<meta charset="no-such-charset">', None),
        (b"<title>none</title>", None),
    ],
)
def test_declared_encoding(head: bytes, expected: str | None) -> None:
    assert declared_encoding(head) == expected


def test_byte_order_mark_wins() -> None:
    assert decode_html("<p>Zoë</p>".encode("utf-16")) == "<p>Zoë</p>"
    assert decode_html(b"\xef\xbb\xbf<p>Zo\xc3\xab</p>") == "<p>Zoë</p>"
