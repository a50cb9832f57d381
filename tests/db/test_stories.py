from datetime import datetime, timezone

from sqlalchemy import select

from db.engine import open_database, session_factory
from db.models import Article, ArticleBand
from db.stories import StoryPolicy, link_story
from db.store import insert_articles, upsert_source
from pipelines.fingerprint import fingerprint
from tests.pipelines.test_fingerprint import ORIGINAL

POLICY = StoryPolicy(threshold=0.5, min_words=40)
LOOSE = StoryPolicy(threshold=0.3, min_words=40)  # a half of a report measures about 0.5 against the whole


def _store(sessions, source_id: int, url: str, body: str, policy: StoryPolicy = POLICY):
    fp = fingerprint("title", body)
    with sessions.begin() as session:
        article_id = insert_articles(session, [dict(
            source_id=source_id, url=url, fetched_url=url, title="title", body=body, authors=[], tags=[], provenance={},
            word_count=fp.words, fetched_at=datetime(2024, 1, 1, tzinfo=timezone.utc), body_hash=fp.body_hash,
            minhash=fp.signature)])[url]
        return article_id, link_story(session, article_id, fp, policy)


def test_copies_join_the_first_articles_story_and_unrelated_ones_stay_apart(db_url):
    sessions = session_factory(open_database(db_url))
    with sessions.begin() as session:
        a = upsert_source(session, "almanar", "Al-Manar", "https://almanar.example/")
        b = upsert_source(session, "alakhbar", "Al-Akhbar", "https://alakhbar.example/")
    first_id, first = _store(sessions, a, "https://almanar.example/1", ORIGINAL)
    assert (first.story_id, first.duplicate_of) == (first_id, None)

    exact_id, exact = _store(sessions, b, "https://alakhbar.example/9", ORIGINAL.replace("إيران", "ايران"))
    assert (exact.story_id, exact.duplicate_of, exact.similarity) == (first_id, first_id, 1.0)

    edited_id, edited = _store(sessions, b, "https://alakhbar.example/10", "عاجل: " + ORIGINAL + " اقرأ أيضاً: أخبار أخرى")
    assert edited.story_id == first_id and edited.duplicate_of is None and edited.similarity >= 0.5

    other_id, other = _store(sessions, b, "https://alakhbar.example/11", "خبر آخر تماما عن الطقس في بيروت " * 12)
    assert other.story_id == other_id

    with sessions() as session:
        stored = dict(session.execute(select(Article.id, Article.story_id)).all())
        indexed = set(session.scalars(select(ArticleBand.article_id).distinct()))
    assert stored == {first_id: first_id, exact_id: first_id, edited_id: first_id, other_id: other_id}
    assert exact_id not in indexed and {first_id, edited_id, other_id} <= indexed


def test_short_bodies_join_only_exact_copies(db_url):
    sessions = session_factory(open_database(db_url))
    with sessions.begin() as session:
        a = upsert_source(session, "x", "X", "https://x.example/")
    flash = "عاجل: انفجار في مرفأ بيروت وأنباء عن إصابات"
    first_id, _ = _store(sessions, a, "https://x.example/1", flash)
    _, near = _store(sessions, a, "https://x.example/2", flash + " ووقوع قتلى")
    _, same = _store(sessions, a, "https://x.example/3", flash)
    assert near.story_id != first_id
    assert same.story_id == first_id and same.duplicate_of == first_id


def test_an_article_close_to_two_stories_merges_them_into_the_oldest(db_url):
    # Two outlets each ran half of a report; a third ran all of it, which shows the halves are one story.
    sessions = session_factory(open_database(db_url))
    with sessions.begin() as session:
        a = upsert_source(session, "a", "A", "https://a.example/")
    first_half = " ".join(f"قال المسؤول {n} إن المفاوضات في القاهرة مستمرة" for n in range(12))
    second_half = " ".join(f"وأضاف الوزير {n} أن الوفد يعود غدا إلى الدوحة" for n in range(12))
    unrelated = " ".join(f"توقعات الطقس {n} أمطار غزيرة على الساحل اللبناني" for n in range(12))
    first_id, first = _store(sessions, a, "https://a.example/1", first_half, LOOSE)
    second_id, second = _store(sessions, a, "https://a.example/2", second_half, LOOSE)
    other_id, _ = _store(sessions, a, "https://a.example/3", unrelated, LOOSE)
    assert second.story_id == second_id != first.story_id

    full_id, full = _store(sessions, a, "https://a.example/4", first_half + " " + second_half, LOOSE)
    assert full.story_id == first_id and full.merged == (second_id,)
    with sessions() as session:
        stored = dict(session.execute(select(Article.id, Article.story_id)).all())
    assert stored == {first_id: first_id, second_id: first_id, full_id: first_id, other_id: other_id}
