"""Detect and repair mojibake: UTF-8 bytes that were decoded with a single-byte legacy codec.

Two variants matter for our sources:
- cp1256 ("ط§ظ„ط¹ط±ط¨ظٹط©" for "العربية"): UTF-8 Arabic read as windows-1256. Every Arabic letter becomes ط/ظ plus
  one more character, so langdetect calls it Urdu.
- Latin-1/cp1252 ("Ø§Ù„Ø¹Ø±Ø¨ÙŠØ©", "Ã©tÃ©" for "été"): the most common mojibake on the web.

UTF-8 never puts ASCII bytes inside a multi-byte sequence, so mojibake lives in runs of non-ASCII characters that
re-encode (cp1256, or Latin-1 with the cp1252 extras) to valid UTF-8 of plausible characters. Real text almost
never does that: a genuine Arabic, Persian or Urdu word is a sequence of "lead" bytes (0xC1-0xFE) which is not
UTF-8, and a genuine accented Latin word has ASCII letters between its accents. A run is repaired only if the
whole run decodes; the text counts as mojibake only when such runs hold at least half of its non-ASCII characters.
"""

from __future__ import annotations

import codecs
import re

__all__ = ["looks_mojibake", "repair_mojibake"]

_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")

# char -> byte tables of the two variants (for the few checks done per character).
_CP1256 = {ord(bytes([b]).decode("cp1256")): b for b in range(0x80, 0x100)}
# Latin-1 for every byte (C1 controls included: that is how 0x81, 0x8D, 0x8F, 0x90, 0x9D survive) plus cp1252's
# printable characters at 0x80-0x9F.
_LATIN = {b: b for b in range(0x80, 0x100)}
for _b in range(0x80, 0xA0):
    try:
        _LATIN[ord(bytes([_b]).decode("cp1252"))] = _b
    except UnicodeDecodeError:
        pass
_VARIANTS = {"cp1256": _CP1256, "latin": _LATIN}


def _c1_as_bytes(exc: UnicodeError) -> tuple[bytes, int]:
    """Encode error handler: C1 controls (what Latin-1 makes of cp1252's undefined bytes) as their own byte."""
    if isinstance(exc, UnicodeEncodeError):
        chunk = exc.object[exc.start:exc.end]
        if all(0x80 <= ord(ch) <= 0x9F for ch in chunk):
            return chunk.encode("latin-1"), exc.end
    raise exc


codecs.register_error("newsmon-mojibake-c1", _c1_as_bytes)


def _to_bytes(text: str, variant: str) -> bytes | None:
    """The bytes ``text`` was decoded from, in C: cp1256, or cp1252 with Latin-1's C1 controls; None if it holds a
    character neither has."""
    try:
        if variant == "cp1256":
            return text.encode("cp1256")
        return text.encode("cp1252", errors="newsmon-mojibake-c1")
    except UnicodeEncodeError:
        return None


_ARABIC = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))
_COMMON = ((0x00A0, 0x00FF), (0x0100, 0x017F), (0x2000, 0x206F), (0x20A0, 0x20CF), (0x2100, 0x214F),
           (0x2190, 0x21FF), (0x2600, 0x27BF), (0xFE00, 0xFE0F), (0x1F000, 0x1FAFF))
# What a repaired run may contain. The cp1256 variant only repairs Arabic-page text, where a stray chance decode
# of a real Urdu word ("بھ" is C8 AA, valid UTF-8 for U+022A) must not count: keep its set narrow.
_PLAUSIBLE = {
    "cp1256": _ARABIC + _COMMON + ((0x0400, 0x045F),),
    "latin": _ARABIC + _COMMON + ((0x0180, 0x024F), (0x0300, 0x036F), (0x0370, 0x03FF), (0x0400, 0x04FF),
                                  (0x0590, 0x05FF), (0x0E00, 0x0E7F), (0x0900, 0x097F), (0x1E00, 0x1EFF),
                                  (0x3000, 0x30FF), (0x3400, 0x9FFF), (0xAC00, 0xD7AF), (0xFF00, 0xFFEF)),
}
_LONE_D9_DB = re.compile(rb"([\xd9\xdb])(?![\x80-\xbf])")
_LONE_E280 = re.compile(rb"\xe2\x80(?![\x80-\xbf])")
# Leads whose A0 continuation is a common letter (nbsp, à, Š, Π, Р, с): a lone one before a space lost an A0.
_NBSP_LEADS = b"\xc2\xc3\xc5\xce\xd0\xd1"
_MIN_CHARS = 4        # a text needs at least this many repairable characters to be called mojibake
_MIN_SHARE = 0.5      # ... and they must be at least this share of its non-ASCII characters
_MAX_LEFTOVER = 0.02  # after repair, suspicious unrepaired runs above this share of the text: give up (None)
_MAX_ROUNDS = 3       # text that was mis-decoded twice needs two rounds
_SAMPLE_CHARS = 12_000  # the mojibake decision reads at most this much (start, middle and end) of a long text


