"""Engine and session factory for a database URL, with the schema brought up to date."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from newsmon.errors import ConfigError, StoreError

DEFAULT_DB_URL = "sqlite:///newsmon.db"


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get WAL and a busy timeout for concurrent writers."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"not a database URL: {url!r} ({exc})") from exc
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(parsed, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    # WAL lets readers (newsmon query) run while a crawl writes; NORMAL is durable at commit under WAL.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def upgrade(engine: Engine) -> None:
    """Apply every Alembic migration not yet applied (creates a new database from scratch)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except OperationalError as exc:
        raise _unreachable(engine, exc) from exc


def _unreachable(engine: Engine, exc: OperationalError) -> StoreError:
    reason = " ".join(str(exc.orig).split())  # drivers' messages span lines; one line reads better in a log
    return StoreError(f"cannot reach the database {engine.url.render_as_string(hide_password=True)}: {reason}")


def is_current(engine: Engine) -> bool:
    """True when the schema is at the newest migration (cheap enough to check on every command)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    head = ScriptDirectory.from_config(config).get_current_head()
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return False
            return MigrationContext.configure(connection).get_current_revision() == head
    except OperationalError as exc:
        raise _unreachable(engine, exc) from exc


def open_database(url: str) -> Engine:
    """An engine whose schema is current: a new database is created, an old one migrated."""
    engine = make_engine(url)
    if not is_current(engine):
        upgrade(engine)
    return engine
