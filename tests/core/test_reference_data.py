"""Shipped reference data (minimum-wage rates, the fidelity scale) survives a flush."""

import pytest
from django.core.management import call_command


@pytest.mark.django_db(transaction=True)
def test_reference_data_is_back_after_a_flush():
    from ipsworks.caseload.models import MinimumWageRate
    from ipsworks.fidelity.models import ScaleVersion

    call_command("flush", interactive=False, verbosity=0)
    assert ScaleVersion.objects.filter(is_current=True).count() == 1
    assert MinimumWageRate.objects.filter(valid_from="2016-04-01").count() == 4


@pytest.mark.django_db(transaction=True)
def test_loading_reference_data_twice_adds_nothing():
    from ipsworks.caseload.models import MinimumWageRate
    from ipsworks.fidelity.models import ScaleVersion

    before = (MinimumWageRate.objects.count(), ScaleVersion.objects.count())
    call_command("migrate", verbosity=0)
    assert (MinimumWageRate.objects.count(), ScaleVersion.objects.count()) == before
