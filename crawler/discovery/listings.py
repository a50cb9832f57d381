"""A crawl's listings (feeds, sitemaps, section pages): fetched conditionally, and what each fetch came to.

A listing's fetch carries the validators of its last 200 that was read in full (If-None-Match / If-Modified-Since,
as article re-fetches do: crawler.freshness), so an unchanged listing answers 304 and costs no parsing. A 200's
validators are kept only when every lead it gave was tried: if an article it led to failed for a reason that may
pass (a server error, a timeout) or raised in the spider or a pipeline, a batch of articles could not be stored, or
the crawl stopped early, the listing is read in full next time, so that nothing it lists is lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from crawler.freshness import conditional_headers
from db.listings import Listing, ListingFetch, ListingOutcome

# Article failures that trying again will not cure; any other failure leaves its listing to be read in full again.
_LASTING = {"robots_disallowed", "ignored"}
_PASSING_4XX = {"http_408", "http_429"}


def may_pass(error_kind: str) -> bool:
    """Whether a failure (named by crawler.failures.error_kind) may not happen again: a 5xx, a timeout, no answer,
    a request refused while its site's robots.txt could not be read (``robots_unreachable``)."""
    if error_kind in _LASTING:
        return False
    return not error_kind.startswith("http_4") or error_kind in _PASSING_4XX


class CrawlListings:
    """The listings of one crawl of a source: what was known of them when it began, and what their fetches gave."""

    def __init__(self, known: Mapping[str, Listing] | None = None, conditional: bool = True) -> None:
        self._known = dict(known or {})
        self._conditional = conditional
        self._fetches: list[ListingFetch] = []
        self._unfinished: set[str] = set()

    def headers(self, url: str) -> dict[str, str]:
        """The headers that make the fetch of ``url`` conditional, when it has been read before."""
        known = self._known.get(url)
        if not self._conditional or known is None:
            return {}
        return conditional_headers(known.etag, known.last_modified)

    def children(self, url: str) -> tuple[str, ...]:
        """The child sitemaps ``url`` listed when it was last read (for a sitemap index that answers 304)."""
        known = self._known.get(url)
        return known.children if known else ()

    def fetched(self, fetch: ListingFetch) -> None:
        self._fetches.append(fetch)

    def unfinished(self, url: str) -> None:
        """A lead of listing ``url`` failed for a reason that may pass: read it in full next time."""
        self._unfinished.add(url)

    def outcomes(self, complete: bool) -> list[ListingFetch]:
        """The fetches of this crawl, in order; ``complete`` is False when the crawl stopped early or could not
        store every article, so that no listing it read counts as read in full."""
        return [
            replace(fetch, outcome=ListingOutcome.UNFINISHED)
            if fetch.outcome is ListingOutcome.READ and (not complete or fetch.url in self._unfinished)
            else fetch
            for fetch in self._fetches
        ]
