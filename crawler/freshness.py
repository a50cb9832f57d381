"""Whether a linked article is fetched: the one place that answers "is this article new or changed?"."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from enum import StrEnum

from crawler.discovery import Lead
from db.store import StoredArticle


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
    if recheck is not None and _aware(stored.published_at or stored.fetched_at) >= now - recheck:
        return Fetch.RECHECK
    return None


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
