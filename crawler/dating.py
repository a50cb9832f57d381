"""Which date wins: the one place the confidence order of date sources is coded.

Page metadata (a per-source selector, JSON-LD, meta tags, ``<time datetime>``) is written for machines
and beats the feed or sitemap entry; the entry beats what is inferred from the page's URL or read from
its visible text, where a sidebar or a half-understood phrase can mislead.
"""

from __future__ import annotations

from datetime import datetime

_INFERRED = ("url", "text", "htmldate")  # provenance prefixes of dates the page did not state for machines


def choose_date(
    page: datetime | None, page_from: str | None, listing: datetime | None, listing_from: str
) -> tuple[datetime | None, str | None]:
    """The date to keep and where it came from, page versus the feed/sitemap entry that linked to it."""
    if page is not None and not (page_from or "").startswith(_INFERRED):
        return page, page_from
    if listing is not None:
        return listing, listing_from
    return page, page_from if page is not None else None
