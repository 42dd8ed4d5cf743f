"""Upload, preview, accept, submit; scoping of the returns screens."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ipsworks.audit.models import AuditEvent
from ipsworks.caseload.models import Episode
from ipsworks.returns.models import MonthlyReturn, ReturnImport

from .helpers import write_xlsx_rows

HEAD = ["Service user ID", "Referral date", "Employment specialist", "Applications this month"]


def xlsx_upload(tmp_path, rows, name="march.xlsx"):
    path = write_xlsx_rows(tmp_path / name, {"Caseload": [HEAD, *rows]})
    return SimpleUploadedFile(name, path.read_bytes())


def test_implementation_manager_uploads_sees_errors_then_accepts_a_corrected_file(
    client, users, site_a, tmp_path
):
    client.force_login(users["implementation_manager"])
    bad = xlsx_upload(tmp_path, [["G1", "31/02/2016", "a.es1", 1]])
    response = client.post("/returns/alpha/upload/", {"month": "2016-03", "files": [bad]})
    item = ReturnImport.objects.get()
    assert response.status_code == 302 and item.state == "invalid"
    page = client.get(f"/returns/imports/{item.pk}/").content.decode()
    assert "Caseload, row 2, &quot;Referral date&quot;: 31/02/2016 is not a date" in page
    assert "Accept and apply" not in page

    good = xlsx_upload(tmp_path, [["G1", "01/02/2016", "a.es1", 1]], name="fixed.xlsx")
    client.post("/returns/alpha/upload/", {"month": "2016-03", "files": [good]})
    item = ReturnImport.objects.order_by("-id").first()
    assert item.state == "checked" and Episode.objects.count() == 0
    assert "Accept and apply" in client.get(f"/returns/imports/{item.pk}/").content.decode()
    client.post(f"/returns/imports/{item.pk}/accept/")
    item.refresh_from_db()
    assert item.state == "applied"
    assert Episode.objects.get().service_user.reference == "G1"
    assert AuditEvent.objects.filter(event="returns.applied", entity_id=item.sha256).exists()

    client.post("/returns/alpha/2016-03/submit/")
    assert MonthlyReturn.objects.get(site=site_a, month=date(2016, 3, 1)).submitted_at


@pytest.mark.parametrize("who", ["specialist", "implementation_manager_b", "commissioner"])
def test_other_roles_and_sites_get_not_found(client, users, site_a, who):
    client.force_login(users[who])
    assert client.get("/returns/alpha/").status_code == 404
    assert client.get("/returns/alpha/upload/").status_code == 404
    assert client.post("/returns/alpha/2016-03/submit/").status_code == 404


def test_programme_manager_sees_the_grid_locks_and_reopens_with_a_reason(client, users, site_a):
    from ipsworks.returns.services import submit_month

    submit_month(actor=users["implementation_manager"], site=site_a, month=date(2015, 2, 1))
    client.force_login(users["programme_manager"])
    page = client.get("/returns/grid/").content.decode()
    assert "February 2015" in page and "Missing" in page
    client.post("/returns/alpha/2015-02/lock/")
    record = MonthlyReturn.objects.get(site=site_a, month=date(2015, 2, 1))
    assert record.locked_at
    response = client.post("/returns/alpha/2015-02/reopen/", {"reason": ""})
    assert response.status_code == 400
    client.post("/returns/alpha/2015-02/reopen/", {"reason": "Bedford sent corrections"})
    record.refresh_from_db()
    assert record.locked_at is None and record.reopen_reason == "Bedford sent corrections"
    assert AuditEvent.objects.filter(event="returns.reopened").exists()


def test_export_download_is_audited_and_holds_only_what_the_user_may_see(client, populated, users):
    client.force_login(users["specialist"])  # a.es1 sees only their own caseload
    response = client.get("/returns/alpha/export/?format=csv&month=2016-03")
    assert response.status_code == 200
    import io
    import zipfile

    data = b"".join(response.streaming_content)
    text = zipfile.ZipFile(io.BytesIO(data)).read("caseload.csv").decode("utf-8-sig")
    assert "a.es1" in text and "a.es2" not in text
    assert AuditEvent.objects.filter(event="returns.exported", actor=users["specialist"]).exists()
