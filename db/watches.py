"""Saved searches ("watches"): a search text and filters kept under a name, run again and again, each run
delivering only the matches that are new to the watch. The caller owns the session and commits it.

What "new" means is decided here, in `_new_matches`, and nowhere else:

    new = matches of the watch's query
          among the articles fetched since (the start of its last successful run − OVERLAP)
          that are not in the watch's delivered set (watch_deliveries)

Neither an id high-water mark nor "fetched after the last run" is enough on its own. Article ids come from a
sequence and fetched_at is the download time, both given before the article's batch commits; concurrent crawlers
(and the pipeline's batches of 20, held until full or until the crawl ends) commit them out of order, so an article
can become visible after a run with a lower id than one that run saw, and a fetch time older than the run. The
window is therefore widened by OVERLAP back from the last successful run, which covers any article committed less
than OVERLAP after its download (and clock skew between crawler machines), and the delivered set removes
from the window what was already delivered, so nothing comes twice. Rows of the delivered set are kept (one small
row per delivered match; they go with their article or watch), so an article that re-enters the window because a
re-fetch changed its text is not delivered again (one that matches only since the change is new to the watch).

When a watch is added, every article already stored that it matches within the window is put in its delivered
set (with no delivery time): the first run brings what arrived after the watch, not the backlog.

A run marks its matches delivered only after delivery succeeded; a failed delivery (DeliveryError) leaves them
new and the window where it was, so they come again next run however long the failure lasts. Delivery happens
before the caller commits, so a crash between the two repeats a delivery rather than losing it (at least once).
Two runs of one watch at the same time are kept apart by a write to the watch's row first thing: on PostgreSQL a
row lock the second waits on, on SQLite the database's write lock (so crawls' writes wait while a webhook answers,
at most the webhook timeout).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Select, delete, exists, insert, literal, select, update
from sqlalchemy.orm import Session

from db.models import Article, Source, Watch, WatchDelivery, utcnow
from db.query import ArticleQuery, ArticleRow, apply_filters, match_search, article_row
from db.search import parse_search
from newsmon.errors import ConfigError, NewsmonError

# How far before its last successful run a watch looks for articles: longer than any article takes from its
# download to its commit (a batch waits at most for its crawl to end) plus clock skew between crawler machines.
OVERLAP = timedelta(hours=24)

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


class DeliveryError(NewsmonError):
    """A watch's new matches could not be delivered; they stay new for its next run."""


class Destination(StrEnum):
    STDOUT = "stdout"     # a table, printed by `newsmon watch run`
    JSONL = "jsonl"       # one JSON object per article, appended to a file
    ATOM = "atom"         # an Atom feed of the latest matches, the file rewritten
    WEBHOOK = "webhook"   # a JSON POST: {"watch": name, "articles": [...]}


@dataclass(frozen=True)
class WatchSpec:
    """What a watch looks for (the filters of ArticleQuery that make sense again and again) and where its new
    matches go: ``target`` is the file of JSONL and ATOM, the URL of WEBHOOK, None for STDOUT."""

    text: str | None = None
    sources: tuple[str, ...] = ()
    language: str | None = None
    has_date: bool | None = None
    destination: Destination = Destination.STDOUT
    target: str | None = None

    def __post_init__(self) -> None:
        if self.destination is Destination.STDOUT:
            if self.target is not None:
                raise ConfigError(f"a watch printed to stdout has no target, got {self.target!r}")
        elif not self.target:
            what = "a URL" if self.destination is Destination.WEBHOOK else "a file"
            raise ConfigError(f"a {self.destination.value} watch needs {what}")
        elif self.destination is Destination.WEBHOOK:
            url = urlsplit(self.target)
            if url.scheme not in ("http", "https") or not url.netloc:
                raise ConfigError(f"not a webhook URL: {self.target!r} (use http://… or https://…)")

    @property
    def query(self) -> ArticleQuery:
        """The query a run makes (before its window and delivered set narrow it)."""
        return ArticleQuery(text=self.text, sources=self.sources, language=self.language, has_date=self.has_date,
                            limit=None)

    def describe(self) -> str:
        """The query as a person would type it: ``"nuclear deal" --source almanar --lang ar``."""
        parts = [repr(self.text) if self.text else "(every article)"]
        parts += [f"--source {s}" for s in self.sources]
        if self.language:
            parts.append(f"--lang {self.language}")
        if self.has_date is not None:
            parts.append("--has-date" if self.has_date else "--no-date")
        return " ".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "sources": list(self.sources), "language": self.language, "has_date": self.has_date}


