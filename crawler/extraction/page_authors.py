"""Where a page names its authors: config selector, JSON-LD, <meta>, the visible byline."""

from __future__ import annotations

import re
from typing import Any

from lxml import etree
from lxml.html import HtmlElement

from crawler.extraction import select
from crawler.extraction.authors import clean_authors
from crawler.extraction.meta import PageMeta
from crawler.extraction.site import SiteNames

# <meta> keys that carry bylines, in order of trust.
AUTHOR_KEYS = (
    "author", "article:author", "og:article:author", "parsely-author", "sailthru.author", "dc.creator",
    "dcterms.creator", "byl", "cxenseparse:author", "article.author",
)
# rel=author links, schema.org microdata, and class names like "author-name", "byline__author", "c-byline".
_BYLINE_XPATH = etree.XPath(
    "//*[@itemprop='author']//*[@itemprop='name'] | //*[@itemprop='author'][not(.//*[@itemprop='name'])]"
    " | //a[contains(concat(' ', normalize-space(@rel), ' '), ' author ')]"
    " | //*[contains(@class, 'author') or contains(@class, 'byline') or contains(@class, 'Author')"
    " or contains(@class, 'Byline')]"
)
# Author boxes that are not bylines: biographies, avatars, "more by this author" lists.
_NOT_BYLINE = re.compile(r"bio|avatar|image|img|photo|pic|description|desc|follow|social|more|list|about|box|"
                         r"teaser|related|comment", re.IGNORECASE)
_MAX_CHARS = 120
_MAX_NODES = 6
_NOT_TEXT = frozenset({"meta", "link", "img", "script", "style", "input", "textarea", "button"})


def _byline_texts(tree: HtmlElement) -> list[str]:
    """Short texts of the page's byline-looking elements, in page order; forms (comment boxes) excluded."""
    texts: list[str] = []
    for node in _BYLINE_XPATH(tree):
        if _NOT_BYLINE.search(node.get("class") or "") or node.tag in _NOT_TEXT:
            continue
        if any(ancestor.tag in ("form", "footer", "nav") for ancestor in node.iterancestors()):
            continue
        text = select.text_of(node)
        if text and len(text) <= _MAX_CHARS:
            texts.append(text)
            if len(texts) >= _MAX_NODES:
                break
    return texts


def find_authors(tree: HtmlElement, meta: PageMeta, article: dict[str, Any], selector: str | None,
                 site: SiteNames, provenance: dict[str, str]) -> list[str]:
    """Authors: selector, JSON-LD, <meta>, the visible byline, and last the outlet the page names as author."""
    if selector:
        # The user chose these nodes: keep what they say, but still split "A and B" and strip "By".
        names = clean_authors(select.text_of(n) for n in select.select(tree, selector))
        if names:
            provenance["authors"] = "selector"
            return names
    names = clean_authors([article.get("author") or [], article.get("creator") or []], site)
    if names:
        provenance["authors"] = "json-ld"
        return names
    for key in AUTHOR_KEYS:
        names = clean_authors(meta.all(key), site)
        if names:
            provenance["authors"] = f"meta:{key}"
            return names
    # The first byline element that holds a name: later ones are usually other articles' or photo credits.
    for text in _byline_texts(tree):
        names = clean_authors([text], site)
        if names:
            provenance["authors"] = "byline"
            return names
    # No person or agency anywhere: the page itself names the outlet as author ("BBC News"; sites without
    # bylines). Keep that rather than nothing, flagged in provenance so it can be told apart.
    sources = [("json-ld", [article.get("author") or []]), *((f"meta:{k}", meta.all(k)) for k in AUTHOR_KEYS)]
    for source, values in sources:
        names = clean_authors(values)
        if names:
            provenance["authors"] = f"{source} (organisation)"
            return names
    return []
