"""Reports: the public page with SVG charts, the board's statement as a report job, the unit
statement PDF, CSV exports; residents see the public report but not the arrears."""
from hamyan.blueprints.aptbox import reports, services
from hamyan.statements import jobs
from tests.aptbox.conftest import awkward, insert_units
from tests.conftest import login
from tests.test_reports import wait_until_finished


def test_reports_statements_and_exports(building, app, make_user):
    box, board = building()
    units = insert_units(box, awkward(5))
    services.add_component(board, box.id, name="Cleaning", amount="500000", basis="area")
    services.issue_month(board, box.id, "2026-02")
    services.record_payment(board, box.id, units[0].id, "50000", "2026-02-10", "R1", key="p")
    services.add_expense(board, box.id, "30000", "cleaning", "2026-02-11", "پاکان")
    make_user("res@example.com", "Res")
    services.add_person(board, box.id, units[0].id, "Res", "res@example.com", "resident")
    client = login(app.test_client(), "board@example.com")
    page = client.get(f"/buildings/{box.id}/reports").get_data(as_text=True)
    assert '<svg class="w-100 h-auto"' in page and 'id="chart-categories"' in page and 'id="arrears"' in page
    response = client.post(f"/buildings/{box.id}/reports/board", data={"start": "2026-02-01", "end": "2026-02-28"})
    assert response.status_code == 302
    job = wait_until_finished(jobs.ReportJob.query.one().id)
    assert job.status == jobs.DONE and job.pages >= 1
    client.post(f"/buildings/{box.id}/reports/units", data={"start": "2026-02-01", "end": "2026-02-28"})
    every = wait_until_finished(jobs.ReportJob.query.filter_by(kind="units").one().id)
    assert every.status == jobs.DONE and every.pages >= 5  # a unit a page at least
    statement = reports.board_statement(box, *map(__import__("datetime").date.fromisoformat,
                                                   ("2026-02-01", "2026-02-28")))
    assert statement.total_income == 500_000 and statement.collected == 50_000 and statement.total_expenses == 30_000
    pdf = client.get(f"/buildings/{box.id}/units/{units[0].id}/statement")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert "cleaning" in client.get(f"/buildings/{box.id}/export/expenses.csv").get_data(as_text=True)
    assert client.get(f"/buildings/{box.id}/export/charges.csv").get_data(as_text=True).count("\n") == 6
    resident = login(app.test_client(), "res@example.com")
    public = resident.get(f"/buildings/{box.id}/reports").get_data(as_text=True)
    assert "chart-months" in public and 'id="arrears"' not in public
    assert resident.get(f"/buildings/{box.id}/export/expenses.csv").status_code == 403
    assert resident.get(f"/buildings/{box.id}/export/ledger.csv?unit={units[0].id}").status_code == 200
    assert resident.get(f"/buildings/{box.id}/export/ledger.csv?unit={units[1].id}").status_code == 404
    assert resident.get(f"/buildings/{box.id}/units/{units[1].id}/statement").status_code == 404


def test_the_arrears_are_a_page_of_units_most_owed_first(building, app):
    """The board's report listed every late unit on one page (200 rows for 200 late units)."""
    box, board = building()
    insert_units(box, [(n, 1, 50 + n, 1, 0, True) for n in range(1, 61)])
    services.add_component(board, box.id, name="Cleaning", amount="6000000", basis="area")
    services.issue_month(board, box.id, "2026-02")
    client = login(app.test_client(), "board@example.com")
    page = client.get(f"/buildings/{box.id}/reports").get_data(as_text=True)
    table = page[page.index('id="arrears"'):page.index("</table>", page.index('id="arrears"'))]
    assert table.count("<tr>") == 1 + services.PAGE_SIZE and ">60</a>" in table  # the biggest unit owes most
    swapped = client.get(f"/buildings/{box.id}/reports?page=2&block=late",
                         headers={"HX-Request": "true"}).get_data(as_text=True)
    assert swapped.strip().startswith('<div id="late">') and "</html>" not in swapped
    assert swapped.count("<tr>") == 1 + 60 - services.PAGE_SIZE and ">1</a>" in swapped
