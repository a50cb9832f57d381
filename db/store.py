"""Writes: sources, articles and crawl runs. The caller owns the session and the transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Select, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db.models import Article, CrawlRun, RunStatus, Source, utcnow


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

    The one place that answers "is this article new?" before a page is downloaded.
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


def insert_articles(session: Session, rows: list[Mapping[str, Any]]) -> dict[str, int]:
    """Insert articles, skipping any whose canonical URL is already stored; returns {url: id} of those inserted.

    ON CONFLICT keeps this idempotent when two crawlers store the same article at once.
    """
    if not rows:
        return {}
    statement = (
        _insert_for(session)(Article)
        .values(list(rows))
        .on_conflict_do_nothing(index_elements=["url"])
        .returning(Article.url, Article.id)
    )
    return {url: id_ for url, id_ in session.execute(statement)}


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
