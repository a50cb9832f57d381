import re

from pipelines.fingerprint import BANDS, fingerprint, similarity

ORIGINAL = (
    "في سياق التعاون العسكري بين ايران وروسيا، حطّت طائرة وزير الدفاع الروسي سيرغي شويغو في طهران، في زيارة "
    "تعتبر محطة مهمة لتعزيز التعاون، وسط جو من اللامبالاة تجاه الغرب الذي أعرب عن توجسه من تعزيز روسيا "
    "لروابطها العسكرية مع إيران. وأضاف شويغو، خلال مباحثات مع نظيره الإيراني محمد رضا أشتياني اليوم الأربعاء، "
    "أن التعاون بين موسكو وطهران بلغ مستوى جديداً، والحوار الثنائي يتطور بشكل مكثف، لافتاً إلى أن ضغط "
    "العقوبات على روسيا وإيران أثبت عدم جدواه."
)


def test_spellings_the_normalizer_unifies_give_the_same_body_hash():
    respelled = ORIGINAL.replace("إيران", "ايران").replace("أشتياني", "آشتیاني").replace("حطّت", "حطت")
    assert fingerprint("a", ORIGINAL).body_hash == fingerprint("another title", respelled).body_hash


def test_an_edited_copy_is_similar_and_shares_bands():
    edited = "عاجل: " + ORIGINAL.replace("اليوم الأربعاء", "يوم الأربعاء") + " شارك هذا الخبر."
    a, b = fingerprint("t", ORIGINAL), fingerprint("t", edited)
    assert a.body_hash != b.body_hash
    assert similarity(a.signature, b.signature) > 0.7
    assert set(a.bands) & set(b.bands)


def test_an_unrelated_text_on_the_same_topic_is_not():
    other = (
        "أعلنت وزارة الخارجية الإيرانية أن الوزير حسين أمير عبد اللهيان سيزور موسكو الأسبوع المقبل لبحث "
        "ملفات إقليمية، بينها الأوضاع في سوريا والقوقاز، في ظل العقوبات الغربية المفروضة على البلدين، "
        "وقال المتحدث باسم الوزارة إن العلاقات الثنائية تشهد تطوراً ملحوظاً في المجالات الاقتصادية."
    )
    a, b = fingerprint("t", ORIGINAL), fingerprint("t", other)
    assert similarity(a.signature, b.signature) < 0.2


def test_fingerprint_shape():
    fp = fingerprint("t", ORIGINAL)
    assert len(fp.bands) == BANDS and len(fp.signature) == 128 * 4
    assert fp.words == len(ORIGINAL.split())  # punctuation is not a word


def test_signature_is_datasketchs_default_minhash_of_the_shingles():
    # stored signatures and bands must keep matching new ones: the shingle hashing done in bulk is datasketch's own
    from datasketch import MinHash

    from pipelines.fingerprint import _SCHEME, NUM_PERM
    from pipelines.textkey import dedup_key

    body = ORIGINAL
    fp = fingerprint("", body)
    words = re.findall(r"\w+", dedup_key(body))
    reference = MinHash(num_perm=NUM_PERM, seed=1, scheme=_SCHEME)
    reference.update_batch([" ".join(words[i : i + 3]).encode() for i in range(len(words) - 2)])
    assert fp.signature == reference.hashvalues.astype("<u4").tobytes()
