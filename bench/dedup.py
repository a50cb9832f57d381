"""Measure deduplication: story grouping quality on a labelled syndication set, and the cost of storing an article.

    .venv/bin/python bench/dedup.py [-v] [--check] [--only quality|cost] [--scale 10k,100k,1M]
                                    [--backends sqlite,postgres] [--new 200] [--pg-url URL]

Data: bench/dedup_data/articles.jsonl, built by bench/dedup_data/build.py from hand-written originals (Arabic and
English stories, their syndicated copies, hard negatives on the same events, breaking-news one-liners). Field
``story`` is the label: articles of one story share it.

(a) Quality. For each (threshold, shingle size) setting, every labelled article is stored, one by one in the file's
order (a copy may arrive before its original), through the real path into a fresh SQLite database:
pipelines.fingerprint.fingerprint -> db.store.insert_articles -> db.stories.link_story. Pairs of articles are
then counted: predicted together = same story_id; labelled together = same story. Precision = right joined pairs
/ joined pairs, recall = right joined pairs / labelled pairs. With -v the wrong pairs of the default setting are
listed with their MinHash estimate and their exact shingle Jaccard (which tells a MinHash miss from a threshold
miss) and the edits the copy went through.

(b) Cost. A database is filled with synthetic articles (random text, random MinHash signatures and band keys:
band keys are hashes, so random ones index the same way) by fast bulk inserts — executemany on SQLite, COPY on
PostgreSQL — to each size of --scale; the fill time is reported apart. Then --new articles from the labelled set are
stored one by one through the real path (fingerprint + insert + story lookup + band insert, one transaction and
commit each) and the time per article reported; they are deleted again before the next size. Both databases are
ANALYZEd after each fill, as autovacuum or a maintenance job would.

Targets: precision >= 0.98, recall >= 0.95; per-article cost at 1M within 2x of the cost at 10k.
--check exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import json
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import datetime, timezone
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere without installing the project

import numpy as np  # noqa: E402
from sqlalchemy import select, text  # noqa: E402

from db.engine import open_database, session_factory  # noqa: E402
from db.scratch import scratch_schema  # noqa: E402
from db.models import Article  # noqa: E402
from db.stories import StoryPolicy, link_story  # noqa: E402
from db.store import insert_articles, upsert_source  # noqa: E402
from pipelines.fingerprint import fingerprint, similarity  # noqa: E402
from pipelines.textkey import dedup_key, search_key  # noqa: E402

DATA = Path(__file__).resolve().parent / "dedup_data" / "articles.jsonl"
TARGETS = {"precision": 0.98, "recall": 0.95, "cost_ratio": 2.0}
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
FETCHED_AT = datetime(2024, 9, 15, 12, 0, tzinfo=timezone.utc)
_WORD = re.compile(r"\w+")


def load() -> list[dict]:
    with open(DATA, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def default_shingle() -> int:
    return inspect.signature(fingerprint).parameters["shingle_size"].default


def default_threshold() -> float:
    return StoryPolicy().threshold


# ------------------------------------------------------------------ the real path

class Store:
    """An open database and the real storing path: fingerprint, insert, link to a story."""

    def __init__(self, url: str) -> None:
        self.engine = open_database(url)
        self.sessions = session_factory(self.engine)
        self.sources: dict[str, int] = {}

    def source_id(self, name: str) -> int:
        if name not in self.sources:
            with self.sessions.begin() as session:
                slug = f"s{len(self.sources)}-{uuid.uuid4().hex[:8]}"
                self.sources[name] = upsert_source(session, slug, name, f"https://{slug}.example/")
        return self.sources[name]

    def store(self, article: dict, policy: StoryPolicy, shingle_size: int, url: str | None = None) -> tuple[int, object]:
        """Store one article in its own transaction, as the crawler does; returns (article id, StoryLink)."""
        url = url or article["url"]
        source_id = self.source_id(article["source"])
        fp = fingerprint(article["title"], article["body"], shingle_size)
        row = {
            "source_id": source_id, "url": url, "fetched_url": url, "title": article["title"], "body": article["body"],
            "search_text": search_key(f"{article['title']}\n{article['body']}"), "language": article["lang"],
            "authors": [], "tags": [], "provenance": {}, "word_count": len(article["body"].split()),
            "fetched_at": FETCHED_AT, "body_hash": fp.body_hash, "minhash": fp.signature,
        }
        with self.sessions.begin() as session:
            inserted = insert_articles(session, [row])
            article_id = inserted.get(url) if isinstance(inserted, dict) else None
            if article_id is None:
                article_id = session.scalar(select(Article.id).where(Article.url == url))
            link = link_story(session, article_id, fp, policy)
        return article_id, link

    def dispose(self) -> None:
        self.engine.dispose()


# ------------------------------------------------------------------ (a) quality

def shingles(body: str, k: int) -> set[str]:
    words = _WORD.findall(dedup_key(body))
    return {" ".join(words[i : i + k]) for i in range(max(1, len(words) - k + 1))}


def jaccard(a: str, b: str, k: int) -> float:
    sa, sb = shingles(a, k), shingles(b, k)
    return len(sa & sb) / len(sa | sb) if sa | sb else 1.0


def group(articles: list[dict], threshold: float, shingle_size: int) -> dict[str, int]:
    """Store every article into a fresh SQLite database; returns {article id: predicted story_id}."""
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{tmp}/dedup.db")
        policy = StoryPolicy(threshold=threshold)
        ids = {a["id"]: store.store(a, policy, shingle_size)[0] for a in articles}
        with store.sessions() as session:
            story_of = {row[0]: row[1] for row in session.execute(select(Article.id, Article.story_id))}
        store.dispose()
    return {aid: story_of[db_id] for aid, db_id in ids.items()}


def pair_counts(articles: list[dict], predicted: dict[str, int]) -> tuple[int, int, int, list, list]:
    tp = fp = fn = 0
    wrong_joined, wrong_split = [], []
    for a, b in combinations(articles, 2):
        same_label = a["story"] == b["story"]
        same_pred = predicted[a["id"]] == predicted[b["id"]]
        if same_label and same_pred:
            tp += 1
        elif same_pred:
            fp += 1
            wrong_joined.append((a, b))
        elif same_label:
            fn += 1
            wrong_split.append((a, b))
    return tp, fp, fn, wrong_joined, wrong_split


def mark(value: float, target: float, higher_is_better: bool = True) -> str:
    ok = value >= target if higher_is_better else value <= target
    return "ok" if ok else "MISSED"


def bench_quality(articles: list[dict], verbose: bool) -> bool:
    labelled_pairs = sum(n * (n - 1) // 2 for n in _sizes(a["story"] for a in articles))
    n_long = sum(1 for a in articles if not a["kind"].startswith("short"))
    print(f"== story grouping: {len(articles)} articles ({n_long} full articles, {len(articles) - n_long} one-liners),"
          f" {len({a['story'] for a in articles})} labelled stories, {labelled_pairs} labelled pairs")
    t_def, k_def = default_threshold(), default_shingle()
    settings = sorted({(t, k_def) for t in (0.3, 0.4, 0.5, 0.6, 0.7, t_def)} | {(t_def, k) for k in (2, 3, 4, 5)},
                      key=lambda s: (s[1], s[0]))
    print(f"   {'threshold':>9} {'shingle':>7} {'precision':>9} {'recall':>7} {'joined':>7} {'wrong':>6} {'missed':>6}"
          f"  (targets: precision >= {TARGETS['precision']}, recall >= {TARGETS['recall']}; * = default)")
    result_ok = True
    default_wrong: tuple[list, list] = ([], [])
    for threshold, k in settings:
        predicted = group(articles, threshold, k)
        tp, fp, fn, wrong_joined, wrong_split = pair_counts(articles, predicted)
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        is_default = (threshold, k) == (t_def, k_def)
        print(f"{'*' if is_default else ' '}  {threshold:>9.2f} {k:>7} {precision:>9.3f} {recall:>7.3f} {tp + fp:>7} {fp:>6} {fn:>6}"
              f"  {mark(precision, TARGETS['precision'])}/{mark(recall, TARGETS['recall'])}")
        if is_default:
            result_ok = precision >= TARGETS["precision"] and recall >= TARGETS["recall"]
            default_wrong = (wrong_joined, wrong_split)
            by_kind = _breakdown(articles, wrong_joined, wrong_split)
    print("   at the default: " + by_kind)
    _diagnose(articles, t_def, k_def)
    if verbose:
        _print_wrong(*default_wrong, k_def)
    return result_ok


def _diagnose(articles: list[dict], threshold: float, k: int) -> None:
    """What the data asks of the grouping: how far copies are from their original, and what grouping every
    above-threshold match transitively (stories merged when an article matches several) would score."""
    originals = {a["story"]: a for a in articles if a["kind"] == "original"}
    per_profile: dict[str, list[float]] = defaultdict(list)
    for a in articles:
        if a["kind"] == "copy":
            per_profile[a["edits"][0]].append(jaccard(a["body"], originals[a["story"]]["body"], k))
    print(f"   shingle Jaccard of copies to their original (k={k}), min/median by profile: "
          + ", ".join(f"{p} {min(v):.2f}/{statistics.median(v):.2f}" for p, v in sorted(per_profile.items())))
    fps = [fingerprint(a["title"], a["body"], k) for a in articles]
    sigs = np.stack([np.frombuffer(fp.signature, dtype="<u4") for fp in fps])
    parent = list(range(len(articles)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    min_words = StoryPolicy().min_words
    n = len(articles)
    est = np.stack([(sigs == sigs[i]).mean(axis=1) for i in range(n)])
    stories = np.array([a["story"] for a in articles])
    long_ = np.array([fp.words >= min_words for fp in fps])
    apart = (stories[:, None] != stories[None, :]) & long_[:, None] & long_[None, :]
    i, j = np.unravel_index(np.argmax(np.where(apart, est, -1)), est.shape)
    print(f"   closest pair of different stories (full articles): MinHash {est[i, j]:.2f}, Jaccard "
          f"{jaccard(articles[i]['body'], articles[j]['body'], k):.2f} ({articles[i]['id']} / {articles[j]['id']})")
    for t in sorted({0.3, 0.4, threshold}):
        parent = list(range(n))
        for a in range(n):
            for b in range(a + 1, n):
                if fps[a].body_hash == fps[b].body_hash or (est[a, b] >= t and long_[a] and long_[b]):
                    parent[find(a)] = find(b)
        merged = {x["id"]: find(m) for m, x in enumerate(articles)}
        tp, fp, fn, _, _ = pair_counts(articles, merged)
        print(f"   for comparison, not the real code: joining every pair with MinHash >= {t} transitively (stories merged)"
              f" gives precision {tp / (tp + fp) if tp + fp else 1:.3f}, recall {tp / (tp + fn):.3f}")


def _sizes(labels) -> list[int]:
    counts: dict[str, int] = defaultdict(int)
    for label in labels:
        counts[label] += 1
    return list(counts.values())


def _topic(story: str) -> str:
    """Hard negatives share a topic: '…-a'/'…-b' stories, and the one-liners of one short group."""
    return re.sub(r"(-[ab]|-\d+)$", "", story)


def _breakdown(articles: list[dict], wrong_joined: list, wrong_split: list) -> str:
    hard = sum(1 for a, b in wrong_joined if _topic(a["story"]) == _topic(b["story"]))
    shorts = sum(1 for a, b in wrong_joined if a["kind"].startswith("short") or b["kind"].startswith("short"))
    split_short = sum(1 for a, b in wrong_split if a["kind"].startswith("short"))
    profiles: dict[str, int] = defaultdict(int)
    for a, b in wrong_split:
        for x in (a, b):
            if x["kind"] == "copy":
                profiles[x["edits"][0]] += 1
    hard_pairs = sum(1 for a, b in combinations(articles, 2) if a["story"] != b["story"] and _topic(a["story"]) == _topic(b["story"]))
    return (f"{hard} of {hard_pairs} same-topic (hard negative) pairs joined, {shorts} wrong pairs involve a one-liner; "
            f"{split_short} exact one-liner copy pairs split; copies in missed pairs by profile: "
            + (", ".join(f"{p} {n}" for p, n in sorted(profiles.items(), key=lambda x: -x[1])) or "none"))


def _print_wrong(wrong_joined: list, wrong_split: list, k: int) -> None:
    def describe(a: dict) -> str:
        return f"{a['id']} [{a['source']}; {a['kind']}{': ' + ','.join(a['edits']) if a['edits'] else ''}; {len(a['body'].split())} words]"

    def sims(a: dict, b: dict) -> str:
        est = similarity(fingerprint(a["title"], a["body"], k).signature, fingerprint(b["title"], b["body"], k).signature)
        return f"minhash {est:.2f}, jaccard {jaccard(a['body'], b['body'], k):.2f}"

    print(f"-- wrong pairs at the default: {len(wrong_joined)} joined but labelled apart")
    for a, b in wrong_joined:
        print(f"   JOINED {describe(a)}\n          {describe(b)}\n          {sims(a, b)}")
    print(f"-- {len(wrong_split)} labelled together but split")
    for a, b in sorted(wrong_split, key=lambda p: (p[0]["story"], p[0]["id"], p[1]["id"])):
        print(f"   SPLIT  {describe(a)}\n          {describe(b)}\n          {sims(a, b)}")


# ------------------------------------------------------------------ (b) cost

SCALES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}


def parse_scales(text_: str) -> list[int]:
    out = []
    for part in text_.split(","):
        part = part.strip().lower()
        out.append(SCALES[part] if part in SCALES else int(float(part.rstrip("km")) * (1000 if part.endswith("k") else 1_000_000 if part.endswith("m") else 1)))
    return sorted(set(out))


def label(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1000}k" if n % 1000 == 0 else str(n)


_VOCAB = None


def _bodies(rng: np.random.Generator, n: int) -> list[str]:
    global _VOCAB
    if _VOCAB is None:
        letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
        _VOCAB = ["".join(rng.choice(letters, size=rng.integers(3, 10))) for _ in range(5000)]
    return [" ".join(_VOCAB[i] for i in rng.integers(0, len(_VOCAB), size=120)) for _ in range(n)]


def fill(store: Store, backend: str, count: int, source_id: int, seed: int) -> None:
    """Add ``count`` synthetic articles and their band rows, by bulk insert."""
    with store.sessions() as session:
        start = session.scalar(text("SELECT coalesce(max(id), 0) FROM articles"))
    stop = start + count
    rng = np.random.default_rng(seed)
    templates = _bodies(rng, 500)
    chunk = 20_000
    fetched = FETCHED_AT.astimezone(timezone.utc)
    raw = store.engine.raw_connection()
    try:
        conn = raw.driver_connection
        if backend == "postgresql":
            with conn.cursor() as cur:  # a bulk load builds the band index once at the end, not row by row
                cur.execute("ALTER TABLE article_bands DROP CONSTRAINT IF EXISTS article_bands_pkey")
            conn.commit()
        else:
            conn.execute("PRAGMA cache_size = -1000000")
        for lo in range(start, stop, chunk):
            hi = min(lo + chunk, stop)
            ids = np.arange(lo + 1, hi + 1)
            sigs = rng.integers(0, 2**32, size=(hi - lo, 128), dtype=np.uint32)
            hashes = rng.integers(-(2**63), 2**63 - 1, size=hi - lo, dtype=np.int64)
            bands = rng.integers(-(2**63), 2**63 - 1, size=(hi - lo, 32), dtype=np.int64)
            rows = []
            for j, aid in enumerate(ids.tolist()):
                body = f"{aid} {templates[aid % len(templates)]}"
                rows.append((aid, source_id, f"https://synthetic.example/a/{aid:08d}", f"https://synthetic.example/a/{aid:08d}",
                             f"Synthetic article {aid}", body, body, "en", 121, int(hashes[j]), sigs[j].tobytes(), aid))
            band_ids = np.repeat(ids, 32)
            order = np.argsort(bands.ravel(), kind="stable")
            band_rows = np.column_stack([bands.ravel()[order], band_ids[order]])
            if backend == "postgresql":
                _copy_pg(conn, rows, band_rows, fetched)
            else:
                _insert_sqlite(conn, rows, band_rows, fetched)
        if backend == "postgresql":
            with conn.cursor() as cur:
                cur.execute("ALTER TABLE article_bands ADD CONSTRAINT article_bands_pkey PRIMARY KEY (band, article_id)")
                cur.execute("SELECT setval(pg_get_serial_sequence('articles', 'id'), (SELECT max(id) FROM articles))")
            conn.commit()
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute("ANALYZE articles")
                cur.execute("ANALYZE article_bands")
            conn.autocommit = False
        else:
            conn.execute("PRAGMA analysis_limit = 1000")  # what PRAGMA optimize does: sampled statistics, not a full scan
            conn.execute("ANALYZE")
            conn.commit()
    finally:
        raw.close()


_COLUMNS = "id, source_id, url, fetched_url, title, body, search_text, language, word_count, body_hash, minhash, story_id"


def _insert_sqlite(conn, rows, band_rows, fetched) -> None:  # type: ignore[no-untyped-def]
    at = fetched.replace(tzinfo=None).isoformat(sep=" ")
    conn.executemany(
        f"INSERT INTO articles ({_COLUMNS}, authors, tags, provenance, fetched_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,'[]','[]','{{}}',?)",
        [(*r, at) for r in rows],
    )
    conn.executemany("INSERT INTO article_bands (band, article_id) VALUES (?, ?)", band_rows.tolist())
    conn.commit()


def _copy_pg(conn, rows, band_rows, fetched) -> None:  # type: ignore[no-untyped-def]
    with conn.cursor() as cur:
        with cur.copy(f"COPY articles ({_COLUMNS}, authors, tags, provenance, fetched_at) FROM STDIN") as copy:
            for r in rows:
                copy.write_row((*r, "[]", "[]", "{}", fetched))
        with cur.copy("COPY article_bands (band, article_id) FROM STDIN") as copy:
            copy.write("".join(f"{b}\t{a}\n" for b, a in band_rows.tolist()))
    conn.commit()


def time_new(store: Store, articles: list[dict], n_new: int, tag: str) -> list[float]:
    """Store n_new labelled articles one by one through the real path; ms each. They are removed afterwards."""
    policy, k = StoryPolicy(), default_shingle()
    for a in articles[:n_new]:
        store.source_id(a["source"])  # sources exist already, as in a crawl
    times, ids = [], []
    for a in articles[:n_new]:
        t0 = time.perf_counter()
        article_id, _ = store.store(a, policy, k, url=f"{a['url']}?bench={tag}")
        times.append((time.perf_counter() - t0) * 1000)
        ids.append(article_id)
    remove(store, ids)
    return times


def remove(store: Store, ids: list[int]) -> None:
    """Delete the timed articles. Foreign-key checks are switched off for it: neither article_bands.article_id nor
    articles.duplicate_of is indexed, so each deleted row would cost a scan of both tables (see the report)."""
    marks = ",".join(str(int(i)) for i in ids)
    if store.engine.dialect.name == "sqlite":
        raw = store.engine.raw_connection()
        try:
            conn = raw.driver_connection
            conn.commit()
            conn.execute("PRAGMA foreign_keys = OFF")  # only takes effect outside a transaction
            conn.execute(f"DELETE FROM article_bands WHERE article_id IN ({marks})")
            conn.execute(f"DELETE FROM articles WHERE id IN ({marks})")
            conn.commit()
            conn.execute("PRAGMA foreign_keys = ON")
        finally:
            raw.close()
        return
    with store.sessions.begin() as session:
        session.execute(text("SET LOCAL session_replication_role = replica"))
        session.execute(text(f"DELETE FROM article_bands WHERE article_id IN ({marks})"))
        session.execute(text(f"DELETE FROM articles WHERE id IN ({marks})"))


def bench_cost(articles: list[dict], backends: list[str], scales: list[int], n_new: int, pg_url: str) -> bool:
    print(f"\n== cost of storing one article (fingerprint + insert + story lookup + bands; one transaction each),"
          f" {n_new} new articles timed per size")
    print(f"   {'backend':<10} {'stored':>7} {'fill s':>8} {'fill rows/s':>11} {'ms/article':>10} {'p50':>6} {'p95':>6} {'x 10k':>6}"
          f"  (target: at 1M within {TARGETS['cost_ratio']}x of 10k)")
    all_ok = True
    for backend in backends:
        tmp = tempfile.TemporaryDirectory(prefix="newsmon-dedup-bench-")
        with contextlib.ExitStack() as scratch:
            if backend == "sqlite":
                url = f"sqlite:///{tmp.name}/cost.db"
            else:
                url = scratch.enter_context(scratch_schema(pg_url, prefix="newsmon_bench"))
            store = Store(url)
            filler = store.source_id("synthetic filler")
            kind = "postgresql" if backend != "sqlite" else "sqlite"
            have, base_ms = 0, None
            for i, scale in enumerate(scales):
                t0 = time.perf_counter()
                fill(store, kind, scale - have, filler, seed=i)
                fill_s = time.perf_counter() - t0
                added = scale - have
                have = scale
                store.store(articles[-1], StoryPolicy(), default_shingle(), url=f"{articles[-1]['url']}?warm={scale}")  # warm the caches
                times = time_new(store, articles, n_new, label(scale))
                mean = statistics.fmean(times)
                p50 = statistics.median(times)
                p95 = sorted(times)[int(0.95 * len(times)) - 1]
                if base_ms is None:
                    base_ms = mean
                ratio = mean / base_ms
                note = ""
                if scale >= 1_000_000 and scales[0] <= 10_000:
                    ok = ratio <= TARGETS["cost_ratio"]
                    all_ok &= ok
                    note = "ok" if ok else "MISSED"
                print(f"   {backend:<10} {label(scale):>7} {fill_s:>8.1f} {added / fill_s:>11,.0f} {mean:>10.2f} {p50:>6.2f} {p95:>6.2f} {ratio:>6.2f}  {note}",
                      flush=True)
            store.dispose()
        tmp.cleanup()
    return all_ok


# ------------------------------------------------------------------ main

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="list the wrong pairs of the default setting")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--only", choices=["quality", "cost"])
    parser.add_argument("--scale", default="10k,100k,1M", help="database sizes for the cost, e.g. 10k,100k,1M")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--new", type=int, default=200, help="articles timed at each size")
    parser.add_argument("--pg-url", default=os.environ.get("NEWSMON_TEST_POSTGRES_URL", DEFAULT_PG))
    args = parser.parse_args()
    articles = load()
    ok = True
    if args.only in (None, "quality"):
        ok &= bench_quality(articles, args.verbose)
    if args.only in (None, "cost"):
        backends = [b.strip() for b in args.backends.split(",") if b.strip()]
        ok &= bench_cost(articles, backends, parse_scales(args.scale), args.new, args.pg_url)
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
