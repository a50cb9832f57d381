"""Saved searches on SQLite and PostgreSQL: add/list/remove, refusals, and "only what is new since the last run" —
including articles that become visible late, with a lower id and an older fetch time than what a run saw."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, func, select

from db.engine import open_database, session_factory
from db.models import Article, WatchDelivery
from db.search import SearchError
from db.store import insert_articles, update_article, upsert_source
from db.watches import (
    OVERLAP, DeliveryError, Destination, WatchSpec, add_watch, get_watch, list_watches, pending_matches,
    remove_watch, run_watch,
)
from newsmon.errors import ConfigError
from pipelines.textkey import search_key


@pytest.fixture
def sessions(db_url):
    engine = open_database(db_url)
    factory = session_factory(engine)
    with factory.begin() as session:
        upsert_source(session, "x", "X", "https://x.example/")
        upsert_source(session, "y", "Y", "https://y.example/")
    yield factory
    engine.dispose()


def store(sessions, key: str, title: str, *, source: str = "x", fetched_at: datetime | None = None,
          id: int | None = None, language: str | None = "en", session=None) -> int:
    row = dict(url=f"https://{source}.example/{key}", fetched_url=f"https://{source}.example/{key}", title=title,
               body=f"{title}. More words follow here.", search_text=search_key(title), authors=[], tags=[],
               provenance={}, word_count=6, language=language, fetched_at=fetched_at or datetime.now(timezone.utc))
    if id is not None:
        row["id"] = id
    if session is not None:
        row["source_id"] = upsert_source(session, source, source.upper(), f"https://{source}.example/")
        return insert_articles(session, [row])[row["url"]]
    with sessions.begin() as s:
        row["source_id"] = upsert_source(s, source, source.upper(), f"https://{source}.example/")
        return insert_articles(s, [row])[row["url"]]


class Collect:
    """A delivery that keeps what it was given (or fails, while ``failing``)."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.failing = False

    def __call__(self, session, watch, rows) -> None:
        if self.failing:
            raise DeliveryError("webhook http://127.0.0.1:9/… answered HTTP 503 Service Unavailable")
        self.batches.append([r.url.rsplit("/", 1)[1] for r in rows])


def run(sessions, name: str, deliver=None) -> list[str]:
    with sessions.begin() as session:
        return [r.url.rsplit("/", 1)[1] for r in run_watch(session, name, deliver or Collect())]


def test_watches_are_added_listed_and_removed(sessions, tmp_path):
    with sessions.begin() as session:
        add_watch(session, "syria", WatchSpec(text='syria "peace talks"', sources=("x", "y"), language="ar",
                                              has_date=True))
        add_watch(session, "feed", WatchSpec(destination=Destination.ATOM, target=str(tmp_path / "feed.atom")))
    with sessions() as session:
        watches = list_watches(session)
        assert [w.name for w in watches] == ["feed", "syria"]
        syria = get_watch(session, "syria")
    assert syria.spec == WatchSpec(text='syria "peace talks"', sources=("x", "y"), language="ar", has_date=True)
    assert syria.spec.describe() == """'syria "peace talks"' --source x --source y --lang ar --has-date"""
    assert (syria.last_run_at, syria.last_error, syria.delivered) == (None, None, 0)
    assert watches[0].spec.destination is Destination.ATOM and watches[0].spec.target == str(tmp_path / "feed.atom")

    store(sessions, "a", "Syria peace talks resume")
    assert run(sessions, "feed") == ["a"]
    with sessions.begin() as session:
        remove_watch(session, "feed")
    with sessions() as session:
        assert [w.name for w in list_watches(session)] == ["syria"]
        assert session.scalar(select(func.count()).select_from(WatchDelivery)) == 0  # its deliveries went with it
        with pytest.raises(ConfigError, match="no watch named 'feed'; watches: syria"):
            remove_watch(session, "feed")
        with pytest.raises(ConfigError, match="no watch named 'nope'"):
            get_watch(session, "nope")


