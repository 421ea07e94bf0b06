"""An empty database of the leg's kind (a SQLite file, or a throwaway database on the MariaDB server
of HAMYAN_TEST_DATABASE_URL), and `flask db upgrade` to run on it."""
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from flask import current_app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def empty_database(database_url, is_mysql, tmp_path):
    """A URL for a database with no tables, of the same kind as the leg's; dropped afterwards."""
    if not is_mysql:
        yield f"sqlite:///{tmp_path / 'fresh.sqlite'}"
        return
    url = sa.engine.make_url(database_url)
    name = f"hamyan_migrations_{uuid.uuid4().hex[:12]}"
    server = sa.create_engine(url.set(database=""))
    with server.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
        server.dispose()


def flask_db_upgrade(url: str, revision: str = "head") -> None:
    """`flask db upgrade` on the database at `url`, run in this process (a process per upgrade cost
    seconds of imports and app setup): the app's Alembic settings and env.py, handed a connection
    to `url`, leaving logging alone (env.py's fileConfig would disable the session's loggers)."""
    config = current_app.extensions["migrate"].migrate.get_config(str(ROOT / "migrations"))
    config.attributes["configure_logger"] = False
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def upgraded_from(url: str, before: str, rows: list[str]):
    """Upgrade to `before`, insert `rows` (SQL), upgrade to head; a function reading the result:
    `read(sql)` gives the rows with dates as text (SQLite hands raw SQL text back, MariaDB dates)."""
    flask_db_upgrade(url, before)
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            for sql in rows:
                conn.execute(sa.text(sql))
    finally:
        engine.dispose()
    flask_db_upgrade(url)

    def read(sql: str) -> list[tuple]:
        engine = sa.create_engine(url)
        try:
            with engine.connect() as conn:
                return [tuple(v if v is None or isinstance(v, (int, str)) else str(v)[:19] for v in row)
                        for row in conn.execute(sa.text(sql))]
        finally:
            engine.dispose()

    return read


def table_names(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return set(sa.inspect(conn).get_table_names())
    finally:
        engine.dispose()
