"""Linking a newly stored article to its story: exact copies by body hash, near-duplicates by LSH bands.

The band table is indexed, so the lookup costs the same with ten thousand articles stored or a million,
and every crawler process or machine writing to the database sees the others' articles at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, insert, select, update
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
    session.execute(
        update(Article).where(Article.id == article_id).values(story_id=link.story_id, duplicate_of=link.duplicate_of)
    )
    if link.merged:
        session.execute(update(Article).where(Article.story_id.in_(link.merged)).values(story_id=link.story_id))
    if fp.words >= policy.min_words and link.duplicate_of is None:
        # an exact copy adds nothing to the index that its original has not. One executemany of plain rows: as ORM
        # objects, 128 bands an article were a fifth of a crawl's CPU (cProfile of bench/throughput.py's crawl)
        session.execute(insert(ArticleBand.__table__), [{"band": band, "article_id": article_id} for band in set(fp.bands)])
    return link


def _exact_copy(session: Session, article_id: int, fp: Fingerprint) -> StoryLink | None:
    first = session.execute(
        select(Article.id, Article.story_id)
        .where(Article.body_hash == fp.body_hash, Article.id != article_id)
        .order_by(Article.id)
        .limit(1)
    ).first()
    if first is None:
        return None
    return StoryLink(story_id=first.story_id or first.id, duplicate_of=first.id, similarity=1.0)


def _near_duplicate(session: Session, article_id: int, fp: Fingerprint, policy: StoryPolicy) -> StoryLink | None:
    if fp.words < policy.min_words:
        return None
    shared = func.count().label("shared")
    candidates = (
        select(ArticleBand.article_id)
        .where(ArticleBand.band.in_(set(fp.bands)), ArticleBand.article_id != article_id)
        .group_by(ArticleBand.article_id)
        .order_by(shared.desc(), ArticleBand.article_id)
        .limit(_MAX_CANDIDATES)
        .add_columns(shared)
    ).subquery()
    rows = session.execute(
        select(Article.id, Article.story_id, Article.minhash).join(candidates, candidates.c.article_id == Article.id)
    ).all()
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
