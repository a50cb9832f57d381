"""The one generic spider: discovers a source's articles from its feeds, sitemaps and sections."""

from __future__ import annotations

import functools
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from datetime import datetime, timezone
from typing import Any, Protocol

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from twisted.python.failure import Failure

from crawler.context import RUN_META, CrawlContext, RunKey, StatsTally, Tally, oldest_listed
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
from crawler.offload import PREPARED
from crawler.freshness import ACCEPT_NOT_MODIFIED, Fetch, conditional_headers, listing_date, validators, why_fetch
from db.listings import ListingFetch, ListingOutcome, load_listings, record_listings
from db.store import StoredArticle, note_unchanged, stored_articles
from newsmon.config import Source, load_sources
from newsmon.errors import FetchError
from newsmon.settings import Settings

_LISTING_PRIORITY = 100  # listings before articles, so the newest leads are known before fetching begins
_MAX_SITEMAP_DEPTH = 3
_MAX_URL_LENGTH = 2000  # the articles.url column; longer links are session junk, not article addresses
# Request meta: on a listing's request, its URL as configured or listed (its state is kept under that URL, whatever
# redirects follow); on an article's, the listing that led to it.
_LISTING = "newsmon_listing"
_FOUND_IN = "newsmon_found_in"


class WorkLedger(Protocol):
    """A cluster worker's account of the requests it took from the shared queue (crawler.cluster.ledger)."""

    def follow(self, request: Request, outputs: Iterable[Any] | None) -> Iterable[Any] | None: ...

    def may_retry(self, request: Request) -> None: ...


