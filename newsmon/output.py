"""Printing query results as a table, JSON, JSON Lines or CSV."""

from __future__ import annotations

import csv
import shutil
import json
import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from db.query import ArticleRow, StoryRow, VersionRow
from db.search import Search, snippet


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"


FIELDS = (
    "id", "url", "source", "title", "body", "published_at", "published_from", "modified_at", "language", "authors",
    "section", "tags", "image", "description", "credited_source", "story_id", "duplicate_of", "fetched_at",
)


def article_record(row: ArticleRow) -> dict[str, Any]:
    """One article as plain JSON-ready data; datetimes are ISO 8601 in UTC with their offset."""
    record: dict[str, Any] = {
        "id": row.id,
        "url": row.url,
        "source": row.source,
        "title": row.title,
        "body": row.body,
        "published_at": row.published_at.isoformat() if row.published_at else None,
        "published_from": row.published_from,
        "modified_at": row.modified_at.isoformat() if row.modified_at else None,
        "language": row.language,
        "authors": row.authors,
        "section": row.section,
        "tags": row.tags,
        "image": row.image,
        "description": row.description,
        "credited_source": row.credited_source,
        "story_id": row.story_id,
        "duplicate_of": row.duplicate_of,
        "fetched_at": row.fetched_at.isoformat(),
    }
    return record


def write_articles(rows: Sequence[ArticleRow], fmt: Format, out: TextIO = sys.stdout,
                   search: Search | None = None) -> None:
    """Articles in ``fmt``; with ``search``, the table shows where each matched, the match highlighted."""
    columns = ("source", "published (UTC)", "lang", "title") + (("match",) if search else ())
    table = _table(columns, [
        (r.source, r.published_at.strftime("%Y-%m-%d %H:%M") if r.published_at else "—", r.language or "?", r.title)
        + ((_highlighted(r, search),) if search else ())
        for r in rows
    ])
    _write([article_record(r) for r in rows], fmt, out, FIELDS, table, _count(len(rows), "article", "articles"))


def _highlighted(row: ArticleRow, search: Search) -> Text:
    pieces = snippet(row.body, search, words=24) or snippet(row.title, search, words=24)
    result = Text()
    for piece, hit in pieces:
        result.append(piece, style="bold yellow" if hit else None)
    return result


def _write(records: list[dict[str, Any]], fmt: Format, out: TextIO, fields: Sequence[str], table: Table,
           footer: str | None = None) -> None:
    """The one writer behind every command's output: JSON, JSON Lines, CSV (lists joined with "; ") or a table."""
    if fmt is Format.JSON:
        json.dump(records, out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif fmt is Format.JSONL:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    elif fmt is Format.CSV:
        writer = csv.DictWriter(out, fieldnames=list(fields), extrasaction="ignore")
        writer.writeheader()
        for record in records:
            writer.writerow({k: "; ".join(map(str, v)) if isinstance(v, list) else v for k, v in record.items()})
    else:
        # Piped output (files, grep, less) is not cut at 80 columns: one row per line there.
        width = shutil.get_terminal_size((200, 24)).columns
        Console(file=out, soft_wrap=False, width=width).print(table)
        if footer:
            print(footer, file=out)


def _table(columns: Sequence[str], rows: Sequence[Sequence[str | Text]]) -> Table:
    table = Table(header_style="bold")
    for column in columns:
        table.add_column(column, no_wrap=column not in ("title", "match"))
    for row in rows:
        table.add_row(*row)
    return table


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


STORY_FIELDS = ("story_id", "articles", "outlets", "sources", "first_published_at", "last_seen", "title", "url", "source")


def story_record(story: StoryRow) -> dict[str, Any]:
    """One story: its earliest article's title, URL and outlet, and every outlet that ran it."""
    first = story.first
    return {
        "story_id": story.story_id,
        "articles": story.articles,
        "outlets": len(story.sources),
        "sources": story.sources,
        "first_published_at": (first.published_at or first.fetched_at).isoformat(),
        "last_seen": story.last_seen.isoformat() if story.last_seen else None,
        "title": first.title,
        "url": first.url,
        "source": first.source,
        "first": article_record(first),
    }


def write_stories(stories: Sequence[StoryRow], fmt: Format, out: TextIO = sys.stdout) -> None:
    table = _table(("first published (UTC)", "outlets", "sources", "title"), [
        ((s.first.published_at or s.first.fetched_at).strftime("%Y-%m-%d %H:%M"), str(len(s.sources)),
         ", ".join(s.sources), s.first.title)
        for s in stories
    ])
    _write([story_record(s) for s in stories], fmt, out, STORY_FIELDS, table, _count(len(stories), "story", "stories"))


HISTORY_FIELDS = ("fetched_at", "modified_at", "current", "title", "body")


def write_history(versions: Sequence[VersionRow], fmt: Format, out: TextIO = sys.stdout) -> None:
    records = [
        {"title": v.title, "body": v.body, "modified_at": v.modified_at.isoformat() if v.modified_at else None,
         "fetched_at": v.fetched_at.isoformat(), "current": v.current}
        for v in versions
    ]
    table = _table(("fetched (UTC)", "modified (UTC)", "", "title", "words"), [
        (v.fetched_at.strftime("%Y-%m-%d %H:%M"), v.modified_at.strftime("%Y-%m-%d %H:%M") if v.modified_at else "—",
         "current" if v.current else "", v.title, str(len(v.body.split())))
        for v in versions
    ])
    _write(records, fmt, out, HISTORY_FIELDS, table)
