"""A crawl killed mid-way loses no committed article and leaves no half-written one."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from newsmon.sample_site import EXPECTED, SNIPPETS, SampleSite, sources_yaml
from tests.test_crawl_e2e import FAST, ROOT, newsmon, stored


def _count(db_file: Path) -> int:
    try:
        with sqlite3.connect(db_file, timeout=5) as connection:
            return connection.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet
        return 0


def test_sigkill_mid_crawl_keeps_committed_articles_whole(tmp_path):
    db_file = tmp_path / "newsmon.db"
    db = f"sqlite:///{db_file}"
    with SampleSite(slow_seconds=0.5) as site:
        sources = tmp_path / "sources.yaml"
        sources.write_text(sources_yaml(site.base_url), encoding="utf-8")
        slow = ["-s", "NEWSMON_STORE_BATCH=2", "-s", "DOWNLOAD_DELAY=0.3", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]
        env = {**os.environ, "NEWSMON_DB": db, "NEWSMON_SOURCES": str(sources)}
        crawl = subprocess.Popen([sys.executable, "-m", "newsmon.cli", "crawl", *FAST, *slow], env=env, cwd=ROOT,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while _count(db_file) < 3 and time.monotonic() < deadline and crawl.poll() is None:
            time.sleep(0.05)
        crawl.send_signal(signal.SIGKILL)
        crawl.wait(timeout=10)

        total = sum(len(items) for items in EXPECTED.values())
        with sqlite3.connect(db_file) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
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
