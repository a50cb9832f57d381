"""A cluster as users run it: a `newsmon run --redis` scheduler node and `newsmon worker` processes, on the CI
machine's Redis and PostgreSQL (NEWSMON_TEST_REDIS_URL, NEWSMON_TEST_POSTGRES_URL), against the sample site.
Each test has its own Redis key prefix and PostgreSQL schema."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

from db.engine import make_engine
from newsmon.sample_site import EXPECTED, SNIPPETS, SampleSite, sources_yaml
from tests.test_crawl_e2e import FAST, ROOT, newsmon, stored
from tests.test_scheduler_e2e import runs, sources_text, wait_for

REDIS_URL = os.environ.get("NEWSMON_TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="NEWSMON_TEST_REDIS_URL is not set")


@pytest.fixture
def prefix():
    import redis

    prefix = f"newsmon_test_{uuid.uuid4().hex[:10]}"
    yield prefix
    server = redis.Redis.from_url(REDIS_URL)
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)


@pytest.fixture(scope="module")
def site():
    with SampleSite(slow_seconds=0.5) as site:
        yield site


class Node:
    """A `newsmon worker` or `newsmon run --redis` process, its log in a file."""

    def __init__(self, command: str, db: str, sources: Path, log: Path, prefix: str, *args: str) -> None:
        self.log = log
        env = {**os.environ, "NEWSMON_DB": db, "NEWSMON_SOURCES": str(sources)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "newsmon.cli", command, "--redis", REDIS_URL, "--redis-prefix", prefix, *args],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log.open("w"))

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8")

    def stop(self, timeout: float = 60) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)


def _ready(db: str, sources: Path) -> None:
    # the schema first: two processes creating it at once would race
    assert newsmon("db", "upgrade", db=db, sources=sources).returncode == 0


def _all_runs_ended(db: str, names: set[str]) -> bool:
    done = [(name, status) for name, status, _ in runs(db) if name in names]
    return {name for name, _ in done} == names and all(status != "running" for _, status in done)


def _url_rows(db: str) -> list[str]:
    engine = make_engine(db)
    with engine.connect() as connection:
        urls = connection.execute(text("SELECT url FROM articles")).scalars().all()
    engine.dispose()
    return list(urls)


def _expected(site: SampleSite) -> dict[str, str]:
    return {site.base_url + a["path"]: a["title"] for items in EXPECTED.values() for a in items}


def test_a_scheduler_and_two_workers_store_every_article_once(postgres_url, site, prefix, tmp_path):
    db = postgres_url
    sources = tmp_path / "sources.yaml"
    sources.write_text(sources_yaml(site.base_url), encoding="utf-8")
    _ready(db, sources)
    workers = [Node("worker", db, sources, tmp_path / f"worker{n}.log", prefix, *FAST) for n in (1, 2)]
    scheduler = Node("run", db, sources, tmp_path / "run.log", prefix)
    try:
        wait_for(lambda: _all_runs_ended(db, set(EXPECTED) | {"offline"}), "every source's run to end", timeout=120)
    finally:
        assert scheduler.stop() == 0, scheduler.text()
        for worker in workers:
            assert worker.stop() == 0, worker.text()

    urls = _url_rows(db)
    assert sorted(urls) == sorted(_expected(site)), "every expected article, each exactly once"
    outcomes = {name: status for name, status, _ in runs(db)}
    assert outcomes.pop("offline") == "failed"
    assert set(outcomes.values()) == {"finished"}
    # the counts of each run are summed over both workers: the runs' "stored" add up to the articles stored
    engine = make_engine(db)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT sum(stored) FROM crawl_runs")).scalar_one() == len(urls)
    engine.dispose()
    pages = [int(m.group(1)) for w in workers for m in [re.search(r"worker: (\d+) pages.*shutdown", w.text())]]
    assert all(pages), f"both workers should have fetched pages: {pages}"
    assert "Crawled almanar" in "".join(w.text() for w in workers)
    status = newsmon("cluster", "status", "--redis", REDIS_URL, "--redis-prefix", prefix, "--format", "json",
                     db=db, sources=sources)
    assert status.returncode == 0, status.stderr
    assert '"requests_queued": 0' in status.stdout and '"source": "almanar"' in status.stdout


def test_a_worker_killed_mid_crawl_loses_nothing(postgres_url, site, prefix, tmp_path):
    db = postgres_url
    sources = tmp_path / "sources.yaml"
    names = {"almanar", "wire", "alakhbar"}
    sources.write_text(sources_text(site.base_url, {name: "1h" for name in names}), encoding="utf-8")
    _ready(db, sources)
    slow = ["-s", "NEWSMON_STORE_BATCH=2", "-s", "DOWNLOAD_DELAY=0.3", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1",
            "-s", "NEWSMON_CLUSTER_HEARTBEAT_TTL=3"]
    doomed = Node("worker", db, sources, tmp_path / "doomed.log", prefix, *FAST, *slow)
    enqueue = newsmon("run", "--once", "--redis", REDIS_URL, "--redis-prefix", prefix, db=db, sources=sources)
    assert enqueue.returncode == 0, enqueue.stderr
    wait_for(lambda: len(_url_rows(db)) >= 3, "the crawl to be under way", timeout=60)
    doomed.process.send_signal(signal.SIGKILL)
    doomed.process.wait(timeout=10)
    expected = {url: title for url, title in _expected(site).items() if url.split("/")[3] in names}
    assert len(_url_rows(db)) < len(expected), "the kill should land mid-crawl"

    survivor = Node("worker", db, sources, tmp_path / "survivor.log", prefix, *FAST)
    try:
        wait_for(lambda: _all_runs_ended(db, names), "the runs to end on the other worker", timeout=90)
    finally:
        assert survivor.stop() == 0, survivor.text()
    assert "stopped answering" in survivor.text(), "the killed worker's requests should have been requeued"
    urls = _url_rows(db)
    assert sorted(urls) == sorted(expected), "every article stored, none twice"
    for url, article in stored(db).items():
        assert article.title == expected[url]
        if (snippet := SNIPPETS.get(url.removeprefix(site.base_url))) is not None:
            assert snippet in article.body
    assert {status for name, status, _ in runs(db)} == {"finished"}


def test_two_scheduler_nodes_enqueue_each_slot_once(site, prefix, tmp_path):
    # Two schedulers on one database refuse each other (db.lease); the mistake the guard catches is two on
    # different databases, so different job stores, sharing the cluster's Redis. No workers: every slot's
    # decision is in the two logs ("enqueued", or "busy" while the first run waits), and in Redis.
    sources = tmp_path / "sources.yaml"
    sources.write_text(sources_text(site.base_url, {"almanar": "1s", "wire": "1s"}), encoding="utf-8")
    nodes = [Node("run", f"sqlite:///{tmp_path / f'node{n}.db'}", sources, tmp_path / f"node{n}.log", prefix)
             for n in (1, 2)]
    try:
        # with the same schedule, whichever node fires first in a slot takes it; the other finds it taken
        wait_for(lambda: sum(n.text().count("already enqueued by another scheduler") for n in nodes) >= 6,
                 "the schedulers to meet slots the other took", timeout=30)
    finally:
        for node in nodes:
            assert node.stop() == 0, node.text()
    decided = [set(re.findall(r"Source (\w+), slot (\S+): (?:enqueued|its previous run)", n.text())) for n in nodes]
    taken = [set(re.findall(r"Source (\w+), slot (\S+): already enqueued", n.text())) for n in nodes]
    assert not decided[0] & decided[1], f"slots enqueued by both: {sorted(decided[0] & decided[1])}"
    assert taken[0] <= decided[1] and taken[1] <= decided[0]
    assert len({slot for _, slot in decided[0] | decided[1]}) >= 3
    import redis

    server = redis.Redis.from_url(REDIS_URL)
    assert server.llen(f"{prefix}:starts") == 2  # one run per source: later slots wait for it (no worker here)


class _Flaky:
    """A site of one feed and two articles; /a/1 answers 503 the first time it is asked for."""

    def __init__(self) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        hits: dict[str, int] = {}
        body = "<p>" + " ".join(f"Sentence {i} about the matter at hand, told at length." for i in range(80)) + "</p>"

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                hits[self.path] = hits.get(self.path, 0) + 1
                base = f"http://127.0.0.1:{self.server.server_port}"
                if self.path == "/feed.xml":
                    items = "".join(f"<item><title>Article {n}</title><link>{base}/a/{n}</link>"
                                    "<pubDate>Sun, 29 Nov 2026 10:00:00 GMT</pubDate></item>" for n in (1, 2))
                    page, kind = f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>' \
                                 f"<link>{base}/</link>{items}</channel></rss>", "application/rss+xml"
                elif self.path == "/a/1" and hits[self.path] == 1:
                    self.send_response(503)
                    self.end_headers()
                    return
                elif self.path.startswith("/a/"):
                    page = (f"<html lang=en><head><title>Article {self.path[3:]}</title><meta property="
                            '"article:published_time" content="2026-11-29T10:00:00Z"></head><body><article>'
                            f"<h1>Article {self.path[3:]}</h1>{body}</article></body></html>")
                    kind = "text/html; charset=utf-8"
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                data = page.encode()
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def sources(self) -> str:
        return (f"sources:\n  - name: tiny\n    title: Tiny\n    url: {self.base_url}/\n    language: en\n"
                f"    every: 1h\n    feeds: [{self.base_url}/feed.xml]\n")


def test_an_article_whose_fetch_failed_is_fetched_again_next_run(prefix, tmp_path):
    # The duplicate filter must forget a page that answered 503, or it is not asked for again for days.
    import json
    import time

    import redis

    site = _Flaky()
    db = f"sqlite:///{tmp_path / 'flaky.db'}"
    sources = tmp_path / "sources.yaml"
    sources.write_text(site.sources(), encoding="utf-8")
    _ready(db, sources)
    server = redis.Redis.from_url(REDIS_URL)
    worker = Node("worker", db, sources, tmp_path / "worker.log", prefix, *FAST)
    try:
        for slot in (1, 2):  # two runs of the source, one after the other
            server.lpush(f"{prefix}:starts", json.dumps({"source": "tiny", "slot": slot, "enqueued_at": time.time()}))
            wait_for(lambda: server.llen(f"{prefix}:finished") >= slot, f"run {slot} to end", timeout=60)
    finally:
        assert worker.stop() == 0, worker.text()
        site.server.shutdown()
    assert sorted(_url_rows(db)) == [f"{site.base_url}/a/1", f"{site.base_url}/a/2"], worker.text()
