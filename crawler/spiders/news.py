"""The one generic spider: discovers a source's articles from its feeds, sitemaps and sections."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from twisted.python.failure import Failure

from crawler.database import crawl_sessions
from crawler.dating import choose_date, possible
from crawler.discovery import Lead, newest_first
from crawler.discovery.feeds import is_malformed, parse_feed
from crawler.discovery.listings import CrawlListings, may_pass
from crawler.discovery.sections import section_leads
from crawler.discovery.sitemaps import parse_sitemap
from crawler.failures import error_kind
from crawler.extraction import Selectors, extract_article
from crawler.items import ArticleItem
from crawler.urls import clean_url, in_domains
from crawler.freshness import ACCEPT_NOT_MODIFIED, Fetch, conditional_headers, listing_date, validators, why_fetch
from db.listings import ListingFetch, ListingOutcome, load_listings, record_listings
from db.store import StoredArticle, note_unchanged, stored_articles
from newsmon.config import Section, Source, load_sources
from newsmon.errors import FetchError
from newsmon.settings import Settings

_LISTING_PRIORITY = 100  # listings before articles, so the newest leads are known before fetching begins
_MAX_SITEMAP_DEPTH = 3
_MAX_URL_LENGTH = 2000  # the articles.url column; longer links are session junk, not article addresses
# Request meta: on a listing's request, its URL as configured or listed (its state is kept under that URL, whatever
# redirects follow); on an article's, the listing that led to it.
_LISTING = "newsmon_listing"
_FOUND_IN = "newsmon_found_in"


class NewsSpider(Spider):
    """Crawls one configured source: ``scrapy crawl news -a source=NAME``."""

    name = "news"

    source: Source
    selectors: Selectors
    oldest: datetime | None              # sitemap entries dated before this are not fetched
    sessions: sessionmaker[Session]
    source_id: int                       # set by crawler.runs.CrawlRunRecorder when the spider opens
    crawl_run_id: int
    conditional_listings: bool           # send listings' validators back (off for a source with re-checks)

    def __init__(self, source: Source | str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._source_arg = source
        self._requested: set[str] = set()      # article URLs asked for in this run
        self._left_alone: set[str] = set()     # stored articles a listing linked and that were not fetched
        self._listed: dict[str, datetime] = {}  # the latest date any listing of this run gives a URL
        self._listings = CrawlListings(conditional=False)  # loaded when the crawl starts

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider: NewsSpider = super().from_crawler(crawler, *args, **kwargs)
        spider.source = spider._resolve_source(crawler)
        spider.allowed_domains = spider.source.allowed_domains
        spider.selectors = Selectors(**spider.source.selectors.model_dump())
        max_age = crawler.settings.getfloat("NEWSMON_SITEMAP_MAX_AGE_DAYS")
        spider.oldest = datetime.now(timezone.utc) - timedelta(days=max_age) if max_age > 0 else None
        spider.sessions = crawl_sessions(crawler)
        # Re-checks of recent articles come from the leads of this run's listings, which a 304 does not give.
        spider.conditional_listings = (crawler.settings.getbool("NEWSMON_CONDITIONAL_LISTINGS")
                                       and spider.source.recheck is None)
        for signal in (signals.spider_error, signals.item_error):
            crawler.signals.connect(spider._not_handled, signal=signal)
        return spider

    def _resolve_source(self, crawler: Crawler) -> Source:
        if isinstance(self._source_arg, Source):
            return self._source_arg
        if not self._source_arg:
            raise ValueError("the news spider needs a source: scrapy crawl news -a source=NAME")
        path = Settings.load(sources=crawler.settings.get("NEWSMON_SOURCES")).sources_path
        return load_sources(path).get(self._source_arg)

    async def start(self) -> AsyncIterator[Request]:
        with self.sessions() as session:
            known = load_listings(session, self.source_id)
        self._listings = CrawlListings(known, conditional=self.conditional_listings)
        for url in self.source.feeds:
            yield self._listing(url, self.parse_feed)
        for url in self.source.sitemaps:
            yield self._listing(url, self.parse_sitemap, depth=0)
        for section in self.source.sections:
            yield self._listing(section.url, self.parse_section, section=section)

    # --- listings -----------------------------------------------------------------------------

    def parse_feed(self, response: Response) -> Iterator[Request]:
        if self._not_modified(response):
            return
        try:
            leads = parse_feed(response.body, response.url)
        except FetchError as exc:
            self._unreadable(response, "invalid_feed", str(exc))
            return
        self._read(response)
        if problem := is_malformed(response.body):
            self._count("errors/malformed_feed")
            self.logger.warning("Feed %s is malformed (%s); using the %d entries read", response.url, problem, len(leads))
        yield from self._follow(leads, response.meta[_LISTING])

    def parse_sitemap(self, response: Response, depth: int) -> Iterator[Request]:
        if self._not_modified(response):
            # an index unchanged since it was last read still leads to its sitemaps, which may have changed
            yield from self._child_sitemaps(self._listings.children(response.meta[_LISTING]), depth)
            return
        try:
            content = parse_sitemap(response.body, response.url)
        except FetchError as exc:
            self._unreadable(response, "invalid_sitemap", str(exc))
            return
        self._read(response, children=content.sitemaps)
        yield from self._child_sitemaps(content.sitemaps, depth)
        recent = [lead for lead in content.leads if not self._too_old(lead)]
        self._count("skipped/too_old", len(content.leads) - len(recent))
        yield from self._follow(recent, response.meta[_LISTING])

    def _child_sitemaps(self, urls: Iterable[str], depth: int) -> Iterator[Request]:
        if depth < _MAX_SITEMAP_DEPTH:
            for url in urls:
                yield self._listing(url, self.parse_sitemap, depth=depth + 1)

    def parse_section(self, response: Response, section: Section) -> Iterator[Request]:
        if self._not_modified(response):
            return
        if not isinstance(response, TextResponse):
            self._unreadable(response, "invalid_section", f"section page {response.url} is not HTML")
            return
        self._read(response)
        yield from self._follow(section_leads(response, section.article_pattern, self.allowed_domains),
                                response.meta[_LISTING])

    def _listing(self, url: str, callback: Any, **cb_kwargs: Any) -> Request:
        # dont_filter: a listing is fetched on every run, and may be listed twice (robots.txt and config)
        return Request(url, callback, errback=self.on_error, cb_kwargs=cb_kwargs, dont_filter=True,
                       priority=_LISTING_PRIORITY, headers=self._listings.headers(url),
                       meta={**ACCEPT_NOT_MODIFIED, _LISTING: url})

    def _not_modified(self, response: Response) -> bool:
        """Whether the listing answered 304: unchanged since it was last read in full, so not parsed again."""
        if response.status != 304:
            return False
        self._count("listings_not_modified")
        self._listings.fetched(ListingFetch(response.meta[_LISTING], ListingOutcome.NOT_MODIFIED, response.status))
        return True

    def _read(self, response: Response, children: Iterable[str] = ()) -> None:
        self._count("listings_ok")
        etag, last_modified = validators(response)
        self._listings.fetched(ListingFetch(response.meta[_LISTING], ListingOutcome.READ, response.status,
                                            etag, last_modified, tuple(children)))

    def _unreadable(self, response: Response, kind: str, message: str) -> None:
        self._error(kind, message)
        self._listings.fetched(ListingFetch(response.meta[_LISTING], ListingOutcome.FAILED, response.status))

    def _too_old(self, lead: Lead) -> bool:
        when = lead.published or lead.modified
        if self.oldest is None or when is None:
            return False
        return (when if when.tzinfo else when.replace(tzinfo=timezone.utc)) < self.oldest

    # --- articles -----------------------------------------------------------------------------

    def _follow(self, leads: Iterable[Lead], listing: str) -> Iterator[Request]:
        """Requests for the leads that ``listing`` gave that are new, or changed since stored, and not yet asked
        for in this run, newest first. A stored article left alone is looked at again if another listing dates it
        later."""
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
            yield self._article_request(url, lead, why, stored.get(url), listing)

    def _note_listing_date(self, url: str, lead: Lead) -> None:
        """Remember the latest date any listing gives ``url``: a feed and a section page may both link it, and
        the one read first need not be the one with the date (see crawler.freshness)."""
        if (listed := listing_date(lead)) is not None and (url not in self._listed or listed > self._listed[url]):
            self._listed[url] = listed

    def _article_request(self, url: str, lead: Lead, why: Fetch, stored: StoredArticle | None, listing: str) -> Request:
        if stored is None:
            return Request(url, self.parse_article, errback=self.on_error, meta={_FOUND_IN: listing},
                           cb_kwargs={"lead": lead, "stored": None})
        self._count(f"refetch/{why.value}")
        return Request(url, self.parse_article, errback=self.on_error, dont_filter=True,
                       headers=conditional_headers(stored.etag, stored.last_modified),
                       meta={**ACCEPT_NOT_MODIFIED, _FOUND_IN: listing}, cb_kwargs={"lead": lead, "stored": stored})

    def parse_article(self, response: Response, lead: Lead, stored: StoredArticle | None) -> Iterator[ArticleItem]:
        """The article on ``response``; ``fetched_url`` is the URL asked for, before any redirect,
        so that the link in the listing is recognised as stored next time."""
        asked = response.meta.get("redirect_urls", [response.url])[0]
        if response.status == 304:
            self._count("not_modified")
            if stored is not None:
                with self.sessions.begin() as session:
                    note_unchanged(session, stored.id, datetime.now(timezone.utc), self._listed.get(asked))
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
        etag, last_modified = validators(response)
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
            etag=etag,
            last_modified=last_modified,
        )

    # --- failures -----------------------------------------------------------------------------

    def on_error(self, failure: Failure) -> None:
        """A request that failed: counted by kind and logged; the crawl goes on."""
        kind = error_kind(failure)
        request: Request | None = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        meta = request.meta if request is not None else {}
        if (listing := meta.get(_LISTING)) is not None:
            status = failure.value.response.status if failure.check(HttpError) else None
            self._listings.fetched(ListingFetch(listing, ListingOutcome.FAILED, status))
        elif (found_in := meta.get(_FOUND_IN)) is not None and may_pass(kind):
            self._listings.unfinished(found_in)
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

    def _not_handled(self, response: Response | None = None, **_: Any) -> None:
        """A callback or a pipeline raised on ``response``: the listing it came from was not handled in full."""
        meta = response.meta if response is not None and response.request is not None else {}
        if (listing := meta.get(_LISTING) or meta.get(_FOUND_IN)) is not None:
            self._listings.unfinished(listing)

    # --- end of the crawl ---------------------------------------------------------------------

    def closed(self, reason: str) -> None:
        """Record what each listing answered, all in one transaction. A crawl that stopped early or could not
        store every article read no listing in full: those are read again next time (crawler.discovery.listings)."""
        complete = reason == "finished" and not self.crawler.stats.get_value("newsmon/errors/store")
        fetches = [fetch for fetch in self._listings.outcomes(complete) if len(fetch.url) <= _MAX_URL_LENGTH]
        if not fetches:
            return
        try:
            with self.sessions.begin() as session:
                record_listings(session, self.source_id, fetches)
        except SQLAlchemyError as exc:
            cause = (str(getattr(exc, "orig", None) or exc).splitlines() or [""])[0]  # not the SQL and its rows
            self.logger.error("Could not record the state of %d listings: %s", len(fetches), cause)


def _header_charset(response: Response) -> str | None:
    """The charset named in the Content-Type header; the bytes are decoded by evidence, this is one clue."""
    content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None
