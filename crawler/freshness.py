"""Whether a linked article is fetched: the one place that answers "is this article new or changed?"; and the
conditional fetches that make asking again cheap, for articles and listings alike."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from enum import StrEnum

from scrapy.http import Response

from crawler.discovery import Lead
from db.store import StoredArticle

# Request meta that lets a 304 through to the callback, which then has nothing to parse.
ACCEPT_NOT_MODIFIED = {"handle_httpstatus_list": [304]}


class Fetch(StrEnum):
    NEW = "new"            # not stored yet
    CHANGED = "changed"    # its feed or sitemap entry carries a later date than when it was last fetched
    RECHECK = "recheck"    # young enough that the source asks for re-checks (conditional, so cheap if unchanged)


def listing_date(lead: Lead) -> datetime | None:
    """The date a listing gives an entry: its modified date (Atom updated, sitemap lastmod), else its published one."""
    return _aware(lead.modified or lead.published)


def why_fetch(lead: Lead, stored: StoredArticle | None, recheck: timedelta | None, now: datetime) -> Fetch | None:
    """Why the article behind ``lead`` should be fetched, or None to leave it alone."""
    if stored is None:
        return Fetch.NEW
    listed = listing_date(lead)
    if listed is not None and (stored.listed_at is None or listed > _aware(stored.listed_at)):
        # Compared with what the listings said last time, not with the page's own dates, which some feeds never
        # match (an item's pubDate minutes after the article's datePublished is common). An article stored
        # without a listing date is checked once, conditionally, and then has one.
        return Fetch.CHANGED
    if recheck is not None and _due_for_recheck(stored, recheck, now):
        return Fetch.RECHECK
    return None


def _due_for_recheck(stored: StoredArticle, recheck: timedelta, now: datetime) -> bool:
    """A recent article is checked again once the time since its last fetch reaches half its age: at about 1, 2,
    4, 8 … hours old, when edits are likeliest, and a dozen times in 48 hours however often its source is
    crawled (a source crawled every 5 minutes would otherwise re-fetch every recent article 600 times)."""
    born = _aware(stored.published_at or stored.fetched_at)
    if born < now - recheck:
        return False
    last = _aware(stored.checked_at or stored.fetched_at)
    return now - last >= (now - born) / 2


def conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """The headers that make a fetch conditional on the validators the server sent last time: an unchanged page
    answers 304 with no body, which costs neither side any parsing."""
    headers = {"If-None-Match": etag} if etag else {}
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def validators(response: Response) -> tuple[str | None, str | None]:
    """The ETag and Last-Modified of ``response``, as sent, cut to the sizes the database keeps."""
    return _header(response, b"ETag", 300), _header(response, b"Last-Modified", 100)


def _header(response: Response, name: bytes, size: int) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1")[:size] if value else None


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
