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

from db.query import ArticleRow, StoryRow, VersionRow


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


def write_articles(rows: Sequence[ArticleRow], fmt: Format, out: TextIO = sys.stdout) -> None:
    if fmt is Format.JSON:
        json.dump([article_record(r) for r in rows], out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif fmt is Format.JSONL:
        for row in rows:
            out.write(json.dumps(article_record(row), ensure_ascii=False) + "\n")
    elif fmt is Format.CSV:
        writer = csv.DictWriter(out, fieldnames=FIELDS, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            record = article_record(row)
            record["authors"] = "; ".join(row.authors)
            record["tags"] = "; ".join(row.tags)
            writer.writerow(record)
    else:
        _table(rows, out)


def _table(rows: Sequence[ArticleRow], out: TextIO) -> None:
    table = Table(show_lines=False, header_style="bold")
    table.add_column("source", no_wrap=True)
    table.add_column("published (UTC)", no_wrap=True)
    table.add_column("lang", no_wrap=True)
    table.add_column("title")
    for row in rows:
        published = row.published_at.strftime("%Y-%m-%d %H:%M") if row.published_at else "—"
        table.add_row(row.source, published, row.language or "?", row.title)
    # Piped output (files, grep, less) is not cut at 80 columns: one row per line there.
    width = shutil.get_terminal_size((200, 24)).columns
    Console(file=out, soft_wrap=False, width=width).print(table)
    print(f"{len(rows)} article{'s' if len(rows) != 1 else ''}", file=out)


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
    if fmt is Format.JSON:
        json.dump([story_record(s) for s in stories], out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif fmt is Format.JSONL:
        for story in stories:
            out.write(json.dumps(story_record(story), ensure_ascii=False) + "\n")
    elif fmt is Format.CSV:
        writer = csv.DictWriter(out, fieldnames=STORY_FIELDS, extrasaction="ignore")
        writer.writeheader()
        for story in stories:
            record = story_record(story)
            record["sources"] = "; ".join(story.sources)
            writer.writerow(record)
    else:
        table = Table(header_style="bold")
        for column in ("first published (UTC)", "outlets", "sources", "title"):
            table.add_column(column, no_wrap=column != "title")
        for story in stories:
            first = story.first
            when = (first.published_at or first.fetched_at).strftime("%Y-%m-%d %H:%M")
            table.add_row(when, str(len(story.sources)), ", ".join(story.sources), first.title)
        width = shutil.get_terminal_size((200, 24)).columns
        Console(file=out, soft_wrap=False, width=width).print(table)
        print(f"{len(stories)} stor{'ies' if len(stories) != 1 else 'y'}", file=out)


def write_history(versions: Sequence[VersionRow], fmt: Format, out: TextIO = sys.stdout) -> None:
    records = [
        {"title": v.title, "body": v.body, "modified_at": v.modified_at.isoformat() if v.modified_at else None,
         "fetched_at": v.fetched_at.isoformat(), "current": v.current}
        for v in versions
    ]
    if fmt is Format.JSON:
        json.dump(records, out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif fmt is Format.JSONL:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    elif fmt is Format.CSV:
        writer = csv.DictWriter(out, fieldnames=list(records[0]) if records else ["title"])
        writer.writeheader()
        writer.writerows(records)
    else:
        table = Table(header_style="bold")
        for column in ("fetched (UTC)", "modified (UTC)", "", "title", "words"):
            table.add_column(column, no_wrap=column != "title")
        for v in versions:
            table.add_row(v.fetched_at.strftime("%Y-%m-%d %H:%M"),
                          v.modified_at.strftime("%Y-%m-%d %H:%M") if v.modified_at else "—",
                          "current" if v.current else "", v.title, str(len(v.body.split())))
        width = shutil.get_terminal_size((200, 24)).columns
        Console(file=out, soft_wrap=False, width=width).print(table)
