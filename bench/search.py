"""Measure search at collection scale: query latency, the cost of keeping the search index, database size.

    .venv/bin/python bench/search.py [-v] [--check] [--scale 1M] [--backends sqlite,postgres] [--repeat 3]
                                     [--sample 20k] [--crawl 1000] [--pg-url URL] [--keep]

Data: --scale synthetic articles (bench/search_data/corpus.py: Arabic and English, real words at news-like
frequencies, real phrases, Arabic spelling variants, 12 outlets, a year of dates, 5% undated, ~30% in stories),
the same for the same --seed and --scale. Each backend gets a fresh database through db.engine.open_database — the
real schema and migrations, search index included: a SQLite file, or a scratch PostgreSQL schema (db.scratch) —
filled by bulk inserts with the index live (executemany on SQLite, COPY on PostgreSQL; the SQLite fill uses a 1 GB
page cache, as bench/dedup.py does), then ANALYZEd (and VACUUMed on PostgreSQL) as autovacuum or a maintenance job
would.

Figures, per backend:
- fill: time and articles per second (generating the text is not counted);
- size: bytes per article of the database (SQLite: the file and its WAL after a checkpoint; PostgreSQL:
  pg_total_relation_size of articles, its TOAST and indexes), and of it, the full-text index (the FTS5 shadow
  tables; the GIN index and the search_vector column), the date index searches walk (ix_articles_when, migration
  0011) and the search_text column the index is built from (kept for dedup too);
- queries: 50 representative searches (below) through db.query.query_articles / query_stories — what `newsmon
  query` runs — with limit 50 (the CLI default), in a new session each, the whole set run once to warm up and then
  --repeat times; a query's latency is the median of its runs, and median and p95 are taken over queries, per
  category and overall, with the slowest five and their match counts; for a category over the target, the plan
  of its slowest query (EXPLAIN QUERY PLAN on SQLite, EXPLAIN ANALYZE on PostgreSQL) and where its time goes;
- indexing cost, two ways: (1) as the crawler stores: --crawl new articles through db.store.insert_articles in
  transactions of 20 (NEWSMON_STORE_BATCH) into the full database, with the search indexes live and with them
  switched off (SQLite: the FTS triggers and the date index dropped, in alternating rounds; PostgreSQL: the
  generated column and the date index dropped — the column cannot be put back cheaply, so those rounds come last),
  the difference per article; (2) bulk: --sample articles filled into two fresh databases, with and without them;
- index build from scratch over the full database: FTS5 'rebuild' (what migration 0009 runs) or CREATE INDEX of
  the GIN, and CREATE INDEX of the date index; and, timed on the --sample database, what migration 0009 costs an
  existing PostgreSQL database (ADD COLUMN of the generated tsvector, a table rewrite, then CREATE INDEX).

Queries (picked by expected document share from the generator's own law, so they mean the same at any scale):
rare words (~0.01% of articles), medium (~1%), common (~10% and ~30%), two-word AND, 2-3 word phrases, OR,
-exclusion, Arabic typed in a variant spelling (hamza, Persian yeh, tashkeel), the same kinds under filters (a
source, a language, --since 30d, has_date), sorted by date, and through query_stories (--stories). "--since 30d" is
counted back from the newest article's date.

--keep measures queries only, on a database kept between runs (bench/.data/search-SCALE-seedN.db, or the
PostgreSQL schema newsmon_bench_search_SCALE_seedN), filled on the first run and reused while it holds exactly
--scale articles: a 1M PostgreSQL fill takes about 25 minutes, so this is how a change to the query plan is
re-measured. Drop it with `DROP SCHEMA ... CASCADE` or by deleting the file.

Targets: p95 under 200 ms (overall) and indexing under 2 ms per stored article (as the crawler stores); both are
set for 1M articles. --check exits 1 when one is missed. Other work on the machine slows every figure.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere without installing the project
sys.path.insert(0, str(ROOT / "bench"))

import numpy as np  # noqa: E402
from sqlalchemy import Engine, create_engine, event, func, select, text  # noqa: E402

from db.engine import open_database, session_factory  # noqa: E402
from db.models import Article, Source  # noqa: E402
from db.query import ArticleQuery, Sort, apply_filters, match_search, date_column, query_articles, query_stories  # noqa: E402
from db.scratch import schema_url, scratch_schema  # noqa: E402
from db.store import insert_articles, upsert_source  # noqa: E402
from pipelines.textkey import search_key  # noqa: E402
from search_data.corpus import SOURCES, YEAR_END, Articles, Batch, Language, build_vocabulary  # noqa: E402

TARGETS = {"p95_ms": 200.0, "index_ms": 2.0}
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
CHUNK = 20_000
STORE_BATCH = 20
SLOW_S = 2.0  # a query slower than this in the warm-up run is timed once more, not --repeat times
SINCE_30D = YEAR_END - timedelta(days=30)


def parse_count(text_: str) -> int:
    part = text_.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(part[-1:], 1)
    return int(float(part.rstrip("km")) * scale)


def label(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1000}k" if n % 1000 == 0 else str(n)


# ------------------------------------------------------------------ the query set

@dataclass(frozen=True)
class BenchQuery:
    category: str
    query: ArticleQuery
    stories: bool = False
    expected: float = 0.0  # expected share of all articles matching the text, before filters

    def describe(self) -> str:
        q = self.query
        parts = [repr(q.text)]
        if q.sources:
            parts.append("--source " + ",".join(q.sources))
        if q.language:
            parts.append(f"--lang {q.language}")
        if q.since:
            parts.append("--since 30d")
        if q.has_date:
            parts.append("--has-date")
        if q.sort:
            parts.append(f"--sort {q.sort.value}")
        if self.stories:
            parts.append("--stories")
        return " ".join(parts)


class Picker:
    """Words and phrases of the generated collection by their expected share of all articles."""

    def __init__(self, vocabulary: dict[str, Language], articles: Articles) -> None:
        self.vocabulary = vocabulary
        share_of = {code: sum(s[2] for s in SOURCES if s[1] == code) / sum(s[2] for s in SOURCES) for code in vocabulary}
        self.word_share = {}
        self.phrase_share = {}
        for code, lang in vocabulary.items():
            units = articles.units_per_article[code]
            self.word_share[code] = lang.doc_share(units) * share_of[code]
            self.phrase_share[code] = lang.phrase_share(units) * share_of[code]
        self.used: set[str] = set()

    def word(self, code: str, share: float, respell=None) -> tuple[str, float]:  # type: ignore[no-untyped-def]
        """A real word (3+ letters) whose expected share is closest to ``share``, not picked before; written by
        ``respell`` if given (a word that spelling changes)."""
        lang = self.vocabulary[code]
        shares = self.word_share[code]
        for rank in np.argsort(np.abs(np.log(shares / share))):
            key = lang.keys[rank]
            if not lang.real[rank] or len(key) < 3 or key in self.used:
                continue
            written = lang.spellings[rank, 0] if respell is None else respell(key)
            if written is None or search_key(written) != key:
                continue
            self.used.add(key)
            return written, float(shares[rank])
        raise LookupError(f"no {code} word near share {share}")

    def phrase(self, code: str, share: float, words: int = 2, respell=None) -> tuple[str, float]:  # type: ignore[no-untyped-def]
        lang = self.vocabulary[code]
        shares = self.phrase_share[code]
        for i in np.argsort(np.abs(np.log(shares / share))):
            ranks = [r for r in lang.phrases[i] if r >= 0]
            keys = [lang.keys[r] for r in ranks]
            if len(ranks) != words or " ".join(keys) in self.used:
                continue
            written = [lang.spellings[r, 0] if respell is None else respell(k) for r, k in zip(ranks, keys)]
            if any(w is None for w in written):
                continue
            self.used.add(" ".join(keys))
            return '"' + " ".join(written) + '"', float(shares[i])
        raise LookupError(f"no {code} phrase of {words} words near share {share}")


def _hamza(key: str) -> str | None:
    return "أ" + key[1:] if key.startswith("ا") else "إ" + key[2:] if key.startswith("الا") else None


def _persian(key: str) -> str | None:
    return key.replace("ي", "ی").replace("ك", "ک") if ("ي" in key or "ك" in key) else None


def _tashkeel(key: str) -> str | None:
    return key[0] + "\u064e" + key[1:-1] + "ـ" + key[-1] if len(key) >= 4 else None


def _mixed(key: str) -> str | None:
    out = _hamza(key) or key
    return _persian(out) or out


def representative_queries(vocabulary: dict[str, Language], articles: Articles) -> list[BenchQuery]:
    """The 50 queries, by category. Shares are of all articles; en and ar words each live in half of them."""
    pick = Picker(vocabulary, articles)
    out: list[BenchQuery] = []

    def add(category: str, text_: str, share: float, stories: bool = False, **filters) -> None:  # type: ignore[no-untyped-def]
        out.append(BenchQuery(category, ArticleQuery(text=text_, **filters), stories, share))

    def w(code: str, share: float, respell=None) -> tuple[str, float]:  # type: ignore[no-untyped-def]
        return pick.word(code, share, respell)

    for code in ("en", "en", "ar", "ar"):
        add("rare word", *w(code, 1e-4))
    for code in ("en", "en", "ar", "ar"):
        add("medium word", *w(code, 0.01))
    for code, share in (("en", 0.3), ("en", 0.1), ("ar", 0.3), ("ar", 0.1)):
        add("common word", *w(code, share))
    for code, a, b in (("en", 0.01, 0.01), ("en", 0.3, 1e-3), ("ar", 0.01, 0.01), ("ar", 0.1, 0.1)):
        (wa, sa), (wb, sb) = w(code, a), w(code, b)
        add("two words", f"{wa} {wb}", sa * sb / 0.5)
    for code, share, n in (("en", 0.02, 2), ("en", 2e-3, 3), ("en", 5e-4, 2), ("ar", 0.02, 2), ("ar", 2e-3, 3), ("ar", 5e-4, 2)):
        add("phrase", *pick.phrase(code, share, n))
    (r1, s1), (r2, s2) = w("en", 1e-4), w("en", 1e-4)
    add("OR", f"{r1} OR {r2}", s1 + s2)
    (m1, s1), (m2, s2) = w("ar", 0.01), w("ar", 0.01)
    add("OR", f"{m1} OR {m2}", s1 + s2)
    (c1, s1), (m1, s2) = w("en", 0.3), w("en", 0.01)
    add("OR", f"{c1} OR {m1}", s1 + s2)
    (m1, s1), (c1, s2) = w("en", 0.01), w("en", 0.3)
    add("exclusion", f"{m1} -{c1}", s1 * (1 - 2 * s2))
    (c1, s1), (m1, s2) = w("ar", 0.3), w("ar", 0.01)
    add("exclusion", f"{c1} -{m1}", s1)
    (p1, s1), (m1, s2) = pick.phrase("ar", 0.01, 2), w("ar", 0.1)
    add("exclusion", f"{p1} -{m1}", s1 * (1 - 2 * s2))
    add("Arabic variant", *w("ar", 1e-4, _hamza))
    add("Arabic variant", *w("ar", 0.01, _persian))
    add("Arabic variant", *w("ar", 0.05, _tashkeel))
    add("Arabic variant", *pick.phrase("ar", 2e-3, 2, _mixed))

    add("filtered", *w("en", 0.3), sources=("reuters",))
    add("filtered", *w("ar", 0.01), sources=("almanar",))
    add("filtered", *w("en", 0.1), language="en")
    add("filtered", *w("en", 1e-4), language="en")
    add("filtered", *w("en", 0.3), since=SINCE_30D)
    add("filtered", *w("ar", 0.01), since=SINCE_30D)
    add("filtered", *w("ar", 0.3), has_date=True)
    add("filtered", *w("en", 0.01), sources=("bbc", "guardian"), since=SINCE_30D)

    add("by date", *w("en", 0.3), sort=Sort.DATE)
    add("by date", *w("ar", 0.01), sort=Sort.DATE)
    add("by date", *pick.phrase("en", 0.02, 2), sort=Sort.DATE)
    add("by date", *w("ar", 1e-4), sort=Sort.DATE)
    add("by date", *w("ar", 0.3), sort=Sort.DATE, since=SINCE_30D)

    add("stories", *w("ar", 0.01), stories=True)
    add("stories", *w("en", 0.3), stories=True)
    add("stories", *w("en", 1e-4), stories=True)
    add("stories", *pick.phrase("ar", 0.02, 2), stories=True, since=SINCE_30D)
    add("stories", *w("ar", 0.1), stories=True, sort=Sort.DATE, since=SINCE_30D)
    assert len(out) == 50, len(out)
    return out


# ------------------------------------------------------------------ filling

_COLUMNS = ("id", "source_id", "url", "fetched_url", "title", "body", "search_text", "description", "published_at",
            "published_from", "language", "language_from", "section", "authors", "tags", "provenance", "word_count",
            "fetched_at", "body_hash", "minhash", "story_id")
_PROVENANCE = json.dumps({"title": "json-ld", "body": "trafilatura", "published_at": "json-ld", "authors": "json-ld"})


def _rows(batch: Batch, source_ids: dict[str, int], rng: np.random.Generator) -> list[tuple]:
    n = len(batch.title)
    hashes = rng.integers(-(2**63), 2**63 - 1, size=n, dtype=np.int64).tolist()
    signatures = rng.integers(0, 2**32, size=(n, 128), dtype=np.uint32)
    authors = rng.integers(0, 40, size=n).tolist()
    rows = []
    for i in range(n):
        aid = batch.first_id + i
        published = batch.published_at[i]
        rows.append((
            aid, source_ids[batch.source[i]], batch.url[i], batch.url[i], batch.title[i], batch.body[i],
            batch.search_text[i], batch.description[i], published, "json-ld" if published else None,
            batch.language[i], "langdetect", batch.section[i], json.dumps([f"Reporter {authors[i]}"]), "[]", _PROVENANCE,
            batch.words[i], batch.fetched_at[i], hashes[i], signatures[i].tobytes(), batch.story_id[i],
        ))
    return rows


def _sqlite_time(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


class Database:
    """One backend's database, opened through the real path (schema and migrations), with bulk fill and timing."""

    def __init__(self, url: str) -> None:
        self.engine: Engine = open_database(url)
        self.sessions = session_factory(self.engine)
        self.kind = self.engine.dialect.name
        with self.sessions.begin() as session:
            self.source_ids = {name: upsert_source(session, name, name, f"https://www.{name.replace('_', '-')}.example/")
                               for name, _, _ in SOURCES}

    def fill(self, articles: Articles, start: int, count: int, progress: bool = False) -> tuple[float, float]:
        """Insert articles start .. start+count-1 in chunks; returns (database seconds, generation seconds)."""
        rng = np.random.default_rng([articles.seed, start, 1])
        db_s = gen_s = 0.0
        began, report_at = time.perf_counter(), 0.0
        raw = self.engine.raw_connection()
        try:
            conn = raw.driver_connection
            if self.kind == "sqlite":
                conn.execute("PRAGMA cache_size = -1000000")
            for lo in range(start, start + count, CHUNK):
                t0 = time.perf_counter()
                rows = _rows(articles.batch(lo, min(CHUNK, start + count - lo)), self.source_ids, rng)
                t1 = time.perf_counter()
                (self._insert_sqlite if self.kind == "sqlite" else self._copy_pg)(conn, rows)
                t2 = time.perf_counter()
                gen_s += t1 - t0
                db_s += t2 - t1
                done = lo + len(rows) - start
                if progress and (t2 - report_at > 30 or done == count):
                    report_at = t2
                    rate = len(rows) / (t2 - t1)
                    eta = (count - done) * (t2 - began) / done
                    print(f"   .. {label(done) if done % 1000 == 0 else done:>6} of {label(count)}: {t2 - began:6.0f} s,"
                          f" last chunk {rate:,.0f} articles/s in the database, generation {gen_s:.0f} s so far,"
                          f" about {eta:.0f} s to go", flush=True)
            if self.kind == "postgresql":
                with conn.cursor() as cur:
                    cur.execute("SELECT setval(pg_get_serial_sequence('articles', 'id'), (SELECT max(id) FROM articles))")
                conn.commit()
        finally:
            raw.close()
        return db_s, gen_s

    @staticmethod
    def _insert_sqlite(conn, rows) -> None:  # type: ignore[no-untyped-def]
        marks = ",".join("?" * len(_COLUMNS))
        conn.executemany(
            f"INSERT INTO articles ({', '.join(_COLUMNS)}) VALUES ({marks})",
            [(*r[:8], _sqlite_time(r[8]), *r[9:17], _sqlite_time(r[17]), *r[18:]) for r in rows],
        )
        conn.commit()

    @staticmethod
    def _copy_pg(conn, rows) -> None:  # type: ignore[no-untyped-def]
        with conn.cursor() as cur:
            with cur.copy(f"COPY articles ({', '.join(_COLUMNS)}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(r)
        conn.commit()

    def maintain(self) -> float:
        """ANALYZE (and VACUUM on PostgreSQL: the GIN pending list merged, the visibility map set), as autovacuum
        or a maintenance job would after a load this size; returns seconds."""
        t0 = time.perf_counter()
        raw = self.engine.raw_connection()
        try:
            conn = raw.driver_connection
            if self.kind == "postgresql":
                conn.commit()
                conn.autocommit = True
                with conn.cursor() as cur:
                    cur.execute("VACUUM (ANALYZE) articles")
                    cur.execute("ANALYZE sources")
                conn.autocommit = False
            else:
                conn.execute("PRAGMA analysis_limit = 1000")  # what PRAGMA optimize does: sampled statistics
                conn.execute("ANALYZE")
                conn.commit()
        finally:
            raw.close()
        return time.perf_counter() - t0

    def execute(self, *statements: str, autocommit: bool = False) -> list:
        """Run statements on a raw connection and commit; returns the last one's rows (if any)."""
        raw = self.engine.raw_connection()
        try:
            conn = raw.driver_connection
            rows: list = []
            if self.kind == "postgresql":
                conn.commit()
                conn.autocommit = autocommit
                with conn.cursor() as cur:
                    for s in statements:
                        cur.execute(s)
                        rows = cur.fetchall() if cur.description else []
                if not autocommit:
                    conn.commit()
                conn.autocommit = False
            else:
                for s in statements:
                    cur = conn.execute(s)
                    rows = cur.fetchall() if cur.description else []
                conn.commit()
            return rows
        finally:
            raw.close()

    def count(self) -> int:
        return self.execute("SELECT count(*) FROM articles")[0][0]

    def dispose(self) -> None:
        self.engine.dispose()


# ------------------------------------------------------------------ the search index on and off

DATE_INDEX = "ix_articles_when"  # migration 0011: the date index searches walk, with the columns filters test


class IndexSwitch:
    """Switch what search adds to the articles table off (and on again, on SQLite): the FTS triggers on SQLite, the
    generated tsvector column (and its GIN index) on PostgreSQL; and on both the date index searches walk."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.saved: list[tuple[str, str, str]] = []  # SQLite: (type, name, CREATE statement) to put back

    @property
    def reversible(self) -> bool:
        return self.db.kind == "sqlite"

    def off(self) -> None:
        if self.db.kind == "sqlite":
            self.saved = [tuple(row) for row in self.db.execute(
                "SELECT type, name, sql FROM sqlite_master WHERE (type = 'trigger' AND name LIKE 'articles_fts_%')"
                f" OR (type = 'index' AND name = '{DATE_INDEX}') ORDER BY type DESC, name")]
            assert sum(1 for t, _, _ in self.saved if t == "trigger") == 3, self.saved
            self.db.execute(*[f"DROP {kind.upper()} {name}" for kind, name, _ in self.saved])
        else:  # the GIN index goes with the column
            self.db.execute("ALTER TABLE articles DROP COLUMN search_vector", f"DROP INDEX IF EXISTS {DATE_INDEX}")

    def on(self) -> float:
        """Put it back; returns the seconds that took (building the date index, mostly)."""
        assert self.db.kind == "sqlite"
        t0 = time.perf_counter()
        self.db.execute(*[sql for _, _, sql in self.saved])
        return time.perf_counter() - t0


def crawl_rounds(db: Database, articles: Articles, per_round: int, rounds: int, indexed: bool, tag: str) -> list[float]:
    """Store ``per_round`` new articles through db.store.insert_articles, STORE_BATCH per transaction (as
    pipelines.store does), ``rounds`` times; ms per article of each round. Each round's articles are deleted after
    it (with the indexes in the same state, so an unindexed row is never 'deleted' from the FTS table)."""
    out = []
    for r in range(rounds):  # articles after the collection's last, the same ones for the same round number
        batch = articles.batch(articles.total + 1 + r * per_round, per_round)
        rows = []
        for i in range(per_round):
            rows.append({
                "source_id": db.source_ids[batch.source[i]], "url": f"{batch.url[i]}?{tag}{r}", "fetched_url": batch.url[i],
                "title": batch.title[i], "body": batch.body[i], "search_text": batch.search_text[i],
                "description": batch.description[i], "published_at": batch.published_at[i],
                "published_from": "json-ld" if batch.published_at[i] else None, "language": batch.language[i],
                "language_from": "langdetect", "section": batch.section[i], "authors": ["Reporter 1"], "tags": [],
                "provenance": json.loads(_PROVENANCE), "word_count": batch.words[i], "fetched_at": batch.fetched_at[i],
                "body_hash": i, "minhash": bytes(512), "story_id": None,
            })
        ids: list[int] = []
        t0 = time.perf_counter()
        for lo in range(0, per_round, STORE_BATCH):
            with db.sessions.begin() as session:
                ids += insert_articles(session, rows[lo : lo + STORE_BATCH]).values()
        out.append((time.perf_counter() - t0) * 1000 / per_round)
        assert len(ids) == per_round, (len(ids), per_round)
        with db.sessions.begin() as session:
            session.execute(text(f"DELETE FROM articles WHERE id IN ({','.join(map(str, ids))})"))
    return out


# ------------------------------------------------------------------ running queries

@dataclass
class Timing:
    query: BenchQuery
    runs: list[float] = field(default_factory=list)   # ms, after the warm-up
    warm: float = 0.0
    rows: int = 0
    matches: int | None = None

    @property
    def ms(self) -> float:
        return statistics.median(self.runs)


@contextlib.contextmanager
def statement_log(engine: Engine):  # type: ignore[no-untyped-def]
    """Collect (statement, parameters, ms in the driver) of every SQL statement sent while inside."""
    entries: list[tuple[str, object, float]] = []

    def before(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        conn.info["bench_t0"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        entries.append((statement, parameters, (time.perf_counter() - conn.info["bench_t0"]) * 1000))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield entries
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def run_query(db: Database, q: BenchQuery) -> tuple[float, int]:
    with db.sessions() as session:
        t0 = time.perf_counter()
        rows = (query_stories if q.stories else query_articles)(session, q.query)
        return (time.perf_counter() - t0) * 1000, len(rows)


def count_matches(db: Database, q: BenchQuery) -> int:
    """How many articles (stories with --stories) match: db.query's own matching and filters, counted."""
    with db.sessions() as session:
        search = q.query.search
        key = func.coalesce(Article.story_id, Article.id) if q.stories else Article.id
        statement, _ = match_search(session, select(key.label("k")).join(Source), search)
        statement = apply_filters(statement, q.query, date_column(q.query))
        if q.stories:
            statement = statement.distinct()
        return session.scalar(select(func.count()).select_from(statement.subquery())) or 0


def bench_queries(db: Database, queries: list[BenchQuery], repeat: int) -> list[Timing]:
    timings = [Timing(q) for q in queries]
    t_start = time.perf_counter()
    for t in timings:
        t.warm, t.rows = run_query(db, t.query)
    print(f"   warm-up run of the set: {time.perf_counter() - t_start:.1f} s", flush=True)
    for r in range(repeat):
        t_pass = time.perf_counter()
        for t in timings:
            if r == 0 or t.warm < SLOW_S * 1000:
                t.runs.append(run_query(db, t.query)[0])
        print(f"   timed run {r + 1} of {repeat}: {time.perf_counter() - t_pass:.1f} s", flush=True)
    t0 = time.perf_counter()
    for t in timings:
        t.matches = count_matches(db, t.query)
    print(f"   timed runs done; match counts took {time.perf_counter() - t0:.1f} s", flush=True)
    return timings


def p95(values: list[float]) -> float:
    """The 95th percentile, interpolated between the two nearest ranks (numpy's default)."""
    return float(np.percentile(values, 95))


def report_queries(db: Database, timings: list[Timing], verbose: bool) -> bool:
    target = TARGETS["p95_ms"]
    print(f"   {'category':<15} {'n':>3} {'median':>8} {'p95':>8} {'max':>8} {'matches (median)':>17}   (ms; target: p95 < {target:.0f})")
    categories = list(dict.fromkeys(t.query.category for t in timings))
    missed: list[str] = []
    for cat in [*categories, "overall"]:
        group = [t for t in timings if cat in ("overall", t.query.category)]
        ms = [t.ms for t in group]
        ok = p95(ms) < target
        if not ok and cat != "overall":
            missed.append(cat)
        print(f"   {cat:<15} {len(group):>3} {statistics.median(ms):>8.1f} {p95(ms):>8.1f} {max(ms):>8.1f}"
              f" {statistics.median(t.matches or 0 for t in group):>17,.0f}   {'ok' if ok else 'MISSED'}")
    overall_ok = p95([t.ms for t in timings]) < target
    print("   slowest 5:")
    for t in sorted(timings, key=lambda t: -t.ms)[:5]:
        print(f"   {t.ms:>9.1f} ms  {t.query.category:<15} {t.query.describe():<60} {t.matches:>9,} matches, {t.rows} rows")
    if missed:
        print(f"   MISSED the {target:.0f} ms p95 target: {', '.join(missed)}")
    if verbose:
        print("   every query (median of runs, warm-up run, matches, expected share of articles before filters):")
        for t in timings:
            print(f"   {t.ms:>9.1f} {t.warm:>9.1f}  {t.query.category:<15} {t.query.describe():<60} {t.matches:>9,}"
                  f"  {t.query.expected:.2%}")
    explained = 0
    for cat in missed:
        worst = max((t for t in timings if t.query.category == cat), key=lambda t: t.ms)
        if explained >= (len(missed) if verbose else 4):
            break
        explained += 1
        explain(db, worst)
    return overall_ok


def explain(db: Database, t: Timing) -> None:
    """Where the slowest query of a missed category spends its time: each SQL statement's time in the driver, the
    rest (building ORM objects), and the plan of its slowest statement."""
    with statement_log(db.engine) as entries:
        total, _ = run_query(db, t.query)
    sql_ms = sum(e[2] for e in entries)
    print(f"\n   -- {t.query.category}: {t.query.describe()} — {total:.0f} ms: "
          + " + ".join(f"{e[2]:.0f} ms in SQL statement {i + 1}" for i, e in enumerate(entries))
          + f" + {total - sql_ms:.0f} ms in Python")
    statement, parameters, _ = max(entries, key=lambda e: e[2])
    prefix = "EXPLAIN QUERY PLAN " if db.kind == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    with db.engine.connect() as conn:
        plan = conn.exec_driver_sql(prefix + statement, parameters).all()
    print("      " + _short_sql(statement))
    for row in plan:
        print("      | " + (" " * 2 * (_depth(plan, row)) + str(row[-1]) if db.kind == "sqlite" else str(row[0])))


def _short_sql(statement: str) -> str:
    """The statement on one line, its list of selected article columns shortened."""
    flat = " ".join(statement.split())
    return re.sub(r"^SELECT ((?:articles\.\w+, ){5,})", lambda m: f"SELECT <{m.group(1).count(',')} article columns>, ", flat)


def _depth(plan: list, row) -> int:  # type: ignore[no-untyped-def]
    parents = {r[0]: r[1] for r in plan}
    depth, node = 0, row[1]
    while node in parents:
        depth, node = depth + 1, parents[node]
    return depth


# ------------------------------------------------------------------ sizes

def sizes(db: Database, path: str | None) -> dict[str, float]:
    """Bytes: 'total', 'index' (the full-text index), 'when' (the date index searches walk), 'key' (the search_text
    column the index is built from) and 'articles'."""
    n = db.count()
    if db.kind == "sqlite":
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        assert path is not None
        total = os.path.getsize(path) + (os.path.getsize(path + "-wal") if os.path.exists(path + "-wal") else 0)

        def pages(name: str) -> int:
            return db.execute(f"SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name = '{name}' AND aggregate = 1")[0][0]

        index = sum(pages(f"articles_fts_{part}") for part in ("data", "idx", "docsize", "config"))
        when = pages(DATE_INDEX)
        key = db.execute("SELECT sum(length(CAST(search_text AS BLOB))) FROM articles")[0][0]
    else:
        total = db.execute("SELECT pg_total_relation_size('articles')")[0][0]
        gin, when = db.execute("SELECT coalesce(pg_relation_size(to_regclass('ix_articles_search_vector')), 0),"
                               f" coalesce(pg_relation_size(to_regclass('{DATE_INDEX}')), 0)")[0]
        vector, key = db.execute("SELECT sum(pg_column_size(search_vector)), sum(pg_column_size(search_text)) FROM articles")[0]
        index = gin + vector
    return {"articles": n, "total": total, "index": index, "when": when, "key": key}


def report_sizes(kind: str, s: dict[str, float], when: str) -> None:
    n = s["articles"]
    what = "FTS5 shadow tables" if kind == "sqlite" else "GIN index + search_vector column"
    print(f"   size {when}: {s['total'] / n:,.0f} bytes/article ({s['total'] / 2**30:.2f} GiB); of it the full-text index"
          f" ({what}) {s['index'] / n:,.0f} ({s['index'] / s['total']:.0%}), the date index searches walk ({DATE_INDEX})"
          f" {s['when'] / n:,.0f} ({s['when'] / s['total']:.0%}), the search_text column the index is built from"
          f" {s['key'] / n:,.0f} ({s['key'] / s['total']:.0%})", flush=True)


# ------------------------------------------------------------------ one backend

@contextlib.contextmanager
def kept_database(backend: str, pg_url: str, name: str):  # type: ignore[no-untyped-def]
    """A database kept between runs: (Database, SQLite file path or None)."""
    if backend == "sqlite":
        path = ROOT / "bench" / ".data" / f"{name}.db"
        path.parent.mkdir(exist_ok=True)
        db = Database(f"sqlite:///{path}")
    else:
        path = None
        admin = create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://", 1))
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{name}"'))
        admin.dispose()
        db = Database(schema_url(pg_url, name))
    try:
        yield db, (str(path) if path else None)
    finally:
        db.dispose()


@contextlib.contextmanager
def database(backend: str, pg_url: str, name: str):  # type: ignore[no-untyped-def]
    """A fresh database: (Database, SQLite file path or None); removed afterwards."""
    with contextlib.ExitStack() as stack:
        if backend == "sqlite":
            tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="newsmon-search-bench-"))
            path = f"{tmp}/{name}.db"
            db = Database(f"sqlite:///{path}")
        else:
            path = None
            db = Database(stack.enter_context(scratch_schema(pg_url, prefix="newsmon_bench_search")))
        try:
            yield db, path
        finally:
            db.dispose()


