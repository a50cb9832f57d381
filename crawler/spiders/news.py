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
from crawler.dating import choose_date
from crawler.discovery import Lead, newest_first
from crawler.discovery.feeds import is_malformed, parse_feed
from crawler.discovery.sections import section_leads
from crawler.discovery.sitemaps import parse_sitemap
from crawler.failures import error_kind
from crawler.extraction import Selectors, extract_article
from crawler.items import ArticleItem
from crawler.urls import clean_url, in_domains
from db.store import known_urls
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
        self._seen: set[str] = set()

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
        """Requests for the leads not fetched in this run nor stored before, newest first."""
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
            elif url in self._seen or url in fresh:
                continue
            else:
                fresh[url] = lead
        with self.sessions() as session:
            stored = known_urls(session, fresh)
        self._seen.update(fresh)
        self._count("skipped/already_stored", len(stored))
        pending = {id(lead): url for url, lead in fresh.items() if url not in stored}
        for lead in newest_first(lead for lead in fresh.values() if id(lead) in pending):
            yield Request(pending[id(lead)], self.parse_article, errback=self.on_error, cb_kwargs={"lead": lead})

    def parse_article(self, response: Response, lead: Lead) -> Iterator[ArticleItem]:
        """The article on ``response``; ``fetched_url`` is the URL asked for, before any redirect,
        so that the link in the listing is recognised as stored next time."""
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
        published, published_from = choose_date(
            page.published_at, page.provenance.get("published_at"), lead.published, lead.via, fetched_at)
        modified, modified_from = choose_date(
            page.modified_at, page.provenance.get("modified_at"), lead.modified, lead.via, fetched_at)
        hints = {"html": page.language, lead.via: lead.language, "source": self.source.language}
        yield ArticleItem(
            source=self.source.name,
            fetched_url=response.meta.get("redirect_urls", [response.url])[0],
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


def _header_charset(response: Response) -> str | None:
    """The charset named in the Content-Type header; the bytes are decoded by evidence, this is one clue."""
    content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None