def _implausible_pattern(ranges: tuple[tuple[int, int], ...]) -> re.Pattern[str]:
    allowed = "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in ranges)
    # Text mis-decoded twice comes out of the first repair as mojibake again: every character of the two
    # variants (ƒ, ˆ, ˜… included) is a plausible result.
    allowed += re.escape("".join(chr(c) for table in _VARIANTS.values() for c in table))
    return re.compile(f"[^\\x00-\\x7f{allowed}]")


# Any character outside what a repaired text may hold (ASCII never comes out of a multi-byte sequence, but a
# whole line may be repaired at once, so it is allowed here).
_IMPLAUSIBLE = {variant: _implausible_pattern(ranges) for variant, ranges in _PLAUSIBLE.items()}


def _pair_pattern() -> re.Pattern[str]:
    leads = {bytes([b]).decode(codec) for b in range(0xC2, 0xF5) for codec in ("cp1256", "latin-1")}
    conts = {chr(c) for table in _VARIANTS.values() for c, b in table.items() if 0x80 <= b <= 0xBF}
    return re.compile("[%s][%s]" % (re.escape("".join(sorted(leads))), re.escape("".join(sorted(conts)))))


# A UTF-8 lead byte's character followed by a continuation byte's, in either variant: mojibake is made of these.
_PAIR = _pair_pattern()


def _decode(raw: bytes, variant: str) -> str | None:
    try:
        out = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if _IMPLAUSIBLE[variant].search(out) else out


def _fix_run(run: str, variant: str, next_char: str) -> tuple[str | None, bool]:
    """The UTF-8 text behind a run of non-ASCII characters, or None; and whether the space after it was eaten."""
    raw = _to_bytes(run, variant)
    if raw is None:
        return None, False
    out = _decode(raw, variant)
    if out is not None:
        return out, False
    attempts = []
    if variant == "latin":
        lossy = _lossy_latin(raw)
        if lossy != raw:
            attempts.append((lossy, False))
    if next_char == " " and raw[-1] in _NBSP_LEADS:
        # "à" (C3 A0) as "Ã" + a space: the no-break space was normalized away
        attempts.append((raw + b"\xa0", True))
    for candidate, ate_space in attempts:
        out = _decode(candidate, variant)
        if out is not None:
            return out, ate_space
    return None, False


def _fix_line(line: str, variant: str) -> str | None:
    """Fast path: a whole line of mojibake (ASCII included) repaired in one decode."""
    raw = _to_bytes(line, variant)
    if raw is None:
        return None
    out = _decode(raw, variant)
    if out is None and variant == "latin":
        out = _decode(_lossy_latin(raw), variant)
    return out


def _lossy_latin(raw: bytes) -> bytes:
    # cp1252 has no character at 0x81 or 0x9D, so once C1 controls are stripped "ف" (D9 81) reaches us as a lone
    # "Ù", Urdu "ہ" (DB 81) as a lone "Û", and "”" (E2 80 9D) as "â€".
    return _LONE_D9_DB.sub(lambda m: m.group(1) + b"\x81", _LONE_E280.sub(b"\xe2\x80\x9d", raw))


def _non_ascii(text: str) -> int:
    return len(text) - len(text.encode("ascii", "ignore"))


