"""Turn fetched bytes into text, by evidence rather than by trusting labels.

Order: a BOM decides. Bytes that are valid UTF-8 (with at least one multi-byte sequence) are UTF-8, whatever the
page or server says. Otherwise the labels (HTTP Content-Type charset, then <meta charset>, searched past the
first 8 KB up to <body>) and the usual legacy codecs (windows-1256, ISO-8859-6, windows-1252) are each tried on a
sample of the page's non-ASCII words, and the decoding whose words are plausible letters of one script wins; a
label only breaks near-ties. Last, text that decoded "fine" but is double-encoded UTF-8 (mojibake such as
"ط§ظ„ط¹ط±ط¨ظٹط©") is repaired.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter

from pipelines.mojibake import looks_mojibake, repair_mojibake

# Browsers look for the declaration in the first 1024 bytes; we look in the first 8 KB, and then, for a late one,
# on up to <body> within the first 64 KB (some CMSs put kilobytes of inline script first).
_SNIFF_BYTES = 8192
_LATE_SNIFF_BYTES = 65536
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_BODY_START = re.compile(rb"<body[\s>]", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# The WHATWG encoding standard decodes these labels with a superset codec (what browsers do).
_WHATWG_ALIASES = {"iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252",
                   "ascii": "cp1252", "iso8859-1": "cp1252", "x-user-defined": "cp1252",
                   "iso-8859-9": "cp1254", "iso8859-9": "cp1254", "latin5": "cp1254",
                   "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030",
                   "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932",
                   "euc-kr": "cp949", "ks_c_5601-1987": "cp949",
                   "tis-620": "cp874", "iso-8859-11": "cp874"}
_UNICODE = ("utf-8", "utf-16-le", "utf-16-be", "utf-16", "utf-32", "utf-32-le", "utf-32-be")
# Multi-byte UTF-8 sequences: legacy single-byte text almost never forms them by chance.
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")
_HIGH_RUN = re.compile(rb"[\x80-\xff]+")
# Legacy candidates tried on every page that is not UTF-8, in order of preference on a tie.
_LEGACY = ("cp1256", "iso8859-6", "cp1252")
_SAMPLE_BYTES = 2_500    # bytes of non-ASCII words scored per candidate (~400 Arabic words)
_LABEL_BONUS = 0.15      # a declared charset wins unless another decoding is clearly more plausible


def declared_charset(data: bytes) -> str | None:
    """The Python codec named by the page's <meta charset> or http-equiv Content-Type, if it is known. Looked for
    in the first 8 KB, then (a late declaration) before <body> in the first 64 KB."""
    match = _META_CHARSET.search(data, 0, _SNIFF_BYTES)
    if not match:
        body = _BODY_START.search(data, 0, _LATE_SNIFF_BYTES)
        match = _META_CHARSET.search(data, 0, body.start() if body else _LATE_SNIFF_BYTES)
    return codec_name(match.group(1).decode("ascii", "ignore")) if match else None


def codec_name(label: str | None) -> str | None:
    """The Python codec for a charset label ("windows-1256", "ISO-8859-1", "utf8"…), WHATWG aliases applied."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _WHATWG_ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_html(data: bytes | str, http_charset: str | None = None) -> str:
    """Decode a page. ``http_charset`` is the charset parameter of the HTTP Content-Type header, if any.

    Valid UTF-8 is UTF-8 even when the page declares a legacy charset (a common server lie); bytes that are not
    UTF-8 are decoded with whichever of the declared charsets, windows-1256, ISO-8859-6 and windows-1252 gives
    the most plausible text (so windows-1256 / ISO-8859-6 Arabic with no, a late or a wrong declaration comes out
    right); double-encoded UTF-8 (mojibake) is repaired."""
    if isinstance(data, str):
        return _unmojibake(data)
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(codec, errors="replace")
    labels = [c for c in (codec_name(http_charset), declared_charset(data)) if c]
    if not _HIGH_RUN.search(data):  # pure ASCII
        label = next((c for c in labels if c not in _UNICODE), None)
        return data.decode(label or "ascii", errors="replace")
    if _is_utf8(data):
        return _unmojibake(data.decode("utf-8"))
    return _unmojibake(data.decode(_best_codec(data, labels), errors="replace"))


def _unmojibake(text: str) -> str:
    if looks_mojibake(text):
        return repair_mojibake(text) or text  # unrepairable: left for the pipeline to reject
    return text


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _best_codec(data: bytes, labels: list[str]) -> str:
    """The candidate codec whose decoding of a sample of the page's non-ASCII words is most plausible."""
    sample = _sample_words(data)
    candidates = list(dict.fromkeys([*(c for c in labels if c not in _UNICODE[1:]), "utf-8", *_LEGACY]))
    best, best_score = "cp1256", float("-inf")
    for codec in candidates:
        try:
            text = sample.decode(codec, errors="replace")
        except LookupError:
            continue
        score = _plausibility(text) + (_LABEL_BONUS if codec in labels else 0.0)
        if score > best_score:
            best, best_score = codec, score
    return best


