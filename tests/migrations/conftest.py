"""An empty database of the leg's kind (a SQLite file, or a throwaway database on the MariaDB server
of HAMYAN_TEST_DATABASE_URL), and a real `flask db upgrade` to run on it."""
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

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


def flask_db_upgrade(url: str, instance: Path, revision: str = "head") -> None:
    # A real `flask db upgrade` in its own process: Alembic's env.py reconfigures logging
    # (fileConfig disables existing loggers), which must not leak into the rest of the test session.
    env = dict(os.environ, FLASK_APP="wsgi:app", HAMYAN_DATABASE_URL=url, HAMYAN_INSTANCE_PATH=str(instance),
               HAMYAN_SCHEDULER_ENABLED="false")
    result = subprocess.run([sys.executable, "-m", "flask", "db", "upgrade", revision], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]


def upgraded_from(url: str, instance: Path, before: str, rows: list[str]):
    """Upgrade to `before`, insert `rows` (SQL), upgrade to head; a function reading the result:
    `read(sql)` gives the rows with dates as text (SQLite hands raw SQL text back, MariaDB dates)."""
    flask_db_upgrade(url, instance, before)
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            for sql in rows:
                conn.execute(sa.text(sql))
    finally:
        engine.dispose()
    flask_db_upgrade(url, instance)

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
