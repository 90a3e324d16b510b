"""The one encoding policy shared by the feed, page and file readers."""

from __future__ import annotations

from storyline.encoding import bom_encoding, guess_encoding

WESTERN = "Le café du coin a rouvert ses portes, à la grande joie des habitués du quartier."


def test_a_byte_order_mark_decides() -> None:
    assert bom_encoding("\ufeffhello".encode("utf-8")) == "utf-8-sig"
    assert bom_encoding("hi".encode("utf-16")) == "utf-16"
    assert bom_encoding("hi".encode("utf-32")) == "utf-32"
    assert bom_encoding(b"plain") is None


def test_western_text_is_read_as_windows_1252() -> None:
    data = (WESTERN + " Prix: 3 €.").encode("cp1252")
    encoding = guess_encoding(data)
    assert encoding == "cp1252"
    assert data.decode(encoding).endswith("3 €.")


def test_other_scripts_keep_the_detector_s_answer() -> None:
    data = ("Новости дня: в городе открылся новый мост через реку. " * 4).encode("koi8_r")
    assert data.decode(guess_encoding(data)).startswith("Новости дня")
