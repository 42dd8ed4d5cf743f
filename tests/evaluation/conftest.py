"""Fixtures for the evaluation tests: the demo's evaluation data and a small coded setup."""

import pytest

from ipsworks.demo import organisation
from ipsworks.demo.context import DemoContext


@pytest.fixture
def demo_ctx(db):
    """The foundation's demo organisation plus this app's demo data (not the other apps')."""
    from ipsworks.evaluation import demo

    ctx = DemoContext(seed=2014)
    organisation.load(ctx)
    demo.load(ctx)
    return ctx


@pytest.fixture
def codebook(programme, users):
    from ipsworks.evaluation.models import Theme
    from ipsworks.evaluation.services import load_default_codebook

    load_default_codebook(actor=users["evaluator"], programme=programme)
    return {t.name: t for t in Theme.objects.filter(programme=programme)}


@pytest.fixture
def excerpt(site_a, users):
    from ipsworks.evaluation.models import EvaluationVisit
    from ipsworks.evaluation.services import save_excerpt

    visit = EvaluationVisit.objects.create(site=site_a, number=1, date=site_a.start_date)
    return save_excerpt(
        actor=users["evaluator"],
        site=site_a,
        visit=visit,
        speaker_role="clinician",
        text="Work came up in every review once the specialist joined the team.",
        memo="",
    )
