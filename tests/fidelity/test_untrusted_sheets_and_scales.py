"""Score sheets and scale files as people really make them, or break them: every problem is a
message naming where it is, never a server error or a traceback, and nothing is half-saved."""

import copy
import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from ipsworks.fidelity.scale_io import DEFAULT_SCALE_FILE, ScaleError, parse_scale_text
from ipsworks.fidelity.sheets import SheetError, read_sheet, write_xlsx

pytestmark = pytest.mark.django_db
ITEMS = list(range(1, 26))
SHIPPED = json.loads(DEFAULT_SCALE_FILE.read_text(encoding="utf-8"))


def sheet(rows, header="item,score,rationale\n") -> bytes:
    return (header + "".join(f"{item},{score},why\n" for item, score in rows)).encode()


def all_items(score=3, **overrides):
    return [(n, overrides.get(f"i{n}", score)) for n in ITEMS]


def problems_of(data, name="s.csv", low=1, high=5):
    with pytest.raises(SheetError) as caught:
        read_sheet(data, name, ITEMS, low, high)
    return caught.value.problems


@pytest.mark.parametrize("value", ["inf", "-inf", "1e400", "nan"])
def test_an_overflowing_or_not_a_number_score_is_a_row_problem(value):
    assert problems_of(sheet(all_items(i25=value))) == [
        f"Row 26: item 25 score '{value}' is not a whole number"
    ]


@pytest.mark.parametrize("value", ["inf", "1e400", "1.9", "2.5"])
def test_an_item_that_is_not_a_whole_number_is_refused_not_truncated(value):
    rows = [(value, 4)] + [(n, 3) for n in ITEMS[1:]]
    found = problems_of(sheet(rows))
    assert found[0] == f"Row 2: item '{value}' is not an item number"
    assert "Missing items: 1" in found


def test_row_numbers_count_blank_rows_as_a_spreadsheet_shows_them():
    data = sheet(all_items(i1=9), header="item,score,rationale\n,,\n")
    assert problems_of(data) == ["Row 3: item 1 score 9 is outside 1-5"]
    xlsx = write_xlsx([(None, None, "")] * 2 + [(n, 9 if n == 1 else 3, "") for n in ITEMS], {})
    assert problems_of(xlsx, "s.xlsx") == ["Row 4: item 1 score 9 is outside 1-5"]


