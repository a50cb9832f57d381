"""Turn raw bylines into a clean list of authors: split "A and B" / "A, B", strip "By", drop URLs, e-mail
addresses, photo credits, desks ("Staff", "Redaktion") and the publisher's own name; dedupe.

News agencies (AFP, dpa, Reuters …) are kept: "by AFP" is a byline, and it tells a monitor the story is wire copy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from crawler.extraction.site import SiteNames

# "By", "Von", "Por", "Par", "Af", "Av", "Door", "Di", "Przez", "От", "بقلم", "كتب" …, optionally "Written by".
_PREFIX = re.compile(
    r"^\s*(?:(?:written|reported|text|story|words|interview|posted|published)\s+)?"
    r"(?:by|von|vom|por|par|af|av|door|di|przez|от|بقلم|كتب|كتبت|إعداد)\s*[:\-–]?\s+"
    r"|^\s*(?:autor(?:in|a|es)?|authors?|text|reporter)\s*:\s*",
    re.IGNORECASE,
)
# Separators between names. Conjunctions only between spaces, never inside a word.
_SPLIT = re.compile(
    r"\s*(?:[,;|•·]|\s[/&+]\s|\s(?:and|und|et|y|e|og|och|en|i|и|و)\s)\s*",
    re.IGNORECASE,
)
_PARENTHESES = re.compile(r"\([^)]*\)?|\[[^\]]*\]?")
_WEB_ADDRESS = re.compile(r"https?:|www\.|\S@\S", re.IGNORECASE)
_URL_OR_EMAIL = re.compile(r"https?:|www\.|\S@\S|^@|/|\.(?:com|org|net)\b", re.IGNORECASE)
# Photo credits and the social links that sit in author boxes.
_CREDIT = re.compile(r"\b(?:image|photo|foto|bild|picture|getty|istock|shutterstock|imago|twitter|facebook|"
                     r"instagram|linkedin|whatsapp|e-?mail|rss|follow|folgen)\b", re.IGNORECASE)
# Lone words that are byline furniture, not names ("By" in its own <span>; "red" = Redaktion).
_NOT_NAMES = frozenset({"by", "von", "por", "par", "av", "af", "door", "di", "de", "and", "und", "red", "red.",
                        "author", "autor", "autorin", "redaktion", "admin", "anonymous", "unknown", "guest"})
# Desks and staff bylines: an organisation speaking, not a person.
_DESK = re.compile(
    r"\b(?:staff|desk|team|newsroom|editors?|editorial|redaktion|redaction|rédaction|redacción|redazione|"
    r"online|digital|contributors?|correspondents?|reporters?|developer|admin)\b|redaktion\b",
    re.IGNORECASE,
)
# Job titles written after a name: Korean 기자 (reporter), 특파원 (correspondent), Japanese 記者.
_ROLE_SUFFIX = re.compile(r"\s*(?:기자|특파원|논설위원|記者|特派員|編集委員)(?:\s.*)?$")
_AGENCY_TYPES = ("organization", "newsmediaorganization", "corporation")
_MAX_WORDS = 5


def clean_authors(raw: Iterable[Any], site: SiteNames | None = None) -> list[str]:
    """Names from bylines, schema.org Person/Organization objects or lists of either, in order, no duplicates.
    site: the page's own names, which are dropped (a publisher is not its own article's author)."""
    names: list[str] = []
    seen: set[str] = set()
    for value in raw:
        for name in _names_in(value):
            key = name.casefold()
            if key in seen or (site is not None and site.named_by(name)):
                continue
            seen.add(key)
            names.append(name)
    return names


def _names_in(value: Any) -> Iterable[str]:
    if isinstance(value, list):
        for item in value:
            yield from _names_in(item)
        return
    if isinstance(value, dict):
        name = value.get("name")
        if not name and (value.get("givenName") or value.get("familyName")):
            name = f"{value.get('givenName') or ''} {value.get('familyName') or ''}"
        yield from _names_in(name if isinstance(name, (str, list)) else "")
        return
    if not isinstance(value, str):
        return
    text = " ".join(value.split())
    if _WEB_ADDRESS.search(text):
        return  # a profile URL, an address, or "Site (www.site.com)": no name to recover
    if _URL_OR_EMAIL.search(text) and " " not in text.strip():
        return
    text = _PARENTHESES.sub(" ", _strip_prefix(text))
    for part in _SPLIT.split(text):
        name = _tidy(part)
        if name and _is_name(name):
            yield name


def _strip_prefix(text: str) -> str:
    previous = None
    while previous != text:
        previous, text = text, _PREFIX.sub("", text, count=1)
    return text


def _tidy(part: str) -> str:
    part = _ROLE_SUFFIX.sub("", _strip_prefix(part))
    return " ".join(part.split()).strip(" \t-–—:.,\"'“”„«»")


def _is_name(name: str) -> bool:
    if name.casefold() in _NOT_NAMES:
        return False
    if len(name) < 2 or len(name) > 60 or len(name.split()) > _MAX_WORDS:
        return False
    if _URL_OR_EMAIL.search(name) or _CREDIT.search(name) or _DESK.search(name):
        return False
    return not any(ch.isdigit() for ch in name)
