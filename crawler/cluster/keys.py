"""Every Redis key of a newsmon cluster, under one prefix (NEWSMON_REDIS_PREFIX), and what bounds each.

Nothing here grows with the months a cluster runs: queues hold the work outstanding, per-run and per-worker keys
are deleted when the run ends or the worker is reaped (and expire in any case), fingerprints expire by day.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_PREFIX = "newsmon"
# seconds: a worker not heard from for this long is dead, its in-flight work requeued. It beats every 2 s from the
# reactor thread, which also extracts articles and writes batches: a huge page, a slow commit or a starved CPU can
# hold it for several seconds, and a live worker taken for dead does its work twice. 30 s rides those out; a
# killed worker's requests wait that much longer to be retried, little next to a run.
HEARTBEAT_TTL = 30
BEGUN_TTL = 24 * 3600       # seconds a slot's run is remembered as begun: a start message comes back within minutes
RUN_TTL = 7 * 24 * 3600     # seconds a run's counts are kept in Redis: a run never lasts a week
FORGET_WORKERS_AFTER = 24 * 3600  # a dead worker stays listed by `cluster status` for a day
FINISHED_KEPT = 1000        # finished-run notes waiting for the scheduler node, at most


@dataclass(frozen=True)
class ClusterKeys:
    prefix: str = DEFAULT_PREFIX

    @property
    def starts(self) -> str:
        """List of start messages (JSON {source, slot, enqueued_at}), pushed by the scheduler node."""
        return f"{self.prefix}:starts"

    @property
    def requests(self) -> str:
        """scrapy-redis's priority queue (sorted set) of pickled requests."""
        return f"{self.prefix}:requests"

    @property
    def seen(self) -> str:
        """Prefix of the day buckets of request fingerprints (crawler.cluster.dupefilter)."""
        return f"{self.prefix}:seen"

    @property
    def seq(self) -> str:
        """A counter naming in-flight entries."""
        return f"{self.prefix}:seq"

    def inflight(self, worker: str) -> str:
        """Hash: token → "score\\n" + pickled request, for each request ``worker`` popped and has not settled."""
        return f"{self.prefix}:inflight:{worker}"

    def claimed(self, worker: str) -> str:
        """List of the start messages ``worker`` took and has not turned into requests yet."""
        return f"{self.prefix}:claimed:{worker}"

    def alive(self, worker: str) -> str:
        """Heartbeat: set with an expiry of HEARTBEAT_TTL every few seconds while ``worker`` runs."""
        return f"{self.prefix}:alive:{worker}"

    @property
    def workers(self) -> str:
        """Hash: worker → JSON {host, pid, started, last_seen}; reaped workers are dropped after a day."""
        return f"{self.prefix}:workers"

    def run(self, run_id: int) -> str:
        """Hash of a run: its counters (as in a crawl's stats), ``pending`` work and who it is; deleted at its end."""
        return f"{self.prefix}:run:{run_id}"

    @property
    def finishing(self) -> str:
        """Set of the ids of runs whose last work is settled but whose end is not recorded yet; the run's hash names
        the worker finishing it (``finished``). Each leaves when its end is recorded, or when its hash is gone."""
        return f"{self.prefix}:finishing"

    @property
    def active(self) -> str:
        """Hash: source → JSON {slot, since, run}: a run enqueued or running; the next slot waits for it."""
        return f"{self.prefix}:active"

    @property
    def enqueued(self) -> str:
        """Hash: source → JSON {slot, at}: its last enqueue (one field per source)."""
        return f"{self.prefix}:enqueued"

    def guard(self, source: str, slot: int) -> str:
        """The SET NX EX guard of one source's slot (epoch seconds): exactly one enqueue per slot."""
        return f"{self.prefix}:guard:{source}:{slot}"

    def begun(self, source: str, slot: int | float) -> str:
        """Set once a worker has begun the run of ``source``'s slot: a start message delivered again is dropped."""
        return f"{self.prefix}:begun:{source}:{slot}"

    def polite(self, slot: str) -> str:
        """The send time last reserved at one site (a Scrapy download slot: its host), in microseconds of Redis's
        clock (crawler.cluster.politeness); expires a minute (or two delays) after that time: idle sites leave
        nothing."""
        return f"{self.prefix}:polite:{slot}"

    @property
    def finished(self) -> str:
        """List of finished-run notes for the scheduler node (timing, health, saved searches); capped."""
        return f"{self.prefix}:finished"
