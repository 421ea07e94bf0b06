"""Receipts (hamyan.notify.receipts): every payment, repayment, payout and waiver tells the member it
concerns, once, on their channels; a reversal says it was cancelled; a refused write tells no one."""
import pytest
from sqlalchemy import select

from hamyan.blueprints.cashbox import services as cb
from hamyan.core.errors import ValidationError
from hamyan.extensions import db
from hamyan.notify import services as notify
from hamyan.notify.models import OutboxMessage
from tests.cashbox.helpers import first_round, make_box


def receipts(**filters) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).filter_by(kind="receipt", **filters)
                                   .order_by(OutboxMessage.id)))


@pytest.fixture
def running(make_user):
    manager = make_user("boss@example.com", "Boss")
    ann_user = make_user("ann@example.com", "Ann")
    box = make_box(manager, shares=2, contribution="100")
    ann = cb.add_member(manager, box.id, "Ann", "ann@example.com")
    bob = cb.add_member(manager, box.id, "Bob", "bob@example.com")  # no account: told by email
    r = first_round(box)
    cb.set_holders(manager, box.id, r.id, 1, [(ann.id, "1")])
    cb.set_holders(manager, box.id, r.id, 2, [(bob.id, "1")])
    cb.start_round(manager, box.id, r.id)
    return box, manager, ann, ann_user, bob


def test_a_payment_tells_its_member_on_each_channel_once(running):
    box, manager, ann, ann_user, bob = running
    payment = cb.record_payment(manager, box.id, ann.id, "100", request_key="p1")
    sent = receipts(user_id=ann_user.id)
    assert {m.channel for m in sent} == {"email", "inapp"}  # no mobile known: no SMS
    email = next(m for m in sent if m.channel == "email")
    assert email.recipient == "ann@example.com"
    assert "payment of $100.00 recorded" in email.subject and box.name in email.subject
    assert "entry #" in email.body
    assert email.dedupe_key.startswith(f"receipt:{payment.entry_id}:{ann.id}:")
    # A retried submit answers the first payment and tells no one again.
    cb.record_payment(manager, box.id, ann.id, "100", request_key="p1")
    assert len(receipts(user_id=ann_user.id)) == 2
    assert not receipts(recipient="boss@example.com")  # only the member it concerns


def test_a_member_without_an_account_is_told_by_email(running):
    box, manager, ann, ann_user, bob = running
    cb.record_payment(manager, box.id, bob.id, "100", request_key="b1")
    assert [(m.channel, m.recipient) for m in receipts()] == [("email", "bob@example.com")]


def test_channel_preferences_and_sms(running):
    box, manager, ann, ann_user, bob = running
    notify.set_profile(ann_user, "۰۹۱۲۳۴۵۶۷۸۹", None, None, "Asia/Tehran")
    notify.set_preference(ann_user, box.id, email=False, sms=True, inapp=False)
    cb.record_payment(manager, box.id, ann.id, "100", request_key="p1")
    sent = receipts(user_id=ann_user.id)
    assert [(m.channel, m.recipient) for m in sent] == [("sms", "+989123456789")]
    assert "100" in sent[0].body and box.name in sent[0].body


def test_a_reversal_says_cancelled(running):
    box, manager, ann, ann_user, bob = running
    payment = cb.record_payment(manager, box.id, ann.id, "100", request_key="p1")
    cb.reverse_payment(manager, box.id, payment.id, "Typed twice")
    subjects = [m.subject for m in receipts(user_id=ann_user.id, channel="email")]
    assert len(subjects) == 2 and subjects[1].endswith("payment of $100.00 cancelled")
    assert "Typed twice" in receipts(user_id=ann_user.id, channel="email")[1].body


def test_a_refused_write_tells_no_one(running):
    box, manager, ann, ann_user, bob = running
    with pytest.raises(ValidationError):
        cb.record_payment(manager, box.id, ann.id, "-5", request_key="bad")
    assert receipts() == []
