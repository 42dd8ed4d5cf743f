"""The page that refuses an edit someone else overtook: announced as an error, focused, and
axe-clean, with what was typed shown beside the record as it now is."""

from datetime import date
from decimal import Decimal

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_refused_edit_is_an_accessible_error_page(ui, users, site_a):
    from ipsworks.funding.models import Post
    from ipsworks.funding.services import create_post

    post = create_post(
        actor=users["programme_manager"],
        site=site_a,
        data={
            "role": "specialist",
            "fte": Decimal("1"),
            "funding_type": "grant",
            "start_date": date(2015, 1, 28),
            "notes": "First words",
        },
    )
    ui.sign_in("pm")
    page = ui.goto(f"/funding/sites/alpha/posts/{post.pk}/")
    page.get_by_label("Notes").fill("My words")
    Post.objects.filter(pk=post.pk).update(notes="Their words")  # someone else saved first
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    ui.axe()
    assert page.title().startswith("Error: ")
    summary = page.get_by_test_id("edit-conflict")
    assert "Someone else changed this record" in summary.inner_text()
    assert "My words" in summary.inner_text()
    assert page.get_by_label("Notes").input_value() == "Their words"
    focused = page.evaluate(
        "document.activeElement.closest('[data-testid=edit-conflict]') !== null"
    )
    assert focused  # the design system moves focus to the error summary
