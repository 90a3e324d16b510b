"""``import_paths`` end to end: read, detect, parse, clean, save, on real databases.

Every error path checks two things: the error names the file, and what an earlier
import stored is still there.
"""

from __future__ import annotations

import io
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from storyline.ingest import ImportReport, import_paths
from storyline.ingest.importer import FileReport, _Item, _save
from storyline.model import ArticleDraft, Block, BlockKind
from storyline.settings import Settings, load_settings
from storyline.store import Database, count_articles, list_articles
from storyline.store.schema import ArticleSource, Source
from storyline.views import article_detail
from tests.conftest import FIXTURES

INGEST = FIXTURES / "ingest"
AS_OF = datetime(2025, 10, 5, 12, 0, tzinfo=UTC)


def _import(
    database: Database, settings: Settings, *paths: Path, **options: object
) -> ImportReport:
    return import_paths(database, settings, list(paths), as_of=AS_OF, **options)  # type: ignore[arg-type]


def _titles(database: Database) -> dict[str, str | None]:
    with database.read() as session:
        return {
            a.title: a.outlet.name if a.outlet else None for a in list_articles(session, limit=None)
        }


def _count(database: Database) -> int:
    with database.read() as session:
        return count_articles(session)


def _store_good_file(database: Database, settings: Settings) -> int:
    report = _import(database, settings, INGEST / "plain-article.txt")
    assert report.errors == []
    return _count(database)


def test_every_fixture_format_imports(database: Database, settings: Settings) -> None:
    paths = [
        INGEST / "article.html",
        INGEST / "articles.jsonl",
        INGEST / "plain-article.txt",
        INGEST / "windows-1252.txt",
        INGEST / "aggregator-page.txt",
    ]
    report = _import(database, settings, *paths)
    assert report.errors == [f"{INGEST / 'articles.jsonl'}:4: missing field published_at"]
    assert report.summary_lines() == [
        f"{paths[0]} (HTML page): 1 article: 1 new, 0 revised, 0 unchanged",
        f"{paths[1]} (JSON Lines): 3 articles: 3 new, 0 revised, 0 unchanged; 1 failed (see error)",
        f"{paths[2]} (plain-text article): 1 article: 1 new, 0 revised, 0 unchanged",
        f"{paths[3]} (plain-text article): 1 article: 1 new, 0 revised, 0 unchanged",
        f"{paths[4]} (aggregator page): 4 articles: 4 new, 0 revised, 0 unchanged",
    ]
    titles = _titles(database)
    assert len(titles) == 10
    assert (
        titles["Ferry service to Alder Island resumes after storm repairs"] == "The Harbor Ledger"
    )
    assert titles["Northgate tram depot to become a covered market"] == "Northgate Herald"
    assert titles["Elmstead bell tower reopens after two-year restoration"] == "Valley Signal"
    assert titles["Bakers of Lindqvist Street win the town’s first “golden loaf”"] is None
    assert (
        titles["Fishing fleet stays in harbour as autumn gales reach the coast"] == "Coastline Wire"
    )

    again = _import(database, settings, *paths)
    assert [(f.created, f.revised) for f in again.files] == [(0, 0)] * 5
    assert [f.unchanged for f in again.files] == [1, 3, 1, 1, 4]
    assert _count(database) == 10


def test_html_blocks_and_metadata_reach_the_store(database: Database, settings: Settings) -> None:
    _import(database, settings, INGEST / "article.html")
    with database.read() as session:
        (article,) = list_articles(session, limit=None)
        detail = article_detail(article)
    assert detail["url"] == "https://harborledger.example/news/2025/04/ferry-service-resumes"
    assert detail["byline"] == "Marisol Quenby"
    assert detail["published_at"] == "2025-04-14T07:30:00Z"
    assert detail["language"] == "en"
    kinds = {block["kind"] for block in detail["blocks"]}
    assert {"paragraph", "heading", "blockquote", "caption"} <= kinds


