"""Article extraction off the crawl process: a downloader middleware hands each article page to a process pool.

Extraction (trafilatura and the metadata around it) and langdetect are most of a crawl's CPU. Done inline they keep
one core busy and leave the others idle; here :class:`ExtractionOffload` sends each article response (a request
with ``newsmon_found_in`` in its meta, answered 2xx with text) to a ``ProcessPoolExecutor`` and attaches the result,
a :class:`Prepared`, to ``response.meta[PREPARED]``. ``NewsSpider.parse_article`` uses it when present and extracts
inline when not (``NEWSMON_EXTRACT_PROCESSES = 0``, a listing, a pool failure), so nothing depends on the pool.

The pool is one per process, shared by every crawler in it (``newsmon run`` runs many crawls, for months): made on
first use, kept across crawls, shut down when the process exits. Its processes come from a ``forkserver`` that has
imported the extraction code once, so a worker costs a fork, not an interpreter start; they are not forked from
the crawl process itself, which would hand them its sockets and database connections. A worker that dies (the
pool is then broken) loses no page: the page is extracted inline, the pool replaced, and the run counts
``extract_pool_restarts``.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime, timezone

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response, TextResponse

from crawler.context import RUN_META
from crawler.discovery.leads import Lead
from crawler.extraction import Extracted, Selectors, extract_article
from pipelines.language import Guess, guess_language
from pipelines.normalize import Cleaned, clean_texts, site_names

logger = logging.getLogger(__name__)

PREPARED = "newsmon_prepared"   # response meta: the Prepared page
_FOUND_IN = "newsmon_found_in"  # request meta of an article request (crawler.spiders.news)
_PRELOAD = ["crawler.offload"]  # imported once by the forkserver: extraction, langdetect, text cleanup


@dataclass(frozen=True)
class Prepared:
    """An article response worked on ahead: when it was fetched, and the page extracted from it."""

    fetched_at: datetime
    page: Extracted
    cleaned: Cleaned | None  # its texts cleaned, None when it has none to clean (not an article)
    guess: Guess | None      # langdetect's answer on them, None when it would not be asked


def default_processes() -> int:
    """NEWSMON_EXTRACT_PROCESSES's default: one per usable core; 0 (inline) on a single core, where a pool only
    adds copying."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores if cores > 1 else 0


# --- in a pool process ---------------------------------------------------------------------------------------------

def prepare(body: bytes, url: str, selectors: Selectors, fetched_at: datetime, http_charset: str | None,
            lead: Lead, source_language: str | None, source_title: str,
            source_url: str) -> tuple[Extracted, Cleaned | None, Guess | None]:
    """The page extracted from ``body``, its texts as the normalize pipeline cleans them (the spider hands the same
    texts on: ``page.title or lead.title``, the page's body, description and authors, its site name and the
    source's), and langdetect's guess on the text the language pipeline will examine, with the hints it will have."""
    page = extract_article(body, url, selectors=selectors, fetched_at=fetched_at, http_charset=http_charset)
    if not (page.is_article and page.body):
        return page, None, None
    cleaned = clean_texts(page.title or lead.title or "", page.body, page.description, page.authors,
                          site_names(page.site_name, source_title, source_url))
    text = cleaned.text
    if text is None:
        return page, cleaned, None
    return page, cleaned, guess_language(text, lead.language_hints(page.language, source_language))


def _start_worker() -> None:
    """A pool process: left out of Ctrl-C (the crawl process shuts the pool down), gone as soon as the crawl
    process is (one killed with SIGKILL must not leave workers behind: nothing else would end them), langdetect's
    profiles loaded once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent.sentinel,), name="newsmon-orphan-watch", daemon=True).start()
    from langdetect.detector_factory import init_factory

    init_factory()


def _exit_with(sentinel: int) -> None:
    """Exit once the crawl process is gone (its end of this pipe closes); the forkserver then sees its last user go."""
    multiprocessing.connection.wait([sentinel])
    os._exit(0)


def _ready() -> int:
    return os.getpid()


# --- the pool, one per process -------------------------------------------------------------------------------------

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_warming: Future | None = None


def pool(processes: int) -> ProcessPoolExecutor:
    """This process's extraction pool, made on first use with ``processes`` workers (later sizes are ignored)."""
    global _pool
    with _lock:
        if _pool is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(_PRELOAD)
            _pool = ProcessPoolExecutor(processes, mp_context=context, initializer=_start_worker)
        return _pool


