"""Matching keys for text: the forms under which search and deduplication compare words.

Displayed text is never altered beyond NFC and whitespace (see pipelines.text); these keys are stored
beside it. Arabic is written with optional marks and several interchangeable letter forms, and Arabic
outlets mix in Persian letters, so the same word reaches us spelled many ways: أشتياني, آشتياني,
آشتیاني (Persian yeh). Every one of them must give the same key.
"""

from __future__ import annotations

import unicodedata

_DROP = (
    # harakat, Quranic annotation marks, superscript alef
    [*range(0x064B, 0x0653), *range(0x0610, 0x061B), *range(0x0653, 0x0660), 0x0670, *range(0x06D6, 0x06EE)]
    + [0x0640]  # tatweel (kashida), a stretch of the baseline
    + [0x00AD, 0x0307]  # soft hyphen; combining dot above, which casefold leaves after "i" from Turkish "İ"
    + [0x200E, 0x200F, 0x061C, *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200D, 0xFEFF, 0x200B]  # bidi, ZWJ
)
_MAP = {
    0x0623: "ا", 0x0625: "ا", 0x0622: "ا", 0x0671: "ا",  # alef with hamza above/below, madda, wasla
    0x0649: "ي",  # alef maksura
    0x06CC: "ي", 0x06D2: "ي",  # Persian yeh, Urdu yeh barree
    0x06A9: "ك",  # Persian keheh
    0x06C0: "ه", 0x06C1: "ه", 0x06D5: "ه",  # heh with yeh above, heh goal, ae
    0x200C: " ",  # ZWNJ separates the parts of a Persian word; as a key boundary a space is right
    **{0x0660 + d: str(d) for d in range(10)},  # Arabic-Indic digits
    **{0x06F0 + d: str(d) for d in range(10)},  # Persian digits
    **{ord(q): '"' for q in "“”„‟«»″"},
    **{ord(q): "'" for q in "‘’‚‛′"},
    **{ord(d): "-" for d in "‐‑‒–—―−"},  # dashes and minus
}
_SEARCH = str.maketrans({**{c: None for c in _DROP}, **_MAP})
_DEDUP = str.maketrans({**{c: None for c in _DROP}, **_MAP, 0x0629: "ه"})  # teh marbuta, often written as heh


def search_key(text: str) -> str:
    """The form indexed for search: NFKC, case-folded, Arabic/Persian letter variants and marks unified."""
    return _key(text, _SEARCH)


def dedup_key(text: str) -> str:
    """Like ``search_key``, and teh marbuta read as heh too: for deciding two texts are the same."""
    return _key(text, _DEDUP)


def _key(text: str, table: dict[int, str | None]) -> str:
    if "″" in text or "′" in text:
        text = text.translate(_PRIMES)  # before NFKC, which would turn a double prime (a closing quote) into two primes
    text = unicodedata.normalize("NFKC", text).casefold().translate(table)
    return " ".join(text.split())


_PRIMES = str.maketrans({"″": '"', "′": "'"})
