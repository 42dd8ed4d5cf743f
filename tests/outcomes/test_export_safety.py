"""Downloads never carry a live formula: text cells (here an admin-entered site name starting
with "=") go through core.spreadsheets.safe_cell in every CSV and xlsx and in the command's CSV.
The TargetSettings admin is read only (changes go through the audited settings page)."""

import csv
import io
from datetime import date

import pytest
from django.core.management import call_command

from ipsworks.outcomes.summaries import rebuild_all

pytestmark = pytest.mark.django_db

EVIL = "=cmd|' /C calc'!A0"


@pytest.fixture
def evil_site(site_a, rows, users):
    site_a.name = EVIL
    site_a.save()
    ep = rows.episode(date(2015, 3, 10), profile=date(2015, 3, 12))
    rows.job(ep, date(2015, 4, 20))
    rebuild_all()
    return site_a


def _csv_cells(response):
    return [c for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig"))) for c in row]


def _xlsx_cells(response):
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(response.content)).active
    return [c.value for row in ws.iter_rows() for c in row if c.value is not None]


def _assert_inert(cells):
    texts = [c for c in cells if isinstance(c, str)]
    assert any("cmd" in c for c in texts)  # the site name is in the download
    assert not any(c.startswith(("=", "+", "@")) for c in texts), texts


PROGRAMME_TABLES = ["table3", "figure3", "forecasts", "benchmarks"]
SITE_TABLES = ["monthly", "specialists"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("table", PROGRAMME_TABLES)
def test_programme_downloads_make_formula_like_site_names_inert(
    client, evil_site, users, table, fmt
):
    client.force_login(users["programme_manager"])
    response = client.get(f"/outcomes/download/{table}.{fmt}", {"month": "2015-06"})
    assert response.status_code == 200
    _assert_inert(_csv_cells(response) if fmt == "csv" else _xlsx_cells(response))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("table", SITE_TABLES)
def test_site_downloads_make_formula_like_site_names_inert(client, evil_site, users, table, fmt):
    client.force_login(users["programme_manager"])
    response = client.get(f"/outcomes/site/{evil_site.slug}/download/{table}.{fmt}")
    assert response.status_code == 200
    cells = _csv_cells(response) if fmt == "csv" else _xlsx_cells(response)
    if fmt == "xlsx":
        _assert_inert(cells)  # the title row names the site
    else:
        assert not any(isinstance(c, str) and c.startswith("=") for c in cells)


def test_the_command_csv_makes_formula_like_site_names_inert(evil_site):
    out = io.StringIO()
    call_command("outcomes", "--format", "csv", stdout=out)
    cells = [c for row in csv.reader(io.StringIO(out.getvalue())) for c in row]
    _assert_inert(cells)
    assert "'" + EVIL in cells


def test_numbers_stay_numbers_in_xlsx(client, evil_site, users):
    client.force_login(users["programme_manager"])
    response = client.get("/outcomes/download/table3.xlsx", {"month": "2015-06"})
    cells = _xlsx_cells(response)
    assert any(isinstance(c, int) and not isinstance(c, bool) for c in cells)


def test_target_settings_cannot_be_changed_in_the_admin(client, programme):
    from django.contrib import admin

    from ipsworks.accounts.models import User
    from ipsworks.outcomes.models import TargetSettings

    settings = TargetSettings.objects.create(programme=programme)
    boss = User.objects.create_superuser("root-admin", password="a-long-test-password")
    client.force_login(boss)
    url = f"/admin/outcomes/targetsettings/{settings.pk}/change/"
    before = TargetSettings.objects.get(pk=settings.pk).on_track_ratio
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="on_track_ratio"' not in page.content.decode()  # shown read only
    client.post(url, {"trajectory": "linear", "on_track_ratio": "0.1", "behind_ratio": "0.05"})
    assert TargetSettings.objects.get(pk=settings.pk).on_track_ratio == before
    assert client.get("/admin/outcomes/targetsettings/add/").status_code == 403
    model_admin = admin.site._registry[TargetSettings]
    request = page.wsgi_request
    assert not model_admin.has_change_permission(request, settings)
    assert not model_admin.has_delete_permission(request, settings)