def damaged_xlsx() -> bytes:
    good = write_xlsx([(n, 3, "") for n in ITEMS], {})
    source, out = zipfile.ZipFile(io.BytesIO(good)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as damaged:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            damaged.writestr(info.filename, data)
    return out.getvalue()


def test_a_workbook_with_a_damaged_sheet_is_refused_plainly():
    assert problems_of(damaged_xlsx(), "s.xlsx") == ["The file is not a readable .xlsx workbook"]


def test_a_windows_1252_csv_is_read():
    data = sheet(all_items()).replace(b"why", "café".encode("cp1252"))
    rows = read_sheet(data, "s.csv", ITEMS)
    assert rows[0].rationale == "café"


def test_a_nul_character_is_refused_naming_its_line():
    data = sheet(all_items()).replace(b"why\n2,", b"why\x00\n2,")
    found = problems_of(data)
    assert found == [
        "line 2: the file could not be read as CSV: it holds a NUL character "
        "(is it really a CSV file?)"
    ]


def post_sheet(client, review, data, name="s.csv"):
    upload = SimpleUploadedFile(name, data)
    return client.post(f"/fidelity/reviews/{review.pk}/sheet/import/", {"sheet": upload})


@pytest.mark.parametrize(
    "data, name, shown",
    [
        (sheet(all_items(i25="inf")), "s.csv", "Row 26: item 25 score &#x27;inf&#x27;"),
        (damaged_xlsx(), "s.xlsx", "The file is not a readable .xlsx workbook"),
        (sheet(all_items()).replace(b"why\n2,", b"why\x00\n2,"), "s.csv", "NUL character"),
    ],
)
def test_the_import_page_lists_the_problem_and_saves_nothing(
    client, review, reviewers, data, name, shown
):
    from ipsworks.fidelity.models import ReviewerScore

    client.force_login(reviewers[0])
    response = post_sheet(client, review, data, name)
    assert response.status_code == 200
    assert shown in response.content.decode()
    assert not ReviewerScore.objects.exists()


def test_importing_the_same_sheet_again_changes_nothing_and_says_so(client, review, reviewers):
    from ipsworks.audit.models import AuditEvent
    from ipsworks.fidelity.models import ReviewerScore

    client.force_login(reviewers[0])
    data = sheet(all_items())
    first = post_sheet(client, review, data)
    assert first.status_code == 302
    scores = list(ReviewerScore.objects.values_list("id", "score", "rationale"))
    events = AuditEvent.objects.count()
    again = client.get(post_sheet(client, review, data)["Location"])
    assert "s.csv: 0 scores changed, 25 already as in the sheet." in again.content.decode()
    assert list(ReviewerScore.objects.values_list("id", "score", "rationale")) == scores
    new = list(AuditEvent.objects.filter(id__gt=0).order_by("id")[events:])
    assert [e.event for e in new] == ["fidelity.sheet_imported"]
    assert new[0].after["changed"] == 0 and len(new[0].after["sha256"]) == 64


def test_a_changed_sheet_changes_only_its_changed_scores(client, review, reviewers):
    from ipsworks.audit.models import AuditEvent

    client.force_login(reviewers[0])
    post_sheet(client, review, sheet(all_items()))
    before = AuditEvent.objects.filter(event="fidelity.score_recorded").count()
    post_sheet(client, review, sheet(all_items(i7=4)))
    after = AuditEvent.objects.filter(event="fidelity.score_recorded")
    assert after.count() == before + 1
    assert after.order_by("-id").first().summary.startswith("Item 7 scored 4")


def test_the_command_reports_an_overflowing_score_without_a_traceback(tmp_path, scale):
    path = tmp_path / "s.csv"
    path.write_bytes(sheet(all_items(i25="inf")))
    with pytest.raises(CommandError, match="item 25 score 'inf' is not a whole number"):
        call_command("fidelity_score", str(path))


# --- scale files ---------------------------------------------------------------------------


def scale_text(**changes) -> str:
    data = copy.deepcopy(SHIPPED)
    data.update(changes)
    return json.dumps(data)


def scale_problems(text):
    with pytest.raises(ScaleError) as caught:
        parse_scale_text(text)
    return caught.value.problems


@pytest.mark.parametrize(
    "low, high", [(0, 4), (-1, 3), (1, 10), (1, 200000), (3, 3), (True, 5), (1, 5.0)]
)
def test_score_ranges_the_review_tables_cannot_hold_are_refused(low, high):
    found = scale_problems(scale_text(min_score=low, max_score=high))
    assert found[0] == (
        "'min_score' and 'max_score' should be whole numbers from 1 to 5, min below max"
    )


@pytest.mark.parametrize(
    "text, message",
    [
        (scale_text()[:-1] + ', "notes": NaN}', "NaN is not a number JSON allows"),
        (scale_text()[:-1] + ', "notes": Infinity}', "Infinity is not a number JSON allows"),
        ("[" * 100000 + "]" * 100000, "nested too deeply"),
    ],
)
def test_json_python_accepts_but_a_database_cannot_store_is_refused(text, message):
    found = scale_problems(text)
    assert found[0].startswith("The file is not valid JSON") and message in found[0]


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"version": "v" * 41}, "Scale: 'version' is longer than 40 characters"),
        ({"code": "c" * 41}, "Scale: 'code' is longer than 40 characters"),
        ({"title": "t" * 201}, "Scale: 'title' is longer than 200 characters"),
        ({"title": "IPS\x00"}, "Scale > title: the text holds a NUL character"),
    ],
)
def test_text_too_long_for_its_column_or_holding_nul_is_refused(changes, message):
    assert message in scale_problems(scale_text(**changes))


def test_a_long_item_title_is_refused_naming_the_item():
    data = copy.deepcopy(SHIPPED)
    data["sections"][0]["items"][0]["title"] = "x" * 201
    assert "Item 1: 'title' is longer than 200 characters" in scale_problems(json.dumps(data))


def test_the_upload_page_refuses_a_nan_scale_without_a_server_error(client, users, scale):
    from ipsworks.fidelity.models import ScaleVersion

    client.force_login(users["administrator"])
    count = ScaleVersion.objects.count()
    body = scale_text(version="nan")[:-1] + ', "notes": NaN}'
    response = client.post(
        "/fidelity/scales/", {"scale_file": SimpleUploadedFile("s.json", body.encode())}
    )
    assert response.status_code == 200
    assert "NaN is not a number JSON allows" in response.content.decode()
    assert ScaleVersion.objects.count() == count


def test_the_command_reads_a_file_as_the_upload_does(tmp_path, scale):
    from ipsworks.fidelity.models import ScaleVersion

    with_bom = tmp_path / "bom.json"
    with_bom.write_bytes(b"\xef\xbb\xbf" + scale_text(version="bom").encode())
    call_command("load_fidelity_scale", str(with_bom), "--not-current", stdout=io.StringIO())
    assert ScaleVersion.objects.filter(version="bom").exists()
    windows = tmp_path / "cp1252.json"
    data = copy.deepcopy(SHIPPED) | {"version": "9", "title": "Échelle"}
    windows.write_bytes(json.dumps(data, ensure_ascii=False).encode("cp1252"))
    with pytest.raises(CommandError, match="not UTF-8 text"):
        call_command("load_fidelity_scale", str(windows))
    assert not ScaleVersion.objects.filter(version="9").exists()
