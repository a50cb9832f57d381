"""A crawl killed mid-way loses no committed article and leaves no half-written one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from db.engine import make_engine
from newsmon.sample_site import EXPECTED, SNIPPETS, SampleSite, sources_yaml
from tests.test_crawl_e2e import FAST, ROOT, newsmon, stored


def _count(engine: Engine) -> int:
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM articles")).scalar_one()
    except OperationalError:
        return 0  # not created yet
    except ProgrammingError:
        return 0  # PostgreSQL: the table is not created yet


def test_sigkill_mid_crawl_keeps_committed_articles_whole(db_url, tmp_path):
    db = db_url
    engine = make_engine(db)
    with SampleSite(slow_seconds=0.5) as site:
        sources = tmp_path / "sources.yaml"
        sources.write_text(sources_yaml(site.base_url), encoding="utf-8")
        slow = ["-s", "NEWSMON_STORE_BATCH=2", "-s", "DOWNLOAD_DELAY=0.3", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]
        env = {**os.environ, "NEWSMON_DB": db, "NEWSMON_SOURCES": str(sources)}
        crawl = subprocess.Popen([sys.executable, "-m", "newsmon.cli", "crawl", *FAST, *slow], env=env, cwd=ROOT,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while _count(engine) < 3 and time.monotonic() < deadline and crawl.poll() is None:
            time.sleep(0.05)
        crawl.send_signal(signal.SIGKILL)
        crawl.wait(timeout=10)

        total = sum(len(items) for items in EXPECTED.values())
        if engine.dialect.name == "sqlite":
            with engine.connect() as connection:
                assert connection.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
        survivors = stored(db)
        assert 3 <= len(survivors) < total, "the kill should land mid-crawl"
        titles = {site.base_url + a["path"]: a["title"] for items in EXPECTED.values() for a in items}
        for url, article in survivors.items():
            assert article.title == titles[url]
            path = url.removeprefix(site.base_url)
            if path in SNIPPETS:
                assert SNIPPETS[path] in article.body

        # the next crawl picks up what the killed one had not committed
        newsmon("crawl", *FAST, db=db, sources=sources)
        assert set(stored(db)) == set(titles)
    engine.dispose()
