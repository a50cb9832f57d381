"""pipelines.langdetect_fast must give exactly what the installed langdetect gives: the same text after ``append``
and ``cleaning_text``, the same n-gram list in the same order, and the same ``detect_langs`` languages and
probabilities (compared with ==, not approximately), on real articles, adversarial strings and random strings."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from pathlib import Path

import langdetect
import pytest
from langdetect import DetectorFactory, detector_factory
from langdetect.detector import Detector
from langdetect.lang_detect_exception import LangDetectException
from langdetect.utils.ngram import NGram

from pipelines import langdetect_fast
from pipelines.langdetect_fast import FastDetector, detect_langs
from pipelines.language import _MAX_CHARS, _detect

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"  # the extraction-dev gold set and samples, next to the repository
GOLD = SHARED / "extraction-dev" / "gold.jsonl"
ARABIC_SAMPLE = SHARED / "samples" / "almanar-shoigu-tehran.txt"
BENCH_TEXTS = ROOT / "bench" / "multilingual_data" / "texts.jsonl"


@pytest.fixture(autouse=True)
def seeded() -> Iterator[None]:
    """langdetect's module-level factory, seeded as pipelines.language seeds it."""
    detector_factory.init_factory()
    before = DetectorFactory.seed
    DetectorFactory.seed = 0
    yield
    DetectorFactory.seed = before


def factory() -> DetectorFactory:
    return detector_factory._factory


def outcome(detect: Callable[[str], list], text: str) -> object:
    """What a detect_langs gives, errors included, in a form == compares exactly."""
    try:
        return [(language.lang, language.prob) for language in detect(text)]
    except LangDetectException as error:
        return ("error", error.code)


def assert_same_ngrams(text: str, max_text_length: int | None = None) -> list[str]:
    """append, cleaning_text and _extract_ngrams agree step by step; returns the n-grams."""
    original, fast = Detector(factory()), FastDetector(factory())
    if max_text_length is not None:
        original.set_max_text_length(max_text_length)
        fast.set_max_text_length(max_text_length)
    original.append(text)
    fast.append(text)
    assert fast.text == original.text, text
    original.cleaning_text()
    fast.cleaning_text()
    assert fast.text == original.text, text
    ngrams = original._extract_ngrams()
    assert fast._extract_ngrams() == ngrams, text
    return ngrams


def assert_same_detection(text: str) -> object:
    expected = outcome(langdetect.detect_langs, text)
    assert outcome(detect_langs, text) == expected, text
    return expected


# --- real text ------------------------------------------------------------------------------------------------------


def real_texts() -> list[str]:
    texts: list[str] = []
    if GOLD.exists():
        for line in GOLD.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            texts.append(f"{row.get('title') or ''}\n{row.get('body') or ''}")
    if ARABIC_SAMPLE.exists():
        texts.append(ARABIC_SAMPLE.read_text(encoding="utf-8"))
    texts += [json.loads(line)["text"] for line in BENCH_TEXTS.read_text(encoding="utf-8").splitlines()]
    return texts


REAL = real_texts()


def test_the_real_texts_are_there() -> None:
    # the bench's labelled texts are in the repository; extraction-dev's 258 pages are added where ../shared is
    assert len(REAL) >= (500 if GOLD.exists() else 300)


def test_real_texts_cut_as_the_language_pipeline_cuts_them() -> None:
    langs = set()
    for text in REAL:
        cut = text[:_MAX_CHARS]
        assert_same_ngrams(cut)
        result = assert_same_detection(cut)
        if isinstance(result, list):
            langs.add(result[0][0])
    assert len(langs) >= 8, langs  # de en ar fa ur fr ru he tr ... : the comparison saw many languages


def test_real_texts_full_length() -> None:
    long_texts = [text for text in REAL if len(text) > _MAX_CHARS][::6]
    assert len(long_texts) >= 10 or not GOLD.exists()
    for text in long_texts:
        assert_same_ngrams(text)
        assert_same_detection(text)
    # longer than max_text_length (10000): append cuts the text
    longest = max(REAL, key=len)
    assert len(longest) > 10000 or not GOLD.exists()
    assert_same_ngrams(longest * 2)
    assert_same_detection(longest * 2)


# --- adversarial strings -------------------------------------------------------------------------------------------

