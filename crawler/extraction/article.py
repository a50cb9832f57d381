"""extract_article: one fetched page → title, body, dates, authors and the metadata around them.

Each field is taken from the most trustworthy source that has it, in this order: per-source selectors from
config, JSON-LD, OpenGraph / article:* / other <meta>, <time datetime>, then the visible page. Which source won
is recorded in Extracted.provenance, so a broken source can be diagnosed from stored rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from crawler.extraction import authors as authors_mod
from crawler.extraction import jsonld, select
from crawler.extraction.body import extract_body, join_paragraphs
from crawler.extraction.charset import decode_html
from crawler.extraction.dates import parse_date
from crawler.extraction.meta import PageMeta, read_meta
from crawler.extraction.site import SiteNames
from crawler.extraction.byline import byline_texts
from crawler.extraction.titles import choose_title
from newsmon.errors import ExtractError


@dataclass(frozen=True)
class Selectors:
    """Per-source overrides from config; each a CSS selector, or XPath if it starts with "/" or "("."""

    title: str | None = None
    body: str | None = None
    date: str | None = None
    authors: str | None = None


@dataclass
class Extracted:
    title: str | None
    body: str | None  # paragraphs separated by "\n\n"; None when the page has no article body
    published_at: datetime | None  # aware if the page gave an offset, else naive (caller applies source tz)
    modified_at: datetime | None
    authors: list[str]
    language: str | None  # primary subtag, lowercase: "ar", "en"
    section: str | None
    tags: list[str]
    image: str | None  # absolute URL
    canonical_url: str | None  # absolute URL
    site_name: str | None
    description: str | None
    is_article: bool
    provenance: dict[str, str] = field(default_factory=dict)


# <meta> keys in order of trust. The article:* family is OpenGraph's; the rest are CMS and analytics
# conventions (Parse.ly, Sailthru, Dublin Core, Google News) seen across news sites.
_PUBLISHED_KEYS = (
    "article:published_time", "og:article:published_time", "article:published", "og:published_time",
    "published_time", "datepublished", "parsely-pub-date", "sailthru.date", "dcterms.issued", "dc.date.issued",
    "dcterms.created", "dc.date.created", "dc.date", "dcterms.date", "pubdate", "publishdate", "publish-date",
    "publish_date", "publication_date", "date_published", "article.published", "article_date_original",
    "original-publish-date", "cxenseparse:recs:publishtime", "og:pubdate", "datecreated", "date",
)
_MODIFIED_KEYS = (
    "article:modified_time", "og:article:modified_time", "og:updated_time", "datemodified", "dcterms.modified",
    "dc.date.modified", "last-modified", "lastmod", "article.updated", "sailthru.lastmodified",
)
_AUTHOR_KEYS = (
    "author", "article:author", "og:article:author", "parsely-author", "sailthru.author", "dc.creator",
    "dcterms.creator", "byl", "cxenseparse:author", "article.author",
)
_ARTICLE_OG_TYPES = ("article", "news", "newsarticle", "blog", "blogposting")
_NON_ARTICLE_OG_TYPES = ("website", "profile", "video.other", "video.movie", "music.song", "book")
# Fewer words than this is a teaser or a listing blurb, not an article body.
_MIN_BODY_WORDS = 40
_MIN_BODY_CHARS = 200  # for scripts written without spaces (Chinese, Japanese)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


def extract_article(html: str | bytes, url: str, *, selectors: Selectors | None = None) -> Extracted:
    """Extract an article from a fetched page. Raises ExtractError only for a page that is not HTML at all."""
    selectors = selectors or Selectors()
    tree = _parse(decode_html(html))
    meta = read_meta(tree)
    objects = jsonld.read_jsonld(tree)
    article = jsonld.find_article(objects) or {}
    provenance: dict[str, str] = {}

    def pick(name: str, *candidates: tuple[str, Any]) -> Any:
        for source, value in candidates:
            if value:
                provenance[name] = source
                return value
        return None

    site_name = pick(
        "site_name",
        ("meta:og:site_name", _meta_value(meta, "og:site_name")),
        ("json-ld", jsonld.text_of(article.get("publisher"))),
        ("meta:application-name", _meta_value(meta, "application-name")),
    )
    title = _title(tree, meta, article, selectors, site_name, url, provenance)
    published = _date(tree, meta, article, selectors, "datePublished", _PUBLISHED_KEYS, provenance, "published_at")
    modified = _date(tree, meta, article, Selectors(), "dateModified", _MODIFIED_KEYS, provenance, "modified_at")
    site = SiteNames([site_name, jsonld.text_of(article.get("publisher"))], url)
    authors = _authors(tree, meta, article, selectors, site, provenance)
    language = pick(
        "language",
        ("json-ld", _primary_subtag(jsonld.text_of(article.get("inLanguage")))),
        ("meta:og:locale", _primary_subtag(_meta_value(meta, "og:locale"))),
        ("html-lang", _primary_subtag(meta.html_lang)),
        ("meta:content-language", _primary_subtag(_meta_value(meta, "content-language", "language"))),
    )
    section = pick(
        "section",
        ("json-ld", jsonld.text_of(article.get("articleSection"))),
        ("meta:article:section", _meta_value(meta, "article:section")),
        ("meta:parsely-section", _meta_value(meta, "parsely-section")),
        ("meta:section", _meta_value(meta, "section", "content_category", "category")),
    )
    tags = pick(
        "tags",
        ("json-ld", _keywords(article.get("keywords"))),
        ("meta:article:tag", _dedupe(meta.all("article:tag"))),
        ("meta:news_keywords", _keywords(_meta_value(meta, "news_keywords"))),
        ("meta:keywords", _keywords(_meta_value(meta, "keywords"))),
    ) or []
    image = pick(
        "image",
        ("json-ld", _absolute(url, _image_url(article.get("image")))),
        ("meta:og:image", _absolute(url, _meta_value(meta, "og:image", "og:image:url", "og:image:secure_url"))),
        ("meta:twitter:image", _absolute(url, _meta_value(meta, "twitter:image", "twitter:image:src"))),
    )
    canonical = pick(
        "canonical_url",
        ("link:canonical", _absolute(url, (meta.links.get("canonical") or [None])[0])),
        ("meta:og:url", _absolute(url, _meta_value(meta, "og:url"))),
        ("json-ld", _absolute(url, jsonld.text_of(article.get("url")))),
    )
    description = pick(
        "description",
        ("json-ld", jsonld.text_of(article.get("description"))),
        ("meta:og:description", _meta_value(meta, "og:description")),
        ("meta:description", _meta_value(meta, "description")),
    )
    body = _body(tree, url, selectors, provenance)  # last: trafilatura consumes the tree
    return Extracted(
        title=title,
        body=body,
        published_at=published,
        modified_at=modified,
        authors=authors,
        language=language,
        section=section,
        tags=tags,
        image=image,
        canonical_url=canonical,
        site_name=site_name,
        description=description,
        is_article=_is_article(body, meta, article, objects, published),
        provenance=provenance,
    )


def _parse(text: str) -> HtmlElement:
    text = _XML_DECLARATION.sub("", text, count=1)  # lxml refuses str input that declares an encoding
    if not text.strip():
        raise ExtractError("empty page")
    try:
        tree = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractError(f"not an HTML page: {exc}") from exc
    return tree


def _meta_value(meta: PageMeta, *keys: str) -> str | None:
    found = meta.first(*keys)
    return found[1] if found else None


def _title(tree: HtmlElement, meta: PageMeta, article: dict, selectors: Selectors, site_name: str | None,
           url: str, provenance: dict[str, str]) -> str | None:
    if selectors.title:
        text = select.first_text(tree, selectors.title)
        if text:
            provenance["title"] = "selector"
            return text
    candidates = [
        ("json-ld", jsonld.text_of(article.get("headline")) or ""),
        ("meta:og:title", _meta_value(meta, "og:title") or ""),
        ("meta:twitter:title", _meta_value(meta, "twitter:title") or ""),
        ("h1", _h1(tree)),
        ("title", select.text_of(tree.find(".//title")) if tree.find(".//title") is not None else ""),
    ]
    section = jsonld.text_of(article.get("articleSection")) or _meta_value(
        meta, "article:section", "parsely-section", "section", "content_category", "category")
    chosen = choose_title(candidates, site_name, url, section)
    if chosen is None:
        return None
    provenance["title"] = chosen[0]
    return chosen[1]


# Text inside a headline that is there only for screen readers.
_HIDDEN_CLASS = re.compile(r"offscreen|sr-only|visually-?hidden|screen-?reader", re.IGNORECASE)


def _h1(tree: HtmlElement) -> str:
    """Text of the first non-empty <h1>. A kicker set inside it stays: on most sites it is part of the title."""
    for h1 in tree.iter("h1"):
        for child in list(h1.iterdescendants()):
            if isinstance(child.tag, str) and (
                _HIDDEN_CLASS.search(child.get("class") or "") or child.get("aria-hidden") == "true"
            ):
                child.drop_tree()
        text = select.text_of(h1)
        if text:
            return text
    return ""


def _date(tree: HtmlElement, meta: PageMeta, article: dict, selectors: Selectors, jsonld_key: str,
          meta_keys: tuple[str, ...], provenance: dict[str, str], name: str) -> datetime | None:
    if selectors.date:
        for node in select.select(tree, selectors.date):
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


def _time_element(tree: HtmlElement, provenance: dict[str, str], name: str) -> datetime | None:
    for element in tree.iter("time"):
        value = parse_date(element.get("datetime") or select.text_of(element))
        if value:
            provenance[name] = "time"
            return value
    return None


def _authors(tree: HtmlElement, meta: PageMeta, article: dict, selectors: Selectors, site: SiteNames,
             provenance: dict[str, str]) -> list[str]:
    if selectors.authors:
        # The user chose these nodes: keep what they say, but still split "A and B" and strip "By".
        names = authors_mod.clean_authors(select.text_of(n) for n in select.select(tree, selectors.authors))
        if names:
            provenance["authors"] = "selector"
            return names
    names = authors_mod.clean_authors([article.get("author") or [], article.get("creator") or []], site)
    if names:
        provenance["authors"] = "json-ld"
        return names
    for key in _AUTHOR_KEYS:
        names = authors_mod.clean_authors(meta.all(key), site)
        if names:
            provenance["authors"] = f"meta:{key}"
            return names
    # The first byline element that holds a name: later ones are usually other articles' or photo credits.
    for text in byline_texts(tree):
        names = authors_mod.clean_authors([text], site)
        if names:
            provenance["authors"] = "byline"
            return names
    # No person or agency anywhere: the page itself names the outlet as author ("BBC News"; sites without
    # bylines). Keep that rather than nothing, flagged in provenance so it can be told apart.
    for source, values in [("json-ld", [article.get("author") or []]), *((f"meta:{k}", meta.all(k)) for k in _AUTHOR_KEYS)]:
        names = authors_mod.clean_authors(values)
        if names:
            provenance["authors"] = f"{source} (organisation)"
            return names
    return []


def _body(tree: HtmlElement, url: str, selectors: Selectors, provenance: dict[str, str]) -> str | None:
    if selectors.body:
        text = join_paragraphs(select.paragraphs(select.select(tree, selectors.body)))
        if text:
            provenance["body"] = "selector"
            return text
    text = extract_body(tree, url)
    if text:
        provenance["body"] = "trafilatura"
    return text


def _is_article(body: str | None, meta: PageMeta, article: dict, objects: list[dict],
                published: datetime | None) -> bool:
    """A page is an article when it has a real body and does not declare itself a listing or profile."""
    if not body or (len(body.split()) < _MIN_BODY_WORDS and len(body) < _MIN_BODY_CHARS):
        return False
    og_type = (_meta_value(meta, "og:type") or "").lower()
    if article or og_type in _ARTICLE_OG_TYPES or meta.first("article:published_time"):
        return True
    # Many article pages wrongly say og:type=website; only a listing without a date counts against them.
    declared_other = og_type in _NON_ARTICLE_OG_TYPES or jsonld.is_listing(objects)
    return not (declared_other and published is None)


def _primary_subtag(value: str | None) -> str | None:
    if not value:
        return None
    tag = re.split(r"[-_\s]", value.strip(), maxsplit=1)[0].lower()
    return tag if re.fullmatch(r"[a-z]{2,3}", tag) else None


def _keywords(value: Any) -> list[str]:
    if isinstance(value, list):
        items = [jsonld.text_of(v) or "" for v in value]
    elif isinstance(value, str):
        items = value.split(",")
    else:
        return []
    return _dedupe(" ".join(i.split()) for i in items)


def _dedupe(items: Any) -> list[str]:
    out: list[str] = []
    for item in items:
        if item and item not in out:
            out.append(item)
    return out


def _image_url(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl")
    return value if isinstance(value, str) else None


def _absolute(base: str, href: str | None) -> str | None:
    if not href or not href.strip():
        return None
    absolute = urljoin(base, href.strip())
    return absolute if absolute.startswith(("http://", "https://")) else None
