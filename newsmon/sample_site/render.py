"""Pages, feeds and sitemaps of the sample site, rendered per request with the server's base URL.

:func:`route` maps a request path to a :class:`Response`. Every followable URL it writes is either absolute on
the server's own base URL (``http://127.0.0.1:PORT/...``) or root-relative (the alakhbar template), so the site
never points a crawler anywhere else.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime
from html import escape
from typing import Callable

from . import content as C
from .content import Article, mojibake

# ---------------------------------------------------------------------------------------------------------
# Traps: paths a correct crawler must not store (and, for robots, must not fetch).
# ---------------------------------------------------------------------------------------------------------
ALMANAR_404 = "/almanar/article/1099"          # in the almanar RSS feed
ALMANAR_500 = "/almanar/article/1098"          # on the almanar home (section) page
ALMANAR_DOSSIER = "/almanar/article/1090"      # matches the article pattern; a list of links, no body
ALMANAR_TRACKED = "/almanar/article/1001?utm_source=rss&utm_medium=feed"   # the feed's link for 1001
ALAKHBAR_500 = "/alakhbar/2023/09/19/3099"     # on the alakhbar politics section page
WIRE_404 = "/wire/news/2023/09/retracted-story"  # in the wire Google News sitemap
WIRE_PRIVATE = C.WIRE_PRIVATE.path             # in the wire urlset sitemap; robots.txt disallows /wire/private/
WIRE_SLOW = "/wire/news/2023/09/morocco-quake-rebuilding"   # answers after slow_seconds (a stored article)
BROKEN_FEED = "/broken/feed.xml"               # truncated XML

TRAPS: dict[str, list[str]] = {
    "not_found": [ALMANAR_404, WIRE_404],
    "server_error": [ALMANAR_500, ALAKHBAR_500],
    "not_article": [ALMANAR_DOSSIER],
    "robots_disallowed": [WIRE_PRIVATE],
    "tracking_duplicate": [ALMANAR_TRACKED],
    "slow": [WIRE_SLOW],
    "malformed_feed": [BROKEN_FEED],
}


@dataclass
class Response:
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0          # seconds to wait before answering


@dataclass(frozen=True)
class Ctx:
    base: str                   # http://127.0.0.1:PORT
    variant: str = "base"
    slow_seconds: float = 3.0


def _html(text: str, status: int = 200, content_type: str = "text/html; charset=utf-8",
          encoding: str = "utf-8") -> Response:
    return Response(status, content_type, text.encode(encoding, errors="xmlcharrefreplace"))


def _xml(text: str, content_type: str) -> Response:
    return Response(200, content_type, text.encode("utf-8"))


def _dt(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def _rfc822(iso: str) -> str:
    return format_datetime(_dt(iso))


def _w3c_utc(iso: str) -> str:
    return _dt(iso).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


AR_MONTHS = ("كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول",
             "تشرين الأول", "تشرين الثاني", "كانون الأول")
AR_DAYS = ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد")


def arabic_date(iso: str, with_time: bool = True) -> str:
    """'2023-09-20T14:35:00+03:00' -> 'الأربعاء 20 أيلول 2023 - 14:35' (the wall-clock time as written)."""
    d = _dt(iso)
    text = f"{AR_DAYS[d.weekday()]} {d.day} {AR_MONTHS[d.month - 1]} {d.year}"
    return f"{text} - {d:%H:%M}" if with_time else text


def _jsonld(obj: dict) -> str:
    text = json.dumps(obj, ensure_ascii=False, indent=2).replace("</", "<\\/")
    return f'<script type="application/ld+json">\n{text}\n</script>'


def _body_html(paragraphs: tuple[str, ...], heading: str = "h3") -> str:
    out = []
    for p in paragraphs:
        if p.startswith("## "):
            out.append(f"<{heading}>{escape(p[3:])}</{heading}>")
        else:
            out.append(f"<p>{escape(p)}</p>")
    return "\n".join(out)


def _others(article: Article, ctx: Ctx, n: int = 3) -> list[Article]:
    pool = [a for a in C.articles(article.source, ctx.variant) if a.path != article.path]
    return pool[:n]


LOGO_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><rect width="120" height="40" '
            'fill="#1a5c2e"/><text x="10" y="26" fill="#fff" font-size="16">sample news</text></svg>')

# ---------------------------------------------------------------------------------------------------------
# almanar
# ---------------------------------------------------------------------------------------------------------
ALMANAR_SUFFIX = " - موقع المنار"
ALMANAR_CATEGORIES = (("lebanon", "لبنان"), ("region", "إقليمي"), ("world", "دولي"), ("economy", "اقتصاد"))


def _almanar_page(ctx: Ctx, title: str, head_extra: str, main: str, canonical: str,
                  og_type: str = "website") -> str:
    b = ctx.base
    nav = "\n".join(f'<li><a href="{b}/almanar/category/{slug}/">{escape(name)}</a></li>'
                    for slug, name in ALMANAR_CATEGORIES)
    return f"""<!DOCTYPE html>
<html lang="ar" dir="rtl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}{ALMANAR_SUFFIX}</title>
<link rel="canonical" href="{canonical}">
<link rel="alternate" type="application/rss+xml" title="موقع المنار" href="{b}/almanar/rss.xml">
<meta property="og:site_name" content="موقع المنار">
<meta property="og:type" content="{og_type}">
<meta property="og:title" content="{escape(title)}">
<meta property="og:url" content="{canonical}">
<meta property="og:image" content="{b}/static/logo.svg">
<meta property="og:locale" content="ar_AR">
{head_extra}
<link rel="stylesheet" href="{b}/static/site.css">
</head>
<body class="rtl">
<header class="site-header">
  <div class="top-bar"><span>تابعونا</span> <a href="#">فيسبوك</a> <a href="#">تويتر</a> <a href="#">تلغرام</a> <a href="#">يوتيوب</a></div>
  <a class="logo" href="{b}/almanar/"><img src="{b}/static/logo.svg" alt="موقع المنار"></a>
  <nav class="main-nav"><ul>
<li><a href="{b}/almanar/">الرئيسية</a></li>
{nav}
<li><a href="#">فيديو</a></li><li><a href="#">برامج</a></li><li><a href="#">البث المباشر</a></li>
  </ul></nav>
  <div class="breaking"><strong>عاجل</strong> <span>متابعة مستمرة لآخر التطورات المحلية والإقليمية على مدار الساعة</span></div>
