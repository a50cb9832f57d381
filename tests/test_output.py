"""Output formats: an Atom feed read back by feedparser, CSV with a byte order mark, a table that fits the terminal."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

import feedparser
import pytest
from lxml import etree
from rich.cells import cell_len
from typer.testing import CliRunner

from db.engine import open_database, session_factory
from db.query import ArticleRow, StoryRow
from db.search import parse_search
from db.store import insert_articles, upsert_source
from newsmon.cli import app
from newsmon.output import Feed, Format, write_articles, write_stories
from pipelines.textkey import search_key

WHEN = datetime(2024, 9, 20, 10, 30, tzinfo=timezone.utc)
ARABIC_TITLE = 'لقاء مع "آشتياني" في طهران & <المفاوضات> \'النووية\''
ARABIC = ArticleRow(
    id=7, url="https://almanar.example/article/7?a=1&b=2", source="almanar", title=ARABIC_TITLE + "\x01",
    body="التقى وزير الخارجيّة بالمسؤول آشتياني\x0b لبحث الملف النووي " * 20 + "& <b>\x00", published_at=WHEN,
    published_from="json-ld", language="ar", authors=["علي حسن", "Tom & Jerry"], fetched_at=WHEN.replace(hour=12),
    modified_at=WHEN.replace(hour=11), section="سياسة", tags=["إيران", "a<b"], image="https://almanar.example/7.jpg",
    story_id=7,
)
ENGLISH = ArticleRow(
    id=8, url="https://wire.example/8", source="wire", title="[video] Storm :smile: hits Beirut", body="Heavy rain.",
    published_at=None, published_from=None, language="en", authors=[], fetched_at=WHEN, description="A storm.",
    story_id=8, duplicate_of=None,
)


def atom(rows, **kwargs) -> tuple[str, feedparser.FeedParserDict]:
    out = io.StringIO()
    assert write_articles(rows, Format.ATOM, out=out, **kwargs) == len(rows)
    document = out.getvalue()
    etree.fromstring(document.encode("utf-8"))  # well-formed XML 1.0, or this raises
    parsed = feedparser.parse(document)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return document, parsed


def test_atom_entries_carry_every_field_escaped_and_in_logical_order():
    document, parsed = atom([ARABIC, ENGLISH], feed=Feed(title="newsmon: آشتياني", link="https://me.example/feed.atom"))

    assert parsed.version == "atom10"
    assert parsed.feed.title == "newsmon: آشتياني"
    assert parsed.feed.id.startswith("urn:uuid:")
    assert parsed.feed.updated == "2024-09-20T11:30:00Z"  # the latest entry's
    assert [link.href for link in parsed.feed.links if link.rel == "self"] == ["https://me.example/feed.atom"]

    arabic, english = parsed.entries
    assert arabic.id == arabic.link == ARABIC.url
    assert arabic.title == ARABIC_TITLE  # quotes, & and <> escaped and read back; the control character dropped
    assert arabic.title_detail.language == "ar" and arabic.title_detail.type == "text/plain"
    assert arabic.published == "2024-09-20T10:30:00Z"
    assert arabic.updated == "2024-09-20T11:30:00Z"  # modified
    assert [a.name for a in arabic.authors] == ["علي حسن", "Tom & Jerry"]
    assert [(t.term, t.scheme.rsplit(":", 1)[1]) for t in arabic.tags] == [
        ("سياسة", "section"), ("إيران", "tag"), ("a<b", "tag")]
    assert arabic.summary.split() == ARABIC.body.replace("\x0b", "").split()[:60] + ["…"]
    assert arabic.content[0].value == ARABIC.body.replace("\x0b", "").replace("\x00", "")
    assert arabic.content[0].language == "ar"
    assert arabic.enclosures[0].href == ARABIC.image and arabic.enclosures[0].type == "image/jpeg"
    assert arabic.newsmon_source == "almanar" and arabic.newsmon_published_from == "json-ld"
    assert "\x01" not in document and "\x0b" not in document and "\x00" not in document

    assert english.title == ENGLISH.title
    assert "published" not in english
    assert english.updated == "2024-09-20T10:30:00Z"  # fetched: it was never modified
    assert [a.name for a in english.authors] == ["wire"]  # no byline: the outlet
    assert english.summary == "A storm."
    assert english.content[0].language == "en"

    again, _ = atom([ARABIC, ENGLISH], feed=Feed(title="newsmon: آشتياني", link="https://me.example/feed.atom"))
    assert again == document  # the same results give the same document: same feed id, nothing time-dependent


def test_atom_of_stories_lists_the_outlets_and_of_nothing_is_still_a_feed():
    story = StoryRow(story_id=7, first=ARABIC, articles=3, sources=["almanar", "alakhbar", "wire"],
                     last_seen=datetime(2024, 9, 22, tzinfo=timezone.utc))
    out = io.StringIO()
    write_stories([story], Format.ATOM, out=out)
    [entry] = feedparser.parse(out.getvalue()).entries
    assert entry.id == ARABIC.url and entry.title == ARABIC_TITLE
    assert [c.name for c in entry.contributors] == ["almanar", "alakhbar", "wire"]
    assert entry.updated == "2024-09-22T00:00:00Z"  # when the story was last seen
    assert entry.newsmon_articles == "3" and entry.newsmon_outlets == "3"

    _, empty = atom([])
    assert empty.entries == [] and empty.feed.title == "newsmon" and empty.feed.updated


def test_csv_with_a_byte_order_mark_for_spreadsheets():
    out = io.StringIO()
    write_articles([ARABIC, ENGLISH], Format.CSV, out=out, bom=True)
    text = out.getvalue()
    assert text.startswith("\ufeffid,url,source,title")
    records = list(csv.DictReader(io.StringIO(text.encode("utf-8").decode("utf-8-sig"))))
    assert [r["title"] for r in records] == [ARABIC.title, ENGLISH.title]
    assert records[0]["authors"] == "علي حسن; Tom & Jerry"

    plain = io.StringIO()
    write_articles([ARABIC], Format.CSV, out=plain)
    assert plain.getvalue().startswith("id,")
    with pytest.raises(ValueError):
        write_articles([ARABIC], Format.JSONL, out=io.StringIO(), bom=True)


@pytest.fixture
def stored(sqlite_url):
    engine = open_database(sqlite_url)
    with session_factory(engine).begin() as session:
        source = upsert_source(session, "almanar", "Al-Manar", "https://almanar.example/")
        insert_articles(session, [dict(
            source_id=source, url=ARABIC.url, fetched_url=ARABIC.url, title=ARABIC_TITLE, body="نص عربي عن إيران",
            search_text=search_key(ARABIC_TITLE + "\nنص عربي عن إيران"), authors=[], tags=[], provenance={}, word_count=4, fetched_at=WHEN,
            published_at=WHEN, language="ar",
        )])
    engine.dispose()
    return sqlite_url


def test_query_bom_flag_writes_utf8_with_a_bom_and_only_for_csv(stored):
    runner = CliRunner()
    result = runner.invoke(app, ["--db", stored, "query", "--format", "csv", "--bom"])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.startswith(b"\xef\xbb\xbfid,url,")
    [record] = csv.DictReader(io.StringIO(result.stdout_bytes.decode("utf-8-sig")))
    assert record["title"] == ARABIC_TITLE

    assert runner.invoke(app, ["--db", stored, "query", "--format", "csv"]).stdout_bytes.startswith(b"id,")
    refused = runner.invoke(app, ["--db", stored, "query", "--format", "jsonl", "--bom"])
    assert refused.exit_code == 2 and "csv" in refused.output


def test_query_atom_from_the_command_line(stored):
    result = CliRunner().invoke(app, ["--db", stored, "query", "إيران", "--lang", "ar", "--format", "atom"])
    assert result.exit_code == 0, result.output
    parsed = feedparser.parse(result.stdout)
    assert parsed.feed.title == "newsmon: إيران · ar"
    assert [e.title for e in parsed.entries] == [ARABIC_TITLE]
    assert parsed.entries[0].newsmon_score  # searched: the relevance is kept


LONG_ARABIC = "طهران وموسكو: آشتیانی يؤكد رفض أي تواجد عسكري أجنبي في المنطقة ويدعو إلى حوار إقليمي شامل بين دول الخليج"


def table_rows(text: str) -> list[list[str]]:
    """The table's body rows, each cell's wrapped lines joined with a space."""
    rows: list[list[str]] = []
    for line in text.splitlines():
        if not line.startswith("│"):
            continue
        cells = [cell.strip() for cell in line.strip("│").split("│")]
        if cells[0] or not rows:
            rows.append(cells)
        else:
            rows[-1] = [f"{a} {b}".strip() for a, b in zip(rows[-1], cells)]
    return rows


@pytest.mark.parametrize("width", [60, 80, 120])
def test_the_table_fits_the_terminal_and_keeps_titles_whole_and_in_logical_order(monkeypatch, width):
    monkeypatch.setenv("COLUMNS", str(width))
    rows = [ArticleRow(**{**ARABIC.__dict__, "title": LONG_ARABIC}), ENGLISH,
            ArticleRow(**{**ENGLISH.__dict__, "source": "a_source_with_a_very_long_name", "title": "Short"})]
    out = io.StringIO()
    write_articles(rows, Format.TABLE, out=out, search=parse_search("الملف"))
    lines = out.getvalue().splitlines()
    assert max(cell_len(line) for line in lines) <= width
    body = table_rows(out.getvalue())
    # titles wrap at spaces: every word whole, in the order stored (logical order; the terminal does the bidi);
    # markup-like text and emoji codes are shown as written
    assert [row[3] for row in body] == [LONG_ARABIC, ENGLISH.title, "Short"]
    assert "الملف النووي" in body[0][4]  # the match column
    assert lines[-1] == "3 articles"


def test_piped_tables_keep_one_line_per_article(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    out = io.StringIO()
    write_articles([ArticleRow(**{**ARABIC.__dict__, "title": LONG_ARABIC}), ENGLISH], Format.TABLE, out=out)
    assert sum(line.startswith("│") for line in out.getvalue().splitlines()) == 2
