"""Two people editing the same record: the later save is refused, the earlier one is kept, and
the later editor sees the record as it now is beside what they typed (nothing is lost).

Each case opens an edit page, lets "someone else" change the record, then posts the page's
form with one field changed. Case records (caseload) use version numbers and have their own
tests; these are the other apps' edit pages."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from django import forms
from django.db.models import Model

pytestmark = pytest.mark.django_db


@dataclass
class Case:
    username: str
    url: Callable  # (demo) -> path
    field: str  # the form field this editor changes
    mine: str
    theirs: Callable  # (demo) -> None: someone else's save
    stored: Callable  # (demo) -> the field's stored value now
    theirs_value: object


def _post(demo):
    from ipsworks.funding.models import Post

    return Post.objects.filter(site__slug="berkshire").order_by("pk").first()


def _stakeholder(demo):
    from ipsworks.funding.models import Stakeholder

    return Stakeholder.objects.filter(site__slug="berkshire").order_by("pk").first()


def _visit(demo):
    from ipsworks.evaluation.models import EvaluationVisit

    return EvaluationVisit.objects.order_by("pk").first()


def _interview(demo):
    from ipsworks.evaluation.models import Interview

    return Interview.objects.order_by("pk").first()


def _theme(demo):
    from ipsworks.evaluation.models import Theme

    return Theme.objects.order_by("pk").first()


def _excerpt(demo):
    from ipsworks.evaluation.models import Excerpt

    return Excerpt.objects.order_by("pk").first()


def _status(demo):
    from ipsworks.funding.models import SiteFunding

    return SiteFunding.objects.get(site__slug="berkshire")


def _settings(demo):
    from ipsworks.outcomes.selectors import settings_for

    return settings_for(demo.programme)


def _set(getter, **values):
    def change(demo):
        record = getter(demo)
        type(record).objects.filter(pk=record.pk).update(**values)

    return change


def _settings_changed_by_pm(demo):
    from ipsworks.outcomes.services import update_target_settings

    update_target_settings(
        actor=demo.users["programme.manager"],
        programme=demo.programme,
        values={"no_contact_days": 30},
    )


CASES = {
    "funding post": Case(
        "programme.manager",
        lambda d: f"/funding/sites/berkshire/posts/{_post(d).pk}/",
        "notes",
        "Mine",
        _set(_post, notes="Theirs"),
        lambda d: _post(d).notes,
        "Theirs",
    ),
    "funding status": Case(
        "programme.manager",
        lambda d: "/funding/sites/berkshire/status/",
        "notes",
        "Mine",
        _set(_status, notes="Theirs"),
        lambda d: _status(d).notes,
        "Theirs",
    ),
    "stakeholder": Case(
        "programme.manager",
        lambda d: f"/funding/sites/berkshire/stakeholders/{_stakeholder(d).pk}/",
        "notes",
        "Mine",
        _set(_stakeholder, notes="Theirs"),
        lambda d: _stakeholder(d).notes,
        "Theirs",
    ),
    "target settings": Case(
        "programme.manager",
        lambda d: "/outcomes/settings/",
        "no_contact_days",
        "21",
        _settings_changed_by_pm,
        lambda d: _settings(d).no_contact_days,
        30,
    ),
    "evaluation visit": Case(
        "evaluator",
        lambda d: f"/evaluation/visits/{_visit(d).pk}/edit/",
        "notes",
        "Mine",
        _set(_visit, notes="Theirs"),
        lambda d: _visit(d).notes,
        "Theirs",
    ),
    "interview": Case(
        "evaluator",
        lambda d: f"/evaluation/interviews/{_interview(d).pk}/edit/",
        "notes",
        "Mine",
        _set(_interview, notes="Theirs"),
        lambda d: _interview(d).notes,
        "Theirs",
    ),
    "theme": Case(
        "evaluator",
        lambda d: f"/evaluation/codebook/themes/{_theme(d).pk}/edit/",
        "description",
        "Mine",
        _set(_theme, description="Theirs"),
        lambda d: _theme(d).description,
        "Theirs",
    ),
    "excerpt": Case(
        "evaluator",
        lambda d: f"/evaluation/excerpts/{_excerpt(d).pk}/edit/",
        "memo",
        "Mine",
        _set(_excerpt, memo="Theirs"),
        lambda d: _excerpt(d).memo,
        "Theirs",
    ),
}


def form_data(form) -> dict:
    """What a browser would post for the form as shown (every field, as displayed)."""
    data = {}
    for bound in form:
        value = bound.value()
        if isinstance(bound.field, forms.BooleanField):
            if value:
                data[bound.html_name] = "on"
            continue
        if isinstance(value, Model):
            value = value.pk
        elif isinstance(value, date):
            value = value.isoformat()
        data[bound.html_name] = "" if value is None else value
    return data


@pytest.mark.parametrize("name", CASES)
def test_a_save_made_after_someone_else_s_is_refused_and_what_was_typed_is_shown(
    client, demo, name
):
    case = CASES[name]
    client.force_login(demo.users[case.username])
    url = case.url(demo)
    opened = client.get(url)
    assert opened.status_code == 200
    data = form_data(opened.context["form"]) | {case.field: case.mine}
    case.theirs(demo)

    refused = client.post(url, data)

    assert refused.status_code == 409
    assert case.stored(demo) == case.theirs_value  # theirs kept
    page = refused.content.decode()
    assert "Someone else changed this record" in page
    assert "<title>Error: " in page and 'role="alert"' in page
    shown = refused.context["form"][case.field].value()
    assert str(shown) == str(case.theirs_value)  # the form now shows the record as it is
    entries = dict(refused.context["conflict_entries"])
    assert case.mine in entries.values()  # and what this editor typed

    # Having seen the record as it is, the editor saves again: now it goes through.
    again = form_data(refused.context["form"]) | {case.field: case.mine}
    assert client.post(url, again).status_code == 302
    assert str(case.stored(demo)) == case.mine


@pytest.mark.parametrize("name", CASES)
def test_an_edit_with_no_one_else_s_change_in_between_saves(client, demo, name):
    case = CASES[name]
    client.force_login(demo.users[case.username])
    url = case.url(demo)
    data = form_data(client.get(url).context["form"]) | {case.field: case.mine}
    assert client.post(url, data).status_code == 302
    assert str(case.stored(demo)) == case.mine


@pytest.mark.parametrize("name", CASES)
def test_the_same_save_sent_twice_is_not_taken_for_someone_else_s(client, demo, name):
    case = CASES[name]
    client.force_login(demo.users[case.username])
    url = case.url(demo)
    data = form_data(client.get(url).context["form"]) | {case.field: case.mine}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # a double click or a resent form
    assert str(case.stored(demo)) == case.mine


def test_fidelity_findings_saved_by_the_other_reviewer_are_not_overwritten(client, demo):
    from ipsworks.fidelity.models import Review
    from ipsworks.fidelity.services import ensure_default_scale, plan_review, update_findings

    ensure_default_scale()
    first, second = demo.users["reviewer"], demo.users["reviewer2"]
    review = plan_review(
        actor=demo.users["programme.manager"],
        site=demo.sites["wiltshire"],
        kind="independent",
        reviewer_1=first,
        reviewer_2=second,
        visit_start=date(2016, 9, 5),
        visit_end=date(2016, 9, 6),
        period_start=date(2016, 3, 1),
        period_end=date(2016, 8, 31),
    )
    url = f"/fidelity/reviews/{review.pk}/results/"
    client.force_login(first)
    opened = client.get(url)
    data = form_data(opened.context["findings_form"]) | {"strengths": "Mine"}
    update_findings(actor=second, review=review, strengths="Theirs", recommendations="")

    refused = client.post(url, data)
    assert refused.status_code == 409
    assert Review.objects.get(pk=review.pk).strengths == "Theirs"
    assert "Mine" in dict(refused.context["conflict_entries"]).values()
    # Other changes to the review (its status, as scores come in) do not count as a clash.
    again = form_data(refused.context["findings_form"]) | {"strengths": "Mine"}
    Review.objects.filter(pk=review.pk).update(status="scoring")
    assert client.post(url, again).status_code == 302
    assert Review.objects.get(pk=review.pk).strengths == "Mine"
