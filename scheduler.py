"""`newsmon run`: every enabled source crawled on its own schedule, for months, in one process.

APScheduler's AsyncIOScheduler runs on the asyncio loop under Scrapy's asyncio reactor, and each job awaits a
crawl on one AsyncCrawlerRunner (../shared/DESIGN.md: the only arrangement that crawls repeatedly in one
process). Jobs live in the project database, one per source, so a restart keeps every source's next run time;
``coalesce`` turns the slots missed while the process was down into one run, ``max_instances=1`` keeps a source
from running twice at once, and a semaphore caps the crawls running together.

With ``--redis`` (a cluster's scheduler node) a due job does not crawl: it enqueues the source's run for the
workers (newsmon.cluster_enqueue: once per time slot, whatever other scheduler runs by mistake), and the workers'
notes of finished runs come back here to adjust timing, check health and run saved searches as after a crawl.

Between runs the job's timing is adjusted from what the run did: a failing source backs off exponentially up to a
cap and returns to its schedule after its first good run; a source with ``every: auto`` is polled more often while
it publishes and less while it brings nothing.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from apscheduler.events import EVENT_JOB_SUBMITTED, JobSubmissionEvent
from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import func, or_, select
from sqlalchemy.engine import Engine

from db.engine import open_database, session_factory
from db.health import log_health
from db.lease import SchedulerLease
from db.models import CrawlRun, RunStatus, Source as SourceRow
from newsmon.config import Source, SourcesConfig, load_sources
from newsmon.config.fields import AutoPace, interval_text
from newsmon.errors import ConfigError
from newsmon.settings import Settings
from newsmon.watch_delivery import run_watches_after_crawl

if TYPE_CHECKING:
    from newsmon.crawl import SourceResult  # imports Scrapy, which must come after the reactor is installed

logger = logging.getLogger("newsmon.scheduler")

JOB_PREFIX = "crawl:"
NOTE_ATTEMPTS = 5  # tries to apply a cluster run's follow-up (timing, health, searches) before it is given up
JOBS_TABLE = "scheduler_jobs"
_ASYNCIO_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"


@dataclass(frozen=True)
class RunOptions:
    max_concurrent: int = 4                          # crawls running at once, across all sources
    shutdown_grace: float = 60.0                     # seconds a stop waits for running crawls to commit
    reload_every: float = 2.0                        # seconds between looks at the sources file's mtime
    backoff_max: timedelta = timedelta(hours=6)      # the longest a failing source waits between tries
    once: bool = False                               # crawl the due sources once, then exit
    redis_url: str | None = None                     # a cluster's scheduler node: enqueue runs, crawl nothing
    redis_prefix: str = "newsmon"                    # the cluster's Redis keys (crawler.cluster.keys)
    overrides: Mapping[str, Any] = field(default_factory=dict)  # Scrapy settings (-s NAME=VALUE)


# ------------------------------------------------------------------ schedules

def trigger_for(source: Source) -> BaseTrigger:
    """The APScheduler trigger for a source: its interval (an auto pace starts at its shortest), or its cron
    expression read in the source's own time zone ("0 7 * * *" is seven in the morning where the outlet is)."""
    if source.cron:
        return CronTrigger.from_crontab(source.cron, timezone=source.tz)
    every = source.every
    interval = every.shortest if isinstance(every, AutoPace) else every
    assert interval is not None  # the config guarantees every or cron
    return IntervalTrigger(seconds=interval.total_seconds(), timezone=timezone.utc)


def schedule_key(source: Source) -> str:
    """The job's name: the source and what its timing comes from, so a config edit that changes it reschedules."""
    return f"{source.name}, {source.schedule}"


def next_pace(pace: AutoPace, current: timedelta, new_articles: int) -> timedelta:
    """The next polling interval of an ``every: auto`` source (as Media Cloud's feed fetcher does): halve it
    after a run that brought something new, stretch it by half after one that did not, within the bounds."""
    proposed = current / 2 if new_articles else current * 1.5
    return max(pace.shortest, min(pace.longest, proposed))


def backoff_delay(interval: timedelta, failures: int, cap: timedelta) -> timedelta:
    """How long a source that failed ``failures`` runs in a row waits before its next try."""
    return min(cap, interval * 2 ** min(failures, 32))