ADVERSARIAL = [
    "",
    " ",
    "     ",
    "a",
    "A",
    "AB",
    "NATO",
    "McDonald",
    "iPhone",
    "ABCdef",
    "aBCD",
    "aBcD EFg HIJ kLMNo",
    "The NATO summit: McDonald's iPhone ABCdef aBCD USA-UK EU/US talks.",
    "  leading and trailing spaces  ",
    "multiple    spaces\t\ttabs\n\nnewlines \u00a0\u00a0nbsp\u3000ideographic\x85nel\u1680ogham",
    "!!! ... ??? --- ((( ))) 123 456 7.89 %%% &&&",
    "\u2014\u2013\u201c\u201d\u2026\u200c\u200d\u2028\u2029\u202f\u205f",
    # Latin in Arabic text: cleaning_text removes A-z (and [ \\ ] ^ _ `)
    "قال مسؤول في NATO إن BBC News [نقلت] عن وزير الدفاع الإيراني ^ _ ` التصريحات الأخيرة التي أدلى بها في "
    "طهران خلال المؤتمر الصحفي المشترك مع نظيره الروسي بعد اجتماع مطول Reuters",
    "Президент России заявил журналистам в Кремле, что переговоры с NATO и EU продолжатся на следующей неделе",
    "习近平在北京会见了来访的美国国务卿 Antony Blinken，双方就中美关系和共同关心的国际问题交换了意见",
    "प्रधानमंत्री ने आज नई दिल्ली में BJP के वरिष्ठ नेताओं के साथ बैठक की और आगामी चुनावों पर चर्चा की",
    # Latin Extended Additional counts as non-Latin (langdetect 1.0.9 compares a block number with a string)
    "ạạạạạạạ abc",
    "ẠẠẠẠẠẠẠ abc",
    "ḀḁḂḃḄḅḆ abc",
    # Vietnamese, precomposed and decomposed (normalize_vi)
    "Việt Nam là một quốc gia nằm ở cực Đông của bán đảo Đông Dương thuộc khu vực Đông Nam Á",
    "Vie\u0323\u0302t Nam la\u0300 mo\u0323\u0302t quo\u0302\u0301c gia A\u0301 E\u0309 O\u0303 U\u0323",
    "VIỆT NAM LÀ MỘT QUỐC GIA",
    # CJK, kana, bopomofo, hangul
    "中华人民共和国国务院总理今天在北京会见了来访的外国代表团。亜唖娃阿哀愛挨",
    "日本の首相は東京で記者会見を開き、カタカナとひらがなを使った文章を発表した。",
    "ㄅㄆㄇㄈ ㆠㆡㆢ 대한민국 정부는 오늘 서울에서 발표했다",
    # Romanian comma and cedilla forms
    "Științele și țările, ştiinţele şi ţările, ȘTIINȚE ŞTIINŢE",
    # Persian yeh and keheh, Arabic yeh and kaf
    "ایران یک کشور در آسیای غربی است و پایتخت آن تهران است ي ك ی ک",
    # emoji and other characters outside the BMP, upper-case ones included
    "Breaking 😀🔥 news 👍🏽 from 𝐀𝐁𝐂 𝐚𝐛𝐜 𐐀𐐁 𐐨𐐩 𝔄𝔅 🇺🇳 \U0001f600\U0001f600 end",
    "𝐀𝐁𝐂𝐃 𐐀𐐁𐐂 \U00020000\U00020001 \U0010fffd",
    # title case, Other_Uppercase, special casing
    "ǅemal ǈubljana ǋ Ⓐⓑ ⒶⒷⒸ İstanbul ẞTRASSE ΣΟΦΙΑ Ωmega ＡＢＣ ａｂｃ",
    "МОСКВА Москва мОСКВА ΑΘΗΝΑ Αθήνα",
    # URLs and e-mail addresses are removed by append
    "see https://example.com/a?b=c&d=e#f and write to someone@example.org or http://x.y/z now",
    # Latin-1 excluded characters (« » ° nbsp) and others
    "«Guillemets» 30° ½ ¿Qué? ¡Sí! Ærø Øst Åland ß ÿ",
    "a" * 12000,
    ("word " * 2500) + ("WORD " * 2500),
]


@pytest.mark.parametrize("text", ADVERSARIAL, ids=range(len(ADVERSARIAL)))
def test_adversarial_strings(text: str) -> None:
    assert_same_ngrams(text)
    assert_same_detection(text)


