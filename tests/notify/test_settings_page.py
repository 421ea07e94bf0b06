"""/notifications: a member saves their mobile (normalised), quiet hours and per-box channels;
a bad number or hour is shown on its field and nothing is saved."""
from datetime import datetime

import sqlalchemy as sa

from hamyan.boxes.models import Box, Membership
from hamyan.extensions import db
from hamyan.notify import services


def test_member_saves_phone_quiet_hours_and_channels(user_client):
    member = user_client("m@example.com", "Mina")
    with db.engine.begin() as conn:
        box_id = conn.execute(sa.insert(Box).values(kind="moneypool", name="Fund", currency="IRR", timezone="Asia/Tehran",
                                                    locale="fa", calendar="persian",
                                                    created_at=datetime(2026, 1, 1))).inserted_primary_key[0]
        conn.execute(sa.insert(Membership).values(box_id=box_id, user_id=member.user.id, display_name="Mina",
                                                  role="member", created_at=datetime(2026, 1, 1)))
    db.session.rollback()
    page = member.get("/notifications").get_data(as_text=True)
    assert f'name="sms-{box_id}"' in page and "checked" in page

    bad = member.post("/notifications", data={"phone": "021 8877 6655", "quiet_start": "25"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "landline" in text and "An hour from 0 to 23." in text
    assert services.profile(member.user.id).phone is None

    saved = member.post("/notifications", data={"phone": "۰۹۱۲ ۱۲۳ ۴۵۶۷", "quiet_start": "22", "quiet_end": "7",
                                                f"email-{box_id}": "on", f"inapp-{box_id}": "on"})
    assert saved.status_code == 302
    db.session.rollback()
    person = services.profile(member.user.id)
    assert (person.phone, person.quiet_start, person.quiet_end) == ("+989121234567", 22, 7)
    prefs = services.preference(member.user.id, box_id)
    assert (prefs.email, prefs.sms, prefs.inapp, prefs.statements) == (True, False, True, False)