@dataclass(frozen=True)
class WatchRow:
    name: str
    spec: WatchSpec
    created_at: datetime
    last_run_at: datetime | None   # the start of the last run that delivered (or found nothing); None: never run
    last_error: str | None         # why the last run failed to deliver; None after a good run
    delivered: int                 # matches delivered so far

    def covers(self, source: str) -> bool:
        """Whether a crawl of ``source`` can bring this watch something."""
        return not self.spec.sources or source in self.spec.sources


# A delivery: the session (to read more, e.g. an Atom feed's earlier entries), the watch, its new matches.
# It raises DeliveryError when the matches did not reach their destination.
Deliver = Callable[[Session, WatchRow, Sequence[ArticleRow]], None]


def add_watch(session: Session, name: str, spec: WatchSpec, *, known_sources: Collection[str] = (),
              now: datetime | None = None) -> WatchRow:
    """Save a watch. Refused (ConfigError, or SearchError for the text) before anything is written: a name that is
    taken or malformed, a search text that cannot be read, a source neither stored nor in ``known_sources``.

    Articles already stored that it matches are not new to it: its first run delivers what arrives after this.
    """
    if not _NAME.fullmatch(name):
        raise ConfigError(f"{name!r} is not a valid watch name: use letters, digits, '_', '-' and '.', at most 64")
    if spec.text is not None:
        parse_search(spec.text)  # a malformed search text raises SearchError, saying what is wrong
    if session.scalar(select(Watch.id).where(Watch.name == name)) is not None:
        raise ConfigError(f"there is already a watch named {name!r} (`newsmon watch remove {name}` first)")
    known = set(session.scalars(select(Source.name))) | set(known_sources)
    if unknown := [s for s in spec.sources if s not in known]:
        raise ConfigError(f"unknown source {', '.join(map(repr, unknown))}; known: {', '.join(sorted(known)) or '(none)'}")
    if spec.destination in (Destination.JSONL, Destination.ATOM):
        assert spec.target is not None
        path = Path(spec.target).expanduser().absolute()  # `newsmon run` may start elsewhere: keep it absolute
        if path.is_dir():
            raise ConfigError(f"{path} is a directory; give a file for the watch's {spec.destination.value} output")
        spec = WatchSpec(**{**spec.__dict__, "target": str(path)})
    now = now or utcnow()
    watch = Watch(name=name, query=spec.to_json(), destination=spec.destination.value, target=spec.target,
                  created_at=now, delivered=0)
    session.add(watch)
    session.flush()
    already = _matching_ids(session, spec, now - OVERLAP)
    session.execute(insert(WatchDelivery).from_select(
        ["watch_id", "article_id"], already.with_only_columns(literal(watch.id), Article.id)))
    return _info(watch)


def list_watches(session: Session) -> list[WatchRow]:
    return [_info(w) for w in session.scalars(select(Watch).order_by(Watch.name))]


def get_watch(session: Session, name: str) -> WatchRow:
    """The watch named ``name``; ConfigError, listing the watches there are, if there is none."""
    watch = session.scalar(select(Watch).where(Watch.name == name))
    if watch is None:
        raise _unknown(session, name)
    return _info(watch)


def remove_watch(session: Session, name: str) -> None:
    """Forget a watch and what it delivered; ConfigError if there is none by that name."""
    watch_id = session.scalar(select(Watch.id).where(Watch.name == name))
    if watch_id is None:
        raise _unknown(session, name)
    session.execute(delete(WatchDelivery).where(WatchDelivery.watch_id == watch_id))
    session.execute(delete(Watch).where(Watch.id == watch_id))


def watches_for_source(session: Session, source: str) -> list[WatchRow]:
    """The watches a crawl of ``source`` can bring something: those naming it, and those with no source filter."""
    return [w for w in list_watches(session) if w.covers(source)]


