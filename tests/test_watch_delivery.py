"""Where a watch's new matches go: a webhook on 127.0.0.1 (a failing one keeps them for the next run), a JSON
Lines file appended, an Atom file rewritten; and the scheduler's hook that runs the watches covering a source."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.etree import ElementTree as ET

import pytest

from db.engine import open_database, session_factory
from db.store import insert_articles, upsert_source
from db.watches import DeliveryError, Destination, WatchSpec, add_watch, get_watch, pending_matches
from newsmon.watch_delivery import post_json, run_watches, run_watches_after_crawl
from pipelines.textkey import search_key

ATOM = "{http://www.w3.org/2005/Atom}"


class Hook:
    """A webhook on 127.0.0.1 that answers each POST with the next of ``statuses`` (the last one repeats)."""

    def __init__(self) -> None:
        self.statuses = [200]
        self.delay = 0.0
        self.received: list[dict] = []
        self.headers: list[dict[str, str]] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                time.sleep(hook.delay)
                status = hook.statuses.pop(0) if len(hook.statuses) > 1 else hook.statuses[0]
                if status == 200:
                    hook.received.append(json.loads(body.decode("utf-8")))
                    hook.headers.append(dict(self.headers))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/secret-token"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook() -> Iterator[Hook]:
    server = Hook()
    yield server
    server.close()


@pytest.fixture
def sessions(sqlite_url):
    engine = open_database(sqlite_url)
    factory = session_factory(engine)
    yield factory
    engine.dispose()


def store(sessions, key: str, title: str, source: str = "x") -> None:
    with sessions.begin() as session:
        source_id = upsert_source(session, source, source.upper(), f"https://{source}.example/")
        insert_articles(session, [dict(
            source_id=source_id, url=f"https://{source}.example/{key}", fetched_url=f"https://{source}.example/{key}",
            title=title, body=f"{title}. نص المقال.", search_text=search_key(title), authors=["A. Writer"], tags=[],
            provenance={}, word_count=4, language="ar", fetched_at=datetime.now(timezone.utc),
            published_at=datetime(2024, 9, 20, 10, tzinfo=timezone.utc))])


def watch(sessions, name: str, spec: WatchSpec) -> None:
    with sessions.begin() as session:
        add_watch(session, name, spec, known_sources={"x", "y"})


def test_a_webhook_gets_the_new_matches_as_json_and_a_failing_one_gets_them_again(sessions, hook, caplog):
    watch(sessions, "iran", WatchSpec(text="إيران", destination=Destination.WEBHOOK, target=hook.url))
    store(sessions, "a", "محادثات إيران")
    hook.statuses = [500, 200]
    with caplog.at_level(logging.ERROR, logger="newsmon.watch"):
        [failed] = run_watches(sessions, ["iran"])
    assert failed.error == f"webhook http://127.0.0.1:{hook.server.server_address[1]}/… answered HTTP 500 Internal Server Error"
    assert "secret-token" not in caplog.text  # webhook paths often hold credentials: not logged
    assert "Watch iran: webhook http://127.0.0.1" in caplog.text and "stay for the next run" in caplog.text
    assert hook.received == []
    with sessions() as session:
        assert get_watch(session, "iran").last_error == failed.error
        assert len(pending_matches(session, "iran")) == 1

    store(sessions, "b", "إيران مرة أخرى")
    [ok] = run_watches(sessions, ["iran"])
    assert ok.error is None and [r.url for r in ok.delivered] == ["https://x.example/a", "https://x.example/b"]
    [body] = hook.received
    assert body["watch"] == "iran"
    assert [a["url"] for a in body["articles"]] == ["https://x.example/a", "https://x.example/b"]
    assert body["articles"][0]["title"] == "محادثات إيران" and body["articles"][0]["authors"] == ["A. Writer"]
    assert body["articles"][0]["published_at"] == "2024-09-20T10:00:00+00:00"
    assert hook.headers[0]["Content-Type"] == "application/json; charset=utf-8"

    [nothing] = run_watches(sessions, ["iran"])
    assert nothing.delivered == [] and len(hook.received) == 1  # nothing new: no POST
    with sessions() as session:
        assert get_watch(session, "iran").last_error is None


def test_an_unreachable_or_slow_webhook_is_a_delivery_error(hook):
    hook.close()
    with pytest.raises(DeliveryError, match="unreachable"):
        post_json(hook.url, {"watch": "w", "articles": []})
    slow = Hook()
    slow.delay = 1.0
    try:
        started = time.monotonic()
        with pytest.raises(DeliveryError, match="timed out"):
            post_json(slow.url, {"watch": "w", "articles": []}, timeout=0.2)
        assert time.monotonic() - started < 0.9
    finally:
        slow.close()


def test_a_jsonl_file_is_appended_with_each_runs_new_matches(sessions, tmp_path):
    path = tmp_path / "out" / "iran.jsonl"
    watch(sessions, "iran", WatchSpec(text="إيران", destination=Destination.JSONL, target=str(path)))
    store(sessions, "a", "إيران أولا")
    store(sessions, "other", "لبنان")
    run_watches(sessions, ["iran"])
    store(sessions, "b", "إيران ثانيا")
    run_watches(sessions, ["iran"])
    run_watches(sessions, ["iran"])
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["url"] for line in lines] == ["https://x.example/a", "https://x.example/b"]
    assert "إيران أولا" in lines[0]  # UTF-8, not \\u escapes


def test_a_jsonl_file_that_cannot_be_written_keeps_the_matches(sessions, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    watch(sessions, "iran", WatchSpec(text="إيران", destination=Destination.JSONL, target=str(blocker / "x.jsonl")))
    store(sessions, "a", "إيران")
    [outcome] = run_watches(sessions, ["iran"])
    assert outcome.error is not None and "cannot append to" in outcome.error
    with sessions() as session:
        assert len(pending_matches(session, "iran")) == 1


def test_an_atom_file_is_rewritten_with_the_latest_matches(sessions, tmp_path):
    path = tmp_path / "iran.atom"
    watch(sessions, "iran", WatchSpec(text="إيران", destination=Destination.ATOM, target=str(path)))
    store(sessions, "a", "إيران أولا")
    run_watches(sessions, ["iran"])
    first = ET.parse(path).getroot()
    assert [e.findtext(f"{ATOM}id") for e in first.iter(f"{ATOM}entry")] == ["https://x.example/a"]
    store(sessions, "b", "إيران ثانيا")
    run_watches(sessions, ["iran"])
    feed = ET.parse(path).getroot()
    assert feed.tag == f"{ATOM}feed" and "iran" in feed.findtext(f"{ATOM}title")
    assert [e.findtext(f"{ATOM}id") for e in feed.iter(f"{ATOM}entry")] == ["https://x.example/b", "https://x.example/a"]
    assert feed.findtext(f"{ATOM}id") == first.findtext(f"{ATOM}id")  # the same feed, for readers
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_the_scheduler_hook_runs_the_watches_covering_the_crawled_source(sessions, hook, tmp_path, caplog):
    failing = Hook()
    failing.statuses = [503]
    try:
        watch(sessions, "on_x", WatchSpec(text="إيران", sources=("x",), destination=Destination.WEBHOOK, target=hook.url))
        watch(sessions, "anywhere", WatchSpec(text="إيران", destination=Destination.JSONL,
                                              target=str(tmp_path / "anywhere.jsonl")))
        watch(sessions, "a_broken", WatchSpec(text="إيران", destination=Destination.WEBHOOK, target=failing.url))
        watch(sessions, "on_y", WatchSpec(text="إيران", sources=("y",), destination=Destination.WEBHOOK, target=hook.url))
        watch(sessions, "printed", WatchSpec(text="إيران"))
        store(sessions, "a", "إيران")
        with caplog.at_level(logging.INFO, logger="newsmon.watch"):
            outcomes = run_watches_after_crawl(sessions, "x")
    finally:
        failing.close()
    assert {o.name: (len(o.delivered), o.error is not None) for o in outcomes} == {
        "a_broken": (0, True), "anywhere": (1, False), "on_x": (1, False)}  # the broken one first: the others still ran
    assert [body["watch"] for body in hook.received] == ["on_x"]
    delivered = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert sorted(delivered) == [
        f"Watch anywhere: 1 new matches after crawling x, delivered to jsonl {tmp_path / 'anywhere.jsonl'}",
        f"Watch on_x: 1 new matches after crawling x, delivered to webhook http://127.0.0.1:{hook.server.server_address[1]}/…",
    ]
    assert any(r.levelno == logging.ERROR and "a_broken" in r.getMessage() for r in caplog.records)
    with sessions() as session:  # left for `newsmon watch run`
        assert len(pending_matches(session, "printed")) == 1 and len(pending_matches(session, "on_y")) == 0


def test_the_scheduler_hook_never_raises(tmp_path, caplog):
    broken = session_factory(open_database(f"sqlite:///{tmp_path / 'x.db'}"))
    with broken.begin() as session:
        session.connection().exec_driver_sql("DROP TABLE watch_deliveries")
        session.connection().exec_driver_sql("DROP TABLE watches")
    with caplog.at_level(logging.ERROR, logger="newsmon.watch"):
        assert run_watches_after_crawl(broken, "x") == []
    assert "Could not read the watches to run after crawling x" in caplog.text
