"""The implementation manager's monthly return journey in a real browser, axe-checked."""

import pytest

from tests.returns.helpers import write_xlsx_rows

pytestmark = pytest.mark.django_db(transaction=True)

HEAD = ["Service user ID", "Referral date", "Employment specialist", "Applications this month"]


def test_upload_with_errors_then_corrected_file_accept_and_submit(ui, users, site_a, tmp_path):
    bad = write_xlsx_rows(
        tmp_path / "march.xlsx",
        {
            "Caseload": [HEAD, ["H1", "31/02/2016", "a.es1", 2]],
            "Jobs": [
                ["ID", "Job start date", "Employer", "Job title", "Hours", "Hourly pay"],
                ["H1", "01/03/2016", "Tesco", "Cashier", 16, 7.2],
            ],
        },
    )
    good = write_xlsx_rows(
        tmp_path / "march-fixed.xlsx",
        {
            "Caseload": [HEAD, ["H1", "01/02/2016", "a.es1", 2]],
            "Jobs": [
                ["ID", "Job start date", "Employer", "Job title", "Hours", "Hourly pay"],
                ["H1", "01/03/2016", "Tesco", "Cashier", 16, 7.2],
            ],
        },
    )
    ui.sign_in("a.im")
    page = ui.goto("/returns/")
    assert page.get_by_role("heading", level=1).inner_text() == "Monthly returns"
    page.get_by_role("link", name="Upload a return file").click()
    page.wait_for_load_state()
    ui.axe()
    page.get_by_label("Month the return is for").select_option("2016-03")
    page.get_by_label("Return file").set_input_files(str(bad))
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_load_state()
    ui.axe()
    errors = page.get_by_test_id("errors").inner_text()
    assert 'Caseload, row 2, "Referral date": 31/02/2016 is not a date' in errors
    assert page.get_by_role("button", name="Accept and apply this file").count() == 0

    page.get_by_role("link", name="Upload another file").click()
    page.wait_for_load_state()
    page.get_by_label("Return file").set_input_files(str(good))
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_load_state()
    ui.axe()
    assert page.get_by_test_id("import-state").inner_text() == "Checked: ready to accept"
    page.get_by_role("button", name="Accept and apply this file").click()
    page.wait_for_load_state()
    ui.axe()
    assert page.get_by_test_id("import-state").inner_text() == "Accepted and applied"

    page.get_by_role("link", name="Back to the months").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Mark March 2016 as submitted").click()
    page.wait_for_load_state()
    ui.axe()
    assert page.get_by_test_id("status-2016-03").inner_text() == "Submitted late"
