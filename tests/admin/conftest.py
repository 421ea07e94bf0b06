import pytest
import sqlalchemy as sa

from hamyan.extensions import db


@pytest.fixture
def backups(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "BACKUP_DIR", str(tmp_path / "backups"))


@pytest.fixture
def admin_client(user_client):
    return user_client("admin@example.com", "Ada Admin", is_admin=True)


def count_queries(client, path) -> int:
    db.session.expire_all()  # requests share the test's session: count as if nothing were cached
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert client.get(path).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    return len(statements)
