"""Writes: sources, articles and crawl runs. The caller owns the session and the transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db.models import Article, ArticleVersion, CrawlRun, RunStatus, Source, utcnow


def upsert_source(session: Session, name: str, title: str, url: str) -> int:
    """The id of source ``name``, creating it or refreshing its title and URL from config."""
    source = session.scalar(select(Source).where(Source.name == name))
    if source is None:
        insert = _insert_for(session)(Source).values(name=name, title=title, url=url, created_at=utcnow())
        session.execute(insert.on_conflict_do_nothing(index_elements=["name"]))
        source = session.scalar(select(Source).where(Source.name == name))
        assert source is not None
    elif (source.title, source.url) != (title, url):
        source.title, source.url = title, url
    session.flush()
    return source.id


def known_urls(session: Session, urls: Iterable[str]) -> set[str]:
    """Which of ``urls`` are already stored, as canonical or as fetched URL.

    Asked when a batch is stored (:func:`insert_articles`); before a page is downloaded the spider asks
    :func:`stored_articles`, which matches the same way and also says what is known of the article.
    """
    wanted = list(dict.fromkeys(urls))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        query: Select[Any] = select(Article.url, Article.fetched_url).where(
            or_(Article.url.in_(chunk), Article.fetched_url.in_(chunk))
        )
        for url, fetched_url in session.execute(query):
            found.update({url, fetched_url})
    return found & set(wanted)


@dataclass(frozen=True)
class StoredArticle:
    """What a crawl needs to know of an article already stored, to decide whether to fetch it again."""

    id: int
    url: str
    fetched_url: str
    published_at: datetime | None
    listed_at: datetime | None
    fetched_at: datetime
    checked_at: datetime | None
    etag: str | None
    last_modified: str | None


def stored_articles(session: Session, urls: Iterable[str]) -> dict[str, StoredArticle]:
    """The stored articles among ``urls`` (matched as canonical or as fetched URL), keyed by the URL asked about."""
    wanted = list(dict.fromkeys(urls))
    found: dict[str, StoredArticle] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        query = select(
            Article.id, Article.url, Article.fetched_url, Article.published_at, Article.listed_at, Article.fetched_at,
            Article.checked_at, Article.etag, Article.last_modified,
        ).where(or_(Article.url.in_(chunk), Article.fetched_url.in_(chunk)))
        for row in session.execute(query):
            article = StoredArticle(**row._asdict())
            for url in (article.url, article.fetched_url):
                found[url] = article
    return {url: found[url] for url in wanted if url in found}


def update_article(session: Session, article_id: int, fresh: Mapping[str, Any]) -> bool:
    """Apply a re-fetch of a stored article; True when its title or body changed.

    A changed text becomes current and the previous one is kept as a version with its fetch time. The
    listing date and HTTP validators are refreshed either way, so the next crawl compares against them.
    """
    article = session.get_one(Article, article_id)
    changed = (fresh["title"], fresh["body"]) != (article.title, article.body)
    if changed:
        session.add(ArticleVersion(article_id=article.id, title=article.title, body=article.body,
                                   modified_at=article.modified_at, fetched_at=article.fetched_at))
        for column in _REVISED_COLUMNS:
            if column in fresh:
                setattr(article, column, fresh[column])
    for column in ("listed_at", "etag", "last_modified"):
        setattr(article, column, fresh.get(column))
    article.checked_at = fresh["fetched_at"]
    session.flush()
    return changed


def note_unchanged(session: Session, article_id: int, checked_at: datetime, listed_at: datetime | None) -> None:
    """Record a fetch that found an article unchanged (HTTP 304): when, and the listing date it was fetched for,
    so it is not re-fetched for that date again."""
    values: dict[str, Any] = {"checked_at": checked_at}
    if listed_at is not None:
        values["listed_at"] = listed_at
    session.execute(update(Article).where(Article.id == article_id).values(**values))


# What a new text of an article replaces; its URL, source, story and first fetch time stay.
_REVISED_COLUMNS = (
    "title", "body", "search_text", "description", "credited_source", "modified_at", "modified_from", "authors",
    "section", "tags", "image", "word_count", "provenance", "fetched_at", "body_hash", "minhash",
)


def insert_articles(session: Session, rows: list[Mapping[str, Any]]) -> dict[str, int]:
    """Insert articles, skipping any whose canonical URL is already stored (as canonical or as fetched URL, see
    :func:`known_urls`); returns {url: id} of those inserted.

    ON CONFLICT keeps this idempotent when two crawlers store the same article at once.
    """
    known = known_urls(session, [row["url"] for row in rows])
    rows = [row for row in rows if row["url"] not in known]
    if not rows:
        return {}
    # executemany of one statement, compiled once (SQLAlchemy's "insertmanyvalues" still sends multi-row INSERTs):
    # a VALUES clause built per batch was compiled again each time, 540 parameters for 20 articles
    statement = (
        _insert_for(session)(Article.__table__)
        .on_conflict_do_nothing(index_elements=["url"])
        .returning(Article.__table__.c.url, Article.__table__.c.id)
    )
    return {url: id_ for url, id_ in session.execute(statement, list(rows))}


def start_run(session: Session, source_id: int, started_at: datetime | None = None) -> int:
    """Record a new run of a source; a run of it still marked running was killed, and is closed as such."""
    session.execute(
        update(CrawlRun)
        .where(CrawlRun.source_id == source_id, CrawlRun.status == RunStatus.RUNNING)
        .values(status=RunStatus.FAILED, finish_reason="abandoned")
    )
    run = CrawlRun(source_id=source_id, started_at=started_at or utcnow(), status=RunStatus.RUNNING, counts={})
    session.add(run)
    session.flush()
    return run.id


def finish_run(
    session: Session,
    run_id: int,
    *,
    status: RunStatus,
    finish_reason: str,
    pages: int,
    stored: int,
    skipped: int,
    errors: int,
    counts: dict[str, int],
) -> None:
    run = session.get_one(CrawlRun, run_id)
    run.status = status
    run.finish_reason = finish_reason
    run.finished_at = utcnow()
    run.pages, run.stored, run.skipped, run.errors = pages, stored, skipped, errors
    run.counts = counts


def _insert_for(session: Session):  # type: ignore[no-untyped-def]
    """The dialect's INSERT, which has ON CONFLICT; both SQLite and PostgreSQL spell it the same way."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert
    if dialect == "sqlite":
        return sqlite.insert
    raise NotImplementedError(f"newsmon supports SQLite and PostgreSQL, not {dialect}")
