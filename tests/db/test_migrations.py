from alembic import command
from sqlalchemy import inspect

from db.engine import _alembic_config, head_revision, make_engine, open_database, schema_revision
from db.models import Base


def test_migrations_build_the_models_schema_and_step_back_down(db_url):
    engine = open_database(db_url)
    assert schema_revision(engine) == head_revision()
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert schema_revision(make_engine(db_url)) is None
    assert schema_revision(open_database(db_url)) == head_revision()