</header>
<div class="container">
{main}
</div>
<footer class="site-footer">
  <ul class="footer-links"><li><a href="#">من نحن</a></li><li><a href="#">اتصل بنا</a></li><li><a href="#">سياسة الخصوصية</a></li><li><a href="{b}/almanar/rss.xml">RSS</a></li></ul>
  <p>جميع الحقوق محفوظة © 2023 موقع المنار - نسخة تجريبية للاختبار</p>
</footer>
</body>
</html>
"""


def almanar_article(a: Article, ctx: Ctx) -> Response:
    b = ctx.base
    canonical = b + a.path
    paragraphs = C.body(a, ctx.variant)
    head = [f'<meta property="og:description" content="{escape(a.summary)}">',
            f'<meta name="description" content="{escape(a.summary)}">']
    date_html = ""
    if a.date_form in ("og", "og-naive"):
        head.append(f'<meta property="article:published_time" content="{a.page_date}">')
        head.append('<meta property="article:section" content="أخبار">')
    elif a.date_form in ("jsonld", "jsonld-naive"):
        ld = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
            "headline": a.title,
            "description": a.summary,
            "image": [f"{b}/static/logo.svg"],
            "datePublished": a.page_date,
            "inLanguage": "ar",
            "publisher": {"@type": "Organization", "name": "موقع المنار",
                          "logo": {"@type": "ImageObject", "url": f"{b}/static/logo.svg"}},
        }
        mod = C.modified(a, ctx.variant)
        if mod:
            ld["dateModified"] = mod
        if a.authors:
            ld["author"] = [{"@type": "Person", "name": n} for n in a.authors]
        head.append(_jsonld(ld))
        date_html = f'<div class="post-date"><i class="icon-clock"></i> {escape(arabic_date(a.published))}</div>'
    elif a.date_form == "text":
        date_html = f'<div class="post-date"><i class="icon-clock"></i> {escape(a.page_date)}</div>'
    if a.authors:
        head.append(f'<meta name="author" content="{escape("، ".join(a.authors))}">')
    byline = (f'<div class="post-author">إعداد: {escape("، ".join(a.authors))}</div>' if a.authors else "")
    related = "\n".join(f'<li><a href="{b}{o.path}">{escape(o.title)}</a></li>' for o in _others(a, ctx))
    main = f"""<div class="breadcrumbs"><a href="{b}/almanar/">الرئيسية</a> &gt; <a href="{b}/almanar/category/region/">إقليمي</a></div>
<main class="content">
<article class="single-post">
  <h1 class="post-title">{escape(a.title)}</h1>
  {date_html}
  {byline}
  <div class="post-share">شارك: <a href="#">فيسبوك</a> | <a href="#">تويتر</a> | <a href="#">واتساب</a> | <a href="#">تلغرام</a> | <a href="#">طباعة</a></div>
  <div class="post-content">
{_body_html(paragraphs)}
  </div>
  <div class="post-tags">كلمات مفتاحية: <a href="#">أخبار</a> <a href="#">متابعات</a></div>
  <div class="post-share bottom">هل أعجبك الخبر؟ شاركه مع أصدقائك عبر مواقع التواصل الاجتماعي</div>
</article>
<aside class="related">
  <h3>مقالات ذات صلة</h3>
  <ul>
{related}
  </ul>
</aside>
</main>
<aside class="sidebar">
  <h3>الأكثر قراءة</h3>
  <ol>
{related}
  </ol>
  <div class="newsletter">اشترك في النشرة البريدية لتصلك آخر الأخبار</div>
</aside>"""
    return _html(_almanar_page(ctx, a.title, "\n".join(head), main, canonical, og_type="article"))


def _almanar_listing(ctx: Ctx, heading: str) -> str:
    b = ctx.base
    items = []
    for a in sorted(C.articles("almanar", ctx.variant), key=lambda x: x.published or "", reverse=True):
        items.append(f'<li class="news-item"><a href="{b}{a.path}"><h3>{escape(a.title)}</h3></a>'
                     f'<p>{escape(a.summary)}</p></li>')
    items.insert(2, f'<li class="news-item"><a href="{b}{ALMANAR_DOSSIER}"><h3>ملف: التعاون العسكري الإيراني الروسي</h3></a></li>')
    items.insert(4, f'<li class="news-item"><a href="{b}{ALMANAR_500}"><h3>مؤتمر صحافي لوزير الأشغال حول خطة صيانة الطرقات</h3></a>'
                    f'<p>وزير الأشغال يعرض خطة صيانة الطرقات قبل فصل الشتاء.</p></li>')
    listing = "\n".join(items)
    return f"""<main class="content home">
<h2 class="section-title">{escape(heading)}</h2>
<ul class="news-list">
{listing}
</ul>
<div class="pagination"><a href="#">التالي</a></div>
</main>"""


def almanar_home(ctx: Ctx) -> Response:
    main = _almanar_listing(ctx, "آخر الأخبار")
    return _html(_almanar_page(ctx, "الصفحة الرئيسية", "", main, f"{ctx.base}/almanar/"))


def almanar_category(ctx: Ctx, name: str) -> Response:
    main = _almanar_listing(ctx, name)
    return _html(_almanar_page(ctx, name, "", main, f"{ctx.base}/almanar/"))


def almanar_dossier(ctx: Ctx) -> Response:
    """Matches the article pattern but is a list of links with no body: must not be stored."""
    b = ctx.base
    links = [a for a in C.articles("almanar", ctx.variant) if a.path in
             ("/almanar/article/1001", "/almanar/article/1005", "/almanar/article/1007")]
    items = "\n".join(f'<li><a href="{b}{a.path}">{escape(a.title)}</a></li>' for a in links)
    main = f"""<main class="content tag-page">
