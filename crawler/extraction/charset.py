"""Turn fetched bytes into text: BOM, then the page's own <meta charset>, then UTF-8, then cp1256."""

from __future__ import annotations

import codecs
import re

# Only the head matters: browsers look for the declaration in the first 1024 bytes; we allow more because
# some CMSs put kilobytes of inline script before it.
_SNIFF_BYTES = 8192
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# The WHATWG encoding standard decodes these labels as windows-1252 (a superset that browsers use).
_WHATWG_ALIASES = {"iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252",
                   "ascii": "cp1252", "iso8859-1": "cp1252", "x-user-defined": "cp1252"}
# Multi-byte UTF-8 sequences: legacy single-byte text almost never forms them by chance.
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")


def declared_charset(data: bytes) -> str | None:
    """The Python codec named by the page's <meta charset> or http-equiv Content-Type, if it is known."""
    match = _META_CHARSET.search(data[:_SNIFF_BYTES])
    if not match:
        return None
    label = match.group(1).decode("ascii", "ignore").lower()
    label = _WHATWG_ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_html(data: bytes | str) -> str:
    """Decode a page. Pages that declare a legacy charset but are really UTF-8 (a common server lie) come out as
    UTF-8; a page that is neither what it says nor UTF-8 is read as cp1256, the usual legacy Arabic encoding."""
    if isinstance(data, str):
        return data
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(codec, errors="replace")
    declared = declared_charset(data)
    if declared and declared not in ("utf-8", "utf-16-le", "utf-16-be", "utf-16"):
        if _UTF8_MULTIBYTE.search(data) and _is_utf8(data):
            return data.decode("utf-8")
        try:
            return data.decode(declared)
        except UnicodeDecodeError:
            pass
    if _is_utf8(data):
        return data.decode("utf-8")
    if declared == "utf-8" and not _looks_cp1256(data):
        return data.decode("utf-8", errors="replace")  # a few bad bytes in a UTF-8 page: keep the rest
    return data.decode("cp1256", errors="replace")


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _looks_cp1256(data: bytes) -> bool:
    """Mostly high bytes that are not valid UTF-8: Arabic letters in cp1256 sit in 0xC1-0xFE."""
    high = sum(1 for b in data[:_SNIFF_BYTES * 4] if b >= 0x80)
    return high > 50 and not _UTF8_MULTIBYTE.search(data[:_SNIFF_BYTES * 4])