def _scan(text: str, variant: str) -> int:
    """How many non-ASCII characters of ``text`` lie in runs that repair cleanly."""
    fixed = 0
    for line in text.split("\n"):
        if _fix_line(line, variant) is not None:
            fixed += _non_ascii(line)
            continue
        for match in _NON_ASCII_RUN.finditer(line):
            run = match.group()
            next_char = line[match.end():match.end() + 1]
            if (len(run) >= 2 or next_char == " ") and _fix_run(run, variant, next_char)[0] is not None:
                fixed += len(run)
    return fixed


def _sample(text: str) -> str:
    if len(text) <= _SAMPLE_CHARS:
        return text
    third = _SAMPLE_CHARS // 3
    middle = len(text) // 2
    pieces = (text[:third], text[middle:middle + third], text[-third:])
    # cut at spaces so no run of non-ASCII characters is split
    return "\n".join(piece[piece.find(" ") + 1:piece.rfind(" ")] for piece in pieces)


def _best_variant(text: str) -> str | None:
    sample = _sample(text)
    total = _non_ascii(sample)
    pairs = len(_PAIR.findall(sample))
    # Mojibake is nearly all lead/continuation pairs (2 of every 2 or 3 characters); real text has few.
    if pairs < 2 or 2 * pairs < 0.4 * total:
        return None
    best, best_fixed = None, 0
    for variant in _VARIANTS:
        fixed = _scan(sample, variant)
        if fixed > best_fixed:
            best, best_fixed = variant, fixed
        if fixed >= 0.9 * total:
            break  # nearly all of it repairs: no need to try the other variant
    if best_fixed < _MIN_CHARS or best_fixed < _MIN_SHARE * total:
        return None
    return best


def looks_mojibake(text: str) -> bool:
    """True if ``text`` is UTF-8 that was decoded as cp1256 or Latin-1/cp1252 (at least half of its non-ASCII
    characters re-encode to valid, plausible UTF-8). Correct Arabic, Persian, Urdu and accented Latin text is not."""
    return _best_variant(text) is not None


def _suspicious(run: str, table: dict[int, int]) -> bool:
    """A run holding a UTF-8 lead character followed by a continuation character, as mojibake does."""
    codes = [table.get(ord(ch), 0) for ch in run]
    return any(0xC2 <= a <= 0xF4 and 0x80 <= b <= 0xBF for a, b in zip(codes, codes[1:]))


def _repair_runs(line: str, variant: str) -> tuple[str, int]:
    out: list[str] = []
    leftover = 0
    pos = 0
    table = _VARIANTS[variant]
    for match in _NON_ASCII_RUN.finditer(line):
        start, end = match.span()
        run = line[start:end]
        out.append(line[pos:start])
        next_char = line[end:end + 1]
        fixed, ate_space = (_fix_run(run, variant, next_char) if len(run) >= 2 or next_char == " "
                            else (None, False))
        if fixed is None:
            out.append(run)
            if _suspicious(run, table):
                leftover += len(run)
            pos = end
        else:
            out.append(fixed)
            pos = end + 1 if ate_space else end
    out.append(line[pos:])
    return "".join(out), leftover


def _repair_once(text: str, variant: str) -> tuple[str, int]:
    """Repair every line, or else every run, that decodes; return the text and how many characters of
    suspicious runs were left as they were."""
    whole = _fix_line(text, variant)
    if whole is not None:
        return whole, 0
    lines = []
    leftover = 0
    for line in text.split("\n"):
        fixed = _fix_line(line, variant)
        if fixed is None:
            fixed, left = _repair_runs(line, variant)
            leftover += left
        lines.append(fixed)
    return "\n".join(lines), leftover


def repair_mojibake(text: str) -> str | None:
    """The repaired text if ``text`` is mojibake, ``text`` itself if it is not, or None if it is mojibake that
    cannot be repaired cleanly (bytes were lost) — the caller should then reject it rather than store garbage."""
    variant = _best_variant(text)
    if variant is None:
        return text
    for _ in range(_MAX_ROUNDS):
        total = _non_ascii(text)
        text, leftover = _repair_once(text, variant)
        if leftover > _MAX_LEFTOVER * total:
            return None
        variant = _best_variant(text)
        if variant is None:
            return text
    return None
