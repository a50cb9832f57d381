"""A cluster run's records, across workers: counts summed in a Redis hash per run, and its outstanding work.

Every request queued for a run adds one to the run's ``pending`` (crawler.cluster.queue); settling a request
takes one off, together with this worker's buffered counts for the run and its in-flight entry, in one Lua
script, and only if this worker still holds it. A request is settled when what its callback yielded has been
queued (the marker it yields last, crawler.cluster.scheduler) or, for an article, once the article is stored or
dropped. So ``pending`` reaches 0 exactly when the run has nothing left anywhere, and every count is in the hash
by then: the worker whose settle brings it to 0 finishes the run's ``crawl_runs`` row, as a single-node crawl does
when its spider closes. That settle also names the worker the run's finisher in its hash and lists the run as
finishing, so a finish whose settle's reply was lost, or whose worker died before writing the row, is still done:
by that worker's next retry, or by any worker once the finisher's heartbeat has expired (``adopt``). Only the
finisher named in the hash records the end in Redis, so a run ends once.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from redis import Redis
from redis.exceptions import RedisError
from scrapy import Request
from scrapy.crawler import Crawler
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from crawler.cluster.keys import FINISHED_KEPT, RUN_TTL, ClusterKeys
from crawler.cluster.queue import WORK_META
from crawler.cluster.scheduler import SETTLE_META
from crawler.context import RUN_META, RunKey
from crawler.items import ArticleItem
from crawler.runs import RunCounts
from db.models import CrawlRun, RunStatus
from db.store import finish_run, start_run, upsert_source
from newsmon.config import Source

logger = logging.getLogger("newsmon.cluster")

# Settle one piece of work, atomically: only if this worker still holds it (HDEL returns 1; a worker taken for
# dead had its entries requeued, and the copy redone elsewhere is settled there) and the run is still going (a
# run's hash is never recreated, without its expiry, by a late settle). The counts are written and ``pending``
# lowered together; the settle that brings it to 0 is told to finish the run, once (HSETNX ``finished``), and
# records that here (the finisher's name, the run in ``finishing``): its reply may be lost, its worker may die.
# KEYS: the hash holding the token (a worker's in-flight hash; the run hash for its start), run hash, finishing set.
# ARGV: token ('' for none), this worker, run id, then counter name and amount pairs.
_SETTLE = """
if ARGV[1] ~= '' and redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return -1 end
if redis.call('EXISTS', KEYS[2]) == 0 then return -2 end
for i = 4, #ARGV, 2 do redis.call('HINCRBY', KEYS[2], ARGV[i], ARGV[i + 1]) end
local left = redis.call('HINCRBY', KEYS[2], 'pending', -1)
if left <= 0 and redis.call('HSETNX', KEYS[2], 'finished', ARGV[2]) == 1 then
  redis.call('SADD', KEYS[3], ARGV[3])
  return 1
end
return 0
"""
_FINISH, _NOT_HELD = 1, -1
# The token of a run's start (its listings queued), held in the run's own hash: queue tokens are numbers.
_START = "start"

# Take on the end of a finishing run: one this worker is named to finish (its settle's reply was lost), or one whose
# finisher's heartbeat has expired (killed before it wrote the row). Checked and renamed in one step, so one worker
# takes it on. A run whose hash is gone (ended; expired) leaves the set.
# KEYS: run hash, finishing set, heartbeat key of the finisher the hash named when read. ARGV: run id, that
# finisher, this worker. Returns 1 if this worker is now the run's finisher.
_ADOPT = """
local finisher = redis.call('HGET', KEYS[1], 'finished')
if not finisher then
  redis.call('SREM', KEYS[2], ARGV[1])
  return 0
end
if finisher == ARGV[3] then return 1 end
if finisher ~= ARGV[2] or redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'finished', ARGV[3])
return 1
"""

# Record a run's end in Redis, only if this worker is still its finisher (one taken for dead may have had it taken
# on meanwhile): the note for the scheduler node, the source no longer busy with it, its hash and entry gone.
# KEYS: run hash, finishing set, active hash, finished list. ARGV: this worker, run id, source, note, notes kept.
_END = """
if redis.call('HGET', KEYS[1], 'finished') ~= ARGV[1] then return 0 end
local active = redis.call('HGET', KEYS[3], ARGV[3])
if active and cjson.decode(active)['run'] == tonumber(ARGV[2]) then redis.call('HDEL', KEYS[3], ARGV[3]) end
redis.call('LPUSH', KEYS[4], ARGV[4])
redis.call('LTRIM', KEYS[4], 0, tonumber(ARGV[5]) - 1)
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[2])
return 1
"""

# Counts added to a run still going (a worker's last counts at its stop); an ended run's hash is not recreated.
_ADD = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
for i = 1, #ARGV, 2 do redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) end
return 1
"""