def test_the_source_is_the_resolved_path_and_the_guid_is_kept(
    sqlite_database: Database, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "export.jsonl"
    shutil.copy(INGEST / "articles.jsonl", copy)
    monkeypatch.chdir(tmp_path)
    _import(sqlite_database, settings, Path("export.jsonl"))
    with sqlite_database.read() as session:
        sources = session.execute(select(Source.kind, Source.locator)).all()
        guids = set(session.execute(select(ArticleSource.external_id)).scalars())
    assert sources == [("file", str(copy.resolve()))]
    assert guids == {"nh-4471", None}


def test_outlet_option_names_only_articles_without_their_own(
    sqlite_database: Database, settings: Settings
) -> None:
    report = _import(
        sqlite_database,
        settings,
        INGEST / "aggregator-page.txt",
        INGEST / "windows-1252.txt",
        INGEST / "articles.jsonl",
        outlet="Daily Digest",
    )
    assert len(report.errors) == 1
    titles = _titles(sqlite_database)
    assert titles["Marrowfield council votes to reopen the old tram line to Quarry Hill"] == (
        "Daily Digest"
    )
    assert titles["Bakers of Lindqvist Street win the town’s first “golden loaf”"] == "Daily Digest"
    assert titles["Harvest fair in Elmstead draws record crowd despite the rain"] == "Valley Signal"
    assert titles["River festival returns to Elmstead after five years"] == "Valley Signal"


def test_an_empty_file(database: Database, settings: Settings) -> None:
    before = _store_good_file(database, settings)
    path = INGEST / "empty.txt"
    report = _import(database, settings, path)
    assert report.errors == [f"{path}: the file is empty"]
    assert report.summary_lines() == [f"{path}: not imported: the file is empty"]
    assert _count(database) == before


def test_a_binary_file(database: Database, settings: Settings) -> None:
    before = _store_good_file(database, settings)
    path = INGEST / "binary.bin"
    report = _import(database, settings, path)
    assert report.errors == [f"{path}: not a text file (binary content)"]
    assert _count(database) == before


def test_a_file_over_the_size_limit(sqlite_database: Database, tmp_path: Path) -> None:
    settings = load_settings(
        environ={"STORYLINE_HOME": str(tmp_path / "home"), "STORYLINE_MAX_IMPORT_BYTES": "2000"}
    )
    before = _store_good_file(sqlite_database, settings)
    big = tmp_path / "big.txt"
    big.write_text("A long story\n" + "Words and more words.\n" * 200, encoding="utf-8")
    report = _import(sqlite_database, settings, big)
    (error,) = report.errors
    size = big.stat().st_size
    assert error == (
        f"{big}: the file is {size:,} bytes, more than the import limit of 2,000 bytes "
        "(STORYLINE_MAX_IMPORT_BYTES)"
    )
    assert _count(sqlite_database) == before


def test_a_missing_file_does_not_stop_the_others(
    sqlite_database: Database, settings: Settings, tmp_path: Path
) -> None:
    before = _store_good_file(sqlite_database, settings)
    missing = tmp_path / "nowhere.txt"
    report = _import(
        sqlite_database, settings, INGEST / "article.html", missing, INGEST / "windows-1252.txt"
    )
    assert report.errors == [f"{missing}: no such file"]
    assert [f.created for f in report.files] == [1, 0, 1]
    assert _count(sqlite_database) == before + 2


def test_a_file_that_fails_to_parse(
    sqlite_database: Database, settings: Settings, tmp_path: Path
) -> None:
    before = _store_good_file(sqlite_database, settings)
    title_only = tmp_path / "title-only.txt"
    title_only.write_text("Just a headline\n", encoding="utf-8")
    page = tmp_path / "nav.html"
    page.write_text("<html><body><nav>Home</nav></body></html>", encoding="utf-8")
    report = _import(sqlite_database, settings, title_only, page)
    assert report.errors == [
        f"{title_only}: there is a title line but no text after it",
        f"{page}: no article text found in the page",
    ]
    assert _count(sqlite_database) == before


def test_bad_json_lines_are_reported_by_line(
    database: Database, settings: Settings, tmp_path: Path
) -> None:
    before = _store_good_file(database, settings)
    good = {
        "url": "https://valleysignal.example/a",
        "title": "Ferry fares frozen",
        "text": "Fares stay as they are.",
        "outlet": "Valley Signal",
        "published_at": "2025-05-14T10:00:00Z",
    }
    path = tmp_path / "mixed.jsonl"
    path.write_text(
        "\n".join(
            [
                json.dumps(good),
                "{broken",
                json.dumps({**good, "published_at": "soon"}),
                json.dumps({**good, "url": "https://valleysignal.example/b", "title": "Second"}),
            ]
        ),
        encoding="utf-8",
    )
    report = _import(database, settings, path)
    assert [e.split(": ")[0] for e in report.errors] == [f"{path}:2", f"{path}:3"]
    assert "not JSON" in report.errors[0]
    assert "published_at 'soon' is not an ISO-8601 time" in report.errors[1]
    assert report.files[0].created == 2
    assert _count(database) == before + 2


def test_large_files_report_progress_and_save_in_batches(
    sqlite_database: Database, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "many.jsonl"
    lines = [
        json.dumps(
            {
                "url": f"https://valleysignal.example/n/{n}",
                "title": f"Council notice number {n}",
                "text": f"Notice {n} of the Elmstead council.",
                "outlet": "Valley Signal",
                "published_at": "2025-05-14T10:00:00Z",
            }
        )
        for n in range(1100)
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    progress = io.StringIO()
    report = _import(sqlite_database, settings, path, progress=progress)
    assert report.errors == []
    assert progress.getvalue().splitlines() == [
        f"{path}: 500 articles so far",
        f"{path}: 1000 articles so far",
        f"{path} (JSON Lines): 1100 articles: 1100 new, 0 revised, 0 unchanged",
    ]
    assert _count(sqlite_database) == 1100


def test_a_batch_the_database_refuses_is_retried_one_by_one(
    postgres_database: Database,
) -> None:
    """PostgreSQL refuses a language code longer than its column: only that one is lost."""
    good = ArticleDraft(
        title="Ferry fares frozen",
        blocks=(Block(BlockKind.PARAGRAPH, "Fares stay as they are."),),
        outlet="Valley Signal",
    )
    bad = good.with_changes(title="Too long a language", language="x" * 40)
    later = good.with_changes(title="Ferry timetable unchanged")
    report = FileReport("batch.jsonl")
    items = [
        _Item("batch.jsonl:1", good),
        _Item("batch.jsonl:2", bad),
        _Item("batch.jsonl:3", later),
    ]
    _save(postgres_database, items, "/tmp/batch.jsonl", report, datetime.now(UTC))
    assert report.created == 2
    (error,) = report.errors
    assert error.startswith("batch.jsonl:2: could not be saved: ")
    assert set(_titles(postgres_database)) == {"Ferry fares frozen", "Ferry timetable unchanged"}
