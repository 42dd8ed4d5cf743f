"""Large files are checked in the background; the page shows a progress bar (HTMX polling)."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from ipsworks.returns import services
from ipsworks.returns.models import ReturnImport
from ipsworks.returns.synthetic import write_big_return


def upload_big(client, users, tmp_path, rows=300):
    path = write_big_return(tmp_path / "big.xlsx", rows, specialist="a.es1")
    client.force_login(users["implementation_manager"])
    upload = SimpleUploadedFile("big.xlsx", path.read_bytes())
    return client.post("/returns/alpha/upload/", {"month": "2016-03", "files": [upload]})


def test_a_large_upload_is_handed_to_the_background_and_shows_progress(
    client, users, site_a, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "INLINE_MAX_BYTES", 0)  # treat every file as large
    started = []
    monkeypatch.setattr(services, "_in_background", lambda *args: started.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        response = upload_big(client, users, tmp_path)
    item = ReturnImport.objects.get()
    assert item.state == "checking" and started == [(item.pk, False, item.created_by_id, "")]
    page = client.get(response["Location"]).content.decode()
    assert "<progress" in page and 'hx-trigger="every 1s"' in page
    services.process_import(item.pk)  # what the background thread runs
    done = client.get(f"/returns/imports/{item.pk}/progress/", headers={"HX-Request": "true"})
    assert done.headers.get("HX-Refresh") == "true"
    item.refresh_from_db()
    assert item.state == "checked" and item.report["counts"]["Caseload"]["new"] == 300


def being_checked(site, *, done: int, total: int = 200) -> ReturnImport:
    """An import shown as being checked, `done` of `total` rows in."""
    return ReturnImport.objects.create(
        site=site,
        month="2016-03-01",
        files=[],
        sha256="x",
        state="checking",
        rows_total=total,
        rows_done=done,
    )


def test_the_progress_fragment_shows_rows_done(client, users, site_a):
    item = being_checked(site_a, done=50)
    client.force_login(users["implementation_manager"])
    html = client.get(f"/returns/imports/{item.pk}/progress/").content.decode()
    assert 'value="25"' in html and "50 of 200 rows" in html


@pytest.mark.django_db(transaction=True)
def test_the_background_thread_checks_the_file(client, users, site_a, tmp_path, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip(
            "the test database on SQLite is in memory, which a second thread cannot "
            "write to while the test holds it; covered on PostgreSQL"
        )
    monkeypatch.setattr(services, "INLINE_MAX_BYTES", 0)
    upload_big(client, users, tmp_path)
    deadline = time.monotonic() + 60
    while ReturnImport.objects.get().is_busy:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    item = ReturnImport.objects.get()
    assert item.state == "checked", item.report


def test_progress_is_reported_against_the_rows_in_the_file(tmp_path, populated):
    from datetime import date

    from ipsworks.returns import importer

    path = write_big_return(tmp_path / "big.xlsx", 600, specialist="a.es1")
    seen = []
    importer.process(
        site=populated,
        month=date(2016, 3, 1),
        files=[(path.name, path)],
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen and all(total == 660 for _done, total in seen)  # 600 caseload + 60 jobs rows


def test_screen_readers_hear_progress_a_quarter_at_a_time(client, users, site_a):
    item = being_checked(site_a, done=10)
    client.force_login(users["implementation_manager"])
    page = client.get(f"/returns/imports/{item.pk}/").content.decode()
    assert 'id="progress-announcement">Being checked: 0% done<' in page
    assert "announced=checking-0" in page

    def poll(announced):
        url = f"/returns/imports/{item.pk}/progress/?announced={announced}"
        return client.get(url, headers={"HX-Request": "true"}).content.decode()

    assert 'hx-swap-oob="innerHTML"' not in poll("checking-0")  # nothing new to say
    item.rows_done = 120
    item.save()
    fragment = poll("checking-0")
    assert (
        '<div id="progress-announcement" hx-swap-oob="innerHTML">Being checked: 50% done</div>'
        in (fragment)
    )
    assert "announced=checking-50" in fragment
    assert 'hx-swap-oob="innerHTML"' not in poll("checking-50")
