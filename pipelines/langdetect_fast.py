"""langdetect, with the same answers, faster: :func:`detect_langs` is ``langdetect.detect_langs``.

Why: langdetect (1.0.9) spends ~3.5 ms per article (2000 characters) mostly in pure-Python per-character work:
n-gram extraction calls ``NGram.add_char``/``NGram.normalize``/``unicode_block`` for each character, and
``Detector.cleaning_text`` and ``Detector.append`` loop over the characters too; then the sampling loop makes a
method call and a 55-language update per drawn n-gram. Detection runs for every article and is most of the language
step's CPU. :class:`FastDetector` overrides those methods with whole-string operations (``str.translate``, regexes,
C-level ``map``/``filter``) and a tighter sampling loop.

It must stay **identical to langdetect 1.0.9**, not merely close: the detector draws n-grams from the extracted
list with a seeded RNG (``DetectorFactory.seed``), so one n-gram more, less or out of order, or one float operation
in another order, changes the probabilities and can change the language. The rest (URL/e-mail removal, Vietnamese
normalisation, the profiles, the module-level factory that ``init_factory()`` loads) is langdetect's own.
tests/pipelines/test_langdetect_fast.py checks against the installed langdetect, on real multilingual articles,
adversarial strings and a few thousand random strings from a mixed alphabet: equal ``append`` and ``cleaning_text``
output, equal n-gram lists (same order) and equal ``detect_langs`` output (languages and probabilities, bit for
bit); and that langdetect's ``get_probabilities`` still runs the overridden methods. A langdetect upgrade that
changes any of this fails those tests.

What this relies on in langdetect 1.0.9 (each checked by the tests):

- ``NGram.normalize`` is a function of one character: cached per code point and applied with ``str.translate``.
- ``NGram.add_char`` keeps the last three characters since the last space, and ``capitalword`` is set exactly when
  a character and the one before it are both upper case (an upper-case letter after another character leaves it
  False, as that character or the word start cleared it); n-grams are taken only when it is not set.
- ``cleaning_text`` compares ``unicode_block(ch)`` (an int) with the string 'Latin Extended Additional', which is
  never equal: every character from U+0300 on counts as non-Latin, Latin Extended Additional included.
- ``_detect_block``: per trial one ``random.gauss`` then one ``random.choice`` per update,
  ``prob[i] *= weight + lang_prob_map[i]``, normalisation when ``i % 5 == 0``; ``get_probabilities`` calls it.
"""

from __future__ import annotations

import re
from operator import add

from langdetect import detector_factory
from langdetect.detector import Detector
from langdetect.lang_detect_exception import ErrorCode, LangDetectException
from langdetect.language import Language
from langdetect.utils.ngram import NGram

__all__ = ["FastDetector", "detect_langs"]


class _NormalizeTable(dict[int, str]):
    """``NGram.normalize`` per code point, computed on first sight: ``text.translate(table)`` is
    ``"".join(map(NGram.normalize, text))``. Filled lazily (a text meets a few hundred distinct characters; the
    whole of Unicode would cost ~1 s) and with every character seen, unchanged ones too: a missing key would make
    ``str.translate`` raise and swallow a KeyError per character."""

    def __missing__(self, code: int) -> str:
        ch = self[code] = NGram.normalize(chr(code))
        return ch


_NORMALIZE = _NormalizeTable()

_SPACES = re.compile(" {2,}")               # only U+0020 runs: langdetect treats other whitespace differently
_LATIN = re.compile("[A-z]+")               # 'A' <= ch <= 'z', brackets and backquote included, as langdetect
_NON_LATIN = re.compile("[\u0300-\U0010ffff]+")
_UPPER_RUN = re.compile("U{2,}")


class _UpperTable(dict[int, str]):
    """"U" for a character ``str.isupper`` calls upper case, "." for any other, per code point, filled like
    :class:`_NormalizeTable`: ``s.translate(table)`` marks where ``add_char`` sees upper case."""

    def __missing__(self, code: int) -> str:
        mark = self[code] = "U" if chr(code).isupper() else "."
        return mark


_UPPER = _UpperTable()

# Maps checked by _is_plain, by id (the map is kept alive, so the id is not reused) and size (profiles only add keys).
_PLAIN: dict[int, tuple[dict[str, list[float]], int, bool]] = {}


def _is_plain(word_lang_prob_map: dict[str, list[float]]) -> bool:
    """True when the profiles hold no n-gram that ``add_char`` never yields but the fast extraction would if the
    profiles held it: a lone space, and three characters with a space in the middle (across two words). langdetect's
    own profiles hold none; anything else gets langdetect's extraction."""
    cached = _PLAIN.get(id(word_lang_prob_map))
    if cached is not None and cached[0] is word_lang_prob_map and cached[1] == len(word_lang_prob_map):
        return cached[2]
    plain = " " not in word_lang_prob_map and not any(
        len(gram) == 3 and gram[1] == " " for gram in word_lang_prob_map
    )
    _PLAIN[id(word_lang_prob_map)] = (word_lang_prob_map, len(word_lang_prob_map), plain)
    return plain