def bench_backend(backend: str, args: argparse.Namespace, articles: Articles, queries: list[BenchQuery]) -> bool:
    scale = articles.total
    print(f"\n== {backend}: {label(scale)} articles", flush=True)
    began = time.perf_counter()
    ok = True
    if args.keep:
        return bench_kept(backend, args, articles, queries)
    with database(backend, args.pg_url, "search") as (db, path):
        t0 = time.perf_counter()
        db_s, gen_s = db.fill(articles, 1, scale, progress=True)
        maint_s = db.maintain()
        print(f"   fill: {db_s:.0f} s in the database ({scale / db_s:,.0f} articles/s, {db_s * 1000 / scale:.2f} ms/article,"
              f" search index live), + {gen_s:.0f} s generating text, + {maint_s:.0f} s"
              f" {'VACUUM ANALYZE' if backend != 'sqlite' else 'ANALYZE'}; {time.perf_counter() - t0:.0f} s in all", flush=True)
        report_sizes(db.kind, sizes(db, path), "after the fill")

        print(f"-- {len(queries)} queries, limit 50, warm, median of {args.repeat} runs each", flush=True)
        timings = bench_queries(db, queries, args.repeat)
        ok &= report_queries(db, timings, args.verbose)

        print(f"\n-- indexing cost as the crawler stores: {args.crawl} new articles per round through"
              f" db.store.insert_articles, {STORE_BATCH} per transaction", flush=True)
        switch = IndexSwitch(db)
        with_ms: list[float] = []
        without_ms: list[float] = []
        if switch.reversible:
            put_back = []
            for r in range(3):
                with_ms += crawl_rounds(db, articles, args.crawl, 1, True, f"on{r}-")
                switch.off()
                without_ms += crawl_rounds(db, articles, args.crawl, 1, False, f"off{r}-")
                put_back.append(switch.on())
            t0 = time.perf_counter()
            db.execute("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")
            rebuild_s = time.perf_counter() - t0
            build = (f"FTS5 'rebuild' (what migration 0009 runs) {rebuild_s:.0f} s ({rebuild_s * 1000 / scale:.2f} ms/article);"
                     f" CREATE INDEX {DATE_INDEX} {statistics.median(put_back):.0f} s")
        else:
            with_ms = crawl_rounds(db, articles, args.crawl, 3, True, "on-")
            t0 = time.perf_counter()
            db.execute("DROP INDEX ix_articles_search_vector",
                       "CREATE INDEX ix_articles_search_vector ON articles USING gin (search_vector)")
            gin_s = time.perf_counter() - t0
            when_sql = db.execute(f"SELECT indexdef FROM pg_indexes WHERE indexname = '{DATE_INDEX}'")
            when_s = 0.0
            if when_sql:
                t0 = time.perf_counter()
                db.execute(f"DROP INDEX {DATE_INDEX}", when_sql[0][0])
                when_s = time.perf_counter() - t0
            switch.off()
            without_ms = crawl_rounds(db, articles, args.crawl, 3, False, "off-")
            mwm = db.execute("SHOW maintenance_work_mem")[0][0]
            build = (f"CREATE INDEX of the GIN {gin_s:.0f} s ({gin_s * 1000 / scale:.2f} ms/article, maintenance_work_mem {mwm});"
                     f" CREATE INDEX {DATE_INDEX} {when_s:.0f} s")
        cost = statistics.fmean(with_ms) - statistics.fmean(without_ms)
        index_ok = cost < TARGETS["index_ms"]
        ok &= index_ok
        print(f"   with the search indexes:    {' '.join(f'{x:.2f}' for x in with_ms)} ms/article per round, mean {statistics.fmean(with_ms):.2f}")
        print(f"   without them:               {' '.join(f'{x:.2f}' for x in without_ms)} ms/article per round, mean {statistics.fmean(without_ms):.2f}"
              f"{' (rounds alternated)' if switch.reversible else ' (after the with-index rounds: the column cannot be put back cheaply)'}")
        print(f"   the indexes add {cost:.2f} ms per stored article (target < {TARGETS['index_ms']:.0f}): {'ok' if index_ok else 'MISSED'}")
        print(f"   index build from scratch over {label(scale)}: {build}", flush=True)
        if backend == "sqlite":
            report_sizes(db.kind, sizes(db, path), "after the rebuild")

    sample = min(args.sample, scale)
    print(f"-- indexing cost in bulk: {label(sample)} articles into two fresh databases, with and without the search indexes", flush=True)
    per = {}
    for indexed in (True, False):
        with database(backend, args.pg_url, f"sample-{indexed}") as (db, _):
            if not indexed:
                IndexSwitch(db).off()
            per[indexed] = db.fill(articles, 1, sample)[0] * 1000 / sample
            if not indexed and backend != "sqlite":
                migration = _add_search_vector(db) * 1000 / sample
    print(f"   {per[True]:.3f} ms/article with, {per[False]:.3f} without: the indexes add {per[True] - per[False]:.3f} ms"
          f" per article in a bulk load", flush=True)
    if backend != "sqlite":
        print(f"   migration 0009 on an existing database (ADD COLUMN of the generated tsvector, a table rewrite, then CREATE"
              f" INDEX), timed on the {label(sample)} sample: {migration:.2f} ms/article, about"
              f" {migration * scale / 60_000:.0f} min at {label(scale)}", flush=True)
    print(f"   {backend} done in {(time.perf_counter() - began) / 60:.0f} min", flush=True)
    return ok


