"""The Alembic migrations: an empty database goes to head with exactly the tables of `schema.py`, and back to empty."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from echeancier.store import EventStore, downgrade, migrate
from echeancier.store.engine import HEAD, alembic_config, current_revision
from echeancier.store.schema import metadata
from tests.store.double import projector

TABLES = {"accounts", "events", "payment_references", "projections", "suspense", "tokens"}
ROOT = Path(__file__).resolve().parents[2]


def tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_head_is_the_last_migration() -> None:
    assert ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head() == HEAD


def test_upgrade_from_empty_to_head_and_downgrade_back(database_url: str) -> None:
    assert tables(database_url) == set()
    migrate(database_url)
    assert tables(database_url) == TABLES | {"alembic_version"}
    engine = create_engine(database_url)
    with engine.connect() as connection:
        assert current_revision(connection) == HEAD
        # the migrated database is what schema.py describes: no table, column, index or constraint differs
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []
    migrate(database_url)  # at head already: nothing to do
    downgrade(database_url)
    assert tables(database_url) == {"alembic_version"}
    with engine.connect() as connection:
        assert current_revision(connection) is None
        if connection.dialect.name == "postgresql":  # the trigger function went with the tables
            assert (
                connection.execute(
                    text(
                        "SELECT count(*) FROM pg_proc WHERE proname = 'events_append_only'"
                        " AND pronamespace = current_schema()::regnamespace"
                    )
                ).scalar()
                == 0
            )
    engine.dispose()
    migrate(database_url)  # and up again
    assert tables(database_url) >= TABLES


def test_a_store_opened_on_an_empty_database_migrates_it(database_url: str) -> None:
    with EventStore(database_url, projector=projector) as store:
        store.create_account("A1", {"profession": "liberal"})
    with EventStore(database_url, projector=projector) as store:
        assert store.account("A1").contributor == {"profession": "liberal"}


def test_alembic_command_line_upgrades_and_downgrades(database_url: str) -> None:
    alembic = [sys.executable, "-m", "alembic", "-c", str(ROOT / "alembic.ini")]
    environment = {**os.environ, "ECHEANCIER_DATABASE_URL": database_url}
    subprocess.run([*alembic, "upgrade", "head"], check=True, env=environment, capture_output=True)
    assert tables(database_url) >= TABLES
    subprocess.run([*alembic, "downgrade", "base"], check=True, env=environment, capture_output=True)
    assert tables(database_url) == {"alembic_version"}


def test_the_default_database_is_echeancier_db_in_the_working_directory(tmp_path: Path) -> None:
    script = "from echeancier.store import migrate; migrate()"
    environment = {key: value for key, value in os.environ.items() if key != "ECHEANCIER_DATABASE_URL"}
    subprocess.run([sys.executable, "-c", script], check=True, cwd=tmp_path, env=environment)
    assert tables(f"sqlite:///{tmp_path / 'echeancier.db'}") >= TABLES


def test_migration_0002_adds_the_tokens_table_and_takes_it_away(database_url: str) -> None:
    migrate(database_url, "0001")
    assert tables(database_url) == TABLES - {"tokens"} | {"alembic_version"}
    with EventStore(database_url, projector=projector, migrate=False) as store:
        store.create_account("A1", {"profession": "liberal"})  # data written at 0001 survives the upgrade
    migrate(database_url, "0002")
    assert tables(database_url) == TABLES | {"alembic_version"}
    engine = create_engine(database_url)
    with engine.connect() as connection:
        assert current_revision(connection) == "0002"
        columns = {column["name"] for column in inspect(connection).get_columns("tokens")}
        assert columns == {"token_id", "secret_sha256", "role", "account_id", "organism", "created_at", "revoked_at"}
    engine.dispose()
    with EventStore(database_url, projector=projector) as store:
        from echeancier.store.tokens import TokenStore

        record, token = TokenStore(store.engine).create("contributor", "A1")
        assert TokenStore(store.engine).resolve(token) == record
    downgrade(database_url, "0001")
    assert tables(database_url) == TABLES - {"tokens"} | {"alembic_version"}
    with EventStore(database_url, projector=projector, migrate=False) as store:
        assert store.account("A1").contributor == {"profession": "liberal"}
