"""Every store test runs on SQLite and on the machine's PostgreSQL, each test in a database of its own.

PostgreSQL: a schema created for the test (and dropped after it) in the database of ECHEANCIER_TEST_POSTGRESQL_URL
(default: user postgres on 127.0.0.1:5432, database test), reached through `search_path`. A PostgreSQL that
cannot be reached fails the tests; they are never skipped.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from echeancier.store import EventStore
from tests.store.double import projector

POSTGRESQL_URL = os.environ.get("ECHEANCIER_TEST_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = ("sqlite", "postgresql")

NewDatabase = Callable[[], str]


@pytest.fixture(params=BACKENDS)
def new_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[NewDatabase]:
    """A factory of empty databases of the test's backend, all removed after the test."""
    schemas: list[str] = []
    admin = create_engine(POSTGRESQL_URL) if request.param == "postgresql" else None

    def new() -> str:
        name = f"store_{uuid.uuid4().hex[:12]}"
        if admin is None:
            return f"sqlite:///{tmp_path / name}.db"
        with admin.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {name}"))
        schemas.append(name)
        separator = "&" if "?" in POSTGRESQL_URL else "?"
        return f"{POSTGRESQL_URL}{separator}options=-csearch_path%3D{name}"

    yield new
    if admin is not None:
        with admin.begin() as connection:
            for name in schemas:
                connection.execute(text(f"DROP SCHEMA {name} CASCADE"))
        admin.dispose()


@pytest.fixture
def database_url(new_database: NewDatabase) -> str:
    return new_database()


@pytest.fixture
def store(database_url: str) -> Iterator[EventStore]:
    with EventStore(database_url, projector=projector) as opened:
        yield opened
