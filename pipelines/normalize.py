"""Normalize pipeline: clean text, strip site names from titles, canonical URL, dates in UTC."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from scrapy.crawler import Crawler

from crawler.items import ArticleItem, Skip
from crawler.urls import canonical_url
from newsmon.config import Source
from pipelines.mojibake import repair_mojibake
from pipelines.text import clean_body, clean_line, split_credit, strip_site_name

logger = logging.getLogger(__name__)

_EARLIEST = datetime(1995, 1, 1, tzinfo=timezone.utc)  # no news site published before this
_FUTURE_SKEW = timedelta(days=1)                      # time zones and clock skew, not articles from tomorrow


class NormalizePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NormalizePipeline:
        return cls(crawler)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        context = self.crawler.spider.context_of(item)
        source: Source = context.source
        self._repair_mojibake(item)
        item.body, item.credited_source = split_credit(clean_body(item.body or ""))
        item.title = clean_line(item.title or "")
        if not item.body:
            raise Skip("no_body", f"empty body at {item.fetched_url}")
        if not item.title:
            raise Skip("no_title", f"no title at {item.fetched_url}")
        names = [item.site_name or "", source.title, urlsplit(source.url).hostname or ""]
        item.title = strip_site_name(item.title, names)
        item.authors = list(dict.fromkeys(a for a in (clean_line(a) for a in item.authors) if a))
        item.description = clean_line(item.description) if item.description else None
        item.url = canonical_url(item.final_url, item.declared_canonical)
        item.published_at = self._utc(item.published_at, source, "published", item)
        if item.published_at is None:
            item.published_from = None
        item.modified_at = self._utc(item.modified_at, source, "modified", item)
        if item.modified_at is None:
            item.modified_from = None
        return item

    def _repair_mojibake(self, item: ArticleItem) -> None:
        """UTF-8 read as cp1256 or Latin-1 somewhere upstream ("ط§ظ„ط¹ط±ط¨ظٹط©") is repaired or rejected, never stored.

        Runs before any cleanup: the bidi and zero-width characters it would remove can be part of the bytes.
        """
        for name in ("title", "body", "description"):
            text = getattr(item, name)
            if not text:
                continue
            repaired = repair_mojibake(text)
            if repaired is None:
                raise Skip("garbled", f"{name} at {item.fetched_url} is mis-decoded text that cannot be repaired")
            if repaired != text:
                setattr(item, name, repaired)
                self.crawler.spider.context_of(item).count("repaired_mojibake")

    def _utc(self, value: datetime | None, source: Source, what: str, item: ArticleItem) -> datetime | None:
        """``value`` in UTC, a naive one read in the source's timezone; an impossible date becomes None."""
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=source.tz)
        value = value.astimezone(timezone.utc)
        if not _EARLIEST <= value <= item.fetched_at + _FUTURE_SKEW:
            logger.warning("Ignoring impossible %s date %s at %s", what, value.isoformat(), item.fetched_url)
            self.crawler.spider.context_of(item).count(f"rejected_dates/{what}")
            return None
        return value
