"""Soak the scheduler: many scheduled crawls of the sample site in one process; memory and scheduling overhead.

    .venv/bin/python bench/scheduler_soak.py [--runs 300] [--every 1s] [--backend sqlite|postgres] [--pg-url URL]
                                             [--check]

Serves the sample site on 127.0.0.1, schedules its seven reachable outlets at ``--every`` in one `newsmon run`
service (the real CrawlService: APScheduler on Scrapy's asyncio reactor, jobs in the database) and stops it after
``--runs`` crawls. The first crawl of each outlet stores its articles; later ones find nothing new, as most
scheduled runs of a real source do.

Printed:
- resident memory (VmRSS) before the first run, after the first round (every outlet crawled once: Scrapy,
  trafilatura and the database warmed up) and at the end; growth is counted from the first round.
- per-run overhead: the time from a run's scheduled moment until the job is done, minus the time the Scrapy
  crawl itself took; that is, timer latency, waiting for the job store, creating the crawler, recording and
  logging the run, and rescheduling. Median, p95 and max.

Targets: memory grows less than 30 MB over the runs; overhead under 50 ms per run (median).
--check exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import logging
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere without installing the project

import scheduler  # noqa: E402
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent  # noqa: E402
from db.scratch import scratch_schema  # noqa: E402
from newsmon.crawl import LOCAL_SITE_SETTINGS  # noqa: E402
from newsmon.sample_site import SampleSite, sources_yaml  # noqa: E402
from newsmon.settings import Settings  # noqa: E402

TARGETS = {"growth_mb": 30.0, "overhead_ms": 50.0}
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status (Linux only)")


class Soak(scheduler.CrawlService):
    """The real service, with a listener that times each run and stops after ``runs``."""

    target_runs = 300
    started: Soak | None = None  # the instance scheduler.run made, for the report

    def __init__(self, settings: Settings, options: scheduler.RunOptions) -> None:
        super().__init__(settings, options)
        self.sources = len(self.config.enabled)
        self.overheads: list[float] = []
        self.crawl_seconds: list[float] = []
        self.memory: dict[str, float] = {"before the first run": rss_mb()}
        self.failed_jobs = 0
        self.scheduler.add_listener(self._on_job, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
        Soak.started = self

    def _on_job(self, event: JobExecutionEvent) -> None:
        if event.exception is not None:
            self.failed_jobs += 1
            return
        report = event.retval
        if report is None:  # a run skipped during shutdown
            return
        total = (datetime.now(timezone.utc) - event.scheduled_run_time).total_seconds()
        self.overheads.append(total - report.crawl_seconds)
        self.crawl_seconds.append(report.crawl_seconds)
        done = len(self.overheads)
        if done == self.sources:
            gc.collect()
            self.memory["after the first round"] = rss_mb()
        if done % 50 == 0:
            print(f"   {done:4d} runs, {rss_mb():6.1f} MB", flush=True)
        if done >= self.target_runs and not self.stopping.is_set():
            gc.collect()
            self.memory["at the end"] = rss_mb()
            self.stopping.set()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--every", default="1s", help="each outlet's interval (default 1s)")
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite",
                        help="a fresh SQLite file, or a scratch schema on --pg-url")
    parser.add_argument("--pg-url", default=os.environ.get("NEWSMON_TEST_POSTGRES_URL", DEFAULT_PG))
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # The sample site's broken pages are logged on every run; only the scheduler's own warnings are of interest.
    logging.getLogger().handlers[0].addFilter(lambda record: record.name.startswith("newsmon"))

    with contextlib.ExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory())
        site = stack.enter_context(SampleSite(slow_seconds=0.2))
        db_url = (stack.enter_context(scratch_schema(args.pg_url, prefix="newsmon_bench"))
                  if args.backend == "postgres" else f"sqlite:///{tmp}/soak.db")
        data = yaml.safe_load(sources_yaml(site.base_url))
        data["sources"] = [dict(s, every=args.every) for s in data["sources"] if s["name"] != "offline"]
        sources = Path(tmp) / "sources.yaml"
        sources.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        settings = Settings(db_url=db_url, sources_path=sources)
        options = scheduler.RunOptions(max_concurrent=len(data["sources"]), overrides=LOCAL_SITE_SETTINGS)
        Soak.target_runs = args.runs
        print(f"== {args.runs} scheduled crawls of {len(data['sources'])} sample outlets, each every {args.every}, "
              f"in one process ({args.backend})", flush=True)
        started = time.monotonic()
        scheduler.run(settings, options, service_class=Soak)
        elapsed = time.monotonic() - started

    soak = Soak.started
    assert soak is not None
    overhead_ms = sorted(x * 1000 for x in soak.overheads)
    growth = soak.memory["at the end"] - soak.memory["after the first round"]
    median = statistics.median(overhead_ms)
    p95 = overhead_ms[int(0.95 * (len(overhead_ms) - 1))]
    print(f"   {len(soak.overheads)} runs in {elapsed:.0f} s; job errors: {soak.failed_jobs}; "
          f"crawl time per run: median {statistics.median(soak.crawl_seconds) * 1000:.0f} ms")
    for moment, mb in soak.memory.items():
        print(f"   resident memory {moment:>22}: {mb:6.1f} MB")
    ok_memory, ok_overhead = growth < TARGETS["growth_mb"], median < TARGETS["overhead_ms"]
    print(f"   memory growth after the first round: {growth:+.1f} MB  (target < {TARGETS['growth_mb']:.0f} MB: "
          f"{'ok' if ok_memory else 'MISSED'})")
    print(f"   overhead per run (run time minus crawl time): median {median:.1f} ms, p95 {p95:.1f} ms, "
          f"max {overhead_ms[-1]:.1f} ms  (target < {TARGETS['overhead_ms']:.0f} ms: "
          f"{'ok' if ok_overhead else 'MISSED'})")
    return 1 if args.check and not (ok_memory and ok_overhead and not soak.failed_jobs) else 0


if __name__ == "__main__":
    sys.exit(main())
