"""Which of a page's dates is its publication date, and which its last modification.

One chain, highest confidence first; the provenance string says which link answered:
  "selector"            the source's configured date selector
  "json-ld"             NewsArticle datePublished / dateModified
  "meta:<key>"          a <meta> key (article:published_time, ...)
  "time"                a <time datetime> (or its text)
  "url"                 /2023/09/20/, /20230920/, 2023-09-20 in the slug: day precision, naive midnight
  "text"                a Gregorian date in visible text near the headline or in a date/time/byline element
  "text:solar-hijri"    a Persian Solar Hijri date there (converted exactly)
  "text:relative"       "منذ 3 ساعات", "أمس", "3 hours ago": fetched_at minus that, aware
  "text:hijri"          a Hijri date, only when no Gregorian date is anywhere on the page (may be a day off)
  "htmldate"            htmldate's search, last; a January 1st it gives is kept only if the page says so
The spider ranks feed and sitemap dates above "url", "text*" and "htmldate".
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from crawler.extraction import jsonld, select
from crawler.extraction.dates import TextDate, best_text_date, find_text_dates, is_partial_date, parse_date
from crawler.extraction.meta import PageMeta

# <meta> keys in order of trust. The article:* family is OpenGraph's; the rest are CMS and analytics
# conventions (Parse.ly, Sailthru, Dublin Core, Google News) seen across news sites.
PUBLISHED_KEYS = (
    "article:published_time", "og:article:published_time", "article:published", "og:published_time",
    "published_time", "datepublished", "parsely-pub-date", "sailthru.date", "dcterms.issued", "dc.date.issued",
    "dcterms.created", "dc.date.created", "dc.date", "dcterms.date", "pubdate", "publishdate", "publish-date",
    "publish_date", "publication_date", "date_published", "article.published", "article_date_original",
    "original-publish-date", "cxenseparse:recs:publishtime", "og:pubdate", "datecreated", "date",
)
MODIFIED_KEYS = (
    "article:modified_time", "og:article:modified_time", "og:updated_time", "datemodified", "dcterms.modified",
    "dc.date.modified", "last-modified", "lastmod", "article.updated", "sailthru.lastmodified",
)


def find_published(tree: HtmlElement, meta: PageMeta, article: dict[str, Any], selector: str | None,
                   provenance: dict[str, str], *, url: str = "", fetched_at: datetime | None = None,
                   ) -> datetime | None:
    """Publication date: selector, JSON-LD, <meta>, <time>, the URL, visible text, then htmldate."""
    value = _find(tree, meta, article, selector, "datePublished", PUBLISHED_KEYS, provenance, "published_at")
    if value is not None:
        return value
    if _declared_partial(meta, article):
        # The publisher's own metadata states only a year or a month: the day is unknown, not something a
        # weaker source should fill in (and never the 1st).
        return None
    name = "published_at"
    from_url = url_date(url)
    from_text = text_date(tree, fetched_at)
    if from_url is not None:
        # The URL gives the day; the text near the headline may give the time of that same day.
        if from_text is not None and from_text.kind == "text" and from_text.value.date() == from_url.date():
            provenance[name] = "text"
            return from_text.value
        provenance[name] = "url"
        return from_url
    if from_text is not None:
        provenance[name] = from_text.kind
        return from_text.value
    return _htmldate(tree, provenance, name)


def find_modified(tree: HtmlElement, meta: PageMeta, article: dict[str, Any],
                  provenance: dict[str, str]) -> datetime | None:
    """Last-modified date, from JSON-LD and <meta> only: visible text rarely says which date is which."""
    return _find(tree, meta, article, None, "dateModified", MODIFIED_KEYS, provenance, "modified_at")


def _find(tree: HtmlElement, meta: PageMeta, article: dict[str, Any], selector: str | None, jsonld_key: str,
          meta_keys: tuple[str, ...], provenance: dict[str, str], name: str) -> datetime | None:
    if selector:
        for node in select.select(tree, selector):
            value = parse_date(select.date_text(node))
            if value:
                provenance[name] = "selector"
                return value
    value = parse_date(jsonld.text_of(article.get(jsonld_key)))
    if value:
        provenance[name] = "json-ld"
        return value
    for key in meta_keys:
        for raw in meta.all(key):
            value = parse_date(raw)
            if value:
                provenance[name] = f"meta:{key}"
                return value
    if name == "published_at":
        return _time_element(tree, provenance, name)
    return None


def _declared_partial(meta: PageMeta, article: dict[str, Any]) -> bool:
    declared = [jsonld.text_of(article.get("datePublished"))] + [raw for key in PUBLISHED_KEYS[:4]
                                                                   for raw in meta.all(key)]
    return any(is_partial_date(value) for value in declared if value)


def _time_element(tree: HtmlElement, provenance: dict[str, str], name: str) -> datetime | None:
    """The first <time> of the article itself: one in a sidebar, ticker or related list dates another story."""
    scope = _headline_scope(tree)
    for element in tree.iter("time"):
        if _elsewhere(element, scope):
            continue
        value = parse_date(element.get("datetime") or select.text_of(element))
        if value:
            provenance[name] = "time"
            return value
    return None


def _htmldate(tree: HtmlElement, provenance: dict[str, str], name: str) -> datetime | None:
    """htmldate's search of scripts, URLs and visible text: only when the page has no machine-readable date.
    original_date: otherwise it prefers the last-modified date. No extensive search: its free-text guesses
    include January 1st for dates it half-understands."""
    from htmldate import find_date  # imported on demand: few pages get this far

    found = find_date(tree, original_date=True, extensive_search=False)
    value = parse_date(found) if found else None
    if value and (value.month, value.day) == (1, 1) and not _says_new_year(tree, value.year):
        return None  # htmldate's stand-in for a date it half understood, not a stated January 1st
    if value:
        provenance[name] = "htmldate"
    return value


def _says_new_year(tree: HtmlElement, year: int) -> bool:
    """Whether the page's text or attributes write 1 January of year in digits (2024-01-01, 01.01.2024, ...)."""
    pattern = re.compile(rf"{year}[-/.]0?1[-/.]0?1(?!\d)|(?<!\d)0?1[-/.]0?1[-/.]{year}")
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        for text in (element.text, element.tail, *element.attrib.values()):
            if text and str(year) in text and pattern.search(text):
                return True
    return any(d.value.date().timetuple()[:3] == (year, 1, 1) for d in _all_text_dates(tree, None))


