"""Listing states: per feed, sitemap and section page of a source, what its fetches answered.

The validators (ETag, Last-Modified) are those of the last 200 that was read in full; they are sent back so an
unchanged listing answers 304. The caller owns the session and the transaction.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import ListingState, utcnow
from db.store import _insert_for


class ListingOutcome(enum.StrEnum):
    READ = "read"                  # a 200, read, and every lead it gave was tried: its validators are kept
    UNFINISHED = "unfinished"      # a 200, read, but not every lead could be tried: the next fetch reads it in full
    NOT_MODIFIED = "not_modified"  # a 304: unchanged since it was last read
    FAILED = "failed"              # an HTTP error, no answer, or a body that is no feed or sitemap


@dataclass(frozen=True)
class ListingFetch:
    """One fetch of a listing and what it came to."""

    url: str
    outcome: ListingOutcome
    status: int | None = None          # None: no answer (timeout, refused, …)
    etag: str | None = None
    last_modified: str | None = None
    children: tuple[str, ...] = ()     # the child sitemaps of an index (or robots.txt) that was read


@dataclass(frozen=True)
class Listing:
    """What is known of a listing of a source."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    last_status: int | None = None
    checked_at: datetime | None = None
    changed_at: datetime | None = None
    failures: int = 0
    children: tuple[str, ...] = ()

    def after(self, fetch: ListingFetch, now: datetime) -> Listing:
        """This listing once ``fetch`` is applied: the one place a fetch's outcome is applied.

        Validators change only with a 200 read in full; anything else keeps those of the last one, so a listing
        that failed or was left unfinished is read again in full as soon as it has changed since.
        """
        state = replace(self, last_status=fetch.status, checked_at=now)
        if fetch.outcome is ListingOutcome.FAILED:
            return replace(state, failures=self.failures + 1)
        state = replace(state, failures=0)
        if fetch.outcome is ListingOutcome.NOT_MODIFIED:
            return state
        state = replace(state, changed_at=now, children=fetch.children)
        if fetch.outcome is ListingOutcome.READ:
            return replace(state, etag=fetch.etag, last_modified=fetch.last_modified)
        return state


_COLUMNS = ("etag", "last_modified", "last_status", "checked_at", "changed_at", "failures", "children")


def load_listings(session: Session, source_id: int) -> dict[str, Listing]:
    """Every listing of the source that was fetched before, by URL (one query)."""
    rows = session.scalars(select(ListingState).where(ListingState.source_id == source_id))
    return {row.url: _listing(row) for row in rows}


def record_listings(session: Session, source_id: int, fetches: Sequence[ListingFetch], now: datetime | None = None) -> None:
    """Apply a crawl's listing fetches, in order, to the stored states: one read and one upsert for them all."""
    if not fetches:
        return
    now = now or utcnow()
    urls = {fetch.url for fetch in fetches}
    query = select(ListingState).where(ListingState.source_id == source_id, ListingState.url.in_(urls))
    states = {row.url: _listing(row) for row in session.scalars(query)}
    for fetch in fetches:
        states[fetch.url] = states.get(fetch.url, Listing(fetch.url)).after(fetch, now)
    rows = [{"source_id": source_id, "url": state.url, **{c: getattr(state, c) for c in _COLUMNS}} for state in states.values()]
    for row in rows:
        row["children"] = list(row["children"])
    insert = _insert_for(session)(ListingState).values(rows)
    # ON CONFLICT: another crawler of the same source may have written the row since it was read; last write wins.
    session.execute(insert.on_conflict_do_update(index_elements=["source_id", "url"],
                                                 set_={c: insert.excluded[c] for c in _COLUMNS}))


def _listing(row: ListingState) -> Listing:
    return Listing(url=row.url, etag=row.etag, last_modified=row.last_modified, last_status=row.last_status,
                   checked_at=row.checked_at, changed_at=row.changed_at, failures=row.failures,
                   children=tuple(row.children or ()))
