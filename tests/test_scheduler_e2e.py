"""`newsmon run` as users run it: a real process on a second-scale schedule against the sample site."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from sqlalchemy import text

from db.engine import make_engine
from newsmon.sample_site import EXPECTED, SampleSite, sources_yaml
from tests.test_crawl_e2e import FAST, ROOT, newsmon, stored


def sources_text(base_url: str, every: dict[str, str]) -> str:
    """The sample site's sources.yaml with only the sources in ``every``, on those schedules."""
    data = yaml.safe_load(sources_yaml(base_url))
    data["sources"] = [dict(s, every=every[s["name"]]) for s in data["sources"] if s["name"] in every]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


class Scheduler:
    """A `newsmon run` process whose log goes to a file the test reads."""

    def __init__(self, db: str, sources: Path, log: Path, *args: str) -> None:
        self.log = log
        env = {**os.environ, "NEWSMON_DB": db, "NEWSMON_SOURCES": str(sources)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "newsmon.cli", "run", *FAST, *args], env=env, cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=log.open("w"),
        )

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8")

    def stop(self, timeout: float = 60) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)


def runs(db: str) -> list[tuple[str, str, float]]:
    """Every crawl run so far: (source, status, seconds since the epoch it started), oldest first."""
    engine = make_engine(db)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT s.name, r.status, r.started_at FROM crawl_runs r JOIN sources s ON s.id = r.source_id "
                "ORDER BY r.id")).all()
    except Exception:  # noqa: BLE001 - the schema is not there yet
        return []
    finally:
        engine.dispose()
    return [(name, status, _epoch(started)) for name, status, started in rows]


def _epoch(value) -> float:
    if isinstance(value, str):  # SQLite hands the raw column back to a text() query
        from datetime import datetime, timezone
        value = datetime.fromisoformat(value)
        value = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return value.timestamp()


def counts(db: str, source: str) -> list[dict]:
    """The counts of each finished run of ``source``, oldest first."""
    engine = make_engine(db)
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT r.counts FROM crawl_runs r JOIN sources s ON s.id = r.source_id "
            "WHERE s.name = :name AND r.status = 'finished' ORDER BY r.id"), {"name": source}).scalars().all()
    engine.dispose()
    return [json.loads(row) if isinstance(row, str) else row for row in rows]


def finished(db: str, source: str) -> int:
    return sum(1 for name, status, _ in runs(db) if name == source and status == "finished")


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def site():
    with SampleSite(slow_seconds=0.5) as site:
        yield site


def expected_urls(site: SampleSite, *names: str) -> set[str]:
    return {site.base_url + a["path"] for name in names for a in EXPECTED[name]}


def test_sources_run_repeatedly_and_a_restart_keeps_the_schedule(db_url, site, tmp_path):
    sources = tmp_path / "sources.yaml"
    sources.write_text(sources_text(site.base_url, {"almanar": "1s", "wire": "1h"}), encoding="utf-8")
    first = Scheduler(db_url, sources, tmp_path / "first.log")
    wait_for(lambda: finished(db_url, "almanar") >= 3, "three runs of almanar")
    assert first.stop() == 0, first.text()

    assert set(stored(db_url)) == expected_urls(site, "almanar", "wire")
    assert [name for name, _, _ in runs(db_url)].count("wire") == 1, "wire runs hourly: once, at start"
    assert all(status == "finished" for _, status, _ in runs(db_url))
    assert "Crawled almanar: finished" in first.text()

    time.sleep(6)  # six of almanar's one-second slots pass while nothing runs
    before = len(runs(db_url))
    second = Scheduler(db_url, sources, tmp_path / "second.log")
    wait_for(lambda: sum(1 for name, _, _ in runs(db_url)[before:] if name == "almanar") >= 4, "almanar again")
    assert second.stop() == 0, second.text()

    after = runs(db_url)[before:]
    assert {name for name, _, _ in after} == {"almanar"}, "wire's next run is an hour away: the job store kept it"
    # The missed slots make one run at start-up. Were they run one by one, the runs after it would follow each
    # other at once (a crawl with nothing new takes a fraction of a second); on schedule they are a second apart.
    starts = [started for _, _, started in after]
    assert starts[3] - starts[1] > 1.2, f"missed slots ran in a burst: {starts}"
    assert "Scheduled" not in second.text(), "the restart re-created jobs instead of keeping them"
    assert set(stored(db_url)) == expected_urls(site, "almanar", "wire")  # nothing stored twice


