"""Printing query results as a table, JSON, JSON Lines, CSV or an Atom feed."""

from __future__ import annotations

import csv
import json
import mimetypes
import re
import shutil
import sys
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import StrEnum
from typing import Any, Generic, TextIO, TypeVar

from lxml import etree
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

import newsmon
from db.query import ArticleRow, StoryRow, VersionRow
from db.search import Search, snippet


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"
    ATOM = "atom"


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


@dataclass(frozen=True)
class Feed:
    """What an Atom document says about itself. ``id`` defaults to a URN derived from ``title``, so the same
    query gives the same feed id each time; ``link`` is the feed's own URL (rel="self"), when it is published."""

    title: str = "newsmon"
    id: str | None = None
    link: str | None = None


def write_articles(rows: Iterable[ArticleRow], fmt: Format, out: TextIO | None = None, search: Search | None = None,
                   *, feed: Feed | None = None, bom: bool = False) -> int:
    """Articles in ``fmt``; returns how many. JSON Lines and CSV are written as they come, so ``rows`` may be an
    iterator of any length; a table, a JSON array and an Atom document are built whole.

    With ``search``, the table shows where each matched, the match highlighted. ``feed`` names an Atom document
    (it declares UTF-8: open a file for it with ``encoding="utf-8"``). ``bom`` (CSV only) starts the output with
    a UTF-8 byte order mark, which spreadsheet programs need to read non-Latin text correctly.
    """
    layout = _Layout(
        fields=FIELDS,
        record=article_record,
        columns=("source", "published (UTC)", "lang", "title") + (("match",) if search else ()),
        cells=lambda r: (r.source, _minute(r.published_at), r.language or "?", r.title)
        + ((_highlighted(r, search),) if search else ()),
        noun=("article", "articles"),
        entry=_article_entry,
    )
    return _write(rows, fmt, out, layout, feed=feed, bom=bom)


def _highlighted(row: ArticleRow, search: Search) -> Text:
    pieces = snippet(row.body, search, words=24) or snippet(row.title, search, words=24)
    result = Text()
    for piece, hit in pieces:
        result.append(piece, style="bold yellow" if hit else None)
    return result


T = TypeVar("T")


@dataclass(frozen=True)
class _Layout(Generic[T]):
    """How one kind of result (articles, stories, versions) appears in each format."""

    fields: Sequence[str]                                    # JSON/CSV: the record's keys, in order
    record: Callable[[T], dict[str, Any]]
    columns: Sequence[str]                                   # the table
    cells: Callable[[T], Sequence[str | Text]]
    noun: tuple[str, str] | None = None                      # the table's footer: "3 articles"
    entry: Callable[[T], etree._Element] | None = None       # Atom; None: this kind has no Atom form


