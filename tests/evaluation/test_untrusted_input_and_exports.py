"""Ids that are not database ids are refused with a message (never a 500); downloads never hold
a live formula; the codebook and counts CSVs still import back what they export."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ipsworks.evaluation import services
from ipsworks.evaluation.codebook import parse_codebook
from ipsworks.evaluation.counts import parse_counts, to_csv
from ipsworks.evaluation.models import Coding, Theme

pytestmark = pytest.mark.django_db
FORMULA = ("=", "+", "-", "@")


@pytest.mark.parametrize("bad", ["99999999999999999999", str(2**63), "0", "-1", "abc", "1.5", ""])
def test_coding_with_an_id_that_is_not_a_record_id_is_refused_with_a_message(
    client, users, codebook, excerpt, bad
):
    client.force_login(users["evaluator"])
    url = reverse("evaluation:excerpt_code", args=[excerpt.pk])
    response = client.post(url, {"themes": [codebook["Partnerships"].pk, bad]})
    assert response.status_code == 200
    assert "not in the codebook" in response.content.decode()
    assert not Coding.objects.filter(excerpt=excerpt).exists()
    response = client.post(url, {"themes": [bad]}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "not in the codebook" in response.content.decode()


def test_the_coding_service_refuses_out_of_range_ids_without_a_database_error(
    users, codebook, excerpt
):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.code_excerpt(actor=users["evaluator"], excerpt=excerpt, theme_ids=[2**70])


@pytest.mark.parametrize(
    "query",
    [
        "theme=99999999999999999999",
        "site=99999999999999999999",
        "theme=-5&site=abc&role=nobody",
    ],
)
def test_filters_with_ids_that_are_not_record_ids_do_not_fail(client, users, codebook, query):
    client.force_login(users["evaluator"])
    for url in ("evaluation:excerpt_list",):
        assert client.get(reverse(url) + "?" + query).status_code == 200
    for fmt in ("csv", "xlsx"):
        url = reverse("evaluation:excerpt_export", args=[fmt]) + "?" + query
        assert client.get(url).status_code == 200
    url = reverse("evaluation:agreement") + "?coder_a=99999999999999999999&coder_b=-1"
    assert client.get(url).status_code == 200


def _code(users, codebook, excerpt):
    services.code_excerpt(
        actor=users["evaluator"], excerpt=excerpt, theme_ids=[codebook["Partnerships"].pk]
    )


def test_excerpt_downloads_write_quotes_and_memos_as_inert_text(client, users, codebook, site_a):
    excerpt = services.save_excerpt(
        actor=users["evaluator"],
        site=site_a,
        visit=None,
        speaker_role="clinician",
        text='=HYPERLINK("http://example.org","click")',
        memo="+1 staff said so",
    )
    _code(users, codebook, excerpt)
    client.force_login(users["evaluator"])
    text = client.get(reverse("evaluation:excerpt_export", args=["csv"])).content.decode()
    rows = list(csv.reader(io.StringIO(text)))[1:]
    assert rows and all(not c.startswith(FORMULA) for row in rows for c in row)
    assert rows[0][6] == '\'=HYPERLINK("http://example.org","click")'
    response = client.get(reverse("evaluation:excerpt_export", args=["xlsx"]))
    book = load_workbook(io.BytesIO(response.content))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate


def test_a_codebook_with_formula_like_text_exports_inert_and_imports_back_unchanged(
    client, users, programme
):
    services.import_codebook(
        actor=users["evaluator"],
        programme=programme,
        text=("name,parent,description,order\n=Top,,@risky description,1\n-Child,=Top,+plus,2\n"),
    )
    assert Theme.objects.get(name="-Child").parent.name == "=Top"
    client.force_login(users["evaluator"])
    exported = client.get(reverse("evaluation:codebook_export")).content.decode()
    cells = [c for row in csv.reader(io.StringIO(exported)) for c in row]
    assert not any(c.startswith(FORMULA) for c in cells)
    rows = parse_codebook(exported)
    assert [(r.name, r.parent, r.description, r.order) for r in rows] == [
        ("=Top", "", "@risky description", 1),
        ("-Child", "=Top", "+plus", 2),
    ]
    result = services.import_codebook(actor=users["evaluator"], programme=programme, text=exported)
    assert result == {"created": 0, "updated": 0, "unchanged": 2, "updated_names": []}


def test_a_huge_theme_order_is_refused_naming_the_row(users, programme):
    from ipsworks.evaluation.codebook import CodebookFileError

    with pytest.raises(CodebookFileError) as info:
        parse_codebook("name,parent,description,order\nA,,x,99999999999999999999\n")
    assert "row 2, column order" in str(info.value.problems)


def test_the_counts_csv_writes_site_names_inert_and_reads_them_back():
    row = {"site": "=Evil site"}
    from ipsworks.evaluation.counts import COLUMNS

    row.update({c: 1 for c in COLUMNS if c != "site"})
    row["total_staff"] = 3
    row["total_service_users"] = 3
    text = to_csv([row])
    assert "'=Evil site" in text
    assert parse_counts(text)[0].site == "=Evil site"