def _settles(method: Callable[..., Any]) -> Callable[..., Any]:
    """Marks a callback or errback whose request, on a cluster worker, is settled once what it yields is queued
    (or, for an article, stored): until then a worker that dies leaves it to be retried by another."""

    @functools.wraps(method)
    def handled(self: NewsSpider, answer: Response | Failure, *args: Any, **kwargs: Any) -> Any:
        request = getattr(answer, "request", None)
        if self.ledger is None or request is None:
            return method(self, answer, *args, **kwargs)
        try:
            outputs = method(self, answer, *args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - re-raised by the ledger once the request is settled
            # an errback raises at once (say, no context for a source gone from sources.yaml): unsettled, its
            # run would never end
            outputs = _raising(exc)
        return self.ledger.follow(request, outputs)

    return handled


def _raising(exc: Exception) -> Iterator[Any]:
    raise exc
    yield  # a generator: raises when the ledger first iterates it


class NewsSpider(Spider):
    """Crawls configured sources: one with ``scrapy crawl news -a source=NAME`` (or `newsmon crawl`/`run`), or, on
    a cluster worker (``NEWSMON_CLUSTER``), every source whose runs the shared queue hands it.

    Everything that belongs to one run of one source is a :class:`CrawlContext`, found from each request's meta
    (``RUN_META``), so one spider serves any number of sources and runs; a single-node crawl is one context."""

    name = "news"

    source: Source | None                # the one source of a single-node crawl; None on a cluster worker
    sessions: sessionmaker[Session]
    max_age_days: float                  # NEWSMON_SITEMAP_MAX_AGE_DAYS
    conditional_listings: bool           # send listings' validators back (off for a source with re-checks)
    ledger: WorkLedger | None = None     # set by the cluster worker extension
    context_factory: Callable[[RunKey], CrawlContext] | None = None  # ditto: contexts for runs begun elsewhere

    def __init__(self, source: Source | str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._source_arg = source
        self.contexts: dict[tuple[str, int], CrawlContext] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider: NewsSpider = super().from_crawler(crawler, *args, **kwargs)
        spider.cluster = crawler.settings.getbool("NEWSMON_CLUSTER")
        spider.source = None if spider.cluster else spider._resolve_source(crawler)
        if spider.source is not None:
            # the offsite middleware's filter; a worker crawls many sources and checks each lead's domains itself
            spider.allowed_domains = spider.source.allowed_domains
        spider.max_age_days = crawler.settings.getfloat("NEWSMON_SITEMAP_MAX_AGE_DAYS")
        spider.sessions = crawl_sessions(crawler)
        spider.conditional_listings = crawler.settings.getbool("NEWSMON_CONDITIONAL_LISTINGS")
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

    # --- contexts ------------------------------------------------------------------------------

    def open_run(self, source: Source, source_id: int, run_id: int, tally: Tally | None = None) -> CrawlContext:
        """The context of a run of ``source``: its listings' known state loaded when they are asked for
        conditionally. A single-node crawl opens one (crawler.runs.CrawlRunRecorder); a worker one per run."""
        conditional = self.conditional_listings and source.recheck is None
        known = {}
        if conditional:
            with self.sessions() as session:
                known = load_listings(session, source_id)
        context = CrawlContext(source, source_id, run_id, tally or StatsTally(self.crawler.stats.inc_value),
                               oldest=oldest_listed(self.max_age_days),
                               listings=CrawlListings(known, conditional=conditional), last_used=time.monotonic())
        self.contexts[(source.name, run_id)] = context
        return context

    def context(self, run: RunKey | None) -> CrawlContext:
        """The context of the run a request or an item belongs to (``RUN_META``); on a worker, one is made for a
        run begun elsewhere (or forgotten while idle)."""
        if run is None:
            if len(self.contexts) != 1:
                raise LookupError("a request or item without a run, and not exactly one run open")
            return next(iter(self.contexts.values()))
        found = self.contexts.get((run[0], run[2]))
        if found is None:
            if self.context_factory is None:
                raise LookupError(f"no crawl context for run {run}")
            found = self.contexts[(run[0], run[2])] = self.context_factory(run)
        found.last_used = time.monotonic()
        return found

    def context_of(self, item: ArticleItem) -> CrawlContext:
        return self.context(item.run)

    def _context(self, response: Response | Request) -> CrawlContext:
        return self.context(response.meta.get(RUN_META))

    async def start(self) -> AsyncIterator[Request]:
        """A single-node crawl's listings; a worker starts with none and takes runs from the shared queue."""
        for context in list(self.contexts.values()):
            for request in self.listing_requests(context):
                yield request

    def listing_requests(self, context: CrawlContext) -> Iterator[Request]:
        """The requests that begin a run: each of its source's feeds, sitemaps and section pages."""
        source = context.source
        # each listing once, though configured twice: in a cluster the second copy would be the same queued
        # request, and on one node a second fetch of the same page
        for url in dict.fromkeys(source.feeds):
            yield self._listing(context, url, self.parse_feed)
        for url in dict.fromkeys(source.sitemaps):
            yield self._listing(context, url, self.parse_sitemap, depth=0)
        for url in dict.fromkeys(section.url for section in source.sections):
            yield self._listing(context, url, self.parse_section)

    # --- listings -----------------------------------------------------------------------------

    @_settles
    def parse_feed(self, response: Response) -> Iterator[Request]:
        context = self._context(response)
        if self._not_modified(context, response):
            return
        try:
            leads = parse_feed(response.body, response.url)
        except FetchError as exc:
            self._unreadable(context, response, "invalid_feed", str(exc))
            return
        self._read(context, response)
        if problem := is_malformed(response.body):
            context.count("errors/malformed_feed")
            self.logger.warning("Feed %s is malformed (%s); using the %d entries read", response.url, problem, len(leads))
        yield from self._follow(context, leads, response.meta[_LISTING])

    @_settles
    def parse_sitemap(self, response: Response, depth: int) -> Iterator[Request]:
        context = self._context(response)
        if self._not_modified(context, response):
            # an index unchanged since it was last read still leads to its sitemaps, which may have changed
            yield from self._child_sitemaps(context, context.listings.children(response.meta[_LISTING]), depth)
            return
        try:
            content = parse_sitemap(response.body, response.url)
        except FetchError as exc:
            self._unreadable(context, response, "invalid_sitemap", str(exc))
            return
        self._read(context, response, children=content.sitemaps)
        yield from self._child_sitemaps(context, content.sitemaps, depth)
        recent = [lead for lead in content.leads if not self._too_old(context, lead)]
        context.count("skipped/too_old", len(content.leads) - len(recent))
        yield from self._follow(context, recent, response.meta[_LISTING])

    def _child_sitemaps(self, context: CrawlContext, urls: Iterable[str], depth: int) -> Iterator[Request]:
        if depth < _MAX_SITEMAP_DEPTH:
            for url in dict.fromkeys(urls):  # an index listing a sitemap twice: fetched once
                yield self._listing(context, url, self.parse_sitemap, depth=depth + 1)

    @_settles
    def parse_section(self, response: Response) -> Iterator[Request]:
        context = self._context(response)
        if self._not_modified(context, response):
            return
        if not isinstance(response, TextResponse):
            self._unreadable(context, response, "invalid_section", f"section page {response.url} is not HTML")
            return
        self._read(context, response)
        # the section's pattern is looked up in the source's config here, not carried in the request
        pattern = next((s.article_pattern for s in context.source.sections if s.url == response.meta[_LISTING]), None)
        yield from self._follow(context, section_leads(response, pattern, context.source.allowed_domains),
                                response.meta[_LISTING])

    def _listing(self, context: CrawlContext, url: str, callback: Any, **cb_kwargs: Any) -> Request:
        # dont_filter: a listing is fetched on every run, and may be listed twice (robots.txt and config); it also
        # keeps listings out of a cluster's persistent duplicate filter
        return Request(url, callback, errback=self.on_error, cb_kwargs=cb_kwargs, dont_filter=True,
                       priority=_LISTING_PRIORITY, headers=context.listings.headers(url),
                       meta={**ACCEPT_NOT_MODIFIED, _LISTING: url, RUN_META: context.key})

    def _not_modified(self, context: CrawlContext, response: Response) -> bool:
        """Whether the listing answered 304: unchanged since it was last read in full, so not parsed again."""
        if response.status != 304:
            return False
        context.count("listings_not_modified")
        context.listings.fetched(ListingFetch(response.meta[_LISTING], ListingOutcome.NOT_MODIFIED, response.status))
        return True

    def _read(self, context: CrawlContext, response: Response, children: Iterable[str] = ()) -> None:
        context.count("listings_ok")
        etag, last_modified = validators(response)
        context.listings.fetched(ListingFetch(response.meta[_LISTING], ListingOutcome.READ, response.status,
                                              etag, last_modified, tuple(children)))

    def _unreadable(self, context: CrawlContext, response: Response, kind: str, message: str) -> None:
        self._error(context, kind, message)
        context.listings.fetched(ListingFetch(response.meta[_LISTING], ListingOutcome.FAILED, response.status))

    @staticmethod
    def _too_old(context: CrawlContext, lead: Lead) -> bool:
        when = lead.published or lead.modified
        if context.oldest is None or when is None:
            return False
        return (when if when.tzinfo else when.replace(tzinfo=timezone.utc)) < context.oldest

    # --- articles -----------------------------------------------------------------------------

    def _follow(self, context: CrawlContext, leads: Iterable[Lead], listing: str) -> Iterator[Request]:
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
                context.count("skipped/bad_url")
                self.logger.info("Ignoring a link that is not a usable URL: %.200r", lead.url)
            elif not in_domains(url, context.source.allowed_domains):
                context.count("skipped/offsite")
            else:
                self._note_listing_date(context, url, lead)
                if url not in context.requested:
                    fresh.setdefault(url, lead)
        with self.sessions() as session:
            stored = stored_articles(session, fresh)
        now = datetime.now(timezone.utc)
        pending: dict[int, tuple[str, Fetch]] = {}
        for url, lead in fresh.items():
            if (why := why_fetch(lead, stored.get(url), context.source.recheck, now)) is not None:
                pending[id(lead)] = (url, why)
                context.requested.add(url)
            elif url not in context.left_alone:
                context.left_alone.add(url)
                context.count("skipped/already_stored")
        for lead in newest_first(lead for lead in fresh.values() if id(lead) in pending):
            url, why = pending[id(lead)]
            yield self._article_request(context, url, lead, why, stored.get(url), listing)

    @staticmethod
    def _note_listing_date(context: CrawlContext, url: str, lead: Lead) -> None:
        """Remember the latest date any listing gives ``url``: a feed and a section page may both link it, and
        the one read first need not be the one with the date (see crawler.freshness)."""
        if (listed := listing_date(lead)) is not None and (url not in context.listed or listed > context.listed[url]):
            context.listed[url] = listed

    def _article_request(self, context: CrawlContext, url: str, lead: Lead, why: Fetch, stored: StoredArticle | None,
                         listing: str) -> Request:
        meta = {_FOUND_IN: listing, RUN_META: context.key}
        if stored is None:
            return Request(url, self.parse_article, errback=self.on_error, meta=meta,
                           cb_kwargs={"lead": lead, "stored": None})
        context.count(f"refetch/{why.value}")
        return Request(url, self.parse_article, errback=self.on_error, dont_filter=True,
                       headers=conditional_headers(stored.etag, stored.last_modified),
                       meta={**ACCEPT_NOT_MODIFIED, **meta}, cb_kwargs={"lead": lead, "stored": stored})

    @_settles
    def parse_article(self, response: Response, lead: Lead, stored: StoredArticle | None) -> Iterator[ArticleItem]:
        """The article on ``response``; ``fetched_url`` is the URL asked for, before any redirect,
        so that the link in the listing is recognised as stored next time."""
        context = self._context(response)
        asked = response.meta.get("redirect_urls", [response.url])[0]
        if response.status == 304:
            context.count("not_modified")
            if stored is not None:
                with self.sessions.begin() as session:
                    note_unchanged(session, stored.id, datetime.now(timezone.utc), context.listed.get(asked))
            return
        if not isinstance(response, TextResponse):
            context.count("skipped/not_html")
            return

        # fetched_at is one instant: stored, and the base of relative dates ("منذ 3 ساعات")
        cleaned = guess = None
        if (prepared := response.meta.get(PREPARED)) is not None:  # extracted in the pool (crawler.offload)
            fetched_at, page, cleaned, guess = prepared.fetched_at, prepared.page, prepared.cleaned, prepared.guess
        else:
            fetched_at = datetime.now(timezone.utc)
            page = extract_article(response.body, response.url, selectors=context.selectors, fetched_at=fetched_at,
                                   http_charset=_header_charset(response))
        if not page.is_article or not page.body:
            context.count("skipped/not_article")
            self.logger.info("Not an article (no body): %s", response.url)
            return
        for what, value in (("published", page.published_at), ("modified", page.modified_at)):
            if value is not None and not possible(value, fetched_at):
                context.count(f"rejected_dates/{what}")
                self.logger.warning("Ignoring impossible %s date %s on %s", what, value.isoformat(), response.url)
        published, published_from = choose_date(
            page.published_at, page.provenance.get("published_at"), lead.published, lead.via, fetched_at)
        modified, modified_from = choose_date(
            page.modified_at, page.provenance.get("modified_at"), lead.modified, lead.via, fetched_at)
        etag, last_modified = validators(response)
        yield ArticleItem(
            source=context.source.name,
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
            language_hints=lead.language_hints(page.language, context.source.language),
            section=page.section,
            tags=list(page.tags),
            image=page.image,
            provenance=dict(page.provenance),
            stored_id=stored.id if stored else None,
            listed_at=context.listed.get(asked),
            etag=etag,
            last_modified=last_modified,
            run=context.key,
            cleaned=cleaned,
            guess=guess,
        )

    # --- failures -----------------------------------------------------------------------------

    @_settles
    def on_error(self, failure: Failure) -> None:
        """A request that failed: counted by kind and logged; the crawl goes on."""
        kind = error_kind(failure)
        request: Request | None = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        meta = request.meta if request is not None else {}
        context = self.context(meta.get(RUN_META))
        if (listing := meta.get(_LISTING)) is not None:
            status = failure.value.response.status if failure.check(HttpError) else None
            context.listings.fetched(ListingFetch(listing, ListingOutcome.FAILED, status))
        elif (found_in := meta.get(_FOUND_IN)) is not None and may_pass(kind):
            context.listings.unfinished(found_in)
            if self.ledger is not None and request is not None:
                self.ledger.may_retry(request)  # a cluster's duplicate filter forgets it, so the next run retries
        if kind == "robots_disallowed":
            context.count("skipped/robots_disallowed")
            return
        if kind == "robots_unreachable":
            # the site is down (the run's health says so), but crawler.robots warns once per site, not per request
            context.count(f"errors/{kind}")
            return
        self._error(context, kind, f"{url}: {failure.getErrorMessage()}")

    def _error(self, context: CrawlContext, kind: str, message: str) -> None:
        context.count(f"errors/{kind}")
        self.logger.warning("%s: %s", kind, message)

    def _not_handled(self, response: Response | None = None, **_: Any) -> None:
        """A callback or a pipeline raised on ``response``: the listing it came from was not handled in full."""
        meta = response.meta if response is not None and response.request is not None else {}
        if (listing := meta.get(_LISTING) or meta.get(_FOUND_IN)) is not None:
            self.context(meta.get(RUN_META)).listings.unfinished(listing)

    # --- end of the crawl ---------------------------------------------------------------------

    def closed(self, reason: str) -> None:
        """Record what each listing answered, all in one transaction. A crawl that stopped early or could not
        store every article read no listing in full: those are read again next time (crawler.discovery.listings).

        A cluster worker records no listing state: its runs are spread over workers, so conditional listings are
        off there (see README, "Running on several machines")."""
        if self.cluster:
            return
        complete = reason == "finished" and not self.crawler.stats.get_value("newsmon/errors/store")
        for context in self.contexts.values():
            self._record_listings(context, complete)

    def _record_listings(self, context: CrawlContext, complete: bool) -> None:
        fetches = [fetch for fetch in context.listings.outcomes(complete) if len(fetch.url) <= _MAX_URL_LENGTH]
        if not fetches:
            return
        try:
            with self.sessions.begin() as session:
                record_listings(session, context.source_id, fetches)
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
