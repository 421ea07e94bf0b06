"""Fixtures: one app per test session on the database the leg chose (SQLite by default,
HAMYAN_TEST_DATABASE_URL for MySQL/MariaDB), every table emptied after each test."""
import fcntl
import os
import pickle
import re
from contextlib import ExitStack, contextmanager

import pytest
import sqlalchemy as sa
from flask import current_app, g, has_app_context
from flask.testing import FlaskClient

from hamyan import create_app
from hamyan.core import clock as clock_module
from hamyan.extensions import db

PASSWORD = "correct-horse-42"


@sa.event.listens_for(sa.engine.Engine, "connect")
def _sqlite_without_fsync(dbapi_connection, connection_record):
    """A test database need not survive a power cut: without an fsync per commit (~4 ms on this
    disk, thousands of commits a run) SQLite commits cost microseconds."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.execute("PRAGMA synchronous=OFF")


def _database_url(tmp_path_factory, worker_id: str) -> str:
    url = os.environ.get("HAMYAN_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    # One database per xdist worker on the same server, created on first use.
    parsed = sa.engine.make_url(url)
    name = parsed.database if worker_id == "master" else f"{parsed.database}_{worker_id}"
    server = sa.create_engine(parsed.set(database=""))
    with server.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
    server.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def test_config(database_url: str, **overrides) -> dict:
    config = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SCHEDULER_ENABLED": False,
        "SMTP_HOST": "",
        "BASE_URL": "http://localhost",
        "BOX_SETS_LANGUAGE": False,  # English pages unless a test asks for Persian (tests/i18n.py)
    }
    config.update(overrides)
    return config


# Files testing the language of pages, emails and PDFs (every one named so, also those added later):
# their queries are the ones the English tests run on both legs, so they are `dialect_free`.
LANGUAGE_FILES = re.compile(r"test_persian.*\.py|test_i18n\.py|test_language\.py")


def pytest_collection_modifyitems(config, items):
    """`mysql_only` tests run in the MySQL/MariaDB leg (make test-mysql; CI requires its server);
    `dialect_free` ones only in the SQLite leg (the Makefile's -m for the MySQL leg leaves them out)."""
    for item in items:
        if LANGUAGE_FILES.fullmatch(item.path.name):
            item.add_marker(pytest.mark.dialect_free)
    if not os.environ.get("HAMYAN_TEST_DATABASE_URL", "").startswith("mysql"):
        skip = pytest.mark.skip(reason="needs the MySQL/MariaDB leg (HAMYAN_TEST_DATABASE_URL=mysql+pymysql://...)")
        for item in items:
            if "mysql_only" in item.keywords:
                item.add_marker(skip)


def property_examples(count: int) -> int:
    """Hypothesis examples for a property test that builds its state in the database: `count` on the SQLite
    leg; a third of them on the MySQL/MariaDB leg, which runs the same rules again for what the dialect could
    change (locking, types, SQL), each example costing several times the round trips."""
    if os.environ.get("HAMYAN_TEST_DATABASE_URL", "").startswith("mysql"):
        return max(1, count // 3)
    return count


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, request):
    # xdist's worker id, or "master" when xdist is off (-p no:xdist) or runs in-process (-n 0)
    worker_id = getattr(request.config, "workerinput", {}).get("workerid", "master")
    return _database_url(tmp_path_factory, worker_id)


@pytest.fixture(scope="session")
def is_mysql(database_url):
    return database_url.startswith("mysql")


class TestClient(FlaskClient):
    """Requests made inside a test reuse the test's app context (and so its db session), which
    would also carry `g` over from the last request: Flask-Login caches the signed-in user there,
    so a second client would act as the first. Start every request with an empty `g`."""

    def open(self, *args, **kwargs):
        if has_app_context() and current_app._get_current_object() is self.application:
            vars(g._get_current_object()).clear()
        return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    os.environ["HAMYAN_INSTANCE_PATH"] = str(tmp_path_factory.mktemp("instance"))
    app = create_app(test_config(database_url))
    app.test_client_class = TestClient
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing():
    """werkzeug's scrypt costs ~0.1 s per hash and per check by design; tests sign up and sign in
    hundreds of times, so they use a cheap pbkdf2 (the app itself keeps werkzeug's default)."""
    from hamyan.blueprints.auth import models

    strong = models.generate_password_hash
    models.generate_password_hash = lambda password: strong(password, method="pbkdf2:sha256:1000")
    yield
    models.generate_password_hash = strong


def empty_all_tables() -> None:
    db.session.remove()
    tables = db.metadata.sorted_tables
    with db.engine.begin() as conn:
        # One query says which tables hold rows (a test writes a few of 76): deleting from only those
        # saves a round trip per table on MariaDB after every test.
        holding = conn.execute(sa.select(*(sa.exists().select_from(table) for table in tables))).one()
        if conn.dialect.name == "mysql":
            conn.execute(sa.text("SET FOREIGN_KEY_CHECKS=0"))
        for table, has_rows in reversed(list(zip(tables, holding))):
            if has_rows:
                conn.execute(table.delete())
        if conn.dialect.name == "mysql":
            conn.execute(sa.text("SET FOREIGN_KEY_CHECKS=1"))


def table_rows() -> list[tuple[str, list[dict]]]:
    """Every table's rows (by table name, parents first), as insert_rows() puts them back."""
    with db.engine.connect() as conn:
        return [(table.name, [row._asdict() for row in conn.execute(table.select().order_by(*table.primary_key))])
                for table in db.metadata.sorted_tables]


def insert_rows(rows: list[tuple[str, list[dict]]]) -> None:
    with db.engine.begin() as conn:
        if conn.dialect.name == "mysql":
            conn.execute(sa.text("SET FOREIGN_KEY_CHECKS=0"))
        for name, data in rows:
            if data:
                conn.execute(db.metadata.tables[name].insert(), data)
        if conn.dialect.name == "mysql":
            conn.execute(sa.text("SET FOREIGN_KEY_CHECKS=1"))


@pytest.fixture
def rebuilt():
    """For a property test whose examples each start from the same state: `rebuilt(key, build)` empties the
    tables, then the first time runs build() (through the services) and keeps what it returns (ids) and every
    table's rows; the next times it inserts those rows again, a few statements instead of build's units of
    work. Returns build()'s result."""
    kept = {}

    def rebuild(key, build):
        empty_all_tables()
        if key in kept:
            insert_rows(kept[key][1])
        else:
            kept[key] = build(), table_rows()
        return kept[key][0]

    return rebuild


@pytest.fixture(scope="session")
def _demo_rows(app, tmp_path_factory, request):
    """demo.seed() takes seconds (hundreds of units of work), so it runs once per test session: the
    first xdist worker to need it seeds and saves its rows in the session's temporary directory,
    the others read them there (each keeps them for `demo_users` to put back)."""
    from hamyan import demo

    shared = tmp_path_factory.getbasetemp()
    if hasattr(request.config, "workerinput"):
        shared = shared.parent  # xdist gives each worker <session's basetemp>/popen-gwN
    saved = shared / "demo_rows.pickle"
    with open(shared / "demo_rows.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # held while one worker seeds: the others wait for its rows
        if saved.exists():
            return pickle.loads(saved.read_bytes())
        with app.app_context():
            suite_setting, app.config["BOX_SETS_LANGUAGE"] = app.config["BOX_SETS_LANGUAGE"], True
            try:  # the boxes write their records in their own language, as in production
                ids = {who: user.id for who, user in demo.seed().items()}
            finally:
                app.config["BOX_SETS_LANGUAGE"] = suite_setting
            rows = table_rows()
            empty_all_tables()
        saved.write_bytes(pickle.dumps((ids, rows)))
    return ids, rows


@pytest.fixture
def demo_users(_demo_rows):
    """The demo (`flask demo seed`) as of this session's start; its users by name (manager, member, admin)."""
    from hamyan.blueprints.auth.models import User

    ids, rows = _demo_rows
    insert_rows(rows)
    return {who: db.session.get(User, id) for who, id in ids.items()}


@pytest.fixture(autouse=True)
def _app_context(app):
    with app.app_context():
        yield
        empty_all_tables()


@pytest.fixture
def box_sets_language(app, monkeypatch):
    """A box's locale sets its pages' language, as in production (test_config turns it off)."""
    monkeypatch.setitem(app.config, "BOX_SETS_LANGUAGE", True)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_user():
    from hamyan.blueprints.auth import services

    def make(email="user@example.com", name="Test User", password=PASSWORD, is_admin=False, verified=True):
        return services.signup(email, name, password, is_admin=is_admin, verified=verified)

    return make


def login(client, email, password=PASSWORD):
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


@pytest.fixture
def user_client(app, make_user):
    """A client signed in as a fresh user; the user is on client.user."""
    def make(email="user@example.com", name="Test User", is_admin=False):
        user = make_user(email, name, is_admin=is_admin)
        c = app.test_client()
        login(c, email)
        c.user = user
        return c

    return make


@pytest.fixture
def api_token(make_user):
    from hamyan.blueprints.auth import services

    def make(user):
        _, secret = services.create_api_token(user, "test")
        return {"Authorization": f"Bearer {secret}"}

    return make


@pytest.fixture
def make_app(database_url):
    """Another app on the test database with some settings changed, e.g. make_app(WTF_CSRF_ENABLED=True).

    Flask-Limiter keeps its state on the one global Limiter, so an app built with RATELIMIT_ENABLED
    switches limits on process-wide; teardown switches them off again for the session app."""
    from hamyan.extensions import limiter

    made = []

    def make(**overrides):
        made.append(create_app(test_config(database_url, **overrides)))
        return made[-1]

    yield make
    limiter.enabled = False
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


class _Mailbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp_server(app, monkeypatch):
    """A real SMTP server (aiosmtpd) on a free port; the app sends to it. Yields the list of
    received email.message.EmailMessage objects."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailbox = _Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", port)
    yield mailbox.messages
    controller.stop()


@pytest.fixture
def clock():
    """The one clock, frozen: `clock.set(moment)` (naive = UTC, or a date) holds it there until the
    test ends or the next set()."""
    class Control:
        def set(self, moment):
            stack.enter_context(clock_module.frozen(moment))

    with ExitStack() as stack:
        yield Control()


@contextmanager
def statements():
    """`with statements() as sent:` the SQL statements sent while the block runs, in order."""
    sent = []

    def note(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", note)