# ------------------------------------------------------------------ the service

@dataclass(frozen=True)
class CrawlReport:
    """What a scheduled run did, and how long its Scrapy crawl took (the rest of the run is scheduling)."""

    result: SourceResult
    crawl_seconds: float


_service: CrawlService | None = None


async def crawl_job(source_name: str) -> CrawlReport | None:
    """The stored job's target, by name (jobs are pickled in the database, so it must be module-level)."""
    return await _service.crawl_source(source_name) if _service is not None else None


class CrawlService:
    """Keeps one job per enabled source in step with the sources file, and runs the crawls."""

    def __init__(self, settings: Settings, options: RunOptions) -> None:
        from scrapy.crawler import AsyncCrawlerRunner  # after the asyncio reactor is installed

        from newsmon.crawl import scrapy_settings

        self.settings = settings
        self.options = options
        self.engine: Engine = open_database(settings.db_url)
        self.sessions = session_factory(self.engine)
        self.runner = AsyncCrawlerRunner(scrapy_settings(settings, options.overrides))
        self.scheduler = AsyncIOScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=self.engine, tablename=JOBS_TABLE)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone=timezone.utc,
        )
        self.config: SourcesConfig = load_sources(settings.sources_path)  # a broken file stops us before we start
        self.config_mtime = _mtime(settings.sources_path)
        self.slots = asyncio.Semaphore(options.max_concurrent)
        self.stopping = asyncio.Event()
        self.running: set[str] = set()
        self.runs = 0
        self.enqueuer = _enqueuer(options) if options.redis_url else None
        self.fired: dict[str, datetime] = {}  # job id → the time its running fire was scheduled for (the slot)
        self.notes_again: list[tuple[float, dict[str, Any]]] = []  # (when, note): finished runs to apply again
        self.note_retry_seconds = 30.0
        self.scheduler.add_listener(self._submitted, EVENT_JOB_SUBMITTED)
        self.lease = SchedulerLease(self.engine).__enter__()  # released by _shutdown; refuses a second scheduler

    # -------------------------------------------------------------- lifecycle

    async def serve(self) -> int:
        """Run until stopped (or, with ``once``, until the due sources have been crawled); the exit code."""
        global _service
        _service = self
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, self._on_stop_signal, signum)
        loop.add_signal_handler(signal.SIGHUP, self.reload)
        self.scheduler.start(paused=True)
        self.sync_jobs(self.config)
        due: asyncio.Future[None] | None = None
        if self.options.once:
            # a stop signal ends the wait at once; _shutdown then stops the running crawls, as in the loop below
            due = asyncio.ensure_future(self._run_due_once())
            stop = asyncio.ensure_future(self.stopping.wait())
            await asyncio.wait({due, stop}, return_when=asyncio.FIRST_COMPLETED)
            stop.cancel()
        else:
            self.scheduler.resume()
            logger.info("Scheduling %d sources from %s (at most %d crawls at once)",
                        len(self.config.enabled), self.settings.sources_path, self.options.max_concurrent)
            watchers = [asyncio.ensure_future(self._watch_config())]
            if self.enqueuer is not None:
                watchers.append(asyncio.ensure_future(self._watch_cluster()))
            await self.stopping.wait()
            for watcher in watchers:
                watcher.cancel()
        await self._shutdown()
        if due is not None:  # its crawls were stopped: it ends now, without scheduling their next slots
            await asyncio.wait({due}, timeout=self.options.shutdown_grace)
        return 0

    def _on_stop_signal(self, signum: int) -> None:
        if self.stopping.is_set():
            # A second signal: leave now. Whatever was not committed is rolled back by the database itself.
            logger.warning("Second %s: exiting at once", signal.Signals(signum).name)
            logging.shutdown()
            os._exit(1)
        logger.info("%s: taking no new crawls; letting %d running ones finish (at most %.0f s)",
                    signal.Signals(signum).name, len(self.running), self.options.shutdown_grace)
        self.stopping.set()

    async def _shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        if self.runner.crawlers:
            # A graceful stop: downloads end, items already scraped go through the pipelines and are committed.
            try:
                await asyncio.wait_for(self.runner.stop(), timeout=self.options.shutdown_grace)
            except asyncio.TimeoutError:
                logger.error("Crawls still running after %.0f s; leaving them uncommitted", self.options.shutdown_grace)
        self.lease.__exit__(None, None, None)
        self.engine.dispose()

    # -------------------------------------------------------------- jobs from config

    def sync_jobs(self, config: SourcesConfig) -> None:
        """Add a job for each new enabled source, reschedule changed ones, remove the rest.

        Existing jobs whose schedule did not change are left alone: re-adding them would drop a run missed
        while we were down (DESIGN.md). A source whose last run was cut short runs again now.
        """
        wanted = {JOB_PREFIX + s.name: s for s in config.enabled}
        interrupted = self._interrupted_sources()
        now = datetime.now(timezone.utc)
        for job in self.scheduler.get_jobs():
            if job.id not in wanted:
                job.remove()
                logger.info("Source %s: no longer scheduled", job.id.removeprefix(JOB_PREFIX))
        for job_id, source in wanted.items():
            job = self.scheduler.get_job(job_id)
            if job is None:
                self.scheduler.add_job(crawl_job, trigger_for(source), args=[source.name], id=job_id,
                                       name=schedule_key(source), next_run_time=now)
                logger.info("Scheduled %s; first run now", schedule_key(source))
            elif job.name != schedule_key(source):
                job.modify(name=schedule_key(source))
                job.reschedule(trigger_for(source))
                logger.info("Rescheduled %s", schedule_key(source))
            elif source.name in interrupted and source.name not in self.running:
                job.modify(next_run_time=now)
                logger.info("Source %s: its last run was cut short; running it again now", source.name)

    def reload(self) -> None:
        """Read the sources file again; an invalid edit is logged and the running schedule kept."""
        self.config_mtime = _mtime(self.settings.sources_path)
        try:
            config = load_sources(self.settings.sources_path)
        except ConfigError as exc:
            logger.error("Ignoring the edit to %s; keeping the running schedule:\n%s", self.settings.sources_path, exc)
            return
        self.config = config
        self.sync_jobs(config)
        logger.info("Reloaded %s: %d sources scheduled", self.settings.sources_path, len(config.enabled))

    async def _watch_config(self) -> None:
        while True:
            await asyncio.sleep(self.options.reload_every)
            if _mtime(self.settings.sources_path) != self.config_mtime:
                self.reload()

    def _interrupted_sources(self) -> set[str]:
        """Sources whose latest crawl run was cut short: killed in the middle, or stopped by a shutdown."""
        latest = select(func.max(CrawlRun.id)).group_by(CrawlRun.source_id)
        with self.sessions() as session:
            return set(session.scalars(
                select(SourceRow.name).join(CrawlRun, CrawlRun.source_id == SourceRow.id)
                .where(CrawlRun.id.in_(latest),
                       or_(CrawlRun.status == RunStatus.RUNNING, CrawlRun.finish_reason == "shutdown"))
            ))

    # -------------------------------------------------------------- runs

    async def _run_due_once(self) -> None:
        now = datetime.now(timezone.utc)
        due = [job for job in self.scheduler.get_jobs() if job.next_run_time and job.next_run_time <= now]
        logger.info("Crawling %d due sources once (%d not due yet)", len(due), len(self.scheduler.get_jobs()) - len(due))
        await asyncio.gather(*(self._once(job) for job in due))

    async def _once(self, job: Job) -> None:
        await self.crawl_source(job.args[0])
        job = self.scheduler.get_job(job.id) or job
        if not self.stopping.is_set() and job.next_run_time and job.next_run_time <= datetime.now(timezone.utc):
            # no backoff or pace change moved it: the next slot of its own schedule
            now = datetime.now(timezone.utc)
            job.modify(next_run_time=job.trigger.get_next_fire_time(None, now))

    async def crawl_source(self, name: str) -> CrawlReport | None:
        """One scheduled run of one source: wait for a free slot, crawl, log, and adjust the source's timing."""
        from crawler.spiders.news import NewsSpider
        from newsmon.crawl import source_result

        if self.enqueuer is not None:
            self._enqueue(name)
            return None
        async with self.slots:
            source = next((s for s in self.config.enabled if s.name == name), None)
            if source is None or self.stopping.is_set():
                return None
            self.running.add(name)
            try:
                crawler = self.runner.create_crawler(NewsSpider)
                started = time.perf_counter()
                await self.runner.crawl(crawler, source=source)
                report = CrawlReport(source_result(source, crawler), time.perf_counter() - started)
            finally:
                self.running.discard(name)
        self.runs += 1
        result, counts = report.result, report.result.counts
        updated = counts.detail.get("updated", 0)
        logger.info(
            "Crawled %s: %s in %.1f s, %d pages, %d new, %d updated, %d skipped, %d errors",
            name, result.status.value, report.crawl_seconds, counts.pages, counts.stored, updated, counts.skipped,
            counts.errors,
            extra={"crawl": {"source": name, "status": result.status.value, "seconds": round(report.crawl_seconds, 3),
                             "pages": counts.pages, "new": counts.stored, "updated": updated,
                             "skipped": counts.skipped, "errors": counts.errors}},
        )
        if not self.stopping.is_set():
            await self._after_run(source, result.status, counts.stored, updated)
        return report

    async def _after_run(self, source: Source, status: RunStatus, stored: int, updated: int) -> None:
        """What follows a run, crawled here or by the cluster's workers: timing, health, saved searches."""
        self._adjust_timing(source, status, stored)
        with self.sessions() as session:
            log_health(session, source.name)  # a source that stopped yielding, or lost its dates, is a warning now
        if stored or updated:  # saved searches covering this source; logs its failures, never raises
            await asyncio.to_thread(run_watches_after_crawl, self.sessions, source.name)

    # -------------------------------------------------------------- a cluster's scheduler node

    def _submitted(self, event: JobSubmissionEvent) -> None:
        # APScheduler does not tell a job when it was due; this listener runs just before the job starts
        if event.scheduled_run_times:
            self.fired[event.job_id] = event.scheduled_run_times[-1]  # coalesced: the latest missed time

    def _enqueue(self, name: str) -> None:
        """Enqueue ``name``'s run for the workers: once per slot across every scheduler sharing the Redis."""
        from newsmon.cluster_enqueue import slot_of

        assert self.enqueuer is not None
        job = self.scheduler.get_job(JOB_PREFIX + name)
        source = next((s for s in self.config.enabled if s.name == name), None)
        if job is None or source is None or self.stopping.is_set():
            return
        now = datetime.now(timezone.utc)
        fired = min(self.fired.pop(job.id, now), now)
        slot = slot_of(job.trigger, fired)
        outcome = self.enqueuer.enqueue(name, slot, _interval_of(job.trigger) or _gap_of(job))
        self.runs += 1
        logger.info("Source %s, slot %s: %s", name, slot.astimezone(timezone.utc).isoformat(timespec="seconds"),
                    {"enqueued": "enqueued for the workers", "taken": "already enqueued by another scheduler",
                     "busy": "its previous run is still going; skipped"}[outcome.value],
                    extra={"enqueue": {"source": name, "slot": int(slot.timestamp()), "outcome": outcome.value}})

    async def _watch_cluster(self) -> None:
        """Apply the workers' finished runs (timing, health, searches) and requeue the work of dead workers."""
        from crawler.cluster.worker import reap

        assert self.enqueuer is not None
        while True:
            await asyncio.sleep(1.0)
            try:
                reap(self.enqueuer.server, self.enqueuer.keys)
                notes = self.enqueuer.finished_runs()
            except Exception:  # noqa: BLE001 - a Redis outage is logged and retried; the schedule goes on
                logger.exception("Cannot read the cluster's finished runs")
                continue
            await self._apply_notes(notes + self._notes_due())

    async def _apply_notes(self, notes: list[dict[str, Any]]) -> None:
        """Each finished run's follow-up; one that fails (a database or job-store hiccup) is logged and tried
        again later, a few times, and the notes after it are still applied."""
        for note in notes:
            source = next((s for s in self.config.enabled if s.name == note["source"]), None)
            if source is None or self.stopping.is_set():
                continue
            try:
                await self._after_run(source, RunStatus(note["status"]), note["stored"], note["updated"])
            except Exception:  # noqa: BLE001 - the watcher must outlive any one note; logged with its traceback
                attempts = note.get("attempts", 0) + 1
                if attempts < NOTE_ATTEMPTS:
                    logger.exception("Could not apply run %s of %s; trying again in %.0f s", note.get("run"),
                                     note["source"], self.note_retry_seconds * attempts)
                    self.notes_again.append((time.monotonic() + self.note_retry_seconds * attempts,
                                             {**note, "attempts": attempts}))
                else:
                    logger.exception("Could not apply run %s of %s; giving up", note.get("run"), note["source"])

    def _notes_due(self) -> list[dict[str, Any]]:
        now = time.monotonic()
        due = [note for at, note in self.notes_again if at <= now]
        self.notes_again = [(at, note) for at, note in self.notes_again if at > now]
        return due

    def _adjust_timing(self, source: Source, status: RunStatus, new_articles: int) -> None:
        job = self.scheduler.get_job(JOB_PREFIX + source.name)
        if job is None:
            return
        interval = _interval_of(job.trigger)
        if isinstance(source.every, AutoPace) and interval is not None and status is RunStatus.FINISHED:
            paced = next_pace(source.every, interval, new_articles)
            if paced != interval:
                job.reschedule(IntervalTrigger(seconds=paced.total_seconds(), timezone=timezone.utc))
                logger.info("Source %s: %d new, polling every %s now", source.name, new_articles, interval_text(paced))
            return
        if status is RunStatus.FAILED:
            failures = self._failures_in_a_row(source.name)
            base = interval or _gap_of(job)
            delay = backoff_delay(base, failures, self.options.backoff_max)
            if delay > base:
                job.modify(next_run_time=datetime.now(timezone.utc) + delay)
                logger.warning("Source %s failed %d runs in a row; next try in %s", source.name, failures, interval_text(delay))

    def _failures_in_a_row(self, name: str) -> int:
        with self.sessions() as session:
            statuses = session.scalars(
                select(CrawlRun.status).join(SourceRow, SourceRow.id == CrawlRun.source_id)
                .where(SourceRow.name == name).order_by(CrawlRun.id.desc()).limit(40)
            ).all()
        failures = 0
        for status in statuses:
            if status is not RunStatus.FAILED:
                break
            failures += 1
        return failures


