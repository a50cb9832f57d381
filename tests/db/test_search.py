"""Search as users type it, on SQLite (FTS5) and PostgreSQL (tsvector): normalized matching, operators, safety."""

from datetime import datetime, timezone

import pytest
from sqlalchemy import delete, update

from db.engine import open_database, session_factory
from db.models import Article
from db.query import ArticleQuery, Sort, query_articles, query_stories
from db.search import SearchError, parse_search, snippet
from db.store import insert_articles, upsert_source
from pipelines.textkey import search_key

ARTICLES = {
    "ashtiani": ("لقاء مع آشتياني في طهران", "التقى وزير الخارجيّة بالمسؤول آشتياني لبحث الملف النووي مع إيران."),
    "persian": ("دیدار با آشتیانی", "وزیر امور خارجه با آشتیاني در تهران دیدار کرد و درباره ایران گفتگو شد."),
    "tashkeel": ("إِيرَانُ والمفاوضات", "قالت مصادر إنّ إِيـــرَانَ تدرس العرض الأوروبي حول البرنامج النووي."),
    "deal": ("Iran nuclear deal talks resume", "Diplomats said the nuclear deal could be revived in Vienna next week."),
    "deal_apart": ("A deal on trade", "The nuclear plant was not part of the trade deal signed with Iran."),
    "weather": ("Storm hits Beirut", "Heavy rain and strong winds hit Beirut on Monday; no casualties were reported."),
}


@pytest.fixture
def sessions(db_url):
    engine = open_database(db_url)
    factory = session_factory(engine)
    with factory.begin() as session:
        source = upsert_source(session, "x", "X", "https://x.example/")
        rows = [
            dict(source_id=source, url=f"https://x.example/{key}", fetched_url=f"https://x.example/{key}", title=title,
                 body=body, search_text=search_key(f"{title}\n{body}"), authors=[], tags=[], provenance={},
                 word_count=len(body.split()), fetched_at=datetime(2024, 9, 20, 12, i, tzinfo=timezone.utc),
                 published_at=None if key == "weather" else datetime(2024, 9, 20, 10, i, tzinfo=timezone.utc))
            for i, (key, (title, body)) in enumerate(ARTICLES.items())
        ]
        insert_articles(session, rows)
    yield factory
    engine.dispose()


def found(sessions, text: str, **filters) -> set[str]:
    with sessions() as session:
        rows = query_articles(session, ArticleQuery(text=text, limit=None, **filters))
    return {row.url.rsplit("/", 1)[1] for row in rows}


def test_arabic_spellings_the_normalizer_unifies_find_each_other(sessions):
    assert found(sessions, "أشتياني") == {"ashtiani", "persian"}
    assert found(sessions, "آشتیانی") == {"ashtiani", "persian"}  # Persian yeh, as typed on a Persian keyboard
    assert found(sessions, "ايران") == {"ashtiani", "persian", "tashkeel"}  # إيران, ایران, and إِيـــرَانَ
    assert found(sessions, "الخارجية") == {"ashtiani"}  # the page writes الخارجيّة, with a shadda


def test_phrases_or_and_exclusions(sessions):
    assert found(sessions, '"nuclear deal"') == {"deal"}
    assert found(sessions, "nuclear deal") == {"deal", "deal_apart"}
    assert found(sessions, "nuclear deal -trade") == {"deal"}
    assert found(sessions, "storm OR vienna") == {"deal", "weather"}
    assert found(sessions, "beirut OR طهران -rain") == {"ashtiani"}
    assert found(sessions, "NUCLEAR Deal") == found(sessions, "nuclear deal")


def test_filters_and_relevance(sessions):
    assert found(sessions, "beirut", has_date=False) == {"weather"}
    assert found(sessions, "iran", has_date=True) == {"deal", "deal_apart"}
    with sessions() as session:
        ranked = query_articles(session, ArticleQuery(text="nuclear deal", sort=Sort.RELEVANCE))
        by_date = query_articles(session, ArticleQuery(text="nuclear deal", sort=Sort.DATE))
    # "deal" says nuclear deal twice, in its title and body; "deal_apart" has the words apart
    assert [r.url.rsplit("/", 1)[1] for r in ranked] == ["deal", "deal_apart"]
    assert ranked[0].score > ranked[1].score
    assert [r.url.rsplit("/", 1)[1] for r in by_date] == ["deal_apart", "deal"]  # published later


def test_the_index_follows_updates_and_deletes(sessions):
    with sessions.begin() as session:
        session.execute(update(Article).where(Article.url.endswith("/weather"))
                        .values(search_text=search_key("Storm hits Tripoli")))
    assert found(sessions, "beirut") == set()
    assert found(sessions, "tripoli") == {"weather"}
    with sessions.begin() as session:
        session.execute(delete(Article).where(Article.url.endswith("/weather")))
    assert found(sessions, "tripoli") == set()


@pytest.mark.parametrize("text", [
    "'; DROP TABLE articles; --", 'nuclear" OR 1=1 --"', "NEAR(nuclear deal)", "title:iran", "^nuclear", "iran*",
    "a AND b NOT c", "(iran", "iran)", "{x y}: iran", "\\", "%_%", "deal -", "- deal", "ايران'",
])
def test_any_text_is_safe(sessions, text):
    try:
        found(sessions, text)
    except SearchError:
        pass  # a clear refusal is fine; a database error or an injection is not
    assert len(found(sessions, "beirut OR iran OR ايران")) == len(ARTICLES)  # the table is intact


