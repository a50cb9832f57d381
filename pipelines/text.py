"""Display-text cleanup: what every stored title and body goes through (NFC, whitespace, stray controls)."""

from __future__ import annotations

import re
import unicodedata

# Bidi embedding/override/isolate controls and zero-width no-break space: invisible, and they break matching.
# Left-to-right/right-to-left marks and ZWNJ are kept: in Persian and mixed text they carry meaning.
# C0 controls other than tab/newline are junk from broken CMSs, and PostgreSQL refuses NUL outright.
_STRAY_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069\ufeff\u200b]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


# Direction marks at the ends of a line (or beside a space) only steer the cursor; inside a word they may matter.
_EDGE_MARKS = re.compile("^[\u200e\u200f\u061c]+|[\u200e\u200f\u061c]+$|(?<= )[\u200e\u200f\u061c]+|[\u200e\u200f\u061c]+(?= )")


def clean_line(text: str) -> str:
    """One line of display text: NFC, no stray controls, single spaces, trimmed."""
    text = unicodedata.normalize("NFC", text)
    text = _STRAY_CONTROLS.sub("", text)
    text = _SPACES.sub(" ", text.replace("\r", " ").replace("\n", " ")).strip()
    return _EDGE_MARKS.sub("", text).strip()


def clean_body(text: str) -> str:
    """Body text: paragraphs separated by one blank line, each paragraph a clean line."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _STRAY_CONTROLS.sub("", text)
    paragraphs = []
    for block in _BLANK_LINES.split(text):
        lines = [clean_line(line) for line in block.split("\n")]
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            paragraphs.append(paragraph)
    return "\n\n".join(paragraphs)


_SEPARATORS = re.compile(r"\s+(?:[-|–—:·•»«/]|::)\s+")


def strip_site_name(title: str, names: list[str]) -> str:
    """``title`` without a leading or trailing site name (" - Al-Manar", "BBC News | ", " - موقع المنار").

    Only segments that match one of ``names`` are removed, so a real title with a dash in it survives.
    """
    wanted = {_fold(name) for name in names if name}
    parts = _SEPARATORS.split(title)
    if len(parts) < 2 or not wanted:
        return title
    separators = _SEPARATORS.findall(title)
    if _matches(parts[-1], wanted):
        return title[: title.rfind(separators[-1])].strip() or title
    if _matches(parts[0], wanted):
        return title[title.find(separators[0]) + len(separators[0]) :].strip() or title
    return title


def _matches(segment: str, wanted: set[str]) -> bool:
    folded = _fold(segment)
    if not folded:
        return False
    return any(folded == name or (len(folded) >= 3 and (folded in name or name in folded)) for name in wanted)


def _fold(text: str) -> str:
    """Loose form for comparing site names: case, spacing and "www."/TLD differences ignored."""
    text = unicodedata.normalize("NFKC", text).casefold().strip()
    text = re.sub(r"^(www\.)", "", text)
    text = re.sub(r"\.(com|net|org|co|lb|uk|info|news)(\.\w\w)?$", "", text)
    return re.sub(r"[\s\-_.()]+", "", text)


# A closing line crediting another outlet or agency: "المصدر: المنار", "منبع: ایرنا", "Source: Reuters".
_CREDIT = re.compile(r"^\(?\s*(?:المصدر|المصادر|مصدر|منبع|Source|Sources)\s*[:：\-–]\s*(?P<who>[^\n]{2,80}?)\s*\)?\s*$", re.IGNORECASE)


_MAX_CREDIT_WORDS = 5


def split_credit(body: str) -> tuple[str, str | None]:
    """``body`` without a trailing credit line, and whom that line credits (None when there is none)."""
    head, _, last = body.rpartition("\n")
    match = _CREDIT.match(last.strip())
    # a name, not a sentence: "Source: Reuters said the talks collapsed" is the article's own last line
    if not match or not head.strip() or len(match.group("who").split()) > _MAX_CREDIT_WORDS:
        return body, None
    return head.rstrip(), match.group("who").strip(" .")
