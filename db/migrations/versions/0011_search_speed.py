"""What makes a search on a million articles answer in milliseconds: an index on the date searches are ordered
by (with the columns filters test, so no article is read to find a page), and on SQLite a view of each word's
document count (fts5vocab), from which db.query estimates how many articles a search matches.

Revision ID: 0011
Revises: 0010
"""

from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX ix_articles_when ON articles "
        "(coalesce(published_at, fetched_at), id, source_id, language, published_at)"
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE articles_fts_terms USING fts5vocab(articles_fts, 'row')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE articles_fts_terms")
    op.execute("DROP INDEX ix_articles_when")
