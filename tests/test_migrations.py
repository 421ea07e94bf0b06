"""`flask db upgrade` builds an empty database of the leg's kind (SQLite file, or a throwaway MariaDB
database), and the schema it builds is exactly what the models say: every product's migration is
covered because the test upgrades to the head of whatever migrations/ holds."""
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from hamyan.extensions import db

ROOT = Path(__file__).resolve().parents[1]


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


def flask_db_upgrade(url: str, instance: Path) -> subprocess.CompletedProcess:
    # A real `flask db upgrade` in its own process: Alembic's env.py reconfigures logging
    # (fileConfig disables existing loggers), which must not leak into the rest of the test session.
    env = dict(os.environ, FLASK_APP="wsgi:app", HAMYAN_DATABASE_URL=url, HAMYAN_INSTANCE_PATH=str(instance),
               HAMYAN_SCHEDULER_ENABLED="false")
    return subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_upgrade_builds_an_empty_database_that_matches_the_models(app, empty_database, tmp_path):
    script = ScriptDirectory(str(ROOT / "migrations"))
    heads = script.get_heads()
    assert len(heads) == 1, f"migrations have several heads {heads}: re-point the newest down_revision"

    result = flask_db_upgrade(empty_database, tmp_path / "instance")
    assert result.returncode == 0, result.stderr[-3000:]

    engine = sa.create_engine(empty_database)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all() == heads
            # The same options env.py gives Alembic (compare_type, render_as_batch).
            context = MigrationContext.configure(conn, opts=dict(app.extensions["migrate"].configure_args))
            differences = compare_metadata(context, db.metadata)
    finally:
        engine.dispose()
    assert differences == [], "models and migrations disagree; run `flask db migrate` for:\n" + "\n".join(
        map(str, differences))