<h1 class="page-title">ملف: التعاون العسكري الإيراني الروسي</h1>
<ul class="tag-list">
{items}
</ul>
</main>"""
    return _html(_almanar_page(ctx, "ملف: التعاون العسكري الإيراني الروسي", "", main, b + ALMANAR_DOSSIER))


def _almanar_feed_entries(ctx: Ctx) -> list[tuple[str, str, str, str, str]]:
    """(title, link, guid, pubDate-iso, description), newest first."""
    b = ctx.base
    entries = []
    for a in C.articles("almanar", ctx.variant):
        if a.path == "/almanar/article/1004" or a.path == "/almanar/article/1006":
            continue                      # 1004: no machine-readable date anywhere; 1006: section page only
        link = b + (ALMANAR_TRACKED if a.path == "/almanar/article/1001" else a.path)
        date = C.modified(a, ctx.variant) if (ctx.variant == "updated" and a.update) else a.published
        entries.append((a.title, link, b + a.path, date, a.summary))
    entries.append(("تفاصيل جديدة حول خطة النهوض بقطاع النقل العام", b + ALMANAR_404, b + ALMANAR_404,
                    "2023-09-19T20:00:00+03:00", "خبر حذف لاحقاً من الموقع."))
    entries.sort(key=lambda e: _dt(e[3]), reverse=True)
    return entries


def almanar_rss(ctx: Ctx) -> Response:
    b = ctx.base
    entries = _almanar_feed_entries(ctx)
    items = "\n".join(f"""    <item>
      <title>{escape(t)}</title>
      <link>{escape(link)}</link>
      <guid isPermaLink="true">{escape(guid)}</guid>
      <pubDate>{_rfc822(d)}</pubDate>
      <category>أخبار</category>
      <description>{escape(desc)}</description>
    </item>""" for t, link, guid, d, desc in entries)
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>موقع المنار - آخر الأخبار</title>
    <link>{b}/almanar/</link>
    <atom:link href="{b}/almanar/rss.xml" rel="self" type="application/rss+xml"/>
    <description>آخر الأخبار من موقع المنار (نسخة تجريبية)</description>
    <language>ar</language>
    <lastBuildDate>{_rfc822(entries[0][3])}</lastBuildDate>
{items}
  </channel>
</rss>
"""
    return _xml(text, "application/rss+xml; charset=utf-8")


# ---------------------------------------------------------------------------------------------------------
# wire
# ---------------------------------------------------------------------------------------------------------
WIRE_SUFFIX = " | Global Wire"


def _wire_page(ctx: Ctx, title: str, head_extra: str, main: str, canonical: str, lang: str = "en",
               site: str = "Global Wire", suffix: str = WIRE_SUFFIX, home: str = "/wire/") -> str:
    b = ctx.base
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}{suffix}</title>
<link rel="canonical" href="{canonical}">
<meta property="og:site_name" content="{site}">
<meta property="og:title" content="{escape(title)}">
<meta property="og:url" content="{canonical}">
{head_extra}
</head>
<body>
<div id="cookie-banner">We use cookies to improve your experience. By continuing to browse you agree to our use of cookies. <button>Accept</button></div>
<header class="masthead">
  <a class="brand" href="{b}{home}">{site}</a>
  <nav><ul><li><a href="{b}{home}">World</a></li><li><a href="{b}{home}">Business</a></li><li><a href="{b}{home}">Markets</a></li><li><a href="#">Technology</a></li><li><a href="#">Sport</a></li><li><a href="#">Sign in</a></li></ul></nav>
</header>
{main}
<footer>
  <ul><li><a href="#">About us</a></li><li><a href="#">Careers</a></li><li><a href="#">Terms of use</a></li><li><a href="#">Privacy</a></li></ul>
  <p>&copy; 2023 {site}. All rights reserved. Sample content for testing.</p>
</footer>
</body>
</html>
"""


def _wire_ld(a: Article, ctx: Ctx, publisher: str) -> str:
    b = ctx.base
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": b + a.path},
        "headline": a.title,
        "description": a.summary,
        "datePublished": a.page_date,
        "dateModified": C.modified(a, ctx.variant) or a.page_date,
        "author": [{"@type": "Person", "name": n, "url": f"{b}/wire/authors/{n.lower().replace(' ', '-')}"}
                   for n in a.authors],
        "publisher": {"@type": "Organization", "name": publisher,
                      "logo": {"@type": "ImageObject", "url": f"{b}/static/logo.svg"}},
        "inLanguage": a.language,
        "isAccessibleForFree": True,
    }
    return _jsonld(ld)


def _english_byline(names: tuple[str, ...]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _pretty(iso: str) -> str:
    d = _dt(iso).astimezone(timezone.utc)
    return d.strftime("%B %-d, %Y %-I:%M %p UTC")


def wire_article(a: Article, ctx: Ctx, site: str = "Global Wire", suffix: str = WIRE_SUFFIX,
                 home: str = "/wire/") -> Response:
    b = ctx.base
    mod = C.modified(a, ctx.variant)
    head = "\n".join([
        '<meta property="og:type" content="article">',
        f'<meta property="og:description" content="{escape(a.summary)}">',
        f'<meta name="description" content="{escape(a.summary)}">',
        f'<meta property="article:published_time" content="{a.page_date}">',
        f'<meta property="article:modified_time" content="{mod}">' if mod else "",
        _wire_ld(a, ctx, site),
    ])
    updated = (f' &middot; Updated <time datetime="{mod}">{_pretty(mod)}</time>' if mod else "")
    related = "\n".join(f'<li><a href="{b}{o.path}">{escape(o.title)}</a></li>' for o in _others(a, ctx))
    paragraphs = C.body(a, ctx.variant)
    main = f"""<main id="main-content">
<article class="story">
  <header>
    <p class="kicker">World</p>
    <h1 class="story-headline">{escape(a.title)}</h1>
    <p class="byline">By <a rel="author" href="#">{escape(_english_byline(a.authors))}</a></p>
    <p class="dateline"><time datetime="{a.page_date}">{_pretty(a.page_date)}</time>{updated}</p>
    <div class="share">Share: <button>Email</button> <button>X</button> <button>Facebook</button> <button>LinkedIn</button> <button>Copy link</button></div>
  </header>
  <div class="story-body">
{_body_html(paragraphs, "h2")}
<p class="credits">Reporting by {escape(_english_byline(a.authors))}</p>
  </div>
  <p class="trust">Our Standards: The Global Wire Trust Principles.</p>
</article>
<aside class="more">
  <h2>Read next</h2>
  <ul>
{related}
  </ul>
  <div class="newsletter"><h3>Sign up for our daily briefing</h3><p>Get the top stories delivered to your inbox every morning.</p><button>Sign up</button></div>
