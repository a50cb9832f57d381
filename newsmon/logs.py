"""Console logging for the commands: newsmon's progress and warnings, library chatter only with --verbose."""

from __future__ import annotations

import logging

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_LIBRARIES = ("scrapy", "twisted", "alembic", "py.warnings")
# A failed download is logged once, as a warning naming its kind and URL, by the spider; these
# middlewares would add an error with a traceback for the same event.
_REDUNDANT = ("scrapy.downloadermiddlewares.retry", "scrapy.downloadermiddlewares.robotstxt")


def configure_console_logging(verbose: bool = False) -> None:
    """Log to stderr; without ``verbose``, libraries' info lines and duplicate failure reports are dropped.

    A handler filter rather than logger levels, because Scrapy resets its loggers' levels when a crawl starts.
    """
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, format=FORMAT, force=True)
    if not verbose:
        for handler in logging.getLogger().handlers:
            handler.addFilter(_quiet_libraries)


def _quiet_libraries(record: logging.LogRecord) -> bool:
    if record.name.startswith(_REDUNDANT):
        return False
    return not (record.name.startswith(_LIBRARIES) and record.levelno < logging.WARNING)
