"""Scrapy settings for newsmon (``scrapy.cfg`` points here). Polite by default."""

import os

from newsmon import __version__

BOT_NAME = "newsmon"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Identify the bot and obey robots.txt: sites can see who we are and say no.
USER_AGENT = f"newsmon/{__version__} (news monitoring crawler)"
ROBOTSTXT_OBEY = True

# Per-domain throttling: at most two requests in flight per site, spaced out and adapted to its latency.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 2
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
COOKIES_ENABLED = False
# Both consoles run code sent to them: never on a crawler left running for months.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# Listings are yielded newest first; FIFO queues keep that order (Scrapy's default is LIFO).
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
DEFAULT_DROPITEM_LOG_LEVEL = "INFO"
LOGSTATS_INTERVAL = 0
# What one callback yields goes through the spider middlewares and item pipelines one at a time: the pipelines are
# synchronous, so Scrapy's default of 100 in parallel bought nothing and cost 100 asyncio tasks per response, ~1 ms
# of the crawl process's CPU an article (cProfile of bench/throughput.py's crawl).
CONCURRENT_ITEMS = 1

ITEM_PIPELINES = {
    "pipelines.normalize.NormalizePipeline": 100,
    "pipelines.language.LanguagePipeline": 200,
    "pipelines.dedup.DedupPipeline": 300,
    "pipelines.store.StorePipeline": 400,
}
# Article pages are extracted in a process pool (crawler.offload); its process_response runs after decompression
# and redirects (a lower number runs later on the way back).
DOWNLOADER_MIDDLEWARES = {
    "crawler.offload.ExtractionOffload": 50,
    # Scrapy's, with the fix for requests that wait for a site's robots.txt (crawler.robots)
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.robots.RobotsTxt": 100,
}
EXTENSIONS = {
    "crawler.runs.CrawlRunRecorder": 100,
    "crawler.progress.Progress": 200,
}

# newsmon's own settings; the CLI fills the first two from --db/--sources or NEWSMON_DB/NEWSMON_SOURCES.
NEWSMON_DB = None               # SQLAlchemy URL; None: the settings object's default (a SQLite file)
NEWSMON_SOURCES = None          # path of sources.yaml; None: ./sources.yaml
NEWSMON_STORE_BATCH = 20        # articles per database transaction
NEWSMON_PROGRESS_INTERVAL = 10.0  # seconds between progress lines; 0 turns them off
NEWSMON_SITEMAP_MAX_AGE_DAYS = 30  # sitemap entries dated older than this are not fetched; 0: no limit
# Fetch feeds, sitemaps and section pages conditionally (If-None-Match / If-Modified-Since from the last read):
# an unchanged one answers 304 and is not parsed again. Always off for a source with `recheck`.
NEWSMON_CONDITIONAL_LISTINGS = True
# Stories (pipelines.fingerprint, db.stories): word shingles of this many words; an article joins the story of
# its most similar stored article when their estimated shingle similarity reaches the threshold; bodies shorter
# than NEWSMON_STORY_MIN_WORDS join only exact copies. Defaults measured with bench/dedup.py.
NEWSMON_SHINGLE_SIZE = 3
NEWSMON_STORY_THRESHOLD = 0.3
NEWSMON_STORY_MIN_WORDS = 40
# Processes extracting article pages (crawler.offload): one per core by default, 0 on a single core; 0 extracts in
# the crawl process itself. One pool per process, shared by all its crawls.
_cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
NEWSMON_EXTRACT_PROCESSES = _cores if _cores > 1 else 0
