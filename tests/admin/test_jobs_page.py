"""The scheduled jobs page: admins see every job with its last run and the runs newest first;
anyone else gets 404."""
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from hamyan.extensions import db
from hamyan.scheduling import JOBS, JobRun
from tests.admin.conftest import count_queries


def insert_runs(count, job="notify.dispatch", status="ok", start=datetime(2026, 1, 1)):
    with db.engine.begin() as conn:
        conn.execute(sa.insert(JobRun), [dict(job=job, slot=f"{start:%Y%m%d}-{n}", status=status,
                                              started_at=start + timedelta(minutes=n), attempt=1, boxes_ok=n,
                                              boxes_failed=0, detail=f"run {n}",
                                              finished_at=start + timedelta(minutes=n, seconds=2))
                                         for n in range(count)])
    db.session.rollback()  # the pages read in the test's session: a fresh snapshot (MariaDB)


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_only_admins_see_the_admin_pages(client, user_client, who):
    viewer = client if who == "anonymous" else user_client("member@example.com")
    assert viewer.get("/admin/jobs").status_code == 404


def test_admin_sees_jobs_and_runs_with_errors(admin_client):
    insert_runs(3)
    with db.engine.begin() as conn:
        conn.execute(sa.insert(JobRun).values(job="notify.reminders", slot="x", status="partial", attempt=2,
                                              started_at=datetime(2026, 1, 2), boxes_ok=4, boxes_failed=1,
                                              detail="4 reminder(s)", error="box 7: RuntimeError('corrupt')"))
    db.session.rollback()
    page = admin_client.get("/admin/jobs").get_data(as_text=True)
    for name in JOBS:
        assert f"<code>{name}</code>" in page
    assert "run 2" in page and "4 reminder(s)" in page and "RuntimeError(&#39;corrupt&#39;)" in page
    assert ">partial<" in page and "4 / 1" in page
    assert 'href="/admin/jobs"' in page  # the Admin link in the site menu

    only = admin_client.get("/admin/jobs?job=notify.reminders").get_data(as_text=True)
    assert "run 2" not in only.split('id="runs"')[1] and "4 reminder(s)" in only


def test_runs_paginate_with_constant_queries(admin_client):
    insert_runs(3)
    few = count_queries(admin_client, "/admin/jobs")
    insert_runs(120, start=datetime(2026, 2, 1))
    assert count_queries(admin_client, "/admin/jobs") == few
    second = admin_client.get("/admin/jobs?page=2&block=runs", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert second.strip().startswith('<section id="runs">') and second.count("<tr>") == 51
    assert admin_client.get("/admin/jobs?page=x&job=nope").status_code == 200
