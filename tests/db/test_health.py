"""Source health: the verdict rules on synthetic runs, and the figures read from crawl_runs and articles."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import pytest

from db.engine import open_database, session_factory
from db.health import (Flag, HealthPolicy, RunFigures, Verdict, _binomial_cdf, judge, log_health,
                       source_health)
from db.models import Article, CrawlRun, RunStatus, Source

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)
FINISHED, FAILED, RUNNING = RunStatus.FINISHED, RunStatus.FAILED, RunStatus.RUNNING


def run(new: int = 0, dated: int | None = None, words: int | None = None, bodiless: int = 0,
        status: RunStatus = FINISHED, hours_ago: float = 0) -> RunFigures:
    """A run that stored ``new`` articles, all dated and 300 words long unless told otherwise."""
    return RunFigures(started_at=NOW - timedelta(hours=hours_ago), status=status, new=new,
                      dated=new if dated is None else dated, words=300 * new if words is None else words,
                      bodiless=bodiless)


def flags(runs: list[RunFigures], policy: HealthPolicy = HealthPolicy()) -> list[Flag]:
    return [finding.flag for finding in judge(runs, policy)]


# --- the rules, on runs newest first ---------------------------------------------------------------------

def test_a_steady_source_is_not_flagged():
    assert flags([run(3)] * 50) == []
    assert flags([run(0)] * 4 + [run(3)] * 50) == []      # 4 quiet runs are not yet 5
    assert flags([run(3, status=FAILED)] * 2 + [run(3)]) == []


def test_idle_after_five_runs_without_a_new_article():
    assert flags([run(0)] * 5 + [run(3)] * 20) == [Flag.IDLE]
    assert flags([run(0)] * 5) == [Flag.IDLE]
    assert flags([run(0)] * 4 + [run(1)] + [run(0)] * 20) == []
    assert flags([run(0)] * 3, HealthPolicy(idle_runs=3)) == [Flag.IDLE]


def test_failing_after_three_failed_runs():
    failed = run(0, status=FAILED)
    findings = judge([failed] * 3 + [run(3)] * 10)
    assert [f.flag for f in findings] == [Flag.FAILING]
    assert "the last 3 runs failed" in findings[0].reason
    assert flags([failed] * 2 + [run(3)] + [failed] * 5) == []
    assert flags([failed] * 5) == [Flag.FAILING, Flag.IDLE]


def test_failing_says_why_the_last_run_failed():
    failed = RunFigures(started_at=NOW, status=FAILED, finish_reason="finished", errors={"refused": 2, "timeout": 1})
    assert "refused 2, timeout 1" in judge([failed] * 3)[0].reason
    killed = RunFigures(started_at=NOW, status=FAILED, finish_reason="abandoned")
    assert "abandoned" in judge([killed] * 3)[0].reason


def test_dates_dropped_against_the_sources_own_history():
    findings = judge([run(6, dated=0)] + [run(4)])
    assert [f.flag for f in findings] == [Flag.DATES_DROPPED]
    assert findings[0].reason == "0 of the last 6 new articles have a date (0%), against 4 of 4 before (100%)"
    # spread over several quiet runs: the window grows until it holds enough articles
    assert flags([run(1, dated=0)] * 12 + [run(2)] * 30) == [Flag.DATES_DROPPED]


def test_no_date_verdict_from_too_little_data():
    assert flags([run(5, dated=0)] + [run(3)]) == []          # 3 earlier articles are not a history
    assert flags([run(3, dated=0)] + [run(20)]) == []         # 3 recent ones are not a trend
    assert flags([run(5, dated=0)] + [run(4)]) == []          # 5 after 4 could still be chance
    assert flags([run(6, dated=0)]) == []                     # no history at all


def test_a_small_or_usual_dip_is_not_a_drop():
    assert flags([run(10, dated=6)] + [run(10, dated=9)] * 10) == []   # 60% against 90%: not under half
    assert flags([run(4, dated=0)] + [run(10, dated=2)] * 10) == []    # 0 of 4 where only 20% had one: chance


def test_runs_that_did_not_count_dates_are_left_out():
    before_counting = RunFigures(started_at=NOW, status=FINISHED, new=10, dated=None, words=None)
    assert flags([before_counting] * 10) == []
    assert flags([run(6, dated=0)] + [before_counting] * 10 + [run(4)]) == [Flag.DATES_DROPPED]


def test_bodies_dropped_when_article_pages_stop_giving_a_body():
    findings = judge([run(1, bodiless=9)] + [run(10, bodiless=1)] * 5)
    assert [f.flag for f in findings] == [Flag.BODIES_DROPPED]
    assert findings[0].reason.startswith("1 of the last 10 article pages gave a body (10%), against 50 of 55")
    assert flags([run(9, bodiless=1)] + [run(10, bodiless=1)] * 5) == []


def test_bodies_dropped_when_they_get_much_shorter():
    findings = judge([run(10, words=400)] + [run(10, words=3000)] * 3)
    assert [f.flag for f in findings] == [Flag.BODIES_DROPPED]
    assert findings[0].reason == "the last 10 new articles average 40 words, against 300 over 30 before"
    assert flags([run(10, words=2000)] + [run(10, words=3000)] * 3) == []   # two thirds: not a sharp drop
    assert flags([run(9, words=90)] + [run(10, words=3000)] * 3) == []      # 10 recent ones reach a long run
    assert flags([run(10, words=400)] + [run(9, words=2700)]) == []         # fewer than 10 earlier ones


def test_runs_with_nothing_new_neither_count_nor_dilute():
    runs = [run(6, dated=0)] + [run(0)] * 10 + [run(4)]
    assert flags(runs) == [Flag.DATES_DROPPED]
    assert flags(runs[:11]) == []  # the dated run is beyond the window: no history left


def test_binomial_tail():
    assert _binomial_cdf(0, 4, 0.5) == pytest.approx(1 / 16)
    assert _binomial_cdf(1, 3, 0.5) == pytest.approx(4 / 8)
    assert _binomial_cdf(5, 5, 0.3) == pytest.approx(1.0)
    assert 0 <= _binomial_cdf(100, 5000, 0.5) < 1e-100  # large n neither overflows nor raises


def test_a_policy_must_be_usable():
    with pytest.raises(ValueError):
        HealthPolicy(min_articles=0)
    with pytest.raises(ValueError):
        HealthPolicy(drop_ratio=2)


# --- read from the database ------------------------------------------------------------------------------

def _source(session, name: str) -> int:
    source = Source(name=name, title=name.title(), url=f"https://{name}.example/")
    session.add(source)
    session.flush()
    return source.id


def _run(session, source_id: int, hours_ago: float, stored: int = 0, dated: int | None = None,
         status: RunStatus = FINISHED, counts: dict | None = None) -> CrawlRun:
    started = NOW - timedelta(hours=hours_ago)
    if counts is None:
        counts = {"stored": stored, "stored_dated": stored if dated is None else dated, "stored_words": 300 * stored}
    crawl_run = CrawlRun(source_id=source_id, started_at=started, status=status, stored=stored, counts=counts,
                         finished_at=None if status is RUNNING else started + timedelta(minutes=2),
                         finish_reason=None if status is RUNNING else "finished")
    session.add(crawl_run)
    session.flush()
    return crawl_run


def _article(session, source_id: int, run_id: int, n: int) -> None:
    session.add(Article(source_id=source_id, crawl_run_id=run_id, url=f"https://x.example/{source_id}/{n}",
                        fetched_url=f"https://x.example/{source_id}/{n}", title="t", body="b",
                        fetched_at=NOW - timedelta(days=30)))


@pytest.fixture
def sessions(db_url):
    return session_factory(open_database(db_url))


def test_health_read_from_crawl_runs_and_articles(sessions):
    with sessions.begin() as session:
        steady, undated, quiet, down, unseen = (_source(session, name) for name in
                                                ("steady", "undated", "quiet", "down", "unseen"))
        for hours in (200, 100, 30, 10, 2):
            last = _run(session, steady, hours, stored=2)
        for n in range(3):
            _article(session, steady, last.id, n)
        _run(session, steady, 0.1, status=RUNNING)                     # a crawl going on now
        _run(session, undated, 5, stored=4)
        _run(session, undated, 1, stored=6, dated=0)
        for hours in range(6, 0, -1):
            _run(session, quiet, hours, stored=3 if hours == 6 else 0)
        for hours in (3, 2, 1):
            _run(session, down, hours, status=FAILED, counts={"errors/refused": 1})
    with sessions() as session:
        health = source_health(session, now=NOW)

    assert set(health) == {"steady", "undated", "quiet", "down", "unseen"}
    s = health["steady"]
    assert (s.verdict, s.findings) == (Verdict.OK, ())
    assert s.last_run is not None and s.last_run.status is RUNNING
    assert s.last_run.started_at == NOW - timedelta(hours=0.1)
    assert s.last_new_article_at == NOW - timedelta(hours=2) + timedelta(minutes=2)
    assert (s.new_24h, s.new_7d, s.articles, s.runs) == (4, 8, 3, 5)

    assert health["undated"].flags == (Flag.DATES_DROPPED,)
    assert health["undated"].verdict is Verdict.UNHEALTHY
    assert health["quiet"].flags == (Flag.IDLE,)
    assert health["quiet"].last_new_article_at == NOW - timedelta(hours=6) + timedelta(minutes=2)
    assert health["down"].flags == (Flag.FAILING,)
    assert health["down"].last_run.errors == {"refused": 1}
    assert health["down"].last_new_article_at is None
    assert health["unseen"].verdict is Verdict.NEW and health["unseen"].last_run is None


def test_health_of_named_sources_and_the_history_limit(sessions):
    with sessions.begin() as session:
        source = _source(session, "x")
        _run(session, source, 50, stored=4)
        for hours in range(10, 0, -1):
            _run(session, source, hours, stored=0)
        _source(session, "other")
    with sessions() as session:
        health = source_health(session, names=["x", "never-crawled"], now=NOW)
        assert set(health) == {"x", "never-crawled"}
        assert health["never-crawled"].verdict is Verdict.NEW
        assert health["x"].flags == (Flag.IDLE,) and health["x"].runs == 11
        assert source_health(session, HealthPolicy(history_runs=10), names=["x"], now=NOW)["x"].runs == 10


def test_log_health_warns_once_per_finding(sessions, caplog):
    with sessions.begin() as session:
        source = _source(session, "legacy")
        _run(session, source, 5, stored=4)
        for hours, stored in ((3, 6), (2, 0), (1, 0)):
            _run(session, source, hours, stored, status=FAILED,
                 counts={"stored": stored, "stored_dated": 0, "stored_words": 300 * stored, "errors/refused": 1})
        _source(session, "fine")
    with sessions() as session, caplog.at_level(logging.INFO, logger="newsmon.health"):
        health = log_health(session, "legacy", now=NOW)
        assert log_health(session, "fine", now=NOW).verdict is Verdict.NEW
    assert health.flags == (Flag.FAILING, Flag.DATES_DROPPED)
    warnings = [(r.name, r.levelno, r.getMessage()) for r in caplog.records]
    assert warnings == [
        ("newsmon.health", logging.WARNING, "legacy: failing: the last 3 runs failed (the last: refused 1)"),
        ("newsmon.health", logging.WARNING,
         "legacy: dates dropped: 0 of the last 6 new articles have a date (0%), against 4 of 4 before (100%)"),
    ]
