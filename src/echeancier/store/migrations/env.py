"""Alembic environment of the account store: runs on the connection `migrate()` passes, or on the database of the
configuration's `sqlalchemy.url`, else ECHEANCIER_DATABASE_URL, else echeancier.db in the working directory."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from echeancier.store.engine import default_url, make_engine


def run(connection: Connection) -> None:
    context.configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    config = context.config
    url = config.get_main_option("sqlalchemy.url") or default_url()
    if context.is_offline_mode():
        context.configure(url=url, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return
    engine = make_engine(url)
    try:
        with engine.begin() as own:
            run(own)
    finally:
        engine.dispose()


main()