def run_watch(session: Session, name: str, deliver: Deliver | None = None, *,
              now: datetime | None = None) -> list[ArticleRow]:
    """Deliver the watch's new matches (oldest fetch first) and mark them delivered; returns them.

    ``deliver`` defaults to the watch's own destination (newsmon.watch_delivery.deliver). If it raises
    DeliveryError, nothing is marked: the error is recorded on the watch (commit to keep it) and raised.
    """
    if deliver is None:
        from newsmon.watch_delivery import deliver
    # The lock comes first, before any read: see the module docstring.
    if not session.execute(update(Watch).where(Watch.name == name).values(delivered=Watch.delivered)).rowcount:
        raise _unknown(session, name)
    # populate_existing: a session used for an earlier run must not answer from its identity map
    watch = session.scalars(select(Watch).where(Watch.name == name).execution_options(populate_existing=True)).one()
    started = now or utcnow()
    rows = _new_matches(session, watch)
    if rows:
        try:
            deliver(session, _info(watch), rows)
        except DeliveryError as exc:
            watch.last_error = str(exc)
            session.flush()
            raise
        session.execute(insert(WatchDelivery),
                        [{"watch_id": watch.id, "article_id": r.id, "delivered_at": started} for r in rows])
    watch.last_run_at = started
    watch.last_error = None
    watch.delivered += len(rows)
    session.flush()
    return rows


def pending_matches(session: Session, name: str) -> list[ArticleRow]:
    """What the watch's next run would deliver now, without delivering or marking anything."""
    watch = session.scalar(select(Watch).where(Watch.name == name))
    if watch is None:
        raise _unknown(session, name)
    return _new_matches(session, watch)


def recent_deliveries(session: Session, name: str, limit: int = 50) -> list[ArticleRow]:
    """The articles the watch delivered last, the latest delivery first (an Atom feed's entries)."""
    statement = (
        select(Article, Source.name).join(Source).join(WatchDelivery, WatchDelivery.article_id == Article.id)
        .join(Watch, Watch.id == WatchDelivery.watch_id)
        .where(Watch.name == name, WatchDelivery.delivered_at.is_not(None))
        .order_by(WatchDelivery.delivered_at.desc(), Article.fetched_at.desc(), Article.id.desc())
        .limit(limit)
    )
    return [article_row(article, source) for article, source in session.execute(statement)]


def _new_matches(session: Session, watch: Watch) -> list[ArticleRow]:
    """The one place that decides what is new to a watch (see the module docstring)."""
    since = (watch.last_run_at or watch.created_at) - OVERLAP
    delivered = exists().where(WatchDelivery.watch_id == watch.id, WatchDelivery.article_id == Article.id)
    statement = (
        _matching_ids(session, _spec(watch), since).with_only_columns(Article, Source.name)
        .where(~delivered).order_by(Article.fetched_at, Article.id)
    )
    return [article_row(article, source) for article, source in session.execute(statement)]


def _matching_ids(session: Session, spec: WatchSpec, since: datetime) -> Select[Any]:
    """The articles fetched since ``since`` that match the watch's query; the search and filters are db.query's."""
    query = spec.query
    statement, _score = match_search(session, select(Article.id).join(Source), query.search)
    return apply_filters(statement, query, Article.fetched_at).where(Article.fetched_at >= since)


def _spec(watch: Watch) -> WatchSpec:
    q = watch.query
    return WatchSpec(text=q.get("text"), sources=tuple(q.get("sources") or ()), language=q.get("language"),
                     has_date=q.get("has_date"), destination=Destination(watch.destination), target=watch.target)


def _info(watch: Watch) -> WatchRow:
    return WatchRow(name=watch.name, spec=_spec(watch), created_at=watch.created_at, last_run_at=watch.last_run_at,
                    last_error=watch.last_error, delivered=watch.delivered)


def _unknown(session: Session, name: str) -> ConfigError:
    names = list(session.scalars(select(Watch.name).order_by(Watch.name)))
    return ConfigError(f"no watch named {name!r}; watches: {', '.join(names) or '(none: add one with `newsmon watch add`)'}")
