"""The demo's return statuses: most submitted, a few late, Northamptonshire's latest missing."""

import pytest


@pytest.fixture
def demo(db):
    from ipsworks.demo import organisation
    from ipsworks.demo.context import DemoContext
    from ipsworks.returns import demo as returns_demo

    ctx = DemoContext(seed=2014)
    organisation.load(ctx)  # only the foundation and this app: other apps' demos are theirs
    returns_demo.load(ctx)
    return ctx


def test_demo_has_submitted_late_and_one_missing_return(demo):
    from django.utils import timezone

    from ipsworks.returns.selectors import missing_returns, month_grid

    missing = missing_returns(timezone.localdate())
    assert [(m.site.slug, f"{m.month:%Y-%m}") for m in missing] == [("northamptonshire", "2017-05")]
    months, rows = month_grid(demo.users["programme.manager"], timezone.localdate())
    statuses = [c.status for _site, cells in rows for c in cells if c.status]
    assert statuses.count("submitted") > 5 * statuses.count("late") > 0
