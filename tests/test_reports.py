"""Big reports are jobs: asking answers at once with a job, a background thread renders it with
progress, and the PDF is kept for download by the box's managers only."""
import io
import threading
import time
from datetime import date, datetime, timedelta

import pytest
from pypdf import PdfReader

from hamyan.blueprints.cashbox import reports as cashbox_reports
from hamyan.blueprints.cashbox import services as cb
from hamyan.extensions import db
from hamyan.scheduling import run_job
from hamyan.statements import jobs
from tests.cashbox.helpers import fill_shares, first_round, make_box

_YEAR = date.today().year
PERIOD = {"start": f"{_YEAR - 1}-01-01", "end": f"{_YEAR + 1}-12-31"}


@pytest.fixture
def gate(monkeypatch):
    """Holds the cashbox manager report's rendering until the test opens the gate."""
    opened = threading.Event()
    real = cashbox_reports.render_manager_report

    def held(box, params, progress):
        assert opened.wait(30), "the test never opened the gate"
        return real(box, params, progress)

    monkeypatch.setattr(cashbox_reports, "render_manager_report", held)
    return opened


def wait_until_finished(job_id, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.rollback()  # see what the runner committed
        job = db.session.get(jobs.ReportJob, job_id)
        if job.finished:
            return job
        time.sleep(0.1)
    raise AssertionError(f"report job {job_id} did not finish")


def report_over_api(client, box_id: int, headers: dict, start: date, end: date,
                    kind: str = "manager") -> tuple[PdfReader, str]:
    """Ask for a box's report (its manager report by default) over the API: it answers 202 at once
    with the job; once done its PDF, and the PDF's text on one line."""
    started = time.monotonic()
    r = client.post(f"/api/v1/boxes/{box_id}/reports/{kind}", json={"start": start.isoformat(),
                                                                      "end": end.isoformat()}, headers=headers)
    assert r.status_code == 202 and time.monotonic() - started < 5
    job = wait_until_finished(r.json["id"], seconds=120)
    assert job.status == "done", job.error
    reader = PdfReader(io.BytesIO(client.get(f"/api/v1/boxes/{box_id}/reports/jobs/{job.id}/file",
                                             headers=headers).data))
    return reader, " ".join(" ".join(p.extract_text() for p in reader.pages).split())


def running_box(manager, members):
    box = make_box(manager, shares=members, contribution="10")
    people = fill_shares(manager, box, [f"Member {n:03d}" for n in range(members)])
    cb.start_round(manager, box.id, first_round(box).id)
    for person in people:
        cb.record_payment(manager, box.id, person.id, "7.25")
    return box


def test_a_big_report_answers_at_once_with_a_job_and_the_pdf_reads_back(user_client, gate):
    c = user_client("manager@example.com", "Manager")
    box = running_box(c.user, 60)

    started = time.monotonic()
    r = c.post(f"/boxes/{box.id}/reports/manager", data=PERIOD)
    assert r.status_code == 302 and time.monotonic() - started < 5
    page_url = r.headers["Location"]
    job_id = int(page_url.rsplit("/", 1)[1])
    page = c.get(page_url).get_data(as_text=True)
    assert "Making the report" in page or "Waiting to start" in page
    assert 'http-equiv="refresh"' in page  # reloads itself without JS
    assert 'hx-trigger="every 2s"' in page
    # Asking again while it runs is the same job.
    assert c.post(f"/boxes/{box.id}/reports/manager", data=PERIOD).headers["Location"] == page_url
    assert c.get(f"{page_url}.pdf").status_code == 404  # not ready yet

    gate.set()
    job = wait_until_finished(job_id)
    assert job.status == "done" and job.progress == 100 and job.pages >= 1
    status = c.get(f"{page_url}?block=status", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Download the PDF" in status and "<html" not in status and "every 2s" not in status
    r = c.get(f"{page_url}.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(r.data)).pages)
    assert "Box manager report" in text
    assert "Total in $435.00" in text and "Closing balance $435.00" in text  # 60 x 7.25


def test_report_jobs_are_scoped_like_the_box(user_client, gate, make_user):
    gate.set()
    manager = user_client("manager@example.com", "Manager")
    box = running_box(manager.user, 2)
    job_id = int(manager.post(f"/boxes/{box.id}/reports/manager", data=PERIOD).headers["Location"].rsplit("/", 1)[1])
    wait_until_finished(job_id)
    member = user_client("member@example.com", "Member")
    cb.add_member(manager.user, box.id, "Member", "member@example.com")
    other = user_client("other@example.com", "Other")
    other_box = make_box(other.user)

    assert member.get(f"/boxes/{box.id}/reports/jobs/{job_id}.pdf").status_code == 403
    assert member.post(f"/boxes/{box.id}/reports/manager", data=PERIOD).status_code == 403
    assert other.get(f"/boxes/{box.id}/reports/jobs/{job_id}.pdf").status_code == 404
    # Their own box in the URL does not reach another box's job.
    assert other.get(f"/boxes/{other_box.id}/reports/jobs/{job_id}.pdf").status_code == 404
    assert other.get(f"/boxes/{other_box.id}/reports/jobs/{job_id}").status_code == 404
    assert manager.get(f"/boxes/{box.id}/reports/jobs/{job_id}.pdf").status_code == 200
    # A report kind the product does not have, and a bad period.
    assert manager.post(f"/boxes/{box.id}/reports/nope", data=PERIOD).status_code == 404
    r = manager.post(f"/boxes/{box.id}/reports/manager", data={"start": "2026-05-01", "end": "2026-01-01"})
    assert r.status_code == 422 and "The last day is before the first day." in r.get_data(as_text=True)


def test_a_failing_renderer_fails_the_job_with_a_message(user_client, monkeypatch):
    c = user_client("manager@example.com", "Manager")
    box = running_box(c.user, 1)
    monkeypatch.setattr(cashbox_reports, "render_manager_report",
                        lambda box, params, progress: 1 / 0)
    job_id = int(c.post(f"/boxes/{box.id}/reports/manager", data=PERIOD).headers["Location"].rsplit("/", 1)[1])
    job = wait_until_finished(job_id)
    assert job.status == "failed" and job.finished_at is not None
    assert "could not be made" in c.get(f"/boxes/{box.id}/reports/jobs/{job_id}").get_data(as_text=True)


def test_the_scheduler_renders_a_job_a_restarted_process_left_queued(user_client, monkeypatch, clock):
    c = user_client("manager@example.com", "Manager")
    box = running_box(c.user, 1)
    monkeypatch.setattr(jobs, "start_thread", lambda app, job_id: None)  # the process died first
    job = jobs.request_report(c.user, box.id, "manager", PERIOD)
    assert job.status == "queued"
    # Its thread may yet come.
    assert run_job("statements.reports", "s1").detail == "0 queued report(s) rendered, 0 interrupted one(s) failed"
    clock.set(datetime.utcnow() + timedelta(minutes=3))
    assert run_job("statements.reports", "s2").detail == "1 queued report(s) rendered, 0 interrupted one(s) failed"
    assert wait_until_finished(job.id).status == "done"


def test_a_job_its_process_left_running_fails_and_the_same_report_can_be_asked_again(user_client, monkeypatch,
                                                                                       clock):
    c = user_client("manager@example.com", "Manager")
    box = running_box(c.user, 1)
    monkeypatch.setattr(jobs, "start_thread", lambda app, job_id: None)
    stuck = jobs.request_report(c.user, box.id, "manager", PERIOD)
    assert jobs._claim(stuck.id)  # the process died while rendering it
    assert jobs.request_report(c.user, box.id, "manager", PERIOD).id == stuck.id
    clock.set(datetime.utcnow() + timedelta(minutes=31))
    assert run_job("statements.reports", "s1").detail == "0 queued report(s) rendered, 1 interrupted one(s) failed"
    assert "interrupted" in c.get(f"/boxes/{box.id}/reports/jobs/{stuck.id}").get_data(as_text=True)
    assert jobs.request_report(c.user, box.id, "manager", PERIOD).id != stuck.id


def test_report_jobs_over_the_api(app, user_client, api_token, gate):
    manager = user_client("manager@example.com", "Manager")
    box = running_box(manager.user, 3)
    headers = api_token(manager.user)
    client = app.test_client()
    r = client.post(f"/api/v1/boxes/{box.id}/reports/manager", json=PERIOD, headers=headers)
    assert r.status_code == 202 and r.json["status"] in ("queued", "running") and r.json["file"] is None
    job_id = r.json["id"]
    assert client.post(f"/api/v1/boxes/{box.id}/reports/manager", json=PERIOD, headers=headers).json["id"] == job_id
    assert client.get(f"/api/v1/boxes/{box.id}/reports/jobs/{job_id}/file", headers=headers).status_code == 404
    gate.set()
    wait_until_finished(job_id)
    r = client.get(f"/api/v1/boxes/{box.id}/reports/jobs/{job_id}", headers=headers)
    assert r.json["status"] == "done" and r.json["progress"] == 100
    pdf = client.get(r.json["file"], headers=headers)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "Total in $21.75" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    bad = client.post(f"/api/v1/boxes/{box.id}/reports/manager", json={"start": "2026-05-01", "end": "2026-01-01"},
                      headers=headers)
    assert bad.status_code == 422 and bad.json["error"]["fields"] == {"end": "The last day is before the first day."}
    assert client.get(f"/api/v1/boxes/{box.id}/reports/jobs/{job_id}").status_code == 401