</aside>
</main>"""
    return _html(_wire_page(ctx, a.title, head, main, b + a.path, lang=a.language, site=site,
                            suffix=suffix, home=home))


def wire_home(ctx: Ctx) -> Response:
    b = ctx.base
    items = "\n".join(f'<li><a href="{b}{a.path}">{escape(a.title)}</a> <span>{escape(a.summary)}</span></li>'
                      for a in C.articles("wire", ctx.variant))
    main = f'<main><h1>Top news</h1><ul class="story-list">\n{items}\n</ul></main>'
    return _html(_wire_page(ctx, "World news", "", main, b + "/wire/"))


def _wire_feed_articles(ctx: Ctx) -> list[Article]:
    arts = [a for a in C.articles("wire", ctx.variant) if a.path != WIRE_SLOW]
    arts.sort(key=lambda a: _dt(a.published), reverse=True)
    return arts[:5]


def wire_atom(ctx: Ctx) -> Response:
    b = ctx.base
    arts = _wire_feed_articles(ctx)
    updated = max(_w3c_utc(C.modified(a, ctx.variant) or a.page_date) for a in arts)
    entries = "\n".join(f"""  <entry>
    <title>{escape(a.title)}</title>
    <link rel="alternate" type="text/html" href="{b}{a.path}"/>
    <id>tag:globalwire.example,2023:{a.path.rsplit('/', 1)[-1]}</id>
    <published>{_w3c_utc(a.page_date)}</published>
    <updated>{_w3c_utc(C.modified(a, ctx.variant) or a.page_date)}</updated>
{''.join(f'    <author><name>{escape(n)}</name></author>' + chr(10) for n in a.authors)}    <summary>{escape(a.summary)}</summary>
  </entry>""" for a in arts)
    text = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <title>Global Wire - Top News</title>
  <subtitle>Sample international news wire for testing</subtitle>
  <id>tag:globalwire.example,2023:top-news</id>
  <link rel="self" type="application/atom+xml" href="{b}/wire/atom.xml"/>
  <link rel="alternate" type="text/html" href="{b}/wire/"/>
  <updated>{updated}</updated>
{entries}
</feed>
"""
    return _xml(text, "application/atom+xml; charset=utf-8")


def wire_sitemap_index(ctx: Ctx) -> Response:
    b = ctx.base
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap>
    <loc>{b}/wire/sitemap-articles.xml</loc>
    <lastmod>{_w3c_utc(_wire_last_change(ctx))}</lastmod>
  </sitemap>
  <sitemap>
    <loc>{b}/wire/sitemap-news.xml</loc>
    <lastmod>{_w3c_utc(_wire_last_change(ctx))}</lastmod>
  </sitemap>
</sitemapindex>
"""
    return _xml(text, "application/xml; charset=utf-8")


def _wire_last_change(ctx: Ctx) -> str:
    return max((C.modified(a, ctx.variant) or a.page_date for a in C.articles("wire", ctx.variant)),
               key=_dt)


def wire_sitemap_articles(ctx: Ctx) -> Response:
    b = ctx.base
    arts = sorted(C.articles("wire", ctx.variant), key=lambda a: _dt(a.published), reverse=True)
    urls = [(b + a.path, C.modified(a, ctx.variant) or a.page_date) for a in arts]
    urls.insert(3, (b + WIRE_PRIVATE, C.WIRE_PRIVATE.page_date))
    body = "\n".join(f"""  <url>
    <loc>{escape(u)}</loc>
    <lastmod>{_w3c_utc(m)}</lastmod>
    <changefreq>daily</changefreq>
  </url>""" for u, m in urls)
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{body}
</urlset>
"""
    return _xml(text, "application/xml; charset=utf-8")


def wire_sitemap_news(ctx: Ctx) -> Response:
    b = ctx.base
    arts = sorted(C.articles("wire", ctx.variant), key=lambda a: _dt(a.published), reverse=True)[:3]
    rows = [(b + a.path, a.page_date, a.title) for a in arts]
    rows.append((b + WIRE_404, "2023-09-20T10:00:00Z", "Retracted: report on port strike"))
    body = "\n".join(f"""  <url>
    <loc>{escape(u)}</loc>
    <news:news>
      <news:publication>
        <news:name>Global Wire</news:name>
        <news:language>en</news:language>
      </news:publication>
      <news:publication_date>{d}</news:publication_date>
      <news:title>{escape(t)}</news:title>
    </news:news>
  </url>""" for u, d, t in rows)
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
{body}
</urlset>
"""
    return _xml(text, "application/xml; charset=utf-8")


# ---------------------------------------------------------------------------------------------------------
# alakhbar: another template; root-relative links; no JSON-LD; <time datetime> without offset; cp1256 pages;
# Content-Type header without a charset.
# ---------------------------------------------------------------------------------------------------------
ALAKHBAR_SUFFIX = " | الأخبار"
ALAKHBAR_CT = "text/html"
ALAKHBAR_SECTIONS = {
    "politics": ("سياسة", ["/alakhbar/2023/09/20/3001", "/alakhbar/2023/09/20/3003",
                           ALAKHBAR_500, "/alakhbar/2023/09/19/3002"]),
    "economy": ("اقتصاد", ["/alakhbar/2023/09/20/3004", "/alakhbar/2023/09/18/3005",
                           "/alakhbar/2023/09/17/3006"]),
}


def _alakhbar_page(ctx: Ctx, title: str, head_extra: str, main: str, canonical: str,
                   charset_tag: str = '<meta charset="utf-8">') -> str:
    by_path = {a.path: a for a in C.articles("alakhbar", ctx.variant)}
    popular = "\n".join(f'<li><a href="{p}">{escape(by_path[p].title)}</a></li>'
                        for p in ("/alakhbar/2023/09/20/3001", "/alakhbar/2023/09/17/3006") if p in by_path)
    return f"""<!DOCTYPE html>
