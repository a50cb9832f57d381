"""Article body text by trafilatura, with paragraphs separated by blank lines."""

from __future__ import annotations

import html
import re
from collections import Counter

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

import trafilatura

# An <article> with fewer words is a teaser card, not a second story.
_FULL_ARTICLE_WORDS = 150
_REPEATED = 3
_SHORT_WORDS = 8
_CREDIT = re.compile(r"^(?:photo|foto|bild|image|picture|credit|fotos|photos)s?\s*:|getty ?images|shutterstock|"
                     r"istock|picture[ -]alliance|imago images|^\(?(?:ap|afp|reuters|dpa|epa)\)? ?photo", re.IGNORECASE)
# "Read more" one-liners in several languages.
_READ_MORE = re.compile(r"^(?:read more|read also|see also|related|more on this|lesen sie (?:auch|mehr)|mehr zum thema|"
                        r"auch interessant|czytaj (?:więcej|też|także)|lire aussi|à lire aussi|leer más|lea también|"
                        r"leggi anche|leia (?:mais|também)|les også|läs även|læs også|اقرأ أيضا|اقرأ أيضاً)\b",
                        re.IGNORECASE)
# Measured with bench/extraction.py on extraction-dev: the defaults beat favor_precision (-0.002 F1) and
# favor_recall (-0.005); dropping tables changed nothing.
_OPTIONS = dict(
    include_comments=False,
    include_tables=True,
    include_images=False,
    include_links=False,
    with_metadata=False,  # metadata is ours; trafilatura's date search (htmldate) is the slowest part
    favor_precision=False,
    favor_recall=False,
)


# trafilatura deletes ZWNJ (U+200C), which in Persian joins the parts of a word without a space
# ("می‌کند"); dropping it misspells the word. It is swapped for a character trafilatura keeps and back.
_ZWNJ, _ZWNJ_STAND_IN = "\u200c", "\u034f"


def extract_body(tree: HtmlElement, url: str, headline: str | None = None) -> str | None:
    """Main text of the page, or None when trafilatura finds none. Consumes (modifies) the tree."""
    document = _main_article(tree, headline)
    _drop_code(document)
    _swap(document, _ZWNJ, _ZWNJ_STAND_IN)
    _unwrap_layout_tables(document)
    result = trafilatura.bare_extraction(document, url=url, **_OPTIONS)
    if result is None or not result.text:
        return None
    lines = _drop_boilerplate(result.text.replace(_ZWNJ_STAND_IN, _ZWNJ).split("\n"))
    if lines and headline and " ".join(lines[0].split()) == " ".join(headline.split()):
        lines = lines[1:]  # the <h1> kept as the body's first paragraph: it is the title, stored apart
    return join_paragraphs(lines)


# Scripts, styles and inline SVG drawings: trafilatura drops them too, but only after it has copied the tree and
# run its pruning XPaths over them, several times; they are a large part of a news page's elements and bytes.
# JSON-LD stays: trafilatura's last-resort baseline reads its articleBody (and nothing else of a script).
_CODE = etree.XPath("//script[not(@type = 'application/ld+json')] | //style | //svg")


def _drop_code(tree: HtmlElement) -> None:
    for element in _CODE(tree):
        element.drop_tree()  # its tail, text of the enclosing element, stays


def _unwrap_layout_tables(tree: HtmlElement) -> None:
    """Tables used for page layout (old CMSs) become plain blocks, so trafilatura sees the menu, the article and
    the footer as separate parts instead of one table to keep whole. A table holding a headline, paragraphs or
    another table is layout; a table of figures inside an article is none of these and stays a table."""
    layout = [t for t in tree.iter("table") if t.find(".//h1") is not None or t.find(".//p") is not None
              or t.find(".//table") is not None]
    for table in layout:
        for element in table.iter("table", "tbody", "thead", "tfoot", "tr", "td", "th"):
            element.tag = "div"


# Text and tails holding a string, found by libxml2: most pages hold no ZWNJ, and a walk over every element in
# Python cost 3% of the extraction.
_TEXT_WITH = etree.XPath("//text()[contains(., $old)]")


def _swap(tree: HtmlElement, old: str, new: str) -> None:
    for found in _TEXT_WITH(tree, old=old):
        element = found.getparent()
        if found.is_tail:
            element.tail = element.tail.replace(old, new)
        else:
            element.text = element.text.replace(old, new)


def _main_article(tree: HtmlElement, headline: str | None) -> HtmlElement:
    """Infinite-scroll pages carry the next stories as further full <article> elements, and trafilatura
    would take them all as one body. When there are several, keep only the one with the headline (or the
    first): a document of its own for trafilatura."""
    outermost = [a for a in tree.iter("article") if not any(p.tag == "article" for p in a.iterancestors())]
    if len(outermost) < 2:
        return tree
    full = [a for a in outermost if len(" ".join(a.itertext()).split()) >= _FULL_ARTICLE_WORDS]
    if len(full) < 2:
        return tree
    key = " ".join((headline or "").split())[:60]
    chosen = next((a for a in full if key and key in " ".join(" ".join(a.itertext()).split())), full[0])
    document = lxml.html.document_fromstring("<html><head></head><body></body></html>")
    document.body.append(chosen)
    return document


def _drop_boilerplate(lines: list[str]) -> list[str]:
    """Paragraphs trafilatura keeps that are page furniture, not article: a block repeated three times or more
    (consent placeholders for each embed), photo credits standing alone, "Read more" links."""
    lines = [" ".join(line.split()) for line in lines]
    counts = Counter(line for line in lines if line)
    kept = []
    for line in lines:
        if not line or counts[line] >= _REPEATED:
            continue
        if len(line.split()) <= _SHORT_WORDS and (_CREDIT.search(line) or _READ_MORE.match(line)):
            continue
        kept.append(line)
    return kept


def join_paragraphs(lines: list[str]) -> str | None:
    paragraphs = [" ".join(line.split()) for line in lines]
    text = "\n\n".join(p for p in paragraphs if p)
    return text or None


def jsonld_body(value: object) -> str | None:
    """A JSON-LD articleBody as paragraphs: entities decoded, any markup dropped, line breaks as paragraphs."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = html.unescape(value)
    if "<" in text:
        text = re.sub(r"(?i)<br\s*/?>|</p\s*>", "\n", text)
        text = re.sub(r"<[^>]+>", " ", text)
    return join_paragraphs(text.split("\n"))