def test_config_edits_add_and_remove_sources_and_a_broken_edit_is_ignored(sqlite_url, site, tmp_path):
    db = sqlite_url
    sources = tmp_path / "sources.yaml"
    sources.write_text(sources_text(site.base_url, {"almanar": "1s"}), encoding="utf-8")
    process = Scheduler(db, sources, tmp_path / "run.log")
    try:
        wait_for(lambda: finished(db, "almanar") >= 1, "almanar's first run")
        intruder = newsmon("run", "--once", db=db, sources=sources)
        assert intruder.returncode == 1 and "already scheduling" in intruder.stderr, intruder.stderr

        sources.write_text(sources_text(site.base_url, {"farsi": "1s"}), encoding="utf-8")
        wait_for(lambda: finished(db, "farsi") >= 2, "farsi, added by the edit")
        almanar_runs = finished(db, "almanar")
        time.sleep(2.5)
        assert finished(db, "almanar") == almanar_runs, "almanar was removed but still runs"

        sources.write_text(sources_text(site.base_url, {"farsi": "1s"}).replace("every: 1s", "every: soon"),
                           encoding="utf-8")
        wait_for(lambda: "Ignoring the edit" in process.text(), "the broken edit to be reported")
        assert "sources.yaml:" in process.text() and "every" in process.text()
        farsi_runs = finished(db, "farsi")
        wait_for(lambda: finished(db, "farsi") > farsi_runs, "farsi to keep its schedule")
        # farsi's feed has not changed since its first run: later runs get a 304 and parse nothing
        assert all(run.get("listings_not_modified") == 1 and "stored" not in run for run in counts(db, "farsi")[1:])

        # SIGHUP reloads without a new mtime: the edit below keeps the file's old one
        stat = sources.stat()
        sources.write_text(sources_text(site.base_url, {"farsi": "1s", "legacy": "1s"}), encoding="utf-8")
        os.utime(sources, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        time.sleep(2.5)
        assert finished(db, "legacy") == 0
        process.process.send_signal(signal.SIGHUP)
        wait_for(lambda: finished(db, "legacy") >= 1, "legacy, added by SIGHUP")
    finally:
        assert process.stop() == 0, process.text()


def test_sigterm_lets_running_crawls_commit_and_loses_nothing(db_url, site, tmp_path):
    sources = tmp_path / "sources.yaml"
    sources.write_text(sources_text(site.base_url, {"wire": "1h", "almanar": "1h"}), encoding="utf-8")
    slow = ["-s", "DOWNLOAD_DELAY=0.4", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "NEWSMON_STORE_BATCH=2"]
    process = Scheduler(db_url, sources, tmp_path / "run.log", *slow)
    wait_for(lambda: 1 <= len(stored(db_url)), "the crawl to be under way")
    assert process.stop() == 0, process.text()

    assert all(status != "running" for _, status, _ in runs(db_url)), "a run was left half-recorded"
    kept = stored(db_url)
    titles = {site.base_url + a["path"]: a["title"] for name in ("wire", "almanar") for a in EXPECTED[name]}
    assert kept and all(article.title == titles[url] and article.body for url, article in kept.items())
    assert len(kept) < len(titles), "the stop should land mid-crawl"

    # the interrupted sources are due at once: a --once run now completes them
    result = newsmon("run", "--once", *FAST, db=db_url, sources=sources)
    assert result.returncode == 0, result.stderr
    assert set(stored(db_url)) == set(titles)


def test_sigterm_stops_a_once_run_too(sqlite_url, site, tmp_path):
    sources = tmp_path / "sources.yaml"
    sources.write_text(sources_text(site.base_url, {"wire": "1h"}), encoding="utf-8")
    slow = ["-s", "DOWNLOAD_DELAY=1", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "NEWSMON_STORE_BATCH=1"]
    process = Scheduler(sqlite_url, sources, tmp_path / "run.log", "--once", *slow)
    wait_for(lambda: len(stored(sqlite_url)) >= 1, "the first article")
    assert process.stop(timeout=30) == 0, process.text()
    assert 1 <= len(stored(sqlite_url)) < len(EXPECTED["wire"])
    assert [status for _, status, _ in runs(sqlite_url)] == ["failed"]  # stopped early: recorded, not "running"


def test_a_second_signal_exits_at_once_without_damage(sqlite_url, site, tmp_path):
    sources = tmp_path / "sources.yaml"
    sources.write_text(sources_text(site.base_url, {"wire": "1h"}), encoding="utf-8")
    slow = ["-s", "DOWNLOAD_DELAY=2", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "NEWSMON_STORE_BATCH=1"]
    process = Scheduler(sqlite_url, sources, tmp_path / "run.log", *slow)
    wait_for(lambda: len(stored(sqlite_url)) >= 1, "the first article")
    process.process.send_signal(signal.SIGTERM)
    time.sleep(0.2)
    started = time.monotonic()
    process.process.send_signal(signal.SIGTERM)
    assert process.process.wait(timeout=30) == 1
    assert time.monotonic() - started < 5, "the second signal should not wait for the crawl"

    engine = make_engine(sqlite_url)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
    engine.dispose()
    result = newsmon("run", "--once", *FAST, db=sqlite_url, sources=sources)
    assert result.returncode == 0, result.stderr
    assert set(stored(sqlite_url)) == expected_urls(site, "wire")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_failing_source_backs_off_and_recovers_by_itself(sqlite_url, tmp_path):
    port = _free_port()
    late_url = f"http://127.0.0.1:{port}"
    sources = tmp_path / "sources.yaml"
    sources.write_text(sources_text(late_url, {"farsi": "1s"}), encoding="utf-8")
    process = Scheduler(sqlite_url, sources, tmp_path / "run.log", "--backoff-max", "3s")
    try:
        wait_for(lambda: sum(status == "failed" for _, status, _ in runs(sqlite_url)) >= 3, "three failed runs")
        assert "failed 2 runs in a row; next try in 3s" in process.text()  # 1s doubled twice, capped at 3s
        wait_for(lambda: "newsmon.health: farsi: failing" in process.text(), "the health warning")
        failures = [started for _, status, started in runs(sqlite_url) if status == "failed"]
        assert failures[2] - failures[1] > 2.5, "the third try should wait for the backoff"
        with SampleSite(port=port):
            wait_for(lambda: finished(sqlite_url, "farsi") >= 2, "farsi to recover")
        recovered = [started for _, status, started in runs(sqlite_url) if status == "finished"]
        assert recovered[1] - recovered[0] < 2.5, "after a good run the source is back on its one-second schedule"
    finally:
        assert process.stop() == 0, process.text()
    assert {a.url for a in stored(sqlite_url).values()} == {late_url + a["path"] for a in EXPECTED["farsi"]}


def test_once_crawls_what_is_due_then_nothing_until_its_next_slot(sqlite_url, site, tmp_path):
    sources = tmp_path / "sources.yaml"
    sources.write_text(sources_text(site.base_url, {"farsi": "30m", "legacy": "30m"}), encoding="utf-8")
    first = newsmon("run", "--once", "--max-concurrent", "1", "--log-format", "json", *FAST, db=sqlite_url,
                    sources=sources)
    assert first.returncode == 0, first.stderr
    assert set(stored(sqlite_url)) == expected_urls(site, "farsi", "legacy")
    engine = make_engine(sqlite_url)
    with engine.connect() as connection:
        spans = connection.execute(text("SELECT started_at, finished_at FROM crawl_runs ORDER BY started_at")).all()
    engine.dispose()
    assert spans[0].finished_at <= spans[1].started_at, "--max-concurrent 1 ran two crawls at once"
    entries = [json.loads(line) for line in first.stderr.splitlines() if line.strip()]
    crawled = {e["crawl"]["source"]: e["crawl"] for e in entries if "crawl" in e}
    assert set(crawled) == {"farsi", "legacy"}
    assert crawled["farsi"]["status"] == "finished" and crawled["farsi"]["new"] == len(EXPECTED["farsi"])

    again = newsmon("run", "--once", *FAST, db=sqlite_url, sources=sources)
    assert again.returncode == 0, again.stderr
    assert "Crawling 0 due sources" in again.stderr
    assert len(runs(sqlite_url)) == 2