<html lang="ar" dir="rtl">
<head>
{charset_tag}
<title>{escape(title)}{ALAKHBAR_SUFFIX}</title>
<link rel="canonical" href="{canonical}">
<meta property="og:site_name" content="الأخبار">
<meta property="og:title" content="{escape(title)}">
{head_extra}
</head>
<body>
<div id="wrapper">
<div class="topbar"><a href="/alakhbar/">الأخبار</a> | <a href="#">الأرشيف</a> | <a href="#">اشترك</a> | <a href="#">English</a></div>
<div id="masthead"><a href="/alakhbar/"><img src="/static/logo.svg" alt="الأخبار"></a></div>
<ul id="menu">
<li><a href="/alakhbar/">الرئيسية</a></li>
<li><a href="/alakhbar/politics/">سياسة</a></li>
<li><a href="/alakhbar/economy/">اقتصاد</a></li>
<li><a href="#">ثقافة وناس</a></li><li><a href="#">رياضة</a></li><li><a href="#">رأي</a></li>
</ul>
<div id="content">
{main}
</div>
<div id="sidebar">
<div class="widget"><h4>الأكثر قراءة</h4><ul>
{popular}
</ul></div>
<div class="widget"><h4>النسخة الورقية</h4><p>تصفح عدد اليوم بصيغة PDF</p></div>
</div>
<div id="footer">
<p>جميع الحقوق محفوظة ©2023 الأخبار - موقع تجريبي</p>
<p><a href="#">من نحن</a> - <a href="#">اتصل بنا</a> - <a href="#">أعلن معنا</a></p>
</div>
</div>
</body>
</html>
"""


def alakhbar_article(a: Article, ctx: Ctx) -> Response:
    if a.encoding == "cp1256":
        # two spellings of the same declaration
        charset_tag = ('<meta charset="windows-1256">' if a.path.endswith("3003") else
                       '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">')
    else:
        charset_tag = '<meta charset="utf-8">'
    head = [f'<meta name="description" content="{escape(a.summary)}">']
    if a.authors:
        head.append(f'<meta name="author" content="{escape(a.authors[0])}">')
    byline = f'<span class="byline">كتب: {escape(a.authors[0])}</span> | ' if a.authors else ""
    main = f"""<div class="post">
<div class="post-cat"><a href="/alakhbar/politics/">سياسة</a></div>
<h1 class="post-title">{escape(a.title)}</h1>
<div class="post-meta">{byline}<time datetime="{a.page_date}">{escape(arabic_date(a.published, with_time=False))}</time></div>
<div class="share-tools">مشاركة: فيسبوك - تويتر - واتساب - البريد الإلكتروني - طباعة | حجم الخط: أ+ أ-</div>
<div class="post-content">
{_body_html(C.body(a, ctx.variant))}
</div>
<div class="comments"><h4>التعليقات (0)</h4><p>لا تعليقات بعد. كن أول من يعلّق.</p><p>الاسم: ______ التعليق: ______ <button>إرسال</button></p></div>
</div>"""
    page = _alakhbar_page(ctx, a.title, "\n".join(head), main, ctx.base + a.path, charset_tag)
    return _html(page, content_type=ALAKHBAR_CT, encoding=a.encoding)


def alakhbar_section(ctx: Ctx, key: str | None) -> Response:
    by_path = {a.path: a for a in C.articles("alakhbar", ctx.variant)}
    if key is None:
        heading = "آخر الأخبار"
        paths = [a.path for a in sorted(by_path.values(), key=lambda x: x.published or "", reverse=True)]
    else:
        heading, paths = ALAKHBAR_SECTIONS[key]
    items = []
    for p in paths:
        if p == ALAKHBAR_500:
            items.append(f'<div class="teaser"><h3><a href="{p}">الحكومة تناقش ملف النازحين في جلسة استثنائية</a></h3></div>')
        elif p in by_path:
            a = by_path[p]
            items.append(f'<div class="teaser"><h3><a href="{p}">{escape(a.title)}</a></h3>'
                         f'<p>{escape(a.summary)}</p></div>')
    main = f'<h2 class="cat-title">{escape(heading)}</h2>\n' + "\n".join(items) + \
        '\n<div class="pager"><a href="#">« السابق</a> <a href="#">التالي »</a></div>'
    canonical = ctx.base + ("/alakhbar/" if key is None else f"/alakhbar/{key}/")
    return _html(_alakhbar_page(ctx, heading, "", main, canonical), content_type=ALAKHBAR_CT)


# ---------------------------------------------------------------------------------------------------------
# broken: a fine home page, a truncated feed.
# ---------------------------------------------------------------------------------------------------------
BROKEN_SITE = "Broken Feed Times"


def broken_home(ctx: Ctx) -> Response:
    b = ctx.base
    items = "\n".join(f'<li><a href="{b}{a.path}">{escape(a.title)}</a></li>'
                      for a in C.articles("broken", ctx.variant))
    main = f'<main><h1>Local news</h1><ul>\n{items}\n</ul></main>'
    return _html(_wire_page(ctx, "Home", "", main, b + "/broken/", site=BROKEN_SITE,
                            suffix=" | " + BROKEN_SITE, home="/broken/"))


def broken_article(a: Article, ctx: Ctx) -> Response:
    return wire_article(a, ctx, site=BROKEN_SITE, suffix=" | " + BROKEN_SITE, home="/broken/")


def broken_feed(ctx: Ctx) -> Response:
    b = ctx.base
    a = C.BROKEN[0]
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
  <channel>
    <title>{BROKEN_SITE}</title>
    <link>{b}/broken/</link>
    <description>Local news</description>
    <item>
      <title>{escape(a.title)}</title>
      <link>{b}{a.path}</link>
      <pubDate>{_rfc822(a.page_date)}</pubDate>
    </item>
    <item>
      <title>Weekend road clos"""
    return Response(200, "application/rss+xml; charset=utf-8", text.encode("utf-8"))


