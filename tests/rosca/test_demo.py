"""The demo data has a ROSCA mid-round; seeding again changes nothing; the ledger checks clean. The
test reads the session's demo (seeded once for every test that reads it) rather than seeding its own."""
from hamyan.blueprints.rosca import services as rs
from hamyan.blueprints.rosca.demo import LATE, NAME, seed_rosca
from hamyan.blueprints.rosca.models import MemberSummary
from hamyan.boxes.models import Box
from hamyan.extensions import db
from hamyan.ledger import check
from hamyan.ledger.models import Entry


def test_demo_rosca(demo_users):
    entries = db.session.query(Entry).count()
    seed_rosca(demo_users)
    assert db.session.query(Entry).count() == entries > 0
    box = db.session.query(Box).filter_by(name=NAME).one()
    rosca = db.session.get(rs.Rosca, box.id)
    assert rosca.status == "active" and box.calendar == "persian" and box.currency == "IRR"
    assert sum(1 for p in rs.periods_of(rosca) if p.paid_out) == 3
    leila = next(s for s in db.session.query(MemberSummary).filter_by(box_id=box.id)
                 if s.membership.display_name == LATE)
    assert leila.status == "late" and leila.arrears > 0
    report = check()
    assert report.ok, report
