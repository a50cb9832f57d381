"""Delivering a watch's new matches where it says, and running watches one transaction each.

stdout: a table. jsonl: one JSON object per article appended to the file. atom: the file rewritten (atomically) as
an Atom feed of the watch's latest FEED_ENTRIES matches, so a feed reader that polls it less often than the watch
runs misses nothing. webhook: one POST of ``{"watch": name, "articles": [...]}`` (the fields of ``newsmon query
--format json``); any answer but 2xx, or none within WEBHOOK_TIMEOUT, is a failure. Every failure is a DeliveryError,
which leaves the matches new for the watch's next run (db.watches).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy.orm import Session, sessionmaker

import newsmon
from db.query import ArticleRow
from db.watches import Deliver, DeliveryError, Destination, WatchRow, recent_deliveries, run_watch, watches_for_source
from newsmon.output import Feed, Format, article_record, write_articles

logger = logging.getLogger("newsmon.watch")

WEBHOOK_TIMEOUT = 10.0   # seconds to connect and to wait for the answer
FEED_ENTRIES = 50        # entries in a watch's Atom file

# One watch run at a time in this process (the scheduler runs them from worker threads): runs in other processes
# are kept apart by the database (db.watches), but waiting on SQLite's write lock from here would only hold up crawls.
_one_at_a_time = threading.Lock()


def deliver(session: Session, watch: WatchRow, rows: Sequence[ArticleRow]) -> None:
    """Send ``rows`` to the watch's destination; DeliveryError if they did not get there."""
    spec = watch.spec
    if spec.destination is Destination.STDOUT:
        write_articles(rows, Format.TABLE, out=sys.stdout)
    elif spec.destination is Destination.JSONL:
        assert spec.target is not None
        lines = "".join(json.dumps(article_record(r), ensure_ascii=False) + "\n" for r in rows)
        try:
            path = Path(spec.target)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as out:  # one write: a failure leaves no half of the batch
                out.write(lines)
        except OSError as exc:
            raise DeliveryError(f"cannot append to {spec.target}: {exc.strerror or exc}") from exc
    elif spec.destination is Destination.ATOM:
        assert spec.target is not None
        latest = list(reversed(rows)) + recent_deliveries(session, watch.name, FEED_ENTRIES)
        _rewrite_atom(Path(spec.target), latest[:FEED_ENTRIES], watch.name)
    else:
        assert spec.target is not None
        post_json(spec.target, {"watch": watch.name, "articles": [article_record(r) for r in rows]})


def _rewrite_atom(path: Path, rows: Sequence[ArticleRow], name: str) -> None:
    """Write the feed beside the file and move it into place, so a reader never sees half a feed."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                write_articles(rows, Format.ATOM, out=out, feed=Feed(title=f"newsmon watch: {name}"))
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise DeliveryError(f"cannot write {path}: {exc.strerror or exc}") from exc


def post_json(url: str, body: object, timeout: float = WEBHOOK_TIMEOUT) -> None:
    """POST ``body`` as JSON; DeliveryError unless the answer is 2xx."""
    request = urllib.request.Request(
        url, data=json.dumps(body, ensure_ascii=False).encode("utf-8"), method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": f"newsmon/{newsmon.__version__}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as exc:  # urlopen raises it for every answer but 2xx (after redirects)
        raise DeliveryError(f"webhook {shown_url(url)} answered HTTP {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        raise DeliveryError(f"webhook {shown_url(url)} unreachable: {exc.reason}") from exc
    except (TimeoutError, OSError) as exc:  # a timeout while reading the answer is not wrapped in URLError
        raise DeliveryError(f"webhook {shown_url(url)} failed: {exc or type(exc).__name__}") from exc


def shown_url(url: str) -> str:
    """A webhook URL for logs: its scheme, host and port. Webhook paths and user parts often hold secrets."""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}/…"


def destination_text(watch: WatchRow) -> str:
    spec = watch.spec
    if spec.destination is Destination.WEBHOOK:
        return f"webhook {shown_url(spec.target or '')}"
    return spec.destination.value + (f" {spec.target}" if spec.target else "")


@dataclass(frozen=True)
class WatchOutcome:
    name: str
    delivered: list[ArticleRow] = field(default_factory=list)
    error: str | None = None   # why the matches could not be delivered; they stay for the next run


def run_watches(sessions: sessionmaker[Session], names: Sequence[str], send: Deliver = deliver) -> list[WatchOutcome]:
    """Run each watch in its own transaction. One whose delivery fails is logged and recorded, and the rest run."""
    outcomes = []
    for name in names:
        with _one_at_a_time, sessions() as session:
            try:
                rows = run_watch(session, name, send)
            except DeliveryError as exc:
                session.commit()  # keeps last_error; nothing was marked delivered
                logger.error("Watch %s: %s; its new matches stay for the next run", name, exc)
                outcomes.append(WatchOutcome(name, error=str(exc)))
                continue
            session.commit()
        outcomes.append(WatchOutcome(name, rows))
    return outcomes


def run_watches_after_crawl(sessions: sessionmaker[Session], source: str) -> list[WatchOutcome]:
    """The scheduler's hook, after a crawl of ``source`` stored articles: run the watches that cover it.

    Watches printed to stdout are left for `newsmon watch run`, where someone reads them. Never raises: a watch
    that fails is logged with its traceback and the others still run.
    """
    try:
        with sessions() as session:
            watches = [w for w in watches_for_source(session, source) if w.spec.destination is not Destination.STDOUT]
    except Exception:  # the scheduler must go on whatever happens here
        logger.exception("Could not read the watches to run after crawling %s", source)
        return []
    outcomes = []
    for watch in watches:
        try:
            [outcome] = run_watches(sessions, [watch.name])
        except Exception:
            logger.exception("Watch %s failed after crawling %s", watch.name, source)
            continue
        if outcome.delivered:
            logger.info("Watch %s: %d new matches after crawling %s, delivered to %s", watch.name,
                        len(outcome.delivered), source, destination_text(watch))
        outcomes.append(outcome)
    return outcomes
