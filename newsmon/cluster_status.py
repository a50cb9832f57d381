"""`newsmon cluster status`: what a cluster is doing, from Redis and the database."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

from redis import Redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crawler.cluster.keys import ClusterKeys
from db.models import Article, Source as SourceRow


@dataclass(frozen=True)
class WorkerStatus:
    worker: str
    host: str
    pid: int
    alive: bool               # its heartbeat has not expired
    last_seen: float          # epoch seconds
    in_flight: int            # requests it holds


@dataclass(frozen=True)
class SourceStatus:
    source: str
    last_enqueue: float | None     # epoch seconds of the last start message
    last_slot: int | None
    running: bool                  # a run enqueued or under way
    last_article: datetime | None  # the last article stored (fetched_at)


@dataclass(frozen=True)
class ClusterStatus:
    prefix: str
    starts_queued: int
    requests_queued: int
    workers: list[WorkerStatus] = field(default_factory=list)
    sources: list[SourceStatus] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        for source in data["sources"]:
            if source["last_article"] is not None:
                source["last_article"] = source["last_article"].isoformat()
        return data


def cluster_status(server: Redis, keys: ClusterKeys, session: Session) -> ClusterStatus:
    workers = []
    for raw, info in sorted(server.hgetall(keys.workers).items()):
        name, data = raw.decode(), json.loads(info)
        workers.append(WorkerStatus(worker=name, host=data.get("host", "?"), pid=data.get("pid", 0),
                                    alive=bool(server.exists(keys.alive(name))), last_seen=data.get("last_seen", 0),
                                    in_flight=server.hlen(keys.inflight(name))))
    enqueued = {k.decode(): json.loads(v) for k, v in server.hgetall(keys.enqueued).items()}
    active = {k.decode() for k in server.hkeys(keys.active)}
    last_article = dict(session.execute(
        select(SourceRow.name, func.max(Article.fetched_at)).join(Article, Article.source_id == SourceRow.id)
        .group_by(SourceRow.name)).all())
    names = sorted(set(enqueued) | set(last_article) | active)
    sources = [SourceStatus(source=name, last_enqueue=enqueued.get(name, {}).get("at"),
                            last_slot=enqueued.get(name, {}).get("slot"), running=name in active,
                            last_article=last_article.get(name)) for name in names]
    return ClusterStatus(prefix=keys.prefix, starts_queued=server.llen(keys.starts),
                         requests_queued=server.zcard(keys.requests), workers=workers, sources=sources)


def ago(epoch: float | None, now: float | None = None) -> str:
    if not epoch:
        return "never"
    seconds = max(0, int((now or time.time()) - epoch))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return f"{seconds}s ago"


def when(moment: datetime | None) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S") if moment else "never"
