"""The box report carries the round's member x period grid (who paid, late and unpaid marked) on
landscape pages in blocks of periods, and the list of winners and payouts: read back from the PDF
the report job made."""
import re
from datetime import timedelta

from hamyan.blueprints.cashbox import services as cb
from hamyan.blueprints.cashbox import reports
from tests.cashbox.helpers import utc_today
from tests.test_reports import report_over_api

NAMES = ["Ann", "Bob", "Cyd", "Dee", "زهرا محمدی"]


def test_the_report_shows_who_paid_each_period_and_the_winners(app, user_client, api_token):
    manager = user_client("manager@example.com", "Manager")
    today = utc_today()
    box = cb.create_cashbox(manager.user, "Grid box", "USD", "10", 5, "weekly", today - timedelta(days=21),
                            "predefined", grace_days=2)  # share n wins period n
    r = cb.current_round(box.id)
    people = {name: cb.add_member(manager.user, box.id, name) for name in NAMES}
    for number, name in enumerate(NAMES, 1):
        cb.set_holders(manager.user, box.id, r.id, number, [(people[name].id, "1")])
    cb.start_round(manager.user, box.id, r.id)
    due = [today - timedelta(days=21 - 7 * i) for i in range(4)]  # periods 1-4 have fallen due, 4 today
    cb.record_payment(manager.user, box.id, people["Ann"].id, "40", paid_on=today)  # 1-3 late, 4 on time
    for day in due:
        cb.record_payment(manager.user, box.id, people["Bob"].id, "10", paid_on=day)
    cb.record_payment(manager.user, box.id, people["Cyd"].id, "15", paid_on=due[0])  # half of period 2, late
    for _ in range(2):
        cb.draw(manager.user, box.id, override_reason="not all paid")

    reader, text = report_over_api(app.test_client(), box.id, api_token(manager.user), today - timedelta(days=30),
                                   today)
    pages = [page.extract_text() for page in reader.pages]
    grid = [p for p in pages if "who paid, periods 1–5 of 5" in p]
    assert len(grid) == 1 and reader.pages[pages.index(grid[0])].mediabox.width > reader.pages[0].mediabox.width
    lines = [" ".join(line.split()) for line in grid[0].splitlines()]  # mark rows, then the names (a cell that never wraps)
    marks = lines[lines.index("Paid Behind 1 2 3 4 5") + 1:][:len(NAMES)]
    names = lines[lines.index("Member") + 1:][:len(NAMES)]
    assert names == ["Ann", "Bob", "Cyd", "Dee", "زهرا محمدی"]
    assert dict(zip(names, marks)) == {
        "Ann": "40.00 L L L ✓", "Bob": "40.00 ✓ ✓ ✓ ✓", "Cyd": "15.00 25.00 ✓ ✗ ✗ •", "Dee": "0.00 40.00 ✗ ✗ ✗ •",
        "زهرا محمدی": "0.00 40.00 ✗ ✗ ✗ •"}
    assert "winners and payouts" in text
    assert re.search(r"Period Due Share Holders Drawn Pot Payout 1 \S+ \d+, \d{4} 1 Ann .{5,40} 50\.00 paid 2 \S+ \d+, \d{4} 2 Bob ", text), text
    assert text.count("not yet") == 3

def test_a_long_round_is_in_blocks_of_periods_up_to_the_last_one_due(app, user_client, api_token, monkeypatch):
    """Blocks of GRID_PERIODS periods (8 here, for a small round), the round's paid and behind in the
    first block only, and no block of periods nobody owes or has paid yet (they would be blank)."""
    from bench.build import build_cashbox

    monkeypatch.setattr(reports, "GRID_PERIODS", 8)
    manager = user_client("manager@example.com", "Manager")
    box_id, _ = build_cashbox(manager.user, "Long round", 30)  # 30 members x 30 weekly periods, 1-22 due
    reader, text = report_over_api(app.test_client(), box_id, api_token(manager.user), utc_today() - timedelta(weeks=40),
                                   utc_today())
    assert re.findall(r"who paid, periods (\d+)–(\d+) of 30", text) == [("1", "8"), ("9", "16"), ("17", "24")]
    assert "Periods 25–30: nothing due or paid yet." in text
    pages = [page.extract_text() for page in reader.pages]
    first, second = ([p for p in pages if f"periods {block} of 30" in p] for block in ("1–8", "9–16"))
    assert "Paid Behind" in first[0] and "Behind" not in second[0] and "Member 030" in second[0]
    assert len(reader.pages) <= 8
