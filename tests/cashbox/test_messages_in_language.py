"""A cashbox's messages are composed in each recipient's language (notify.services.speaking): in one
Persian box, a member who chose Persian reads her receipt, reminder and draw email in Persian (Jalali
days, Persian digits), one who chose English reads his in English."""
import re
from datetime import date, datetime

from hamyan.blueprints.cashbox import services as cb
from hamyan.boxes import services as boxes
from hamyan.extensions import db
from hamyan.notify.models import OutboxMessage
from hamyan.scheduling import run_job
from tests.cashbox.helpers import first_round
from tests.i18n import english_left

FIRST_DUE = date(2026, 12, 9)  # 18 Azar 1405


def _emails(to: str) -> tuple:
    """The first receipt, the reminder and the draw's email (the last one without a kind) sent to `to`."""
    db.session.rollback()
    sent = [(m.kind, m.subject, m.body) for m in db.session.query(OutboxMessage).filter_by(
        channel="email", recipient=to).order_by(OutboxMessage.id)]
    return ([m for m in sent if m[0] == "receipt"][0], [m for m in sent if m[0] == "reminder"][0],
            [m for m in sent if m[0] is None][-1])


def test_each_member_reads_the_boxs_messages_in_their_language(make_user, clock):
    clock.set(datetime(2026, 12, 7, 9))
    manager = make_user("boss@example.com", "رئیس")
    sara, john = make_user("sara@example.com", "سارا"), make_user("john@example.com", "John")
    sara.language, john.language = "fa", "en"
    db.session.commit()
    box = cb.create_cashbox(manager, "صندوق خانوادگی", "IRR", "1000000", 2, "monthly", FIRST_DUE, "predefined",
                            timezone="Asia/Tehran", locale="fa_IR", calendar="persian")
    r = first_round(box)
    s = boxes.add_member(manager, box.id, "سارا", "sara@example.com")
    j = boxes.add_member(manager, box.id, "John", "john@example.com")
    cb.set_holders(manager, box.id, r.id, 1, [(s.id, "1/2"), (j.id, "1/2")])
    cb.set_holders(manager, box.id, r.id, 2, [(s.id, "1/2"), (j.id, "1/2")])
    cb.start_round(manager, box.id, r.id)
    for m in (s, j):
        cb.record_payment(manager, box.id, m.id, "400000")  # each still owes 600,000 for period 1
    assert run_job("notify.reminders", "slot-1").detail.startswith("2 reminder(s)")
    clock.set(datetime(2026, 12, 9, 9))
    cb.draw(manager, box.id, 1, "پیش از پرداخت کامل")

    receipt, reminder, won = _emails("sara@example.com")
    assert receipt[1] == "صندوق خانوادگی: پرداخت به مبلغ ۴۰۰٬۰۰۰\xa0ریال ثبت شد", receipt
    assert "پرداخت به مبلغ ۴۰۰٬۰۰۰\xa0ریال در ۱۶ آذر ۱۴۰۵ ثبت شد" in receipt[2], receipt[2]
    assert reminder[1] == "صندوق خانوادگی: سررسید دور ۱، دوره ۱: ۱۸ آذر ۱۴۰۵", reminder[1]
    assert "۶۰۰٬۰۰۰" in reminder[2] and "سارا" in reminder[2]
    assert won[1] == "صندوق خانوادگی: سهم ۱ برنده دوره ۱ شد" and "سهم شما از مبلغ قرعه" in won[2], won
    for kind, subject, body in (reminder, won):
        words = f"{subject}\n{body}".split("http")[0]
        assert not english_left(words) and not re.search("[0-9]", words), words

    receipt, reminder, won = _emails("john@example.com")
    assert receipt[1].startswith("صندوق خانوادگی: payment of ") and receipt[1].endswith(" recorded")
    assert "Payment of " in receipt[2] and "on 16 Azar 1405 (entry #" in receipt[2]
    assert reminder[1] == "صندوق خانوادگی: Round 1, period 1 due 18 Azar 1405" and "Hello John," in reminder[2]
    assert won[1] == "صندوق خانوادگی: share 1 won period 1" and "Your part of the pot is " in won[2]
    assert not re.search("[۰-۹]", receipt[2] + reminder[2] + won[2])