# ---------------------------------------------------------------------------------------------------------
# farsi: Persian, RSS feed without dates, the date only as visible Solar Hijri text in Persian digits.
# ---------------------------------------------------------------------------------------------------------
FARSI_SITE = "روزنامه تهران"
FARSI_SUFFIX = " - " + FARSI_SITE
_FA_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def _farsi_page(ctx: Ctx, title: str, head_extra: str, main: str, canonical: str, og_type: str = "website") -> str:
    b = ctx.base
    return f"""<!DOCTYPE html>
<html lang="fa" dir="rtl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}{FARSI_SUFFIX}</title>
<link rel="canonical" href="{canonical}">
<link rel="alternate" type="application/rss+xml" title="{FARSI_SITE}" href="{b}/farsi/rss.xml">
<meta property="og:site_name" content="{FARSI_SITE}">
<meta property="og:type" content="{og_type}">
<meta property="og:title" content="{escape(title)}">
<meta property="og:url" content="{canonical}">
<meta property="og:locale" content="fa_IR">
{head_extra}
</head>
<body>
<header class="header">
  <a class="logo" href="{b}/farsi/"><img src="{b}/static/logo.svg" alt="{FARSI_SITE}"></a>
  <nav><ul><li><a href="{b}/farsi/">صفحه نخست</a></li><li><a href="{b}/farsi/">سیاسی</a></li><li><a href="{b}/farsi/">اقتصادی</a></li><li><a href="{b}/farsi/">اجتماعی</a></li><li><a href="#">ورزشی</a></li><li><a href="#">فرهنگی</a></li><li><a href="#">چندرسانه\u200cای</a></li></ul></nav>
  <div class="ticker"><strong>فوری</strong> <span>آخرین اخبار ایران و جهان را در {FARSI_SITE} دنبال کنید</span></div>
</header>
{main}
<footer class="footer">
  <ul><li><a href="#">درباره ما</a></li><li><a href="#">تماس با ما</a></li><li><a href="#">آگهی</a></li><li><a href="{b}/farsi/rss.xml">آر\u200cاس\u200cاس</a></li></ul>
  <p>تمامی حقوق مادی و معنوی این سایت متعلق به {FARSI_SITE} است - نسخه آزمایشی</p>
</footer>
</body>
</html>
"""


def farsi_article(a: Article, ctx: Ctx) -> Response:
    b = ctx.base
    head = [f'<meta name="description" content="{escape(a.summary)}">']
    if a.authors:
        head.append(f'<meta name="author" content="{escape(a.authors[0])}">')
    byline = f'<span class="author">نویسنده: {escape(a.authors[0])}</span>' if a.authors else ""
    related = "\n".join(f'<li><a href="{b}{o.path}">{escape(o.title)}</a></li>' for o in _others(a, ctx))
    main = f"""<main class="news">
<article>
  <div class="news-meta"><span class="news-date">{escape(a.page_date)}</span> {byline} <span class="news-code">کد خبر: {a.path.rsplit('/', 1)[-1].translate(_FA_DIGITS)}</span></div>
  <h1 class="news-title">{escape(a.title)}</h1>
  <p class="news-lead">{escape(a.summary)}</p>
  <div class="news-body">
{_body_html(C.body(a, ctx.variant))}
  </div>
  <div class="news-share">اشتراک\u200cگذاری: <a href="#">تلگرام</a> | <a href="#">واتس\u200cاپ</a> | <a href="#">ایکس</a></div>
</article>
<aside class="related"><h3>اخبار مرتبط</h3><ul>
{related}
</ul></aside>
</main>"""
    return _html(_farsi_page(ctx, a.title, "\n".join(head), main, b + a.path, og_type="article"))



def farsi_home(ctx: Ctx) -> Response:
    b = ctx.base
    items = "\n".join(f'<li><a href="{b}{a.path}">{escape(a.title)}</a><p>{escape(a.summary)}</p></li>'
                      for a in C.articles("farsi", ctx.variant))
    main = f'<main><h2>آخرین اخبار</h2><ul class="news-list">\n{items}\n</ul></main>'
    return _html(_farsi_page(ctx, "صفحه نخست", "", main, b + "/farsi/"))


def farsi_rss(ctx: Ctx) -> Response:
    """RSS 2.0 without any date: no pubDate, no lastBuildDate (many Persian CMSs leave them out)."""
    b = ctx.base
    items = "\n".join(f"""    <item>
      <title>{escape(a.title)}</title>
      <link>{b}{a.path}</link>
      <guid isPermaLink="true">{b}{a.path}</guid>
      <description>{escape(a.summary)}</description>
    </item>""" for a in C.articles("farsi", ctx.variant))
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
  <channel>
    <title>{FARSI_SITE} - آخرین اخبار</title>
    <link>{b}/farsi/</link>
    <description>آخرین اخبار {FARSI_SITE} (نسخه آزمایشی)</description>
    <language>fa</language>
{items}
  </channel>
</rss>
"""
    return _xml(text, "application/rss+xml; charset=utf-8")


# ---------------------------------------------------------------------------------------------------------
# bilingual: Arabic and English articles from one outlet, one feed, per-article <html lang> (one wrong).
# ---------------------------------------------------------------------------------------------------------
BILINGUAL_SITE = "بيروت نيوز"
BILINGUAL_SUFFIX = " - " + BILINGUAL_SITE
_RTL = ("ar", "fa", "he", "ur")
_LOCALES = {"ar": "ar_AR", "en": "en_US"}


def _english_date(iso: str) -> str:
    d = _dt(iso)
    return d.strftime("%B %-d, %Y %H:%M")


def bilingual_article(a: Article, ctx: Ctx) -> Response:
    b = ctx.base
    canonical = b + a.path
    lang = a.page_lang or "ar"
    direction = "rtl" if lang in _RTL else "ltr"
    head = [f'<meta property="og:title" content="{escape(a.title)}{BILINGUAL_SUFFIX}">',
            f'<meta property="og:locale" content="{_LOCALES.get(lang, lang)}">',
            f'<meta property="og:description" content="{escape(a.summary)}">']
    if a.date_form in ("og", "og-naive"):
        head.append(f'<meta property="article:published_time" content="{a.page_date}">')
    else:
        ld = {"@context": "https://schema.org", "@type": "NewsArticle",
              "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
              "headline": a.title, "description": a.summary, "datePublished": a.page_date,
              "inLanguage": lang,
              "publisher": {"@type": "Organization", "name": BILINGUAL_SITE}}
        if a.authors:
            ld["author"] = [{"@type": "Person", "name": n} for n in a.authors]
        head.append(_jsonld(ld))
    if a.authors:
        head.append(f'<meta name="author" content="{escape(a.authors[0])}">')
    shown_date = arabic_date(a.published) if a.language == "ar" else _english_date(a.published)
    paragraphs = C.body(a, ctx.variant)
    main = f"""<main class="article">
  <div class="article-date">{escape(shown_date)}</div>
  <h2 class="article-title">{escape(a.title)}</h2>
  <div class="article-body">
{_body_html(paragraphs, "h3")}
  </div>
  <div class="article-share">شارك / Share: <a href="#">Facebook</a> <a href="#">X</a> <a href="#">WhatsApp</a></div>
