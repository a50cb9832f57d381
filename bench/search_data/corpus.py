"""Synthetic news articles for bench/search.py: Arabic and English text with real words at news-like frequencies.

The vocabulary comes from real text found on this machine, read at run time (nothing of it is copied here):
English from the reviewed bodies of ../shared/extraction-dev, Arabic and English from bench/dedup_data's
hand-written originals, the sample site's articles (newsmon/sample_site/content.py), bench/multilingual_data and
../shared/samples. Each language's words are ranked by their count there (words seen once are shuffled into the
tail with made-up words from a character model of the real ones, so the tail of rare names and forms is as long as
a large collection's) and drawn with a Zipf-Mandelbrot law, p(rank) ~ 1 / (rank + 2) ** s: a few words are in nearly
every article, most in a handful. Real 2- and 3-word sequences seen at least twice ("prime minister", "وقف إطلاق
النار") are drawn as units too, so phrase queries find real phrases.

Arabic words are written as outlets write them: mostly their commonest spelling, sometimes with a hamza added or
dropped, a Persian yeh or keheh, tashkeel or tatweel — spellings pipelines.textkey.search_key unifies, so the
stored search key (and what a query for any one spelling finds) is the same.

An article: a source (6 Arabic and 6 English outlets of unequal volume), a title of 6-14 words, a body of 150-1500
words (log-normal, median 400) in sentences and paragraphs, a published date spread over a year in id order (5%
undated: only a fetch time), and a story: about 30% of articles are in a story of 2-6 articles from several outlets
of one language within a few hundred ids, their text the first one's with some words changed or cut short.
Everything is drawn from seeded generators: the same seed and scale give the same articles.
"""

from __future__ import annotations

import bisect
import json
import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from pipelines.textkey import search_key

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"

VOCABULARY_SIZE = 250_000    # words per language, real ones first
ZIPF_SHIFT = 2.0             # p(rank) ~ 1 / (rank + shift) ** exponent
# English news: "the" ~6% of words, the top 100 words half the text, ~270 distinct words in 450. Arabic words carry
# their clitics (و، ال، ب، ها …), so its forms are spread flatter: ~4% and ~40%, ~330 distinct words in 450.
ZIPF_EXPONENT = {"en": 1.15, "ar": 1.05}
PHRASE_SHARE = 0.04          # share of drawn units that are a real 2-3 word sequence
PHRASE_SHIFT = 3.0
VARIANT_SHARE = (0.85, 0.05, 0.05, 0.05)  # an Arabic word in its commonest spelling, or one of three variants
STORY_SHARE = 0.30           # articles in a story of two or more
UNDATED_SHARE = 0.05
YEAR_END = datetime(2025, 6, 30, tzinfo=timezone.utc)  # the newest article; "--since 30d" is counted back from here
YEAR = timedelta(days=365)

# (name, language, share of all articles): two thirds of the volume from the four biggest outlets, as is usual.
SOURCES = (
    ("almanar", "ar", 0.13), ("aljazeera", "ar", 0.12), ("alarabiya", "ar", 0.10), ("bbc_arabic", "ar", 0.07),
    ("alakhbar", "ar", 0.05), ("enab_baladi", "ar", 0.03),
    ("reuters", "en", 0.13), ("bbc", "en", 0.11), ("guardian", "en", 0.10), ("apnews", "en", 0.08),
    ("aljazeera_en", "en", 0.05), ("middle_east_eye", "en", 0.03),
)
SECTIONS = ("world", "politics", "economy", "region", "sport", "culture")

_ARABIC = re.compile(r"[\u0621-\u064A\u0671-\u06D3]")
_LATIN = re.compile(r"[A-Za-z0-9]+")
_DIGITS = re.compile(r"[0-9]+")
_TOKEN = re.compile(r"[^\W_]+")
_EDGE = "\"'()[]{}«»“”‘’…-–—.,;:!?،؛؟/*#|<>"
_TEXT_FIELD = re.compile(r"^(title2?|lead2|extra):\s*")
_HEADER = re.compile(r"^(@@|--$|#|[a-z0-9]+:\s)")


# ------------------------------------------------------------------ real text

