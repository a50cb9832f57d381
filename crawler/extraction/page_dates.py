"""Which of a page's dates is its publication date, and which its last modification."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lxml.html import HtmlElement

from crawler.extraction import jsonld, select
from crawler.extraction.dates import parse_date
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
                   provenance: dict[str, str]) -> datetime | None:
    """Publication date: selector, JSON-LD, <meta>, <time>, then htmldate's search of the page."""
    return _find(tree, meta, article, selector, "datePublished", PUBLISHED_KEYS, provenance, "published_at")


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
        return _time_element(tree, provenance, name) or _htmldate(tree, provenance, name)
    return None


def _time_element(tree: HtmlElement, provenance: dict[str, str], name: str) -> datetime | None:
    for element in tree.iter("time"):
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
    if value:
        provenance[name] = "htmldate"
    return value
