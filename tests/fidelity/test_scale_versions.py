"""The scale is data: loaded from a file, checked with clear messages, versioned per review."""

import copy
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from ipsworks.fidelity import services
from ipsworks.fidelity.models import ScaleVersion
from ipsworks.fidelity.scale_io import DEFAULT_SCALE_FILE, ScaleError, parse_scale

pytestmark = pytest.mark.django_db
SHIPPED = json.loads(DEFAULT_SCALE_FILE.read_text(encoding="utf-8"))


def test_the_shipped_scale_has_25_items_in_three_sections_with_every_anchor(scale):
    assert scale.items.count() == 25
    assert [s["title"] for s in scale.sections] == ["Staffing", "Organisation", "Services"]
    assert all(set(i.anchors) == {"1", "2", "3", "4", "5"} for i in scale.items.all())
    assert [b["min"] for b in scale.bands] == [115, 100, 74, 25]
    assert scale.items.get(number=1).anchors["4"].startswith("21 to 25")


def test_a_broken_file_is_refused_with_every_problem_named():
    data = copy.deepcopy(SHIPPED)
    del data["sections"][0]["items"][0]["anchors"]["3"]
    data["sections"][1]["items"][0]["number"] = 2
    data["bands"][2]["min"] = 80
    with pytest.raises(ScaleError) as caught:
        parse_scale(data)
    problems = caught.value.problems
    assert "Item 1: the anchor for score 3 is missing" in problems
    assert "Item 2: the number is used twice" in problems
    assert "Bands leave totals without a band: 74 to 79" in problems


def test_the_command_loads_a_new_version_and_reviews_keep_theirs(tmp_path, review, capsys):
    data = copy.deepcopy(SHIPPED)
    data["version"] = "2"
    data["sections"][0]["items"][0]["anchors"]["5"] = "Eighteen or fewer."
    path = tmp_path / "scale.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    call_command("load_fidelity_scale", str(path))
    assert "version 2): 25 items" in capsys.readouterr().out
    current = ScaleVersion.objects.get(is_current=True)
    assert current.version == "2"
    review.refresh_from_db()
    assert review.scale.version == "1"
    assert review.scale.items.get(number=1).anchors["5"].startswith("20 or fewer")


def test_the_command_explains_an_invalid_file_and_fails(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"format": "something else"', encoding="utf-8")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("load_fidelity_scale", str(path))


def test_loading_the_same_version_twice_is_refused(scale):
    with pytest.raises(services.ReviewError, match="already loaded"):
        services.load_scale(actor=None, data=copy.deepcopy(SHIPPED))


def test_only_an_administrator_loads_a_scale_in_the_app(scale, users):
    data = copy.deepcopy(SHIPPED)
    data["version"] = "3"
    with pytest.raises(PermissionDenied):
        services.load_scale(actor=users["programme_manager"], data=data)
    scale3 = services.load_scale(actor=users["administrator"], data=data)
    assert scale3.is_current and scale3.loaded_by == users["administrator"]


def test_the_upload_page_lists_problems_and_loads_a_good_file(client, users, scale):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(users["administrator"])
    bad = SimpleUploadedFile("s.json", b'{"format": "ipsworks-fidelity-scale/1"}')
    page = client.post("/fidelity/scales/", {"scale_file": bad}).content.decode()
    assert "sections&#x27; should be a non-empty list" in page
    data = copy.deepcopy(SHIPPED)
    data["version"] = "4"
    good = SimpleUploadedFile("s.json", json.dumps(data).encode())
    response = client.post("/fidelity/scales/", {"scale_file": good, "make_current": "on"})
    assert response.status_code == 302
    assert ScaleVersion.objects.get(is_current=True).version == "4"


def test_the_scale_page_marks_thresholds_to_check_as_configurable(client, users, scale):
    client.force_login(users["reviewer"])
    page = client.get(f"/fidelity/scales/{scale.pk}/").content.decode()
    assert "15. Rapid job search (check)" in page
    assert "configurable data" in page
    assert "1. Caseload size (check)" not in page
