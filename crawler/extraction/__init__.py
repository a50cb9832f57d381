"""Article extraction: metadata from JSON-LD, meta tags and <time>, body text by trafilatura, selectors on top."""

from crawler.extraction.article import Extracted, Selectors, extract_article

__all__ = ["Extracted", "Selectors", "extract_article"]
