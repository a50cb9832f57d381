"""articles.checked_at: when an article was last fetched, changed or not, to space out re-checks

Revision ID: 0008
Revises: 0007
"""

from alembic import op
import sqlalchemy as sa
import db.types


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checked_at', db.types.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_column('checked_at')