def warm(processes: int) -> Future:
    """Start the pool's workers without blocking the caller (the forkserver's first start imports the extraction
    code): a future done once every worker is up."""
    global _warming
    with _lock:
        if _warming is None or (_warming.done() and _warming.exception() is not None):
            _warming = Future()
            threading.Thread(target=_warm, args=(processes, _warming), name="newsmon-pool-warm", daemon=True).start()
        return _warming


def _warm(processes: int, done: Future) -> None:
    try:
        executor = pool(processes)
        for future in [executor.submit(_ready) for _ in range(processes)]:
            future.result()
    except Exception as exc:  # noqa: BLE001 - handed to whoever awaits the warm-up; extraction goes inline
        logger.warning("Could not start the extraction processes: %s", exc, exc_info=True)
        done.set_exception(exc)
    else:
        done.set_result(None)


def replace(broken: ProcessPoolExecutor) -> None:
    """Forget a broken pool (a worker died); the next page makes a new one."""
    global _pool, _warming
    with _lock:
        if _pool is broken:
            _pool, _warming = None, None
    broken.shutdown(wait=False, cancel_futures=True)


@atexit.register
def shutdown() -> None:
    """Stop this process's pool, if any, and its forkserver (at exit)."""
    global _pool, _warming
    with _lock:
        executor, _pool, _warming = _pool, None, None
    if executor is not None:
        executor.shutdown(wait=True, cancel_futures=True)
    # and the forkserver, waited for here: its CPU, and its workers', then counts in this process's children
    # (os.wait4 rusage) instead of vanishing with an orphan reaped by init
    from multiprocessing import forkserver

    stop = getattr(getattr(forkserver, "_forkserver", None), "_stop", None)
    if stop is not None:
        stop()


# --- the middleware ------------------------------------------------------------------------------------------------

class ExtractionOffload:
    """Downloader middleware: article responses are extracted (and their language guessed) in the process pool.
    ``NEWSMON_EXTRACT_PROCESSES`` sets the pool's size; 0 leaves extraction inline, in the spider."""

    def __init__(self, crawler: Crawler, processes: int) -> None:
        self.crawler = crawler
        self.processes = processes
        self._warming: Future | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractionOffload:
        processes = crawler.settings.getint("NEWSMON_EXTRACT_PROCESSES", default_processes())
        if processes <= 0:
            raise NotConfigured("NEWSMON_EXTRACT_PROCESSES is 0: extraction runs in the crawl process")
        middleware = cls(crawler, processes)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        return middleware

    def spider_opened(self) -> None:
        self._warming = warm(self.processes)  # the workers start while the listings are fetched

    async def process_response(self, request: Request, response: Response) -> Response:
        if (_FOUND_IN not in request.meta or not 200 <= response.status < 300
                or not isinstance(response, TextResponse)):
            return response
        spider = self.crawler.spider
        try:
            context = spider.context(request.meta.get(RUN_META))
        except LookupError:
            return response  # the spider says so itself when it handles the response
        lead = request.cb_kwargs.get("lead")
        if not isinstance(lead, Lead):
            return response  # not an article request after all: the spider handles it
        source = context.source
        fetched_at = datetime.now(timezone.utc)
        loop = asyncio.get_running_loop()
        executor = pool(self.processes)
        try:
            if self._warming is not None and not self._warming.done():
                # not submitted before: a submit would wait, blocking the crawl, while the workers start
                await asyncio.shield(asyncio.wrap_future(self._warming))
            page, cleaned, guess = await loop.run_in_executor(
                executor, prepare, response.body, response.url, context.selectors, fetched_at,
                _header_charset(response), lead, source.language, source.title, source.url)
        except BrokenProcessPool:
            # a worker died (killed, out of memory) with this page or another in hand: this one goes inline
            context.count("extract_pool_restarts")
            logger.warning("An extraction process died; extracting %s in the crawl process and starting new ones",
                           response.url)
            replace(executor)
            self._warming = warm(self.processes)
            return response
        except Exception:  # noqa: BLE001 - the spider extracts it again inline, where any error shows as it always has
            logger.debug("Extraction in the pool failed for %s; extracting inline", response.url, exc_info=True)
            return response
        # response.meta once the response is tied to it
        request.meta[PREPARED] = Prepared(fetched_at, page, cleaned, guess)
        return response


def _header_charset(response: Response) -> str | None:
    from crawler.spiders.news import _header_charset as charset  # one reading of the header, the spider's

    return charset(response)
