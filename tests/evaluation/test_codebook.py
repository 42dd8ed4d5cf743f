"""The codebook: default themes, editing, CSV import and export."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ipsworks.evaluation import services
from ipsworks.evaluation.codebook import CodebookFileError, parse_codebook
from ipsworks.evaluation.models import Theme
from ipsworks.evaluation.selectors import theme_tree


def test_default_codebook_has_the_four_seed_themes_with_sub_themes(codebook, users, programme):
    tops = [n.theme.name for n in theme_tree(users["evaluator"], programme) if n.depth == 0]
    assert tops == [
        "Benefits of IPS",
        "Implementation challenges and opportunities",
        "Organisational factors",
        "Sustainability",
    ]
    assert codebook["Funding and commissioning"].parent == codebook["Sustainability"]
    assert all(t.description for t in codebook.values())


def test_export_then_import_round_trips(client, codebook, users, programme):
    client.force_login(users["evaluator"])
    exported = client.get(reverse("evaluation:codebook_export")).content.decode()
    assert exported.splitlines()[0] == "name,parent,description,order"
    assert "Partnerships,Organisational factors," in exported
    Theme.objects.all().delete()
    result = services.import_codebook(actor=users["evaluator"], programme=programme, text=exported)
    assert result == {
        "created": len(codebook),
        "updated": 0,
        "unchanged": 0,
        "updated_names": [],
    }
    again = Theme.objects.get(name="Partnerships")
    assert again.parent.name == "Organisational factors"


def test_import_updates_by_name_and_adds_new_sub_themes(client, codebook, users, programme):
    client.force_login(users["programme_manager"])
    text = (
        "name,parent,description,order\n"
        "Sustainability,,Carrying on after the grant.,9\n"
        "Local authority support,Sustainability,Council money and backing.,1\n"
    )
    upload = SimpleUploadedFile("codebook.csv", text.encode(), content_type="text/csv")
    response = client.post(reverse("evaluation:codebook"), {"file": upload})
    assert response.status_code == 302
    assert Theme.objects.get(name="Sustainability").description == "Carrying on after the grant."
    assert Theme.objects.get(name="Local authority support").parent.name == "Sustainability"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name,description\nA,x\n", "missing the column(s): parent"),
        ("name,parent,description\n,,x\n", "row 2, column name: the theme name is blank"),
        ("name,parent,description\nA,Nowhere,x\n", "row 2, column parent: no theme called"),
        ("name,parent,description,order\nA,,x,first\n", "row 2, column order: 'first'"),
        ("name,parent,description\nA,,x\na,,y\n", "row 3, column name: 'a' already appears"),
        ("name,parent,description\nA,B,x\nB,A,y\n", "form a loop"),
        ("name,parent,description\nA,,x\nB\x00,,y\n", "line 3: the file could not be read"),
    ],
)
def test_bad_codebook_files_are_refused_with_row_and_column(users, programme, text, message):
    with pytest.raises(CodebookFileError) as caught:
        services.import_codebook(actor=users["evaluator"], programme=programme, text=text)
    assert any(message in p for p in caught.value.problems), caught.value.problems
    assert not Theme.objects.exists()


def test_theme_is_edited_through_the_screen_and_cannot_sit_under_itself(client, codebook, users):
    client.force_login(users["evaluator"])
    top = codebook["Sustainability"]
    response = client.post(
        reverse("evaluation:theme_edit", args=[top.pk]),
        {"name": "Sustainability", "parent": codebook["Evidence of outcomes"].pk, "order": 3},
    )
    assert response.status_code == 200
    assert "cannot sit under itself" in response.content.decode()
    response = client.post(
        reverse("evaluation:theme_edit", args=[top.pk]),
        {"name": "Keeping the service", "description": "After the grant.", "order": 3},
    )
    assert response.status_code == 302
    top.refresh_from_db()
    assert top.name == "Keeping the service"


def test_duplicate_theme_name_is_refused(codebook, users, programme):
    with pytest.raises(ValidationError):
        services.save_theme(actor=users["evaluator"], programme=programme, name="partnerships")


def test_empty_codebook_offers_the_default_themes(client, users, programme):
    client.force_login(users["evaluator"])
    page = client.get(reverse("evaluation:codebook"))
    assert "Start with the default themes" in page.content.decode()
    client.post(reverse("evaluation:codebook"), {"load_default": "1"})
    assert Theme.objects.filter(parent__isnull=True).count() == 4


def test_a_codebook_or_counts_file_with_an_enormous_cell_is_a_clear_problem():
    from ipsworks.evaluation.counts import CountsFileError, parse_counts

    text = "name,parent,description\n" + "x" * 1_500_000 + ",,\n"
    with pytest.raises(CodebookFileError, match="line 2: the file could not be read as CSV"):
        parse_codebook(text)
    with pytest.raises(CountsFileError, match="a cell is longer than"):
        parse_counts("site," + "y" * 1_500_000 + "\n")


def test_importing_an_unchanged_export_changes_nothing_and_counts_nothing_as_updated(
    client, codebook, users, programme
):
    from ipsworks.audit.models import AuditEvent

    client.force_login(users["evaluator"])
    exported = client.get(reverse("evaluation:codebook_export")).content.decode()
    before = list(Theme.objects.values_list("id", "name", "parent_id", "description", "order"))
    result = services.import_codebook(actor=users["evaluator"], programme=programme, text=exported)
    assert result == {
        "created": 0,
        "updated": 0,
        "unchanged": len(codebook),
        "updated_names": [],
    }
    after = list(Theme.objects.values_list("id", "name", "parent_id", "description", "order"))
    assert after == before
    event = AuditEvent.objects.filter(event="evaluation.codebook.import").latest("id")
    assert event.summary.endswith(f"0 added, 0 updated, {len(codebook)} unchanged")


def test_a_new_parent_alone_counts_as_an_update(codebook, users, programme):
    import csv
    import io

    out = io.StringIO()
    theme = codebook["Partnerships"]
    csv.writer(out).writerows(
        [
            ["name", "parent", "description", "order"],
            ["Partnerships", "Sustainability", theme.description, theme.order],
        ]
    )
    text = out.getvalue()
    result = services.import_codebook(actor=users["evaluator"], programme=programme, text=text)
    assert result == {
        "created": 0,
        "updated": 1,
        "unchanged": 0,
        "updated_names": ["Partnerships"],
    }
    assert Theme.objects.get(name="Partnerships").parent.name == "Sustainability"
