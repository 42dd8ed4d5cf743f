"""The bulk apply path (caseload.services.bulk_apply) leaves exactly the database the
per-record services leave, audits every change, and applies nothing when a row fails."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction

from ipsworks.audit.models import AuditEvent
from ipsworks.audit.services import snapshot
from ipsworks.caseload import services as cs
from ipsworks.caseload.models import Activity, Episode, Job, ServiceUser
from ipsworks.caseload.signals import records_changed
from ipsworks.outcomes.models import MonthlySiteSummary
from ipsworks.returns import services
from ipsworks.returns.services import run_return

from .conftest import MONTH
from .helpers import export, read_sheets, write_xlsx_rows

DECIMALS = {"hours_per_week", "hourly_pay", "minimum_wage"}


def mixed_file(im, site, tmp_path):
    """The site's own export, edited: changed, unchanged and new rows on both sheets."""
    sheets = read_sheets(export(im, site, MONTH, tmp_path, "xlsx")[0])
    caseload, jobs = sheets["Caseload"], sheets["Jobs"]
    caseload[1][2] = "Wokingham CMHT"  # A100: new referral source
    caseload[2][8] = 3  # A101: two more applications this month
    caseload[3][6], caseload[3][7] = date(2016, 3, 28), "Stopped engaging"  # A102 discharged
    caseload[4][3] = "a.es2"  # A103: another specialist
    caseload += [
        ["N1", date(2016, 3, 2), "GP", "a.es1", date(2016, 3, 9), "Out of work", "", "", 2, 1, 1],
        ["N2", date(2016, 3, 3), "", "", "", "In work, needing support to keep the job"]
        + [date(2016, 3, 20), "Moved away or transferred", 1, 0, 0],
        ["A105", date(2016, 3, 26), "Reading CMHT", "a.es1", "", "Out of work", "", "", 1, 0, 0],
    ]
    jobs[2][7], jobs[2][8] = date(2016, 3, 22), "Resigned"  # A101's job: end date corrected
    jobs[1][6] = 6.5  # A100's job: pay corrected (below the minimum: not competitive)
    jobs += [
        ["N1", date(2016, 3, 15), "Tesco", "Cashier", "7", 12, 7.5, "", ""],
        ["A104", date(2016, 3, 16), "Boots", "Stock", "", 30, 9.0, date(2016, 3, 29), "Other"],
    ]
    path = tmp_path / "mixed.xlsx"
    return [(path.name, write_xlsx_rows(path, sheets))]


def state(site):
    """Everything the import may touch, without ids and timestamps."""
    people = {p.pk: p.reference for p in ServiceUser.objects.filter(site=site)}
    episodes = {}
    for e in Episode.objects.filter(site=site):
        episodes[e.pk] = (people[e.service_user_id], e.referral_date)
    skip = {"id", "created_at", "updated_at", "refreshed_at", "service_user_id", "episode_id"}

    def rows(qs, key):
        out = []
        for obj in qs:
            data = {k: v for k, v in snapshot(obj).items() if k not in skip}
            out.append((key(obj), sorted(data.items(), key=lambda kv: kv[0])))
        return sorted(out, key=repr)

    return {
        "people": rows(ServiceUser.objects.filter(site=site), lambda p: p.reference),
        "episodes": rows(Episode.objects.filter(site=site), lambda e: episodes[e.pk]),
        "activities": rows(Activity.objects.filter(site=site), lambda a: episodes[a.episode_id]),
        "jobs": rows(Job.objects.filter(site=site), lambda j: episodes[j.episode_id]),
        "summaries": rows(MonthlySiteSummary.objects.filter(site=site), lambda s: s.month),
    }


class _Undo(Exception):
    pass


