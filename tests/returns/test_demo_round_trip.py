"""Acceptance: exporting a demo site and importing the export changes nothing, whichever format
the file comes back in (xlsx, csv, ods, xls)."""

from datetime import date

import pytest

from ipsworks.caseload.models import Activity, Episode, Job, ServiceUser
from ipsworks.returns.services import run_return, system_actor

from .helpers import export


@pytest.fixture
def demo_site(db):
    from ipsworks.caseload import demo as caseload_demo
    from ipsworks.demo import organisation
    from ipsworks.demo.context import DemoContext

    ctx = DemoContext(seed=2014)
    organisation.load(ctx)
    caseload_demo.load(ctx)
    return ctx.sites["bradford"]


def state():
    return (
        ServiceUser.objects.count(),
        Episode.objects.count(),
        Job.objects.count(),
        Activity.objects.count(),
        sum(Episode.objects.values_list("version", flat=True)),
        sum(Job.objects.values_list("version", flat=True)),
    )


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "ods", "xls"])
def test_demo_site_export_reimports_with_zero_changes(demo_site, tmp_path, fmt):
    actor = system_actor(site=demo_site)
    month = date(2016, 2, 1)
    files = export(actor, demo_site, month, tmp_path, fmt)
    before = state()
    report = run_return(
        actor=actor,
        site=demo_site,
        month=month,
        files=[(p.name, p) for p in files],
        apply=True,
        sha256="demo",
    )
    assert report.errors == []
    assert report.counts["Caseload"]["unchanged"] > 50
    assert report.counts["Jobs"]["unchanged"] > 10
    assert report.total_changes == 0, report.changes[:5]
    assert state() == before
