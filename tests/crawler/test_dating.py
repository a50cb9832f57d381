from datetime import datetime, timezone

import pytest

from crawler.dating import choose_date

PAGE = datetime(2023, 9, 20, 14, 35)
FEED = datetime(2023, 9, 20, 11, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("page_from", "expected"),
    [
        ("json-ld", (PAGE, "json-ld")),
        ("meta:article:published_time", (PAGE, "meta:article:published_time")),
        ("time", (PAGE, "time")),
        ("selector", (PAGE, "selector")),
        ("url", (FEED, "feed")),
        ("text", (FEED, "feed")),
        ("text:hijri", (FEED, "feed")),
        ("htmldate", (FEED, "feed")),
    ],
)
def test_page_metadata_beats_the_feed_which_beats_inferred_dates(page_from, expected):
    assert choose_date(PAGE, page_from, FEED, "feed") == expected


def test_an_inferred_date_is_kept_when_the_listing_has_none():
    assert choose_date(PAGE, "text", None, "section") == (PAGE, "text")
    assert choose_date(None, None, None, "section") == (None, None)
    assert choose_date(None, None, FEED, "sitemap") == (FEED, "sitemap")


@pytest.mark.parametrize("impossible", [datetime(2099, 1, 1), datetime(1970, 1, 1, tzinfo=timezone.utc)])
def test_an_impossible_page_date_gives_way_to_the_feed(impossible):
    now = datetime(2024, 1, 1, tzinfo=timezone.utc)
    assert choose_date(impossible, "json-ld", FEED, "feed", now) == (FEED, "feed")
    assert choose_date(impossible, "json-ld", None, "section", now) == (None, None)
