"""Engine and session factory for a database URL, with the schema brought up to date."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from newsmon.errors import ConfigError, StoreError

DEFAULT_DB_URL = "sqlite:///newsmon.db"


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get WAL and a busy timeout for concurrent writers."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"not a database URL: {url!r} ({exc})") from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")  # the driver newsmon installs
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError(f"unsupported database {parsed.drivername!r} in {url!r}: use sqlite:///FILE or postgresql://…")
    try:
        return _create(parsed)
    except (NoSuchModuleError, ImportError) as exc:
        raise ConfigError(f"no driver for {parsed.drivername!r} ({exc}); use sqlite:///FILE or postgresql://…") from exc


def _create(parsed: URL) -> Engine:
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


def _alembic_config():  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    return config


def upgrade(engine: Engine) -> None:
    """Apply every Alembic migration not yet applied (creates a new database from scratch)."""
    from alembic import command

    config = _alembic_config()
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except OperationalError as exc:
        raise _unreachable(engine, exc) from exc


def _unreachable(engine: Engine, exc: OperationalError) -> StoreError:
    reason = " ".join(str(exc.orig).split())  # drivers' messages span lines; one line reads better in a log
    return StoreError(f"cannot reach the database {_shown(engine)}: {reason}")


def _shown(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def schema_revision(engine: Engine) -> str | None:
    """The migration the database is at; None for a database without newsmon's tables."""
    from alembic.runtime.migration import MigrationContext

    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            return MigrationContext.configure(connection).get_current_revision()
    except OperationalError as exc:
        raise _unreachable(engine, exc) from exc


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def open_database(url: str, *, create: bool = True) -> Engine:
    """An engine whose schema is current: an old newsmon database is migrated, a new one created.

    With ``create=False`` (commands that only read) a database without newsmon's tables is an
    error rather than set up, so a mistyped ``--db`` does not plant tables in someone else's database.
    """
    engine = make_engine(url)
    if not create and _missing_sqlite_file(engine):
        raise StoreError(f"no newsmon database at {_shown(engine)}: crawl first, or run `newsmon db upgrade`")
    revision = schema_revision(engine)
    if revision is None and not create:
        raise StoreError(f"no newsmon database at {_shown(engine)}: crawl first, or run `newsmon db upgrade`")
    if revision != head_revision():
        upgrade(engine)
    return engine


def _missing_sqlite_file(engine: Engine) -> bool:
    database = engine.url.database
    return engine.url.get_backend_name() == "sqlite" and bool(database) and database != ":memory:" and not Path(database).exists()