def test_bulk_path_leaves_the_same_records_and_summaries_as_the_per_record_path(
    populated, im, tmp_path
):
    files = mixed_file(im, populated, tmp_path)
    results = {}
    for bulk in (False, True):
        try:
            with transaction.atomic():
                report = run_return(
                    actor=im, site=populated, month=MONTH, files=files, apply=True, bulk=bulk
                )
                assert report.errors == [], report.errors
                results[bulk] = (report.counts, state(populated))
                raise _Undo
        except _Undo:
            pass
    counts, per_record = results[False]
    assert counts["Caseload"] == {"new": 3, "changed": 4, "unchanged": 2}
    assert counts["Jobs"] == {"new": 2, "changed": 2, "unchanged": 0}
    assert results[True][0] == counts
    bulk = results[True][1]
    for part in per_record:
        assert bulk[part] == per_record[part], part
    assert len(bulk["people"]) == 8 and len(bulk["jobs"]) == 4
    assert any(dict(s)["job_starts"] for _m, s in bulk["summaries"])


def test_bulk_path_audits_every_change_and_the_file(populated, im, tmp_path):
    files = mixed_file(im, populated, tmp_path)
    before_ids = set(AuditEvent.objects.values_list("id", flat=True))
    episodes_before = {e.pk: e.version for e in Episode.objects.all()}
    jobs_before = {j.pk: j.version for j in Job.objects.all()}
    activities_before = set(Activity.objects.values_list("id", flat=True))
    report = run_return(
        actor=im, site=populated, month=MONTH, files=files, apply=True, sha256="f" * 64
    )
    assert report.errors == []
    new_events = AuditEvent.objects.exclude(id__in=before_ids)
    by_record = {(e.entity, e.entity_id): e for e in new_events}

    def audited(obj):
        event = by_record[(obj._meta.label, str(obj.pk))]
        assert event.actor == im and event.site == populated
        assert event.programme_id == populated.programme_id
        after = event.after.get("episode", event.after)
        now = snapshot(obj)
        for key, value in now.items():
            if key in DECIMALS and value is not None:
                assert Decimal(after[key]) == Decimal(value), key
            else:
                assert after[key] == value, (obj, key)
        return event

    changed = [e for e in Episode.objects.all() if e.version != episodes_before.get(e.pk)]
    assert len(changed) == 6  # 3 changed (A101 only gained activities) + 3 new
    for episode in changed:
        event = audited(episode)
        if episode.pk in episodes_before:
            assert event.before["version"] == episodes_before[episode.pk]
    for job in Job.objects.all():
        if job.version != jobs_before.get(job.pk):
            audited(job)
    new_activities = Activity.objects.exclude(id__in=activities_before)
    assert new_activities.count() == 2 + 4 + 1 + 1
    for activity in new_activities:
        audited(activity)
    applied = new_events.get(event="returns.applied")
    assert applied.after["sha256"] == "f" * 64
    assert "f" * 16 in by_record[("caseload.Job", str(Job.objects.latest("id").pk))].summary


def test_bulk_path_sends_records_changed_once_with_the_dates(populated, im, tmp_path):
    files = mixed_file(im, populated, tmp_path)
    calls = []

    def receiver(sender, site, dates=(), **kwargs):
        calls.append((site, list(dates)))

    records_changed.connect(receiver)
    try:
        report = run_return(actor=im, site=populated, month=MONTH, files=files, apply=True)
    finally:
        records_changed.disconnect(receiver)
    assert report.errors == []
    assert len(calls) == 1 and calls[0][0] == populated
    assert {date(2016, 3, 2), date(2016, 3, 15), date(2016, 3, 28)} <= set(calls[0][1])


def test_reimporting_the_same_file_through_the_bulk_path_changes_nothing(populated, im, tmp_path):
    files = mixed_file(im, populated, tmp_path)
    assert run_return(actor=im, site=populated, month=MONTH, files=files, apply=True).errors == []
    first = state(populated)
    events = AuditEvent.objects.count()
    again = run_return(actor=im, site=populated, month=MONTH, files=files, apply=True)
    assert again.errors == [] and again.total_changes == 0
    assert state(populated) == first
    assert AuditEvent.objects.count() == events + 1  # just the returns.applied event


def totals():
    return [m.objects.count() for m in (ServiceUser, Episode, Activity, Job, AuditEvent)] + [
        sorted(Episode.objects.values_list("version", flat=True))
    ]


