"""Reported counts in the wide layout: rows whose totals disagree are flagged."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from ipsworks.evaluation.counts import CountsFileError, flagged_rows, parse_counts
from ipsworks.evaluation.demo import SEED_COUNTS

HEADER = (
    "site,visit1_staff,visit1_service_users,visit2_staff,visit2_service_users,"
    "visit3_staff,visit3_service_users,total_staff,total_service_users\n"
)


def test_seed_counts_flag_lincolnshire_and_only_lincolnshire():
    rows = parse_counts(SEED_COUNTS.read_text(encoding="utf-8"))
    flagged = flagged_rows(rows)
    assert len(rows) == 6
    assert [r.site for r in flagged] == ["Lincolnshire"]
    assert flagged[0].problems == ["staff: visits sum to 29 but total_staff says 22"]


def test_service_user_totals_are_checked_too():
    rows = parse_counts(HEADER + "Alpha,1,2,3,4,5,6,9,13\n")
    assert rows[0].problems == ["service users: visits sum to 12 but total_service_users says 13"]


def test_columns_may_come_in_any_order():
    text = (
        "total_staff,total_service_users,site,visit1_staff,visit1_service_users,"
        "visit2_staff,visit2_service_users,visit3_staff,visit3_service_users\n"
        "6,0,Alpha,1,0,2,0,3,0\n"
    )
    assert flagged_rows(parse_counts(text)) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("site,visit1_staff\nAlpha,1\n", "missing the column(s): visit1_service_users"),
        (HEADER, "no rows of counts"),
        (HEADER + "Alpha,1,x,3,4,5,6,9,12\n", "row 2 (Alpha), column visit1_service_users: 'x'"),
        (HEADER + "Alpha,1,2,3,4,5,6,,12\n", "row 2 (Alpha), column total_staff: the value is"),
        (HEADER + ",1,2,3,4,5,6,9,12\n", "row 2, column site: the site name is blank"),
        (HEADER + "Alpha,-1,2,3,4,5,6,9,12\n", "column visit1_staff: -1 is negative"),
        (
            HEADER + "Alpha,1,2,3,4,5,6,9,12\nalpha,1,2,3,4,5,6,9,12\n",
            "row 3 (alpha), column site: alpha already appears on row 2",
        ),
    ],
)
def test_malformed_files_get_messages_naming_row_and_column(text, message):
    with pytest.raises(CountsFileError) as caught:
        parse_counts(text)
    assert any(message in p for p in caught.value.problems), caught.value.problems


def test_command_prints_flagged_rows_and_exits_non_zero(capsys):
    with pytest.raises(SystemExit) as caught:
        call_command("check_interview_counts", str(SEED_COUNTS))
    assert caught.value.code == 1
    out = capsys.readouterr().out
    assert "Lincolnshire" in out and "29" in out and "22" in out
    for other in ("Berkshire", "Bradford", "Wiltshire", "Northamptonshire", "Bedfordshire"):
        assert other not in out


def test_command_exits_zero_when_every_row_adds_up(tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "Alpha,1,0,2,0,3,0,6,0\n", encoding="utf-8")
    call_command("check_interview_counts", str(good))
    assert "all 1 rows add up" in capsys.readouterr().out


def test_command_explains_a_malformed_file(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "Alpha,one,0,2,0,3,0,6,0\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"row 2 \(Alpha\), column visit1_staff: 'one'"):
        call_command("check_interview_counts", str(bad))
    with pytest.raises(CommandError, match="no such file"):
        call_command("check_interview_counts", str(tmp_path / "missing.csv"))


def test_upload_screen_flags_lincolnshire_and_lists_differences(client, demo_ctx):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(demo_ctx.users["evaluator"])
    upload = SimpleUploadedFile("counts.csv", SEED_COUNTS.read_bytes(), content_type="text/csv")
    page = client.post(reverse("evaluation:check_counts"), {"file": upload})
    assert page.status_code == 200
    flagged = page.context["result"]["flagged"]
    assert [r.site for r in flagged] == ["Lincolnshire"]
    # The per-visit figures match the demo's records exactly.
    assert page.context["result"]["differences"] == []


def test_upload_screen_shows_a_clear_error_for_a_bad_file(client, users):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(users["evaluator"])
    upload = SimpleUploadedFile("counts.csv", b"site,visit1_staff\nA,1\n", content_type="text/csv")
    page = client.post(reverse("evaluation:check_counts"), {"file": upload})
    assert page.status_code == 200
    assert "missing the column(s)" in page.content.decode()


@given(
    st.lists(st.integers(min_value=0, max_value=60), min_size=6, max_size=6),
    st.integers(min_value=-5, max_value=5),
    st.integers(min_value=-5, max_value=5),
)
def test_a_row_is_flagged_exactly_when_a_total_differs_from_its_visits(visits, d_staff, d_su):
    staff_total = visits[0] + visits[2] + visits[4] + d_staff
    su_total = visits[1] + visits[3] + visits[5] + d_su
    if staff_total < 0 or su_total < 0:
        return
    text = HEADER + "Alpha," + ",".join(map(str, visits)) + f",{staff_total},{su_total}\n"
    (row,) = parse_counts(text)
    assert row.flagged == (d_staff != 0 or d_su != 0)
    assert len(row.problems) == (d_staff != 0) + (d_su != 0)