def test_a_file_target_is_kept_absolute_so_the_scheduler_finds_it_from_anywhere(sessions, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with sessions.begin() as session:
        watch = add_watch(session, "w", WatchSpec(destination=Destination.JSONL, target="out/new.jsonl"))
    assert watch.spec.target == str(tmp_path / "out" / "new.jsonl")


@pytest.mark.parametrize("name, spec, error, message", [
    ("bad", WatchSpec(text='"peace talks'), SearchError, "unclosed quote"),
    ("bad", WatchSpec(text="iran OR"), SearchError, "OR needs a word"),
    ("bad", WatchSpec(text="-iran"), SearchError, "only excludes"),
    ("bad", WatchSpec(sources=("x", "almanr")), ConfigError, "unknown source 'almanr'; known: x, y"),
    ("two words", WatchSpec(text="iran"), ConfigError, "not a valid watch name"),
    ("taken", WatchSpec(text="iran"), ConfigError, "already a watch named 'taken'"),
])
def test_a_bad_watch_is_refused_when_added_and_nothing_is_written(sessions, name, spec, error, message):
    with sessions.begin() as session:
        add_watch(session, "taken", WatchSpec(text="beirut"))
    with sessions() as session, pytest.raises(error, match=message):
        add_watch(session, name, spec)
    with sessions() as session:
        assert [w.name for w in list_watches(session)] == ["taken"]


def test_a_configured_source_not_crawled_yet_is_known(sessions):
    with sessions.begin() as session:
        assert add_watch(session, "w", WatchSpec(sources=("z",)), known_sources={"z"}).spec.sources == ("z",)


@pytest.mark.parametrize("destination, target, message", [
    (Destination.WEBHOOK, "ftp://127.0.0.1/hook", "not a webhook URL"),
    (Destination.WEBHOOK, "127.0.0.1:8000/hook", "not a webhook URL"),
    (Destination.JSONL, None, "needs a file"),
    (Destination.WEBHOOK, None, "needs a URL"),
    (Destination.STDOUT, "out.jsonl", "has no target"),
])
def test_a_destination_without_its_target_is_refused(destination, target, message):
    with pytest.raises(ConfigError, match=message):
        WatchSpec(text="iran", destination=destination, target=target)


def test_each_new_match_is_delivered_once_and_what_was_stored_before_the_watch_never(sessions):
    store(sessions, "before", "Iran talks an hour ago", fetched_at=datetime.now(timezone.utc) - timedelta(hours=1))
    with sessions.begin() as session:
        add_watch(session, "iran", WatchSpec(text="iran"))
    assert run(sessions, "iran") == []
    store(sessions, "a", "Iran nuclear talks")
    store(sessions, "b", "Storm hits Beirut")
    store(sessions, "c", "Talks with Iran resume", source="y")
    assert run(sessions, "iran") == ["a", "c"]  # oldest first
    assert run(sessions, "iran") == []
    store(sessions, "d", "Iran again")
    assert run(sessions, "iran") == ["d"]
    with sessions() as session:
        watch = get_watch(session, "iran")
    assert watch.delivered == 3 and watch.last_run_at is not None and watch.last_error is None


def test_filters_narrow_what_is_new(sessions):
    with sessions.begin() as session:
        add_watch(session, "y_ar", WatchSpec(text="iran", sources=("y",), language="ar"))
    store(sessions, "x_ar", "Iran x", language="ar")
    store(sessions, "y_en", "Iran y", source="y", language="en")
    store(sessions, "y_ar", "Iran y ar", source="y", language="ar")
    assert run(sessions, "y_ar") == ["y_ar"]


def test_an_article_committed_late_with_a_lower_id_and_an_older_fetch_time_is_delivered_once(sessions):
    """A crawler's batch commits after a run: its article has a lower id than one the run delivered, and a fetch
    time before the run started. Neither "id above the last one seen" nor "fetched since the last run" finds it."""
    with sessions.begin() as session:
        add_watch(session, "iran", WatchSpec(text="iran"))
    started = datetime.now(timezone.utc)
    store(sessions, "early", "Iran first", id=5000)
    assert run(sessions, "iran") == ["early"]
    with sessions() as session:
        last_run = get_watch(session, "iran").last_run_at
    assert last_run is not None and last_run >= started

    late_fetch = started - timedelta(minutes=30)
    late_id = store(sessions, "late", "Iran late", id=4000, fetched_at=late_fetch)
    assert late_id < 5000 and late_fetch < last_run
    assert run(sessions, "iran") == ["late"]
    assert run(sessions, "iran") == []


def test_an_article_fetched_within_the_overlap_is_found_and_one_fetched_before_it_is_not(sessions):
    """The window reaches OVERLAP back from the last run, not further: that bound is what keeps runs cheap."""
    with sessions.begin() as session:
        add_watch(session, "iran", WatchSpec(text="iran"))
    now = datetime.now(timezone.utc)
    store(sessions, "inside", "Iran inside", fetched_at=now - OVERLAP + timedelta(minutes=5))
    store(sessions, "outside", "Iran outside", fetched_at=now - OVERLAP - timedelta(minutes=5))
    assert run(sessions, "iran") == ["inside"]


@pytest.mark.timeout(60)
def test_concurrent_crawler_transactions_commit_out_of_order(postgres_url):
    """On PostgreSQL, for real: an open transaction holds a lower sequence id while a later one commits."""
    engine = open_database(postgres_url)
    sessions = session_factory(engine)
    with sessions.begin() as session:
        upsert_source(session, "x", "X", "https://x.example/")  # committed, so neither batch waits on the other
        add_watch(session, "iran", WatchSpec(text="iran"))
    slow = sessions()
    try:
        slow.begin()
        low = store(sessions, "slow", "Iran slow batch", session=slow)  # id taken, not committed
        high = store(sessions, "fast", "Iran fast batch")
        assert low < high
        assert run(sessions, "iran") == ["fast"]
        slow.commit()
    finally:
        slow.close()
    assert run(sessions, "iran") == ["slow"]
    assert run(sessions, "iran") == []
    engine.dispose()


def test_a_failed_delivery_marks_nothing_and_the_matches_come_again(sessions):
    with sessions.begin() as session:
        add_watch(session, "iran", WatchSpec(text="iran"))
    store(sessions, "a", "Iran a")
    failing = Collect()
    failing.failing = True
    with sessions() as session:
        with pytest.raises(DeliveryError, match="HTTP 503"):
            run_watch(session, "iran", failing)
        session.commit()  # what the callers do: keep the error
    with sessions() as session:
        watch = get_watch(session, "iran")
        assert watch.last_error is not None and "HTTP 503" in watch.last_error
        assert watch.last_run_at is None and watch.delivered == 0
        assert [r.url.rsplit("/", 1)[1] for r in pending_matches(session, "iran")] == ["a"]
    store(sessions, "b", "Iran b")
    ok = Collect()
    assert run(sessions, "iran", ok) == ["a", "b"]
    with sessions() as session:
        watch = get_watch(session, "iran")
    assert (watch.last_error, watch.delivered) == (None, 2)
    assert run(sessions, "iran") == []


def test_an_edited_article_is_not_delivered_again_but_one_edited_into_a_match_is(sessions):
    with sessions.begin() as session:
        add_watch(session, "iran", WatchSpec(text="iran"))
    matching = store(sessions, "a", "Iran a")
    other = store(sessions, "b", "Storm b")
    assert run(sessions, "iran") == ["a"]
    later = datetime.now(timezone.utc) + timedelta(minutes=1)
    with sessions.begin() as session:
        for article_id, title in ((matching, "Iran a, updated"), (other, "Storm b hits Iran")):
            assert update_article(session, article_id, {"title": title, "body": f"{title}. Edited.",
                                                        "search_text": search_key(title), "fetched_at": later})
    assert run(sessions, "iran") == ["b"]


def test_deleting_a_delivered_article_takes_its_delivery_rows_along(sessions):
    with sessions.begin() as session:
        add_watch(session, "iran", WatchSpec(text="iran"))
    article = store(sessions, "a", "Iran a")
    assert run(sessions, "iran") == ["a"]
    with sessions.begin() as session:
        session.execute(delete(Article).where(Article.id == article))
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(WatchDelivery)) == 0


@pytest.mark.timeout(60)
def test_two_runs_of_one_watch_at_once_deliver_once(sessions):
    """The second run waits for the first to commit (a row lock on PostgreSQL, the write lock on SQLite)."""
    with sessions.begin() as session:
        add_watch(session, "iran", WatchSpec(text="iran"))
    store(sessions, "a", "Iran a")
    inside, release = threading.Event(), threading.Event()
    results: dict[str, list[str]] = {}

    def slow_delivery(session, watch, rows) -> None:
        inside.set()
        assert release.wait(10)

    def first() -> None:
        results["first"] = run(sessions, "iran", slow_delivery)

    def second() -> None:
        results["second"] = run(sessions, "iran")

    one = threading.Thread(target=first)
    one.start()
    assert inside.wait(10)
    two = threading.Thread(target=second)
    two.start()
    time.sleep(0.3)
    assert two.is_alive()  # waiting for the first run's transaction
    release.set()
    one.join(10)
    two.join(10)
    assert results == {"first": ["a"], "second": []}
