"""Read a page's <meta> tags, <link rel> and <html lang> once into a lookup the field extractors share."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml.html import HtmlElement


@dataclass
class PageMeta:
    """meta[name|property|itemprop] → contents in page order; keys are lowercased."""

    values: dict[str, list[str]] = field(default_factory=dict)
    links: dict[str, list[str]] = field(default_factory=dict)  # rel → hrefs
    html_lang: str | None = None

    def first(self, *keys: str) -> tuple[str, str] | None:
        """The first non-empty value of the first key present, with the key: ("og:title", "…")."""
        for key in keys:
            for value in self.values.get(key, ()):
                if value:
                    return key, value
        return None

    def all(self, key: str) -> list[str]:
        return [v for v in self.values.get(key, ()) if v]


def read_meta(tree: HtmlElement) -> PageMeta:
    meta = PageMeta()
    for element in tree.iter("meta"):
        content = element.get("content")
        if content is None:
            continue
        content = " ".join(content.split())
        # A tag may carry both name and property (some CMSs do); index it under each.
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = element.get(attr)
            if key:
                meta.values.setdefault(key.strip().lower(), []).append(content)
    for element in tree.iter("link"):
        href, rel = element.get("href"), element.get("rel")
        if href and rel:
            for token in rel.lower().split():
                meta.links.setdefault(token, []).append(href.strip())
    lang = tree.get("lang") or tree.get("xml:lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    meta.html_lang = lang.strip() if lang else None
    return meta
