"""Apply a per-source selector from config: CSS (Scrapy-style, with ::text and ::attr(name)) or XPath."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from lxml import etree
from lxml.html import HtmlElement

from newsmon.errors import ExtractError

# Elements whose text is never article text.
_SKIP = frozenset({"script", "style", "noscript", "template", "svg", "button", "form"})
_BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "figcaption", "td")


@lru_cache(maxsize=256)
def _compile(selector: str) -> etree.XPath:
    selector = selector.strip()
    try:
        if selector.startswith(("/", "(")):
            return etree.XPath(selector)
        # parsel ships with Scrapy; its translator understands the ::text / ::attr() that users write there.
        from parsel.csstranslator import HTMLTranslator

        return etree.XPath(HTMLTranslator().css_to_xpath(selector))
    except Exception as exc:  # cssselect and lxml raise several unrelated types for a bad expression
        raise ExtractError(f"invalid selector {selector!r}: {exc}") from exc


def select(tree: HtmlElement, selector: str) -> list[HtmlElement | str]:
    """Matches in document order: elements, or strings for ::text / ::attr() / XPath text()/@attr."""
    result = _compile(selector)(tree)
    if not isinstance(result, list):
        result = [result]
    return [r if isinstance(r, etree._Element) else str(r) for r in result]


def text_of(node: HtmlElement | str) -> str:
    """Visible text of a match, whitespace collapsed."""
    if isinstance(node, str):
        return " ".join(node.split())
    return " ".join(" ".join(_texts(node)).split())


def first_text(tree: HtmlElement, selector: str) -> str | None:
    for node in select(tree, selector):
        text = text_of(node)
        if text:
            return text
    return None


def date_text(node: HtmlElement | str) -> str:
    """A date element's machine-readable value (datetime=, content=) before its visible text."""
    if not isinstance(node, str):
        for attr in ("datetime", "content", "data-datetime", "title"):
            if node.get(attr):
                return node.get(attr)
    return text_of(node)


def paragraphs(nodes: list[HtmlElement | str]) -> list[str]:
    """Block-level text of the matched elements, one paragraph per block."""
    out: list[str] = []
    for node in nodes:
        if isinstance(node, str):
            text = " ".join(node.split())
            if text:
                out.append(text)
            continue
        blocks = [b for b in node.iter(*_BLOCKS) if not _inside_block(b, node)]
        for block in blocks or [node]:
            text = text_of(block)
            if text:
                out.append(text)
    return out


def _inside_block(element: HtmlElement, root: HtmlElement) -> bool:
    parent = element.getparent()
    while parent is not None and parent is not root:
        if parent.tag in _BLOCKS:
            return True
        parent = parent.getparent()
    return False


def _texts(node: HtmlElement, root: bool = True) -> Iterator[str]:
    """Text inside node, skipping scripts and the like; the root's own tail is not its text."""
    if isinstance(node.tag, str) and node.tag not in _SKIP:
        if node.text:
            yield node.text
        for child in node:
            yield from _texts(child, root=False)
    if node.tail and not root:
        yield node.tail