</main>"""
    return _html(_bilingual_page(ctx, a.title, "\n".join(head), main, canonical, lang, direction))


def _bilingual_page(ctx: Ctx, title: str, head_extra: str, main: str, canonical: str, lang: str = "ar",
                    direction: str = "rtl") -> str:
    b = ctx.base
    return f"""<!DOCTYPE html>
<html lang="{lang}" dir="{direction}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}{BILINGUAL_SUFFIX}</title>
<link rel="canonical" href="{canonical}">
<link rel="alternate" type="application/rss+xml" href="{b}/bilingual/rss.xml">
<meta property="og:site_name" content="{BILINGUAL_SITE}">
<meta property="og:url" content="{canonical}">
{head_extra}
</head>
<body>
<header>
  <h1 class="logo"><a href="{b}/bilingual/">{BILINGUAL_SITE}</a></h1>
  <nav><a href="{b}/bilingual/">الرئيسية</a> | <a href="{b}/bilingual/">لبنان</a> | <a href="{b}/bilingual/">اقتصاد</a> | <a href="{b}/bilingual/">English</a></nav>
</header>
{main}
<footer><p>© 2023 {BILINGUAL_SITE} / Beirut News - sample site for testing</p></footer>
</body>
</html>
"""


def bilingual_home(ctx: Ctx) -> Response:
    b = ctx.base
    items = "\n".join(f'<li><a href="{b}{a.path}">{escape(a.title)}</a></li>'
                      for a in C.articles("bilingual", ctx.variant))
    main = f'<main><ul class="latest">\n{items}\n</ul></main>'
    return _html(_bilingual_page(ctx, "الرئيسية", "", main, b + "/bilingual/"))


def bilingual_rss(ctx: Ctx) -> Response:
    """One feed, Arabic and English items mixed, <language>ar</language> for all of them."""
    b = ctx.base
    arts = sorted(C.articles("bilingual", ctx.variant), key=lambda a: _dt(a.published), reverse=True)
    items = "\n".join(f"""    <item>
      <title>{escape(a.title)}</title>
      <link>{b}{a.path}</link>
      <guid isPermaLink="true">{b}{a.path}</guid>
      <pubDate>{_rfc822(a.published)}</pubDate>
      <description>{escape(a.summary)}</description>
    </item>""" for a in arts)
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
  <channel>
    <title>{BILINGUAL_SITE} - آخر الأخبار / Latest news</title>
    <link>{b}/bilingual/</link>
    <description>أخبار لبنان بالعربية والإنكليزية (نسخة تجريبية)</description>
    <language>ar</language>
    <lastBuildDate>{_rfc822(arts[0].published)}</lastBuildDate>
{items}
  </channel>
</rss>
"""
    return _xml(text, "application/rss+xml; charset=utf-8")


# ---------------------------------------------------------------------------------------------------------
# legacy: an old Arabic CMS. Legacy encodings, no or wrong charset declarations, mojibake; see content.LEGACY.
# ---------------------------------------------------------------------------------------------------------
LEGACY_SITE = "جريدة الكلمة"
LEGACY_CT = "text/html"                 # no charset
_CODECS = {"cp1256": "cp1256", "iso-8859-6": "iso8859_6"}
_AR_DIGIT_REFS = {0x0660 + d: f"&#{0x0660 + d};" for d in range(10)}
# 8 KB and more of inline script before the late charset declaration of 4004
_LEGACY_SCRIPT = "<script type=\"text/javascript\">\n" + "".join(
    f"var banner{i} = {{zone: 'top{i % 7}', width: 468, height: 60, src: '/ads/b{i}.gif', rotate: {i % 3}}};\n"
    for i in range(120)) + "</script>"


def legacy_encode(text: str, encoding: str) -> bytes:
    """``text`` in a legacy single-byte ``encoding``: Arabic-Indic digits (which neither windows-1256 nor
    ISO-8859-6 has) as numeric character references, anything else not encodable is an error."""
    return text.translate(_AR_DIGIT_REFS).encode(_CODECS[encoding], errors="strict")


def _legacy_page(title: str, head_extra: str, main: str, charset_tag: str = "") -> str:
    return f"""<html dir="rtl">
<head>
{charset_tag}<title>{escape(title)} - {LEGACY_SITE}</title>
{head_extra}
<style>body{{font-family:Tahoma}} td.title{{font-weight:bold}}</style>
</head>
<body bgcolor="#ffffff">
<table width="780" align="center" border="0" cellpadding="0" cellspacing="0">
<tr><td colspan="2" class="masthead"><a href="/legacy/"><img src="/static/logo.svg" alt="{LEGACY_SITE}" border="0"></a></td></tr>
<tr><td colspan="2" class="menu"><a href="/legacy/">الرئيسية</a> | <a href="/legacy/">محليات</a> | <a href="/legacy/">عربي ودولي</a> | <a href="/legacy/">اقتصاد</a> | <a href="#">الأرشيف</a></td></tr>
<tr>
<td width="600" valign="top">
{main}
</td>
<td width="180" valign="top" class="side"><b>إعلانات</b><br>للإعلان في الجريدة اتصل بقسم الإعلانات</td>
</tr>
<tr><td colspan="2" class="footer" align="center">جميع الحقوق محفوظة لجريدة الكلمة - موقع تجريبي</td></tr>
</table>
</body>
</html>
"""


