"""Linking a newly stored article to its story: exact copies by body hash, near-duplicates by LSH bands.

The band table is indexed, so the lookup costs the same with ten thousand articles stored or a million,
and every crawler process or machine writing to the database sees the others' articles at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from db.models import Article, ArticleBand
from pipelines.fingerprint import Fingerprint, similarity

_MAX_CANDIDATES = 50  # the articles sharing most bands with the new one; enough for any real story


@dataclass(frozen=True)
class StoryPolicy:
    # estimated Jaccard similarity of 3-word shingles to join a story: edited copies measure 0.40 and up,
    # different reports of the same event 0.08 at most (bench/dedup.py), so 0.3 has a margin on both sides
    threshold: float = 0.3
    min_words: int = 40     # shorter bodies join a story only as exact copies


@dataclass(frozen=True)
class StoryLink:
    story_id: int
    duplicate_of: int | None     # the first article with the same normalized body
    similarity: float | None     # with the article whose story it joined; None for a new story
    merged: tuple[int, ...] = ()  # stories this article bridged, now folded into ``story_id``


def link_story(session: Session, article_id: int, fp: Fingerprint, policy: StoryPolicy) -> StoryLink:
    """Give the stored article ``article_id`` its story, record it, and index its bands for later articles."""
    link = _exact_copy(session, article_id, fp) or _near_duplicate(session, article_id, fp, policy)
    link = link or StoryLink(story_id=article_id, duplicate_of=None, similarity=None)
    session.execute(_SET_STORY, {"article": article_id, "story": link.story_id, "copy_of": link.duplicate_of})
    if link.merged:
        session.execute(_MERGE_STORIES, {"story": link.story_id, "merged": list(link.merged)})
    if fp.words >= policy.min_words and link.duplicate_of is None:
        # an exact copy adds nothing to the index that its original has not. One executemany of plain rows: as ORM
        # objects, 128 bands an article were a fifth of a crawl's CPU (cProfile of bench/throughput.py's crawl)
        session.execute(_ADD_BAND, [{"band": band, "article_id": article_id} for band in set(fp.bands)])
    return link


# The statements are built once: built per article, their 64 band parameters and clauses were a tenth of a crawl's
# CPU (cProfile of bench/throughput.py's crawl). Core tables, not the ORM classes, as no object is loaded.
_articles, _bands = Article.__table__, ArticleBand.__table__
_FIRST_COPY = (
    select(_articles.c.id, _articles.c.story_id)
    .where(_articles.c.body_hash == bindparam("body_hash"), _articles.c.id != bindparam("article"))
    .order_by(_articles.c.id)
    .limit(1)
)
_shared = func.count().label("shared")
_candidates = (
    select(_bands.c.article_id, _shared)
    .where(_bands.c.band.in_(bindparam("bands", expanding=True)), _bands.c.article_id != bindparam("article"))
    .group_by(_bands.c.article_id)
    .order_by(_shared.desc(), _bands.c.article_id)
    .limit(_MAX_CANDIDATES)
).subquery()
_CANDIDATES = select(_articles.c.id, _articles.c.story_id, _articles.c.minhash).join(
    _candidates, _candidates.c.article_id == _articles.c.id
)
_SET_STORY = (
    update(_articles)
    .where(_articles.c.id == bindparam("article"))
    .values(story_id=bindparam("story"), duplicate_of=bindparam("copy_of"))
)
_MERGE_STORIES = (
    update(_articles)
    .where(_articles.c.story_id.in_(bindparam("merged", expanding=True)))
    .values(story_id=bindparam("story"))
)
_ADD_BAND = insert(_bands)


def _exact_copy(session: Session, article_id: int, fp: Fingerprint) -> StoryLink | None:
    first = session.execute(_FIRST_COPY, {"body_hash": fp.body_hash, "article": article_id}).first()
    if first is None:
        return None
    return StoryLink(story_id=first.story_id or first.id, duplicate_of=first.id, similarity=1.0)


def _near_duplicate(session: Session, article_id: int, fp: Fingerprint, policy: StoryPolicy) -> StoryLink | None:
    if fp.words < policy.min_words:
        return None
    rows = session.execute(_CANDIDATES, {"bands": sorted(set(fp.bands)), "article": article_id}).all()
    scored = [(similarity(fp.signature, row.minhash), -row.id, row) for row in rows if row.minhash]
    above = [entry for entry in scored if entry[0] >= policy.threshold]
    if not above:
        return None
    best_similarity, _, best = max(above)  # ties go to the earliest article
    # An article close to two stories shows they are one (a copy that carries paragraphs of both reports, or
    # the follow-up that links two partial copies): they merge into the oldest, whose id stays the story's.
    stories = {row.story_id or row.id for _, _, row in above}
    story_id = min(stories)
    merged = tuple(sorted(stories - {story_id}))
    return StoryLink(story_id=story_id, duplicate_of=None, similarity=best_similarity, merged=merged)
