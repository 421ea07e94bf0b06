"""Aptbox in a real browser: the board imports units from CSV, sets the plan, issues the month,
records a payment and an expense with a receipt and downloads the monthly statement; a resident
sees their balance and why, and votes in a poll."""
import re

from playwright.sync_api import expect

from tests.e2e.test_moneypool import _sign_in  # the one sign-in of the browser tests

CSV = "number,floor,area,occupants,parking,occupied,owner,resident\n1,0,78.5,2,1,yes,رضا احمدی,رضا احمدی\n" \
      "2,1,92.25,3,1,yes,مریم کریمی,Mina\n3,1,64,0,0,no,علی رضایی,\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


def test_board_month_end_and_a_resident_votes(page, browser, live_server, make_user):
    make_user("board.apt@example.com", "Board")
    make_user("mina.apt@example.com", "Mina")
    _sign_in(page, "board.apt@example.com")
    page.goto("/buildings/new")
    page.get_by_label("Building name").fill("برج یاس")
    page.get_by_label("Round each charge down to a multiple of").fill("1000")
    page.get_by_role("button", name="Create the building").click()
    expect(page.locator(".alert-success")).to_contain_text("is ready")

    page.get_by_role("link", name="Import units from CSV").click()
    page.get_by_label("CSV file").set_input_files(files=[{"name": "units.csv", "mimeType": "text/csv",
                                                          "buffer": (CSV + "4,2,-5,1,0,yes,x,y\n").encode()}])
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#import-problems")).to_contain_text("Area must be more than 0")
    page.get_by_label("CSV file").set_input_files(files=[{"name": "units.csv", "mimeType": "text/csv",
                                                          "buffer": CSV.encode()}])
    page.get_by_role("button", name="Import").click()
    expect(page.locator(".alert-success")).to_contain_text("3 units imported")

    page.get_by_role("link", name="Charges").click()
    form = page.locator("#component-form")
    form.get_by_label("What for").fill("نظافت")
    form.get_by_label("Building total a month (per unit for a fixed amount)").fill("3,000,000")
    form.get_by_label("Split").select_option("mix")
    form.get_by_label("Mix (for a weighted mix)").fill("area=60, occupants=40")
    form.get_by_role("button", name="Add to the plan").click()
    expect(page.locator("#preview-total")).to_have_text(re.compile("3,000,000"))
    page.get_by_role("button", name="Issue the charges").click()
    expect(page.locator("#confirm-lines")).to_contain_text("3,000,000")  # the confirm page says what is charged
    page.get_by_role("button", name="Yes, issue the charges").click()
    expect(page.locator(".alert-success")).to_contain_text("charged")

    page.get_by_role("link", name="Units").click()
    page.get_by_role("link", name="2", exact=True).click()
    person = page.locator("#person-form")
    person.get_by_label("Name").fill("Mina")
    person.get_by_label("Email (they get an invitation)").fill("mina.apt@example.com")
    person.get_by_label("Relation").select_option("resident")
    person.get_by_role("button", name="Add and invite").click()
    payment = page.locator("#payment-form")
    payment.get_by_label("Amount").fill("500000")
    payment.get_by_label("Bank reference").fill("FIS-1001")
    payment.get_by_role("button", name="Record the payment").click()
    expect(page.locator(".alert-success")).to_contain_text("Payment recorded")
    expect(page.locator("#unit-ledger")).to_contain_text("FIS-1001")

    page.get_by_role("link", name="Expenses").click()
    expense = page.locator("#expense-form")
    expense.get_by_label("Amount").fill("200000")
    expense.get_by_label("Vendor").fill("پاکان")
    expense.get_by_label("Receipt").set_input_files(files=[{"name": "r.png", "mimeType": "image/png", "buffer": PNG}])
    expense.get_by_role("button", name="Record the expense").click()
    expect(page.locator(".alert-success")).to_contain_text("Expense recorded")
    expect(page.locator("#expenses")).to_contain_text("پاکان")

    page.get_by_role("link", name="Notices").click()
    poll = page.locator("#poll-form")
    poll.get_by_label("Question").fill("Paint the stairs?")
    poll.get_by_role("button", name="Open the poll").click()
    expect(page.locator(".alert-success")).to_contain_text("Poll opened")

    page.get_by_role("link", name="Reports").click()
    expect(page.locator("#chart-months")).to_be_visible()
    page.get_by_role("button", name="Make the statement").click()
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("link", name=re.compile("Download")).click(timeout=60_000)
    assert download.value.suggested_filename.endswith(".pdf")

    resident = browser.new_context(base_url=live_server).new_page()
    _sign_in(resident, "mina.apt@example.com")
    resident.get_by_role("link", name="برج یاس").click()
    expect(resident.locator("#my-balance")).to_contain_text("owed")
    resident.get_by_role("link", name="Details and why").click()
    expect(resident.locator("#why")).to_contain_text("92.25")
    resident.get_by_role("link", name="Notices").click()
    resident.get_by_label("Yes").check()
    resident.get_by_role("button", name="Vote").click()
    expect(resident.locator(".alert-success")).to_contain_text("vote is counted")
    expect(resident.locator("#poll-forms, body")).to_contain_text("Unit 2 voted: Yes")
