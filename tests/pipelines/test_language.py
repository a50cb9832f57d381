from pipelines.language import detect_language

ARABIC = (
    "في سياق التعاون العسكري بين ايران وروسيا، حطّت طائرة وزير الدفاع الروسي سيرغي شويغو في طهران "
    "الزيارة التي تعتبر محطة مهمة لتعزيز التعاون، وسط جو من اللامبالاة تجاه الغرب الذي أعرب عن توجسه"
)
ENGLISH = (
    "Talks on a ceasefire resumed on Friday in Cairo, officials said, as mediators pressed both sides "
    "to agree on a first phase that would free hostages and allow aid into the territory."
)


def test_long_text_is_detected_regardless_of_hints():
    assert detect_language(ARABIC, {"source": "en"}) == ("ar", "langdetect")
    assert detect_language(ENGLISH, {"html": "ar"}) == ("en", "langdetect")


def test_detection_is_deterministic():
    assert {detect_language(ENGLISH, {})[0] for _ in range(20)} == {"en"}


def test_short_text_falls_back_to_page_then_feed_then_source_hint():
    assert detect_language("عاجل", {"source": "ar", "html": "ar-LB"}) == ("ar", "html")
    assert detect_language("Breaking", {"feed": "en", "source": "ar"}) == ("en", "feed")
    assert detect_language("Breaking", {"source": "en_GB"}) == ("en", "source")
    assert detect_language("Breaking", {}) == (None, None)
