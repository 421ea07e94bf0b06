from datetime import date

from flask import send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from hamyan.blueprints.reports import bp
from hamyan.web.fields import DayField
from hamyan.core.errors import NotFound, ValidationError
from hamyan.statements import jobs
from hamyan.web import redirect_to, render


class ReportForm(FlaskForm):
    start = DayField(_l("From"))
    end = DayField(_l("To"))


# What each kind of report (a key of a product's `reports`) is called on its page.
TITLES = {"manager": _l("Manager's report"), "board": _l("Board's report"), "units": _l("Units' statements")}
# Why a job failed, as its page says it (the job keeps the English words).
ERRORS = {jobs.INTERRUPTED: _l("The report was interrupted (the server restarted).")}
FAILED = _l("The report could not be made; the error has been logged.")


@bp.route("/<kind>", methods=["POST"])
@login_required
def request_report(box_id, kind):
    """Queue the report and show its progress page at once."""
    form = ReportForm()
    if not form.validate_on_submit():  # every field's error at once
        errors = {name: messages[0] for name, messages in form.errors.items()}
        raise ValidationError(" ".join(errors.values()), fields=errors)
    job = jobs.request_report(current_user, box_id, kind, jobs.period_params(form.start.data, form.end.data))
    return redirect_to("reports.show", box_id=box_id, job_id=job.id)


@bp.route("/jobs/<int:job_id>")
@login_required
def show(box_id, job_id):
    """The job's progress: htmx polls the `status` block until it is finished; without JS the page
    reloads itself."""
    job = jobs.job_of(current_user, box_id, job_id)
    return render("reports/job.html", partials=("status",), job=job, box=job.box, title=TITLES.get(job.kind, job.kind),
                  error=ERRORS.get(job.error, FAILED),
                  start=date.fromisoformat(job.period["start"]), end=date.fromisoformat(job.period["end"]),
                  box_url=url_for(f"{job.box.kind}.dashboard", box_id=box_id))


@bp.route("/jobs/<int:job_id>.pdf")
@login_required
def download(box_id, job_id):
    job = jobs.job_of(current_user, box_id, job_id)
    if job.status != jobs.DONE:
        raise NotFound(_("This report is not ready."))
    return send_file(jobs.file_of(job), mimetype="application/pdf", as_attachment=True,
                     download_name=jobs.download_name(job))

