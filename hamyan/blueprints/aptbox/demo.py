"""Demo: a 12-unit Tehran building on the Jalali calendar with a year of history: monthly charges
split by area, occupants and a lift on floor factors, payments (some late, one unit behind, one
with credit) and a special assessment for the elevator. Safe to run again."""
from datetime import timedelta

from sqlalchemy import select

from hamyan.blueprints.aptbox import services
from hamyan.blueprints.aptbox.models import Charge, Unit
from hamyan.boxes.models import Box, Membership
from hamyan.core import clock
from hamyan.extensions import db

NAME = "مجتمع مسکونی یاس"
UNITS = """number,floor,area,occupants,parking,occupied,owner,resident
1,0,78.5,2,1,yes,رضا احمدی,رضا احمدی
2,0,64,1,0,yes,مریم کریمی,نگار صادقی
3,1,92.25,4,1,yes,علی رضایی,علی رضایی
4,1,85,3,1,yes,زهرا حسینی,زهرا حسینی
5,2,92.25,0,1,no,حسین محمدی,
6,2,85,2,1,yes,فاطمه موسوی,سارا جعفری
7,3,110,5,2,yes,محمد کاظمی,محمد کاظمی
8,3,85,2,1,yes,لیلا نوری,لیلا نوری
9,4,110,3,2,yes,امیر قاسمی,امیر قاسمی
10,4,85,1,1,yes,نرگس طاهری,کاوه رحیمی
11,5,130.75,4,2,yes,مهدی شریفی,مهدی شریفی
12,5,130.75,2,2,yes,سمیرا یزدانی,سمیرا یزدانی
"""
EXPENSES = (("caretaker", "30000000", "سرایدار"), ("electricity", "6500000", "توانیر"),
            ("water", "5200000", "آبفا"), ("cleaning", "4000000", "شرکت نظافتی پاکان"))
# A 1x1 PNG: the demo's receipts.
RECEIPT = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
PLAN = (
    dict(name="نظافت و سرایداری", amount="42000000", basis="mix", mix={"equal": 50, "occupants": 50}, payer="resident"),
    dict(name="آسانسور", amount="9000000", basis="equal", payer="resident", use_floor_factor=True),
    dict(name="آب و برق مشاع", amount="14000000", basis="area", payer="resident"),
    dict(name="صندوق ذخیره", amount="1500000", basis="fixed", payer="owner"),
)


def seed_building(users: dict) -> Box:
    board, resident = users["manager"], users["member"]
    existing = db.session.scalar(select(Box).join(Membership, Membership.box_id == Box.id).where(
        Box.kind == "aptbox", Box.name == NAME, Membership.user_id == board.id))
    if existing is not None:
        return existing
    box = services.create_building(board, NAME, "IRR", "Asia/Tehran", "fa_IR", "persian",
                                   "تهران، خیابان ولیعصر، کوچه یاس، پلاک ۱۲", due_day="5", grace_days="10",
                                   late_fee_kind="percent", late_fee_value="2", vacancy_discount="50",
                                   floor_factors="0=0.5", round_to="10000")
    services.import_units(board, box.id, UNITS)
    services.update_rules(board, box.id, remainder_unit="1")
    for component in PLAN:
        services.add_component(board, box.id, **component)
    units = {u.number: u for u in db.session.scalars(select(Unit).filter_by(box_id=box.id))}
    services.set_rule(board, box.id, services.components(box.id)[1].id, units["1"].id, "exempt",
                      reason="طبقه همکف از آسانسور استفاده نمی‌کند")
    services.add_person(board, box.id, units["3"].id, resident.name, resident.email, "resident")
    # The units' people are members too (the demo gives them accounts and contacts), so they hear
    # of what their unit owes; someone living in their own unit is tied to it once, as its owner.
    for unit in units.values():
        for relation, name in (("owner", unit.owner_name), ("resident", unit.resident_name)):
            if name and not (relation == "resident" and name == unit.owner_name):
                services.add_person(board, box.id, unit.id, name, None, relation, invite=False)
    today = clock.today(box)
    year, month = services.month_of(box, today)
    months = []
    for back in range(11, -1, -1):
        y, m = (year, month - back) if month - back >= 1 else (year - 1, month - back + 12)
        months.append(f"{y:04d}-{m:02d}")
    for index, label in enumerate(months):
        run = services.issue_month(board, box.id, label)
        if index == 5:
            services.create_assessment(board, box.id, "تعمیر اساسی آسانسور", "240000000", "area",
                                       installments="3", first_month=months[6])
        charges = {}  # the month's charge and any assessment installment due with it
        for charge in db.session.scalars(select(Charge).filter_by(box_id=box.id, due_date=run.due_date)):
            charges[charge.unit_id] = charges.get(charge.unit_id, 0) + charge.amount
        for number, unit in units.items():
            if number == "9" and index >= 8:  # behind for the last months
                continue
            if run.due_date > today:
                continue
            late = 20 if number in ("2", "7") else 0
            paid_on = min(run.due_date + timedelta(days=late - 2 + int(number) % 4), today)
            amount = charges.get(unit.id, 0) * (2 if number == "12" and index == 0 else 1)
            if amount:
                services.record_payment(board, box.id, unit.id, str(amount), paid_on, f"FIS-{index:02d}{number:0>3}",
                                        unit.resident_name or unit.owner_name, key=f"demo-{index}-{number}")
        spent_on = min(run.due_date + timedelta(days=12), today)
        for category, amount, vendor in EXPENSES:
            services.add_expense(board, box.id, amount, category, spent_on, vendor, receipt=services.Receipt(RECEIPT, "receipt.png"))
        if index in (2, 8):
            services.transfer(board, box.id, "15000000", "operating", "reserve", spent_on, "پس‌انداز ماهانه",
                              key=f"demo-transfer-{index}")
        if index == 7:
            services.add_expense(board, box.id, "235000000", "elevator", spent_on, "آسانسور پارس", "تعمیر اساسی",
                                 fund="reserve", decision="صورتجلسه هیئت مدیره ۱۴۰۵/۰۴: برداشت از ذخیره تا وصول قسط‌ها",
                                 receipt=services.Receipt(RECEIPT, "invoice.png"))
        if index == 10:  # the assessment's installments are in: the reserve is paid back
            services.transfer(board, box.id, "240000000", "operating", "reserve", spent_on, "اقساط تعمیر آسانسور",
                              key="demo-transfer-assessment")
    services.announce(board, box.id, "قطعی آب", "روز شنبه از ساعت ۹ تا ۱۲ آب ساختمان برای تعمیر لوله قطع است.")
    services.create_poll(board, box.id, "رنگ‌آمیزی راه‌پله در تابستان؟", "موافقم\nمخالفم", "area", "50",
                         today + timedelta(days=10))
    return box
