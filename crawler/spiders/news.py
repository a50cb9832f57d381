"""The one generic spider: discovers a source's articles from its feeds, sitemaps and sections."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from sqlalchemy.orm import Session, sessionmaker
from twisted.python.failure import Failure

from crawler.database import crawl_sessions
from crawler.dating import choose_date, possible
from crawler.discovery import Lead, newest_first
from crawler.discovery.feeds import is_malformed, parse_feed
from crawler.discovery.sections import section_leads
from crawler.discovery.sitemaps import parse_sitemap
from crawler.failures import error_kind
from crawler.extraction import Selectors, extract_article
from crawler.items import ArticleItem
from crawler.urls import clean_url, in_domains
from crawler.freshness import Fetch, listing_date, why_fetch
from db.store import StoredArticle, note_listing_date, stored_articles
from newsmon.config import Section, Source, load_sources
from newsmon.errors import FetchError
from newsmon.settings import Settings

_LISTING_PRIORITY = 100  # listings before articles, so the newest leads are known before fetching begins
_MAX_SITEMAP_DEPTH = 3
_MAX_URL_LENGTH = 2000  # the articles.url column; longer links are session junk, not article addresses


class NewsSpider(Spider):
    """Crawls one configured source: ``scrapy crawl news -a source=NAME``."""

    name = "news"

    source: Source
    selectors: Selectors
    oldest: datetime | None              # sitemap entries dated before this are not fetched
    sessions: sessionmaker[Session]
    source_id: int                       # set by crawler.runs.CrawlRunRecorder when the spider opens
    crawl_run_id: int

    def __init__(self, source: Source | str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._source_arg = source
        self._requested: set[str] = set()      # article URLs asked for in this run
        self._left_alone: set[str] = set()     # stored articles a listing linked and that were not fetched
        self._listed: dict[str, datetime] = {}  # the latest date any listing of this run gives a URL

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider: NewsSpider = super().from_crawler(crawler, *args, **kwargs)
        spider.source = spider._resolve_source(crawler)
        spider.allowed_domains = spider.source.allowed_domains
        spider.selectors = Selectors(**spider.source.selectors.model_dump())
        max_age = crawler.settings.getfloat("NEWSMON_SITEMAP_MAX_AGE_DAYS")
        spider.oldest = datetime.now(timezone.utc) - timedelta(days=max_age) if max_age > 0 else None
        spider.sessions = crawl_sessions(crawler)
        return spider

    def _resolve_source(self, crawler: Crawler) -> Source:
        if isinstance(self._source_arg, Source):
            return self._source_arg
        if not self._source_arg:
            raise ValueError("the news spider needs a source: scrapy crawl news -a source=NAME")
        path = Settings.load(sources=crawler.settings.get("NEWSMON_SOURCES")).sources_path
        return load_sources(path).get(self._source_arg)

    async def start(self) -> AsyncIterator[Request]:
        for url in self.source.feeds:
            yield self._listing(url, self.parse_feed)
        for url in self.source.sitemaps:
            yield self._listing(url, self.parse_sitemap, depth=0)
        for section in self.source.sections:
            yield self._listing(section.url, self.parse_section, section=section)

    # --- listings -----------------------------------------------------------------------------

    def parse_feed(self, response: Response) -> Iterator[Request]:
        try:
            leads = parse_feed(response.body, response.url)
        except FetchError as exc:
            self._error("invalid_feed", str(exc))
            return
        self._count("listings_ok")
        if problem := is_malformed(response.body):
            self._count("errors/malformed_feed")
            self.logger.warning("Feed %s is malformed (%s); using the %d entries read", response.url, problem, len(leads))
        yield from self._follow(leads)

    def parse_sitemap(self, response: Response, depth: int) -> Iterator[Request]:
        try:
            content = parse_sitemap(response.body, response.url)
        except FetchError as exc:
            self._error("invalid_sitemap", str(exc))
            return
        self._count("listings_ok")
        if depth < _MAX_SITEMAP_DEPTH:
            for url in content.sitemaps:
                yield self._listing(url, self.parse_sitemap, depth=depth + 1)
        recent = [lead for lead in content.leads if not self._too_old(lead)]
        self._count("skipped/too_old", len(content.leads) - len(recent))
        yield from self._follow(recent)

    def parse_section(self, response: Response, section: Section) -> Iterator[Request]:
        if not isinstance(response, TextResponse):
            self._error("invalid_section", f"section page {response.url} is not HTML")
            return
        self._count("listings_ok")
        yield from self._follow(section_leads(response, section.article_pattern, self.allowed_domains))

    def _listing(self, url: str, callback: Any, **cb_kwargs: Any) -> Request:
        # dont_filter: a listing is fetched on every run, and may be listed twice (robots.txt and config)
        return Request(url, callback, errback=self.on_error, cb_kwargs=cb_kwargs, dont_filter=True, priority=_LISTING_PRIORITY)

    def _too_old(self, lead: Lead) -> bool:
        when = lead.published or lead.modified
        if self.oldest is None or when is None:
            return False
        return (when if when.tzinfo else when.replace(tzinfo=timezone.utc)) < self.oldest

    # --- articles -----------------------------------------------------------------------------

    def _follow(self, leads: Iterable[Lead]) -> Iterator[Request]:
        """Requests for the leads that are new, or changed since stored, and not yet asked for in this run,
        newest first. A stored article left alone is looked at again if another listing dates it later."""
        fresh: dict[str, Lead] = {}
        for lead in leads:
            try:
                url = clean_url(lead.url)
            except ValueError:
                url = ""
            if not url or len(url) > _MAX_URL_LENGTH:
                self._count("skipped/bad_url")
                self.logger.info("Ignoring a link that is not a usable URL: %.200r", lead.url)
            elif not in_domains(url, self.allowed_domains):
                self._count("skipped/offsite")
            else:
                self._note_listing_date(url, lead)
                if url not in self._requested:
                    fresh.setdefault(url, lead)
        with self.sessions() as session:
            stored = stored_articles(session, fresh)
        now = datetime.now(timezone.utc)
        pending: dict[int, tuple[str, Fetch]] = {}
        for url, lead in fresh.items():
            if (why := why_fetch(lead, stored.get(url), self.source.recheck, now)) is not None:
                pending[id(lead)] = (url, why)
                self._requested.add(url)
            elif url not in self._left_alone:
                self._left_alone.add(url)
                self._count("skipped/already_stored")
        for lead in newest_first(lead for lead in fresh.values() if id(lead) in pending):
            url, why = pending[id(lead)]
            yield self._article_request(url, lead, why, stored.get(url))

    def _note_listing_date(self, url: str, lead: Lead) -> None:
        """Remember the latest date any listing gives ``url``: a feed and a section page may both link it, and
        the one read first need not be the one with the date (see crawler.freshness)."""
        if (listed := listing_date(lead)) is not None and (url not in self._listed or listed > self._listed[url]):
            self._listed[url] = listed

    def _article_request(self, url: str, lead: Lead, why: Fetch, stored: StoredArticle | None) -> Request:
        if stored is None:
            return Request(url, self.parse_article, errback=self.on_error, cb_kwargs={"lead": lead, "stored": None})
        self._count(f"refetch/{why.value}")
        # Conditional: an unchanged page answers 304 with no body, which costs neither side any parsing.
        headers = {"If-None-Match": stored.etag} if stored.etag else {}
        if stored.last_modified:
            headers["If-Modified-Since"] = stored.last_modified
        return Request(url, self.parse_article, errback=self.on_error, headers=headers, dont_filter=True,
                       meta={"handle_httpstatus_list": [304]}, cb_kwargs={"lead": lead, "stored": stored})

    def parse_article(self, response: Response, lead: Lead, stored: StoredArticle | None) -> Iterator[ArticleItem]:
        """The article on ``response``; ``fetched_url`` is the URL asked for, before any redirect,
        so that the link in the listing is recognised as stored next time."""
        asked = response.meta.get("redirect_urls", [response.url])[0]
        if response.status == 304:
            self._count("not_modified")
            if stored is not None and (listed := self._listed.get(asked)) is not None:
                with self.sessions.begin() as session:
                    note_listing_date(session, stored.id, listed)
            return
        if not isinstance(response, TextResponse):
            self._count("skipped/not_html")
            return
        fetched_at = datetime.now(timezone.utc)  # one instant: stored, and the base of relative dates ("منذ 3 ساعات")
        page = extract_article(response.body, response.url, selectors=self.selectors, fetched_at=fetched_at,
                               http_charset=_header_charset(response))
        if not page.is_article or not page.body:
            self._count("skipped/not_article")
            self.logger.info("Not an article (no body): %s", response.url)
            return
        for what, value in (("published", page.published_at), ("modified", page.modified_at)):
            if value is not None and not possible(value, fetched_at):
                self._count(f"rejected_dates/{what}")
                self.logger.warning("Ignoring impossible %s date %s on %s", what, value.isoformat(), response.url)
        published, published_from = choose_date(
            page.published_at, page.provenance.get("published_at"), lead.published, lead.via, fetched_at)
        modified, modified_from = choose_date(
            page.modified_at, page.provenance.get("modified_at"), lead.modified, lead.via, fetched_at)
        hints = {"html": page.language, lead.via: lead.language, "source": self.source.language}
        yield ArticleItem(
            source=self.source.name,
            fetched_url=asked,
            final_url=response.url,
            fetched_at=fetched_at,
            title=page.title or lead.title,
            body=page.body,
            declared_canonical=page.canonical_url,
            description=page.description,
            authors=list(page.authors),
            published_at=published,
            published_from=published_from,
            modified_at=modified,
            modified_from=modified_from,
            site_name=page.site_name,
            language_hints={k: v for k, v in hints.items() if v},
            section=page.section,
            tags=list(page.tags),
            image=page.image,
            provenance=dict(page.provenance),
            stored_id=stored.id if stored else None,
            listed_at=self._listed.get(asked),
            etag=_header(response, b"ETag"),
            last_modified=_header(response, b"Last-Modified"),
        )

    # --- failures -----------------------------------------------------------------------------

    def on_error(self, failure: Failure) -> None:
        """A request that failed: counted by kind and logged; the crawl goes on."""
        kind = error_kind(failure)
        url = failure.request.url if hasattr(failure, "request") else "?"
        if kind == "robots_disallowed":
            self._count("skipped/robots_disallowed")
            return
        self._error(kind, f"{url}: {failure.getErrorMessage()}")

    def _error(self, kind: str, message: str) -> None:
        self._count(f"errors/{kind}")
        self.logger.warning("%s: %s", kind, message)

    def _count(self, key: str, n: int = 1) -> None:
        if n:
            self.crawler.stats.inc_value(f"newsmon/{key}", n)


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1")[:300] if value else None


def _header_charset(response: Response) -> str | None:
    """The charset named in the Content-Type header; the bytes are decoded by evidence, this is one clue."""
    content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None
