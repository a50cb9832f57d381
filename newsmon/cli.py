"""The ``newsmon`` command: a thin shell over functions the tests call directly."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum, StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional, TextIO

import typer
from rich.console import Console
from sqlalchemy import select
from sqlalchemy.orm import Session
from rich.table import Table

from db.engine import make_engine, open_database, session_factory, upgrade
from db.models import RunStatus
from db.models import Source as SourceRow
from db.query import (
    ArticleQuery, DateField, Sort, article_history, iter_articles, query_articles, query_stories, source_figures,
)
from newsmon.config import SourcesConfig, load_sources
from newsmon.config.fields import parse_interval
from newsmon.errors import ConfigError, NewsmonError, StoreError
from newsmon.logs import configure_console_logging
from newsmon.output import Feed, Format, write_articles, write_history, write_stories
from newsmon.settings import Settings
from newsmon.stats import stats
from newsmon.timespec import parse_when
from newsmon.watch_cli import watch_app

if TYPE_CHECKING:
    from newsmon.crawl import SourceResult  # imports Scrapy: only the crawling commands pay for that

app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False,
                  help="News monitoring: crawl configured outlets into a database and query it.")
sources_app = typer.Typer(no_args_is_help=True, help="Show and check the configured sources.")
db_app = typer.Typer(no_args_is_help=True, help="Database maintenance.")
app.add_typer(sources_app, name="sources")
app.add_typer(db_app, name="db")
app.add_typer(watch_app, name="watch")  # newsmon.watch_cli: saved searches

# Piped output (files, tests, less) is not cut at 80 columns: tables stay one row per line there.
out = Console(soft_wrap=False, width=shutil.get_terminal_size((200, 24)).columns)
err = Console(stderr=True)


@app.callback()
def options(
    ctx: typer.Context,
    db: Annotated[Optional[str], typer.Option(help="SQLAlchemy database URL (env NEWSMON_DB; default sqlite:///newsmon.db)")] = None,
    sources: Annotated[Optional[Path], typer.Option(help="Sources file (env NEWSMON_SOURCES; default ./sources.yaml)")] = None,
) -> None:
    ctx.obj = Settings.load(db=db, sources=sources)


@app.command()
def crawl(
    ctx: typer.Context,
    names: Annotated[Optional[list[str]], typer.Argument(help="Sources to crawl (default: every enabled one)")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Scrapy's own log lines")] = False,
    set_: Annotated[Optional[list[str]], typer.Option("--set", "-s", help="Scrapy setting NAME=VALUE (repeatable), e.g. -s DOWNLOAD_DELAY=2")] = None,
) -> None:
    """Crawl sources once and store their new articles; exit 1 if a source failed."""
    from newsmon.crawl import crawl as run_crawl

    settings: Settings = ctx.obj
    overrides = dict(_setting(item) for item in set_ or ())
    config = load_sources(settings.sources_path)
    chosen = [config.get(name) for name in dict.fromkeys(names)] if names else list(config.enabled)
    if not chosen:
        raise ConfigError(f"no enabled sources in {settings.sources_path}")
    configure_console_logging(verbose)
    results = run_crawl(settings, chosen, overrides=overrides)
    _print_results(results)
    failed = [r.source for r in results if r.status is RunStatus.FAILED]
    if failed:
        err.print(f"[red]Failed:[/] {', '.join(failed)} (see the warnings above)")
        raise typer.Exit(1)


class LogFormat(str, Enum):
    TEXT = "text"
    JSON = "json"


@app.command()
def run(
    ctx: typer.Context,
    once: Annotated[bool, typer.Option("--once", help="Crawl every due source once, then exit")] = False,
    max_concurrent: Annotated[int, typer.Option(min=1, help="Crawls running at the same time")] = 4,
    shutdown_grace: Annotated[float, typer.Option(min=0, help="Seconds a stop waits for running crawls to commit")] = 60.0,
    backoff_max: Annotated[str, typer.Option(help="Longest wait between tries of a failing source, e.g. 6h, 30m")] = "6h",
    log_format: Annotated[LogFormat, typer.Option(help="text, or json: one JSON object per line")] = LogFormat.TEXT,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Scrapy's own log lines")] = False,
    set_: Annotated[Optional[list[str]], typer.Option("--set", "-s", help="Scrapy setting NAME=VALUE (repeatable)")] = None,
    redis_url: Annotated[Optional[str], typer.Option("--redis", metavar="URL", help="Be a cluster's scheduler node: enqueue each due run in this Redis for `newsmon worker`s instead of crawling")] = None,
    redis_prefix: RedisPrefix = "newsmon",
) -> None:
    """Crawl every enabled source on its schedule until stopped (SIGTERM/SIGINT); edits to the sources file
    (or SIGHUP) are picked up while running. With --redis, the workers crawl and this only schedules."""
    import scheduler

    settings: Settings = ctx.obj
    configure_console_logging(verbose, json_lines=log_format is LogFormat.JSON)
    try:
        longest_backoff = parse_interval(backoff_max)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--backoff-max") from None
    options = scheduler.RunOptions(max_concurrent=max_concurrent, shutdown_grace=shutdown_grace, once=once,
                                   backoff_max=longest_backoff, overrides=dict(_setting(item) for item in set_ or ()),
                                   redis_url=redis_url, redis_prefix=redis_prefix)
    raise typer.Exit(scheduler.run(settings, options))


RedisOption = Annotated[str, typer.Option("--redis", metavar="URL", help="The cluster's Redis, e.g. redis://10.0.0.5:6379/0")]
RedisPrefix = Annotated[str, typer.Option(help="Prefix of the cluster's Redis keys (clusters sharing a Redis differ by it)")]
DbOption = Annotated[Optional[str], typer.Option("--db", help="SQLAlchemy database URL (as the global --db)")]
SourcesOption = Annotated[Optional[Path], typer.Option("--sources", help="Sources file (as the global --sources)")]


def _node_settings(ctx: typer.Context, db: str | None, sources: Path | None) -> Settings:
    """The global settings, with this command's own --db/--sources (a node's unit file names them after it)."""
    settings: Settings = ctx.obj
    return Settings(db_url=db or settings.db_url, sources_path=sources or settings.sources_path)


@app.command()
def worker(
    ctx: typer.Context,
    redis_url: RedisOption,
    db: DbOption = None,
    sources: SourcesOption = None,
    redis_prefix: RedisPrefix = "newsmon",
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Scrapy's own log lines")] = False,
    set_: Annotated[Optional[list[str]], typer.Option("--set", "-s", help="Scrapy setting NAME=VALUE (repeatable)")] = None,
) -> None:
    """Crawl for a cluster: take requests from the shared Redis queue until stopped (SIGTERM/SIGINT). Start as
    many as you like, on any machines, with the same sources file and database."""
    from newsmon.cluster_worker import run_worker

    settings = _node_settings(ctx, db, sources)
    load_sources(settings.sources_path)  # a broken file stops us here, with every error
    configure_console_logging(verbose)
    raise typer.Exit(run_worker(settings, redis_url, redis_prefix, dict(_setting(item) for item in set_ or ())))


cluster_app = typer.Typer(no_args_is_help=True, help="A cluster of workers sharing Redis and a database.")
app.add_typer(cluster_app, name="cluster")


@cluster_app.command("status")
def cluster_status_command(
    ctx: typer.Context,
    redis_url: RedisOption,
    db: DbOption = None,
    redis_prefix: RedisPrefix = "newsmon",
    format: Annotated[str, typer.Option("--format", "-f", help="text or json")] = "text",
) -> None:
    """Queue lengths, workers seen recently, and per source the last enqueue and the last article stored."""
    import json as json_module

    import redis

    from crawler.cluster.keys import ClusterKeys
    from newsmon.cluster_status import ago, cluster_status, when

    if format not in ("text", "json"):
        raise typer.BadParameter("text or json", param_hint="--format")
    settings = _node_settings(ctx, db, None)
    server = redis.Redis.from_url(redis_url, socket_connect_timeout=5)
    try:
        with session_factory(open_database(settings.db_url, create=False))() as session:
            status = cluster_status(server, ClusterKeys(redis_prefix), session)
    except redis.RedisError as exc:
        raise StoreError(f"cannot reach Redis at {redis_url}: {exc}") from None
    if format == "json":
        print(json_module.dumps(status.as_json(), ensure_ascii=False, indent=2))
        return
    out.print(f"Cluster {status.prefix!r}: {status.starts_queued} runs waiting to start, "
              f"{status.requests_queued} requests queued", highlight=False)
    workers = Table(title="Workers", header_style="bold")
    for column in ("worker", "host", "pid", "state", "last seen", "in flight"):
        workers.add_column(column, justify="right" if column in ("pid", "in flight") else "left")
    for w in status.workers:
        workers.add_row(w.worker, w.host, str(w.pid), "alive" if w.alive else "[red]gone[/]", ago(w.last_seen),
                        str(w.in_flight))
    out.print(workers)
    sources = Table(title="Sources", header_style="bold")
    for column in ("source", "last enqueue", "running", "last article stored (UTC)"):
        sources.add_column(column)
    for s in status.sources:
        sources.add_row(s.source, ago(s.last_enqueue), "yes" if s.running else "no", when(s.last_article))
    out.print(sources)


def _setting(item: str) -> tuple[str, str]:
    name, sep, value = item.partition("=")
    if not sep or not name.strip():
        raise typer.BadParameter(f"expected NAME=VALUE, got {item!r}", param_hint="--set")
    return name.strip(), value.strip()


def _print_results(results: list[SourceResult]) -> None:
    table = Table(title="Crawl summary", header_style="bold")
    for column in ("source", "status", "pages", "stored", "skipped", "errors", "detail"):
        table.add_column(column, justify="right" if column in ("pages", "stored", "skipped", "errors") else "left")
    for r in results:
        detail = ", ".join(f"{k} {v}" for k, v in sorted(r.counts.detail.items()) if k.startswith(("errors/", "skipped/")))
        colour = "green" if r.status is RunStatus.FINISHED else "red"
        table.add_row(r.source, f"[{colour}]{r.status.value}[/]", str(r.counts.pages), str(r.counts.stored),
                      str(r.counts.skipped), str(r.counts.errors), detail)
    out.print(table)


# The search text and filters `query` and `export` share: defined once, so both commands read them alike.
SearchText = Annotated[Optional[str], typer.Argument(metavar="[TEXT]", help='Search title and body: words, "exact phrases", OR, -exclusions')]
SourceFilter = Annotated[Optional[list[str]], typer.Option("--source", "-s", help="Only this source (repeatable)")]
LangFilter = Annotated[Optional[str], typer.Option(help="Only this language, e.g. ar")]
SinceFilter = Annotated[Optional[str], typer.Option(help="Published (or fetched, if undated) at or after: 2024-09-20, 2d, 12h")]
UntilFilter = Annotated[Optional[str], typer.Option(help="Published before this")]
ByOption = Annotated[DateField, typer.Option("--by", help="Which date --since/--until (and date order) use")]
HasDateFilter = Annotated[Optional[bool], typer.Option("--has-date/--no-date", help="Only articles with (or without) a published date")]
BomOption = Annotated[bool, typer.Option("--bom", help="Only with --format csv: start with a UTF-8 byte order mark, so Excel reads Arabic right")]


@app.command()
def query(
    ctx: typer.Context,
    text: SearchText = None,
    source: SourceFilter = None,
    lang: LangFilter = None,
    since: SinceFilter = None,
    until: UntilFilter = None,
    by: ByOption = DateField.PUBLISHED,
    has_date: HasDateFilter = None,
    sort: Annotated[Optional[Sort], typer.Option(help="relevance (the default with TEXT) or date")] = None,
    limit: Annotated[int, typer.Option(min=0, help="At most this many articles")] = 50,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many first")] = 0,
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format")] = Format.TABLE,
    bom: BomOption = False,
    stories: Annotated[bool, typer.Option("--stories", help="One row per story: its first article and the outlets that ran it")] = False,
    history: Annotated[Optional[str], typer.Option("--history", metavar="URL", help="Every version of the article at URL")] = None,
) -> None:
    """Search and print stored articles: the most relevant first with TEXT, else the newest first (or stories)."""
    settings: Settings = ctx.obj
    _check_bom(bom, format)
    if history and format is Format.ATOM:
        raise typer.BadParameter("an article's history has no Atom form", param_hint="--format")
    request = _article_query(text, source, lang, since, until, by, has_date, sort=sort, limit=limit, offset=offset)
    search = request.search
    feed = Feed(title=_feed_title(text, source, lang, since, until, by, has_date, stories))
    with session_factory(open_database(settings.db_url, create=False))() as session:
        _check_sources(session, settings, request.sources)
        if history:
            versions = article_history(session, history)
            if not versions:
                raise StoreError(f"no stored article at {history}")
            write_history(versions, format, bom=bom)
        elif stories:
            write_stories(query_stories(session, request), format, feed=feed, bom=bom)
        else:
            write_articles(query_articles(session, request), format, search=search, feed=feed, bom=bom)


class ExportFormat(StrEnum):
    JSONL = "jsonl"
    CSV = "csv"


@app.command()
def export(
    ctx: typer.Context,
    text: SearchText = None,
    source: SourceFilter = None,
    lang: LangFilter = None,
    since: SinceFilter = None,
    until: UntilFilter = None,
    by: ByOption = DateField.PUBLISHED,
    has_date: HasDateFilter = None,
    format: Annotated[ExportFormat, typer.Option("--format", "-f", help="Output format")] = ExportFormat.JSONL,
    bom: BomOption = False,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", metavar="FILE", help="Write to FILE (default: standard output)")] = None,
) -> None:
    """Write every stored article, or those matching TEXT and the filters, as JSON Lines or CSV: in the order they
    were stored, streamed, so memory stays flat however large the database."""
    settings: Settings = ctx.obj
    fmt = Format(format.value)
    _check_bom(bom, fmt)
    request = _article_query(text, source, lang, since, until, by, has_date, limit=None)
    with session_factory(open_database(settings.db_url, create=False))() as session:
        _check_sources(session, settings, request.sources)
        with _written(output) as stream:
            count = write_articles(iter_articles(session, request), fmt, out=stream, bom=bom)
    err.print(f"{count} article{'' if count == 1 else 's'} exported to {output or 'standard output'}", highlight=False,
              soft_wrap=True)


def _article_query(text: str | None, source: list[str] | None, lang: str | None, since: str | None,
                   until: str | None, by: DateField, has_date: bool | None, **page: Any) -> ArticleQuery:
    """The query `query` and `export` read from their shared options; a bad date or search text is refused
    before the database is opened."""
    try:
        request = ArticleQuery(text=text, sources=tuple(source or ()), language=lang,
                               since=parse_when(since) if since else None, until=parse_when(until) if until else None,
                               date_field=by, has_date=has_date, **page)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    _ = request.search  # a malformed search text is refused here, before the database is opened
    return request


def _check_bom(bom: bool, fmt: Format) -> None:
    if bom and fmt is not Format.CSV:
        raise typer.BadParameter("a byte order mark is for --format csv only", param_hint="--bom")


def _feed_title(text: str | None, source: list[str] | None, lang: str | None, since: str | None, until: str | None,
                by: DateField, has_date: bool | None, stories: bool) -> str:
    """The Atom feed's title, from the options as typed ("since 2d", not a time), so it and the id derived from
    it stay the same each time the same query runs."""
    parts = [text or "all articles", ", ".join(source or ()), lang or "",
             f"by {by.value}" if by is not DateField.PUBLISHED else "", f"since {since}" if since else "",
             f"until {until}" if until else "", {None: "", True: "dated", False: "undated"}[has_date],
             "stories" if stories else ""]
    return "newsmon: " + " · ".join(part for part in parts if part)


@contextmanager
def _written(path: Path | None) -> Iterator[TextIO]:
    """Standard output, or ``path`` written whole or not at all: a failed export leaves no truncated file."""
    if path is None:
        yield sys.stdout
        return
    partial = path.with_name(path.name + ".part")
    try:
        with partial.open("w", encoding="utf-8", newline="") as stream:
            yield stream
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def _check_sources(session: Session, settings: Settings, names: tuple[str, ...]) -> None:
    """Refuse a source name that is neither stored nor configured: a typo would otherwise find nothing, silently."""
    if not names:
        return
    known = set(session.scalars(select(SourceRow.name)))
    try:
        known |= {s.name for s in load_sources(settings.sources_path).sources}
    except NewsmonError:
        pass  # no readable sources file here: the database's names are enough
    if unknown := [n for n in names if n not in known]:
        raise ConfigError(f"unknown source {', '.join(map(repr, unknown))}; known: {', '.join(sorted(known)) or '(none)'}")


app.command()(stats)  # newsmon.stats: source health


@sources_app.command("list")
def sources_list(ctx: typer.Context) -> None:
    """The configured sources, with their last crawl and article count from the database."""
    settings: Settings = ctx.obj
    config = load_sources(settings.sources_path)
    try:
        with session_factory(open_database(settings.db_url, create=False))() as session:
            figures = source_figures(session)
    except StoreError as exc:
        err.print(f"{exc}; showing the configuration only", highlight=False)
        figures = {}
    table = Table(header_style="bold")
    for column in ("name", "title", "enabled", "schedule", "discovery", "last crawl (UTC)", "status", "articles"):
        table.add_column(column, justify="right" if column == "articles" else "left")
    for s in config.sources:
        seen = figures.get(s.name)
        discovery = f"{len(s.feeds)} feeds, {len(s.sitemaps)} sitemaps, {len(s.sections)} sections"
        last = seen.last_crawl.strftime("%Y-%m-%d %H:%M") if seen and seen.last_crawl else "never"
        table.add_row(s.name, s.title, "yes" if s.enabled else "no", s.schedule, discovery, last,
                      (seen.last_status or "—") if seen else "—", str(seen.articles if seen else 0))
    out.print(table)


@sources_app.command("validate")
def sources_validate(ctx: typer.Context) -> None:
    """Check the sources file; exit 2 listing every error."""
    settings: Settings = ctx.obj
    config = load_sources(settings.sources_path)
    out.print(f"{settings.sources_path}: OK, {len(config.sources)} sources ({len(config.enabled)} enabled)")


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Create the database or apply pending migrations."""
    settings: Settings = ctx.obj
    engine = make_engine(settings.db_url)
    upgrade(engine)
    out.print(f"{engine.url.render_as_string(hide_password=True)}: schema up to date")


