"""Reading files: size limit, encodings, binary files, and telling the formats apart."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from storyline.ingest.decoding import decode_text, read_text
from storyline.ingest.errors import ParseError
from storyline.ingest.formats import ImportFormat, detect_format
from tests.conftest import FIXTURES

INGEST = FIXTURES / "ingest"


def test_utf8_with_and_without_bom_and_windows_line_ends() -> None:
    text = "Café “ouvert”\r\nÉté"
    assert decode_text(text.encode("utf-8")) == "Café “ouvert”\nÉté"
    assert decode_text(codecs.BOM_UTF8 + text.encode("utf-8")) == "Café “ouvert”\nÉté"


def test_utf16_with_bom() -> None:
    assert decode_text("Grüße aus Elmstead".encode("utf-16")) == "Grüße aus Elmstead"


def test_windows_1252_is_detected() -> None:
    text = read_text(INGEST / "windows-1252.txt", 10_000)
    assert text.startswith("Bakers of Lindqvist Street win the town’s first “golden loaf”\n")
    assert "café run by Élodie Brasseur" in text
    assert "sold for €4" in text
    assert "\r" not in text


def test_binary_files_are_refused() -> None:
    with pytest.raises(ParseError, match="not a text file"):
        read_text(INGEST / "binary.bin", 10_000)


def test_control_characters_mean_binary_even_without_nul_bytes() -> None:
    with pytest.raises(ParseError, match="not a text file"):
        decode_text(bytes(range(1, 32)) * 20)


def test_files_over_the_limit_are_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text("Title\n" + "word " * 300, encoding="utf-8")
    with pytest.raises(ParseError, match=r"more than the import limit of 1,000 bytes"):
        read_text(big, 1_000)
    assert read_text(big, 10_000).startswith("Title")


def test_missing_files_and_folders(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="no such file"):
        read_text(tmp_path / "nope.txt", 1_000)
    with pytest.raises(ParseError, match="is a folder"):
        read_text(tmp_path, 1_000)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("article.html", ImportFormat.HTML),
        ("articles.jsonl", ImportFormat.JSON_LINES),
        ("aggregator-page.txt", ImportFormat.AGGREGATOR),
        ("plain-article.txt", ImportFormat.PLAIN_TEXT),
        ("windows-1252.txt", ImportFormat.PLAIN_TEXT),
    ],
)
def test_fixture_formats(name: str, expected: ImportFormat) -> None:
    path = INGEST / name
    assert detect_format(path, read_text(path, 100_000)) is expected


def test_the_seed_page_is_an_aggregator_page(seed_page: Path) -> None:
    assert detect_format(seed_page, read_text(seed_page, 1_000_000)) is ImportFormat.AGGREGATOR


def test_content_decides_not_the_suffix() -> None:
    html = "<!DOCTYPE html><html><body><p>Hi</p></body></html>"
    assert detect_format(Path("page.txt"), html) is ImportFormat.HTML
    assert detect_format(Path("export.data"), '{"title": "x"}\n') is ImportFormat.JSON_LINES


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [
        ("empty.txt", "  \n\n", "the file is empty"),
        ("feed.xml", '<?xml version="1.0"?><rss version="2.0"></rss>', "RSS or Atom feed"),
        ("data.xml", '<?xml version="1.0"?><inventory/>', "markup that is not an HTML page"),
        ("list.json", '[{"title": "x"}]', "a JSON array"),
    ],
)
def test_what_no_format_fits(name: str, text: str, reason: str) -> None:
    with pytest.raises(ParseError, match=reason):
        detect_format(Path(name), text)
