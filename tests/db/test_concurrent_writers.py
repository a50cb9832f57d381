"""Two crawler processes storing the same articles at the same moment produce one article each."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from sqlalchemy import func, select

from db.engine import open_database, session_factory
from db.models import Article
from db.store import upsert_source

ROOT = Path(__file__).resolve().parents[2]
WRITER = textwrap.dedent(
    """
    import sys, time
    from datetime import datetime, timezone
    from db.engine import open_database, session_factory
    from db.stories import StoryPolicy, link_story
    from db.store import insert_articles
    from pipelines.fingerprint import fingerprint

    url, source_id, start, count = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
    sessions = session_factory(open_database(url))
    while time.time() < start:
        time.sleep(0.001)
    for n in range(count):
        body = f"Report number {n} from the same wire story, with enough words to be a real article body. " * 5
        fp = fingerprint("t", body)
        link = f"https://wire.example/story/{n}"
        with sessions.begin() as session:
            inserted = insert_articles(session, [dict(
                source_id=source_id, url=link, fetched_url=link, title=f"Story {n}", body=body, authors=[], tags=[],
                provenance={}, word_count=fp.words, fetched_at=datetime.now(timezone.utc),
                body_hash=fp.body_hash, minhash=fp.signature)])
            if link in inserted:
                link_story(session, inserted[link], fp, StoryPolicy())
    """
)


def test_two_processes_storing_the_same_articles_store_each_once(db_url):
    sessions = session_factory(open_database(db_url))
    with sessions.begin() as session:
        source_id = upsert_source(session, "wire", "Wire", "https://wire.example/")
    start = time.time() + 3  # both processes are up and connected by then, and begin together
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, db_url, str(source_id), str(start), "40"], env=env, cwd=ROOT,
                         stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    for writer in writers:
        _, stderr = writer.communicate(timeout=120)
        assert writer.returncode == 0, stderr
    with sessions() as session:
        assert session.scalar(select(func.count(Article.id))) == 40
        assert session.scalar(select(func.count(func.distinct(Article.url)))) == 40
