"""Reads: the stored articles and per-source figures, as typed rows."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, Float, Integer, and_, any_, bindparam, cast, func, literal_column, null, or_, select, text, tuple_
from sqlalchemy.orm import Session

from db.models import Article, ArticleVersion, CrawlRun, RunStatus, Source
from db.search import Search, parse_search


@dataclass(frozen=True)
class ArticleRow:
    id: int
    url: str
    source: str
    title: str
    body: str
    published_at: datetime | None
    published_from: str | None
    language: str | None
    authors: list[str]
    fetched_at: datetime
    modified_at: datetime | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    image: str | None = None
    description: str | None = None
    credited_source: str | None = None
    story_id: int | None = None
    duplicate_of: int | None = None
    score: float | None = None   # relevance to the search text, higher is better; None without a search


class Sort(enum.StrEnum):
    RELEVANCE = "relevance"
    DATE = "date"


class DateField(enum.StrEnum):
    PUBLISHED = "published"   # the published date, or the fetch time of an article whose page gave none
    FETCHED = "fetched"


@dataclass(frozen=True)
class ArticleQuery:
    """What to read: every field narrows the result; the defaults read the newest 50 articles."""

    text: str | None = None          # search text (db.search): words, "phrases", OR, -exclusions
    sources: tuple[str, ...] = ()
    language: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    date_field: DateField = DateField.PUBLISHED
    has_date: bool | None = None     # True: only articles with a published date; False: only those without
    sort: Sort | None = None         # default: relevance with a search text, else date
    limit: int | None = 50
    offset: int = 0

    @property
    def search(self) -> Search | None:
        return parse_search(self.text) if self.text is not None else None

    @property
    def order(self) -> Sort:
        return self.sort or (Sort.RELEVANCE if self.text is not None else Sort.DATE)


def query_articles(session: Session, query: ArticleQuery) -> list[ArticleRow]:
    """Stored articles matching ``query``: the most relevant first when searching, else the newest first.

    Newest means published date, or the fetch time for an article whose page gave no date,
    so an undated article is neither lost at the bottom nor placed in the future. Relevance is ranked within a
    window of the newest matches (see RANK_WINDOW).
    """
    search = query.search  # parsed before any SQL, so a bad search text costs no query
    if search is not None:
        return _searched_articles(session, query, search)
    statement, score, when = _articles(session, query, search)
    statement = statement.order_by(when.desc(), Article.id.desc())
    return [article_row(article, name, score) for article, name, score in session.execute(_paged(statement, query))]


# A search ranks by relevance the matches among the newest RANK_WINDOW articles with every word it looks for, not
# all of its matches: ranking every match of a common word among a million articles takes seconds (bench/search.py),
# and a news search wants recent reports. Without phrases, those articles are the newest RANK_WINDOW matches; a
# phrase's matches are those of them with the words in order, and the window reaches further back when they are
# too few to fill the page. A search with fewer matches is ranked whole; --sort date is never windowed.
RANK_WINDOW = 1000


def _searched_articles(session: Session, query: ArticleQuery, search: Search) -> list[ArticleRow]:
    """A search in two steps: the ids of the matches, newest first (cheap: an index on the date, no article
    text read), then the full rows of the page only."""
    when = date_column(query)
    end = None if query.limit is None else query.offset + query.limit
    window = _window(session, query, search, when, end)
    scores: dict[int, float] = {}
    if query.order is Sort.RELEVANCE:
        scores = _scores(session, search, [row.id for row in window])
        window.sort(key=lambda row: (scores.get(row.id, 0.0), row.when, row.id), reverse=True)
    page = window[query.offset : end]
    return _rows_in_order(session, [row.id for row in page], scores)


def _window(session: Session, query: ArticleQuery, search: Search, when: Any, needed: int | None,
            *columns: Any) -> list[Any]:
    """The matches of ``search`` and the filters among the newest RANK_WINDOW articles with its words, and further
    back until there are ``needed`` of them (all matches if None), newest first, as rows of (id, when, *columns).

    The database is asked for at least RANK_WINDOW rows even for a smaller page: with LIMIT 50, PostgreSQL's
    planner walks the date index expecting a rare word sooner than it comes (3.4 s for a word in 108 of a million
    articles); with the window's limit it takes the matches from the GIN index.
    """
    if needed is not None and search.has_phrases and session.get_bind().dialect.name == "postgresql":
        return _phrase_window(session, query, search, when, needed, columns)
    statement = _newest_matches(session, query, search, when, columns)
    return session.execute(statement.limit(None if needed is None else max(RANK_WINDOW, needed))).all()


def _newest_matches(session: Session, query: ArticleQuery, search: Search, when: Any, columns: tuple = (),
                    condition: Any = None) -> Any:
    """(id, when, *columns) of the articles matching ``condition`` (by default ``search``) and the filters,
    newest first."""
    condition = _match(session, search) if condition is None else condition
    statement = select(Article.id.label("id"), when.label("when"), *columns).where(condition)
    return apply_filters(statement, query, when).order_by(when.desc(), Article.id.desc())


def _phrase_window(session: Session, query: ArticleQuery, search: Search, when: Any, needed: int,
                   columns: tuple) -> list[Any]:
    """The window of a search with phrases, on PostgreSQL (see _window).

    The GIN index holds no word positions, so a phrase makes PostgreSQL read back the tsvector of every article
    with its words (or, walking the date index, of every article) to check their order: tens of thousands for a
    phrase in 2% of a million articles (380 ms, bench/search.py). Instead the newest articles with the words
    anywhere (the loose query, which the index answers alone) are taken in batches, and the order of the words is
    checked on those only.
    """
    candidates = _newest_matches(session, query, search, when, columns,
                                 condition=_vector().op("@@")(_tsquery(search, loose=True)))
    found: list[Any] = []
    batch, last = max(RANK_WINDOW, needed), None
    while True:
        statement = candidates if last is None else candidates.where(tuple_(when, Article.id) < tuple_(last.when, last.id))
        rows = session.execute(statement.limit(batch)).all()
        kept = _in_order(session, search, [r.id for r in rows])
        found += [r for r in rows if r.id in kept]
        if len(found) >= needed or len(rows) < batch:
            return found
        last, batch = rows[-1], min(batch * 2, 32_000)  # the phrase is rarer than its words: look further each time


def _in_order(session: Session, search: Search, ids: list[int]) -> set[int]:
    """Those of ``ids`` that match ``search`` exactly, phrases included. The candidates are fetched by id first
    (MATERIALIZED): left to itself, the planner checks the phrase through the GIN index on every article with
    its words and only then keeps the ids asked for."""
    if not ids:
        return set()
    listed = bindparam("ids", ids, type_=ARRAY(Integer))  # one array, not thousands of binds
    candidates = (select(Article.id.label("id"), _vector().label("vector")).where(Article.id == any_(listed))
                  .cte("candidates").prefix_with("MATERIALIZED"))
    return set(session.scalars(select(candidates.c.id).where(candidates.c.vector.op("@@")(_tsquery(search)))))


def _match(session: Session, search: Search) -> Any:
    """The condition "matches ``search``" on articles.

    SQLite: membership in the FTS5 matches. For a search that matches many articles, ``id + 0`` keeps SQLite from
    looking up every match in the table (a third of a million reads for a common word): it walks the date index
    instead, newest first, and stops at the page's last match. A rare search goes from its few matches.
    PostgreSQL: the GIN-indexed tsvector; its planner weighs the two ways itself, from the column's statistics.
    """
    if session.get_bind().dialect.name == "sqlite":
        ids = text("SELECT rowid FROM articles_fts WHERE articles_fts MATCH :match").bindparams(match=search.fts5())
        column = Article.id + 0 if _common(session, search) else Article.id
        return column.in_(ids)
    return _vector().op("@@")(_tsquery(search))


def _common(session: Session, search: Search) -> bool:
    """Whether ``search`` matches so many articles that walking the date index finds a page sooner than looking
    up every match: when the matches exceed the square root of 50 × the articles stored (7,000 of a million)."""
    tokens = sorted({t for clause in search.wanted for phrase in clause.alternatives for t in phrase})
    rows = session.execute(
        text("SELECT term, doc FROM articles_fts_terms WHERE term IN :terms").bindparams(bindparam("terms", expanding=True)),
        {"terms": tokens},
    )
    docs = dict(rows.all())
    estimate = min(
        sum(min(docs.get(t, 0) for t in phrase) for phrase in clause.alternatives) for clause in search.wanted
    )
    total = session.scalar(select(func.max(Article.id))) or 0
    return estimate * estimate > 50 * total


def _scores(session: Session, search: Search, ids: list[int]) -> dict[int, float]:
    """Relevance of each article in ``ids`` to ``search``, higher is better: BM25 on SQLite (FTS5's rank, negated:
    lower is better there), cover density (ts_rank_cd, which rewards terms standing close together) on PostgreSQL."""
    if not ids:
        return {}
    if session.get_bind().dialect.name == "sqlite":
        # FTS5 seeks a rowid range in its index, but answers "rowid IN (...)" one id at a time, each a new search
        # (seconds for 2,000). The newest matches are stored close together, so their range is narrow.
        statement = text(
            "SELECT rowid, -rank FROM articles_fts WHERE articles_fts MATCH :match AND rowid BETWEEN :low AND :high"
        )
        wanted = set(ids)
        ranked = session.execute(statement, {"match": search.fts5(), "low": min(ids), "high": max(ids)})
        return {rowid: score for rowid, score in ranked if rowid in wanted}
    rank = func.ts_rank_cd(_vector(), _tsquery(search))
    return dict(session.execute(select(Article.id, rank).where(Article.id.in_(ids))).all())


def _rows_in_order(session: Session, ids: list[int], scores: dict[int, float]) -> list[ArticleRow]:
    found = {article.id: (article, name) for article, name in
             session.execute(select(Article, Source.name).join(Source).where(Article.id.in_(ids)))}
    return [article_row(*found[i], scores.get(i)) for i in ids if i in found]


def _vector() -> Any:
    return literal_column("articles.search_vector")


def _tsquery(search: Search, loose: bool = False) -> Any:
    return func.to_tsquery(literal_column("'simple'::regconfig"), search.tsquery(loose))


def iter_articles(session: Session, query: ArticleQuery = ArticleQuery(limit=None),
                  chunk: int = 200) -> Iterator[ArticleRow]:
    """The articles matching ``query`` (by default every stored article) in the order they were stored, read
    ``chunk`` rows at a time (200 bodies of a few KB: a MB or two), so memory stays flat however many there are:
    a server-side cursor on PostgreSQL, SQLite's own stepping on SQLite. For exports; ``query.sort`` is not used,
    its limit and offset are.

    The query runs when this is called (a bad search text raises here); the session must stay open while the
    iterator is consumed.
    """
    statement, _, _ = _articles(session, query, query.search)
    result = session.execute(_paged(statement.order_by(Article.id), query).execution_options(yield_per=chunk))
    return (article_row(article, name, score) for article, name, score in result)


def _articles(session: Session, query: ArticleQuery, search: Search | None) -> tuple[Any, Any, Any]:
    """The articles matching ``search`` and the filters of ``query``, in no order and not paged; and the columns
    of their relevance score and of the date the query filters on."""
    when = date_column(query)
    statement, score = match_search(session, select(Article, Source.name).join(Source), search)
    return apply_filters(statement.add_columns(score), query, when), score, when


def _paged(statement, query: ArticleQuery):  # type: ignore[no-untyped-def]
    if query.offset:
        statement = statement.offset(query.offset)
    if query.limit is not None:
        statement = statement.limit(query.limit)
    return statement


def date_column(query: ArticleQuery) -> Any:
    """The date ``query`` filters and orders by: published (the fetch time for an undated page), or fetched."""
    if query.date_field is DateField.FETCHED:
        return Article.fetched_at
    return func.coalesce(Article.published_at, Article.fetched_at)


def match_search(session: Session, statement: Any, search: Search | None) -> tuple[Any, Any]:
    """``statement`` narrowed to the articles matching ``search``, and their relevance score (higher is better).

    Every match with its score, for reads that need them all (exports, saved searches); a paged search goes
    through _searched_articles instead. SQLite: the FTS5 table, ranked by its rank column, BM25 (negated: FTS5's is
    lower for better). PostgreSQL: the GIN-indexed tsvector column, ranked by ts_rank_cd.
    """
    if search is None:
        return statement, cast(null(), Float).label("score")  # typed: a bare NULL is text to PostgreSQL
    if session.get_bind().dialect.name == "sqlite":
        matches = (
            text("SELECT rowid AS id, -rank AS score FROM articles_fts WHERE articles_fts MATCH :match")
            .bindparams(match=search.fts5())
            .columns(id=Integer, score=Float)
            .subquery("matches")
        )
        return statement.join(matches, matches.c.id == Article.id), matches.c.score.label("score")
    return statement.where(_vector().op("@@")(_tsquery(search))), func.ts_rank_cd(_vector(), _tsquery(search)).label("score")


@dataclass(frozen=True)
class StoryRow:
    """One story: its earliest article, and who ran it."""

    story_id: int
    first: ArticleRow            # the earliest article (by published date, else fetch time)
    articles: int
    sources: list[str]           # outlets that ran it, earliest first
    last_seen: datetime


def query_stories(session: Session, query: ArticleQuery) -> list[StoryRow]:
    """Stories with an article matching ``query``, one row each: when searching, the story of the most relevant
    article first, else the most recently active first."""
    when = date_column(query)
    search = query.search
    story = func.coalesce(Article.story_id, Article.id)
    if search is not None:
        page = _searched_stories(session, query, search, when)
    else:
        grouped = apply_filters(select(story.label("story"), func.max(when).label("last_seen")).group_by(story), query, when)
        page = [row.story for row in session.execute(_paged(grouped.order_by(func.max(when).desc(), story.desc()), query))]
    if not page:
        return []
    # coalesce(story_id, id) spelt out, so the indexes on story_id and id find the members
    in_page = or_(Article.story_id.in_(page), and_(Article.story_id.is_(None), Article.id.in_(page)))
    members = select(Article, Source.name).join(Source).where(in_page)
    if search is not None:
        members = members.where(_match(session, search))
    members = apply_filters(members, query, when).order_by(when, Article.id)
    by_story: dict[int, list[ArticleRow]] = {}
    for article, name in session.execute(members):
        by_story.setdefault(article.story_id or article.id, []).append(article_row(article, name))
    stories = []
    for story_id in page:
        rows = by_story.get(story_id, [])
        if rows:
            sources = list(dict.fromkeys(r.source for r in rows))
            last_seen = max(_when_of(r, query) for r in rows)
            stories.append(StoryRow(story_id=story_id, first=rows[0], articles=len(rows), sources=sources,
                                    last_seen=last_seen))
    return stories


def _searched_stories(session: Session, query: ArticleQuery, search: Search, when: Any) -> list[int]:
    """The page of story ids for a search, from its newest matches (20 for each story asked for, at least
    RANK_WINDOW): by their newest match, or by their best match's relevance."""
    story = func.coalesce(Article.story_id, Article.id)
    asked = None if query.limit is None else query.offset + query.limit
    window = _window(session, query, search, when, None if asked is None else 20 * asked, story.label("story"))
    order = list(dict.fromkeys(row.story for row in window))  # newest match first
    if query.order is Sort.RELEVANCE:
        scores = _scores(session, search, [row.id for row in window])
        best: dict[int, float] = {}
        for row in window:
            best[row.story] = max(best.get(row.story, float("-inf")), scores.get(row.id, 0.0))
        order.sort(key=lambda s: best[s], reverse=True)  # stable: ties keep the newest first
    return order[query.offset : asked]


