"""Language pipeline: langdetect (seeded) on the text, with page/feed/source hints for short text."""

from __future__ import annotations

from langdetect import DetectorFactory, detect_langs
from langdetect.lang_detect_exception import LangDetectException
from scrapy.crawler import Crawler

from crawler.items import ArticleItem

DetectorFactory.seed = 0  # langdetect is random unless seeded: the same text must get the same language

_MIN_WORDS = 15       # below this, detection is a guess; the hints decide
_MIN_CONFIDENCE = 0.80
_HINT_ORDER = ("html", "feed", "sitemap", "source")


def detect_language(text: str, hints: dict[str, str]) -> tuple[str | None, str | None]:
    """The language of ``text`` and how it was decided ("langdetect", or the hint used)."""
    hint = next(((where, hints[where]) for where in _HINT_ORDER if hints.get(where)), None)
    if len(text.split()) >= _MIN_WORDS:
        try:
            best = detect_langs(text[:5000])[0]
        except LangDetectException:
            best = None
        if best is not None and best.prob >= _MIN_CONFIDENCE:
            return _primary(best.lang), "langdetect"
    if hint:
        return _primary(hint[1]), hint[0]
    return None, None


def _primary(code: str) -> str:
    # langdetect says "zh-cn"; hints say "ar-LB" or "en_US": keep the primary subtag only
    return code.replace("_", "-").split("-")[0].lower()


class LanguagePipeline:
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LanguagePipeline:
        return cls()

    def process_item(self, item: ArticleItem) -> ArticleItem:
        item.language, item.language_from = detect_language(f"{item.title}\n{item.body}", item.language_hints)
        return item
