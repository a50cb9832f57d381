"""articles.search_text: the normalized key of title and body, for Arabic-aware matching

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("search_text", sa.Text(), nullable=True))
    _backfill()


def _backfill() -> None:
    # The key is computed in Python (it is not expressible in SQL on both backends); done in pages.
    from pipelines.textkey import search_key

    connection = op.get_bind()
    articles = sa.table("articles", sa.column("id", sa.Integer), sa.column("title", sa.Text),
                        sa.column("body", sa.Text), sa.column("search_text", sa.Text))
    last = 0
    while True:
        rows = connection.execute(
            sa.select(articles.c.id, articles.c.title, articles.c.body)
            .where(articles.c.id > last).order_by(articles.c.id).limit(500)
        ).all()
        if not rows:
            return
        for id_, title, body in rows:
            connection.execute(
                articles.update().where(articles.c.id == id_).values(search_text=search_key(f"{title}\n{body}"))
            )
        last = rows[-1][0]


def downgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("search_text")
