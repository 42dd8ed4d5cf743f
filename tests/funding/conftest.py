from datetime import date
from decimal import Decimal

import pytest


@pytest.fixture
def make_post(db):
    """make_post(site, end_date=..., **fields) -> Post, saved directly (no service, no audit)."""
    from ipsworks.funding.models import Post

    def make(site, **fields):
        values = {
            "role": "specialist",
            "fte": Decimal("1.00"),
            "funding_type": "grant",
            "start_date": date(2015, 1, 28),
        }
        values.update(fields)
        return Post.objects.create(site=site, **values)

    return make
