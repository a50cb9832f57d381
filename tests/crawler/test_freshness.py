from datetime import datetime, timedelta, timezone

from crawler.discovery import Lead
from crawler.freshness import Fetch, why_fetch
from db.store import StoredArticle

NOW = datetime(2024, 9, 20, 12, 0, tzinfo=timezone.utc)
LEAD = Lead(url="https://x.example/a", via="feed")


def article(age: timedelta, last_check: timedelta | None) -> StoredArticle:
    return StoredArticle(id=1, url=LEAD.url, fetched_url=LEAD.url, published_at=NOW - age, listed_at=None,
                         fetched_at=NOW - age, checked_at=None if last_check is None else NOW - last_check,
                         etag=None, last_modified=None)


def test_recent_articles_are_rechecked_when_the_last_check_is_half_their_age_ago():
    window = timedelta(hours=48)
    assert why_fetch(LEAD, article(timedelta(hours=4), timedelta(hours=2)), window, NOW) is Fetch.RECHECK
    assert why_fetch(LEAD, article(timedelta(hours=4), timedelta(hours=1)), window, NOW) is None
    assert why_fetch(LEAD, article(timedelta(hours=40), timedelta(hours=19)), window, NOW) is None
    assert why_fetch(LEAD, article(timedelta(hours=40), timedelta(hours=20)), window, NOW) is Fetch.RECHECK
    assert why_fetch(LEAD, article(timedelta(hours=49), timedelta(hours=40)), window, NOW) is None  # too old
    assert why_fetch(LEAD, article(timedelta(hours=3), None), window, NOW) is Fetch.RECHECK  # fetched once, 3 h ago
    assert why_fetch(LEAD, article(timedelta(hours=3), None), None, NOW) is None  # the source does not recheck


def test_rechecks_of_a_source_crawled_every_five_minutes_stay_few():
    window, every = timedelta(hours=48), timedelta(minutes=5)
    checked, checks = timedelta(0), 0
    for step in range(1, int(window / every) + 1):
        now = step * every
        if why_fetch(LEAD, article(now, now - checked), window, NOW) is Fetch.RECHECK:
            checked, checks = now, checks + 1
    assert 8 <= checks <= 12
