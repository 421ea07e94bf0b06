"""Exit 0 when a MySQL/MariaDB server answers at the URL given, 1 otherwise (used by `make test`)."""
import sys

import sqlalchemy as sa


def reachable(url: str) -> bool:
    try:
        with sa.create_engine(url, connect_args={"connect_timeout": 3}).connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        return True
    except Exception as exc:  # any driver or network failure means "not reachable"
        print(f"MySQL not reachable: {exc.__class__.__name__}: {exc}", file=sys.stderr)
        return False


if __name__ == "__main__":
    sys.exit(0 if reachable(sys.argv[1]) else 1)