def _sample_words(data: bytes) -> bytes:
    """Whitespace- and tag-delimited words holding non-ASCII bytes, about _SAMPLE_BYTES of them, in page order
    (read from 8 KB windows that start at the next non-ASCII byte, so long ASCII stretches cost nothing)."""
    words: list[bytes] = []
    size = pos = 0
    while size < _SAMPLE_BYTES:
        match = _HIGH_RUN.search(data, pos)
        if not match:
            break
        lo, hi = max(pos, match.start() - 64), match.start() + 8192
        parts = data[lo:hi].translate(_TAGS_TO_SPACE).split()
        # the window's edges may cut a word (or a multi-byte character) in two: drop the cut pieces
        if lo > 0 and parts and data[lo - 1:lo].translate(_TAGS_TO_SPACE).strip():
            parts = parts[1:]
        if hi < len(data) and parts and data[hi - 1:hi].translate(_TAGS_TO_SPACE).strip():
            parts = parts[:-1]
        for word in parts:
            if not word.isascii():
                words.append(word)
                size += len(word)
        pos = hi
    return b"\n".join(words)


_TAGS_TO_SPACE = bytes.maketrans(b"<>", b"  ")


# Each character maps to one class letter, so that a sample becomes a string of word shapes ("rrrr", "alaa") and
# each distinct shape is judged once: " " whitespace, "." neutral (digits, ASCII punctuation, apostrophes,
# hyphens, ZWNJ), "a" ASCII letter, "l" other Latin letter, "r" Arabic letter, "m" Arabic mark, "s" symbol,
# "x" undecodable/control; other scripts get an upper-case letter each (Greek, Cyrillic, Hebrew, CJK…).
_CLASSES: dict[int, str] = {}
_SCRIPT_LETTERS: dict[str, str] = {}
_ALLOWED_INSIDE = set("'’‘-‐‑·.\u200c\u200d\u00ad")  # apostrophes, hyphens, ZWNJ/ZWJ, soft hyphen
_LETTERS = set("alrm") | set("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _klass(ch: str) -> str:
    cp = ord(ch)
    category = unicodedata.category(ch)
    if ch.isspace():
        return " "
    if cp < 0x80:
        return "a" if ch.isalpha() else "."
    if ch == "\ufffd" or category in ("Cc", "Co", "Cs", "Cn"):
        return "x"
    if ch in _ALLOWED_INSIDE or category[0] in "NZ" or category == "Cf":
        return "."
    if category[0] == "M" and (0x0600 <= cp <= 0x06FF or 0x08D3 <= cp <= 0x08FF):
        return "m"
    if category[0] not in "LM":
        return "s"
    if cp < 0x250 or 0x1E00 <= cp <= 0x1EFF or 0x300 <= cp <= 0x36F:
        return "l"
    if 0x0600 <= cp <= 0x08FF or 0xFB50 <= cp <= 0xFDFF or 0xFE70 <= cp <= 0xFEFF:
        return "r"
    if 0x3040 <= cp <= 0x30FF or 0x3400 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF:
        script = "CJK"
    elif 0xAC00 <= cp <= 0xD7AF or 0x1100 <= cp <= 0x11FF or 0x3130 <= cp <= 0x318F:
        script = "HANGUL"
    else:
        script = unicodedata.name(ch, "OTHER ?").split()[0]  # GREEK, CYRILLIC, HEBREW, DEVANAGARI, THAI…
    if script not in _SCRIPT_LETTERS:
        _SCRIPT_LETTERS[script] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[min(len(_SCRIPT_LETTERS), 25)]
    return _SCRIPT_LETTERS[script]


def _shapes(text: str) -> Counter[str]:
    new = set(map(ord, set(text))) - _CLASSES.keys()
    if len(_CLASSES) < 50_000:
        _CLASSES.update((cp, _klass(chr(cp))) for cp in new)
        return Counter(text.translate(_CLASSES).split())
    return Counter("".join(_CLASSES.get(ord(ch)) or _klass(ch) for ch in text).split())


def _plausibility(text: str) -> float:
    """From -2 to 1: how much of ``text`` is words written in one script. Arabic read as Latin-1 ("ÇáÚÑÈíÉ":
    words of accented letters with hardly a plain ASCII one), ISO-8859-6 read as windows-1256 (Arabic and Latin
    letters in one word), windows-1256 read as ISO-8859-6 (undefined bytes, marks starting words) and UTF-8 read
    as anything (symbols inside words) all score low."""
    good = bad = 0
    for shape, count in _shapes(text).items():
        bad += 3 * shape.count("x") * count
        core = shape.strip(".sx")  # from the first letter to the last
        if not core:
            continue
        n = sum(1 for c in core if c in _LETTERS)
        scripts = {"l" if c == "a" else "r" if c == "m" else c for c in core if c in _LETTERS}
        if len(scripts) > 1 or "s" in core or "x" in core:
            bad += n * count
        elif scripts == {"r"}:
            marks = core.count("m")
            if core[0] == "m" or 2 * marks > n:
                bad += n * count
            else:
                good += n * count
        elif scripts == {"l"}:
            ascii_letters = core.count("a")
            accented = n - ascii_letters
            if accented == 0:
                continue  # plain ASCII word: says nothing about the codec
            if (ascii_letters == 0 and accented >= 2) or accented > 2 * ascii_letters + 1:
                bad += n * count
            else:
                good += n * count
        else:
            good += n * count
    total = good + bad
    return (good - 2 * bad) / total if total else 0.0
