"""Full-text search over articles.search_text: an FTS5 table kept by triggers on SQLite, a tsvector column with a
GIN index on PostgreSQL. Both follow every insert, update and delete of an article by themselves.

Revision ID: 0009
Revises: 0008
"""

from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

_SQLITE_UP = [
    # external content: the index keeps tokens only, the text stays in articles.search_text
    "CREATE VIRTUAL TABLE articles_fts USING fts5(search_text, content='articles', content_rowid='id')",
    """CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
         INSERT INTO articles_fts(rowid, search_text) VALUES (new.id, new.search_text);
       END""",
    """CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
         INSERT INTO articles_fts(articles_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
       END""",
    """CREATE TRIGGER articles_fts_update AFTER UPDATE OF search_text ON articles BEGIN
         INSERT INTO articles_fts(articles_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
         INSERT INTO articles_fts(rowid, search_text) VALUES (new.id, new.search_text);
       END""",
    "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
]
_SQLITE_DOWN = [
    "DROP TRIGGER articles_fts_update",
    "DROP TRIGGER articles_fts_delete",
    "DROP TRIGGER articles_fts_insert",
    "DROP TABLE articles_fts",
]
_POSTGRES_UP = [
    # 'simple': lower-case words, no stemming and no stop words, the same for every language in the collection
    "ALTER TABLE articles ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', coalesce(search_text, ''))) STORED",
    "CREATE INDEX ix_articles_search_vector ON articles USING gin (search_vector)",
]
_POSTGRES_DOWN = [
    "DROP INDEX ix_articles_search_vector",
    "ALTER TABLE articles DROP COLUMN search_vector",
]


def upgrade() -> None:
    for statement in _SQLITE_UP if op.get_bind().dialect.name == "sqlite" else _POSTGRES_UP:
        op.execute(statement)


def downgrade() -> None:
    for statement in _SQLITE_DOWN if op.get_bind().dialect.name == "sqlite" else _POSTGRES_DOWN:
        op.execute(statement)
