"""Find the article a page describes in its JSON-LD (schema.org), through @graph, lists and mainEntity."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from lxml.html import HtmlElement

# schema.org types that are (or subclass) a news/blog article.
ARTICLE_TYPES = frozenset({
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
    "backgroundnewsarticle", "reviewnewsarticle", "askpublicnewsarticle", "factcheck", "blogposting",
    "liveblogposting", "socialmediaposting", "report", "techarticle", "scholarlyarticle", "satiricalarticle",
    "advertisercontentarticle", "medicalscholarlyarticle", "discussionforumposting", "review", "creativework",
})
# Types that mark a page as a listing or profile rather than one article.
LISTING_TYPES = frozenset({
    "collectionpage", "itemlist", "searchresultspage", "profilepage", "contactpage", "aboutpage", "faqpage",
})
_JSON_COMMENTS = re.compile(r"^\s*(?://[^\n]*|<!--|-->|/\*.*?\*/)", re.MULTILINE | re.DOTALL)


def read_jsonld(tree: HtmlElement) -> list[dict[str, Any]]:
    """Every JSON object in the page's ld+json scripts, flattened (lists, @graph and nested mainEntity)."""
    objects: list[dict[str, Any]] = []
    for script in tree.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        data = _loads(script.text or "")
        if data is not None:
            objects.extend(_flatten(data))
    return objects


def types_of(obj: dict[str, Any]) -> set[str]:
    value = obj.get("@type")
    values = value if isinstance(value, list) else [value]
    # "http://schema.org/NewsArticle" and "schema:NewsArticle" occur too.
    return {str(v).rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower() for v in values if v}


def find_article(objects: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The object that best describes this page's article: an article type with the most of the fields we use.
    Related-article teasers are usually shorter, so completeness breaks ties better than position."""
    best, best_score = None, 0
    for obj in objects:
        types = types_of(obj)
        if not types & ARTICLE_TYPES:
            continue
        score = 1 + sum(1 for key in ("headline", "datePublished", "author", "articleBody", "publisher")
                        if obj.get(key))
        if "creativework" in types or "review" in types:
            score -= 1  # generic types: only when nothing more specific exists
        if score > best_score:
            best, best_score = obj, score
    return best


def is_listing(objects: list[dict[str, Any]]) -> bool:
    return any(types_of(obj) & LISTING_TYPES for obj in objects)


def text_of(value: Any) -> str | None:
    """A schema.org value as text: strings as they are, {"name": …} / {"@value": …} objects by their name."""
    if isinstance(value, list):
        for item in value:
            text = text_of(item)
            if text:
                return text
        return None
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or value.get("text")
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        text = " ".join(str(value).split())
        return text or None
    return None


def _loads(text: str) -> Any:
    text = text.strip()
    if text.startswith("<![CDATA["):
        text = text[9:].removesuffix("]]>")
    text = _JSON_COMMENTS.sub("", text).strip().rstrip(";")
    try:
        return json.loads(text, strict=False)  # strict=False: raw newlines/tabs inside strings are common
    except ValueError:
        pass
    # A trailing comma or two concatenated objects: try the first complete value.
    try:
        return json.JSONDecoder(strict=False).raw_decode(text)[0]
    except ValueError:
        return None


def _flatten(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 4:
        return
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item, depth + 1)
    elif isinstance(data, dict):
        if "@graph" in data:
            yield from _flatten(data["@graph"], depth + 1)
        if "@type" in data:
            yield data
        main = data.get("mainEntity") or data.get("mainEntityOfPage")
        if isinstance(main, (dict, list)):
            yield from _flatten(main, depth + 1)
