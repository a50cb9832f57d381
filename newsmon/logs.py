"""Console logging for the commands: newsmon's progress and warnings, library chatter only with --verbose."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_LIBRARIES = ("scrapy", "twisted", "alembic", "apscheduler", "py.warnings")
# A failed download is logged once, as a warning naming its kind and URL, by the spider; these
# middlewares would add an error with a traceback for the same event.
_REDUNDANT = ("scrapy.downloadermiddlewares.retry", "scrapy.downloadermiddlewares.robotstxt")


class JsonFormatter(logging.Formatter):
    """One JSON object per line for log collectors: time, level, logger, message, and any structured ``extra``
    a record carries under the key ``crawl`` (the scheduler's per-run figures)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if crawl := getattr(record, "crawl", None):
            entry["crawl"] = crawl
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_console_logging(verbose: bool = False, json_lines: bool = False) -> None:
    """Log to stderr; without ``verbose``, libraries' info lines and duplicate failure reports are dropped.

    A handler filter rather than logger levels, because Scrapy resets its loggers' levels when a crawl starts.
    """
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, format=FORMAT, force=True)
    for handler in logging.getLogger().handlers:
        if json_lines:
            handler.setFormatter(JsonFormatter())
        if not verbose:
            handler.addFilter(_quiet_libraries)


def _quiet_libraries(record: logging.LogRecord) -> bool:
    if record.name.startswith(_REDUNDANT):
        return False
    return not (record.name.startswith(_LIBRARIES) and record.levelno < logging.WARNING)
