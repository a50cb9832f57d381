"""Language pipeline: one language per article (not per source), and how it was decided.

Order of decision, on the first ~2000 characters of title + body:

1. Garbled text (UTF-8 read as windows-1256 or windows-1252: more than one lead+continuation pair such as ط§ ظ„
   per five letters) gets no language, how="garbled": langdetect calls cp1256 mojibake Urdu, and the normalize
   pipeline repairs or rejects it.
2. Where the letters settle the language on their own (below), they decide (how="script") unless a hint
   plausible for the text names another language: then 3 and 4 decide, and in 3 the letters still overrule any
   other language of their script. They settle it for Hebrew, Greek, Hangul and the other scripts of one
   language, and for Arabic script when its letters are clear: Urdu-only letters (ٹ ڈ ڑ ں ے ھ ہ) mean ur;
   Persian letters (پ چ ژ گ) and Persian function words mean fa; ة ى, the article ال and Arabic function words
   mean ar; the yeh/kaf forms (ي ی ك ک) weigh little, as Arabic outlets type the Persian yeh (U+06CC). langdetect
   could only agree with such letters or be overruled by them, so it is not asked: it is most of this stage's
   CPU.
3. langdetect (seeded) when the text has at least ``_MIN_WORDS`` words, the detector is sure (prob ≥ 0.80) and
   its answer is plausible for the text's dominant script (Unicode letter counts).
4. Otherwise the hints in order html, feed, sitemap, source: the first one plausible for the script of the text
   decides (how="hint:<where>"). "en" on Arabic-script text is not plausible; "ar" on Persian-looking text is not
   either (the letters decide, how="script"); "ru" on text with і/ї/є/ґ is not, nor "uk" on text with ы/э/ё.
5. Otherwise, for a text of at least 5 words, langdetect if it is very sure (prob ≥ 0.95), how="langdetect".
6. Otherwise (None, None).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from langdetect import DetectorFactory
from langdetect.lang_detect_exception import LangDetectException
from scrapy.crawler import Crawler

from crawler.items import ArticleItem
from pipelines.langdetect_fast import detect_langs
from pipelines.mojibake import looks_mojibake

DetectorFactory.seed = 0  # langdetect is random unless seeded: the same text must get the same language

_MIN_WORDS = 15        # below this, detection is a guess; the hints decide
_MIN_CONFIDENCE = 0.80
_LAST_RESORT_WORDS = 5        # no plausible hint and no script verdict: langdetect may still decide a short text
_LAST_RESORT_CONFIDENCE = 0.95  # ... when it is this sure
_MAX_CHARS = 2000      # langdetect and the letter counts look at the start of the text only
_HINT_ORDER = ("html", "feed", "sitemap", "source")

# --- scripts -------------------------------------------------------------------------------------------------------

_SCRIPT_RANGES = {
    "latin": [(0x0041, 0x005A), (0x0061, 0x007A), (0x00C0, 0x024F), (0x1E00, 0x1EFF)],
    "arabic": [(0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)],
    "hebrew": [(0x0590, 0x05FF), (0xFB1D, 0xFB4F)],
    "cyrillic": [(0x0400, 0x052F)],
    "greek": [(0x0370, 0x03FF), (0x1F00, 0x1FFF)],
    "armenian": [(0x0530, 0x058F)],
    "georgian": [(0x10A0, 0x10FF)],
    "devanagari": [(0x0900, 0x097F)],
    "bengali": [(0x0980, 0x09FF)],
    "gurmukhi": [(0x0A00, 0x0A7F)],
    "gujarati": [(0x0A80, 0x0AFF)],
    "tamil": [(0x0B80, 0x0BFF)],
    "telugu": [(0x0C00, 0x0C7F)],
    "kannada": [(0x0C80, 0x0CFF)],
    "malayalam": [(0x0D00, 0x0D7F)],
    "thai": [(0x0E00, 0x0E7F)],
    "hangul": [(0x1100, 0x11FF), (0x3130, 0x318F), (0xAC00, 0xD7AF)],
    "kana": [(0x3040, 0x30FF)],
    "han": [(0x4E00, 0x9FFF), (0x3400, 0x4DBF)],
    "ethiopic": [(0x1200, 0x137F)],
}
_SCRIPTS = list(_SCRIPT_RANGES)
# Each letter of a known script is translated to a private-use tag char, one per script; counting tags is then C-fast.
_TAG = {name: chr(0xE000 + i) for i, name in enumerate(_SCRIPTS)}
_SCRIPT_TABLE = {
    cp: _TAG[name]
    for name, ranges in _SCRIPT_RANGES.items()
    for lo, hi in ranges
    for cp in range(lo, hi + 1)
    if unicodedata.category(chr(cp)).startswith("L")
}

# Which languages each script can write. Latin is the default script: any language not listed under another
# script only (az, uz, sr, ku, tk write in Latin and in another script).
_LANGS_OF_SCRIPT = {
    "arabic": {"ar", "fa", "ur", "ps", "ckb", "ku", "sd", "ug", "ks", "prs", "pnb", "bal", "dv"},
    "hebrew": {"he", "yi", "lad"},
    "cyrillic": {"ru", "uk", "bg", "sr", "mk", "be", "kk", "ky", "mn", "tg", "tt", "ba", "cv", "ce", "os", "az",
                 "uz", "tk", "ab", "sah", "cu", "rue"},
    "greek": {"el"},
    "armenian": {"hy"},
    "georgian": {"ka"},
    "devanagari": {"hi", "mr", "ne", "sa", "mai", "bho", "kok"},
    "bengali": {"bn", "as"},
    "gurmukhi": {"pa"},
    "gujarati": {"gu"},
    "tamil": {"ta"},
    "telugu": {"te"},
    "kannada": {"kn"},
    "malayalam": {"ml"},
    "thai": {"th"},
    "hangul": {"ko"},
    "kana": {"ja"},
    "han": {"zh", "ja"},
    "ethiopic": {"am", "ti"},
}
_BOTH_SCRIPTS = {"az", "uz", "sr", "ku", "tk", "tt", "kk"}
_NON_LATIN = set().union(*_LANGS_OF_SCRIPT.values()) - _BOTH_SCRIPTS
# Scripts that name their language on their own (Hebrew and Arabic script are decided by letters below).
_SCRIPT_LANG = {"greek": "el", "armenian": "hy", "georgian": "ka", "hangul": "ko", "kana": "ja", "thai": "th",
                "gujarati": "gu", "gurmukhi": "pa", "tamil": "ta", "telugu": "te", "kannada": "kn",
                "malayalam": "ml"}

# --- letters that tell languages of one script apart ---------------------------------------------------------------

_URDU_ONLY = "ٹڈڑںےھہۓ"            # retroflexes, noon ghunna, yeh barree, do-chashmi heh, heh goal
_PERSIAN_LETTERS = "پچژگ"           # also Urdu; Arabic only in names and Iraqi/Gulf dialect spellings
_PERSIAN_FORMS = "یک"               # U+06CC farsi yeh, U+06A9 keheh (also Urdu); Arabic outlets mix in ی
_ARABIC_FORMS = "يكةى"               # U+064A yeh, U+0643 kaf, teh marbuta, alef maksura
_SORANI_ONLY = "ڕڵێۆە"               # Central Kurdish
_YIDDISH = "װױײ\uFB1F"             # Yiddish digraph ligatures
_UK_ONLY = "іїєґІЇЄҐ"
_RU_ONLY = "ыэёЫЭЁ"                  # Ukrainian never writes these; Bulgarian neither (ъ is Bulgarian and Russian)
_BG_MARK = "ъЪ"

_AR_WORDS = frozenset("في على إلى الى التي الذي الذين أن إن عن هذا هذه كان قد لم مع بين حيث وفي وقال أنه".split())
_FA_WORDS = frozenset(
    "است این آن را که می‌شود شود برای از با های هم بود شد نیز اند کرد در شدند شده کرده کردند خواهد باید دارد دارند وی"
    .split()
)
_UR_WORDS = frozenset("کے کی ہے ہیں میں نے سے کو اور پر کا یہ".split())
_WORD = re.compile(r"[\w\u200c]+")

# --- garbled text ---------------------------------------------------------------------------------------------------

# Mis-decoded text ("ط§ظ„ط¹ط±ط¨ظٹط©", which langdetect calls Urdu) gets no language: pipelines.mojibake, the one
# place that recognises it, decides, so this stage and the normalize pipeline's repair never disagree.

_HINT_ALIASES = {
    "iw": "he", "ji": "yi", "in": "id", "fas": "fa", "per": "fa", "pes": "fa", "ara": "ar", "arb": "ar",
    "urd": "ur", "eng": "en", "fre": "fr", "fra": "fr", "rus": "ru", "heb": "he", "tur": "tr", "ukr": "uk",
    "deu": "de", "ger": "de", "spa": "es", "arabic": "ar", "english": "en", "french": "fr", "persian": "fa",
    "farsi": "fa", "urdu": "ur", "russian": "ru", "hebrew": "he", "turkish": "tr", "zh-cn": "zh", "zh-tw": "zh",
}


@dataclass(frozen=True)
class Guess:
    """langdetect's best answer on ``text`` (already cut to the examined start), computed ahead of the pipeline
    (crawler.offload runs it in the extraction pool); ``lang`` None when langdetect had no answer."""

    text: str
    lang: str | None
    prob: float = 0.0


def guess_language(text: str, hints: dict[str, str]) -> Guess | None:
    """What :func:`detect_language` would ask langdetect about ``text`` with these hints, asked now; None when it
    would not ask: too few words to ever be detected, garbled text, or letters that settle the language."""
    text = (text or "")[:_MAX_CHARS]
    if len(text.split()) < _LAST_RESORT_WORDS or looks_mojibake(text):
        return None
    _, script, verdict = _read_letters(text)
    if _letters_settle(verdict, _first_plausible_hint(hints, script, verdict, text)):
        return None
    best = _detect(text)
    return Guess(text, best.lang, best.prob) if best is not None else Guess(text, None)


def detect_language(text: str, hints: dict[str, str], guess: Guess | None = None,
                    count: Callable[[str], object] | None = None) -> tuple[str | None, str | None]:
    """The language of ``text`` and how it was decided: "langdetect", "script", "hint:<where>" (where is html,
    feed, sitemap or source), "garbled" (with language None), or (None, None) when nothing decides.
    ``guess``, langdetect's answer made ahead (:func:`guess_language`), is used only if made on this same text;
    ``count``, if given, is told each time langdetect's answer is needed: "language/guessed_ahead" when the guess
    gave it, "language/guessed_here" when langdetect ran here."""
    text = (text or "")[:_MAX_CHARS]

    asked: list[Any] = []  # langdetect's answer, once asked

    def detect() -> Any:
        if not asked:
            ahead = guess is not None and guess.text == text
            if count is not None:
                count("language/guessed_ahead" if ahead else "language/guessed_here")
            asked.append((guess if guess.lang is not None else None) if ahead else _detect(text))
        return asked[0]

    letters, script, verdict = _read_letters(text)
    if letters and looks_mojibake(text):
        return None, "garbled"
    hinted = _first_plausible_hint(hints, script, verdict, text)
    if _letters_settle(verdict, hinted):
        return verdict, "script"

    n_words = len(text.split())
    best = detect() if n_words >= _MIN_WORDS else None
    if best is not None and best.prob >= _MIN_CONFIDENCE:
        lang = _primary(best.lang)
        if verdict and verdict != lang and lang in _LANGS_OF_SCRIPT.get(script, ()):
            return verdict, "script"  # e.g. Arabic with Persian yeh called fa, Persian with many loans called ar
        if script is None or _plausible(lang, script, verdict, text):
            return lang, "langdetect"

    if hinted is not None:
        return hinted[0], f"hint:{hinted[1]}"

    # Last resort, with no plausible hint and a script that names no language (Latin, Cyrillic): a short text
    # langdetect is very sure of. On the 208 titles of bench/multilingual.py: 202 of 202 right at prob >= 0.9.
    if n_words >= _LAST_RESORT_WORDS and script is not None:
        best = best or detect()
        if best is not None and best.prob >= _LAST_RESORT_CONFIDENCE:
            lang = _primary(best.lang)
            if _plausible(lang, script, verdict, text):
                return lang, "langdetect"
    return None, None


def _letters_settle(verdict: str | None, hinted: tuple[str, str] | None) -> bool:
    """Whether the letters' verdict is the language whatever langdetect says: it could only agree with them or be
    overruled by them (in :func:`detect_language`), unless a plausible hint names another language."""
    return verdict is not None and (hinted is None or hinted[0] == verdict)


def _read_letters(text: str) -> tuple[int, str | None, str | None]:
    """How many letters of a known script ``text`` has, its dominant script, and the language its letters settle
    on their own (None when they do not)."""
    tagged = text.translate(_SCRIPT_TABLE)
    counts = {name: tagged.count(_TAG[name]) for name in _SCRIPTS}
    letters = sum(counts.values())
    if not letters:
        return 0, None, None
    script = max(counts, key=counts.__getitem__)
    return letters, script, _letter_verdict(text, script)


def _first_plausible_hint(hints: dict[str, str], script: str | None, verdict: str | None,
                          text: str) -> tuple[str, str] | None:
    """(language, where) of the first hint, in ``_HINT_ORDER``, that the text could be written in."""
    for where in _HINT_ORDER:
        hint = hints.get(where)
        if not hint:
            continue
        lang = _primary(hint)
        if script is None or _plausible(lang, script, verdict, text):
            return lang, where
    return None


def _detect(text: str):
    try:
        return detect_langs(text)[0]  # pipelines.langdetect_fast: langdetect's answer, computed faster
    except LangDetectException:
        return None


def _plausible(lang: str, script: str, verdict: str | None, text: str) -> bool:
    """Can ``lang`` be written this way? The script must allow it, and the letters must not say otherwise."""
    if script == "latin":
        if lang in _NON_LATIN:
            return False
    elif lang not in _LANGS_OF_SCRIPT.get(script, (lang,)):
        return False
    if verdict is not None and lang != verdict and lang in _VERDICT_LANGS.get(script, ()):
        return False
    if script == "cyrillic":
        if lang in ("ru", "bg") and any(c in text for c in _UK_ONLY):
            return False
        if lang in ("uk", "bg") and any(c in text for c in _RU_ONLY):
            return False
    return True


# The languages the letter verdict tells apart, per script: a hint among them that the letters contradict loses.
_VERDICT_LANGS = {"arabic": {"ar", "fa", "ur", "ckb"}, "hebrew": {"he", "yi"}}


def _letter_verdict(text: str, script: str) -> str | None:
    """The language the letters settle on their own, or None when they do not."""
    if script == "arabic":
        return _arabic_script_verdict(text)
    if script == "hebrew":
        return "yi" if sum(text.count(c) for c in _YIDDISH) >= 2 else "he"
    return _SCRIPT_LANG.get(script)


def _arabic_script_verdict(text: str) -> str | None:
    counts = Counter(text)
    urdu = sum(counts[c] for c in _URDU_ONLY)
    sorani = sum(counts[c] for c in _SORANI_ONLY)
    persian_letters = sum(counts[c] for c in _PERSIAN_LETTERS)
    words = _WORD.findall(text)
    fa_words = sum(w in _FA_WORDS or w.startswith("می\u200c") for w in words)
    ar_words = sum(w.replace("ی", "ي") in _AR_WORDS for w in words)  # في written فی by the same outlets
    al_words = sum(w.startswith("ال") and len(w) > 3 for w in words)  # the article: a quarter of Arabic words
    # Strong evidence only: letters one language never writes, and its commonest words. The yeh and kaf forms
    # (ي/ی, ك/ک) count for little: Arabic outlets type the Persian yeh, and Persian typed on an Arabic keyboard
    # has ي and ك.
    arabic = 3 * (counts["ة"] + counts["ى"]) + 3 * ar_words + al_words + 0.5 * (counts["ي"] + counts["ك"])
    persian = 3 * persian_letters + 3 * fa_words + 2 * counts["\u200c"] + 0.5 * (counts["ی"] + counts["ک"])
    if sorani >= 3 and sorani > urdu:
        return "ckb"
    ur_words = sum(w in _UR_WORDS for w in words)
    if (urdu >= 2 or (urdu and ur_words)) and 3 * urdu > counts["ة"] + counts["ى"]:
        return "ur"
    if persian >= 3 and persian > 2 * arabic:
        return "fa"
    if arabic >= 3 and arabic > 2 * persian:
        return "ar"
    return None


def _primary(code: str) -> str:
    # langdetect says "zh-cn"; hints say "ar-LB", "en_US", "iw" or "Arabic": keep the primary subtag only
    code = code.strip().replace("_", "-").lower()
    code = _HINT_ALIASES.get(code, code)
    primary = code.split("-")[0]
    return _HINT_ALIASES.get(primary, primary)


class LanguagePipeline:
    """Decides each article's language; langdetect's part, where it is needed, comes from the item's guess (made
    ahead in the extraction pool, crawler.offload) when it was made on the same text (stats
    ``language/guessed_ahead``), else is computed here (``language/guessed_here``)."""

    def __init__(self, crawler: Crawler | None = None) -> None:
        self.stats = crawler.stats if crawler is not None else None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LanguagePipeline:
        return cls(crawler)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        text = f"{item.title}\n{item.body}"
        guess, item.guess = item.guess, None  # done with: not carried on to the other pipelines
        count = self.stats.inc_value if self.stats is not None else None
        item.language, item.language_from = detect_language(text, item.language_hints, guess, count)
        return item
