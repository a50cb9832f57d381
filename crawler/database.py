"""The database a crawl writes to, opened once per process and URL."""

from __future__ import annotations

from functools import lru_cache

from scrapy.crawler import Crawler
from sqlalchemy.orm import Session, sessionmaker

from db.engine import open_database, session_factory
from newsmon.settings import Settings


def crawl_sessions(crawler: Crawler) -> sessionmaker[Session]:
    """Sessions on the database named by the crawl's ``NEWSMON_DB`` setting (or the environment)."""
    return _sessions(Settings.load(db=crawler.settings.get("NEWSMON_DB")).db_url)


@lru_cache(maxsize=8)
def _sessions(url: str) -> sessionmaker[Session]:
    return session_factory(open_database(url))