def test_the_adversarial_strings_reach_both_cleaning_branches_and_capitalword() -> None:
    removed = kept = capital = 0
    for text in ADVERSARIAL:
        detector = Detector(factory())
        detector.append(text)
        before = detector.text
        detector.cleaning_text()
        removed += detector.text != before
        kept += detector.text == before and any("A" <= ch <= "z" for ch in before)
        capital += any(a.isupper() and b.isupper() for a, b in zip(before, before[1:]))
    assert removed >= 4 and kept >= 10 and capital >= 10


def test_max_text_length_and_appending_twice() -> None:
    text = "Ein  Text   mit  Leerzeichen, der länger ist als das Limit. " * 4
    for limit in (0, 1, 7, 50, 10000):
        assert_same_ngrams(text, max_text_length=limit)
    original, fast = Detector(factory()), FastDetector(factory())
    for detector in (original, fast):
        detector.append("first part ends with a space ")
        detector.append("  second part starts with spaces")
    assert fast.text == original.text
    assert fast._extract_ngrams() == original._extract_ngrams()


@pytest.mark.parametrize("seed", [0, 1, 12345])
def test_other_seeds_alpha_and_priors(seed: int) -> None:
    DetectorFactory.seed = seed
    text = "Die Regierung hat am Montag in Berlin neue Regeln für den Handel mit der EU vorgestellt."
    assert_same_detection(text)
    for alpha, prior in ((0.1, None), (0.9, {"de": 0.2, "nl": 0.5, "en": 0.3})):
        results = []
        for cls in (Detector, FastDetector):
            detector = cls(factory())
            detector.set_alpha(alpha)
            if prior:
                detector.set_prior_map(prior)
            detector.append(text)
            results.append([(language.lang, language.prob) for language in detector.get_probabilities()])
        assert results[0] == results[1]


def test_verbose_detection_is_langdetects(capsys: pytest.CaptureFixture[str]) -> None:
    text = "Talks on a ceasefire resumed on Friday in Cairo, officials said."
    results, printed = [], []
    for cls in (Detector, FastDetector):
        detector = cls(factory())
        detector.set_verbose()
        detector.append(text)
        results.append([(language.lang, language.prob) for language in detector.get_probabilities()])
        printed.append(capsys.readouterr().out)
    assert results[0] == results[1]
    assert printed[0] == printed[1] != ""


# --- random strings -------------------------------------------------------------------------------------------------

ALPHABET = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "0123456789.,;:!?'\"()[]\\^_`{}|~-+*/@#$%&<>="
    "      \t\n\r\x0b\x0c\x85\u00a0\u1680\u2002\u200b\u3000"
    "äöüÄÖÜßéèÉÈçÇñÑøØåÅæÆ«»°¿¡ÿ"
    "ăĂąĄčČđĐęĘğĞıİłŁňŇőŐřŘśŚşŞţŢșȘțȚǅǈǋ"
    "\u0300\u0301\u0303\u0309\u0323\u0302\u0306"
    "ạẠảẢấẤầẦểỂễỄệỆịỊọỌốỐộỘớỚờỜủỦứỨựỰỳỲḀḁẞ"
    "αβγδεζηθΑΒΓΔΕΖΗΘάέΆΈ"
    "абвгдежзийклмнопрстуфхцчшщъыьэюяАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯіїєґІЇЄҐ"
    "ابتثجحخدذرزسشصضطظعغفقكلمنهويىةءأإآپچژگکیۀ\u064b\u064e\u0650\u0651"
    "אבגדהוזחטיכלמנסעפצקרשת"
    "कखगघङचछजझञटठडढणतथदधन"
    "中国人民政府北京東京亜唖娃阿哀愛挨丂丄丅丆万与丏丐"
    "あいうえおかきくけこアイウエオカキクケコㄅㄆㄇㄈㆠㆡ가나다라마바사한국"
    "\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u200c\u200d\u2028"
    "ⒶⒷⓐⓑＡＢＣａｂｃ"
    "😀🔥👍🏽🇺🇳𝐀𝐁𝐚𝐛𐐀𐐁𐐨𐐩\U00020000\U0002a700"
)
TOKENS = [
    "NATO", "McDonald", "iPhone", "ABCdef", "aBCD", "USA", "UK", "EU", "the", "und", "der", "of", "في", "من",
    "ال", "Москва", "МОСКВА", "ΑΘΗΝΑ", "Việt", "VIỆT", "https://example.com/x?y=1", "a@b.org", "ǅemal", "İstanbul",
]


