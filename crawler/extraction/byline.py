"""Last resort for authors: the visible byline, found by the markup conventions sites share."""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

from crawler.extraction.select import text_of

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


def byline_texts(tree: HtmlElement) -> list[str]:
    """Short texts of the page's byline-looking elements, in page order; forms (comment boxes) excluded."""
    texts: list[str] = []
    for node in _BYLINE_XPATH(tree):
        if _NOT_BYLINE.search(node.get("class") or "") or node.tag in _NOT_TEXT:
            continue
        if any(ancestor.tag in ("form", "footer", "nav") for ancestor in node.iterancestors()):
            continue
        text = text_of(node)
        if text and len(text) <= _MAX_CHARS:
            texts.append(text)
            if len(texts) >= _MAX_NODES:
                break
    return texts