def _when_of(row: ArticleRow, query: ArticleQuery) -> datetime:
    if query.date_field is DateField.FETCHED:
        return row.fetched_at
    return row.published_at or row.fetched_at


def apply_filters(statement, query: ArticleQuery, when):  # type: ignore[no-untyped-def]
    """``statement`` narrowed by the filters of ``query`` (all but the search text); ``when`` is its date_column."""
    if query.sources:  # by id: no join needed, and the date index covers it
        statement = statement.where(Article.source_id.in_(select(Source.id).where(Source.name.in_(query.sources))))
    if query.language:
        statement = statement.where(Article.language == query.language)
    if query.since:
        statement = statement.where(when >= query.since)
    if query.until:
        statement = statement.where(when < query.until)
    if query.has_date is not None:
        statement = statement.where(Article.published_at.is_not(None) if query.has_date else Article.published_at.is_(None))
    return statement


def article_row(article: Article, source_name: str, score: float | None = None) -> ArticleRow:
    return ArticleRow(
        id=article.id,
        url=article.url,
        source=source_name,
        title=article.title,
        body=article.body,
        published_at=article.published_at,
        published_from=article.published_from,
        language=article.language,
        authors=list(article.authors or []),
        fetched_at=article.fetched_at,
        modified_at=article.modified_at,
        section=article.section,
        tags=list(article.tags or []),
        image=article.image,
        description=article.description,
        credited_source=article.credited_source,
        story_id=article.story_id if article.story_id is not None else article.id,
        duplicate_of=article.duplicate_of,
        score=score,
    )