# ---------------------------------------------------------------------------------------------------------------
# The URL.

_URL_DATES = (
    re.compile(r"/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})(?=/|$|[-_.])"),                       # /2023/09/20/
    re.compile(r"(?<![0-9A-Za-z])((?:19|20)\d{2})-(\d{2})-(\d{2})(?![0-9])"),                # 2023-09-20 in the slug
    re.compile(r"(?<![0-9A-Za-z])((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?![0-9])"),  # /20230920/
)


def url_date(url: str) -> datetime | None:
    """The day a URL's path names, as naive midnight (day precision); None when it names none or only a month."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    for pattern in _URL_DATES:
        match = pattern.search(path)
        if match:
            try:
                return datetime(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError:
                continue
    return None


# ---------------------------------------------------------------------------------------------------------------
# Visible text.

# Elements that hold a date line, by class or id; and containers whose dates belong to other articles.
_DATE_HINT = re.compile(r"date|time|publish|posted|byline|dateline|tarikh|تاريخ", re.IGNORECASE)
_NOT_A_DATE_HINT = re.compile(r"update|modif|timeline|runtime|reading-?time|read-?time", re.IGNORECASE)
# Matched at the start of a class/id word: "related-posts", "sidebarRight", "most-read", "photo-caption".
_ELSEWHERE = re.compile(
    r"(?:^|[\s_-])(?:related|sidebar|aside|footer|comment|widget|recommend|popular|most-?read|trending|ticker|"
    r"teaser|more-?news|read-?more|latest|nav|menu|breadcrumb|share|social|newsletter|advert|caption|credit|"
    r"photo|picbox|gallery|image|img)",
    re.IGNORECASE)
# figcaption: a photo's caption dates the photo ("Bachmut, 24. April 2023"), not the article.
_ELSEWHERE_TAGS = frozenset({"aside", "footer", "nav", "form", "button", "select", "option", "figcaption",
                             "figure", "caption", "blockquote"})
_PROSE_TAGS = frozenset({"p", "li", "td", "dd"})
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "head", "title", "meta", "link"})
_MAX_LINE = 160  # longer text is a paragraph of the article or a list, not a date line
_NEAR_H1 = (12, 60)  # elements before and after the headline scanned for short date lines


def text_date(tree: HtmlElement, fetched_at: datetime | None = None) -> TextDate | None:
    """The publication date the page shows as text: date/time/byline elements and short lines near the <h1>,
    nearest the headline first; sidebars, related-article lists and footers are not read. A Gregorian or Solar
    Hijri date first, then a relative one; a Hijri date only when no Gregorian date is anywhere on the page."""
    if fetched_at is not None and fetched_at.tzinfo is None:
        fetched_at = fetched_at.replace(tzinfo=timezone.utc)
    found = [d for text in _candidate_lines(tree) for d in find_text_dates(text, fetched_at)]
    best = best_text_date(found)
    if best is not None and best.kind == "text:hijri":
        if any(d.kind == "text" for d in _all_text_dates(tree, None)):
            return None
    return best


def _candidate_lines(tree: HtmlElement) -> list[str]:
    body = tree.find("body")
    if body is None:
        return []
    elements = [e for e in body.iter() if isinstance(e.tag, str) and e.tag not in _SKIP_TAGS]
    position = {id(e): i for i, e in enumerate(elements)}
    h1 = next((e for e in elements if e.tag == "h1" and select.text_of(e) and not _elsewhere(e)), None)
    anchor = position[id(h1)] if h1 is not None else 0
    article = frozenset((h1, *h1.iterancestors())) if h1 is not None else frozenset()
    scored: list[tuple[float, int, str]] = []
    seen: set[str] = set()

    def add(element: HtmlElement, text: str, bonus: float) -> None:
        text = " ".join(text.split())
        if not text or len(text) > _MAX_LINE or text in seen:
            return
        seen.add(text)
        index = position[id(element)]
        distance = index - anchor if index >= anchor else (anchor - index) * 2  # below the headline first
        scored.append((distance - bonus, index, text))

    for element in elements:
        label = f"{element.get('class') or ''} {element.get('id') or ''} {element.get('itemprop') or ''}"
        if _DATE_HINT.search(label) and not _NOT_A_DATE_HINT.search(label) and not _elsewhere(element, article):
            add(element, select.text_of(element), 1000.0)
    if h1 is not None:
        start, end = max(0, anchor - _NEAR_H1[0]), min(len(elements), anchor + _NEAR_H1[1])
        for element in elements[start:end]:
            if element is h1 or _elsewhere(element, article) or _in_prose(element):
                continue
            for text in (element.text, element.tail):
                if text and text.strip():
                    add(element, text, 0.0)
            if len(element) == 0 or element.tag in ("p", "span", "div", "li", "small"):
                add(element, select.text_of(element), 0.0)
    scored.sort()
    return [text for _, _, text in scored]


def _in_prose(element: HtmlElement) -> bool:
    """Part of a paragraph of the article: a date there is something the article talks about."""
    node = element
    for _ in range(4):
        if node is None:
            return False
        if node.tag in _PROSE_TAGS:
            return len(select.text_of(node)) > _MAX_LINE
        node = node.getparent()
    return False


def _elsewhere(element: HtmlElement, article: frozenset[HtmlElement] = frozenset()) -> bool:
    """Inside a sidebar, a related-articles list, navigation, the footer, a photo caption, or a <header>
    without the headline (the site's masthead, which often shows today's date). Only the containers below the
    headline's own (article holds the <h1> and its ancestors) are looked at: the article's wrapper
    may well be called "node--promoted" or sit in a "content-list".

    The set holds the elements themselves, not their id()s: lxml makes element proxies on demand, and the id
    of a proxy nobody holds is soon reused by another."""
    node = element
    while node is not None and node not in article and node.tag not in ("body", "html"):  # a page-wide class says nothing
        if node.tag in _ELSEWHERE_TAGS or (node.tag == "header" and node.find(".//h1") is None):
            return True
        label = f"{node.get('class') or ''} {node.get('id') or ''}"
        if label.strip() and _ELSEWHERE.search(label):
            return True
        node = node.getparent()
    return False


def _headline_scope(tree: HtmlElement) -> frozenset[HtmlElement]:
    """The headline <h1> and its ancestors (see _elsewhere)."""
    h1 = next((e for e in tree.iter("h1") if select.text_of(e) and not _elsewhere(e)), None)
    return frozenset((h1, *h1.iterancestors())) if h1 is not None else frozenset()


def _all_text_dates(tree: HtmlElement, fetched_at: datetime | None) -> list[TextDate]:
    """Every date in the page's visible text, wherever it is: DESIGN.md's rule is that a Hijri date is never
    preferred to a Gregorian one on the same page, so even a masthead or sidebar date counts here."""
    body = tree.find("body")
    if body is None:
        return []
    text = " ".join(select.text_of(body).split())
    return find_text_dates(text, fetched_at) if text else []
