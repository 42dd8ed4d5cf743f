"""Coding excerpts, the theme-by-site matrix, search and export, and coder agreement."""

import io
from fractions import Fraction

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ipsworks.evaluation import selectors, services
from ipsworks.evaluation.models import Coding, Excerpt


@pytest.fixture
def second_evaluator(make_user):
    return make_user("evaluator", username="eval2")


def add(site, users, text, role="clinician"):
    return services.save_excerpt(
        actor=users["evaluator"], site=site, visit=None, speaker_role=role, text=text
    )


def test_coding_with_htmx_saves_and_returns_the_updated_matrix(client, users, codebook, excerpt):
    client.force_login(users["evaluator"])
    url = reverse("evaluation:excerpt_code", args=[excerpt.pk])
    theme = codebook["Staff morale"]
    response = client.post(url, {"themes": [theme.pk]}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'hx-swap-oob="true"' in html and "Saved: 1 theme ticked." in html
    # Only the words of the status are sent: the live region itself stays in the page, so
    # screen readers announce the change (a replaced live region is often not read out).
    assert 'id="coding-status"' not in html
    page = client.get(url).content.decode()
    assert 'hx-target="#coding-status" hx-swap="innerHTML"' in page
    assert '<p id="coding-status" role="status"' in page
    coding = Coding.objects.get(excerpt=excerpt, coder=users["evaluator"])
    assert list(coding.themes.all()) == [theme]
    rows = {r.node.theme.name: r for r in response.context["rows"]}
    assert rows["Staff morale"].total == 1
    assert rows["Benefits of IPS"].total == 1  # a theme counts its sub-themes
    assert rows["Sustainability"].total == 0


def test_unticking_everything_keeps_a_coding_with_no_themes(client, users, codebook, excerpt):
    client.force_login(users["evaluator"])
    url = reverse("evaluation:excerpt_code", args=[excerpt.pk])
    client.post(url, {"themes": [codebook["Partnerships"].pk]})
    response = client.post(url, {})
    assert response.status_code == 302
    coding = Coding.objects.get(excerpt=excerpt)
    assert not coding.themes.exists()


def test_coding_with_a_theme_from_elsewhere_is_refused(client, users, codebook, excerpt):
    client.force_login(users["evaluator"])
    url = reverse("evaluation:excerpt_code", args=[excerpt.pk])
    response = client.post(url, {"themes": ["999999"]}, headers={"HX-Request": "true"})
    assert "not in the codebook" in response.content.decode()
    assert not Coding.objects.exists()


def test_matrix_counts_distinct_excerpts_per_site(users, codebook, site_a, site_b, programme):
    e1 = add(site_a, users, "One.")
    e2 = add(site_b, users, "Two.")
    e3 = add(site_b, users, "Three.")
    funding = codebook["Funding and commissioning"].pk
    services.code_excerpt(actor=users["evaluator"], excerpt=e1, theme_ids=[funding])
    services.code_excerpt(actor=users["programme_manager"], excerpt=e1, theme_ids=[funding])
    services.code_excerpt(actor=users["evaluator"], excerpt=e2, theme_ids=[funding])
    services.code_excerpt(actor=users["evaluator"], excerpt=e3, theme_ids=[])
    sites, rows = selectors.theme_site_matrix(users["evaluator"], programme)
    by_name = {r.node.theme.name: r for r in rows}
    assert [s.name for s in sites] == ["Alpha", "Beta"]
    assert by_name["Funding and commissioning"].counts == [1, 1]
    assert by_name["Sustainability"].counts == [1, 1]
    assert by_name["Partnerships"].counts == [0, 0]


def test_search_and_filter_by_theme_site_role_and_words(client, users, codebook, site_a, site_b):
    e1 = add(site_a, users, "The board backed us early.", role="senior_leader")
    e2 = add(site_b, users, "Money runs out in March.", role="commissioner")
    services.code_excerpt(
        actor=users["evaluator"], excerpt=e1, theme_ids=[codebook["Leadership and strategy"].pk]
    )
    services.code_excerpt(
        actor=users["evaluator"], excerpt=e2, theme_ids=[codebook["Funding and commissioning"].pk]
    )
    client.force_login(users["evaluator"])
    url = reverse("evaluation:excerpt_list")

    def found(**params):
        return [e.pk for e in client.get(url, params).context["excerpts"]]

    assert found(theme=codebook["Organisational factors"].pk) == [e1.pk]
    assert found(site=site_b.pk) == [e2.pk]
    assert found(role="senior_leader") == [e1.pk]
    assert found(text="march") == [e2.pk]
    assert sorted(found()) == sorted([e1.pk, e2.pk])


def test_export_by_theme_as_xlsx_and_csv(client, users, codebook, site_a):
    e1 = add(site_a, users, "Quote about partners and money.")
    services.code_excerpt(
        actor=users["evaluator"],
        excerpt=e1,
        theme_ids=[codebook["Partnerships"].pk, codebook["Funding and commissioning"].pk],
    )
    client.force_login(users["evaluator"])
    csv_text = client.get(reverse("evaluation:excerpt_export", args=["csv"])).content.decode()
    lines = csv_text.splitlines()
    assert lines[0] == "theme,top_theme,excerpt,site,visit,speaker_role,quote,memo"
    assert len(lines) == 3
    assert lines[1].startswith("Organisational factors > Partnerships,Organisational factors,")
    response = client.get(reverse("evaluation:excerpt_export", args=["xlsx"]))
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Organisational factors", "Sustainability"]
    assert book["Sustainability"]["G2"].value == "Quote about partners and money."
    assert client.get(reverse("evaluation:excerpt_export", args=["pdf"])).status_code == 404


def test_agreement_per_theme_compares_only_excerpts_both_coded(
    users, codebook, site_a, programme, second_evaluator
):
    a, b = users["evaluator"], second_evaluator
    morale, funding = codebook["Staff morale"].pk, codebook["Funding and commissioning"].pk
    plan = [  # (A's themes, B's themes) for each excerpt; None = not coded by that coder
        ([morale], [morale]),
        ([morale], []),
        ([], []),
        ([funding], [funding]),
        ([morale, funding], [morale]),
        ([funding], None),  # only A: left out of the comparison
    ]
    for n, (themes_a, themes_b) in enumerate(plan):
        excerpt = add(site_a, users, f"Quote {n}.")
        services.code_excerpt(actor=a, excerpt=excerpt, theme_ids=themes_a)
        if themes_b is not None:
            services.code_excerpt(actor=b, excerpt=excerpt, theme_ids=themes_b)
    result = selectors.agreement(a, programme, a, b)
    assert (result.compared, result.only_one_coder) == (5, 1)
    rows = {r.node.theme.name: r for r in result.rows}
    # Staff morale over 5 excerpts: A yes on 1,2,5; B yes on 1,5.
    # p_o = 4/5; p_e = (3/5)(2/5) + (2/5)(3/5) = 12/25; kappa = (20/25-12/25)/(13/25) = 8/13.
    morale_row = rows["Staff morale"]
    assert (morale_row.both, morale_row.only_a, morale_row.only_b, morale_row.neither) == (
        2,
        1,
        0,
        2,
    )
    assert morale_row.kappa == Fraction(8, 13)
    # Funding: A yes on 4,5; B yes on 4. p_o = 4/5; p_e = (2/5)(1/5)+(3/5)(4/5) = 14/25;
    # kappa = (20/25-14/25)/(11/25) = 6/11.
    assert rows["Funding and commissioning"].kappa == Fraction(6, 11)
    assert rows["Sustainability"].kappa == Fraction(6, 11)  # parent = its sub-themes here
    assert rows["Partnerships"].kappa is None  # nobody used it: not defined


def test_agreement_page_defaults_to_the_first_two_coders(demo_ctx, client):
    client.force_login(demo_ctx.users["programme.manager"])
    page = client.get(reverse("evaluation:agreement"))
    assert page.status_code == 200
    result = page.context["result"]
    assert result.compared == 11 and result.only_one_coder == 1
    kappas = {r.node.theme.name: r.kappa for r in result.rows}
    assert kappas["Recruitment and start-up"] == 1
    assert kappas["Benefits of IPS"] is not None
    assert any(k is not None and k < 1 for k in kappas.values())  # some disagreement


def test_demo_excerpts_are_written_for_the_demo_and_coded_by_two_coders(demo_ctx):
    assert Excerpt.objects.count() == 12
    coders = set(Coding.objects.values_list("coder__username", flat=True))
    assert coders == {"evaluator", "evaluator2"}


def test_quote_list_shows_only_your_own_themes_so_coding_stays_blind(
    client, users, codebook, excerpt, second_evaluator
):
    services.code_excerpt(
        actor=users["evaluator"], excerpt=excerpt, theme_ids=[codebook["Staff morale"].pk]
    )
    services.code_excerpt(
        actor=second_evaluator, excerpt=excerpt, theme_ids=[codebook["Partnerships"].pk]
    )
    client.force_login(second_evaluator)
    html = client.get(reverse("evaluation:excerpt_list")).content.decode()
    assert "Your themes: Partnerships" in html
    assert "Coded by eval" in html
    assert "Staff morale</li>" not in html and "Your themes: Staff morale" not in html


def test_excerpt_is_added_through_the_screen_and_audited(client, users, site_a, site_b):
    from ipsworks.audit.models import AuditEvent
    from ipsworks.evaluation.models import EvaluationVisit

    visit_b = EvaluationVisit.objects.create(site=site_b, number=1, date=site_b.start_date)
    client.force_login(users["evaluator"])
    url = reverse("evaluation:excerpt_create")
    response = client.post(
        url,
        {"site": site_a.pk, "visit": visit_b.pk, "speaker_role": "clinician", "text": "Hi."},
    )
    assert response.status_code == 200
    assert "Choose one of the chosen site" in response.content.decode()
    response = client.post(
        url, {"site": site_b.pk, "visit": visit_b.pk, "speaker_role": "clinician", "text": "Hi."}
    )
    excerpt = Excerpt.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("evaluation:excerpt_code", args=[excerpt.pk])
    assert AuditEvent.objects.filter(event="evaluation.excerpt.create", site=site_b).exists()


def _themes(excerpt, coder):
    from ipsworks.evaluation.models import Coding

    coding = Coding.objects.filter(excerpt=excerpt, coder=coder).first()
    return sorted(coding.themes.values_list("name", flat=True)) if coding else []


def test_an_older_coding_page_adds_its_tick_without_undoing_ticks_made_since(
    client, codebook, excerpt, users
):
    from ipsworks.evaluation.services import code_excerpt
    from tests.html_forms import form_data

    evaluator = users["evaluator"]
    a, b, c = (codebook[name] for name in ("Partnerships", "Sustainability", "Work and income"))
    code_excerpt(actor=evaluator, excerpt=excerpt, theme_ids=[a.pk])
    client.force_login(evaluator)
    url = reverse("evaluation:excerpt_code", args=[excerpt.pk])
    old_tab = client.get(url)
    code_excerpt(actor=evaluator, excerpt=excerpt, theme_ids=[a.pk, b.pk])  # another tab
    data = form_data(old_tab, field="shown")
    data["themes"] = [str(a.pk), str(c.pk)]  # this tab ticks C
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert _themes(excerpt, evaluator) == sorted([a.name, b.name, c.name])
    page = response.content.decode()
    assert "also changed on another page (Sustainability)" in page
    assert f'id="coding-shown" name="shown" value="{min(a.pk, c.pk)},{max(a.pk, c.pk)}"' in page
    # Unticking on this page removes exactly that theme.
    data["shown"], data["themes"] = f"{a.pk},{c.pk}", [str(c.pk)]
    client.post(url, data, HTTP_HX_REQUEST="true")
    assert _themes(excerpt, evaluator) == sorted([b.name, c.name])


def test_a_coding_post_without_the_page_s_ticks_sets_exactly_what_was_ticked(
    client, codebook, excerpt, users
):
    evaluator = users["evaluator"]
    a, b = codebook["Partnerships"], codebook["Sustainability"]
    client.force_login(evaluator)
    url = reverse("evaluation:excerpt_code", args=[excerpt.pk])
    client.post(url, {"themes": [a.pk, b.pk]})
    client.post(url, {"themes": [b.pk]})
    assert _themes(excerpt, evaluator) == [b.name]


def test_a_theme_from_another_programme_is_refused_and_never_named(client, excerpt, users):
    from ipsworks.evaluation.models import Theme
    from ipsworks.organisation.models import Programme

    other = Programme.objects.create(name="Elsewhere")
    secret = Theme.objects.create(programme=other, name="Secret theme")
    client.force_login(users["evaluator"])
    url = reverse("evaluation:excerpt_code", args=[excerpt.pk])
    response = client.post(
        url, {"themes": [secret.pk], "shown": str(secret.pk)}, HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert "not in the codebook" in page and "Secret theme" not in page
    assert not _themes(excerpt, users["evaluator"])
