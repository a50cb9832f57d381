"""Saved searches: watches (query, destination, last run) and watch_deliveries (what each has delivered); an index
on articles.fetched_at for the window each run scans

Revision ID: 0010
Revises: 0009
"""

from alembic import op
import sqlalchemy as sa
import db.types


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('watches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('query', sa.JSON(), nullable=False),
    sa.Column('destination', sa.String(length=16), nullable=False),
    sa.Column('target', sa.Text(), nullable=True),
    sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_run_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('delivered', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('watch_deliveries',
    sa.Column('watch_id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('delivered_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['watch_id'], ['watches.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('watch_id', 'article_id')
    )
    op.create_index('ix_watch_deliveries_article', 'watch_deliveries', ['article_id'], unique=False)
    op.create_index('ix_articles_fetched', 'articles', ['fetched_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_articles_fetched', table_name='articles')
    op.drop_index('ix_watch_deliveries_article', table_name='watch_deliveries')
    op.drop_table('watch_deliveries')
    op.drop_table('watches')