@pytest.mark.parametrize("text, message", [
    ('"nuclear deal', "unclosed quote"),
    ("OR iran", "on its left"),
    ("iran OR", "on its right"),
    ("-iran", "only excludes"),
    ("!!! ...", "nothing to search for"),
])
def test_malformed_searches_are_refused_with_a_reason(text, message):
    with pytest.raises(SearchError, match=message):
        parse_search(text)


def test_stories_can_be_searched(sessions):
    with sessions() as session:
        stories = query_stories(session, ArticleQuery(text="أشتياني"))
    assert {s.first.url.rsplit("/", 1)[1] for s in stories} == {"ashtiani", "persian"}


def test_snippets_mark_the_match_as_the_page_wrote_it():
    body = "التقى وزير الخارجيّة بالمسؤول آشتياني لبحث الملف النووي."
    pieces = snippet(body, parse_search("أشتياني"))
    assert ("آشتياني", True) in pieces
    assert "".join(piece for piece, _ in pieces) == body.rstrip(".")


def test_a_search_matching_most_articles_finds_the_same_as_one_matching_few(db_url, monkeypatch):
    # Many matches: the newest are found by walking the date index; few: from the matches. Same answers either way.
    import db.query

    engine = open_database(db_url)
    sessions = session_factory(engine)
    with sessions.begin() as session:
        source = upsert_source(session, "x", "X", "https://x.example/")
        rows = []
        for i in range(120):
            body = "common words in every report " + ("and a rare one " if i % 40 == 7 else "") + f"number {i}"
            rows.append(dict(source_id=source, url=f"https://x.example/{i}", fetched_url=f"https://x.example/{i}",
                             title=f"report {i}", body=body, search_text=search_key(body), authors=[], tags=[],
                             provenance={}, word_count=8, fetched_at=datetime(2024, 9, 1, tzinfo=timezone.utc),
                             published_at=datetime(2024, 9, 1, tzinfo=timezone.utc).replace(hour=i % 24, minute=i // 24)))
        insert_articles(session, rows)

    def urls(text, sort, forced=None):
        if forced is not None:
            monkeypatch.setattr(db.query, "_common", lambda session, search: forced)
        with sessions() as session:
            return [r.url for r in query_articles(session, ArticleQuery(text=text, sort=sort, limit=10))]

    newest = [f"https://x.example/{i}" for i in sorted(range(120), key=lambda i: (i % 24, i // 24, i), reverse=True)]
    assert urls("common", Sort.DATE) == newest[:10]
    if engine.dialect.name == "sqlite":
        assert db.query._common(sessions(), parse_search("common")) and not db.query._common(sessions(), parse_search("rare"))
        assert urls("common", Sort.DATE, forced=False) == newest[:10]
        assert urls("common", Sort.RELEVANCE, forced=True) == urls("common", Sort.RELEVANCE, forced=False)
    assert sorted(urls("rare", Sort.RELEVANCE)) == sorted(f"https://x.example/{i}" for i in (7, 47, 87))
    engine.dispose()


def test_phrases_are_found_among_many_articles_with_their_words_apart(db_url, monkeypatch):
    # PostgreSQL checks a phrase's word order only on the newest articles with its words, batch by batch: the
    # answers must be those of checking every article, however far back the phrase's matches lie.
    import db.query

    monkeypatch.setattr(db.query, "RANK_WINDOW", 4)
    engine = open_database(db_url)
    sessions = session_factory(engine)
    phrase_at = {3, 17, 18, 40, 41, 42, 77}
    with sessions.begin() as session:
        source = upsert_source(session, "x", "X", "https://x.example/")
        rows = []
        for i in range(80):
            body = "interest rates rose" if i in phrase_at else "rates of interest rose"
            rows.append(dict(source_id=source, url=f"https://x.example/{i}", fetched_url=f"https://x.example/{i}",
                             title=f"report {i}", body=body, search_text=search_key(body), authors=[], tags=[],
                             provenance={}, word_count=4, fetched_at=datetime(2024, 9, 1, tzinfo=timezone.utc),
                             published_at=datetime(2024, 9, 1, tzinfo=timezone.utc).replace(hour=i // 4, minute=i % 4)))
        insert_articles(session, rows)

    def found(text, sort, limit=3, offset=0):
        with sessions() as session:
            query = ArticleQuery(text=text, sort=sort, limit=limit, offset=offset)
            return [int(r.url.rsplit("/", 1)[1]) for r in query_articles(session, query)]

    newest = sorted(phrase_at, reverse=True)
    assert found('"interest rates"', Sort.DATE) == newest[:3]
    assert found('"interest rates"', Sort.DATE, limit=3, offset=3) == newest[3:6]
    assert sorted(found('"interest rates"', Sort.RELEVANCE, limit=10)) == sorted(phrase_at)
    assert found('"interest rates" -"rates rose"', Sort.DATE, limit=10) == []
    assert found('"rates of interest" -"interest rates"', Sort.DATE, limit=2) == [79, 78]
    with sessions() as session:
        stories = query_stories(session, ArticleQuery(text='"interest rates"', sort=Sort.DATE, limit=10))
    assert sorted(int(s.first.url.rsplit("/", 1)[1]) for s in stories) == sorted(phrase_at)
    engine.dispose()
