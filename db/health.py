"""Source health: is each source still yielding articles, and are they still whole?

A source is judged against its own crawl runs (``crawl_runs``, newest first): flagged **failing** when its last
runs all failed, **idle** when its last runs stored no new article, **dates dropped** / **bodies dropped** when
its recent runs' share of new articles with a date, share of article pages with a body, or mean body length
fell sharply below its own history — what a site redesign does to a parser that used to work. A source never
crawled is new, not unhealthy. :func:`judge` is the one place these rules are coded; the rest reads the
figures they need from the database.
"""

from __future__ import annotations

import enum
import logging
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from db.models import Article, CrawlRun, RunStatus, Source

logger = logging.getLogger("newsmon.health")


@dataclass(frozen=True)
class HealthPolicy:
    """When a source is flagged. The defaults, and why:

    ``idle_runs`` 5: the issue's N. At the common 15-30 minute schedules that is 75 minutes to two and a half
    hours without a new article: long for the busy outlets newsmon follows. A source that publishes less often
    should be crawled less often (its ``every``), so that 5 runs span a time in which it always publishes.
    ``failing_runs`` 3: one failed run is usually a passing outage (a timeout, a 503 during a deploy); three in
    a row, across three schedule slots, is an outage someone should look at.
    ``min_articles`` 4 and ``drop_ratio`` 0.5: a share is compared only with at least 4 articles on each side,
    and a drop counts only when the recent share is under half the earlier one (a sharp drop, as after a
    redesign, not drift). Recent means the newest runs holding at least 4, 8, 16, 32 and 64 articles, each
    window tried: a busy source is judged on one run, a quiet one on the several runs it takes.
    ``max_chance`` 1e-4: a window's drop also has to be one that chance alone (the recent articles behaving
    like the earlier ones) would give less than once in 10,000 checks — the binomial tail, with the earlier
    share smoothed by one article each way, so a short history (4 of 4 dated) asks for more evidence than a
    long one (6 undated articles after 4 dated ones pass it, 5 do not). Health is checked after every run, so
    the bar per check is high: on simulated sources with a steady date share (30-98%, 0.3 to 20 new articles a
    run, 2,700 checks each) 2 of 54,000 checks flagged, and when the dates stopped the flag came after 1-9
    runs (110 for one article every three runs, 30% dated).
    ``length_min_articles`` 10: mean body length has no such test (runs record sums, not spreads), so it is
    compared only over at least 10 articles on each side, where one brief or one long read moves it little.
    ``history_runs`` 1000: how far back "its own history" reaches — about ten days at a 15-minute schedule,
    six weeks hourly. Long enough to hold hundreds of articles; short enough that a site that changed for good
    stops being flagged once its old pages leave the window.
    """

    idle_runs: int = 5
    failing_runs: int = 3
    min_articles: int = 4
    drop_ratio: float = 0.5
    max_chance: float = 1e-4
    window_steps: int = 5               # recent windows of min_articles × 1, 2, 4, … articles
    length_min_articles: int = 10
    history_runs: int = 1000

    def __post_init__(self) -> None:
        if min(self.idle_runs, self.failing_runs, self.min_articles, self.window_steps, self.length_min_articles,
               self.history_runs) < 1 or not 0 < self.drop_ratio <= 1 or not 0 < self.max_chance < 1:
            raise ValueError(f"not a usable health policy: {self}")


class Verdict(enum.StrEnum):
    NEW = "new"                  # never crawled (no finished or failed run yet)
    OK = "ok"
    UNHEALTHY = "unhealthy"


class Flag(enum.StrEnum):
    FAILING = "failing"
    IDLE = "idle"
    DATES_DROPPED = "dates dropped"
    BODIES_DROPPED = "bodies dropped"


@dataclass(frozen=True)
class Finding:
    flag: Flag
    reason: str                  # what was seen, in words: "0 of the last 6 new articles have a date (0%), …"

    def __str__(self) -> str:
        return f"{self.flag}: {self.reason}"


