"""What happens to an uploaded file when something else happens meanwhile: the process doing
the work dies, the month is locked, or the site's records change before Accept. The file is
never half-applied, never stuck as "being applied", and never blamed for what is not its fault."""

import os
import time

import pytest

from ipsworks.audit.models import AuditEvent
from ipsworks.caseload import services as cs
from ipsworks.caseload.models import Episode, ServiceUser
from ipsworks.returns import progress, services
from ipsworks.returns.models import MonthlyReturn, ReturnImport

from .test_cycle_guards import _checked_import, _messages

pytestmark = pytest.mark.django_db


def _age_heartbeat(item, seconds):
    path = progress.progress_file(item)
    if not path.exists():
        progress.write(item, 0, 0)
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_an_apply_whose_process_died_goes_back_to_checked_with_a_notice(
    client, users, site_a, tmp_path
):
    item = _checked_import(client, users, tmp_path)
    # As a killed worker leaves it: claimed for applying, nothing written, no heartbeat since.
    ReturnImport.objects.filter(pk=item.pk).update(state=ReturnImport.State.APPLYING)
    _age_heartbeat(item, progress.STALE_AFTER + 5)
    page = client.get(f"/returns/imports/{item.pk}/").content.decode()
    item.refresh_from_db()
    assert item.state == ReturnImport.State.CHECKED
    assert services.INTERRUPTED_APPLY_NOTICE in page and "Accept and apply this file" in page
    assert AuditEvent.objects.filter(event="returns.interrupted").count() == 1
    assert not ServiceUser.objects.filter(reference="G1").exists()
    client.post(f"/returns/imports/{item.pk}/accept/")
    item.refresh_from_db()
    assert item.state == ReturnImport.State.APPLIED
    assert ServiceUser.objects.filter(reference="G1").count() == 1


def test_work_with_a_recent_heartbeat_is_left_alone(client, users, site_a, tmp_path):
    item = _checked_import(client, users, tmp_path)
    ReturnImport.objects.filter(pk=item.pk).update(state=ReturnImport.State.APPLYING)
    _age_heartbeat(item, 1)
    client.get(f"/returns/imports/{item.pk}/")
    item.refresh_from_db()
    assert item.state == ReturnImport.State.APPLYING
    assert not AuditEvent.objects.filter(event="returns.interrupted").exists()


def test_a_check_whose_process_died_is_checked_again(client, users, site_a, tmp_path):
    item = _checked_import(client, users, tmp_path)
    ReturnImport.objects.filter(pk=item.pk).update(state=ReturnImport.State.CHECKING)
    _age_heartbeat(item, progress.STALE_AFTER + 5)
    page = client.get(f"/returns/imports/{item.pk}/").content.decode()
    item.refresh_from_db()
    assert item.state == ReturnImport.State.CHECKED  # small: checked again at once
    assert services.INTERRUPTED_CHECK_NOTICE in page


