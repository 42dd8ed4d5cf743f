"""The counts table (the seed's Table 2) is computed from the interview records."""

import csv
import re
from pathlib import Path

import pytest
from django.urls import reverse

from ipsworks.evaluation.counts import parse_counts
from ipsworks.evaluation.demo import SEED_COUNTS
from ipsworks.evaluation.models import EvaluationVisit, Interview
from ipsworks.evaluation.selectors import interview_counts

SEED_TABLES = Path("/work/shared/reference/seed-tables.csv")


def seed_table2():
    """The seed's Table 2, read from the shipped CSV data file."""
    return {row.site: row for row in parse_counts(SEED_COUNTS.read_text(encoding="utf-8"))}


def test_shipped_data_file_matches_the_seed_reference_table():
    if not SEED_TABLES.exists():
        pytest.skip("the shared seed reference is not available here")
    values = {}
    with SEED_TABLES.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["table"] == "table2":
                values[(row["site"], row["field"])] = int(row["value"])
    shipped = seed_table2()
    assert {site for site, _ in values} == set(shipped)
    for (site, name), value in values.items():
        row = shipped[site]
        if name.startswith("visit"):
            number, kind = int(name[5]), name[7:]
            got = (row.staff if kind == "staff" else row.service_users)[number]
        else:
            got = getattr(row, name)
        assert got == value, (site, name)


def test_demo_records_reproduce_table_2_per_visit(demo_ctx):
    table = interview_counts(demo_ctx.users["evaluator"])
    seed = seed_table2()
    assert table.visit_numbers == [1, 2, 3]
    assert {r.site.name for r in table.rows} == set(seed)
    for row in table.rows:
        expected = seed[row.site.name]
        assert row.cells([1, 2, 3]) == [
            (expected.staff[n], expected.service_users[n]) for n in (1, 2, 3)
        ], row.site.name


def test_computed_totals_are_the_sum_of_visits_so_lincolnshire_shows_29_not_22(demo_ctx):
    table = interview_counts(demo_ctx.users["evaluator"])
    seed = seed_table2()
    by_name = {r.site.name: r for r in table.rows}
    lincolnshire = by_name["Lincolnshire"]
    assert lincolnshire.total_staff == 29  # 9 + 9 + 11; the seed's printed total says 22
    assert seed["Lincolnshire"].total_staff == 22
    assert lincolnshire.total_service_users == 16
    for name, row in by_name.items():
        if name != "Lincolnshire":
            assert row.total_staff == seed[name].total_staff
            assert row.total_service_users == seed[name].total_service_users
    # The seed's 235 staff uses Lincolnshire's 22; the records give 7 more.
    assert table.total_staff == 242
    assert table.total_service_users == 65


def test_demo_interviews_name_no_one_and_every_record_has_a_role_and_count(demo_ctx):
    interviews = Interview.objects.all()
    assert interviews.count() > 18
    assert all(i.participants >= 1 and i.participant_role for i in interviews)
    assert EvaluationVisit.objects.count() == 18


def test_only_service_users_count_as_service_users_everyone_else_as_staff(site_a, users, programme):
    visit = EvaluationVisit.objects.create(site=site_a, number=2, date=site_a.start_date)
    Interview.objects.create(
        visit=visit, format="focus_group", participant_role="service_user", participants=4
    )
    Interview.objects.create(
        visit=visit, format="interview", participant_role="commissioner", participants=1
    )
    Interview.objects.create(
        visit=visit, format="focus_group", participant_role="clinician", participants=5
    )
    table = interview_counts(users["evaluator"])
    row = next(r for r in table.rows if r.site == site_a)
    assert row.staff == {2: 6}
    assert row.service_users == {2: 4}
    assert row.cells(table.visit_numbers) == [(0, 0), (6, 4), (0, 0)]


def test_counts_page_shows_the_table_and_csv_export_uses_the_wide_layout(client, demo_ctx):
    client.force_login(demo_ctx.users["evaluator"])
    page = client.get(reverse("evaluation:index"))
    assert page.status_code == 200
    html = page.content.decode()
    row = html[html.index('data-site="lincolnshire"') :]
    row = row[: row.index("</tr>")]
    cells = re.findall(r'cell--numeric"[^>]*>(\d+)<', row)
    assert cells == ["9", "5", "9", "4", "11", "7", "29", "16"]
    export = client.get(reverse("evaluation:counts_csv"))
    text = export.content.decode()
    assert text.splitlines()[0].startswith("site,visit1_staff,visit1_service_users")
    assert "Lincolnshire,9,5,9,4,11,7,29,16" in text