def bench_kept(backend: str, args: argparse.Namespace, articles: Articles, queries: list[BenchQuery]) -> bool:
    """--keep: the queries only, on a database filled once and reused."""
    scale = articles.total
    name = f"newsmon_bench_search_{label(scale).lower()}_seed{args.seed}"
    with kept_database(backend, args.pg_url, name if backend != "sqlite" else name.replace("_", "-")) as (db, path):
        held = db.count()
        if held != scale:
            if held:
                raise SystemExit(f"the kept {backend} database {path or name} holds {held:,} articles, not {scale:,}:"
                                 " drop it and run again")
            t0 = time.perf_counter()
            db_s, gen_s = db.fill(articles, 1, scale, progress=True)
            maint_s = db.maintain()
            print(f"   fill (kept as {path or name}): {db_s:.0f} s in the database, + {gen_s:.0f} s generating text,"
                  f" + {maint_s:.0f} s maintenance; {time.perf_counter() - t0:.0f} s in all", flush=True)
        else:
            print(f"   reusing the kept database {path or name} ({held:,} articles)", flush=True)
        report_sizes(db.kind, sizes(db, path), "(kept database)")
        print(f"-- {len(queries)} queries, limit 50, warm, median of {args.repeat} runs each", flush=True)
        timings = bench_queries(db, queries, args.repeat)
        return report_queries(db, timings, args.verbose)


