"""A member's statement PDF (own only; managers anyone's) and the manager report job's PDF, from the
shared statements engine: totals that match the ledger."""
from datetime import timedelta

from pypdf import PdfReader

from hamyan.blueprints.rosca import services as rs
from hamyan.blueprints.rosca.reports import render_manager_report
from hamyan.boxes.models import Box
from hamyan.extensions import db
from tests.rosca.helpers import fill, make_rosca, utc_today


def test_member_statement_and_manager_report(user_client, make_user, tmp_path):
    manager = user_client("m@example.com", "Manager")
    box = make_rosca(manager.user, seats=2, contribution="100", first_due=utc_today() - timedelta(days=1))
    members = fill(manager.user, box, ["Ali", "Bita"])
    rs.start(manager.user, box.id)
    for m in members:
        rs.record_payment(manager.user, box.id, m.id, "100")
    rs.pay_out(manager.user, box.id, 1)
    start, end = utc_today() - timedelta(days=30), utc_today()
    st = rs.member_statement(db.session.get(Box, box.id), members[0], start, end)
    assert st.total_in == 10000 and st.total_out == rs.seats_of(rs.viewing(manager.user, box.id)[1])[0].payout
    r = manager.get(f"/rosca/{box.id}/statement.pdf?start={start}&end={end}&membership_id={members[0].id}")
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    (tmp_path / "s.pdf").write_bytes(r.data)
    text = PdfReader(tmp_path / "s.pdf").pages[0].extract_text()
    assert "Ali" in text and "payment #1" in text and "entry #1" in text  # the payment's number, then the entry's
    stranger = user_client("s@example.com", "Stranger")
    assert stranger.get(f"/rosca/{box.id}/statement.pdf?start={start}&end={end}").status_code == 404
    with manager.application.test_request_context():
        pdf = render_manager_report(db.session.get(Box, box.id), {"start": str(start), "end": str(end)},
                                    lambda *a, **k: None)
    assert pdf.startswith(b"%PDF")
