from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from db.engine import open_database, session_factory
from db.listings import Listing, ListingFetch, ListingOutcome, load_listings, record_listings
from db.models import ListingState
from db.store import upsert_source

FEED = "http://127.0.0.1:9/feed.xml"
INDEX = "http://127.0.0.1:9/sitemap_index.xml"
T0 = datetime(2024, 9, 20, 12, 0, tzinfo=timezone.utc)
READ = ListingFetch(FEED, ListingOutcome.READ, 200, '"v1"', "Fri, 20 Sep 2024 11:00:00 GMT")


@pytest.fixture
def sessions(db_url):
    return session_factory(open_database(db_url))


@pytest.fixture
def source_id(sessions):
    with sessions.begin() as session:
        return upsert_source(session, "wire", "Wire", "http://127.0.0.1:9/")


def record(sessions, source_id, *fetches, now=T0):
    with sessions.begin() as session:
        record_listings(session, source_id, list(fetches), now=now)
    with sessions() as session:
        return load_listings(session, source_id)


def test_a_200_read_in_full_keeps_its_validators_and_children(sessions, source_id):
    index = ListingFetch(INDEX, ListingOutcome.READ, 200, '"i1"', None, ("http://127.0.0.1:9/a.xml",))
    states = record(sessions, source_id, READ, index)
    assert states[FEED] == Listing(FEED, '"v1"', "Fri, 20 Sep 2024 11:00:00 GMT", 200, T0, T0, 0, ())
    assert states[INDEX].etag == '"i1"' and states[INDEX].last_modified is None
    assert states[INDEX].children == ("http://127.0.0.1:9/a.xml",)


def test_a_304_keeps_validators_children_and_change_time(sessions, source_id):
    index = ListingFetch(INDEX, ListingOutcome.READ, 200, '"i1"', None, ("http://127.0.0.1:9/a.xml",))
    record(sessions, source_id, READ, index)
    later = T0 + timedelta(hours=1)
    states = record(sessions, source_id, ListingFetch(FEED, ListingOutcome.NOT_MODIFIED, 304),
                    ListingFetch(INDEX, ListingOutcome.NOT_MODIFIED, 304), now=later)
    assert states[FEED] == Listing(FEED, '"v1"', "Fri, 20 Sep 2024 11:00:00 GMT", 304, later, T0, 0, ())
    assert states[INDEX].etag == '"i1"' and states[INDEX].children == ("http://127.0.0.1:9/a.xml",)


def test_failures_count_up_keep_the_validators_and_reset_on_success(sessions, source_id):
    record(sessions, source_id, READ)
    states = record(sessions, source_id, ListingFetch(FEED, ListingOutcome.FAILED, 503),
                    ListingFetch(FEED, ListingOutcome.FAILED, None))  # applied in order
    assert (states[FEED].failures, states[FEED].last_status, states[FEED].etag) == (2, None, '"v1"')
    assert states[FEED].changed_at == T0
    states = record(sessions, source_id, ListingFetch(FEED, ListingOutcome.NOT_MODIFIED, 304))
    assert (states[FEED].failures, states[FEED].last_status) == (0, 304)


def test_an_unfinished_read_keeps_the_old_validators_so_the_next_fetch_reads_it_again(sessions, source_id):
    record(sessions, source_id, READ)
    later = T0 + timedelta(hours=1)
    states = record(sessions, source_id, ListingFetch(FEED, ListingOutcome.UNFINISHED, 200, '"v2"', None), now=later)
    assert (states[FEED].etag, states[FEED].last_modified) == ('"v1"', "Fri, 20 Sep 2024 11:00:00 GMT")
    assert (states[FEED].changed_at, states[FEED].failures) == (later, 0)
    first = record(sessions, source_id, ListingFetch(INDEX, ListingOutcome.UNFINISHED, 200, '"i1"', None))
    assert first[INDEX].etag is None


def test_one_row_per_source_and_url(sessions, source_id):
    with sessions.begin() as session:
        other = upsert_source(session, "other", "Other", "http://127.0.0.1:9/other/")
    record(sessions, source_id, READ)
    record(sessions, source_id, READ)
    record(sessions, other, ListingFetch(FEED, ListingOutcome.FAILED, 404))
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(ListingState)) == 2
        assert load_listings(session, other)[FEED].failures == 1
        assert load_listings(session, source_id)[FEED].failures == 0


def test_nothing_recorded_is_nothing_loaded(sessions, source_id):
    assert record(sessions, source_id) == {}