@dataclass(frozen=True)
class RunFigures:
    """One crawl run as health reads it, from its ``crawl_runs`` row and its ``counts``."""

    started_at: datetime
    status: RunStatus
    finish_reason: str | None = None
    pages: int = 0
    new: int = 0                 # articles stored for the first time
    updated: int = 0             # stored articles fetched again whose text had changed
    duplicates: int = 0          # new articles whose text is an exact copy of an earlier article's
    dated: int | None = None     # new articles with a published date; None: run recorded before this was counted
    words: int | None = None     # body words of the new articles, summed; None likewise
    bodiless: int = 0            # article pages that gave no body, so were not stored
    errors: Mapping[str, int] = field(default_factory=dict)   # by kind: {"http_404": 2, "timeout": 1}

    @classmethod
    def from_row(cls, started_at: datetime, status: RunStatus, finish_reason: str | None, pages: int, stored: int,
                 counts: Mapping[str, Any] | None) -> RunFigures:
        counts = counts or {}
        return cls(
            started_at=started_at,
            status=RunStatus(status),
            finish_reason=finish_reason,
            pages=pages,
            new=stored,
            updated=counts.get("updated", 0),
            duplicates=counts.get("exact_copies", 0),
            dated=counts.get("stored_dated"),
            words=counts.get("stored_words"),
            bodiless=counts.get("skipped/not_article", 0) + counts.get("skipped/no_body", 0),
            errors={k.removeprefix("errors/"): v for k, v in sorted(counts.items()) if k.startswith("errors/")},
        )

    @property
    def date_share(self) -> float | None:
        return self.dated / self.new if self.new and self.dated is not None else None

    @property
    def mean_words(self) -> float | None:
        return self.words / self.new if self.new and self.words is not None else None


@dataclass(frozen=True)
class SourceHealth:
    source: str
    last_run: RunFigures | None = None           # the newest run, finished, failed or still running
    last_new_article_at: datetime | None = None  # when the newest run that stored a new article ended
    new_24h: int = 0                             # new articles stored by runs started in the last 24 hours
    new_7d: int = 0                              # … in the last 7 days
    articles: int = 0                            # articles held now
    runs: int = 0                                # finished or failed runs judged (at most policy.history_runs)
    findings: tuple[Finding, ...] = ()

    @property
    def verdict(self) -> Verdict:
        if self.runs == 0:
            return Verdict.NEW
        return Verdict.UNHEALTHY if self.findings else Verdict.OK

    @property
    def flags(self) -> tuple[Flag, ...]:
        return tuple(dict.fromkeys(finding.flag for finding in self.findings))


# --- the rules ---------------------------------------------------------------------------------------------


def judge(runs: Sequence[RunFigures], policy: HealthPolicy = HealthPolicy()) -> tuple[Finding, ...]:
    """What is wrong with a source, from its finished and failed runs, newest first; () when nothing is."""
    findings: list[Finding] = []
    last = runs[: policy.failing_runs]
    if len(last) == policy.failing_runs and all(run.status is RunStatus.FAILED for run in last):
        findings.append(Finding(Flag.FAILING, f"the last {len(last)} runs failed{_why_failed(last[0])}"))
    last = runs[: policy.idle_runs]
    if len(last) == policy.idle_runs and not any(run.new for run in last):
        findings.append(Finding(Flag.IDLE, f"no new article in the last {len(last)} runs"))

    dated = [run for run in runs if run.dated is not None or not run.new]  # runs that counted their dates
    if drop := _share_drop(dated, lambda run: (run.dated or 0, run.new), policy):
        (x, n), (hx, hn) = drop
        findings.append(Finding(Flag.DATES_DROPPED, f"{x} of the last {n} new articles have a date ({_pct(x, n)}), "
                                                    f"against {hx} of {hn} before ({_pct(hx, hn)})"))
    if drop := _share_drop(runs, lambda run: (run.new, run.new + run.bodiless), policy):
        (x, n), (hx, hn) = drop
        findings.append(Finding(Flag.BODIES_DROPPED, f"{x} of the last {n} article pages gave a body "
                                                     f"({_pct(x, n)}), against {hx} of {hn} before ({_pct(hx, hn)})"))
    measured = [run for run in runs if run.words is not None or not run.new]
    if drop := _length_drop(measured, policy):
        (words, n), (hwords, hn) = drop
        findings.append(Finding(Flag.BODIES_DROPPED, f"the last {n} new articles average {words / n:.0f} words, "
                                                     f"against {hwords / hn:.0f} over {hn} before"))
    return tuple(findings)