@pytest.mark.parametrize("bulk", [True, False])
def test_a_row_refused_at_apply_time_applies_nothing(populated, im, tmp_path, monkeypatch, bulk):
    """A105 was discharged on 25/03/2016: a new referral dated before that passes the file
    check but the write refuses it. Earlier rows were already written (batch size 1), yet
    nothing stays."""
    monkeypatch.setattr(services, "BULK_BATCH_SIZE", 1)
    sheets = read_sheets(export(im, populated, MONTH, tmp_path, "xlsx")[0])
    sheets["Caseload"][1][2] = "Wokingham CMHT"
    sheets["Caseload"] += [
        ["N1", date(2016, 3, 2), "GP", "a.es1", "", "Out of work", "", "", 2, 1, 0],
        ["A105", date(2016, 3, 20), "Reading CMHT", "a.es1", "", "Out of work", "", "", 1, 0, 0],
    ]
    path = write_xlsx_rows(tmp_path / "late.xlsx", sheets)
    check = run_return(
        actor=im, site=populated, month=MONTH, files=[(path.name, path)], apply=False
    )
    assert check.errors == []
    before = totals()
    summaries = state(populated)["summaries"]
    report = run_return(
        actor=im, site=populated, month=MONTH, files=[(path.name, path)], apply=True, bulk=bulk
    )
    assert report.error_count == 1
    assert report.errors[0].startswith("Caseload, row 9")
    assert "before the previous referral was closed" in report.errors[0]
    assert totals() == before
    assert state(populated)["summaries"] == summaries


def test_a_file_is_refused_when_the_records_changed_after_the_check(populated, im, tmp_path):
    files = mixed_file(im, populated, tmp_path)
    check = run_return(actor=im, site=populated, month=MONTH, files=files, apply=False)
    assert check.errors == [] and check.fingerprint
    episode = Episode.objects.get(service_user__reference="A104")
    cs.update_episode(
        actor=im, episode=episode, expected_version=None, values={"referral_source": "GP"}
    )
    before = totals()
    report = run_return(
        actor=im,
        site=populated,
        month=MONTH,
        files=files,
        apply=True,
        expected_fingerprint=check.fingerprint,
    )
    assert report.error_count == 1 and "changed after this file was checked" in report.errors[0]
    assert totals() == before
    fresh = run_return(actor=im, site=populated, month=MONTH, files=files, apply=False)
    applied = run_return(
        actor=im,
        site=populated,
        month=MONTH,
        files=files,
        apply=True,
        expected_fingerprint=fresh.fingerprint,
    )
    assert applied.errors == [] and applied.total_changes == fresh.total_changes


def test_records_written_one_at_a_time_after_a_bulk_apply_get_fresh_ids(populated, im, tmp_path):
    """The bulk path draws ids as an INSERT would (on PostgreSQL from the table's sequence, for
    COPY), so the per-record services carry on after it without a clash."""
    files = mixed_file(im, populated, tmp_path)
    assert run_return(actor=im, site=populated, month=MONTH, files=files, apply=True).errors == []
    highest = {m: m.objects.order_by("-id").values_list("id", flat=True)[0] for m in (Episode,)}
    later = cs.refer_service_user(
        actor=im, site=populated, reference="LATER1", referral_date=date(2016, 3, 30)
    )
    assert later.pk > highest[Episode]
    assert later.service_user.pk == ServiceUser.objects.order_by("-id").first().pk
    n1 = Episode.objects.get(site=populated, service_user__reference="N1")
    audit = AuditEvent.objects.filter(entity="caseload.Episode", entity_id=str(n1.pk))
    assert audit.get(event="caseload.referred").after["episode"]["id"] == n1.pk


def test_a_large_apply_refreshes_planner_statistics_without_harm(
    populated, im, tmp_path, monkeypatch
):
    """Past ANALYZE_AFTER records the bulk path runs ANALYZE inside its transaction on
    PostgreSQL (nothing on SQLite); the import must apply as usual."""
    calls = []
    real = cs._refresh_planner_statistics
    monkeypatch.setattr(cs, "ANALYZE_AFTER", 1)
    monkeypatch.setattr(cs, "_refresh_planner_statistics", lambda: calls.append(real()))
    files = mixed_file(im, populated, tmp_path)
    report = run_return(actor=im, site=populated, month=MONTH, files=files, apply=True)
    assert report.errors == [] and len(calls) == 1
    assert Episode.objects.filter(site=populated, service_user__reference="N1").exists()