def test_the_command_recovers_only_dead_work(client, users, site_a, tmp_path):
    from django.core.management import call_command

    dead = _checked_import(client, users, tmp_path)
    ReturnImport.objects.filter(pk=dead.pk).update(state=ReturnImport.State.APPLYING)
    _age_heartbeat(dead, progress.STALE_AFTER + 5)
    alive = _checked_import(client, users, tmp_path)
    ReturnImport.objects.filter(pk=alive.pk).update(state=ReturnImport.State.APPLYING)
    _age_heartbeat(alive, 1)
    call_command("process_return_imports", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert ReturnImport.objects.get(pk=dead.pk).state == ReturnImport.State.CHECKED
    assert ReturnImport.objects.get(pk=alive.pk).state == ReturnImport.State.APPLYING


def test_progress_during_an_apply_is_read_from_the_progress_file(client, users, site_a, tmp_path):
    item = _checked_import(client, users, tmp_path)
    ReturnImport.objects.filter(pk=item.pk).update(state=ReturnImport.State.APPLYING)
    progress.write(item, 300, 1200)  # as the worker writes it, inside its open transaction
    html = client.get(f"/returns/imports/{item.pk}/progress/").content.decode()
    assert "300 of 1200 rows" in html and 'value="25"' in html


def test_a_month_locked_before_accept_leaves_the_file_ready_to_accept(
    client, users, site_a, tmp_path
):
    item = _checked_import(client, users, tmp_path)
    services.submit_month(actor=users["implementation_manager"], site=site_a, month=item.month)
    services.lock_month(actor=users["programme_manager"], site=site_a, month=item.month)
    response = client.post(f"/returns/imports/{item.pk}/accept/")
    assert any(level == "error" and "locked" in text for level, text in _messages(response))
    item.refresh_from_db()
    assert item.state == ReturnImport.State.CHECKED
    services.reopen_month(
        actor=users["programme_manager"], site=site_a, month=item.month, reason="A late fix"
    )
    client.post(f"/returns/imports/{item.pk}/accept/")
    item.refresh_from_db()
    assert item.state == ReturnImport.State.APPLIED


def test_a_month_locked_while_the_file_waited_to_apply_applies_nothing(
    users, site_a, client, tmp_path, monkeypatch
):
    item = _checked_import(client, users, tmp_path)
    # The lock lands after the quick check before the transaction: the check inside it holds.
    monkeypatch.setattr(services, "_require_unlocked", lambda site, month: None)
    ReturnImport.objects.filter(pk=item.pk).update(state=ReturnImport.State.APPLYING)
    MonthlyReturn.objects.create(site=site_a, month=item.month, locked_at="2016-04-20T10:00Z")
    item = services.process_import(item.pk, apply=True, actor=users["implementation_manager"])
    assert item.state == ReturnImport.State.CHECKED
    assert "locked while this file waited" in item.report["notice"]
    assert not ServiceUser.objects.filter(reference="G1").exists()


def test_records_changed_before_accept_means_a_fresh_check_not_a_bad_file(
    client, users, site_a, tmp_path
):
    specialist = users["specialist"]
    episode = cs.refer_service_user(
        actor=specialist,
        site=site_a,
        reference="E1",
        referral_date=__import__("datetime").date(2016, 1, 5),
    )
    item = _checked_import(client, users, tmp_path)
    cs.update_episode(
        actor=specialist, episode=episode, expected_version=None, values={"referral_source": "GP"}
    )
    client.post(f"/returns/imports/{item.pk}/accept/")
    item.refresh_from_db()
    assert item.state == ReturnImport.State.CHECKED  # checked again, ready to accept
    assert item.report["notice"] == services.RECHECKED_NOTICE
    assert item.report["errors"] == []
    assert not ServiceUser.objects.filter(reference="G1").exists()
    page = client.get(f"/returns/imports/{item.pk}/").content.decode()
    assert "Correct these in your spreadsheet" not in page
    client.post(f"/returns/imports/{item.pk}/accept/")
    item.refresh_from_db()
    assert item.state == ReturnImport.State.APPLIED
    assert Episode.objects.get(pk=episode.pk).referral_source == "GP"


def test_an_applied_file_says_so_in_its_title_and_a_status_note(client, users, site_a, tmp_path):
    item = _checked_import(client, users, tmp_path)
    client.post(f"/returns/imports/{item.pk}/accept/")
    page = client.get(f"/returns/imports/{item.pk}/").content.decode()
    assert "<title>Return file for March 2016: Accepted and applied" in page
    assert 'data-testid="applied"' in page and "by a.im" in page


def test_a_dead_check_is_recovered_once_however_many_pages_ask(
    client, users, site_a, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    item = _checked_import(client, users, tmp_path)
    ReturnImport.objects.filter(pk=item.pk).update(state=ReturnImport.State.CHECKING)
    _age_heartbeat(item, progress.STALE_AFTER + 5)
    monkeypatch.setattr(services, "INLINE_MAX_BYTES", 0)  # large: checked in the background
    started = []
    monkeypatch.setattr(services, "_in_background", lambda *args: started.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):  # three tabs open on the file
            client.get(f"/returns/imports/{item.pk}/progress/")
            client.get(f"/returns/imports/{item.pk}/")
    assert len(started) == 1
    assert AuditEvent.objects.filter(event="returns.interrupted").count() == 1
    item.refresh_from_db()
    assert item.state == ReturnImport.State.CHECKING
    assert item.report["notice"] == services.INTERRUPTED_CHECK_NOTICE  # shown while it runs


def test_a_file_discarded_while_it_was_being_checked_stays_discarded(
    client, users, site_a, tmp_path, monkeypatch
):
    item = _checked_import(client, users, tmp_path)
    ReturnImport.objects.filter(pk=item.pk).update(state=ReturnImport.State.CHECKING)
    real_run = services.run_return

    def discard_meanwhile(**kwargs):  # the discard lands while the check runs
        services.discard_import(actor=users["implementation_manager"], item=item)
        return real_run(**kwargs)

    monkeypatch.setattr(services, "run_return", discard_meanwhile)
    result = services.process_import(item.pk)
    assert result.state == ReturnImport.State.DISCARDED
    assert ReturnImport.objects.get(pk=item.pk).state == ReturnImport.State.DISCARDED
    assert not progress.progress_file(item).exists()


@pytest.mark.django_db(transaction=True)
def test_pages_asking_at_the_same_moment_recover_a_dead_check_once(
    client, users, site_a, tmp_path, monkeypatch
):
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip(
            "several threads writing at once need a database they can share: the SQLite test "
            "database is in memory; covered on PostgreSQL"
        )
    item = _checked_import(client, users, tmp_path)
    ReturnImport.objects.filter(pk=item.pk).update(state=ReturnImport.State.CHECKING)
    _age_heartbeat(item, progress.STALE_AFTER + 5)
    monkeypatch.setattr(services, "INLINE_MAX_BYTES", 0)
    started = []
    monkeypatch.setattr(services, "_in_background", lambda *args: started.append(args))
    gate = threading.Barrier(6)
    failures = []

    def open_page():
        try:
            gate.wait()
            services.recover_if_stale(ReturnImport.objects.get(pk=item.pk))
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=open_page) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert AuditEvent.objects.filter(event="returns.interrupted").count() == 1
    assert len(started) == 1


def test_the_command_checks_an_interrupted_large_file_itself(
    client, users, site_a, tmp_path, monkeypatch
):
    from django.core.management import call_command

    item = _checked_import(client, users, tmp_path)
    ReturnImport.objects.filter(pk=item.pk).update(state=ReturnImport.State.CHECKING)
    _age_heartbeat(item, progress.STALE_AFTER + 5)
    monkeypatch.setattr(services, "INLINE_MAX_BYTES", 0)  # large: the web would use a thread

    def no_thread(*args):
        raise AssertionError("a thread would die with the command")

    monkeypatch.setattr(services, "_in_background", no_thread)
    call_command("process_return_imports", stdout=open(os.devnull, "w"))  # noqa: SIM115
    item.refresh_from_db()
    assert item.state == ReturnImport.State.CHECKED
    assert item.report["notice"] == services.INTERRUPTED_CHECK_NOTICE
    assert AuditEvent.objects.filter(event="returns.interrupted").count() == 1


def test_an_applied_file_is_marked_applied_in_the_same_transaction_as_its_records(
    client, users, site_a, tmp_path, monkeypatch
):
    item = _checked_import(client, users, tmp_path)
    ReturnImport.objects.filter(pk=item.pk).update(state=ReturnImport.State.APPLYING)

    def crash(_item):  # the process dies just after the commit, before tidying up
        raise SystemExit("killed")

    monkeypatch.setattr(progress, "clear", crash)
    with pytest.raises(SystemExit):
        services.process_import(item.pk, apply=True, actor=users["implementation_manager"])
    item.refresh_from_db()
    assert ServiceUser.objects.filter(reference="G1").exists()
    assert (
        item.state == ReturnImport.State.APPLIED
        and item.applied_by == users["implementation_manager"]
    )
    assert not services.is_stale(item)  # so it can never be "recovered" as unapplied


def test_an_upload_over_the_limit_is_stopped_as_it_arrives(
    client, users, site_a, tmp_path, monkeypatch, settings
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # larger files go through temporary files
    monkeypatch.setattr(services, "MAX_UPLOAD_BYTES", 1_000_000)
    client.force_login(users["implementation_manager"])
    big = SimpleUploadedFile("big.csv", b"Service user ID,Referral date\r\n" + b"x" * 1_200_000)
    response = client.post("/returns/alpha/upload/", {"month": "2016-03", "files": [big]})
    page = response.content.decode()
    assert response.status_code == 200
    assert "The file is over 1 MB, more than any return needs" in page
    assert "Choose the return file to upload" not in page
    assert not ReturnImport.objects.exists()


def test_the_upload_page_still_needs_its_csrf_token(users, site_a, tmp_path):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(users["implementation_manager"])
    good = _upload_file(tmp_path)
    response = strict.post("/returns/alpha/upload/", {"month": "2016-03", "files": [good]})
    assert response.status_code == 403
    assert not ReturnImport.objects.exists()


def _upload_file(tmp_path):
    from .test_screens import xlsx_upload

    return xlsx_upload(tmp_path, [["G1", "01/02/2016", "a.es1", 1]], name="good.xlsx")


def test_work_on_a_file_discarded_just_before_it_began_leaves_no_progress_file(
    client, users, site_a, tmp_path, monkeypatch
):
    item = _checked_import(client, users, tmp_path)
    real_write = progress.write

    def discard_as_work_begins(target, done, total):  # the discard lands in between
        real_write(target, done, total)
        ReturnImport.objects.filter(pk=item.pk).update(state=ReturnImport.State.DISCARDED)

    monkeypatch.setattr(progress, "write", discard_as_work_begins)
    result = services.process_import(item.pk)
    assert result.state == ReturnImport.State.DISCARDED
    assert not progress.progress_file(item).exists()
