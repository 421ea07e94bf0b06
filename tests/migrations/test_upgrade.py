"""`flask db upgrade` builds an empty database of the leg's kind, and the schema it builds is exactly
what the models say: every product's migration is covered because the test upgrades to the head of
whatever migrations/ holds."""
import logging
import re

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from hamyan.extensions import db
from tests.migrations.conftest import ROOT, flask_db_upgrade

HOW_TO_ADD = ("add a migration: `flask db migrate -m \"<area>: <change>\"`, rename the file to the next "
              "NNNN_<area>_<change>.py with revision = 'NNNN' (see migrations/README), and check what it wrote")


def test_migrations_are_one_chain_of_numbered_files():
    script = ScriptDirectory(str(ROOT / "migrations"))
    assert len(script.get_heads()) == 1, (
        f"migrations have several heads {script.get_heads()}: point the newest one's down_revision at the other")
    chain = list(reversed(list(script.walk_revisions())))
    names = [rev.path.rsplit("/", 1)[1] for rev in chain]
    assert all(re.fullmatch(r"\d{4}_[a-z]+_[a-z0-9_]+\.py", name) for name in names), names
    assert [name[:4] for name in names] == [f"{n:04d}" for n in range(1, len(names) + 1)], names
    assert not [rev.revision for rev in chain if hasattr(rev.module, "downgrade")], "migrations are upgrade-only"


def test_upgrade_builds_an_empty_database_that_matches_the_models(app, empty_database):
    loggers = logging.getLogger("hamyan"), logging.getLogger("sqlalchemy.engine")
    flask_db_upgrade(empty_database)
    # The upgrade ran in this process and left its logging alone (no logger disabled, no level set).
    assert [(logger.disabled, logger.level) for logger in loggers] == [(False, logging.NOTSET)] * 2

    engine = sa.create_engine(empty_database)
    try:
        with engine.connect() as conn:
            heads = ScriptDirectory(str(ROOT / "migrations")).get_heads()
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all() == heads
            # The same options env.py gives Alembic (compare_type, render_as_batch).
            context = MigrationContext.configure(conn, opts=dict(app.extensions["migrate"].configure_args))
            differences = compare_metadata(context, db.metadata)
    finally:
        engine.dispose()
    assert differences == [], (
        f"the models differ from what the migrations build ({engine.dialect.name}); {HOW_TO_ADD}.\n"
        "What the models have and the migrated database lacks (add_*), or the reverse (remove_*):\n  "
        + "\n  ".join(map(str, differences)))