def random_strings(count: int, seed: int = 20240501) -> list[str]:
    rng = random.Random(seed)
    strings = []
    for _ in range(count):
        pieces = []
        for _ in range(rng.randint(0, 30)):
            roll = rng.random()
            if roll < 0.6:
                pieces.append(rng.choice(ALPHABET))
            elif roll < 0.75:
                pieces.append(" " * rng.randint(1, 4))
            else:
                token = rng.choice(TOKENS)
                pieces.append(token.upper() if rng.random() < 0.2 else token)
        strings.append("".join(pieces))
    return strings


def test_random_strings() -> None:
    strings = random_strings(3000)
    features = capital = removed = 0
    for text in strings:
        features += bool(assert_same_ngrams(text))
        detector = Detector(factory())
        detector.append(text)
        before = detector.text
        detector.cleaning_text()
        removed += detector.text != before
        normalized = "".join(map(NGram.normalize, detector.text))
        capital += any(a.isupper() and b.isupper() for a, b in zip(normalized, normalized[1:]))
    assert features > 2500 and capital > 1000 and removed > 100  # the comparison went through every branch
    for text in strings[::10]:
        assert_same_detection(text)


# --- the pieces and the wiring ---------------------------------------------------------------------------------------


def test_normalization_table_is_ngram_normalize() -> None:
    bmp = "".join(map(chr, range(0x10000)))
    assert bmp.translate(langdetect_fast._NORMALIZE) == "".join(map(NGram.normalize, bmp))
    astral = "".join(map(chr, range(0x10000, 0x110000, 61)))
    assert astral.translate(langdetect_fast._NORMALIZE) == "".join(map(NGram.normalize, astral))


def test_profiles_with_ngrams_add_char_never_yields_get_langdetects_extraction() -> None:
    """A lone space or a 3-gram across a space in the profiles: the fast extraction would yield them; langdetect's
    extraction is used instead."""
    profiles = [
        json.dumps({"name": "xx", "freq": {"a": 5, "b": 3, " a": 2, "a b": 4, "ab": 1}, "n_words": [8, 3, 4]}),
        json.dumps({"name": "yy", "freq": {"b": 5, " ": 9, "b ": 2, "ab ": 1}, "n_words": [14, 2, 1]}),
    ]
    for profile in profiles:
        custom = DetectorFactory()
        custom.load_json_profile([profile, json.dumps({"name": "zz", "freq": {"a": 1, "b": 1}, "n_words": [2, 0, 0]})])
        texts = ["a b ab ba aab", " b  a  b ", "ab"]
        for text in texts:
            original, fast = Detector(custom), FastDetector(custom)
            original.append(text)
            fast.append(text)
            assert fast._extract_ngrams() == original._extract_ngrams()


def test_langdetect_runs_the_overridden_methods() -> None:
    """If a langdetect release stopped calling these, FastDetector would quietly be plain langdetect again."""
    calls: list[str] = []

    class Spy(FastDetector):
        def _detect_block(self) -> None:
            calls.append("_detect_block")
            super()._detect_block()

        def cleaning_text(self) -> None:
            calls.append("cleaning_text")
            super().cleaning_text()

        def _extract_ngrams(self) -> list[str]:
            calls.append("_extract_ngrams")
            return super()._extract_ngrams()

    detector = Spy(factory())
    detector.append("Talks on a ceasefire resumed on Friday in Cairo.")
    detector.get_probabilities()
    assert calls == ["_detect_block", "cleaning_text", "_extract_ngrams"]
    calls.clear()
    detector = Spy(factory())
    detector.append("Talks on a ceasefire resumed on Friday in Cairo.")
    Detector._detect_block(detector)  # langdetect's own loop calls them too (the verbose path relies on it)
    assert calls == ["cleaning_text", "_extract_ngrams"]


def test_the_language_pipeline_uses_it() -> None:
    import pipelines.language

    assert pipelines.language.detect_langs is detect_langs
    text = "Die Regierung hat am Montag in Berlin neue Regeln für den Handel vorgestellt."
    best = _detect(text)
    expected = langdetect.detect_langs(text)[0]
    assert (best.lang, best.prob) == (expected.lang, expected.prob)
    assert _detect("") is None
