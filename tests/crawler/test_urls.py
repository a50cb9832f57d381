import pytest

from crawler.urls import canonical_url, clean_url, in_domains


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://WWW.Example.com/a/1?utm_source=rss&utm_medium=feed", "https://www.example.com/a/1"),
        ("https://example.com/a?id=5&fbclid=xyz#comments", "https://example.com/a?id=5"),
        ("https://example.com:443/a?gclid=1&page=2", "https://example.com/a?page=2"),
        ("http://127.0.0.1:8080/almanar/article/1?utm_campaign=x", "http://127.0.0.1:8080/almanar/article/1"),
        ("https://www.derstandard.at/story/300?ref=rss", "https://www.derstandard.at/story/300"),
        ("https://example.com", "https://example.com/"),
    ],
)
def test_clean_url_drops_tracking_and_fragment_keeps_meaningful_params(url, expected):
    assert clean_url(url) == expected


def test_canonical_url_prefers_declared_canonical_on_same_site():
    assert canonical_url("https://example.com/a/1?utm_source=x", "https://www.example.com/a/1") == "https://www.example.com/a/1"


def test_canonical_url_ignores_declared_canonical_on_another_site():
    # a syndicated copy pointing at the original outlet is still this outlet's article
    assert canonical_url("https://copy.example/a/1", "https://original.example/story/9") == "https://copy.example/a/1"


def test_in_domains_allows_subdomains_only_of_listed_hosts():
    domains = ["almanar.com.lb"]
    assert in_domains("https://www.almanar.com.lb/article/1", domains)
    assert in_domains("https://english.almanar.com.lb/x", domains)
    assert not in_domains("https://almanar.com.lb.evil.example/x", domains)
    assert not in_domains("https://notalmanar.com.lb/x", domains)


def test_arabic_slug_raw_and_encoded_give_one_url():
    raw = clean_url("https://example.com/أخبار/شويغو-في-طهران?utm_source=rss")
    encoded = clean_url("https://example.com/%d8%a3%d8%ae%d8%a8%d8%a7%d8%b1/%D8%B4%D9%88%D9%8A%D8%BA%D9%88-%D9%81%D9%8A-%D8%B7%D9%87%D8%B1%D8%A7%D9%86")
    assert raw == encoded
    assert raw.isascii()


def test_query_pairs_keep_their_spelling():
    assert clean_url("https://example.com/search?q=a%20b&utm_medium=x&page=2") == "https://example.com/search?q=a%20b&page=2"


def test_home_page_canonical_is_not_believed_for_an_article():
    assert canonical_url("https://example.com/article/7", "https://example.com/") == "https://example.com/article/7"


@pytest.mark.parametrize("bad", ["http://example.com:abc/x", "http://[bad/x"])
def test_unparseable_url_raises_value_error(bad):
    with pytest.raises(ValueError):
        clean_url(bad)


@pytest.mark.parametrize(
    "amp",
    ["https://example.com/news/story-1/amp", "https://example.com/news/story-1/amp/", "https://example.com/news/story-1.amp",
     "https://example.com/news/story-1?amp=1", "https://example.com/news/story-1?outputType=amp&utm_source=x"],
)
def test_amp_variants_without_a_canonical_map_to_the_page(amp):
    assert canonical_url(amp, None) == "https://example.com/news/story-1"


def test_a_declared_canonical_wins_over_amp_guessing():
    assert canonical_url("https://example.com/amp/story/1", "https://example.com/story/1") == "https://example.com/story/1"