def _add_search_vector(db: Database) -> float:
    """What migration 0009 does to an existing PostgreSQL database; returns seconds."""
    t0 = time.perf_counter()
    db.execute("ALTER TABLE articles ADD COLUMN search_vector tsvector "
               "GENERATED ALWAYS AS (to_tsvector('simple', coalesce(search_text, ''))) STORED",
               "CREATE INDEX ix_articles_search_vector ON articles USING gin (search_vector)")
    return time.perf_counter() - t0


# ------------------------------------------------------------------ main

def _revision() -> str:
    """The commit measured, and whether the working tree differs from it (read only: no index refresh)."""
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
        changed = subprocess.run(["git", "--no-optional-locks", "-C", str(ROOT), "status", "--porcelain", "-uno"],
                                 capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "an unknown commit"
    return f"commit {head}{' with uncommitted changes' if changed else ''}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="list every query with its time and matches")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--scale", default="1M", help="articles in the database, e.g. 10k, 100k, 1M")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each query after the warm-up")
    parser.add_argument("--sample", default="20k", help="articles in the bulk with/without-index comparison")
    parser.add_argument("--crawl", type=int, default=1000, help="articles per round in the crawler-like indexing cost")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--pg-url", default=os.environ.get("NEWSMON_TEST_POSTGRES_URL", DEFAULT_PG))
    parser.add_argument("--keep", action="store_true",
                        help="queries only, on a database kept between runs (filled on the first)")
    args = parser.parse_args()
    args.sample = parse_count(args.sample)
    scale = parse_count(args.scale)
    t0 = time.perf_counter()
    vocabulary = build_vocabulary(args.seed)
    articles = Articles(vocabulary, scale, args.seed)
    queries = representative_queries(vocabulary, articles)
    print(f"== search benchmark at {_revision()}, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC: {label(scale)} articles,"
          f" seed {args.seed}; vocabulary "
          + ", ".join(f"{code} {len(lang.keys):,} words ({int(lang.real.sum()):,} real), {len(lang.phrases):,} phrases"
                      for code, lang in vocabulary.items())
          + f" ({time.perf_counter() - t0:.0f} s). Other work on this machine slows every figure.", flush=True)
    if args.verbose:
        for q in queries:
            print(f"   {q.category:<15} {q.describe():<60} expected {q.expected:.3%} of articles")
    ok = True
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        ok &= bench_backend(backend, args, articles, queries)
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
