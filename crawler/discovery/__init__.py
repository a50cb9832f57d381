"""Discovery: turn feeds, sitemaps and section pages into leads to article pages."""

from crawler.discovery.leads import Lead, newest_first

__all__ = ["Lead", "newest_first"]
