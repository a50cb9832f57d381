"""Pick the cleanest title among the candidates a page offers and strip " - Site name" style affixes."""

from __future__ import annotations

import html
import re

from crawler.extraction.site import SiteNames

# Separators CMSs put between a headline and the site or section name: spaced dashes, pipes and bullets,
# and the unspaced full-width forms CJK sites use (｜, ：, and the Hangul letter ㅣ that Korean sites use as a bar).
_SPACED = r"\s+(?:[-–—|·•»«*/:~]|::|\|\|)\s+"
_UNSPACED = r"\s*[|｜：ㅣ]\s*"
_SEPARATOR = re.compile(f"{_SPACED}|{_UNSPACED}")
# A bare "-" (no spaces) only counts before a segment that names the site or section: "기사-정치ㅣ한국일보".
_SEPARATOR_OR_HYPHEN = re.compile(f"{_SPACED}|{_UNSPACED}|-")
_KICKER_END = re.compile(r"\S(?::|\s[-–—|/])\s+$")


def strip_site_suffix(title: str, site_name: str | None = None, url: str | None = None,
                      section: str | None = None) -> str:
    """Drop trailing " - Site" / " | Section | Site" / " | 28.04.2023" (and a leading "Site | ") when those
    parts name this site or section. The headline itself is never removed entirely."""
    title = " ".join(title.split())
    site = SiteNames([site_name, section], url)
    if not site.keys:
        return title
    changed = True
    while changed:
        changed = False
        for separator in (_SEPARATOR, _SEPARATOR_OR_HYPHEN):
            matches = list(separator.finditer(title))
            if matches:
                last = matches[-1]
                head, tail = title[:last.start()], title[last.end():]
                if head.strip() and site.named_by(tail, dates=True):
                    title, changed = head.rstrip(), True
                    break
                first = matches[0]
                head, tail = title[:first.start()], title[first.end():]
                if separator is _SEPARATOR and tail.strip() and site.named_by(head, dates=True):
                    title, changed = tail.lstrip(), True
                    break
    return title


def clean(text: str | None) -> str:
    """Entities decoded (many CMSs double-escape: "&amp;quot;"), whitespace collapsed, soft hyphens kept."""
    if not text:
        return ""
    return " ".join(html.unescape(text).split())


def choose_title(candidates: list[tuple[str, str]], site_name: str | None, url: str | None,
                 section: str | None = None) -> tuple[str, str] | None:
    """candidates: (source, text) in order of confidence. The first non-empty one wins, except that when another
    candidate is that one minus a trailing " | …" the shorter is taken: the rest is a section or site name
    we could not recognise ("Headline" vs "Headline | Bhopal News")."""
    cleaned = [(source, strip_site_suffix(clean(text), site_name, url, section)) for source, text in candidates]
    cleaned = [(source, text) for source, text in cleaned if text]
    if not cleaned:
        return None
    source, best = cleaned[0]
    for other_source, other in cleaned[1:]:
        if len(other) < 10 or len(other) >= len(best):
            continue
        # "Headline | Bhopal News" vs "Headline": the rest is a section or site name we did not recognise.
        if best.startswith(other) and _SEPARATOR_OR_HYPHEN.match(best[len(other):]):
            source, best = other_source, other
        # "Kicker: Headline" vs a metadata title "Headline": the publisher's own title leaves the kicker
        # (topline) out. Not for <h1>: layouts often set the kicker outside the h1 while it belongs to the title.
        elif other_source != "h1" and best.endswith(other) and _KICKER_END.search(best[: -len(other)]):
            source, best = other_source, other
    return source, best

