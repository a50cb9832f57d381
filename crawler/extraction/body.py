"""Article body text by trafilatura, with paragraphs separated by blank lines."""

from __future__ import annotations

from lxml.html import HtmlElement

import trafilatura

# Measured on extraction-dev (bench/extraction.py): see the module docstring of article.py for the figures.
_OPTIONS = dict(
    include_comments=False,
    include_tables=True,
    include_images=False,
    include_links=False,
    with_metadata=False,  # metadata is ours; trafilatura's date search (htmldate) is the slowest part
    favor_precision=False,
    favor_recall=False,
)


def extract_body(tree: HtmlElement, url: str) -> str | None:
    """Main text of the page, or None when trafilatura finds none. Consumes (modifies) the tree."""
    document = trafilatura.bare_extraction(tree, url=url, **_OPTIONS)
    if document is None or not document.text:
        return None
    return join_paragraphs(document.text.split("\n"))


def join_paragraphs(lines: list[str]) -> str | None:
    paragraphs = [" ".join(line.split()) for line in lines]
    text = "\n\n".join(p for p in paragraphs if p)
    return text or None
