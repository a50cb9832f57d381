"""A generated news site for bench/throughput.py: outlets on ports of 127.0.0.1, pre-rendered and gzipped on disk.

Text: bench/search_data/corpus.py's synthetic articles (Arabic and English words at news-like frequencies, real
phrases, ~30% of articles in stories copied with changes across outlets, 5% undated), one outlet per corpus source
(12: six Arabic, six English, of unequal volume). Each outlet listens on its own port (``port_base + i``), since
names other than ``localhost`` do not resolve here and nothing but 127.0.0.1 may be contacted.

Each outlet has:
- ``/`` a home page linking its 40 newest articles, with ``<link rel=alternate>`` to its feed;
- ``/robots.txt`` naming its sitemaps;
- ``/feed.xml``: RSS 2.0 (or Atom 1.0 for every third outlet) with the 100 newest articles;
- ``/sitemap_index.xml`` → one ``/sitemap-YYYY-MM.xml`` urlset per month (with ``lastmod``), and
  ``/news-sitemap.xml`` (Google News extension) with the articles of the last two days;
- article pages at ``/SECTION/YYYY/MM/DD/ID-slug`` (Arabic slugs percent-encoded), in one of three layouts
  modelled on the kinds of page in ../shared/extraction-dev (a WordPress-style theme, a React/Next.js app with its
  page state in ``__NEXT_DATA__``, a classic portal with microdata), each with what real pages carry around the
  text: inline CSS and script bundles, consent banner, ~40-link navigation, breaking-news ticker, breadcrumbs,
  share buttons, figure, "read also" boxes inside the text, tags, author box, related articles, most read,
  comments, newsletter form, a ~50-link footer; JSON-LD NewsArticle (headline, dates, authors, publisher),
  OpenGraph and ``article:*`` meta, ``<time datetime>``, rel=canonical. Arabic pages are ``lang=ar dir=rtl`` with
  Arabic interface text and Levantine month names.

Deterministic: the same --pages, --seed and port base give the same bytes. Written to ``DIR/OUTLET/...`` as
``.gz`` files with ``DIR/manifest.json`` listing outlets, routes and articles.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import sys
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from html import escape
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[2]

FEED_ITEMS = 100
HOME_ITEMS = 40
NEWS_SITEMAP_DAYS = 2
LAYOUTS = ("press", "app", "portal")

# Outlet presentation: display title, time zone. Names and volume shares come from corpus.SOURCES.
TITLES = {
    "almanar": ("Al-Manar (bench)", "Asia/Beirut", "المنار"),
    "aljazeera": ("Al Jazeera Arabic (bench)", "Asia/Qatar", "الجزيرة"),
    "alarabiya": ("Al Arabiya (bench)", "Asia/Dubai", "العربية"),
    "bbc_arabic": ("BBC Arabic (bench)", "Europe/London", "بي بي سي عربي"),
    "alakhbar": ("Al-Akhbar (bench)", "Asia/Beirut", "الأخبار"),
    "enab_baladi": ("Enab Baladi (bench)", "Asia/Damascus", "عنب بلدي"),
    "reuters": ("Reuters (bench)", "UTC", "Reuters"),
    "bbc": ("BBC News (bench)", "Europe/London", "BBC News"),
    "guardian": ("The Guardian (bench)", "Europe/London", "The Guardian"),
    "apnews": ("AP News (bench)", "America/New_York", "AP News"),
    "aljazeera_en": ("Al Jazeera English (bench)", "Asia/Qatar", "Al Jazeera"),
    "middle_east_eye": ("Middle East Eye (bench)", "Europe/London", "Middle East Eye"),
}

AUTHORS = {
    "en": ["Sarah Johnson", "Michael Brennan", "Aisha Rahman", "David Miller", "Laura Chen", "James O'Connor",
           "Priya Natarajan", "Tom Whitaker", "Elena Petrova", "Omar Haddad", "Rachel Green", "Samuel Okafor",
           "Hannah Becker", "Lucas Moreau", "Nadia Karim", "Peter Lindqvist"],
    "ar": ["محمد العلي", "فاطمة حسن", "علي الموسوي", "سارة خليل", "حسين يوسف", "ريم عبد الله", "خالد منصور",
           "ليلى إبراهيم", "أحمد الزين", "نور الهدى سليمان", "يوسف حداد", "مريم قاسم", "عمر الشامي",
           "زينب فضل الله", "طارق نصر", "هبة مراد"],
}
AGENCY = {"en": "Agencies", "ar": "وكالات"}
COMMENTERS = ["abu_ali", "Samir K.", "reader2024", "نور", "Hassan", "م. خليل", "JaneD", "observer", "ابو محمد",
              "Karim", "Lina", "سلمى", "peacenow", "Tariq", "zaid_77", "أم أحمد"]
SECTIONS = {
    "en": {"world": "World", "politics": "Politics", "economy": "Business", "region": "Middle East",
           "sport": "Sport", "culture": "Culture"},
    "ar": {"world": "العالم", "politics": "سياسة", "economy": "اقتصاد", "region": "عربي", "sport": "رياضة",
           "culture": "ثقافة"},
}
NAV_EXTRA = {
    "en": ["Home", "Live", "Video", "Opinion", "Analysis", "Features", "In Pictures", "Podcasts", "Newsletters",
           "Science", "Health", "Climate", "Technology", "Travel", "Investigations", "Weather", "Africa", "Asia",
           "Europe", "Americas", "Gaza", "Lebanon", "Syria", "Iran", "Iraq", "Yemen", "Markets", "Energy",
           "Football", "Tennis", "Books", "Film", "Music", "Obituaries"],
    "ar": ["الرئيسية", "مباشر", "فيديو", "رأي", "تحليلات", "تقارير", "صور", "بودكاست", "النشرة البريدية", "علوم",
           "صحة", "مناخ", "تكنولوجيا", "سفر", "تحقيقات", "الطقس", "أفريقيا", "آسيا", "أوروبا", "الأمريكتان", "غزة",
           "لبنان", "سوريا", "إيران", "العراق", "اليمن", "أسواق", "طاقة", "كرة القدم", "تنس", "كتب", "سينما",
           "موسيقى", "وفيات"],
}
UI = {
    "en": {"read_also": "Read also", "related": "Related stories", "most_read": "Most read", "comments": "Comments",
           "reply": "Reply", "newsletter": "Get our morning briefing", "subscribe": "Subscribe", "share": "Share",
           "by": "By", "published": "Published", "updated": "Updated", "tags": "Topics", "cookie":
           "We use cookies to improve your experience and to show you relevant advertising. Manage your choices.",
           "accept": "Accept all", "breaking": "Breaking", "follow": "Follow us", "rights": "All rights reserved",
           "search": "Search", "menu": "Menu", "about": "About the author", "caption": "File photo"},
    "ar": {"read_also": "اقرأ أيضا", "related": "أخبار ذات صلة", "most_read": "الأكثر قراءة", "comments": "التعليقات",
           "reply": "رد", "newsletter": "اشترك في النشرة الصباحية", "subscribe": "اشتراك", "share": "شارك",
           "by": "بقلم", "published": "نشر في", "updated": "آخر تحديث", "tags": "مواضيع", "cookie":
           "نستخدم ملفات تعريف الارتباط لتحسين تجربتك وعرض إعلانات مناسبة. إدارة الخيارات.",
           "accept": "قبول الكل", "breaking": "عاجل", "follow": "تابعونا", "rights": "جميع الحقوق محفوظة",
           "search": "بحث", "menu": "القائمة", "about": "عن الكاتب", "caption": "صورة أرشيفية"},
}
MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"],
    "ar": ["كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول", "تشرين الأول",
           "تشرين الثاني", "كانون الأول"],
}


@dataclass
class Outlet:
    name: str
    title: str
    language: str
    timezone: str
    port: int
    layout: str
    feed_kind: str  # rss or atom

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Page:
    id: int
    outlet: str
    language: str
    url: str
    path: str          # as written in links: percent-encoded
    title: str
    description: str | None
    body: str          # paragraphs separated by blank lines
    section: str
    published: datetime | None
    modified: datetime | None
    authors: list[str]
    story: int


# ------------------------------------------------------------------ generation

def generate(out: Path, pages: int, seed: int, port_base: int, log=print) -> dict:
    """Write the site to ``out`` (unless a complete one for these parameters is there) and return its manifest."""
    manifest_path = out / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if (manifest["pages"], manifest["seed"], manifest["port_base"]) == (pages, seed, port_base):
            return manifest
    sys.path.insert(0, str(ROOT / "bench"))
    from search_data.corpus import SOURCES, Articles, build_vocabulary

    log(f"   building the vocabulary (bench/search_data/corpus.py, ~20 s) …")
    vocabulary = build_vocabulary(seed)
    batch = Articles(vocabulary, pages, seed).batch(1, pages)
    outlets = {}
    for i, (name, language, _share) in enumerate(SOURCES):
        title, zone, _ = TITLES[name]
        outlets[name] = Outlet(name, title, language, zone, port_base + i, LAYOUTS[i % 3],
                               "atom" if i % 3 == 1 else "rss")
    rng = random.Random(seed)
    items: list[Page] = []
    for k in range(pages):
        outlet = outlets[batch.source[k]]
        aid = batch.first_id + k
        lang = outlet.language
        slug_words = batch.url[k].rsplit("/", 1)[1].split("-", 1)[1] if "-" in batch.url[k].rsplit("/", 1)[1] else ""
        day = batch.published_at[k] or batch.fetched_at[k]
        path = f"/{batch.section[k]}/{day:%Y/%m/%d}/{aid}-{quote(slug_words.lower(), safe='-')}"
        r = rng.random()
        pool = AUTHORS[lang]
        authors = ([AGENCY[lang]] if r < 0.1 else [pool[rng.randrange(len(pool))]] if r < 0.85
                   else rng.sample(pool, 2))
        published = batch.published_at[k]
        modified = (published + timedelta(minutes=rng.randint(20, 300))
                    if published is not None and rng.random() < 0.3 else None)
        items.append(Page(aid, outlet.name, lang, outlet.origin + path, path, batch.title[k], batch.description[k],
                          batch.body[k], batch.section[k], published, modified, authors, batch.story_id[k]))
    by_outlet: dict[str, list[Page]] = {name: [] for name in outlets}
    for page in items:
        by_outlet[page.outlet].append(page)

    out.mkdir(parents=True, exist_ok=True)
    routes: dict[str, dict[str, list[str]]] = {}
    articles = []
    for name, outlet in outlets.items():
        own = by_outlet[name]
        newest = sorted(own, key=lambda p: (p.published or datetime.min.replace(tzinfo=timezone.utc), p.id),
                        reverse=True)
        renderer = Renderer(outlet, own, newest, items, seed)
        table: dict[str, list[str]] = {}
        folder = out / name
        (folder / "a").mkdir(parents=True, exist_ok=True)

        def put(path: str, content_type: str, text: str, file: str) -> None:
            (folder / file).write_bytes(gzip.compress(text.encode("utf-8"), 6, mtime=0))
            table[path] = [f"{name}/{file}", content_type]

        put("/", "text/html; charset=utf-8", renderer.home(), "home.html.gz")
        put("/robots.txt", "text/plain; charset=utf-8", renderer.robots(), "robots.txt.gz")
        put("/feed.xml", "application/rss+xml; charset=utf-8" if outlet.feed_kind == "rss"
            else "application/atom+xml; charset=utf-8", renderer.feed(), "feed.xml.gz")
        index, months = renderer.sitemaps()
        put("/sitemap_index.xml", "application/xml; charset=utf-8", index, "sitemap_index.xml.gz")
        for month, text in months.items():
            put(f"/sitemap-{month}.xml", "application/xml; charset=utf-8", text, f"sitemap-{month}.xml.gz")
        put("/news-sitemap.xml", "application/xml; charset=utf-8", renderer.news_sitemap(), "news-sitemap.xml.gz")
        for page in own:
            put(page.path, "text/html; charset=utf-8", renderer.article(page), f"a/{page.id}.html.gz")
            articles.append({"id": page.id, "outlet": name, "url": page.url, "file": f"{name}/a/{page.id}.html.gz",
                             "language": page.language})
        routes[name] = table
        log(f"   {name:16} {len(own):5d} articles on {outlet.origin} ({outlet.layout}, {outlet.feed_kind})")
    manifest = {"pages": pages, "seed": seed, "port_base": port_base,
                "outlets": [asdict(o) for o in outlets.values()], "routes": routes,
                "articles": sorted(articles, key=lambda a: a["id"])}
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False))
    return manifest


def sources_yaml(manifest: dict) -> str:
    """newsmon's sources.yaml for the generated outlets: each one's feed and sitemaps."""
    import yaml

    sources = []
    for o in manifest["outlets"]:
        origin = f"http://127.0.0.1:{o['port']}"
        sources.append({"name": o["name"], "title": o["title"], "url": origin + "/", "language": o["language"],
                        "timezone": o["timezone"], "every": "30m", "feeds": [origin + "/feed.xml"],
                        "sitemaps": [origin + "/sitemap_index.xml", origin + "/news-sitemap.xml"]})
    return yaml.safe_dump({"defaults": {"every": "30m", "timezone": "UTC"}, "sources": sources},
                          allow_unicode=True, sort_keys=False)


# ------------------------------------------------------------------ rendering

def _pseudo_js(rng: random.Random, size: int) -> str:
    """Minified-looking script of about ``size`` characters (what bundles inline on real pages look like)."""
    words = ["push", "data", "config", "slot", "render", "track", "event", "consent", "video", "player", "ads",
             "lazy", "observer", "fetch", "module", "chunk", "init", "user", "session", "metric"]
    parts, n = [], 0
    while n < size:
        a, b, c = rng.choice(words), rng.choice(words), rng.choice(words)
        k = rng.randrange(1000)
        part = (f'function {a}_{k}(e,t){{var n=e.{b}||{{}};if(!n.{c})return t&&t({k});for(var r=0;r<n.{c}.length;'
                f'r++){{n.{c}[r].{a}=n.{c}[r].{b}+{k}}}return window.__{b}__=n,"{a}-{b}-{c}"}}')
        parts.append(part)
        n += len(part)
    return "".join(parts)


def _css(rng: random.Random, size: int, prefix: str) -> str:
    props = ["margin:0 auto", "padding:12px 16px", "display:flex", "font-size:1.125rem", "line-height:1.6",
             "color:#1a1a1a", "background:#fff", "border-bottom:1px solid #e5e5e5", "max-width:1200px",
             "font-weight:700", "text-decoration:none", "grid-template-columns:repeat(3,1fr)", "gap:24px"]
    parts, n = [], 0
    while n < size:
        rule = f".{prefix}-{rng.randrange(10000):x}{{{';'.join(rng.sample(props, 3))}}}"
        parts.append(rule)
        n += len(rule)
    return "".join(parts)


def _h(text: str) -> str:
    return escape(text, quote=True)


class Renderer:
    def __init__(self, outlet: Outlet, own: list[Page], newest: list[Page], everything: list[Page], seed: int):
        self.o = outlet
        self.own = own
        self.newest = newest
        self.lang = outlet.language
        self.ui = UI[self.lang]
        self.zone = ZoneInfo(outlet.timezone)
        self.everything = everything
        self.same_language = [p for p in everything if p.language == self.lang]
        r = random.Random(f"{seed}-{outlet.name}")
        self.style = _css(r, 7000, outlet.name[:3])
        self.bundle = _pseudo_js(r, 90000)
        self.analytics = _pseudo_js(r, 3000)
        self.position = {p.id: i for i, p in enumerate(own)}
        self.native = TITLES[outlet.name][2]

    # -- small parts ---------------------------------------------------------------------------------
    def _local(self, when: datetime) -> datetime:
        return when.astimezone(self.zone)

    def _visible_date(self, when: datetime) -> str:
        t = self._local(when)
        month = MONTHS[self.lang][t.month - 1]
        if self.lang == "ar":
            return f"{t.day} {month} {t.year} - {t:%H:%M}"
        return f"{t.day} {month} {t.year}, {t:%H:%M} {t.tzname()}"

    def _link(self, path: str) -> str:
        return self.o.origin + path

    def _nav(self, rng: random.Random) -> str:
        extra_labels = NAV_EXTRA[self.lang]
        sections = "".join(
            f'<li class="menu-item menu-item-has-children"><a href="{self._link("/" + key + "/")}"><span>{_h(label)}'
            '</span><svg class="icon"><use href="#icon-chevron"></use></svg></a><div class="mega"><ul class="sub-menu">'
            + "".join(f'<li class="menu-item"><a href="{self._link("/" + key + "/" + str(j) + "/")}"><span>'
                      f'{_h(extra_labels[(j * 5 + len(key)) % len(extra_labels)])}</span></a></li>' for j in range(10))
            + '</ul><div class="mega-promo"><a href="' + self._link("/" + key + "/") + '"><img src="/static/promo.jpg" '
            'alt=""><span class="promo-title">' + _h(label) + "</span></a></div></div></li>"
            for key, label in SECTIONS[self.lang].items())
        extra = "".join(f'<li class="menu-item menu-item-sub"><a href="{self._link("/topic/" + str(i) + "/")}">'
                        f"{_h(label)}</a></li>" for i, label in enumerate(NAV_EXTRA[self.lang]))
        return f'<ul class="menu">{sections}{extra}</ul>'

    def _ticker(self, page: Page) -> str:
        at = self.position[page.id]
        picks = [self.own[(at + k) % len(self.own)] for k in (7, 13, 21, 29, 37)]
        return (f'<div class="ticker"><span class="ticker-label">{_h(self.ui["breaking"])}</span><ul>'
                + "".join(f'<li><a href="{_h(p.url)}">{_h(p.title)}</a></li>' for p in picks) + "</ul></div>")

    def _related(self, page: Page) -> list[Page]:
        at = self.position[page.id]
        return [self.own[(at - k) % len(self.own)] for k in range(1, 7) if len(self.own) > k]

    def _most_read(self, page: Page) -> list[Page]:
        at = self.position[page.id]
        return [self.own[(at * 7 + k * 11) % len(self.own)] for k in range(10)]

    def _comments(self, rng: random.Random, page: Page) -> list[tuple[str, datetime, str]]:
        count = rng.choice([0, 0, 1, 2, 3, 4, 6, 8, 12])
        base = page.published or datetime(2025, 1, 1, tzinfo=timezone.utc)
        out = []
        for _ in range(count):
            other = self.same_language[rng.randrange(len(self.same_language))].body.split()
            start = rng.randrange(max(1, len(other) - 60))
            text = " ".join(other[start:start + rng.randint(12, 60)])
            out.append((rng.choice(COMMENTERS), base + timedelta(minutes=rng.randint(5, 3000)), text))
        return out

    def _paragraphs(self, page: Page, rng: random.Random, p_tag: str = "p") -> str:
        paragraphs = [p.strip() for p in page.body.split("\n\n") if p.strip()]
        related = self._related(page)
        out = []
        for i, para in enumerate(paragraphs):
            out.append(f"<{p_tag}>{_h(para)}</{p_tag}>" if p_tag == "p" else p_tag.format(_h(para)))
            if i % 4 == 2 and related:
                r = related[(i // 4) % len(related)]
                out.append(f'<div class="read-also"><strong>{_h(self.ui["read_also"])}:</strong> '
                           f'<a href="{_h(r.url)}">{_h(r.title)}</a></div>')
            if i == 1:
                out.append('<div class="ad-slot" data-slot="inarticle-1" data-sizes="[[300,250],[336,280]]"></div>')
        return "\n".join(out)

    def _jsonld(self, page: Page) -> str:
        data = {
            "@context": "https://schema.org", "@type": "NewsArticle",
            "mainEntityOfPage": {"@type": "WebPage", "@id": page.url},
            "headline": page.title, "description": page.description or "",
            "image": [f"{self.o.origin}/images/{page.id}-1200x675.jpg"],
            "author": [{"@type": "Person" if a != AGENCY[self.lang] else "Organization", "name": a,
                        "url": f"{self.o.origin}/author/{quote(a.replace(' ', '-'))}/"} for a in page.authors],
            "publisher": {"@type": "Organization", "name": self.native,
                          "logo": {"@type": "ImageObject", "url": f"{self.o.origin}/static/logo.png"}},
            "articleSection": SECTIONS[self.lang][page.section], "inLanguage": self.lang,
        }
        if page.published:
            data["datePublished"] = self._local(page.published).isoformat()
            data["dateModified"] = self._local(page.modified or page.published).isoformat()
        crumbs = {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": [
            {"@type": "ListItem", "position": 1, "name": self.native, "item": self.o.origin + "/"},
            {"@type": "ListItem", "position": 2, "name": SECTIONS[self.lang][page.section],
             "item": f"{self.o.origin}/{page.section}/"}]}
        return "".join(f'<script type="application/ld+json">{json.dumps(d, ensure_ascii=False)}</script>'
                       for d in (data, crumbs))

    def _head(self, page: Page) -> str:
        desc = page.description or ""
        meta = [
            '<meta charset="utf-8">', '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_h(page.title)} | {_h(self.native)}</title>",
            f'<meta name="description" content="{_h(desc)}">', f'<link rel="canonical" href="{_h(page.url)}">',
            '<meta property="og:type" content="article">', f'<meta property="og:title" content="{_h(page.title)}">',
            f'<meta property="og:description" content="{_h(desc)}">', f'<meta property="og:url" content="{_h(page.url)}">',
            f'<meta property="og:image" content="{self.o.origin}/images/{page.id}-1200x675.jpg">',
            f'<meta property="og:site_name" content="{_h(self.native)}">',
            f'<meta property="article:section" content="{_h(SECTIONS[self.lang][page.section])}">',
            '<meta name="twitter:card" content="summary_large_image">',
            f'<link rel="alternate" type="application/rss+xml" title="{_h(self.native)}" href="{self.o.origin}/feed.xml">',
            '<link rel="preconnect" href="/cdn/">',
            f'<link rel="stylesheet" href="/static/css/main.{self.o.name}.css">',
            f'<link rel="icon" href="/favicon.ico">',
        ]
        if page.published:
            meta.append(f'<meta property="article:published_time" content="{self._local(page.published).isoformat()}">')
            meta.append(f'<meta property="article:modified_time" '
                        f'content="{self._local(page.modified or page.published).isoformat()}">')
        meta += [f'<meta property="article:tag" content="{_h(w)}">' for w in page.title.split()[:3]]
        return ("\n".join(meta) + f"\n<style>{self.style}</style>\n" + self._jsonld(page)
                + f"\n<script>window.dataLayer=window.dataLayer||[];{self.analytics}</script>")

    def _byline_names(self, page: Page) -> str:
        sep = " و" if self.lang == "ar" else " and "
        return sep.join(f'<a rel="author" href="{self.o.origin}/author/{quote(a.replace(" ", "-"))}/">{_h(a)}</a>'
                        for a in page.authors)

    def _time(self, page: Page) -> str:
        if not page.published:
            return ""
        out = (f'<time class="published" datetime="{self._local(page.published).isoformat()}">'
               f'{_h(self.ui["published"])} {_h(self._visible_date(page.published))}</time>')
        if page.modified:
            out += (f' <time class="updated" datetime="{self._local(page.modified).isoformat()}">'
                    f'{_h(self.ui["updated"])} {_h(self._visible_date(page.modified))}</time>')
        return out

    def _share(self) -> str:
        nets = ["facebook", "twitter", "whatsapp", "telegram", "linkedin", "email"]
        return (f'<div class="share"><span>{_h(self.ui["share"])}</span><ul>'
                + "".join(f'<li><a class="share-{n}" href="#share-{n}" aria-label="{n}"><svg viewBox="0 0 24 24">'
                          f'<path d="M12 2C6.5 2 2 6.5 2 12s4.5 10 10 10 10-4.5 10-10S17.5 2 12 2z"/></svg></a></li>'
                          for n in nets) + "</ul></div>")

    def _footer(self) -> str:
        cols = []
        labels = NAV_EXTRA[self.lang] + list(SECTIONS[self.lang].values())
        for c in range(6):
            links = "".join(f'<li><a href="{self.o.origin}/page/{c}-{i}/">{_h(labels[(c * 11 + i) % len(labels)])}</a></li>'
                            for i in range(15))
            cols.append(f'<div class="footer-col"><ul>{links}</ul></div>')
        return (f'<footer class="site-footer">{"".join(cols)}<div class="social">{_h(self.ui["follow"])}: '
                '<a href="#fb">Facebook</a> <a href="#x">X</a> <a href="#yt">YouTube</a> <a href="#ig">Instagram</a>'
                f'</div><p class="copyright">© 2025 {_h(self.native)}. {_h(self.ui["rights"])}.</p></footer>')

    def _comments_html(self, rng: random.Random, page: Page) -> str:
        items = "".join(
            f'<li class="comment"><article><footer class="comment-meta"><b class="fn">{_h(who)}</b> '
            f'<time datetime="{when.isoformat()}">{_h(self._visible_date(when))}</time></footer>'
            f'<div class="comment-content"><p>{_h(text)}</p></div><a class="reply" href="#reply">{_h(self.ui["reply"])}'
            f"</a></article></li>" for who, when, text in self._comments(rng, page))
        return (f'<section id="comments" class="comments-area"><h2 class="comments-title">{_h(self.ui["comments"])}</h2>'
                f'<ol class="comment-list">{items}</ol><form class="comment-form" action="#"><textarea name="comment">'
                f'</textarea><input name="author"><button type="submit">{_h(self.ui["reply"])}</button></form></section>')

    def _cards(self, pages: list[Page], heading_tag: str = "h3") -> str:
        return "".join(
            f'<div class="card"><div class="card-media"><a href="{_h(p.url)}"><picture><source type="image/webp" '
            f'srcset="/images/{p.id}-320x180.webp"><img src="/images/{p.id}-320x180.jpg" alt="" loading="lazy"></picture>'
            f'</a></div><div class="card-body"><span class="card-kicker"><a href="/{p.section}/">'
            f'{_h(SECTIONS[self.lang][p.section])}</a></span><{heading_tag} class="card-title"><a href="{_h(p.url)}">'
            f'{_h(p.title)}</a></{heading_tag}><p class="card-teaser">{_h(" ".join(p.body.split()[:18]))}…</p>'
            f'<div class="card-meta"><span class="card-author">{_h(p.authors[0])}</span><svg class="icon"><use '
            'href="#icon-3"></use></svg></div></div></div>' for p in pages)

    def _more(self, page: Page) -> str:
        """A "more from the site" strip under the article: a dozen cards in a few rows, and a video rail."""
        at = self.position[page.id]
        picks = [self.own[(at * 3 + k * 5) % len(self.own)] for k in range(12)]
        videos = "".join(f'<li class="video"><a href="/video/{page.id}-{k}/"><span class="duration">0{k}:1{k}</span>'
                         f'<img src="/images/v{k}.jpg" alt=""><span class="play"><svg><use href="#icon-{k}"></use>'
                         f'</svg></span></a></li>' for k in range(8))
        return (f'<section class="more-news"><div class="row">{self._cards(picks[:6], "h3")}</div><div class="row">'
                f'{self._cards(picks[6:], "h3")}</div></section><section class="video-rail"><ul>{videos}</ul></section>')

    def _list(self, pages: list[Page]) -> str:
        return "<ol>" + "".join(f'<li><a href="{_h(p.url)}">{_h(p.title)}</a></li>' for p in pages) + "</ol>"

    def _newsletter(self) -> str:
        return (f'<div class="newsletter"><p>{_h(self.ui["newsletter"])}</p><form action="#"><input type="email" '
                f'name="email" placeholder="email@example.com"><button>{_h(self.ui["subscribe"])}</button></form></div>')

    def _sprite(self) -> str:
        """An inline SVG icon sprite, as most news sites put at the top of <body>."""
        return ('<svg xmlns="http://www.w3.org/2000/svg" style="display:none">' + "".join(
            f'<symbol id="icon-{i}" viewBox="0 0 24 24"><path d="M{i % 20} 2l{i % 7} 5-3 {i % 9}z"/><path d='
            f'"M4 {i % 13}h16v2H4z"/></symbol>' for i in range(60))
            + '<symbol id="icon-chevron" viewBox="0 0 24 24"><path d="M7 10l5 5 5-5z"/></symbol></svg>')

    def _cookie(self) -> str:
        return self._sprite() + (f'<div id="consent" class="cmp-banner" role="dialog"><p>{_h(self.ui["cookie"])}</p>'
                f'<button class="cmp-accept">{_h(self.ui["accept"])}</button><button class="cmp-manage">…</button></div>')

    def _html_open(self) -> str:
        rtl = ' dir="rtl"' if self.lang == "ar" else ""
        return f'<!DOCTYPE html>\n<html lang="{self.lang}"{rtl}>\n<head>\n'

    # -- article layouts -------------------------------------------------------------------------------
    def article(self, page: Page) -> str:
        rng = random.Random(page.id * 7919 + self.o.port)
        return getattr(self, f"_{self.o.layout}")(page, rng)

    def _press(self, page: Page, rng: random.Random) -> str:
        """A WordPress news theme: entry-* classes, widgets in a sidebar, threaded comments."""
        section = SECTIONS[self.lang][page.section]
        tags = "".join(f'<a href="{self.o.origin}/tag/{quote(w.lower())}/" rel="tag">{_h(w)}</a>'
                       for w in page.title.split()[1:5])
        wp = json.dumps({"ajaxurl": "/wp-admin/admin-ajax.php", "nonce": hashlib.md5(page.url.encode()).hexdigest(),
                         "postId": page.id, "i18n": self.ui}, ensure_ascii=False)
        return (
            self._html_open() + self._head(page) + "\n</head>\n"
            f'<body class="post-template-default single single-post postid-{page.id} single-format-standard">'
            + self._cookie() +
            f'<div id="page" class="site"><a class="skip-link screen-reader-text" href="#content">Skip</a>'
            f'<header id="masthead" class="site-header"><div class="site-branding"><a href="{self.o.origin}/" '
            f'rel="home"><img src="/static/logo.png" alt="{_h(self.native)}"></a></div>'
            f'<nav id="site-navigation" class="main-navigation"><button class="menu-toggle">{_h(self.ui["menu"])}</button>'
            + self._nav(rng) + f'</nav><form role="search" class="search-form"><input type="search" '
            f'placeholder="{_h(self.ui["search"])}"></form></header>' + self._ticker(page) +
            f'<div id="content" class="site-content"><div id="primary" class="content-area"><main id="main" class="site-main">'
            f'<nav class="breadcrumbs"><a href="{self.o.origin}/">{_h(self.native)}</a> › '
            f'<a href="{self.o.origin}/{page.section}/">{_h(section)}</a></nav>'
            f'<article id="post-{page.id}" class="post type-post status-publish format-standard has-post-thumbnail">'
            f'<header class="entry-header"><span class="cat-links"><a href="{self.o.origin}/{page.section}/">{_h(section)}'
            f'</a></span><h1 class="entry-title">{_h(page.title)}</h1><div class="entry-meta"><span class="byline">'
            f'{_h(self.ui["by"])} <span class="author vcard">{self._byline_names(page)}</span></span> '
            f'<span class="posted-on">{self._time(page)}</span></div></header>' + self._share() +
            f'<figure class="post-thumbnail"><img src="/images/{page.id}-1200x675.jpg" width="1200" height="675" alt="">'
            f'<figcaption>{_h(self.ui["caption"])}</figcaption></figure>'
            f'<div class="entry-content">' + self._paragraphs(page, rng) + "</div>"
            f'<footer class="entry-footer"><span class="tags-links">{_h(self.ui["tags"])}: {tags}</span></footer>'
            f'<div class="author-bio"><h4>{_h(self.ui["about"])}</h4><p>{_h(page.authors[0])}</p></div></article>'
            f'<section class="related-posts"><h2 class="widget-title">{_h(self.ui["related"])}</h2>'
            + self._cards(self._related(page)) + "</section>" + self._more(page) + self._comments_html(rng, page) +
            f'</main></div><aside id="secondary" class="widget-area"><section class="widget widget_popular">'
            f'<h2 class="widget-title">{_h(self.ui["most_read"])}</h2>' + self._list(self._most_read(page)) +
            "</section><section class=\"widget\">" + self._newsletter() + "</section>"
            '<div class="ad-slot" data-slot="sidebar-1"></div></aside></div>' + self._footer() + "</div>"
            f"<script>var wpData={wp};</script><script>{self.bundle}</script></body></html>"
        )

    def _app(self, page: Page, rng: random.Random) -> str:
        """A React/Next.js news app: hashed class names, deep nesting, the whole page state in __NEXT_DATA__."""
        def cls(name: str) -> str:
            return f"{name}_{hashlib.md5((name + self.o.name).encode()).hexdigest()[:5]}"

        section = SECTIONS[self.lang][page.section]
        body = self._paragraphs(page, rng, p_tag='<div class="' + cls("TextBlock") + '"><p>{}</p></div>')
        state = {"props": {"pageProps": {"article": {
            "id": page.id, "headline": page.title, "url": page.url, "section": section, "authors": page.authors,
            "published": page.published.isoformat() if page.published else None,
            "blocks": [{"type": "text", "text": p} for p in page.body.split("\n\n")],
            "related": [{"id": r.id, "title": r.title, "url": r.url} for r in self._related(page)]},
            "navigation": list(SECTIONS[self.lang].values()) + NAV_EXTRA[self.lang]}},
            "page": "/[section]/[...slug]", "buildId": hashlib.md5(self.o.name.encode()).hexdigest()[:12]}
        wrap = "".join(f'<div class="{cls("Layer" + str(i))}">' for i in range(6))
        unwrap = "</div>" * 6
        return (
            self._html_open() + self._head(page) + "\n</head>\n<body>" + self._cookie() +
            f'<div id="__next">{wrap}<header class="{cls("Header")}"><div class="{cls("Logo")}"><a href="{self.o.origin}/">'
            f'{_h(self.native)}</a></div><nav class="{cls("Nav")}" aria-label="main">' + self._nav(rng) + "</nav></header>"
            + self._ticker(page) + f'<main class="{cls("Main")}"><div class="{cls("Grid")}"><div class="{cls("Col")}">'
            f'<article class="{cls("Article")}"><div class="{cls("Kicker")}"><a href="{self.o.origin}/{page.section}/">'
            f'{_h(section)}</a></div><h1 class="{cls("Headline")}">{_h(page.title)}</h1>'
            f'<div class="{cls("Byline")}"><span>{self._byline_names(page)}</span>{self._time(page)}</div>'
            + self._share() + f'<figure class="{cls("Media")}"><picture><source srcset="/images/{page.id}.webp">'
            f'<img src="/images/{page.id}-1200x675.jpg" alt=""></picture><figcaption>{_h(self.ui["caption"])}'
            f'</figcaption></figure><div class="{cls("Body")}" data-component="article-body">{body}</div>'
            f'<ul class="{cls("Tags")}">' + "".join(f'<li><a href="/tag/{quote(w.lower())}/">{_h(w)}</a></li>'
                                                    for w in page.title.split()[1:5]) + "</ul></article>"
            f'<section class="{cls("Related")}"><h2>{_h(self.ui["related"])}</h2>' + self._cards(self._related(page))
            + "</section>" + self._more(page) + self._comments_html(rng, page) + f'</div><aside class="{cls("Rail")}"><h2>'
            f'{_h(self.ui["most_read"])}</h2>' + self._list(self._most_read(page)) + self._newsletter() +
            "</aside></div></main>" + self._footer() + unwrap + "</div>"
            f'<script id="__NEXT_DATA__" type="application/json">{json.dumps(state, ensure_ascii=False)}</script>'
            f"<script>{self.bundle}</script></body></html>"
        )

    def _portal(self, page: Page, rng: random.Random) -> str:
        """A classic news portal: schema.org microdata, tables of links, an ad config blob."""
        section = SECTIONS[self.lang][page.section]
        ads = json.dumps({"site": self.o.name, "zone": page.section, "slots": [
            {"id": f"div-gpt-{i}", "sizes": [[728, 90], [970, 250]], "targeting": {"pos": i}} for i in range(8)]})
        return (
            self._html_open() + self._head(page) + "\n</head>\n<body>" + self._cookie() +
            f'<div id="wrapper"><div id="top-bar"><span>{_h(self._visible_date(page.published or datetime(2025, 6, 30, tzinfo=timezone.utc)))}</span>'
            f'</div><div id="header"><a href="{self.o.origin}/" id="logo">{_h(self.native)}</a><div id="leaderboard" '
            'class="ad"></div></div><div id="menu">' + self._nav(rng) + "</div>" + self._ticker(page) +
            '<div id="container"><div id="content">'
            f'<div class="path"><a href="{self.o.origin}/">{_h(self.native)}</a> / <a href="{self.o.origin}/{page.section}/">'
            f'{_h(section)}</a></div><div class="article" itemscope itemtype="https://schema.org/NewsArticle">'
            f'<h1 itemprop="headline">{_h(page.title)}</h1><div class="info"><span itemprop="author">'
            f'{self._byline_names(page)}</span> {self._time(page)}</div>' + self._share() +
            f'<div class="photo"><img itemprop="image" src="/images/{page.id}-640x360.jpg" alt=""></div>'
            f'<div class="article-body" itemprop="articleBody">' + self._paragraphs(page, rng) + "</div>"
            f'<div class="keywords">{_h(self.ui["tags"])}: ' + ", ".join(
                f'<a href="/tag/{quote(w.lower())}/">{_h(w)}</a>' for w in page.title.split()[1:5]) + "</div></div>"
            f'<div class="related"><h2>{_h(self.ui["related"])}</h2>' + self._cards(self._related(page), "h4") + "</div>"
            + self._more(page) + self._comments_html(rng, page) + f'</div><div id="sidebar"><div class="box"><h2>{_h(self.ui["most_read"])}'
            "</h2>" + self._list(self._most_read(page)) + "</div>" + self._newsletter() + "</div></div>"
            + self._footer() + f"</div><script>var adConfig={ads};</script><script>{self.bundle}</script></body></html>"
        )

    # -- listings ---------------------------------------------------------------------------------------
    def home(self) -> str:
        rng = random.Random(self.o.port)
        latest = self.newest[:HOME_ITEMS]
        return (self._html_open() + f'<meta charset="utf-8"><title>{_h(self.native)}</title>'
                '<meta property="og:type" content="website">'
                f'<link rel="alternate" type="application/rss+xml" title="{_h(self.native)}" href="{self.o.origin}/feed.xml">'
                f"<style>{self.style}</style></head><body>{self._cookie()}<header>{self._nav(rng)}</header><main>"
                + self._cards(latest, "h2") + f"</main>{self._footer()}<script>{self.bundle}</script></body></html>")

    def robots(self) -> str:
        return (f"User-agent: *\nDisallow: /search\nDisallow: /wp-admin/\n\nSitemap: {self.o.origin}/sitemap_index.xml\n"
                f"Sitemap: {self.o.origin}/news-sitemap.xml\n")

    def feed(self) -> str:
        items = self.newest[:FEED_ITEMS]
        if self.o.feed_kind == "rss":
            entries = []
            for p in items:
                date = f"<pubDate>{format_datetime(p.published)}</pubDate>" if p.published else ""
                entries.append(
                    f"<item><title>{_h(p.title)}</title><link>{_h(p.url)}</link><guid isPermaLink=\"true\">{_h(p.url)}"
                    f"</guid>{date}<dc:creator>{_h(', '.join(p.authors))}</dc:creator><category>"
                    f"{_h(SECTIONS[self.lang][p.section])}</category><description>{_h(p.description or '')}"
                    "</description></item>")
            return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
                    f"<channel><title>{_h(self.native)}</title><link>{self.o.origin}/</link><language>{self.lang}"
                    f"</language><description>{_h(self.o.title)}</description>" + "".join(entries) + "</channel></rss>")
        entries = []
        for p in items:
            dates = (f"<published>{p.published.isoformat()}</published><updated>{(p.modified or p.published).isoformat()}"
                     "</updated>") if p.published else ""
            entries.append(f"<entry><title>{_h(p.title)}</title><link rel=\"alternate\" href=\"{_h(p.url)}\"/>"
                           f"<id>{_h(p.url)}</id>{dates}<author><name>{_h(', '.join(p.authors))}</name></author>"
                           f"<summary>{_h(p.description or '')}</summary></entry>")
        newest = next((p.published for p in items if p.published), datetime(2025, 6, 30, tzinfo=timezone.utc))
        return ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" '
                f'xml:lang="{self.lang}"><title>{_h(self.native)}</title><id>{self.o.origin}/</id>'
                f'<link rel="self" href="{self.o.origin}/feed.xml"/><updated>{newest.isoformat()}</updated>'
                + "".join(entries) + "</feed>")

    def sitemaps(self) -> tuple[str, dict[str, str]]:
        months: dict[str, list[Page]] = {}
        for p in self.own:
            day = p.published or datetime(2025, 6, 30, tzinfo=timezone.utc)
            months.setdefault(f"{day:%Y-%m}", []).append(p)
        texts, index = {}, []
        for month, pages in sorted(months.items(), reverse=True):
            urls = []
            for p in pages:
                lastmod = f"<lastmod>{(p.modified or p.published).isoformat()}</lastmod>" if p.published else ""
                urls.append(f"<url><loc>{_h(p.url)}</loc>{lastmod}</url>")
            texts[month] = ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/'
                            'sitemap/0.9">' + "".join(urls) + "</urlset>")
            dated = [p.modified or p.published for p in pages if p.published]
            lastmod = f"<lastmod>{max(dated).isoformat()}</lastmod>" if dated else ""
            index.append(f"<sitemap><loc>{self.o.origin}/sitemap-{month}.xml</loc>{lastmod}</sitemap>")
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                + "".join(index) + "</sitemapindex>"), texts

    def news_sitemap(self) -> str:
        dated = [p for p in self.newest if p.published]
        urls = []
        if dated:
            newest = dated[0].published
            for p in dated:
                if p.published < newest - timedelta(days=NEWS_SITEMAP_DAYS):
                    break
                urls.append(f"<url><loc>{_h(p.url)}</loc><news:news><news:publication><news:name>{_h(self.native)}"
                            f"</news:name><news:language>{self.lang}</news:language></news:publication>"
                            f"<news:publication_date>{p.published.isoformat()}</news:publication_date><news:title>"
                            f"{_h(p.title)}</news:title></news:news></url>")
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">' + "".join(urls) + "</urlset>")