def legacy_article(a: Article, ctx: Ctx) -> Response:
    garble = mojibake if a.encoding == "mojibake" else (lambda s: s)
    title, summary = garble(a.title), garble(a.summary)
    body = "\n".join(f"<p>{escape(garble(p))}</p>" for p in C.body(a, ctx.variant))
    # the "undated" variant's redesign dropped the date line from every page
    dated = a.page_date is not None and ctx.variant != "undated"
    date_row = f'<tr><td class="date"><font size="2" color="#666666">{escape(a.page_date)}</font></td></tr>\n' if dated else ""
    main = f"""<table width="100%" cellpadding="4">
{date_row}<tr><td class="title"><h1>{escape(title)}</h1></td></tr>
<tr><td class="text">
{body}
</td></tr>
<tr><td class="tools"><a href="#">طباعة</a> | <a href="#">أرسل لصديق</a></td></tr>
</table>"""
    head = f'<meta name="description" content="{escape(summary)}">'
    if a.encoding == "cp1256" and a.path.endswith("4004.htm"):
        # declared, but only after 8 KB of inline script
        charset = (_LEGACY_SCRIPT + "\n"
                   '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">\n')
    elif a.encoding in ("iso-8859-6", "mojibake"):
        # a lie for 4002 (ISO-8859-6 bytes); true for 4003's bytes, whose text is garbled all the same
        charset = '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
    else:
        charset = ""                     # no declaration anywhere
    page = _legacy_page(title, head, main, charset)
    if a.encoding == "mojibake":
        return Response(200, "text/html; charset=utf-8", page.encode("utf-8"))
    return Response(200, LEGACY_CT, legacy_encode(page, a.encoding))


def legacy_home(ctx: Ctx) -> Response:
    rows = "\n".join(f'<tr><td><a href="{a.path}"><b>{escape(a.title)}</b></a><br>{escape(a.summary)}</td></tr>'
                     for a in C.articles("legacy", ctx.variant))
    main = f'<table width="100%" cellpadding="4">\n<tr><td class="title">آخر الأخبار</td></tr>\n{rows}\n</table>'
    return Response(200, LEGACY_CT, legacy_encode(_legacy_page("الرئيسية", "", main), "cp1256"))


# ---------------------------------------------------------------------------------------------------------
# server-wide
# ---------------------------------------------------------------------------------------------------------
def robots_txt(ctx: Ctx) -> Response:
    b = ctx.base
    text = f"""# robots.txt for the newsmon sample news site
User-agent: *
Disallow: /wire/private/
Allow: /

Sitemap: {b}/wire/sitemap_index.xml
Sitemap: {b}/wire/sitemap-news.xml
"""
    return Response(200, "text/plain; charset=utf-8", text.encode("utf-8"))


def root_index(ctx: Ctx) -> Response:
    b = ctx.base
    text = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>newsmon sample news site</title></head>
<body><h1>newsmon sample news site</h1>
<ul>
<li><a href="{b}/almanar/">Al-Manar (sample)</a> - <a href="{b}/almanar/rss.xml">RSS</a></li>
<li><a href="{b}/wire/">Global Wire (sample)</a> - <a href="{b}/wire/atom.xml">Atom</a>, <a href="{b}/wire/sitemap_index.xml">sitemap index</a></li>
<li><a href="{b}/alakhbar/">Al-Akhbar (sample)</a></li>
<li><a href="{b}/broken/">Broken Feed Times (sample)</a></li>
<li><a href="{b}/farsi/">Tehran Daily (sample)</a> - <a href="{b}/farsi/rss.xml">RSS</a></li>
<li><a href="{b}/bilingual/">Beirut News (sample)</a> - <a href="{b}/bilingual/rss.xml">RSS</a></li>
<li><a href="{b}/legacy/">Al-Kalima (sample)</a></li>
</ul></body></html>
"""
    return _html(text)


def not_found(ctx: Ctx) -> Response:
    text = """<!DOCTYPE html>
<html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>404 - الصفحة غير موجودة</title></head>
<body><h1>404</h1><p>عذراً، الصفحة التي تبحث عنها غير موجودة. Page not found.</p></body></html>
"""
    return _html(text, status=404)


def server_error(ctx: Ctx) -> Response:
    text = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>500 Internal Server Error</title></head>
<body><h1>Internal Server Error</h1><p>The server encountered an internal error and was unable to complete your request.</p></body></html>
"""
    return _html(text, status=500)


def _redirect(ctx: Ctx, path: str) -> Response:
    return Response(301, "text/html; charset=utf-8", b"", {"Location": ctx.base + path})


_FIXED: dict[str, Callable[[Ctx], Response]] = {
    "/": root_index,
    "/robots.txt": robots_txt,
    "/static/logo.svg": lambda ctx: Response(200, "image/svg+xml", LOGO_SVG.encode()),
    "/static/site.css": lambda ctx: Response(200, "text/css", b"body{font-family:sans-serif}"),
    "/almanar/": almanar_home,
    "/almanar/rss.xml": almanar_rss,
    ALMANAR_DOSSIER: almanar_dossier,
    ALMANAR_500: server_error,
    "/wire/": wire_home,
    "/wire/atom.xml": wire_atom,
    "/wire/sitemap_index.xml": wire_sitemap_index,
    "/wire/sitemap-articles.xml": wire_sitemap_articles,
    "/wire/sitemap-news.xml": wire_sitemap_news,
    WIRE_PRIVATE: lambda ctx: wire_article(C.WIRE_PRIVATE, ctx),
    "/alakhbar/": lambda ctx: alakhbar_section(ctx, None),
    "/alakhbar/politics/": lambda ctx: alakhbar_section(ctx, "politics"),
    "/alakhbar/economy/": lambda ctx: alakhbar_section(ctx, "economy"),
    ALAKHBAR_500: server_error,
    "/broken/": broken_home,
    BROKEN_FEED: broken_feed,
    "/farsi/": farsi_home,
    "/farsi/rss.xml": farsi_rss,
    "/bilingual/": bilingual_home,
    "/bilingual/rss.xml": bilingual_rss,
    "/legacy/": legacy_home,
}
for _slug, _name in ALMANAR_CATEGORIES:
    _FIXED[f"/almanar/category/{_slug}/"] = (lambda name: lambda ctx: almanar_category(ctx, name))(_name)

_ARTICLE_RENDERERS = {"almanar": almanar_article, "wire": wire_article,
                      "alakhbar": alakhbar_article, "broken": broken_article,
                      "farsi": farsi_article, "bilingual": bilingual_article, "legacy": legacy_article}


def route(path: str, ctx: Ctx) -> Response:
    """The response for a request path (query string already stripped; it never changes the page)."""
    handler = _FIXED.get(path)
    if handler is not None:
        return handler(ctx)
    for a in C.articles(variant=ctx.variant):
        if a.path == path:
            resp = _ARTICLE_RENDERERS[a.source](a, ctx)
            if path == WIRE_SLOW:
                resp.delay = ctx.slow_seconds
            return resp
    if path + "/" in _FIXED:
        return _redirect(ctx, path + "/")
    return not_found(ctx)