def _enqueuer(options: RunOptions) -> Any:
    """The cluster's enqueuer; Redis is reached now, so a wrong URL stops the start with one message."""
    import redis

    from crawler.cluster.keys import ClusterKeys
    from newsmon.cluster_enqueue import Enqueuer
    from newsmon.errors import StoreError

    assert options.redis_url is not None
    server = redis.Redis.from_url(options.redis_url, socket_connect_timeout=5)
    try:
        server.ping()
    except redis.RedisError as exc:
        raise StoreError(f"cannot reach Redis at {options.redis_url}: {exc}") from None
    return Enqueuer(server, ClusterKeys(options.redis_prefix))


def _interval_of(trigger: BaseTrigger) -> timedelta | None:
    return trigger.interval if isinstance(trigger, IntervalTrigger) else None


def _gap_of(job: Job) -> timedelta:
    """A cron job's current gap between slots, the base of its backoff."""
    now = datetime.now(timezone.utc)
    first = job.trigger.get_next_fire_time(None, now)
    second = job.trigger.get_next_fire_time(first, first) if first else None
    return (second - first) if first and second else timedelta(hours=1)


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None


# ------------------------------------------------------------------ entry point

def run(settings: Settings, options: RunOptions, service_class: type[CrawlService] | None = None) -> int:
    """Run the scheduler in this process until it is stopped; returns the exit code.

    Installs Scrapy's asyncio reactor, so call it once per process, before anything imports the reactor.
    """
    from scrapy.utils.reactor import install_reactor

    install_reactor(_ASYNCIO_REACTOR)
    from twisted.internet import reactor

    outcome: dict[str, Any] = {}

    def start() -> None:
        try:
            service = (service_class or CrawlService)(settings, options)
        except BaseException as exc:  # a broken config or database: report it after the reactor stops
            outcome["error"] = exc
            reactor.stop()
            return
        task = asyncio.ensure_future(service.serve())
        task.add_done_callback(lambda done: (outcome.setdefault("task", done), reactor.stop()))

    reactor.callWhenRunning(start)
    reactor.run(installSignalHandlers=False)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["task"].result()