class RedisLedger:
    """This worker's side of every run it works on (also the runs' Tally: crawler.context)."""

    def __init__(self, server: Redis, keys: ClusterKeys, worker: str, crawler: Crawler,
                 sessions: sessionmaker[Session]) -> None:
        self.server = server
        self.keys = keys
        self.worker = worker
        self.crawler = crawler
        self.sessions = sessions
        self.dupefilter: Any = None         # the scheduler's, found when first needed (``may_retry``)
        self._buffered: defaultdict[int, Counter[str]] = defaultdict(Counter)
        self._settle_script = server.register_script(_SETTLE)
        self._add_script = server.register_script(_ADD)
        self._adopt_script = server.register_script(_ADOPT)
        self._end_script = server.register_script(_END)
        self._unsettled: list[tuple[str | None, RunKey | None, Counter[str]]] = []  # settles to try again
        self._unfinished: dict[int, RunKey] = {}                                   # finishes to try again

    # -------------------------------------------------------------- counting

    def inc(self, run_id: int, key: str, n: int = 1) -> None:
        """Count for a run: kept here until the next settle of that run writes it (a worker's own totals also go
        to its crawler's stats, for its progress lines)."""
        self.crawler.stats.inc_value(key, n)
        self._buffered[run_id][key] += n

    def page(self, run: RunKey) -> None:
        self.inc(run[2], "response_received_count")

    # -------------------------------------------------------------- beginning a run

    def begin(self, message: dict[str, Any], source: Source, spider: Any) -> int:
        """Turn a start message into a run: its ``crawl_runs`` row, its hash, and its listings queued."""
        with self.sessions.begin() as session:
            source_id = upsert_source(session, source.name, source.title, source.url)
            run_id = start_run(session, source_id)  # a run of it still marked running is closed as abandoned
        key = self.keys.run(run_id)
        with self.server.pipeline(transaction=True) as pipe:
            # pending 1: the start itself, settled below once its listings are queued; held in the run's hash as
            # requests are in a worker's in-flight hash, so a settle retried after a lost reply counts once
            pipe.hset(key, mapping={"pending": 1, _START: 1, "source": source.name, "source_id": source_id,
                                    "slot": message.get("slot", 0), "started": time.time()})
            pipe.expire(key, RUN_TTL)
            pipe.hset(self.keys.active, source.name, json.dumps({**message, "run": run_id, "since": time.time()}))
            pipe.execute()
        context = spider.open_run(source, source_id, run_id, self)
        for request in spider.listing_requests(context):
            self.crawler.engine.crawl(request)  # queued in Redis before the start is settled below
        self.settle(_START, context.key)
        logger.info("Run %d of %s begun (slot %s)", run_id, source.name, message.get("slot"))
        return run_id

    # -------------------------------------------------------------- settling

    def follow(self, request: Request, outputs: Iterable[Any] | None) -> Iterator[Any]:
        """What a callback or errback yields, passed on; then its request is settled: at once when it yielded no
        request, by a marker after them when it did, by its article when it yielded one (``item_done``)."""
        token = request.meta.get(WORK_META)
        run = request.meta.get(RUN_META)
        if token is None:  # not popped from the shared queue by this worker
            yield from outputs or ()
            return
        queued = handed_on = False
        failure: Exception | None = None
        try:
            for output in outputs or ():
                if isinstance(output, Request):
                    queued = True
                elif isinstance(output, ArticleItem):
                    output.work, handed_on = token, True
                yield output
        except Exception as exc:  # re-raised below, after settling, so Scrapy reports it as usual
            failure = exc
            self._callback_failed(request, run)
        if not handed_on:
            if queued:
                yield Request(request.url, dont_filter=True, meta={SETTLE_META: token, RUN_META: run})
            else:
                self.settle(token, run)
        if failure is not None:
            raise failure

    def _callback_failed(self, request: Request, run: RunKey | None) -> None:
        """A callback or errback raised: counted on its run, and an article is left for the next run to retry."""
        if run is not None:
            self.inc(run[2], "newsmon/errors/callback")
        if not request.dont_filter:
            self.may_retry(request)

    def item_done(self, item: Any, stored: bool = True, failure: Any = None, **_: Any) -> None:
        """An article stored, dropped or failed in a pipeline: the request it came from is settled. One that
        could not be stored (``stored=False``, or a pipeline raised: ``failure``) is asked for again next run,
        as on one node, where it is not in the database and so not skipped."""
        if not isinstance(item, ArticleItem):
            return
        if not stored or failure is not None:
            for url in {item.fetched_url, item.final_url}:
                self.may_retry(Request(url))
        if item.work is not None:
            token, item.work = item.work, None
            self.settle(token, item.run)

    def may_retry(self, request: Request) -> None:
        """Forget ``request``'s fingerprint in the shared duplicate filter, so the next run may ask for it."""
        if self.dupefilter is None:
            # the engine's scheduler's, looked up now: Scrapy opens the scheduler before spider_opened, when the
            # worker extension hands the spider this ledger, so the scheduler cannot hand it over itself
            try:
                self.dupefilter = getattr(self.crawler.engine.scheduler, "df", None)
            except RuntimeError:  # Crawler.engine before the crawl has started: nothing was filtered yet
                return
        if self.dupefilter is None:
            return
        try:
            self.dupefilter.forget(request)
        except RedisError as exc:  # at worst the article waits for its fingerprint to expire (days)
            logger.warning("Could not forget %s in the duplicate filter: %s", request.url, exc)

    def settle(self, token: str | None, run: RunKey | None) -> None:
        """One piece of work done: its counts written, its in-flight entry dropped, the run's pending lowered,
        atomically (``_SETTLE``). A settle Redis refuses is kept and tried again (``retry``)."""
        counts = self._buffered.pop(run[2], Counter()) if run is not None else Counter()
        try:
            self._settle(token, run, counts)
        except RedisError as exc:
            logger.warning("Could not settle a request of run %s (%s); trying again shortly", run, exc)
            self._unsettled.append((token, run, counts))

    def drop(self, token: str, run_id: int | None) -> None:
        """Settle a popped request known only by its token and its run's id (one the queue could not decode,
        crawler.cluster.queue). A run whose hash is gone has ended; the entry only leaves the in-flight hash."""
        self.settle(token, self._run_key(run_id) if run_id is not None else None)

    def _run_key(self, run_id: int) -> RunKey:
        """A run's key, from what its hash holds (its source's name and id)."""
        name, source_id = self.server.hmget(self.keys.run(run_id), "source", "source_id")
        return (name or b"").decode(), int(source_id or 0), run_id

    def _settle(self, token: str | None, run: RunKey | None, counts: Counter[str]) -> None:
        inflight = self.keys.inflight(self.worker)
        if run is None:
            if token is not None:
                self.server.hdel(inflight, token)
            return
        args: list[Any] = [token or "", self.worker, run[2]]
        for name, n in counts.items():
            args += [name, n]
        holder = self.keys.run(run[2]) if token == _START else inflight
        outcome = self._settle_script(keys=[holder, self.keys.run(run[2]), self.keys.finishing], args=args)
        if outcome == _NOT_HELD and token == _START:
            logger.info("The start of run %s was settled already (a retry after a lost reply)", run)
        elif outcome == _NOT_HELD:
            # this worker was taken for dead and its requests requeued: whoever redoes this one settles it,
            # and its counts (made here, to be made again there) are dropped. Or an earlier try of this settle
            # went through, its reply lost: done already (and if it was told to finish the run, ``adopt`` does).
            logger.warning("Work of run %s was handed to another worker meanwhile, or settled already: not settled "
                           "here", run)
        elif outcome == _FINISH:
            self._finish_once(run)

    def _finish_once(self, run: RunKey) -> None:
        try:
            self.finish(run)
        except (RedisError, SQLAlchemyError) as exc:
            logger.warning("Could not finish run %d of %s (%s); trying again shortly", run[2], run[0], exc)
            self._unfinished[run[2]] = run

    def retry(self) -> None:
        """Try again the settles and finishes that failed on a Redis or database hiccup (the worker's loop), and
        take on the finishes left undone (``adopt``)."""
        unsettled, self._unsettled = self._unsettled, []
        for token, run, counts in unsettled:
            try:
                self._settle(token, run, counts)
            except RedisError:
                self._unsettled.append((token, run, counts))
        try:
            self.adopt()
        except RedisError as exc:
            logger.warning("Could not look for runs left unfinished (%s); trying again shortly", exc)
        unfinished, self._unfinished = self._unfinished, {}
        for run in unfinished.values():
            self._finish_once(run)

    def adopt(self) -> None:
        """Keep for finishing the runs whose last work is settled but whose end is not recorded, and that are this
        worker's to finish: named so by a settle whose reply was lost, or taken on from a finisher that stopped
        answering (its heartbeat expired)."""
        for member in self.server.smembers(self.keys.finishing):
            run_id = int(member)
            if run_id in self._unfinished:  # this worker's finish, failed: tried again below anyway
                continue
            named = (self.server.hget(self.keys.run(run_id), "finished") or b"").decode()
            if self._adopt_script(keys=[self.keys.run(run_id), self.keys.finishing, self.keys.alive(named)],
                                  args=[run_id, named, self.worker]):
                run = self._run_key(run_id)
                logger.info("Finishing run %d of %s, left unfinished by %s", run_id, run[0],
                            "a settle whose reply was lost" if named == self.worker else f"worker {named}")
                self._unfinished[run_id] = run

    def flush(self) -> None:
        """Write every buffered count (at a worker's stop: its runs go on elsewhere), to runs not yet ended."""
        for run_id, counts in self._buffered.items():
            args: list[Any] = []
            for name, n in counts.items():
                args += [name, n]
            self._add_script(keys=[self.keys.run(run_id)], args=args)
        self._buffered.clear()

    # -------------------------------------------------------------- finishing a run

    def finish(self, run: RunKey) -> None:
        """Record the run's summed counts on its row, as a single-node crawl does when it ends; only by the worker
        its hash names its finisher (another may have taken it on, this one taken for dead)."""
        name, _, run_id = run
        values = {k.decode(): v.decode() for k, v in self.server.hgetall(self.keys.run(run_id)).items()}
        if not values:  # finished by an earlier attempt that failed after deleting the hash
            return
        if values.get("finished") != self.worker:  # taken for dead meanwhile: another worker finishes it
            logger.info("Run %d of %s is being finished by worker %s", run_id, name, values.get("finished"))
            return
        counts = RunCounts.from_values({k: int(v) for k, v in values.items()
                                        if k.startswith("newsmon/") or k == "response_received_count"})
        status = counts.status("finished")
        with self.sessions.begin() as session:
            # locked: a finisher taken for dead may be writing it too, having read its hash before the run was taken
            # on; the second to get here finds it no longer running
            row = session.get(CrawlRun, run_id, with_for_update=True)
            # a row no longer running was given up (abandoned by a later run of its source), or was written by a
            # finisher taken for dead: left as it is
            if row is not None and row.status is RunStatus.RUNNING:
                finish_run(session, run_id, status=status, finish_reason="finished", pages=counts.pages,
                           stored=counts.stored, skipped=counts.skipped, errors=counts.errors, counts=counts.detail)
        note = {"source": name, "run": run_id, "status": status.value, "stored": counts.stored,
                "updated": counts.detail.get("updated", 0), "pages": counts.pages, "errors": counts.errors,
                "skipped": counts.skipped, "started": float(values.get("started", 0)), "finished": time.time()}
        if not self._end_script(keys=[self.keys.run(run_id), self.keys.finishing, self.keys.active, self.keys.finished],
                                args=[self.worker, run_id, name, json.dumps(note), FINISHED_KEPT]):
            logger.info("Run %d of %s was taken on by another worker meanwhile: it records the end", run_id, name)
            return
        logger.info("Crawled %s (run %d): %s, %d pages, %d new, %d skipped, %d errors", name, run_id, status.value,
                    counts.pages, counts.stored, counts.skipped, counts.errors)
