"""crawler.offload: article extraction in a process pool stores what inline extraction stores, survives a worker
that dies with a page in hand, and keeps one pool (no more processes) across the crawls of one process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from db.engine import open_database, session_factory
from db.models import Article
from newsmon.sample_site import EXPECTED, SampleSite

ROOT = Path(__file__).resolve().parents[2]
CRASH_ON = "/almanar/article/1002"  # the page a pool worker dies on, once (see crashing_prepare)
COLUMNS = ("url", "title", "body", "language", "language_from", "authors", "published_at", "published_from",
           "modified_at", "description", "credited_source", "section", "tags", "image", "provenance")


@pytest.fixture(scope="module")
def site():
    with SampleSite(slow_seconds=0.2) as site:
        yield site


def rows(db: str) -> dict[str, tuple]:
    with session_factory(open_database(db))() as session:
        articles = session.scalars(select(Article)).all()
        stories = {}  # story ids as the URL of their first article: comparable across databases
        for article in sorted(articles, key=lambda a: a.url):
            stories.setdefault(article.story_id, article.url)
        return {a.url: (*(getattr(a, c) for c in COLUMNS), stories[a.story_id]) for a in articles}


def run_crawls(sources: Path, dbs: list[str], processes: int, crash_marker: Path | None = None) -> list[dict]:
    """Crawl every source once per database, one crawl after another in one process (as `newsmon run` does);
    what each crawl saw of the pool, from :func:`_crawls` in a child Python."""
    arguments = json.dumps({"sources": str(sources), "dbs": dbs, "processes": processes,
                            "crash_marker": str(crash_marker) if crash_marker else None})
    code = f"from tests.crawler.test_offload import _crawls; _crawls({arguments!r})"
    result = subprocess.run([sys.executable, "-c", code],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_pool_stores_the_same_articles_as_inline(tmp_path, sources_file):
    pooled, inline = f"sqlite:///{tmp_path / 'pool.db'}", f"sqlite:///{tmp_path / 'inline.db'}"
    (with_pool,) = run_crawls(sources_file, [pooled], processes=2)
    (without,) = run_crawls(sources_file, [inline], processes=0)

    assert rows(pooled) == rows(inline)
    assert len(rows(pooled)) == sum(len(items) for items in EXPECTED.values())
    assert with_pool["workers"] == 2 and without["workers"] == 0
    # langdetect ran in the pool, on the very text the pipeline examined, for every article whose letters do not
    # settle its language (the English ones here; Arabic and Persian are settled by their letters, unasked)
    by_langdetect = [row for row in rows(pooled).values() if row[COLUMNS.index("language_from")] == "langdetect"]
    assert with_pool["guessed_here"] == 0 and with_pool["guessed_ahead"] == len(by_langdetect) > 0
    # and its texts were cleaned there too, once
    assert with_pool["cleaned_here"] == 0 and with_pool["cleaned_ahead"] == len(rows(pooled))
    assert without["cleaned_ahead"] == 0 and without["cleaned_here"] == len(rows(inline))


def test_a_dead_worker_loses_no_page_and_crawls_reuse_one_pool(tmp_path, sources_file):
    marker = tmp_path / "crashed"
    dbs = [f"sqlite:///{tmp_path / f'run{i}.db'}" for i in range(3)]
    crawls = run_crawls(sources_file, dbs, processes=2, crash_marker=marker)

    assert marker.exists()  # a worker did die, with the page in hand
    assert crawls[0]["restarts"] >= 1
    expected = sum(len(items) for items in EXPECTED.values())
    for db, crawl in zip(dbs, crawls):
        assert len(rows(db)) == expected, crawl  # nothing lost to the dead worker
        assert crawl["workers"] == crawl["children"] == 2, crawl  # the new pool's; the broken one's are gone
    assert crawls[1]["pids"] == crawls[2]["pids"]  # later crawls use the same processes
    assert crawls[1]["restarts"] == crawls[2]["restarts"] == 0


# --- run in a child Python by run_crawls ---------------------------------------------------------------------------

def crashing_prepare(body, url, *args):
    """crawler.offload.prepare, except that the first worker to get CRASH_ON dies (SIGKILL) with it."""
    from crawler.offload import prepare

    marker = os.environ.get("NEWSMON_TEST_CRASH_MARKER")
    if marker and url.endswith(CRASH_ON):
        try:
            os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            pass
        else:
            os.kill(os.getpid(), 9)
    return prepare(body, url, *args)


def _crawls(arguments: str) -> None:
    import asyncio
    import multiprocessing

    from scrapy.utils.reactor import install_reactor

    install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
    from scrapy.crawler import AsyncCrawlerRunner
    from twisted.internet import reactor

    import crawler.offload as offload
    from crawler.spiders.news import NewsSpider
    from newsmon.config import load_sources
    from newsmon.crawl import LOCAL_SITE_SETTINGS, scrapy_settings
    from newsmon.settings import Settings

    args = json.loads(arguments)
    if args["crash_marker"]:
        os.environ["NEWSMON_TEST_CRASH_MARKER"] = args["crash_marker"]
        offload.prepare = crashing_prepare
    sources = [s for s in load_sources(Path(args["sources"])).enabled if s.name != "offline"]
    report: list[dict] = []

    async def crawl_all() -> None:
        for db in args["dbs"]:
            settings = Settings(db_url=db, sources_path=Path(args["sources"]))
            open_database(db)
            runner = AsyncCrawlerRunner(scrapy_settings(
                settings, {**LOCAL_SITE_SETTINGS, "NEWSMON_EXTRACT_PROCESSES": args["processes"]}))
            crawlers = [runner.create_crawler(NewsSpider) for _ in sources]
            await asyncio.gather(*(runner.crawl(c, source=s) for c, s in zip(crawlers, sources)))
            stats = [c.stats.get_stats() for c in crawlers]
            pool = offload._pool
            pids = sorted(p.pid for p in pool._processes.values() if p.is_alive()) if pool is not None else []
            report.append({
                "workers": len(pids), "pids": pids,
                "children": len(multiprocessing.active_children()),
                "restarts": sum(s.get("newsmon/extract_pool_restarts", 0) for s in stats),
                "guessed_ahead": sum(s.get("language/guessed_ahead", 0) for s in stats),
                "guessed_here": sum(s.get("language/guessed_here", 0) for s in stats),
                "cleaned_ahead": sum(s.get("normalize/cleaned_ahead", 0) for s in stats),
                "cleaned_here": sum(s.get("normalize/cleaned_here", 0) for s in stats),
            })

    def start() -> None:
        task = asyncio.ensure_future(crawl_all())
        task.add_done_callback(lambda _: reactor.stop())

    reactor.callWhenRunning(start)
    reactor.run(installSignalHandlers=False)
    print(json.dumps(report))


def test_workers_go_with_a_killed_crawl_process():
    import signal
    import time

    code = ("import crawler.offload as o; o.warm(2).result(); "
            "print(*sorted(p.pid for p in o._pool._processes.values()), flush=True); import time; time.sleep(60)")
    process = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    workers = [int(pid) for pid in process.stdout.readline().split()]
    assert len(workers) == 2
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]
