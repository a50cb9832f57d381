"""Normalize pipeline: clean text, strip site names from titles, canonical URL, dates in UTC.

The texts are cleaned by :func:`clean_texts`, a function of the page's texts alone. The extraction pool
(crawler.offload) runs it right after extracting, to detect the language on exactly the text stored; its result
rides on the item (``ArticleItem.cleaned``) and is used here when it was made from the very same texts, so the
cleaning is done once, and a mismatch costs time, never a different result.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Cleaned:
    """An article's texts as stored, and the texts and site names they were cleaned from (``source``)."""

    source: tuple[str, str, str | None, tuple[str, ...], tuple[str, ...]]  # title, body, description, authors, names
    title: str = ""
    body: str = ""
    credited_source: str | None = None  # the outlet or agency a closing "المصدر: …" line credits
    description: str | None = None
    authors: tuple[str, ...] = ()
    repaired: tuple[str, ...] = ()      # the fields whose mis-decoded text was repaired
    rejected: tuple[str, str] | None = None  # (reason, field): not to be stored, and why

    @property
    def text(self) -> str | None:
        """Title and body as the language pipeline examines them; None when the article is rejected."""
        return None if self.rejected else f"{self.title}\n{self.body}"


def site_names(site_name: str | None, source_title: str, source_url: str) -> tuple[str, str, str]:
    """The names a title may end with (" | Al-Manar"): the page's site name, the source's title and its host."""
    return site_name or "", source_title, urlsplit(source_url).hostname or ""


def clean_texts(title: str, body: str, description: str | None, authors: Sequence[str],
                site_names: Sequence[str]) -> Cleaned:
    """The texts as stored: mojibake repaired (before any cleanup: the bidi and zero-width characters it would
    remove can be part of the bytes), whitespace and invisible characters cleaned, a closing credit line split off
    the body, the site's name stripped from the title. Rejected ("garbled", "no_body", "no_title") when a text is
    mis-decoded beyond repair or the body or title comes out empty."""
    source = (title, body, description, tuple(authors), tuple(site_names))
    texts = {"title": title, "body": body, "description": description}
    repaired: list[str] = []
    for name, text in texts.items():
        if not text:
            continue
        fixed = repair_mojibake(text)
        if fixed is None:
            return Cleaned(source, repaired=tuple(repaired), rejected=("garbled", name))
        if fixed != text:
            texts[name] = fixed
            repaired.append(name)
    body, credit = split_credit(clean_body(texts["body"] or ""))
    title = clean_line(texts["title"] or "")
    if not body:
        return Cleaned(source, repaired=tuple(repaired), rejected=("no_body", "body"))
    if not title:
        return Cleaned(source, repaired=tuple(repaired), rejected=("no_title", "title"))
    return Cleaned(
        source,
        title=strip_site_name(title, list(site_names)),
        body=body,
        credited_source=credit,
        description=clean_line(texts["description"]) if texts["description"] else None,
        authors=tuple(dict.fromkeys(a for a in (clean_line(a) for a in authors) if a)),
        repaired=tuple(repaired),
    )


_REJECTED = {
    "garbled": "{field} at {url} is mis-decoded text that cannot be repaired",
    "no_body": "empty body at {url}",
    "no_title": "no title at {url}",
}


class NormalizePipeline:
    """Completes the item for storing; its texts come cleaned from the extraction pool when they were cleaned there
    (stats ``normalize/cleaned_ahead``), else are cleaned here (``normalize/cleaned_here``)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NormalizePipeline:
        return cls(crawler)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        context = self.crawler.spider.context_of(item)
        source: Source = context.source
        cleaned = self._cleaned(item, site_names(item.site_name, source.title, source.url))
        self.crawler.stats.inc_value("normalize/cleaned_ahead" if cleaned is item.cleaned else "normalize/cleaned_here")
        item.cleaned = None  # done with: not carried on to the other pipelines
        if cleaned.repaired:
            context.count("repaired_mojibake", len(cleaned.repaired))
        if cleaned.rejected is not None:
            reason, field = cleaned.rejected
            raise Skip(reason, _REJECTED[reason].format(field=field, url=item.fetched_url))
        item.title, item.body, item.credited_source = cleaned.title, cleaned.body, cleaned.credited_source
        item.description, item.authors = cleaned.description, list(cleaned.authors)
        item.url = canonical_url(item.final_url, item.declared_canonical)
        item.published_at = self._utc(item.published_at, source, "published", item)
        if item.published_at is None:
            item.published_from = None
        item.modified_at = self._utc(item.modified_at, source, "modified", item)
        if item.modified_at is None:
            item.modified_from = None
        return item

    @staticmethod
    def _cleaned(item: ArticleItem, names: tuple[str, str, str]) -> Cleaned:
        """The item's texts cleaned: in the extraction pool, if that was done on these very texts, or now."""
        texts = (item.title or "", item.body or "", item.description, tuple(item.authors), names)
        if item.cleaned is not None and item.cleaned.source == texts:
            return item.cleaned
        return clean_texts(*texts)

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
