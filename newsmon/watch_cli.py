"""``newsmon watch``: saved searches, a thin shell over db.watches and newsmon.watch_delivery."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlalchemy.orm import Session

from db.engine import open_database, session_factory
from db.query import ArticleRow
from db.search import SearchError, parse_search
from db.watches import Destination, WatchRow, WatchSpec, add_watch, get_watch, list_watches, remove_watch
from newsmon.config import load_sources
from newsmon.errors import NewsmonError
from newsmon.settings import Settings
from newsmon.watch_delivery import deliver, destination_text, run_watches

watch_app = typer.Typer(no_args_is_help=True,
                        help="Saved searches: a search kept under a name; each run delivers only its new matches.")


class FileFormat(StrEnum):
    JSONL = "jsonl"
    ATOM = "atom"


@watch_app.command("add")
def watch_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The watch's name: letters, digits, '_', '-', '.'")],
    text: Annotated[Optional[str], typer.Argument(metavar="QUERY", help='Search text as in `newsmon query`: words, "exact phrases", OR, -exclusions (default: every article)')] = None,
    source: Annotated[Optional[list[str]], typer.Option("--source", "-s", help="Only this source (repeatable)")] = None,
    lang: Annotated[Optional[str], typer.Option(help="Only this language, e.g. ar")] = None,
    has_date: Annotated[Optional[bool], typer.Option("--has-date/--no-date", help="Only articles with (or without) a published date")] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write new matches to this file instead of printing them")] = None,
    format: Annotated[Optional[FileFormat], typer.Option("--format", "-f", help="jsonl (appended) or atom (a feed of the latest matches); default from the file's suffix (.atom, .xml: atom), else jsonl")] = None,
    webhook: Annotated[Optional[str], typer.Option(metavar="URL", help='POST new matches as JSON {"watch": NAME, "articles": [...]} to this URL')] = None,
) -> None:
    """Save a search; `newsmon watch run` then delivers the articles stored from now on that match it."""
    settings: Settings = ctx.obj
    if output and webhook:
        raise typer.BadParameter("give --output or --webhook, not both", param_hint="--output")
    if format and not output:
        raise typer.BadParameter("--format is the format of the --output file", param_hint="--format")
    if text is not None:
        try:
            parse_search(text)  # refused before the database is opened
        except SearchError as exc:
            raise typer.BadParameter(str(exc), param_hint="QUERY") from None
    if webhook:
        destination, target = Destination.WEBHOOK, webhook
    elif output:
        chosen = format or (FileFormat.ATOM if output.suffix.lower() in (".atom", ".xml") else FileFormat.JSONL)
        destination, target = Destination(chosen.value), str(output)
    else:
        destination, target = Destination.STDOUT, None
    spec = WatchSpec(text=text, sources=tuple(dict.fromkeys(source or ())), language=lang, has_date=has_date,
                     destination=destination, target=target)
    with session_factory(open_database(settings.db_url))() as session:  # may be set up before the first crawl
        watch = add_watch(session, name, spec, known_sources=_configured_sources(settings))
        session.commit()
    print(f"Added watch {watch.name}: {watch.spec.describe()}, delivered to {destination_text(watch)}; "
          "its first run brings the matching articles stored from now on")


def _configured_sources(settings: Settings) -> set[str]:
    try:
        return {s.name for s in load_sources(settings.sources_path).sources}
    except NewsmonError:
        return set()  # no readable sources file here: the database's names are enough


@watch_app.command("list")
def watch_list(ctx: typer.Context) -> None:
    """The saved searches: query, destination, last run, matches delivered, and the last error if any."""
    settings: Settings = ctx.obj
    with session_factory(open_database(settings.db_url, create=False))() as session:
        watches = list_watches(session)
    table = Table(header_style="bold")
    for column in ("name", "query", "delivered to", "last run (UTC)", "delivered", "last error"):
        table.add_column(column, justify="right" if column == "delivered" else "left",
                         no_wrap=column not in ("query", "last error"))
    for w in watches:
        last = w.last_run_at.strftime("%Y-%m-%d %H:%M") if w.last_run_at else "never"
        table.add_row(*(Text(cell) for cell in (w.name, w.spec.describe(), destination_text(w), last, str(w.delivered),
                                                w.last_error or "")))
    # Piped output (files, grep, less) is not cut at 80 columns: one row per line there.
    Console(soft_wrap=False, width=shutil.get_terminal_size((200, 24)).columns).print(table)
    print(f"{len(watches)} watch{'' if len(watches) == 1 else 'es'}")


@watch_app.command("remove")
def watch_remove(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The watch to forget")],
) -> None:
    """Forget a saved search and what it delivered."""
    settings: Settings = ctx.obj
    with session_factory(open_database(settings.db_url, create=False))() as session:
        remove_watch(session, name)
        session.commit()
    print(f"Removed watch {name}")


@watch_app.command("run")
def watch_run(
    ctx: typer.Context,
    names: Annotated[Optional[list[str]], typer.Argument(metavar="NAME", help="Watches to run (default: all)")] = None,
) -> None:
    """Deliver each watch's matches that are new since its last run; exit 1 if one could not be delivered."""
    settings: Settings = ctx.obj
    sessions = session_factory(open_database(settings.db_url, create=False))
    with sessions() as session:
        wanted = [get_watch(session, n).name for n in dict.fromkeys(names)] if names else [
            w.name for w in list_watches(session)]  # an unknown name is refused before any watch runs

    def send(session: Session, watch: WatchRow, rows: Sequence[ArticleRow]) -> None:
        if watch.spec.destination is Destination.STDOUT:
            print(f"{watch.name}: {_matches(len(rows))}")
        deliver(session, watch, rows)
        if watch.spec.destination is not Destination.STDOUT:
            print(f"{watch.name}: {_matches(len(rows))} delivered to {destination_text(watch)}")

    outcomes = run_watches(sessions, wanted, send)
    for outcome in outcomes:
        if not outcome.delivered and not outcome.error:
            print(f"{outcome.name}: no new matches")
    failed = [o.name for o in outcomes if o.error]
    if failed:
        print(f"Failed: {', '.join(failed)} (see the errors above; their matches come again next run)", file=sys.stderr)
        raise typer.Exit(1)


def _matches(n: int) -> str:
    return f"{n} new match{'' if n == 1 else 'es'}"