@dataclass(frozen=True)
class SourceFigures:
    articles: int
    last_crawl: datetime | None
    last_status: str | None


def source_figures(session: Session) -> dict[str, SourceFigures]:
    """Per source name: article count and the start time and status of its latest crawl run."""
    counts = dict(
        session.execute(select(Source.name, func.count(Article.id)).outerjoin(Article).group_by(Source.name)).all()
    )
    latest = (
        select(CrawlRun.source_id, func.max(CrawlRun.id).label("run_id")).group_by(CrawlRun.source_id).subquery()
    )
    runs = session.execute(
        select(Source.name, CrawlRun.started_at, CrawlRun.status)
        .join(latest, latest.c.source_id == Source.id)
        .join(CrawlRun, CrawlRun.id == latest.c.run_id)
    ).all()
    last = {name: (started, RunStatus(status).value) for name, started, status in runs}
    return {
        name: SourceFigures(articles=count, last_crawl=last.get(name, (None, None))[0], last_status=last.get(name, (None, None))[1])
        for name, count in counts.items()
    }


@dataclass(frozen=True)
class VersionRow:
    """One text of an article: the current one (``current`` True) or an earlier one kept when it changed."""

    title: str
    body: str
    modified_at: datetime | None
    fetched_at: datetime
    current: bool


def article_history(session: Session, url: str) -> list[VersionRow]:
    """Every text the article at ``url`` (canonical or as linked) has had, oldest first; [] if not stored."""
    article = session.scalars(select(Article).where(or_(Article.url == url, Article.fetched_url == url)).limit(1)).first()
    if article is None:
        return []
    earlier = session.scalars(
        select(ArticleVersion).where(ArticleVersion.article_id == article.id).order_by(ArticleVersion.fetched_at)
    )
    rows = [VersionRow(v.title, v.body, v.modified_at, v.fetched_at, current=False) for v in earlier]
    return rows + [VersionRow(article.title, article.body, article.modified_at, article.fetched_at, current=True)]
