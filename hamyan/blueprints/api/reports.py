"""Report jobs over the API: ask (202 with the job at once), poll, download the PDF when done."""
import marshmallow as ma
from flask import send_file, url_for
from flask_babel import gettext as _

from hamyan.blueprints.api import api_blueprint, current_api_user, links
from hamyan.core.errors import NotFound
from hamyan.statements import jobs

reports_bp = api_blueprint("api_reports", __name__, url_prefix="/api/v1/boxes/<int:box_id>/reports",
                           description="Big reports (a box's manager report) made in the background.")


class PeriodArgs(ma.Schema):
    start = ma.fields.Date(required=True)
    end = ma.fields.Date(required=True)


class ReportJobSchema(ma.Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    status = ma.fields.String(metadata={"enum": list(jobs.STATUSES)})
    progress = ma.fields.Integer(metadata={"description": "Percent done"})
    pages = ma.fields.Integer(allow_none=True)
    error = ma.fields.String(allow_none=True)
    file = ma.fields.Function(lambda job: url_for("api_reports.download", box_id=job.box_id, job_id=job.id)
                              if job.status == jobs.DONE else None, metadata={"description": "The PDF, once done"})


@reports_bp.route("/<kind>", methods=["POST"])
@reports_bp.arguments(PeriodArgs)
@reports_bp.response(202, ReportJobSchema)
@reports_bp.doc(**links(202, GetJob=("GET", "/api/v1/boxes/{box_id}/reports/jobs/{job_id}",
                                     {"box_id": "$request.path.box_id", "job_id": "$response.body#/id"})))
def request_report(args, box_id, kind):
    """Ask for a report (managers). Answers at once with the job; asking again while it runs
    returns the same job."""
    return jobs.request_report(current_api_user(), box_id, kind, jobs.period_params(args["start"], args["end"]))


@reports_bp.route("/jobs/<int:job_id>", methods=["GET"])
@reports_bp.response(200, ReportJobSchema)
def show(box_id, job_id):
    """A report job's status and progress."""
    return jobs.job_of(current_api_user(), box_id, job_id)


@reports_bp.route("/jobs/<int:job_id>/file", methods=["GET"])
@reports_bp.response(200, content_type="application/pdf", description="The report's PDF")
def download(box_id, job_id):
    """The finished report's PDF (404 until it is done)."""
    job = jobs.job_of(current_api_user(), box_id, job_id)
    if job.status != jobs.DONE:
        raise NotFound(_("This report is not ready."))
    return send_file(jobs.file_of(job), mimetype="application/pdf", as_attachment=True,
                     download_name=jobs.download_name(job))
