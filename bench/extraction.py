"""Measure the article extractor against the reviewed pages in ../shared/extraction-dev.

    .venv/bin/python bench/extraction.py [--baseline] [--verbose] [--data DIR] [--only SUBSTRING]

Figures (means over pages): body word-4-shingle F1 (set-based; punctuation ignored; CJK by character), title exact match after whitespace normalization,
published date correct to the day (in the page's own timezone), authors set F1, and pages/second on one core
(extraction time only: reading and gunzipping the files is not counted).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere without installing the project

DEFAULT_DATA = ROOT.parent / "shared" / "extraction-dev"


@dataclass
class Guess:
    title: str | None
    body: str | None
    published: date | None
    authors: list[str]


@dataclass
class Score:
    id: str
    lang: str
    body: float
    title: float
    date: float
    authors: float
    guess: Guess


# Zero-width space and BOM are invisible spacing, though Python's split() does not count them as whitespace;
# one gold title ends in a U+200B. Run with --strict-space to compare without this.
_INVISIBLE_SPACES = {0x200B: " ", 0xFEFF: " "}
STRICT_SPACE = False


def _ws(text: str | None) -> str:
    text = text or ""
    if not STRICT_SPACE:
        text = text.translate(_INVISIBLE_SPACES)
    return " ".join(text.split())


# Words are runs of letters/digits; each Han, kana and Hangul character counts as a word, since those scripts
# do not put spaces between words (splitting on whitespace would make a Japanese paragraph one "word").
_WORD = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]|\w+")


def _shingles(text: str | None, n: int = 4) -> set[tuple[str, ...]]:
    words = _WORD.findall(text or "")
    if len(words) < n:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def _f1(guess: set, gold: set) -> float:
    if not guess and not gold:
        return 1.0
    if not guess or not gold:
        return 0.0
    common = len(guess & gold)
    if not common:
        return 0.0
    precision, recall = common / len(guess), common / len(gold)
    return 2 * precision * recall / (precision + recall)


def ours(html: bytes, url: str) -> Guess:
    from crawler.extraction import extract_article

    got = extract_article(html, url)
    return Guess(got.title, got.body, got.published_at.date() if got.published_at else None, got.authors)


def baseline(html: bytes, url: str) -> Guess:
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True)
    if doc is None:
        return Guess(None, None, None, [])
    published = None
    if doc.date:
        try:
            published = date.fromisoformat(doc.date[:10])
        except ValueError:
            pass
    authors = [a.strip() for a in (doc.author or "").split(";") if a.strip()]
    return Guess(doc.title, doc.text, published, authors)


def load(data: Path, only: str | None) -> list[dict]:
    rows = [json.loads(line) for line in (data / "gold.jsonl").read_text(encoding="utf-8").splitlines() if line]
    return [r for r in rows if not only or only in r["id"]]


def score(rows: Iterable[dict], data: Path, extract: Callable[[bytes, str], Guess]) -> tuple[list[Score], float]:
    scores, elapsed = [], 0.0
    for row in rows:
        html = gzip.decompress((data / row["html"]).read_bytes())
        start = time.process_time()  # CPU time of this process: "one core" regardless of machine load
        guess = extract(html, row["url"])
        elapsed += time.process_time() - start
        gold_date = date.fromisoformat(row["date"]) if row.get("date") else None
        gold_authors = {_ws(a) for a in row.get("authors") or [] if _ws(a)}
        scores.append(
            Score(
                id=row["id"],
                lang=row.get("lang") or "?",
                body=_f1(_shingles(guess.body), _shingles(row["body"])),
                title=float(_ws(guess.title) == _ws(row["title"])),
                date=float(guess.published == gold_date),
                authors=_f1({_ws(a) for a in guess.authors if _ws(a)}, gold_authors),
                guess=guess,
            )
        )
    return scores, elapsed


def _means(scores: list[Score]) -> tuple[float, float, float, float]:
    n = len(scores) or 1
    return (
        sum(s.body for s in scores) / n,
        sum(s.title for s in scores) / n,
        sum(s.date for s in scores) / n,
        sum(s.authors for s in scores) / n,
    )


def report(name: str, scores: list[Score], elapsed: float, rows: list[dict], verbose: bool) -> None:
    body, title, date_, authors = _means(scores)
    print(f"== {name}: {len(scores)} pages")
    print(f"body F1 {body:.3f}   title {title:.3f}   date {date_:.3f}   authors F1 {authors:.3f}   "
          f"{len(scores) / elapsed if elapsed else 0:.1f} pages/s")
    by_lang: dict[str, list[Score]] = defaultdict(list)
    for s in scores:
        by_lang[s.lang].append(s)
    print(f"  {'lang':6} {'n':>3}  {'body':>5} {'title':>5} {'date':>5} {'auth':>5}")
    for lang, group in sorted(by_lang.items(), key=lambda kv: -len(kv[1])):
        b, t, d, a = _means(group)
        print(f"  {lang:6} {len(group):3d}  {b:5.2f} {t:5.2f} {d:5.2f} {a:5.2f}")
    if not verbose:
        return
    gold = {r["id"]: r for r in rows}
    print("-- worst bodies")
    for s in sorted(scores, key=lambda s: s.body)[:15]:
        print(f"  {s.body:.2f} {s.id}  got {len((s.guess.body or '').split())} words, "
              f"gold {len(gold[s.id]['body'].split())}")
    print("-- wrong titles")
    for s in scores:
        if not s.title:
            print(f"  {s.id}\n     got  {_ws(s.guess.title)!r}\n     gold {_ws(gold[s.id]['title'])!r}")
    print("-- wrong dates")
    for s in scores:
        if not s.date:
            print(f"  {s.id}  got {s.guess.published}  gold {gold[s.id]['date']}")
    print("-- imperfect authors")
    for s in scores:
        if s.authors < 1:
            print(f"  {s.authors:.2f} {s.id}  got {s.guess.authors}  gold {gold[s.id]['authors']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the extraction-dev directory")
    parser.add_argument("--baseline", action="store_true", help="also score plain trafilatura.bare_extraction")
    parser.add_argument("--verbose", "-v", action="store_true", help="list the worst pages and every miss")
    parser.add_argument("--only", help="score only pages whose id contains this")
    parser.add_argument("--strict-space", action="store_true", help="treat zero-width spaces as text, not spacing")
    args = parser.parse_args(argv)
    global STRICT_SPACE
    STRICT_SPACE = args.strict_space
    if not (args.data / "gold.jsonl").is_file():
        print(f"extraction: no gold.jsonl under {args.data}", file=sys.stderr)
        return 2
    rows = load(args.data, args.only)
    if args.baseline:
        scores, elapsed = score(rows, args.data, baseline)
        report("trafilatura.bare_extraction", scores, elapsed, rows, args.verbose)
    scores, elapsed = score(rows, args.data, ours)
    report("crawler.extraction.extract_article", scores, elapsed, rows, args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