def _write(items: Iterable[T], fmt: Format, out: TextIO | None, layout: _Layout[T], *, feed: Feed | None = None,
           bom: bool = False) -> int:
    """The one writer behind every command's output: JSON, JSON Lines, CSV (lists joined with "; "), Atom or a
    table. JSON Lines and CSV are written item by item, so an iterator of any length costs constant memory.
    ``out`` defaults to the standard output of the moment (not of import time: tests and callers swap it)."""
    out = out or sys.stdout
    if bom and fmt is not Format.CSV:
        raise ValueError("a byte order mark is only written in CSV")
    if fmt is Format.TABLE:
        shown = list(items)
        # Piped output (files, grep, less) is not cut at 80 columns: one row per line there.
        width = shutil.get_terminal_size((200, 24)).columns
        Console(file=out, soft_wrap=False, width=width).print(_table(layout.columns, map(layout.cells, shown), width))
        if layout.noun:
            print(_count(len(shown), *layout.noun), file=out)
        return len(shown)
    if fmt is Format.ATOM:
        if layout.entry is None:
            raise ValueError("only articles and stories can be written as Atom")
        return _write_atom(map(layout.entry, items), out, feed or Feed())
    records = map(layout.record, items)
    if fmt is Format.JSON:
        array = list(records)
        json.dump(array, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return len(array)
    count = 0
    if fmt is Format.JSONL:
        for count, record in enumerate(records, 1):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        return count
    if bom:
        out.write("\ufeff")
    writer = csv.DictWriter(out, fieldnames=list(layout.fields), extrasaction="ignore")
    writer.writeheader()
    for count, record in enumerate(records, 1):
        writer.writerow({k: "; ".join(map(str, v)) if isinstance(v, list) else v for k, v in record.items()})
    return count


def _table(columns: Sequence[str], rows: Iterable[Sequence[str | Text]], width: int) -> Table:
    """A table no wider than ``width``: titles, snippets and outlet lists wrap at spaces and keep at least half
    the room; the other columns wrap or are cut with an ellipsis, in proportion, when they cannot all fit.

    Cells are plain Text: rich would otherwise read "[video]" in a title as markup and ":flag_ir:" as an emoji.
    Text is kept in logical order, as stored: a terminal that supports bidi shows Arabic right to left.
    """
    cells = [[cell if isinstance(cell, Text) else Text(cell) for cell in row] for row in rows]
    flexible = [column in ("title", "match", "sources") for column in columns]
    natural = [max([cell_len(word) for word in column.split()] + [cell_len(row[i].plain) for row in cells], default=0)
               for i, column in enumerate(columns)]  # a header wraps at its spaces
    room = width - 3 * len(columns) - 1  # each column has a border and two spaces of padding, and one closes
    fixed = sum(n for n, flex in zip(natural, flexible) if not flex)
    share = min(1.0, (room // 2 if any(flexible) else room) / fixed) if fixed > 0 else 1.0
    table = Table(header_style="bold")
    for column, n, flex in zip(columns, natural, flexible):
        table.add_column(column, overflow="ellipsis", max_width=None if flex else max(min(n, 4), int(n * share)))
    for row in cells:
        table.add_row(*row)
    return table


def _minute(when: datetime | None) -> str:
    return when.strftime("%Y-%m-%d %H:%M") if when else "—"


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


def write_stories(stories: Iterable[StoryRow], fmt: Format, out: TextIO | None = None, *, feed: Feed | None = None,
                  bom: bool = False) -> int:
    layout = _Layout(
        fields=STORY_FIELDS,
        record=story_record,
        columns=("first published (UTC)", "outlets", "sources", "title"),
        cells=lambda s: (_minute(s.first.published_at or s.first.fetched_at), str(len(s.sources)),
                         ", ".join(s.sources), s.first.title),
        noun=("story", "stories"),
        entry=_story_entry,
    )
    return _write(stories, fmt, out, layout, feed=feed, bom=bom)


HISTORY_FIELDS = ("fetched_at", "modified_at", "current", "title", "body")


def write_history(versions: Iterable[VersionRow], fmt: Format, out: TextIO | None = None, *, bom: bool = False) -> int:
    layout = _Layout(
        fields=HISTORY_FIELDS,
        record=lambda v: {"title": v.title, "body": v.body,
                          "modified_at": v.modified_at.isoformat() if v.modified_at else None,
                          "fetched_at": v.fetched_at.isoformat(), "current": v.current},
        columns=("fetched (UTC)", "modified (UTC)", "", "title", "words"),
        cells=lambda v: (_minute(v.fetched_at), _minute(v.modified_at), "current" if v.current else "", v.title,
                         str(len(v.body.split()))),
    )
    return _write(versions, fmt, out, layout, bom=bom)


# Atom 1.0 (RFC 4287). What Atom has no element for is kept in newsmon's own namespace, named as in the JSON.
ATOM = "http://www.w3.org/2005/Atom"
NEWSMON = "tag:newsmon,2024:atom"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_NAMESPACES = {None: ATOM, "newsmon": NEWSMON}
# Characters XML 1.0 forbids (C0 controls but tab, newline and carriage return; lone surrogates; U+FFFE/U+FFFF):
# no escape can carry them, so they are dropped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
SUMMARY_WORDS = 60


def _write_atom(entries: Iterable[etree._Element], out: TextIO, feed: Feed) -> int:
    root = etree.Element(_atom("feed"), nsmap=_NAMESPACES)
    _add(root, "title", feed.title)
    _add(root, "id", feed.id or f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'newsmon:' + feed.title)}")
    updated = _add(root, "updated", "")
    if feed.link:
        _add(root, "link", rel="self", type="application/atom+xml", href=feed.link)
    _add(root, "generator", "newsmon", version=newsmon.__version__)
    count, latest = 0, ""
    for count, entry in enumerate(entries, 1):
        root.append(entry)
        latest = max(latest, entry.findtext(_atom("updated"), ""))
    updated.text = latest or _rfc3339(datetime.now(timezone.utc))
    etree.indent(root)
    out.write('<?xml version="1.0" encoding="utf-8"?>\n')
    out.write(etree.tostring(root, encoding="unicode"))
    out.write("\n")
    return count


def _article_entry(row: ArticleRow) -> etree._Element:
    """One article: its URL as id; authors (the outlet when the page named none, as Atom wants an author);
    section and tags as categories; a summary; the body as text; xml:lang from the detected language."""
    entry = etree.Element(_atom("entry"), nsmap=_NAMESPACES)
    if row.language:
        entry.set(_XML_LANG, _xml(row.language))
    _add(entry, "id", row.url)
    _add(entry, "title", row.title, type="text")
    link = _add(entry, "link", rel="alternate", type="text/html", href=row.url)
    if row.language:
        link.set("hreflang", _xml(row.language))
    if row.published_at:
        _add(entry, "published", _rfc3339(row.published_at))
    _add(entry, "updated", _rfc3339(row.modified_at or row.fetched_at))
    for name in row.authors or [row.source]:
        etree.SubElement(_add(entry, "author"), _atom("name")).text = _xml(name)
    if row.section:
        _add(entry, "category", term=row.section, scheme=f"{NEWSMON}:section")
    for tag in row.tags:
        _add(entry, "category", term=tag, scheme=f"{NEWSMON}:tag")
    if row.image:
        image = _add(entry, "link", rel="enclosure", href=row.image)
        if kind := mimetypes.guess_type(row.image)[0]:
            image.set("type", kind)
    _add(entry, "summary", _summary(row), type="text")
    _add(entry, "content", row.body, type="text")
    extra = {"source": row.source, "published_from": row.published_from, "credited_source": row.credited_source,
             "story_id": row.story_id, "duplicate_of": row.duplicate_of, "fetched_at": _rfc3339(row.fetched_at),
             "score": row.score}
    for name, value in extra.items():
        if value is not None:
            etree.SubElement(entry, f"{{{NEWSMON}}}{name}").text = _xml(str(value))
    return entry


def _story_entry(story: StoryRow) -> etree._Element:
    """A story is its first article's entry, with every outlet that ran it as a contributor (earliest first);
    it counts as updated when the story was last seen, so a reader notices new outlets joining."""
    entry = _article_entry(story.first)
    updated = entry.find(_atom("updated"))
    assert updated is not None
    updated.text = max(updated.text or "", _rfc3339(story.last_seen))
    for outlet in story.sources:
        etree.SubElement(_add(entry, "contributor"), _atom("name")).text = _xml(outlet)
    etree.SubElement(entry, f"{{{NEWSMON}}}articles").text = str(story.articles)
    etree.SubElement(entry, f"{{{NEWSMON}}}outlets").text = str(len(story.sources))
    return entry


def _summary(row: ArticleRow) -> str:
    if row.description and row.description.strip():
        return row.description.strip()
    words = row.body.split()
    return " ".join(words[:SUMMARY_WORDS]) + (" …" if len(words) > SUMMARY_WORDS else "")


def _add(parent: etree._Element, tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, _atom(tag), {k: _xml(v) for k, v in attributes.items()})
    if text is not None:
        element.text = _xml(text)
    return element


def _atom(tag: str) -> str:
    return f"{{{ATOM}}}{tag}"


def _xml(text: str) -> str:
    return _NOT_XML.sub("", text)


def _rfc3339(when: datetime) -> str:
    if when.tzinfo is None:  # stored times are UTC; a naive one (SQLite without the model's type) is too
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
