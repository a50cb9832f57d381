"""Which date wins: the one place the confidence order of date sources is coded.

Page metadata (a per-source selector, JSON-LD, meta tags, ``<time datetime>``) is written for machines
and beats the feed or sitemap entry; the entry beats what is inferred from the page's URL or read from
its visible text, where a sidebar or a half-understood phrase can mislead.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

_EARLIEST = datetime(1995, 1, 1, tzinfo=timezone.utc)  # no news site published before this
_SKEW = timedelta(days=1)  # time zones and clock skew, not articles from tomorrow
_INFERRED = ("url", "text", "htmldate")  # provenance prefixes of dates the page did not state for machines


def choose_date(
    page: datetime | None, page_from: str | None, listing: datetime | None, listing_from: str,
    now: datetime | None = None,
) -> tuple[datetime | None, str | None]:
    """The date to keep and where it came from, page versus the feed/sitemap entry that linked to it.

    An impossible date (before 1995, or in the future) is passed over for the next source, not kept.
    """
    now = now or datetime.now(timezone.utc)
    page = page if possible(page, now) else None
    listing = listing if possible(listing, now) else None
    if page is not None and not (page_from or "").startswith(_INFERRED):
        return page, page_from
    if listing is not None:
        return listing, listing_from
    return page, page_from if page is not None else None


def possible(value: datetime | None, now: datetime) -> bool:
    """Whether a publication date could be true; a naive one is judged as UTC (a day of skew covers any zone)."""
    if value is None:
        return False
    aware = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return _EARLIEST <= aware <= now + _SKEW