Tally = tuple[int, int]  # (hits, total): e.g. (new articles with a date, new articles)


def _share_drop(runs: Sequence[RunFigures], tally: Callable[[RunFigures], Tally],
                policy: HealthPolicy) -> tuple[Tally, Tally] | None:
    """The (recent, earlier) tallies of the first recent window whose share dropped sharply and beyond chance."""
    for step in range(policy.window_steps):
        split = _split(runs, tally, policy.min_articles * 2**step)
        if split is None:
            return None
        (x, n), (hx, hn) = split
        if hn < policy.min_articles:
            return None  # a wider window only leaves less history
        if x / n < policy.drop_ratio * hx / hn and _binomial_cdf(x, n, (hx + 1) / (hn + 2)) < policy.max_chance:
            return (x, n), (hx, hn)
    return None


def _length_drop(runs: Sequence[RunFigures], policy: HealthPolicy) -> tuple[Tally, Tally] | None:
    """(recent words, articles), (earlier words, articles) when the recent mean body length fell below
    ``drop_ratio`` of the earlier one, over at least ``length_min_articles`` each."""
    split = _split(runs, lambda run: (run.words or 0, run.new), policy.length_min_articles)
    if split is None:
        return None
    (words, n), (hwords, hn) = split
    if hn >= policy.length_min_articles and words / n < policy.drop_ratio * hwords / hn:
        return (words, n), (hwords, hn)
    return None


def _split(runs: Sequence[RunFigures], tally: Callable[[RunFigures], Tally], need: int) -> tuple[Tally, Tally] | None:
    """Summed tallies of the newest runs holding at least ``need`` in total, and of all the runs before them."""
    x = n = 0
    for i, run in enumerate(runs):
        hits, total = tally(run)
        x, n = x + hits, n + total
        if n >= need:
            earlier = [tally(r) for r in runs[i + 1 :]]
            return (x, n), (sum(h for h, _ in earlier), sum(t for _, t in earlier))
    return None


