"""Where the store lives and how its schema is brought up to date.

SQLite by default (`echeancier.db` in the working directory), or the URL in `ECHEANCIER_DATABASE_URL`, or one given
explicitly; PostgreSQL by a `postgresql+psycopg://…` URL. The schema is made by the Alembic migrations shipped in
`echeancier/store/migrations/`, run by `migrate(url)` or by `alembic upgrade head` (alembic.ini).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.pool import StaticPool

if TYPE_CHECKING:
    from alembic.config import Config

URL_VARIABLE = "ECHEANCIER_DATABASE_URL"
DEFAULT_URL = "sqlite:///echeancier.db"
SCRIPT_LOCATION = "echeancier.store:migrations"
HEAD = "0002"
SQLITE_BUSY_TIMEOUT_MS = 60_000
MIGRATION_LOCK = 6_130_613  # any constant: the key of the advisory lock taken while migrating (PostgreSQL)


def default_url() -> str:
    """The URL in ECHEANCIER_DATABASE_URL, else the SQLite file echeancier.db of the working directory."""
    return os.environ.get(URL_VARIABLE) or DEFAULT_URL


def make_engine(url: str | None = None) -> Engine:
    """An engine for the store. On SQLite: WAL journal, foreign keys on, a busy timeout, and transactions that take
    the write lock when they start (`BEGIN IMMEDIATE`, execution option `immediate`) so that two writers queue
    instead of failing on a lock upgrade."""
    url = url or default_url()
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        # the driver installed with the package (psycopg 3), where SQLAlchemy would look for psycopg2
    if parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:"):
        # An in-memory database lives in one connection: every use of the engine shares it.
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own implicit transactions are turned off: `_begin` below emits BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get("immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def alembic_config(url: str | None = None) -> Config:
    """The Alembic configuration of the store's migrations, for `command.upgrade` and the like."""
    from alembic.config import Config  # imported when needed: the command line starts faster without it

    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.set_main_option("sqlalchemy.url", (url or default_url()).replace("%", "%%"))
    return config


def migrate(url: str | None = None, revision: str = "head") -> None:
    """Bring the database at `url` (default: `default_url()`) to `revision` of the migrations (an empty database
    gets every table)."""
    engine = make_engine(url)
    try:
        upgrade(engine, revision)
    finally:
        engine.dispose()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """`migrate` on an engine of the store (the one of an in-memory database, for instance)."""
    from alembic import command

    with engine.execution_options(immediate=True).begin() as connection:
        if connection.dialect.name == "postgresql":
            # Two processes opening a new database at once: the second waits, then finds it migrated.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config = alembic_config(engine.url.render_as_string(hide_password=False))
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(url: str | None = None, revision: str = "base") -> None:
    """Take the database back to `revision` (default: empty, no table of the store left)."""
    from alembic import command

    engine = make_engine(url)
    try:
        with engine.execution_options(immediate=True).begin() as connection:
            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.downgrade(config, revision)
    finally:
        engine.dispose()


def current_revision(connection: Connection) -> str | None:
    """The migration the database is at, or None for a database the store never touched."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    value = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return None if value is None else str(value)
