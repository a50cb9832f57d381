from datetime import datetime, timezone

import pytest

from crawler.discovery import Lead, newest_first
from crawler.discovery.feeds import is_malformed, parse_feed
from crawler.discovery.sitemaps import parse_sitemap
from newsmon.errors import FetchError

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>المنار</title><language>ar-LB</language>
<item><title>شويغو في طهران</title><link>https://www.almanar.com.lb/article/1</link>
<pubDate>Wed, 20 Sep 2023 14:35:00 +0300</pubDate></item>
<item><title>بلا تاريخ</title><link>https://www.almanar.com.lb/article/2</link></item>
</channel></rss>""".encode()

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title>
<entry><title>Ceasefire talks</title><link rel="alternate" href="https://wire.example/world/1"/>
<published>2024-05-03T10:00:00Z</published><updated>2024-05-03T12:30:00Z</updated></entry>
</feed>"""


def test_rss_entries_with_dates_in_utc_and_feed_language():
    leads = parse_feed(RSS, "https://www.almanar.com.lb/rss")
    assert [lead.url for lead in leads] == ["https://www.almanar.com.lb/article/1", "https://www.almanar.com.lb/article/2"]
    assert leads[0].published == datetime(2023, 9, 20, 11, 35, tzinfo=timezone.utc)
    assert leads[0].language == "ar"
    assert leads[1].published is None


def test_atom_published_and_updated():
    [lead] = parse_feed(ATOM, "https://wire.example/atom.xml")
    assert lead.url == "https://wire.example/world/1"
    assert lead.published == datetime(2024, 5, 3, 10, 0, tzinfo=timezone.utc)
    assert lead.modified == datetime(2024, 5, 3, 12, 30, tzinfo=timezone.utc)


def test_truncated_feed_keeps_the_entries_before_the_break():
    truncated = RSS[: RSS.index(b"<item><title>\xd8\xa8\xd9\x84\xd8\xa7")] + b"<item><title>"
    leads = parse_feed(truncated, "https://www.almanar.com.lb/rss")
    assert [lead.url for lead in leads] == ["https://www.almanar.com.lb/article/1"]
    assert is_malformed(truncated)


def test_html_error_page_is_not_a_feed():
    with pytest.raises(FetchError, match="invalid feed"):
        parse_feed(b"<html><body><h1>502 Bad Gateway</h1></body></html>", "https://example.com/rss")


def test_sitemap_index_lists_child_sitemaps():
    body = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <sitemap><loc>https://wire.example/sitemap-news.xml</loc></sitemap>
    <sitemap><loc> https://wire.example/sitemap-2024.xml </loc><lastmod>2024-05-01</lastmod></sitemap></sitemapindex>"""
    content = parse_sitemap(body, "https://wire.example/sitemap_index.xml")
    assert content.sitemaps == ["https://wire.example/sitemap-news.xml", "https://wire.example/sitemap-2024.xml"]
    assert content.leads == []


def test_google_news_sitemap_gives_title_date_and_language():
    body = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
      xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
    <url><loc>https://wire.example/world/1</loc><lastmod>2024-05-03T12:30:00+00:00</lastmod>
      <news:news><news:publication><news:name>Wire</news:name><news:language>en</news:language></news:publication>
      <news:publication_date>2024-05-03T10:00:00+02:00</news:publication_date><news:title>Ceasefire talks</news:title></news:news></url>
    <url><loc>https://wire.example/world/2</loc></url></urlset>"""
    first, second = parse_sitemap(body, "https://wire.example/news.xml").leads
    assert first.title == "Ceasefire talks"
    assert first.published == datetime(2024, 5, 3, 8, 0, tzinfo=timezone.utc)
    assert first.modified == datetime(2024, 5, 3, 12, 30, tzinfo=timezone.utc)
    assert first.language == "en"
    assert second.url == "https://wire.example/world/2" and second.published is None


def test_gzipped_sitemap():
    import gzip

    body = gzip.compress(b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://a.example/1</loc></url></urlset>')
    assert [lead.url for lead in parse_sitemap(body, "https://a.example/sitemap.xml.gz").leads] == ["https://a.example/1"]


def test_robots_txt_sitemap_lines():
    body = b"User-agent: *\nDisallow: /private/\nSitemap: https://wire.example/sitemap_index.xml\n"
    assert parse_sitemap(body, "https://wire.example/robots.txt").sitemaps == ["https://wire.example/sitemap_index.xml"]


def test_not_a_sitemap_is_an_error():
    with pytest.raises(FetchError, match="invalid sitemap"):
        parse_sitemap(b"<html><body>Not found</body></html>", "https://a.example/sitemap.xml")


def test_newest_first_puts_undated_leads_last_in_listing_order():
    old = Lead("https://a/1", "feed", published=datetime(2024, 1, 1, tzinfo=timezone.utc))
    new = Lead("https://a/2", "feed", published=datetime(2024, 3, 1, tzinfo=timezone.utc))
    undated_a, undated_b = Lead("https://a/3", "feed"), Lead("https://a/4", "feed")
    assert newest_first([undated_a, old, undated_b, new]) == [new, old, undated_a, undated_b]
