"""Section pages → leads: the links on a page that match the source's article pattern."""

from __future__ import annotations

import re

from scrapy.http import TextResponse
from scrapy.linkextractors import LinkExtractor

from crawler.discovery.leads import Lead
from crawler.urls import in_domains


def section_leads(response: TextResponse, article_pattern: str | None, domains: list[str]) -> list[Lead]:
    """Links on ``response`` to pages of ``domains`` whose absolute URL matches ``article_pattern``."""
    # Domains are checked here rather than with LinkExtractor(allow_domains=…), which compares the
    # host with its port and so never matches a site served on a non-default port.
    extractor = LinkExtractor(allow=[re.compile(article_pattern)] if article_pattern else (), unique=True, canonicalize=False)
    return [
        Lead(url=link.url, via="section", title=(link.text or "").strip() or None)
        for link in extractor.extract_links(response)
        if in_domains(link.url, domains)
    ]
