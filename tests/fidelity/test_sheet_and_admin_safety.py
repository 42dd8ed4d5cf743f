"""Downloaded score sheets never hold a live formula, an exported sheet imports back unchanged,
and the Django admin cannot change fidelity records (changes go through the audited screens)."""

import csv
import io

import pytest
from django.contrib import admin
from django.test import RequestFactory
from openpyxl import load_workbook

from ipsworks.fidelity.models import ActionItem, Review, ScaleVersion
from ipsworks.fidelity.sheets import read_sheet, write_csv, write_xlsx

from .conftest import score_all, spread

pytestmark = pytest.mark.django_db
NUMBERS = list(range(1, 26))
NASTY = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "plain", "'=kept?"]


def _rows():
    return [(n, s, NASTY[n % len(NASTY)]) for n, s in spread(101).items()]


def test_rationales_are_written_as_inert_text_in_csv_and_xlsx():
    rows = _rows()
    cells = [r[2] for r in csv.reader(io.StringIO(write_csv(rows).decode()))][1:]
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    sheet = load_workbook(io.BytesIO(write_xlsx(rows, {1: "=cmd|' /C calc'!A0"}))).active
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
            assert not str(cell.value or "").startswith("=")


@pytest.mark.parametrize(("writer", "name"), [(write_csv, "s.csv"), (write_xlsx, "s.xlsx")])
def test_an_exported_sheet_with_formula_like_rationales_imports_back_unchanged(writer, name):
    rows = [(n, s, NASTY[n % 5]) for n, s in spread(101).items()]
    data = writer(rows) if writer is write_csv else writer(rows, {})
    back = read_sheet(data, name, NUMBERS)
    assert [(r.item, r.score, r.rationale) for r in back] == rows


def test_the_sheet_download_round_trips_through_the_import_screen(client, review, reviewers):
    score_all(review, reviewers[0], spread(100), rationale="=1+1 seen in the minutes")
    client.force_login(reviewers[0])
    exported = client.get(f"/fidelity/reviews/{review.pk}/sheet/").content
    assert b"'=1+1 seen" in exported
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        f"/fidelity/reviews/{review.pk}/sheet/import/",
        {"sheet": SimpleUploadedFile("back.csv", exported)},
    )
    assert response.status_code == 302
    mine = review.reviewer_scores.filter(reviewer=reviewers[0])
    assert {s.rationale for s in mine} == {"=1+1 seen in the minutes"}


@pytest.mark.parametrize("model", [ScaleVersion, Review, ActionItem])
def test_the_admin_shows_fidelity_records_read_only(model, users):
    from ipsworks.accounts.models import User

    request = RequestFactory().get("/admin/")
    request.user = User.objects.create_superuser("root", password="a-long-test-password")
    model_admin = admin.site._registry[model]
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
