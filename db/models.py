"""The tables: sources, articles, crawl runs, listing states and saved searches (SQLAlchemy 2 typed ORM)."""

from __future__ import annotations

import enum
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, BigInteger, Enum, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from db.types import UTCDateTime


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[str]: JSON()}


class Source(Base):
    """A configured outlet, as last seen in the sources file."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    articles: Mapped[list[Article]] = relationship(back_populates="source")


class Article(Base):
    """One article, identified by its canonical URL."""

    __tablename__ = "articles"
    __table_args__ = (
        Index("ix_articles_source_published", "source_id", "published_at"),
        Index("ix_articles_published", "published_at"),
        Index("ix_articles_fetched_url", "fetched_url"),
        Index("ix_articles_body_hash", "body_hash"),
        Index("ix_articles_story", "story_id"),
        Index("ix_articles_duplicate_of", "duplicate_of"),  # deleting an article checks who copies it
        Index("ix_articles_fetched", "fetched_at"),  # saved searches scan the articles fetched since their last run
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    fetched_url: Mapped[str] = mapped_column(String(2000))
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    # search_key(title + body): the normalized form search matches against (see pipelines.textkey)
    search_text: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    credited_source: Mapped[str | None] = mapped_column(String(300))
    published_at: Mapped[datetime | None]
    published_from: Mapped[str | None] = mapped_column(String(60))
    modified_at: Mapped[datetime | None]
    modified_from: Mapped[str | None] = mapped_column(String(60))
    authors: Mapped[list[str]] = mapped_column(default=list)
    language: Mapped[str | None] = mapped_column(String(16))
    language_from: Mapped[str | None] = mapped_column(String(30))
    section: Mapped[str | None] = mapped_column(String(300))
    tags: Mapped[list[str]] = mapped_column(default=list)
    image: Mapped[str | None] = mapped_column(Text)
    word_count: Mapped[int] = mapped_column(Integer, default=0)
    provenance: Mapped[dict[str, Any]] = mapped_column(default=dict)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    # Deduplication (pipelines.fingerprint, db.stories): the hash of the normalized body, the MinHash
    # signature, the story the article belongs to (the id of the story's first article) and, for an
    # exact copy of an earlier article's body, that article.
    # What the listing said of the article when it was last fetched, and the validators its server sent:
    # a later listing date means "changed, fetch again"; the validators make that fetch conditional.
    listed_at: Mapped[datetime | None]
    checked_at: Mapped[datetime | None]  # the last fetch, changed or not (None: only the first, at fetched_at)
    etag: Mapped[str | None] = mapped_column(String(300))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    body_hash: Mapped[int | None] = mapped_column(BigInteger)
    minhash: Mapped[bytes | None] = mapped_column(LargeBinary)
    story_id: Mapped[int | None]
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("articles.id", name="fk_articles_duplicate_of"))

    source: Mapped[Source] = relationship(back_populates="articles")


class ArticleVersion(Base):
    """An earlier text of an article, kept when a re-fetch found the title or body changed."""

    __tablename__ = "article_versions"
    __table_args__ = (Index("ix_article_versions_article", "article_id", "fetched_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    modified_at: Mapped[datetime | None]
    fetched_at: Mapped[datetime]


class ArticleBand(Base):
    """One LSH band of an article's MinHash signature: articles sharing a band are near-duplicate candidates."""

    __tablename__ = "article_bands"
    __table_args__ = (Index("ix_article_bands_article", "article_id"),)  # deleting an article finds its bands

    band: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)


class RunStatus(enum.StrEnum):
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"


class CrawlRun(Base):
    """One crawl of one source, with what it fetched, stored, skipped and failed on."""

    __tablename__ = "crawl_runs"
    __table_args__ = (Index("ix_crawl_runs_source_started", "source_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[RunStatus] = mapped_column(
        Enum(RunStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        default=RunStatus.RUNNING,
    )
    finish_reason: Mapped[str | None] = mapped_column(String(60))
    pages: Mapped[int] = mapped_column(default=0)
    stored: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)
    errors: Mapped[int] = mapped_column(default=0)
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)

    source: Mapped[Source] = relationship()


class ListingState(Base):
    """What the fetches of one feed, sitemap or section page of a source answered (see db.listings)."""

    __tablename__ = "listing_states"
    __table_args__ = (UniqueConstraint("source_id", "url", name="uq_listing_states_source_url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    url: Mapped[str] = mapped_column(String(2000))
    # The validators of the last 200 that was read in full, sent back so an unchanged listing answers 304.
    etag: Mapped[str | None] = mapped_column(String(300))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    last_status: Mapped[int | None]  # the HTTP status of the last fetch; None when no answer came
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_at: Mapped[datetime | None]  # the last 200 with content that could be read
    failures: Mapped[int] = mapped_column(default=0)  # fetches in a row that failed
    # The child sitemaps a sitemap index (or robots.txt) listed when last read: a 304 from it still leads to them.
    children: Mapped[list[str]] = mapped_column(default=list)


class Watch(Base):
    """A saved search: what to look for, where its new matches go, and when it last delivered them (db.watches)."""

    __tablename__ = "watches"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    # What db.query.ArticleQuery needs: {"text": ..., "sources": [...], "language": ..., "has_date": ...}
    query: Mapped[dict[str, Any]] = mapped_column(default=dict)
    destination: Mapped[str] = mapped_column(String(16))  # stdout, jsonl, atom or webhook (db.watches.Destination)
    target: Mapped[str | None] = mapped_column(Text)       # the file path or the webhook URL
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the last successful run started: the next run looks at articles fetched since a margin before it.
    last_run_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)   # why the last run failed; None after a good one
    delivered: Mapped[int] = mapped_column(default=0)      # matches delivered so far


class WatchDelivery(Base):
    """An article a watch has delivered (or found already stored when it was added): never delivered again."""

    __tablename__ = "watch_deliveries"
    __table_args__ = (Index("ix_watch_deliveries_article", "article_id"),)  # deleting an article finds its rows

    watch_id: Mapped[int] = mapped_column(ForeignKey("watches.id", ondelete="CASCADE"), primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    delivered_at: Mapped[datetime | None]  # None: stored before the watch was added, so not new to it
