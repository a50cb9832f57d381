"""extract_article: one fetched page → title, body, dates, authors and the metadata around them.

Each field is taken from the most trustworthy source that has it, in this order: per-source selectors from
config, JSON-LD, OpenGraph / article:* / other <meta>, <time datetime>, then the visible page. Which source won
is recorded in Extracted.provenance, so a broken source can be diagnosed from stored rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urljoin

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from crawler.extraction import jsonld, select
from crawler.extraction.body import extract_body, join_paragraphs, jsonld_body
from crawler.extraction.charset import decode_html
from crawler.extraction.meta import PageMeta, read_meta
from crawler.extraction.page_authors import find_authors
from crawler.extraction.page_dates import find_published, find_modified
from crawler.extraction.site import SiteNames
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


_ARTICLE_OG_TYPES = ("article", "news", "newsarticle", "blog", "blogposting")
_NON_ARTICLE_OG_TYPES = ("website", "profile", "video.other", "video.movie", "music.song", "book")
# Fewer words than this is a teaser or a listing blurb, not an article body.
_MIN_BODY_WORDS = 40
_MIN_BODY_CHARS = 200  # for scripts written without spaces (Chinese, Japanese)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


def extract_article(html: str | bytes, url: str, *, selectors: Selectors | None = None,
                    fetched_at: datetime | None = None, http_charset: str | None = None) -> Extracted:
    """Extract an article from a fetched page. Raises ExtractError only for a page that is not HTML at all.
    fetched_at (default: now, UTC) is what relative dates on the page ("3 hours ago", "أمس") count back from;
    http_charset is the charset the server named in Content-Type, one clue among others for decoding bytes."""
    selectors = selectors or Selectors()
    fetched_at = fetched_at or datetime.now(timezone.utc)
    tree = _parse(decode_html(html, http_charset=http_charset))
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
    published = find_published(tree, meta, article, selectors.date, provenance, url=url, fetched_at=fetched_at)
    modified = find_modified(tree, meta, article, provenance)
    site = SiteNames([site_name, jsonld.text_of(article.get("publisher"))], url)
    authors = find_authors(tree, meta, article, selectors.authors, site, provenance)
    # <html lang> first: on extraction-dev it is present on 97% of pages and right on 97% of those;
    # og:locale is often a CMS default (en_US on Zulu pages) and JSON-LD inLanguage was right less often.
    language = pick(
        "language",
        ("html-lang", _primary_subtag(meta.html_lang)),
        ("meta:og:locale", _primary_subtag(_meta_value(meta, "og:locale"))),
        ("json-ld", _primary_subtag(jsonld.text_of(article.get("inLanguage")))),
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
    body = _body(tree, url, selectors, article, title, provenance)  # last: trafilatura consumes the tree
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


def _body(tree: HtmlElement, url: str, selectors: Selectors, article: dict, title: str | None,
          provenance: dict[str, str]) -> str | None:
    if selectors.body:
        text = join_paragraphs(select.paragraphs(select.select(tree, selectors.body)))
        if text:
            provenance["body"] = "selector"
            return text
    text = extract_body(tree, url, title)
    # JSON-LD articleBody is often a teaser, so trafilatura's text comes first; but when the page renders
    # only part of the article (paywalls, "read more" loaders), the full articleBody is the better text.
    full = jsonld_body(article.get("articleBody"))
    if full and len(full.split()) >= _MIN_BODY_WORDS and len(full.split()) > 1.5 * len((text or "").split()):
        provenance["body"] = "json-ld"
        return full
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


# Codes pages use that are not the ISO 639-1 primary subtag langdetect (the language step) reports.
_LANGUAGE_ALIASES = {
    "nb": "no", "nn": "no", "iw": "he", "in": "id", "ji": "yi", "eng": "en", "ara": "ar", "fas": "fa",
    "per": "fa", "fra": "fr", "fre": "fr", "deu": "de", "ger": "de", "spa": "es", "rus": "ru", "zho": "zh",
    "chi": "zh", "jpn": "ja", "kor": "ko", "tur": "tr", "urd": "ur", "heb": "he", "ita": "it", "por": "pt",
    "nld": "nl", "dut": "nl", "swe": "sv", "nor": "no", "dan": "da", "pol": "pl", "ces": "cs", "cze": "cs",
}


def _primary_subtag(value: str | None) -> str | None:
    if not value:
        return None
    tag = re.split(r"[-_\s]", value.strip(), maxsplit=1)[0].lower()
    tag = _LANGUAGE_ALIASES.get(tag, tag)
    return tag if re.fullmatch(r"[a-z]{2}", tag) else None


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
