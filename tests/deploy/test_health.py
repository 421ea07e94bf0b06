"""/readyz names each part a load balancer needs (database, migrations, scheduler, Redis); /healthz
stays one query. Redis down: sign-in keeps working and still limited (per process)."""
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory

from hamyan.core import clock
from hamyan.extensions import db
from hamyan.scheduling import JobRun

DEAD_REDIS = "redis://127.0.0.1:9/0"  # discard port: nothing listens


def _at_head():
    heads = ScriptDirectory(str(Path(__file__).resolve().parents[2] / "migrations")).get_heads()
    with db.engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE IF NOT EXISTS alembic_version (version_num VARCHAR(32) NOT NULL)"))
        conn.execute(sa.text("DELETE FROM alembic_version"))
        for head in heads:
            conn.execute(sa.text("INSERT INTO alembic_version VALUES (:v)"), {"v": head})


def _drop_version_table():
    with db.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))


def _job_run(started_at):
    db.session.add(JobRun(job="notify.dispatch", slot=started_at.isoformat(), started_at=started_at, status="ok"))
    db.session.commit()


def test_readyz_ok_when_every_part_is(client):
    _at_head()
    try:
        _job_run(clock.now() - timedelta(seconds=30))
        answer = client.get("/readyz")
        assert answer.status_code == 200
        assert answer.json == {"status": "ok", "database": "ok", "migrations": "ok", "scheduler": "ok",
                               "redis": "not used"}
    finally:
        _drop_version_table()


def test_readyz_is_503_before_the_migrations_and_degraded_without_a_scheduler(client):
    _job_run(clock.now() - timedelta(minutes=10))
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json["migrations"] == "not at head (none applied)"
    _at_head()
    try:
        answer = client.get("/readyz")
        assert answer.status_code == 200  # a stale scheduler is no reason to take app servers out
        assert answer.json["status"] == "degraded" and answer.json["scheduler"].startswith("stale: no job run for 60")
    finally:
        _drop_version_table()


def test_database_down_is_503_on_both(make_app, tmp_path):
    down = make_app(DATABASE_URL=f"sqlite:///{tmp_path}/missing/dir/x.sqlite").test_client()
    assert down.get("/healthz").status_code == 503
    answer = down.get("/readyz")
    assert answer.status_code == 503 and answer.json["database"] == "error" and answer.json["status"] == "error"


def test_redis_down_pages_work_and_sign_in_stays_limited(make_app, make_user):
    user = make_user()
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=DEAD_REDIS, LOGIN_RATE_LIMIT="2 per 5 minutes")
    client = app.test_client()
    with app.app_context():
        assert client.get("/readyz").json["redis"] == "error"
        wrong = [client.post("/login", data={"email": user.email, "password": "wrong"}).status_code for _ in range(3)]
        assert wrong == [200, 200, 429]  # counted in this process while Redis is away, never a 500
        assert client.get("/login").status_code == 200
