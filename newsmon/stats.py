"""``newsmon stats``: per source, its last run, last new article, new articles in 24 h / 7 d, and its health."""

from __future__ import annotations

import json
import shutil
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, TextIO

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from db.engine import open_database, session_factory
from db.health import HealthPolicy, RunFigures, SourceHealth, Verdict, source_health
from newsmon.config import load_sources
from newsmon.settings import Settings


class StatsFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


@dataclass(frozen=True)
class SourceStats:
    """A source's health, and whether the sources file still crawls it: "enabled", "disabled", or "removed"
    (in the database, no longer in the file). Only enabled sources are judged: the others are not crawled,
    so their last runs say nothing about them now."""

    health: SourceHealth
    state: str

    @property
    def verdict(self) -> str:
        return self.health.verdict.value if self.state == "enabled" else self.state

    @property
    def flagged(self) -> bool:
        return self.state == "enabled" and self.health.verdict is Verdict.UNHEALTHY

    @property
    def reasons(self) -> list[str]:
        return [str(finding) for finding in self.health.findings] if self.state == "enabled" else []


def source_stats(session: Session, configured: Mapping[str, bool], policy: HealthPolicy = HealthPolicy(),
                 now: datetime | None = None) -> list[SourceStats]:
    """Every configured source (``{name: enabled}``, in that order), then those only the database knows."""
    health = source_health(session, policy, now=now)
    rows = [SourceStats(health.get(name) or SourceHealth(source=name), "enabled" if enabled else "disabled")
            for name, enabled in configured.items()]
    rows += [SourceStats(health[name], "removed") for name in sorted(set(health) - set(configured))]
    return rows


def stats(
    ctx: typer.Context,
    unhealthy: Annotated[bool, typer.Option("--unhealthy", help="Only the flagged sources; exit 1 if there are any")] = False,
    format: Annotated[StatsFormat, typer.Option("--format", "-f", help="Output format")] = StatsFormat.TABLE,
) -> None:
    """Per source: last run, last new article, new articles in 24 h and 7 d, and a health verdict with reasons."""
    settings: Settings = ctx.obj
    config = load_sources(settings.sources_path)
    with session_factory(open_database(settings.db_url, create=False))() as session:
        rows = source_stats(session, {s.name: s.enabled for s in config.sources})
    if unhealthy:
        rows = [row for row in rows if row.flagged]
    write_stats(rows, format, sys.stdout)
    if unhealthy and rows:
        raise typer.Exit(1)


def stats_record(row: SourceStats) -> dict[str, Any]:
    health = row.health
    return {
        "source": health.source,
        "state": row.state,
        "verdict": row.verdict,
        "flags": [str(flag) for flag in health.flags] if row.state == "enabled" else [],
        "reasons": row.reasons,
        "last_run": _run_record(health.last_run) if health.last_run else None,
        "last_new_article_at": _iso(health.last_new_article_at),
        "new_24h": health.new_24h,
        "new_7d": health.new_7d,
        "articles": health.articles,
    }


def _run_record(run: RunFigures) -> dict[str, Any]:
    return {
        "started_at": _iso(run.started_at),
        "status": run.status.value,
        "finish_reason": run.finish_reason,
        "pages": run.pages,
        "new": run.new,
        "updated": run.updated,
        "duplicates": run.duplicates,
        "date_share": None if run.date_share is None else round(run.date_share, 3),
        "mean_words": None if run.mean_words is None else round(run.mean_words, 1),
        "errors": dict(run.errors),
    }


_COLOURS = {"ok": "green", "unhealthy": "red"}


def write_stats(rows: Sequence[SourceStats], fmt: StatsFormat, out: TextIO) -> None:
    if fmt is StatsFormat.JSON:
        json.dump([stats_record(row) for row in rows], out, ensure_ascii=False, indent=2)
        out.write("\n")
        return
    table = Table(header_style="bold")
    numbers = ("new 24h", "new 7d", "articles")
    for column in ("source", "last run (UTC)", "status", "last new (UTC)", *numbers, "verdict", "reasons"):
        table.add_column(column, justify="right" if column in numbers else "left", no_wrap=column != "reasons")
    for row in rows:
        health, run = row.health, row.health.last_run
        colour = _COLOURS.get(row.verdict, "dim")
        table.add_row(health.source, _time(run.started_at if run else None), run.status.value if run else "—",
                      _time(health.last_new_article_at), str(health.new_24h), str(health.new_7d), str(health.articles),
                      f"[{colour}]{row.verdict}[/]", "; ".join(row.reasons))
    # Piped output (files, grep, less) is not cut at 80 columns: one row per line there.
    Console(file=out, soft_wrap=False, width=shutil.get_terminal_size((200, 24)).columns).print(table)
    verdicts = Counter(row.verdict for row in rows)
    summary = ", ".join(f"{count} {verdict}" for verdict, count in sorted(verdicts.items()))
    print(f"{len(rows)} source{'' if len(rows) == 1 else 's'}" + (f": {summary}" if summary else ""), file=out)


def _time(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "never"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
