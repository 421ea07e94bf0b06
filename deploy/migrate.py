"""`flask db upgrade` that several starting processes may run at once (two app servers, a rolling
restart): on MySQL/MariaDB the first takes a named server lock and migrates, the others wait for it
and then find nothing to do."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import text  # noqa: E402

from hamyan import create_app  # noqa: E402
from hamyan.extensions import db  # noqa: E402

LOCK = "hamyan_migrate"


def main() -> None:
    app = create_app({"SCHEDULER_ENABLED": False})
    with app.app_context():
        if db.engine.dialect.name != "mysql":
            upgrade()
            return
        with db.engine.connect() as lock:
            if lock.execute(text("SELECT GET_LOCK(:name, 600)"), {"name": LOCK}).scalar() != 1:
                sys.exit("hamyan: another process held the migration lock for 10 minutes")
            try:
                upgrade()
            finally:
                lock.execute(text("SELECT RELEASE_LOCK(:name)"), {"name": LOCK})


if __name__ == "__main__":
    main()
