"""The scheduler node's side of a cluster: each due source's run is enqueued as a start message, exactly once per
time slot, however many scheduler nodes were started by mistake.

The slot of a fire is the latest time at or before it that the source's schedule alone defines: for an interval,
a multiple of the interval counted from the Unix epoch; for cron, the latest cron time. So two schedulers compute
the same slot for the same source even with separate job stores (different databases, jobs added at different
moments), and a `SET guard:<source>:<slot> NX EX` lets only the first enqueue it. Where the two disagree on the
schedule itself (an edited sources file on one, an ``every: auto`` pace that moved differently) they compute
different slots, and the guard cannot tell.
"""

from __future__ import annotations

import enum
import json
import logging
import os
import socket
import time
from datetime import datetime, timedelta, timezone
from typing import Any

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from redis import Redis

from crawler.cluster.keys import ClusterKeys

logger = logging.getLogger("newsmon.cluster")

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_LOOK_BACK = (timedelta(minutes=1), timedelta(hours=1), timedelta(days=1), timedelta(days=32), timedelta(days=400))


def slot_of(trigger: BaseTrigger, fire_time: datetime) -> datetime:
    """The slot a fire at ``fire_time`` (a scheduled time, or "now" for a first or missed run) belongs to."""
    if isinstance(trigger, IntervalTrigger):
        seconds = trigger.interval.total_seconds()
        elapsed = (fire_time - _EPOCH).total_seconds()
        return _EPOCH + timedelta(seconds=(elapsed // seconds) * seconds)
    if isinstance(trigger, CronTrigger):
        return _last_cron_time(trigger, fire_time) or fire_time.replace(microsecond=0)
    return fire_time.replace(microsecond=0)


def _last_cron_time(trigger: CronTrigger, at: datetime) -> datetime | None:
    """The latest time of ``trigger`` at or before ``at``: search windows further back until one holds a time,
    then step through it (APScheduler 3 only steps forwards)."""
    for back in _LOOK_BACK:
        fire = trigger.get_next_fire_time(None, at - back)
        if fire is None or fire > at:
            continue
        while (following := trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))) is not None and following <= at:
            fire = following
        return fire
    return None


def guard_seconds(gap: timedelta) -> int:
    """How long a slot's guard lives: two slots' worth (a scheduler that fires late still finds it), at least a
    minute, at most a week (longer gaps: a second scheduler that late is not a duplicate of this slot)."""
    return int(min(max(2 * gap.total_seconds(), 60), 7 * 86400))


class Enqueued(enum.StrEnum):
    ENQUEUED = "enqueued"
    TAKEN = "taken"      # another scheduler enqueued this slot already
    BUSY = "busy"        # the source's previous run is still queued or running: this slot is skipped


class Enqueuer:
    def __init__(self, server: Redis, keys: ClusterKeys, run_timeout: timedelta = timedelta(hours=6)) -> None:
        self.server = server
        self.keys = keys
        self.run_timeout = run_timeout  # a run "active" longer than this was lost: the next slot runs anyway
        self.me = f"{socket.gethostname()}-{os.getpid()}"

    def enqueue(self, source: str, slot: datetime, gap: timedelta) -> Enqueued:
        """Push the start message of ``source``'s run for ``slot``, unless this slot was taken or its last run is
        still going (the cluster's form of max_instances=1)."""
        slot_seconds = int(slot.timestamp())
        if not self.server.set(self.keys.guard(source, slot_seconds), self.me, nx=True, ex=guard_seconds(gap)):
            return Enqueued.TAKEN
        now = time.time()
        active = self.server.hget(self.keys.active, source)
        if active is not None and now - json.loads(active).get("since", 0) < self.run_timeout.total_seconds():
            return Enqueued.BUSY
        message = {"source": source, "slot": slot_seconds, "enqueued_at": now, "by": self.me}
        with self.server.pipeline(transaction=True) as pipe:
            pipe.hset(self.keys.active, source, json.dumps({**message, "since": now}))
            pipe.lpush(self.keys.starts, json.dumps(message))
            pipe.hset(self.keys.enqueued, source, json.dumps({"slot": slot_seconds, "at": now}))
            pipe.execute()
        return Enqueued.ENQUEUED

    def finished_runs(self, limit: int = 100) -> list[dict[str, Any]]:
        """Notes of runs the workers finished since the last call, oldest first (each taken by one node)."""
        notes = []
        for _ in range(limit):
            raw = self.server.rpop(self.keys.finished)
            if raw is None:
                break
            notes.append(json.loads(raw))
        return notes