def _texts() -> dict[str, list[str]]:
    """The real text on this machine, by language: each item a title, a paragraph or a page of paragraphs."""
    texts: dict[str, list[str]] = {"ar": [], "en": []}
    gold = SHARED / "extraction-dev" / "gold.jsonl"
    if gold.exists():
        for line in gold.read_text(encoding="utf-8").splitlines():
            page = json.loads(line)
            if page.get("lang") in texts:
                texts[page["lang"]] += [page.get("title") or "", *(page.get("body") or "").split("\n")]
    for path in sorted((ROOT / "bench" / "dedup_data").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if field := _TEXT_FIELD.match(line):
                line = line[field.end():]
            elif _HEADER.match(line):
                continue  # "@@ story", "lang: ar", "source: …", "--", "# comment"
            texts["ar" if _ARABIC.search(line) else "en"].append(line.lstrip("- "))
    from newsmon.sample_site import content

    for article in content.articles():
        if article.language in texts:
            texts[article.language] += [article.title, *article.paragraphs]
    for line in (ROOT / "bench" / "multilingual_data" / "texts.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if item["lang"] in texts:
            texts[item["lang"]].append(item["text"])
    for path in sorted((SHARED / "samples").glob("*.txt")):
        texts["ar"] += path.read_text(encoding="utf-8").splitlines()
    return texts


def _runs(text: str, language: str) -> list[list[tuple[str, str]]]:
    """Runs of (spelling, key) words of ``language``, cut at punctuation and at anything that is not one word."""
    runs: list[list[tuple[str, str]]] = [[]]
    for raw in text.split():
        word = raw.strip(_EDGE)
        key = search_key(word)
        fits = (bool(_ARABIC.search(word)) or bool(_DIGITS.fullmatch(word))) if language == "ar" else bool(_LATIN.fullmatch(word))
        if word and fits and _TOKEN.fullmatch(key):
            runs[-1].append((word, key))
            if word == raw.rstrip("'\""):
                continue
        if runs[-1]:
            runs.append([])
    return [run for run in runs if run]


# ------------------------------------------------------------------ vocabulary

@dataclass
class Language:
    """One language's vocabulary: words by rank with their key and spellings, real phrases, and the draw law."""

    code: str
    keys: np.ndarray           # (V,) the normalized word (what the index stores), by rank
    spellings: np.ndarray      # (V, 4) how the word is written: commonest first, then variants (Arabic)
    real: np.ndarray           # (V,) seen in the real text
    p_word: np.ndarray         # (V,) probability of each word as a drawn unit
    phrases: np.ndarray        # (P, 3) word ranks of each real phrase, -1 padded
    p_phrase: np.ndarray       # (P,)

    def __post_init__(self) -> None:
        v = len(self.keys)
        self.units = np.full((v + len(self.phrases), 3), -1, dtype=np.int64)
        self.units[:v, 0] = np.arange(v)
        self.units[v:] = self.phrases
        self.unit_cdf = np.cumsum(np.concatenate([self.p_word * (1 - PHRASE_SHARE), self.p_phrase * PHRASE_SHARE]))
        self.unit_cdf /= self.unit_cdf[-1]
        self.unit_words = (self.units >= 0).sum(axis=1)
        self.rank_of = {k: i for i, k in enumerate(self.keys.tolist())}
        # per drawn unit, the expected occurrences of each word (directly or inside a phrase)
        self.per_unit = self.p_word * (1 - PHRASE_SHARE)
        for j in range(3):
            ok = self.phrases[:, j] >= 0
            np.add.at(self.per_unit, self.phrases[ok, j], self.p_phrase[ok] * PHRASE_SHARE)
        self.content_cdf = np.cumsum(np.where(np.arange(v) >= 40, self.p_word, 0.0))  # titles: no function words
        self.content_cdf /= self.content_cdf[-1]

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.searchsorted(self.unit_cdf, rng.random(n), side="right")

    def words_per_unit(self) -> float:
        share = np.concatenate([self.p_word * (1 - PHRASE_SHARE), self.p_phrase * PHRASE_SHARE])
        return float((share * self.unit_words).sum() / share.sum())

    def doc_share(self, units_per_article: float) -> np.ndarray:
        """The expected share of this language's articles that contain each word (by rank), body only."""
        return 1 - np.exp(-units_per_article * self.per_unit)

    def phrase_share(self, units_per_article: float) -> np.ndarray:
        """The expected share of this language's articles that contain each phrase as a drawn unit."""
        return 1 - np.exp(-units_per_article * self.p_phrase * PHRASE_SHARE)


def build_vocabulary(seed: int = 6) -> dict[str, Language]:
    texts = _texts()
    rng = random.Random(seed)
    return {code: _language(code, texts[code], rng) for code in ("ar", "en")}


def _language(code: str, texts: list[str], rng: random.Random) -> Language:
    counts: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    ngrams: Counter[tuple[str, ...]] = Counter()
    for text in texts:
        for run in _runs(text, code):
            keys = [k for _, k in run]
            for word, key in run:
                counts[key] += 1
                spellings[key][word] += 1
            for n in (2, 3):
                ngrams.update(tuple(keys[i : i + n]) for i in range(len(keys) - n + 1))
    head = sorted((k for k, c in counts.items() if c >= 2 and not k.isdigit()), key=lambda k: (-counts[k], k))
    once = sorted(k for k, c in counts.items() if c < 2 and not k.isdigit())
    made = _made_up_words(list(counts), VOCABULARY_SIZE - len(head) - len(once), rng)
    tail = once + made
    rng.shuffle(tail)
    keys = head + tail
    ranks = np.arange(1, len(keys) + 1, dtype=np.float64)
    p_word = 1 / (ranks + ZIPF_SHIFT) ** ZIPF_EXPONENT[code]
    p_word /= p_word.sum()
    rank_of = {k: i for i, k in enumerate(keys)}
    stop = set(head[:50])
    phrases = sorted(
        (g for g, c in ngrams.items() if c >= 2 and all(k in rank_of for k in g) and not set(g) <= stop
         and g[0] not in stop and g[-1] not in stop),
        key=lambda g: (-ngrams[g], g),
    )
    table = np.full((len(phrases), 3), -1, dtype=np.int64)
    for i, g in enumerate(phrases):
        table[i, : len(g)] = [rank_of[k] for k in g]
    p_phrase = 1 / (np.arange(1, len(phrases) + 1, dtype=np.float64) + PHRASE_SHIFT)
    p_phrase /= p_phrase.sum()
    written = np.empty((len(keys), 4), dtype=object)
    for i, key in enumerate(keys):
        seen = [w for w, _ in spellings[key].most_common()] if key in spellings else []
        if code == "en" and not seen and rng.random() < 0.4:
            seen = [key.capitalize()]  # made-up English words are mostly names
        written[i] = _spellings(key, seen, rng) if code == "ar" else [seen[0] if seen else key] * 4
    return Language(code, np.array(keys, dtype=object), written, np.array([k in counts for k in keys]), p_word, table,
                    p_phrase)


def _made_up_words(real: list[str], n: int, rng: random.Random) -> list[str]:
    """``n`` new words from a character trigram model of ``real``: rare names and forms, as a large collection has."""
    following: dict[str, Counter[str]] = defaultdict(Counter)
    for word in real:
        if word.isdigit():
            continue
        padded = f"^^{word}$"
        for i in range(2, len(padded)):
            following[padded[i - 2 : i]][padded[i]] += 1
    tables = {ctx: (list(c), list(np.cumsum(list(c.values())))) for ctx, c in following.items()}
    seen, out = set(real), []
    while len(out) < n:
        word, ctx = "", "^^"
        while len(word) < 14:
            letters, cum = tables[ctx]
            ch = letters[bisect.bisect_right(cum, rng.random() * cum[-1])]
            if ch == "$":
                break
            word += ch
            ctx = ctx[1] + ch
        if 4 <= len(word) <= 13 and word not in seen and _TOKEN.fullmatch(search_key(word)):
            seen.add(word)
            out.append(word)
    return out


_HAMZA = {"ا": "أ", "أ": "ا", "إ": "ا", "آ": "ا"}
_PERSIAN = {"ي": "ی", "ك": "ک", "ى": "ی"}
_MARKS = ("\u064e", "\u064f", "\u0650", "\u0651\u064e", "\u0652")  # fatha, damma, kasra, shadda+fatha, sukun


def _spellings(key: str, seen: list[str], rng: random.Random) -> list[str]:
    """Four spellings of an Arabic word that all have ``key`` as search key: the commonest seen first, then a hamza
    added or dropped (or another spelling seen), a Persian yeh or keheh, and tashkeel or a tatweel."""
    first = seen[0] if seen else key
    out = [first]
    other = [w for w in seen[1:] if search_key(w) == key]
    if other:
        out.append(other[0])
    elif first[0] in _HAMZA:
        out.append(_HAMZA[first[0]] + first[1:])
    else:
        out.append(first)
    persian = "".join(_PERSIAN.get(c, c) for c in first)
    out.append(persian)
    if len(first) > 2 and rng.random() < 0.5:
        i = rng.randrange(1, len(first) - 1)
        out.append(first[:i] + "ـ" + first[i:] if first[i - 1] not in "ادذرزوء" else first[:i] + rng.choice(_MARKS) + first[i:])
    else:
        out.append(first[0] + rng.choice(_MARKS) + first[1:])
    return [w if search_key(w) == search_key(first) else first for w in out]


# ------------------------------------------------------------------ articles

@dataclass
class Batch:
    """Articles ``first_id`` .. ``first_id + len(title) - 1``, as columns."""

    first_id: int
    source: list[str]
    language: list[str]
    title: list[str]
    body: list[str]
    search_text: list[str]
    description: list[str | None]
    words: list[int]
    published_at: list[datetime | None]
    fetched_at: list[datetime]
    story_id: list[int]
    url: list[str]
    section: list[str]


class Articles:
    """Synthetic articles 1..total in id order, generated chunk by chunk; the same for the same seed and total."""

    def __init__(self, vocabulary: dict[str, Language], total: int, seed: int = 6) -> None:
        self.vocabulary = vocabulary
        self.total = total
        self.seed = seed
        self.source_names = [s[0] for s in SOURCES]
        self.source_language = {name: lang for name, lang, _ in SOURCES}
        shares = np.array([s[2] for s in SOURCES])
        self.source_p = shares / shares.sum()
        self.by_language = {code: [i for i, s in enumerate(SOURCES) if s[1] == code] for code in vocabulary}
        # For the expected share of articles with a word, 1 - exp(-units * p): the mean body is ~445 words, taken
        # as 420 since that share averaged over the spread of lengths is below its value at the mean length.
        self.units_per_article = {code: 420 / lang.words_per_unit() for code, lang in vocabulary.items()}

    # The median body is 400 words; the draw is in units (a word or a phrase), so lengths are counted in units.
    def _units(self, rng: np.random.Generator, language: str, n: int) -> np.ndarray:
        words = np.clip(rng.lognormal(np.log(400), 0.5, n), 150, 1500)
        return np.maximum(1, (words / self.vocabulary[language].words_per_unit()).round()).astype(np.int64)

    def batch(self, first_id: int, count: int) -> Batch:
        rng = np.random.default_rng([self.seed, first_id])
        ids = np.arange(first_id, first_id + count)
        source = rng.choice(len(SOURCES), size=count, p=self.source_p)
        head = np.arange(count)  # the article whose text this one copies (itself: an original)
        self._stories(rng, source, head)
        language = [SOURCES[s][1] for s in source]
        units: list[np.ndarray | None] = [None] * count
        for code, lang in self.vocabulary.items():
            own = [i for i in range(count) if head[i] == i and language[i] == code]
            lengths = self._units(rng, code, len(own))
            drawn = np.split(lang.draw(rng, int(lengths.sum())), np.cumsum(lengths)[:-1])
            for i, u in zip(own, drawn):
                units[i] = u
        titles: list[str] = [""] * count
        keys_title: list[str] = [""] * count
        out = Batch(first_id, [], [], [], [], [], [], [], [], [], [], [], [])
        for i in range(count):
            lang = self.vocabulary[language[i]]
            if head[i] != i:
                units[i] = self._copy(rng, lang, units[head[i]])
            if head[i] == i or rng.random() < 0.5:
                titles[i], keys_title[i] = self._title(rng, lang)
            else:
                titles[i], keys_title[i] = titles[head[i]], keys_title[head[i]]
            body, key, n_words = self._text(rng, lang, units[i])
            aid = int(ids[i])
            name = SOURCES[source[i]][0]
            published, fetched = self._dates(rng, aid)
            section = SECTIONS[int(rng.integers(len(SECTIONS)))]
            out.source.append(name)
            out.language.append(language[i])
            out.title.append(titles[i])
            out.body.append(body)
            out.search_text.append(f"{keys_title[i]} {key}")
            out.description.append(" ".join(body.split()[:25]) if rng.random() < 0.7 else None)
            out.words.append(n_words)
            out.published_at.append(published)
            out.fetched_at.append(fetched)
            out.story_id.append(int(ids[head[i]]))
            out.section.append(section)
            out.url.append(f"https://www.{name.replace('_', '-')}.example/{section}/{fetched:%Y/%m/%d}/{aid}-"
                           + "-".join(keys_title[i].split()[:6]))
        return out

    def _stories(self, rng: np.random.Generator, source: np.ndarray, head: np.ndarray) -> None:
        """Make STORY_SHARE of the articles members of stories of 2-6, each member a later article of another
        outlet of the same language, within 300 ids of the first."""
        count = len(head)
        taken = np.zeros(count, dtype=bool)
        mean_size = 3.2
        starts = rng.random(count) < STORY_SHARE / mean_size * 1.25  # some starts find no free article near them
        for i in np.flatnonzero(starts):
            if taken[i]:
                continue
            size = min(6, 2 + int(rng.geometric(1 / (mean_size - 1))) - 1)
            window = [j for j in range(i + 1, min(count, i + 300)) if not taken[j] and head[j] == j][: 4 * size]
            if not window:
                continue
            members = rng.choice(window, size=min(size - 1, len(window)), replace=False)
            language = SOURCES[source[i]][1]
            taken[i] = True
            for j in members:
                head[j] = i
                taken[j] = True
                choices = [s for s in self.by_language[language] if s != source[i]]
                source[j] = choices[int(rng.integers(len(choices)))]

    def _copy(self, rng: np.random.Generator, lang: Language, units: np.ndarray) -> np.ndarray:
        """Another outlet's version of a text: a tenth of its words changed, and a third of copies cut short."""
        out = units.copy()
        changed = rng.random(len(out)) < 0.1
        out[changed] = lang.draw(rng, int(changed.sum()))
        if rng.random() < 1 / 3:
            out = out[: max(20, int(len(out) * rng.uniform(0.5, 0.9)))]
        return out

    def _title(self, rng: np.random.Generator, lang: Language) -> tuple[str, str]:
        words = np.searchsorted(lang.content_cdf, rng.random(int(rng.integers(6, 15))), side="right")
        written = lang.spellings[words, 0].tolist()
        written[0] = written[0][:1].upper() + written[0][1:]
        return " ".join(written), " ".join(lang.keys[words].tolist())

    def _text(self, rng: np.random.Generator, lang: Language, units: np.ndarray) -> tuple[str, str, int]:
        """The body as written (sentences, paragraphs, spelling variants) and its search key."""
        words = lang.units[units].ravel()
        words = words[words >= 0]
        n = len(words)
        variant = np.searchsorted(np.cumsum(VARIANT_SHARE), rng.random(n), side="right").clip(0, 3)
        written = lang.spellings[words, variant].tolist()
        keys = lang.keys[words].tolist()
        ends = np.cumsum(rng.integers(10, 30, size=n // 10 + 2))  # sentences of 10-29 words
        ends = ends[ends < n].tolist() + [n]
        paragraphs = np.cumsum(rng.integers(2, 6, size=len(ends)))  # of 2-5 sentences
        for end in ends:
            written[end - 1] += "."
            keys[end - 1] += "."
        if lang.code == "en":
            for start in [0, *ends[:-1]]:
                written[start] = written[start][:1].upper() + written[start][1:]
        for count in paragraphs[paragraphs < len(ends)].tolist():
            written[ends[count - 1] - 1] += "\n\n"
        return " ".join(written).replace("\n\n ", "\n\n"), " ".join(keys), n

    def _dates(self, rng: np.random.Generator, aid: int) -> tuple[datetime | None, datetime]:
        """Published dates spread over the year before YEAR_END in id order (the crawler stores as it finds);
        fetched a few minutes to hours later; UNDATED_SHARE have no published date."""
        at = YEAR_END - YEAR * (1 - aid / self.total) + timedelta(minutes=float(rng.normal(0, 90)))
        fetched = at + timedelta(minutes=float(rng.exponential(120)))
        return (None if rng.random() < UNDATED_SHARE else at), fetched
