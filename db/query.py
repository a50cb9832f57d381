"""Reads: the stored articles and per-source figures, as typed rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from db.models import Article, ArticleVersion, CrawlRun, RunStatus, Source


@dataclass(frozen=True)
class ArticleRow:
    id: int
    url: str
    source: str
    title: str
    body: str
    published_at: datetime | None
    published_from: str | None
    language: str | None
    authors: list[str]
    fetched_at: datetime
    modified_at: datetime | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    image: str | None = None
    description: str | None = None
    credited_source: str | None = None
    story_id: int | None = None
    duplicate_of: int | None = None


@dataclass(frozen=True)
class ArticleQuery:
    sources: tuple[str, ...] = ()
    language: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int | None = 50
    offset: int = 0


def query_articles(session: Session, query: ArticleQuery) -> list[ArticleRow]:
    """Stored articles matching ``query``, newest first.

    Newest means published date, or the fetch time for an article whose page gave no date,
    so an undated article is neither lost at the bottom nor placed in the future.
    """
    when = func.coalesce(Article.published_at, Article.fetched_at)
    statement = _filtered(select(Article, Source.name).join(Source), query, when).order_by(when.desc(), Article.id.desc())
    if query.offset:
        statement = statement.offset(query.offset)
    if query.limit is not None:
        statement = statement.limit(query.limit)
    return [_row(article, name) for article, name in session.execute(statement)]


@dataclass(frozen=True)
class StoryRow:
    """One story: its earliest article, and who ran it."""

    story_id: int
    first: ArticleRow            # the earliest article (by published date, else fetch time)
    articles: int
    sources: list[str]           # outlets that ran it, earliest first
    last_seen: datetime


def query_stories(session: Session, query: ArticleQuery) -> list[StoryRow]:
    """Stories with an article matching ``query``, most recently active first, one row each."""
    when = func.coalesce(Article.published_at, Article.fetched_at)
    story = func.coalesce(Article.story_id, Article.id)
    grouped = select(story.label("story"), func.max(when).label("last_seen")).join(Source).group_by(story)
    grouped = _filtered(grouped, query, when).order_by(func.max(when).desc(), story.desc())
    if query.offset:
        grouped = grouped.offset(query.offset)
    if query.limit is not None:
        grouped = grouped.limit(query.limit)
    page = session.execute(grouped).all()
    if not page:
        return []
    members = _filtered(
        select(Article, Source.name).join(Source).where(story.in_([row.story for row in page])), query, when
    ).order_by(when, Article.id)
    by_story: dict[int, list[ArticleRow]] = {}
    for article, name in session.execute(members):
        by_story.setdefault(article.story_id or article.id, []).append(_row(article, name))
    stories = []
    for row in page:
        rows = by_story.get(row.story, [])
        if rows:
            sources = list(dict.fromkeys(r.source for r in rows))
            stories.append(StoryRow(story_id=row.story, first=rows[0], articles=len(rows), sources=sources,
                                    last_seen=row.last_seen))
    return stories


def _filtered(statement, query: ArticleQuery, when):  # type: ignore[no-untyped-def]
    if query.sources:
        statement = statement.where(Source.name.in_(query.sources))
    if query.language:
        statement = statement.where(Article.language == query.language)
    if query.since:
        statement = statement.where(when >= query.since)
    if query.until:
        statement = statement.where(when < query.until)
    return statement


def _row(article: Article, source_name: str) -> ArticleRow:
    return ArticleRow(
        id=article.id,
        url=article.url,
        source=source_name,
        title=article.title,
        body=article.body,
        published_at=article.published_at,
        published_from=article.published_from,
        language=article.language,
        authors=list(article.authors or []),
        fetched_at=article.fetched_at,
        modified_at=article.modified_at,
        section=article.section,
        tags=list(article.tags or []),
        image=article.image,
        description=article.description,
        credited_source=article.credited_source,
        story_id=article.story_id if article.story_id is not None else article.id,
        duplicate_of=article.duplicate_of,
    )


@dataclass(frozen=True)
class SourceFigures:
    articles: int
    last_crawl: datetime | None
    last_status: str | None


def source_figures(session: Session) -> dict[str, SourceFigures]:
    """Per source name: article count and the start time and status of its latest crawl run."""
    counts = dict(
        session.execute(select(Source.name, func.count(Article.id)).outerjoin(Article).group_by(Source.name)).all()
    )
    latest = (
        select(CrawlRun.source_id, func.max(CrawlRun.id).label("run_id")).group_by(CrawlRun.source_id).subquery()
    )
    runs = session.execute(
        select(Source.name, CrawlRun.started_at, CrawlRun.status)
        .join(latest, latest.c.source_id == Source.id)
        .join(CrawlRun, CrawlRun.id == latest.c.run_id)
    ).all()
    last = {name: (started, RunStatus(status).value) for name, started, status in runs}
    return {
        name: SourceFigures(articles=count, last_crawl=last.get(name, (None, None))[0], last_status=last.get(name, (None, None))[1])
        for name, count in counts.items()
    }


@dataclass(frozen=True)
class VersionRow:
    """One text of an article: the current one (``current`` True) or an earlier one kept when it changed."""

    title: str
    body: str
    modified_at: datetime | None
    fetched_at: datetime
    current: bool


def article_history(session: Session, url: str) -> list[VersionRow]:
    """Every text the article at ``url`` (canonical or as linked) has had, oldest first; [] if not stored."""
    article = session.scalars(select(Article).where(or_(Article.url == url, Article.fetched_url == url)).limit(1)).first()
    if article is None:
        return []
    earlier = session.scalars(
        select(ArticleVersion).where(ArticleVersion.article_id == article.id).order_by(ArticleVersion.fetched_at)
    )
    rows = [VersionRow(v.title, v.body, v.modified_at, v.fetched_at, current=False) for v in earlier]
    return rows + [VersionRow(article.title, article.body, article.modified_at, article.fetched_at, current=True)]
