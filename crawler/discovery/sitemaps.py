"""XML sitemaps (index, urlset, Google News extension) and robots.txt ``Sitemap:`` lines → leads."""

from __future__ import annotations

import gzip
import io
from dataclasses import dataclass, field

from lxml import etree
from scrapy.utils.sitemap import sitemap_urls_from_robots

from crawler.discovery.leads import Lead, parse_iso
from newsmon.errors import FetchError

_MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemaps.org limit for one uncompressed file


@dataclass
class SitemapContent:
    sitemaps: list[str] = field(default_factory=list)  # child sitemaps of an index (or robots.txt)
    leads: list[Lead] = field(default_factory=list)


def parse_sitemap(body: bytes, url: str) -> SitemapContent:
    """The child sitemaps and page leads in a sitemap, sitemap index or robots.txt body."""
    if url.rstrip("/").endswith("/robots.txt"):
        return SitemapContent(sitemaps=list(sitemap_urls_from_robots(body, base_url=url)))
    body = _gunzip(body, url)
    try:
        parser = etree.XMLParser(recover=True, remove_comments=True, resolve_entities=False, huge_tree=False)
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise FetchError(f"invalid sitemap {url}: {exc}") from exc
    if root is None:
        raise FetchError(f"invalid sitemap {url}: not XML")
    kind = etree.QName(root).localname
    content = SitemapContent()
    if kind == "sitemapindex":
        content.sitemaps = [loc for entry in root if (loc := _child_text(entry, "loc"))]
    elif kind == "urlset":
        content.leads = [lead for entry in root if (lead := _lead(entry))]
    else:
        raise FetchError(f"invalid sitemap {url}: root element <{kind}>")
    return content


def _lead(entry: etree._Element) -> Lead | None:
    loc = _child_text(entry, "loc")
    if not loc:
        return None
    news = next((child for child in entry if etree.QName(child).localname == "news"), None)
    title = published = None
    language = None
    if news is not None:
        title = _descendant_text(news, "title")
        published = parse_iso(_descendant_text(news, "publication_date"))
        language = _descendant_text(news, "language")
    return Lead(
        url=loc,
        via="sitemap",
        title=title,
        published=published,
        modified=parse_iso(_child_text(entry, "lastmod")),
        language=language.split("-")[0].lower() if language else None,
    )


def _child_text(element: etree._Element, name: str) -> str | None:
    for child in element:
        if isinstance(child.tag, str) and etree.QName(child).localname == name and child.text:
            return child.text.strip()
    return None


def _descendant_text(element: etree._Element, name: str) -> str | None:
    for child in element.iter():
        if isinstance(child.tag, str) and etree.QName(child).localname == name and child.text:
            return child.text.strip()
    return None


def _gunzip(body: bytes, url: str) -> bytes:
    if body[:2] != b"\x1f\x8b":
        return body
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as stream:
            data = stream.read(_MAX_SITEMAP_BYTES + 1)
    except (OSError, EOFError) as exc:
        raise FetchError(f"invalid sitemap {url}: bad gzip ({exc})") from exc
    if len(data) > _MAX_SITEMAP_BYTES:
        raise FetchError(f"sitemap {url} is larger than {_MAX_SITEMAP_BYTES} bytes uncompressed")
    return data
