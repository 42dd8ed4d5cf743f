"""Score sheets (csv/xlsx) for offline scoring, and `ipsworks fidelity_score SHEET`."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from ipsworks.fidelity.sheets import SheetError, read_sheet, write_csv, write_xlsx

from .conftest import spread

pytestmark = pytest.mark.django_db
NUMBERS = list(range(1, 26))


def sheet(scores: dict, extra: str = "") -> bytes:
    lines = ["item,score,rationale"] + [f"{n},{s},note {n}" for n, s in scores.items()]
    return ("\n".join(lines) + "\n" + extra).encode()


def test_csv_and_xlsx_sheets_read_back_the_same_rows():
    rows = [(n, s, f"why {n}") for n, s in spread(101).items()]
    from_csv = read_sheet(write_csv(rows), "s.csv", NUMBERS)
    from_xlsx = read_sheet(write_xlsx(rows, {}), "s.xlsx", NUMBERS)
    assert [(r.item, r.score, r.rationale) for r in from_csv] == rows
    assert from_xlsx == from_csv


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s.pop(7), "Missing items: 7"),
        (lambda s: s.update({3: 6}), "Row 4: item 3 score 6 is outside 1-5"),
        (lambda s: s.update({3: 0}), "Row 4: item 3 score 0 is outside 1-5"),
        (lambda s: s.update({3: "4.5"}), "Row 4: item 3 score '4.5' is not a whole number"),
    ],
)
def test_a_bad_sheet_is_refused_naming_the_row(change, message):
    scores = spread(100)
    change(scores)
    with pytest.raises(SheetError) as caught:
        read_sheet(sheet(scores), "s.csv", NUMBERS)
    assert message in caught.value.problems


def test_a_duplicate_item_is_refused():
    with pytest.raises(SheetError, match="item 4 appears twice"):
        read_sheet(sheet(spread(100), "4,3,again\n"), "s.csv", NUMBERS)


def test_the_command_prints_total_band_and_section_subtotals(tmp_path, scale):
    path = tmp_path / "scores.csv"
    path.write_bytes(sheet(spread(114)))
    out = io.StringIO()
    call_command("fidelity_score", str(path), stdout=out)
    text = out.getvalue()
    assert "Total: 114 of 125" in text
    assert "Band: Good fidelity" in text
    assert "Staffing: 15 of 15" in text and "Services:" in text


def test_the_command_reads_xlsx_too(tmp_path, scale):
    path = tmp_path / "scores.xlsx"
    path.write_bytes(write_xlsx([(n, s, "") for n, s in spread(115).items()], {}))
    out = io.StringIO()
    call_command("fidelity_score", str(path), stdout=out)
    assert "Band: Exemplary fidelity" in out.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (sheet(dict.fromkeys(range(1, 25), 4)), "Missing items: 25"),
        (sheet(spread(100), "4,3,again\n"), "item 4 appears twice"),
        (sheet({**spread(100), 9: 7}), "item 9 score 7 is outside 1-5"),
    ],
)
def test_the_command_exits_non_zero_with_a_clear_message(tmp_path, scale, content, message):
    path = tmp_path / "scores.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        call_command("fidelity_score", str(path))


def test_the_command_exit_status_is_non_zero(tmp_path, scale):
    import os
    import subprocess
    import sys

    path = tmp_path / "scores.csv"
    path.write_bytes(sheet(dict.fromkeys(range(1, 25), 4)))
    env = {
        **os.environ,
        "IPSWORKS_ENV": "development",
        "DJANGO_SETTINGS_MODULE": "ipsworks.settings",
    }
    env["IPSWORKS_DATA_DIR"] = str(tmp_path)
    env.pop("DATABASE_URL", None)  # the command runs against its own SQLite file
    subprocess.run(
        [sys.executable, "-m", "ipsworks.cli", "migrate", "-v", "0"], env=env, check=True
    )
    done = subprocess.run(
        [sys.executable, "-m", "ipsworks.cli", "fidelity_score", str(path)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert "Missing items: 25" in done.stderr


def test_a_reviewer_exports_scores_offline_and_imports_them_back(client, review, reviewers):
    client.force_login(reviewers[0])
    exported = client.get(f"/fidelity/reviews/{review.pk}/sheet/")
    assert exported["Content-Type"].startswith("text/csv")
    assert exported.content.decode().splitlines()[0] == "item,score,rationale"
    upload = SimpleUploadedFile("mine.csv", sheet(spread(110)))
    response = client.post(f"/fidelity/reviews/{review.pk}/sheet/import/", {"sheet": upload})
    assert response.status_code == 302
    mine = review.reviewer_scores.filter(reviewer=reviewers[0])
    assert mine.count() == 25 and sum(s.score for s in mine) == 110
    xlsx = client.get(f"/fidelity/reviews/{review.pk}/sheet/?format=xlsx")
    assert read_sheet(xlsx.content, "x.xlsx", NUMBERS)[0].rationale == "note 1"


def test_an_import_with_problems_saves_nothing_and_lists_them(client, review, reviewers):
    client.force_login(reviewers[0])
    scores = spread(100)
    scores[2] = 9
    upload = SimpleUploadedFile("mine.csv", sheet(scores))
    page = client.post(f"/fidelity/reviews/{review.pk}/sheet/import/", {"sheet": upload})
    assert "Row 3: item 2 score 9 is outside 1-5" in page.content.decode()
    assert not review.reviewer_scores.exists()
