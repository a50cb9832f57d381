"""RSS 0.9x/1.0/2.0 and Atom feeds → leads, via feedparser (which tolerates most broken feeds)."""

from __future__ import annotations

import calendar
import time
from datetime import datetime, timezone

import feedparser

from crawler.discovery.leads import Lead
from newsmon.errors import FetchError


def parse_feed(body: bytes, url: str) -> list[Lead]:
    """The entries of the feed in ``body``. Raises FetchError when it is not a feed at all.

    A feed with a syntax error after some good entries still yields those entries: a half
    broken feed is better than none, and feedparser flags it (bozo) so it is logged.
    """
    parsed = feedparser.parse(body, response_headers={"content-location": url})
    if not parsed.entries:
        reason = getattr(parsed, "bozo_exception", None)
        if parsed.bozo or not parsed.get("version"):
            raise FetchError(f"invalid feed {url}: {reason or 'no RSS/Atom content'}")
        return []
    language = (parsed.feed.get("language") or "").split("-")[0].lower() or None
    leads = []
    for entry in parsed.entries:
        link = entry.get("link") or _alternate(entry)
        if not link:
            continue
        leads.append(
            Lead(
                url=link,
                via="feed",
                title=entry.get("title"),
                published=_utc(entry.get("published_parsed")),
                # plain dict lookup: FeedParserDict.get("updated_parsed") silently falls back to the published date
                modified=_utc(dict.get(entry, "updated_parsed")),
                language=language,
            )
        )
    return leads


def is_malformed(body: bytes) -> str | None:
    """feedparser's complaint about a feed, or None when it parsed cleanly."""
    parsed = feedparser.parse(body)
    return str(parsed.bozo_exception) if parsed.bozo else None


def _alternate(entry: feedparser.FeedParserDict) -> str | None:
    for link in entry.get("links", []):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return link["href"]
    return None


def _utc(value: time.struct_time | None) -> datetime | None:
    # feedparser normalizes every parsed date to UTC as a struct_time
    if not value:
        return None
    return datetime.fromtimestamp(calendar.timegm(value), tz=timezone.utc)