@app.command()
def demo(
    workdir: Annotated[Path, typer.Option(help="Where the demo's database and sources file go")] = Path("var/demo"),
) -> None:
    """Serve the bundled sample news site on 127.0.0.1, crawl it into a fresh SQLite database, show the result."""
    from newsmon.crawl import LOCAL_SITE_SETTINGS, crawl as run_crawl
    from newsmon.sample_site import SampleSite, sources_yaml

    workdir.mkdir(parents=True, exist_ok=True)
    settings = Settings(db_url=f"sqlite:///{workdir / 'newsmon.db'}", sources_path=workdir / "sources.yaml")
    for stale in workdir.glob("newsmon.db*"):  # a fresh database each time; nothing else in workdir is touched
        stale.unlink()
    configure_console_logging()
    with SampleSite() as site:
        settings.sources_path.write_text(sources_yaml(site.base_url), encoding="utf-8")
        config: SourcesConfig = load_sources(settings.sources_path)
        out.print(f"Sample news site at {site.base_url}; crawling {len(config.enabled)} sources into {workdir / 'newsmon.db'}")
        results = run_crawl(settings, list(config.enabled), overrides=LOCAL_SITE_SETTINGS)
    _print_results(results)
    with session_factory(open_database(settings.db_url))() as session:
        rows = query_articles(session, ArticleQuery(limit=None))
    write_articles(rows, Format.TABLE, out=sys.stdout)
    out.print(f"\nQuery it yourself:  {_command()} --db {settings.db_url} query --format json --limit 3")
    out.print(f"Search it:          {_command()} --db {settings.db_url} query ايران --stories")
    if not rows:
        raise typer.Exit(1)


def _command() -> str:
    """How to call this newsmon from the current directory (``.venv/bin/newsmon`` after ``make demo``)."""
    script = Path(sys.executable).parent / "newsmon"
    try:
        return str(script.relative_to(Path.cwd()))
    except ValueError:
        return "newsmon"


def main() -> None:
    """Console entry point: the project's errors become one line and an exit code (2 for bad config)."""
    try:
        app()
    except ConfigError as exc:
        print(f"ConfigError: {exc}", file=sys.stderr)
        sys.exit(2)
    except NewsmonError as exc:
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