class FastDetector(Detector):
    """langdetect's ``Detector`` with its per-character loops done on whole strings; same results."""

    def append(self, text: str) -> None:
        # Detector.append, whose per-character loop drops each space that follows a space in the (cut) text.
        text = self.URL_RE.sub(" ", text)
        text = self.MAIL_RE.sub(" ", text)
        text = NGram.normalize_vi(text)
        self.text += _SPACES.sub(" ", text[: max(self.max_text_length, 0)])

    def cleaning_text(self) -> None:
        # Detector.cleaning_text: drop A..z when non-Latin characters (>= U+0300, see the module docstring) are more
        # than twice as many.
        text = self.text
        without_latin = _LATIN.sub("", text)
        latin_count = len(text) - len(without_latin)
        non_latin_count = len(text) - len(_NON_LATIN.sub("", text))
        if latin_count * 2 < non_latin_count:
            self.text = without_latin

    def _extract_ngrams(self) -> list[str]:
        """Detector._extract_ngrams. With ``s`` the normalised text after a leading space, runs of spaces made one
        (a second space only resets the window and yields nothing), ``add_char`` at ``s[i]`` (i >= 1) holds
        ``s[i-2:i+1]`` (``s[0:2]`` at i = 1) and yields, in this order, ``s[i]``, ``s[i-1:i+1]`` and ``s[i-2:i+1]``,
        except: a lone space, a 3-gram across a space (the window restarted there; neither is in a plain profile, so
        the membership filter drops them) and all three where ``s[i-1]`` and ``s[i]`` are both upper case."""
        word_lang_prob_map = self.word_lang_prob_map
        if not _is_plain(word_lang_prob_map):
            return super()._extract_ngrams()
        s = _SPACES.sub(" ", " " + self.text.translate(_NORMALIZE))
        n = len(s)
        if n < 2:
            return []
        # Slot 3*(i-1) + k - 1 holds the k-gram ending at s[i], or None (never in the map): C-level map and slice
        # assignments instead of a Python loop over the characters.
        grams: list[str | None] = [None] * (3 * (n - 1))
        grams[0::3] = s[1:]
        pairs = list(map(add, s, s[1:]))
        grams[1::3] = pairs
        grams[5::3] = list(map(add, pairs, s[2:]))
        for run in _UPPER_RUN.finditer(s.translate(_UPPER)):  # capitalword from the 2nd upper-case char of a run on
            grams[3 * run.start() : 3 * run.end() - 3] = [None] * (3 * (run.end() - run.start() - 1))
        return list(filter(word_lang_prob_map.__contains__, grams))

    def _detect_block(self) -> None:
        """Detector._detect_block: the same random draws in the same order (a gauss per trial, then one choice per
        update) and the same float operations, without a method call and a list per update. The probabilities are
        normalised after the first update and after every five more (langdetect's ``i % 5 == 0``); in between,
        ``p * (w + a) * (w + b) ...`` multiplies left to right, as the five separate updates do."""
        if self.verbose:  # langdetect's own loop prints as it goes
            super()._detect_block()
            return
        self.cleaning_text()
        ngrams = self._extract_ngrams()
        if not ngrams:
            raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
        word_lang_prob_map = self.word_lang_prob_map
        langprob = self.langprob = [0.0] * len(self.langlist)
        rng = self.random
        rng.seed(self.seed)
        choice = rng.choice
        for _ in range(self.n_trial):
            prob = self._init_probability()
            alpha = self.alpha + rng.gauss(0.0, 1.0) * self.ALPHA_WIDTH
            w = alpha / self.BASE_FREQ
            prob = [p * (w + a) for p, a in zip(prob, word_lang_prob_map[choice(ngrams)])]
            i = 0
            while not (self._normalize_prob(prob) > self.CONV_THRESHOLD or i >= self.ITERATION_LIMIT):
                # the arguments are evaluated left to right: the draws come in langdetect's order
                prob = [
                    p * (w + a) * (w + b) * (w + c) * (w + d) * (w + e)
                    for p, a, b, c, d, e in zip(
                        prob,
                        word_lang_prob_map[choice(ngrams)],
                        word_lang_prob_map[choice(ngrams)],
                        word_lang_prob_map[choice(ngrams)],
                        word_lang_prob_map[choice(ngrams)],
                        word_lang_prob_map[choice(ngrams)],
                    )
                ]
                i += 5
            for j in range(len(langprob)):
                langprob[j] += prob[j] / self.n_trial

    def _normalize_prob(self, prob: list[float]) -> float:
        # Detector._normalize_prob: the same divisions by the same sum; the largest quotient, found as its loop does
        # (start at 0.0, take a value only if greater: max() compares the same way, NaN included).
        sump = sum(prob)
        prob[:] = [p / sump for p in prob]
        return max([0.0, *prob])


def detect_langs(text: str) -> list[Language]:
    """``langdetect.detect_langs`` with :class:`FastDetector`: langdetect's module-level factory (loaded by
    ``init_factory()``, as langdetect does), its seed (``DetectorFactory.seed``) and default alpha."""
    detector_factory.init_factory()
    factory = detector_factory._factory
    if not factory.langlist:  # DetectorFactory._create_detector
        raise LangDetectException(ErrorCode.NeedLoadProfileError, "Need to load profiles.")
    detector = FastDetector(factory)
    detector.append(text)
    return detector.get_probabilities()
