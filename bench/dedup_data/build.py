"""Build articles.jsonl, the labelled syndication set of bench/dedup.py, from the hand-written originals.

    .venv/bin/python bench/dedup_data/build.py [--seed N] [--check]

Inputs (written by hand, in this folder):
  originals_*.txt  one block per story: "@@ <story>", header lines (lang, source, slug, title, title2 = another
                   outlet's title, lead2 = another outlet's first sentence, extra = a paragraph another outlet
                   adds), "--", then the body, paragraphs separated by blank lines. Stories with the same
                   event and named entities but different text (…-a / …-b) are hard negatives: separate stories.
  shorts.txt       breaking-news one-liners (under 40 words); each "-" line is its own story.

Copies are derived the way syndication varies, with a seeded RNG so the output is the same on every run:
spellings the normalizer unifies (hamza forms of alef, alef maksura/yeh, teh marbuta/heh, Persian yeh/keheh,
harakat, tatweel, Arabic-Indic digits, curly quotes), a rewritten first sentence, a changed title, an added or
dropped paragraph, share/"read more" boilerplate, a trailing "المصدر: …" line, truncation to the first
paragraphs (an excerpt of at least 60% of the words), and small word-level edits. Every copy of an original
carries the original's story label. A short item's copies change only normalizer-unified spellings and share
its story; near-identical one-liners that differ in a word are separate stories.

Fields of articles.jsonl: id, story, lang, source, url, title, body, kind (original|copy|short|short-copy),
edits (the transformations applied, for reading the wrong pairs).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "articles.jsonl"

OUTLETS = {
    "ar": {
        "المنار": "almanar.example",
        "الشرق اليوم": "alsharq-today.example",
        "الوكالة العربية للأنباء": "arab-news-agency.example",
        "النهار الجديد": "annahar-jadid.example",
        "هسبريس المغرب": "hespress-maghreb.example",
        "صحيفة الرياض اليوم": "riyadh-today.example",
        "الغد الأردني": "alghad-jo.example",
        "المدى العراقية": "almada-iq.example",
        "شفق العراق": "shafaq-iq.example",
        "عنب بلدي": "enab-baladi.example",
        "الصباح التونسية": "assabah-tn.example",
        "الخبر الجزائرية": "elkhabar-dz.example",
        "دارفور24": "darfur24.example",
        "القبس الكويتية": "alqabas-kw.example",
        "المسيرة نت": "almasirah.example",
        "اليوم السابع": "youm7.example",
        "الخليج الإماراتية": "alkhaleej-ae.example",
        "الأخبار اللبنانية": "al-akhbar-lb.example",
        "الوطن العمانية": "alwatan-om.example",
        "بوابة الوسط": "alwasat-ly.example",
        "وكالة وفا المحلية": "wafa-local.example",
        "الأهرام الرياضي": "ahram-sport.example",
        "القدس العربي": "alquds-alarabi.example",
        "الميادين": "almayadeen.example",
        "رأي اليوم": "raialyoum.example",
        "عربي بوست": "arabipost.example",
        "صوت الأمة": "sawt-alumma.example",
        "الحدث الآن": "alhadath-now.example",
        "شبكة الخليج الإخبارية": "gulf-news-net.example",
    },
    "en": {
        "Capital Ledger": "capitalledger.example",
        "Daily Wire Service": "dailywire-service.example",
        "Global Dispatch": "globaldispatch.example",
        "The Meridian Post": "meridianpost.example",
        "Pacific Courier": "pacificcourier.example",
        "Britannia News": "britannianews.example",
        "Continental Review": "continentalreview.example",
        "Orbit Daily": "orbitdaily.example",
        "South Asia Wire": "southasiawire.example",
        "Asia Pacific Report": "apreport.example",
        "Energy Monitor": "energymonitor.example",
        "East Africa Standard Wire": "eastafricawire.example",
        "Americas Today": "americastoday.example",
        "Planet Desk": "planetdesk.example",
        "Health Bulletin Wire": "healthbulletin.example",
        "Tech Policy Now": "techpolicynow.example",
        "Sports Central": "sportscentral.example",
        "West Africa Mail": "westafricamail.example",
        "Maritime Times": "maritimetimes.example",
        "Morning Herald Online": "morningherald.example",
        "The Newsroom Network": "newsroomnetwork.example",
        "Metro Gazette": "metrogazette.example",
        "World Brief": "worldbrief.example",
    },
}

SHARE = {
    "ar": ["شارك هذا الخبر: فيسبوك | تويتر | واتساب | تلغرام", "تابعونا على قناتنا في تلغرام وصفحتنا على فيسبوك ليصلكم كل جديد",
           "للاشتراك في النشرة الإخبارية اليومية أرسل كلمة اشتراك إلى الرقم المخصص"],
    "en": ["Share this article: Facebook | X | LinkedIn | WhatsApp | Email", "Sign up for our daily newsletter to get the top stories in your inbox every morning.",
           "Follow us on X and Facebook for the latest updates."],
}
READ_MORE = {"ar": "اقرأ أيضاً:", "en": "Read more:"}
MORE_LINK = {"ar": "اقرأ المزيد على موقعنا…", "en": "Continue reading on our website…"}
SOURCE_LINE = {
    "ar": ["المصدر: {src}", "المصدر: وكالات", "المصدر: {src} + وكالات"],
    "en": ["Source: {src}", "(Reporting by staff; editing by the {src} desk)", "This article was first published by {src}."],
}
TITLE_PREFIX = {"ar": ["عاجل | ", "بالفيديو.. ", "محدث: "], "en": ["UPDATE: ", "Live: ", "Explainer: "]}

SYNONYMS = {
    "ar": {"قال": "أكد", "وقال": "وأكد", "أكد": "قال", "وأضاف": "وتابع", "أضاف": "تابع", "أوضح": "بين", "وأوضح": "وبين",
           "الثلاثاء": "الثلاثاء الماضي", "إن": "أن", "مشيراً": "لافتاً", "مؤكداً": "مشدداً", "أعلن": "أفاد",
           "الماضي": "المنصرم", "كبير": "واسع", "عدد": "جملة", "نحو": "قرابة", "أكثر": "أزيد"},
    "en": {"said": "says", "told": "said to", "about": "around", "more than": "over", "percent": "%", "on Tuesday": "Tuesday",
           "on Wednesday": "Wednesday", "on Thursday": "Thursday", "However": "But", "including": "among them",
           "large": "big", "expected": "forecast", "warned": "cautioned", "added": "continued"},
}
HARAKAT = ["\u064e", "\u064f", "\u0650", "\u0651", "\u0652"]
NON_JOINING = set("اأإآدذرزوؤةىء")
INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


# ---------------------------------------------------------------- parsing

def parse_originals() -> list[dict]:
    stories = []
    for path in sorted(HERE.glob("originals_*.txt")):
        for block in re.split(r"^@@ ", path.read_text(encoding="utf-8"), flags=re.M)[1:]:
            head, _, body = block.partition("\n--\n")
            lines = head.strip().split("\n")
            story = {"story": lines[0].strip()}
            for line in lines[1:]:
                key, _, value = line.partition(":")
                story[key.strip()] = value.strip()
            story["paragraphs"] = [p.strip() for p in body.strip().split("\n\n") if p.strip()]
            stories.append(story)
    return stories


def parse_shorts() -> list[dict]:
    groups = []
    text = (HERE / "shorts.txt").read_text(encoding="utf-8")
    for block in re.split(r"^@@ ", text, flags=re.M)[1:]:
        lines = [l for l in block.strip().split("\n") if l.strip()]
        group = {"group": lines[0].strip(), "lines": []}
        for line in lines[1:]:
            if line.startswith("- "):
                group["lines"].append(line[2:].strip())
            elif ":" in line:
                key, _, value = line.partition(":")
                group[key.strip()] = value.strip()
        groups.append(group)
    return groups


# ---------------------------------------------------------------- transformations

def respell_ar(text: str, rng: random.Random, rate: float) -> str:
    """Spellings the normalizer unifies, applied to a share ``rate`` of the words."""
    def word(m: re.Match) -> str:
        w = m.group(0)
        if rng.random() > rate:
            return w
        choice = rng.randrange(8)
        if choice == 0 and w[0] in "أإآ":
            return "ا" + w[1:]                                  # hamza dropped, as many outlets write
        if choice == 1 and w[0] == "ا" and len(w) > 3:
            return rng.choice("أإ") + w[1:]                     # hamza added
        if choice == 2 and w.endswith("ى"):
            return w[:-1] + "ي"
        if choice == 2 and w.endswith("ي") and len(w) > 2:
            return w[:-1] + "ى"                                 # Egyptian final yeh
        if choice == 3 and w.endswith("ة"):
            return w[:-1] + "ه"
        if choice == 4 and ("ي" in w or "ك" in w):
            return w.replace("ي", "ی").replace("ك", "ک")        # Persian letters from a Persian keyboard
        if choice == 5 and len(w) > 2:
            i = rng.randrange(1, len(w))
            return w[:i] + rng.choice(HARAKAT) + w[i:]          # a vowel mark
        if choice == 6 and len(w) > 3:
            spots = [i for i in range(1, len(w) - 1) if w[i - 1] not in NON_JOINING and "\u0621" <= w[i] <= "\u064a"]
            if spots:
                i = rng.choice(spots)
                return w[:i] + "ـ" * rng.randint(1, 2) + w[i:]  # tatweel
        if choice == 7 and w[0] in "أإآ":
            return "ا" + w[1:]
        return w

    text = re.sub(r"[\u0621-\u064a\u0640\u064b-\u0652]+", word, text)
    return text


def respell_digits_quotes(text: str, rng: random.Random, lang: str) -> str:
    if lang == "ar" and rng.random() < 0.6:
        text = text.translate(INDIC)
    style = rng.randrange(3)
    if style == 0:
        text = re.sub(r'"([^"\n]*)"', "“\\1”", text)
    elif style == 1 and lang == "ar":
        text = re.sub(r'"([^"\n]*)"', "«\\1»", text)
    if lang == "en" and rng.random() < 0.7:
        text = re.sub(r"(\w)'(\w)", "\\1’\\2", text)
    return text


def respell(paragraphs: list[str], rng: random.Random, lang: str) -> list[str]:
    out = []
    for p in paragraphs:
        if lang == "ar":
            p = respell_ar(p, rng, rate=0.25)
        out.append(p)
    return [respell_digits_quotes(p, rng, lang) for p in out] if rng.random() < 0.9 else out


def split_first_sentence(paragraph: str, lang: str) -> tuple[str, str]:
    if lang == "en":
        m = re.search(r'(?<=[a-z0-9%)"”][.!?])["”]?\s+(?=[A-Z"“])', paragraph)
    else:
        m = re.search(r"(?<=[.!?؟])\s+", paragraph)
    if not m:
        return paragraph, ""
    return paragraph[: m.start()], paragraph[m.end():]


def rewrite_lead(paragraphs: list[str], lead2: str, lang: str) -> list[str]:
    _, rest = split_first_sentence(paragraphs[0], lang)
    return [f"{lead2} {rest}".strip(), *paragraphs[1:]]


def word_edits(paragraphs: list[str], rng: random.Random, lang: str) -> list[str]:
    table = SYNONYMS[lang]
    out = []
    for p in paragraphs:
        for src, dst in table.items():
            if src in p and rng.random() < 0.35:
                p = re.sub(rf"(?<!\w){re.escape(src)}(?!\w)", dst, p, count=1)
        words = p.split(" ")
        words = [w for w in words if not (rng.random() < 0.012 and len(words) > 20)]  # a dropped word here and there
        out.append(" ".join(words))
    return out


def words(paragraphs: list[str]) -> int:
    return sum(len(p.split()) for p in paragraphs)


def truncate(paragraphs: list[str], total: int) -> list[str] | None:
    """The first paragraphs, as few as make at least 60% of the original's ``total`` words (an excerpt that
    links to the rest)."""
    for n in range(2, len(paragraphs)):
        head = paragraphs[:n]
        if words(head) >= 0.6 * total:
            return head
    return None


# ---------------------------------------------------------------- the set

PROFILES = {
    # name: the edits applied (in this order)
    "wire": ["respell", "title-prefix", "source-line", "share"],
    "rewrite": ["lead2", "title2", "word-edits"],
    "extended": ["extra", "read-more", "respell", "title2"],
    "excerpt": ["truncate", "more-link", "title-prefix"],
    "trimmed": ["drop-paragraph", "word-edits", "source-line", "respell"],
    "heavy": ["lead2", "drop-paragraph", "extra", "word-edits", "respell", "title2", "share"],
    "excerpt-rewrite": ["lead2", "truncate", "respell", "more-link"],
}


def derive(story: dict, profile: str, source: str, rng: random.Random, titles: dict[str, list[str]]) -> tuple[str, list[str], list[str]]:
    lang = story["lang"]
    title = story["title"]
    paragraphs = list(story["paragraphs"])
    applied = []
    for edit in PROFILES[profile]:
        if edit == "respell":
            paragraphs = respell(paragraphs, rng, lang)
            title = respell(title and [title], rng, lang)[0]
        elif edit == "title-prefix":
            prefix = rng.choice(TITLE_PREFIX[lang])
            title = title if title.startswith(prefix.strip(" |.:")) else prefix + title
        elif edit == "title2":
            title = story["title2"]
        elif edit == "lead2":
            paragraphs = rewrite_lead(paragraphs, story["lead2"], lang)
        elif edit == "word-edits":
            paragraphs = word_edits(paragraphs, rng, lang)
        elif edit == "extra":
            at = rng.randint(2, len(paragraphs))
            paragraphs.insert(at, story["extra"])
        elif edit == "drop-paragraph":
            if len(paragraphs) > 4:
                del paragraphs[rng.randint(1, len(paragraphs) - 1)]
            else:
                continue
        elif edit == "truncate":
            head = truncate(paragraphs, words(story["paragraphs"]))
            if head is None:
                continue
            paragraphs = head
        elif edit == "more-link":
            paragraphs.append(MORE_LINK[lang])
        elif edit == "source-line":
            paragraphs.append(rng.choice(SOURCE_LINE[lang]).format(src=story["source"]))
        elif edit == "share":
            paragraphs.append(rng.choice(SHARE[lang]))
        elif edit == "read-more":
            others = rng.sample([t for t in titles[lang] if t != story["title"]], 3)
            paragraphs.append(READ_MORE[lang] + "\n" + "\n".join(f"- {t}" for t in others))
        applied.append(edit)
    return title, paragraphs, applied


def url_for(source: str, lang: str, slug: str, n: int) -> str:
    domain = OUTLETS[lang][source]
    section = "news" if lang == "en" else rng_free_section(slug)
    return f"https://{domain}/{section}/2024/{slug}-{n}"


def rng_free_section(slug: str) -> str:
    return ["akhbar", "arab-world", "economy", "politics"][sum(map(ord, slug)) % 4]


def build(seed: int) -> list[dict]:
    rng = random.Random(seed)
    stories = parse_originals()
    titles = {"ar": [s["title"] for s in stories if s["lang"] == "ar"], "en": [s["title"] for s in stories if s["lang"] == "en"]}
    articles = []
    serial = 1000
    for story in stories:
        lang = story["lang"]
        serial += 1
        articles.append({
            "id": f"{story['story']}/0", "story": story["story"], "lang": lang, "source": story["source"],
            "url": url_for(story["source"], lang, story["slug"], serial), "title": story["title"],
            "body": "\n\n".join(story["paragraphs"]), "kind": "original", "edits": [],
        })
        outlets = [o for o in OUTLETS[lang] if o != story["source"]]
        n_copies = rng.choice([2, 3, 3, 4, 4, 5])
        profiles = rng.sample(list(PROFILES), n_copies)
        for i, (profile, source) in enumerate(zip(profiles, rng.sample(outlets, n_copies)), start=1):
            serial += 1
            title, paragraphs, applied = derive(story, profile, source, rng, titles)
            articles.append({
                "id": f"{story['story']}/{i}", "story": story["story"], "lang": lang, "source": source,
                "url": url_for(source, lang, story["slug"], serial), "title": title,
                "body": "\n\n".join(paragraphs), "kind": "copy", "edits": [profile, *applied],
            })
    for group in parse_shorts():
        lang = group["lang"]
        outlets = list(OUTLETS[lang])
        for i, line in enumerate(group["lines"]):
            story = f"{group['group']}-{i}"
            sources = rng.sample(outlets, 3)
            serial += 1
            articles.append({
                "id": f"{story}/0", "story": story, "lang": lang, "source": sources[0],
                "url": url_for(sources[0], lang, group["group"], serial), "title": group["title"],
                "body": line, "kind": "short", "edits": [],
            })
            for c in range(1, rng.choice([1, 1, 2, 3])):   # exact copies: only unified spellings change
                serial += 1
                body = respell([line], rng, lang)[0]
                articles.append({
                    "id": f"{story}/{c}", "story": story, "lang": lang, "source": sources[c],
                    "url": url_for(sources[c], lang, group["group"], serial), "title": rng.choice(["", *TITLE_PREFIX[lang]]) + group["title"].removeprefix("عاجل | "),
                    "body": body, "kind": "short-copy", "edits": ["respell"],
                })
    rng.shuffle(articles)  # arrival order: a copy may come before its original
    return articles


def check(articles: list[dict]) -> list[str]:
    """The set's own rules; returns the problems found."""
    problems = []
    sys.path.insert(0, str(HERE.parents[1]))
    from pipelines.textkey import dedup_key  # the labels of short copies rely on the normalizer's promise

    def key(text: str) -> str:
        return " ".join(re.findall(r"\w+", dedup_key(text)))

    seen_urls = set()
    original_words = {a["story"]: len(a["body"].split()) for a in articles if a["kind"] == "original"}
    short_keys: dict[str, str] = {}
    for a in articles:
        n = len(a["body"].split())
        if a["url"] in seen_urls:
            problems.append(f"{a['id']}: duplicate URL")
        seen_urls.add(a["url"])
        if a["kind"] == "original" and not 150 <= n <= 400:
            problems.append(f"{a['id']}: {n} words, outside 150-400")
        if a["kind"] == "copy" and not 0.6 * original_words[a["story"]] <= n <= 400:
            problems.append(f"{a['id']}: {n} words, under 60% of the original's or over 400")
        if a["kind"].startswith("short"):
            if n >= 40:
                problems.append(f"{a['id']}: short item with {n} words")
            k = key(a["body"])
            if short_keys.setdefault(k, a["story"]) != a["story"]:
                problems.append(f"{a['id']}: same normalized body as another short story {short_keys[k]}")
    by_story: dict[str, set[str]] = {}
    for a in articles:
        if a["kind"].startswith("short"):
            by_story.setdefault(a["story"], set()).add(key(a["body"]))
    problems += [f"{s}: copies differ after normalization" for s, keys in by_story.items() if len(keys) > 1]
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=20240915)
    parser.add_argument("--check", action="store_true", help="only report problems, write nothing")
    args = parser.parse_args()
    articles = build(args.seed)
    problems = check(articles)
    for p in problems:
        print("problem:", p, file=sys.stderr)
    if not args.check:
        with open(OUT, "w", encoding="utf-8") as f:
            for a in articles:
                f.write(json.dumps(a, ensure_ascii=False) + "\n")
    kinds: dict[str, int] = {}
    for a in articles:
        kinds[f"{a['lang']} {a['kind']}"] = kinds.get(f"{a['lang']} {a['kind']}", 0) + 1
    print(f"{len(articles)} articles, {len({a['story'] for a in articles})} stories:",
          ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
