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
