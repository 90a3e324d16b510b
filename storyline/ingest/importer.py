"""Importing files: the orchestrating function of the ingest stage and its report."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TextIO

from sqlalchemy.exc import SQLAlchemyError

from storyline.clean import clean_article
from storyline.ingest.aggregator import parse_aggregator_page
from storyline.ingest.decoding import read_text
from storyline.ingest.errors import ParseError
from storyline.ingest.formats import ImportFormat, detect_format
from storyline.ingest.jsonlines import parse_json_lines
from storyline.ingest.plaintext import parse_plain_article
from storyline.ingest.timeparse import to_utc
from storyline.ingest.webpage import parse_html_page
from storyline.model import ArticleDraft
from storyline.settings import Settings
from storyline.store import Database, SaveStatus, save_article

# Articles saved per transaction: a crash loses at most one batch, and re-running the
# import is idempotent anyway.
BATCH_SIZE = 250
# A progress line every this many articles, besides one at the end of each file.
PROGRESS_EVERY = 500


@dataclass
class FileReport:
    """What importing one file did."""

    path: str
    format: ImportFormat | None = None
    created: int = 0
    revised: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    failure: str | None = None  # why nothing of the file could be read, if so

    @property
    def articles(self) -> int:
        return self.created + self.revised + self.unchanged

    def summary_line(self) -> str:
        if self.failure is not None:
            return f"{self.path}: not imported: {self.failure}"
        noun = "article" if self.articles == 1 else "articles"
        line = (
            f"{self.path} ({self.format}): {self.articles} {noun}: {self.created} new, "
            f"{self.revised} revised, {self.unchanged} unchanged"
        )
        if self.errors:
            line += f"; {len(self.errors)} failed" + (
                " (see errors)" if len(self.errors) > 1 else " (see error)"
            )
        return line


@dataclass
class ImportReport:
    """What an import did, file by file."""

    files: list[FileReport] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        """One line per thing not imported: ``PATH: reason`` or ``PATH:LINE: reason``."""
        return [error for report in self.files for error in report.errors]

    def summary_lines(self) -> list[str]:
        return [report.summary_line() for report in self.files]


@dataclass(frozen=True)
class _Item:
    """One parsed article, or the reason one could not be parsed; ``where`` names it."""

    where: str
    draft: ArticleDraft | None = None
    guid: str | None = None
    error: str | None = None


def import_paths(
    database: Database,
    settings: Settings,
    paths: Sequence[Path],
    *,
    as_of: datetime,
    outlet: str | None = None,
    progress: TextIO | None = None,
) -> ImportReport:
    """Import every file in ``paths``; one that fails leaves an error and the rest go on.

    For each file, in order:

    1. Read it: refuse it if it is larger than ``settings.max_import_bytes``, and decode
       it (UTF-8 with or without BOM, UTF-16 with BOM, else a detected encoding).
    2. Detect its format from its content: HTML page, JSON Lines, aggregator page or
       plain-text article.
    3. Parse it into article drafts (pure functions, no database). Relative times and
       datelines resolve against ``as_of``; ``outlet`` names the outlet of an article
       that does not name its own.
    4. Clean each draft (:func:`storyline.clean.clean_article`).
    5. Save the drafts, ``BATCH_SIZE`` to a transaction (a whole page is one), so a
       failure never loses what is already stored. Saving is idempotent: importing the
       same file again stores nothing new.
    """
    as_of = to_utc(as_of)
    report = ImportReport()
    for path in paths:
        file_report = _import_file(database, settings, Path(path), as_of, outlet, progress)
        report.files.append(file_report)
        if progress is not None:
            progress.write(file_report.summary_line() + "\n")
            progress.flush()
    return report


def _import_file(
    database: Database,
    settings: Settings,
    path: Path,
    as_of: datetime,
    outlet: str | None,
    progress: TextIO | None,
) -> FileReport:
    report = FileReport(str(path))
    try:
        text = read_text(path, settings.max_import_bytes)  # 1
        report.format = detect_format(path, text)  # 2
    except ParseError as error:
        report.failure = str(error)
        report.errors.append(f"{path}: {error}")
        return report
    locator = str(path.resolve())
    batch: list[_Item] = []
    next_progress = PROGRESS_EVERY
    try:
        for item in _parse(report.format, str(path), text, as_of, outlet):  # 3
            ready = _clean(item)  # 4
            if ready.error is not None:
                report.errors.append(f"{ready.where}: {ready.error}")
                continue
            batch.append(ready)
            if len(batch) >= BATCH_SIZE:
                _save(database, batch, locator, report, as_of)  # 5
                batch = []
                if progress is not None and report.articles >= next_progress:
                    progress.write(f"{path}: {report.articles} articles so far\n")
                    progress.flush()
                    next_progress = (report.articles // PROGRESS_EVERY + 1) * PROGRESS_EVERY
    except ParseError as error:
        report.failure = str(error)
        report.errors.append(f"{path}: {error}")
    if batch:
        _save(database, batch, locator, report, as_of)
    return report


def _parse(
    file_format: ImportFormat, where: str, text: str, as_of: datetime, outlet: str | None
) -> Iterator[_Item]:
    if file_format is ImportFormat.JSON_LINES:
        for line in parse_json_lines(text):
            yield _Item(f"{where}:{line.number}", line.draft, line.guid, line.error)
        return
    try:
        if file_format is ImportFormat.HTML:
            drafts = [parse_html_page(text, as_of=as_of, outlet=outlet)]
        elif file_format is ImportFormat.AGGREGATOR:
            drafts = parse_aggregator_page(text, as_of=as_of, outlet=outlet)
        else:
            drafts = [parse_plain_article(text, as_of=as_of, outlet=outlet)]
    except ParseError:
        raise
    except Exception as error:  # a parser's bug fails this file, not the whole import
        raise ParseError(f"could not be parsed: {type(error).__name__}: {error}") from error
    for draft in drafts:
        yield _Item(where, draft)


def _clean(item: _Item) -> _Item:
    if item.draft is None:
        return item
    try:
        cleaned = clean_article(item.draft)
    except Exception as error:  # one article the cleaner trips on must not stop the file
        return _Item(item.where, error=f"{_describe(item.draft)} could not be cleaned: {error}")
    if not cleaned.title.strip():
        return _Item(item.where, error=f"{_describe(item.draft)} has no title after cleaning")
    return _Item(item.where, cleaned, item.guid)


def _save(
    database: Database, batch: list[_Item], locator: str, report: FileReport, as_of: datetime
) -> None:
    """Save ``batch`` in one transaction; if that fails, one by one, to find the culprit.

    The articles count as seen at ``as_of``: a file captured at that moment (an aggregator
    page saved then) is what Storyline saw then, which is also the moment an undated
    article's relative dates ("on Sunday") are understood from."""
    try:
        with database.write() as session:
            statuses = [
                save_article(
                    session,
                    item.draft,
                    source_kind="file",
                    source_locator=locator,
                    external_id=item.guid,
                    now=as_of,
                ).status
                for item in batch
                if item.draft is not None
            ]
    except SQLAlchemyError as error:
        if len(batch) > 1:
            for item in batch:
                _save(database, [item], locator, report, as_of)
            return
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        report.errors.append(f"{batch[0].where}: could not be saved: {reason}")
        return
    for status in statuses:
        if status is SaveStatus.CREATED:
            report.created += 1
        elif status is SaveStatus.REVISED:
            report.revised += 1
        else:
            report.unchanged += 1


def _describe(draft: ArticleDraft) -> str:
    title = draft.title if len(draft.title) <= 60 else draft.title[:57] + "…"
    return f"article {title!r}"
