"""``storyline import`` analyses what it stores; ``analyze`` and ``entities`` commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyline.cli import main
from tests.conftest import FIXTURES


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("STORYLINE_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def _jsonl(tmp_path: Path) -> Path:
    records = json.loads((FIXTURES / "understand" / "articles.json").read_text("utf-8"))
    path = tmp_path / "articles.jsonl"
    lines = [
        json.dumps(
            {
                "title": r["title"],
                "outlet": r["outlet"],
                "url": r["url"],
                "published_at": r["published_at"],
                "text": "\n\n".join(r["paragraphs"]),
            }
        )
        for r in records["articles"]
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_analyses_and_articles_json_carries_the_findings(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "--quiet", str(_jsonl(tmp_path))]) == 0
    capsys.readouterr()
    assert main(["articles", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    courier = next(a for a in listed if a["outlet"] == "Coastline Courier")
    assert main(["articles", str(courier["id"]), "--json"]) == 0
    detail = json.loads(capsys.readouterr().out)
    for field in ("entities", "quotes", "timexes", "timeline", "hashtags", "key_phrases"):
        assert detail[field], field
    assert main(["analyze"]) == 0
    assert capsys.readouterr().out.strip() == "0 analysed, 0 left to analyse"


def test_import_without_analysis_then_analyze(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "--quiet", "--no-analyze", str(_jsonl(tmp_path))]) == 0
    capsys.readouterr()
    assert main(["analyze", "--quiet", "--limit", "2"]) == 0
    assert capsys.readouterr().out.strip() == "2 analysed, 1 left to analyse"
    assert main(["analyze", "--quiet"]) == 0
    assert capsys.readouterr().out.strip() == "1 analysed, 0 left to analyse"


def test_entities_find_show_merge_and_their_errors(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "--quiet", str(_jsonl(tmp_path))]) == 0
    capsys.readouterr()
    assert main(["entities", "find", "varga", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    varga = next(e for e in found if e["name"] == "Ilse Varga")
    assert main(["entities", "show", str(varga["id"]), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["entity"]["name"] == "Ilse Varga" and len(shown["articles"]) >= 2

    assert main(["entities", "merge", str(varga["id"]), str(varga["id"])]) == 1
    assert "already one entity" in capsys.readouterr().err
    assert main(["entities", "show", "999999"]) == 1
    assert main(["entities", "split", str(varga["id"]), "--articles", "x", "--name", "Y"]) == 2
