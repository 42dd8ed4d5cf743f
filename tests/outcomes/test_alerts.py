"""Alerts: site behind its trajectory, overdue returns, specialist with no employer contact."""

from datetime import date

import pytest

from ipsworks.outcomes.selectors import alerts, programme_outcomes
from ipsworks.outcomes.summaries import rebuild_all

pytestmark = pytest.mark.django_db


def test_site_behind_and_specialist_without_employer_contact(rows, site_a, site_b, specialist):
    ep = rows.episode(date(2015, 2, 1))
    rows.activity(ep, "employer_contact", date(2015, 5, 1))
    for day in (3, 4, 5):
        rows.job(ep, date(2015, 3, day))
    rebuild_all()
    overview = programme_outcomes(site_a.programme, as_of=date(2015, 5, 31), sites=[site_a, site_b])
    found = {(a.kind, a.site.slug) for a in alerts(overview)}
    assert ("behind", "alpha") in found  # 3 job starts against about 13 expected
    assert ("no_employer_contact", "alpha") in found  # last contact 1 May, 30 days before
    messages = " ".join(a.message for a in alerts(overview))
    assert "es-metrics" in messages and "since 01 May 2015" in messages
    # beta has not started by 31 May 2015: no alerts about it
    assert not any(slug == "beta" for _, slug in found)


def test_recent_employer_contact_gives_no_alert(rows, site_a, specialist):
    ep = rows.episode(date(2015, 2, 1))
    rows.activity(ep, "employer_contact", date(2015, 5, 25))
    overview = programme_outcomes(site_a.programme, as_of=date(2015, 5, 31), sites=[site_a])
    assert not [a for a in alerts(overview) if a.kind == "no_employer_contact"]


def test_overdue_returns_are_one_alert_per_site(site_a, monkeypatch):
    returns_selectors = pytest.importorskip("ipsworks.returns.selectors")
    from types import SimpleNamespace

    def fake_missing(as_of, sites=None):
        return [
            SimpleNamespace(site=site_a, month=date(2015, 3, 1)),
            SimpleNamespace(site=site_a, month=date(2015, 4, 1)),
        ]

    monkeypatch.setattr(returns_selectors, "missing_returns", fake_missing)
    overview = programme_outcomes(site_a.programme, as_of=date(2015, 6, 30), sites=[site_a])
    found = [a for a in alerts(overview) if a.kind == "return_missing"]
    assert len(found) == 1
    assert "2 overdue monthly returns: March 2015, April 2015" in found[0].message