def _binomial_cdf(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p), 0 < p < 1, summed in logs so large n does not overflow."""
    log_p, log_q = math.log(p), math.log1p(-p)
    log_n = math.lgamma(n + 1)
    return min(1.0, sum(math.exp(log_n - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * log_p + (n - i) * log_q)
                        for i in range(k + 1)))


def _why_failed(run: RunFigures) -> str:
    if run.finish_reason and run.finish_reason != "finished":
        return f" (the last: {run.finish_reason})"
    if run.errors:
        kinds = sorted(run.errors.items(), key=lambda item: -item[1])
        return " (the last: " + ", ".join(f"{kind} {count}" for kind, count in kinds[:3]) + ")"
    return ""


def _pct(x: int, n: int) -> str:
    return f"{100 * x / n:.0f}%"


# --- reading the figures -----------------------------------------------------------------------------------


def source_health(session: Session, policy: HealthPolicy = HealthPolicy(), *, names: Iterable[str] | None = None,
                  now: datetime | None = None) -> dict[str, SourceHealth]:
    """Health of every source in the database, or of ``names`` only (a name the database has never seen is
    new), keyed by source name."""
    now = now or datetime.now(timezone.utc)
    statement = select(Source.id, Source.name)
    if names is not None:
        names = list(dict.fromkeys(names))
        statement = statement.where(Source.name.in_(names))
    sources: dict[int, str] = dict(session.execute(statement).all())
    ids = list(sources)
    runs = _runs(session, ids, policy.history_runs)
    recent = _new_articles(session, ids, now)
    last_new = _last_new_article(session, ids)
    held = dict(session.execute(
        select(Article.source_id, func.count(Article.id)).where(Article.source_id.in_(ids)).group_by(Article.source_id)
    ).all())
    result: dict[str, SourceHealth] = {}
    for source_id, name in sources.items():
        seen = runs.get(source_id, [])
        judged = [run for run in seen if run.status is not RunStatus.RUNNING][: policy.history_runs]
        result[name] = SourceHealth(
            source=name,
            last_run=seen[0] if seen else None,
            last_new_article_at=last_new.get(source_id),
            new_24h=recent.get(source_id, (0, 0))[0],
            new_7d=recent.get(source_id, (0, 0))[1],
            articles=held.get(source_id, 0),
            runs=len(judged),
            findings=judge(judged, policy),
        )
    for name in names or ():
        result.setdefault(name, SourceHealth(source=name))
    return result


def log_health(session: Session, source: str, policy: HealthPolicy = HealthPolicy(),
               now: datetime | None = None) -> SourceHealth:
    """Judge one source and log each of its findings as a warning on ``newsmon.health``; returns its health.

    For the scheduler, after each run of ``source``: a source stays in the log for as long as it is unhealthy.
    """
    health = source_health(session, policy, names=[source], now=now)[source]
    for finding in health.findings:
        logger.warning("%s: %s", source, finding)
    return health


def _runs(session: Session, source_ids: list[int], limit: int) -> dict[int, list[RunFigures]]:
    """Per source, its newest ``limit`` + 1 runs, newest first (the newest may still be running: start_run
    closes any older running one as failed)."""
    order = (CrawlRun.started_at.desc(), CrawlRun.id.desc())
    ranked = (
        select(CrawlRun.source_id, CrawlRun.started_at, CrawlRun.status, CrawlRun.finish_reason, CrawlRun.pages,
               CrawlRun.stored, CrawlRun.counts, CrawlRun.id,
               func.row_number().over(partition_by=CrawlRun.source_id, order_by=order).label("rank"))
        .where(CrawlRun.source_id.in_(source_ids))
        .subquery()
    )
    rows = session.execute(
        select(ranked).where(ranked.c.rank <= limit + 1)
        .order_by(ranked.c.source_id, ranked.c.started_at.desc(), ranked.c.id.desc())
    )
    runs: dict[int, list[RunFigures]] = {}
    for row in rows:
        runs.setdefault(row.source_id, []).append(
            RunFigures.from_row(row.started_at, row.status, row.finish_reason, row.pages, row.stored, row.counts))
    return runs


def _new_articles(session: Session, source_ids: list[int], now: datetime) -> dict[int, tuple[int, int]]:
    """Per source, new articles stored by its runs started in the last 24 hours and the last 7 days.

    Counted from the runs rather than the articles: a revised article's ``fetched_at`` moves, its run does not.
    """
    day, week = now - timedelta(days=1), now - timedelta(days=7)
    rows = session.execute(
        select(CrawlRun.source_id,
               func.sum(case((CrawlRun.started_at >= day, CrawlRun.stored), else_=0)),
               func.sum(CrawlRun.stored))
        .where(CrawlRun.source_id.in_(source_ids), CrawlRun.started_at >= week)
        .group_by(CrawlRun.source_id)
    )
    return {source_id: (int(last_day or 0), int(last_week or 0)) for source_id, last_day, last_week in rows}


def _last_new_article(session: Session, source_ids: list[int]) -> dict[int, datetime]:
    rows = session.execute(
        select(CrawlRun.source_id, func.max(func.coalesce(CrawlRun.finished_at, CrawlRun.started_at)))
        .where(CrawlRun.source_id.in_(source_ids), CrawlRun.stored > 0)
        .group_by(CrawlRun.source_id)
    )
    return {source_id: when for source_id, when in rows}
