"""The public commands: import_return, export_return, return_template, send_return_reminders."""

from datetime import date

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from ipsworks.audit.models import AuditEvent
from ipsworks.caseload.models import Episode
from ipsworks.returns.models import MonthlyReturn

from .helpers import read_sheets, write_xlsx_rows


def test_return_template_has_instructions_sheets_and_dropdowns(tmp_path, db):
    import openpyxl

    path = tmp_path / "template.xlsx"
    call_command("return_template", "-o", str(path))
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:1] == ["Instructions"] and {"Caseload", "Jobs"} <= set(wb.sheetnames)
    assert wb["Caseload"]["A1"].value == "Service user ID"
    assert wb["Jobs"]["B1"].value == "Job start date"
    formulas = [dv.formula1 for dv in wb["Jobs"].data_validations.dataValidation]
    assert any("Lists" in f for f in formulas)


def test_export_then_import_dry_run_by_command_changes_nothing(populated, tmp_path, capsys):
    out = tmp_path / "export.xlsx"
    call_command(
        "export_return", "--site", "alpha", "--month", "2016-03", "--format", "xlsx", "-o", str(out)
    )
    assert AuditEvent.objects.filter(event="returns.exported", actor_label="ipsworks.system")
    call_command("import_return", "--site", "alpha", "--month", "2016-03", str(out))
    text = capsys.readouterr().out
    assert "Caseload: 0 new, 0 changed, 6 unchanged" in text
    assert "Applied: 0 change(s)" in text
    folder = tmp_path / "csv"
    call_command("export_return", "--site", "alpha", "--format", "csv", "-o", str(folder))
    assert (folder / "caseload.csv").exists() and (folder / "jobs.csv").exists()


def test_import_with_errors_prints_row_messages_and_exits_non_zero(populated, tmp_path, capsys):
    sheets = {
        "Jobs": [
            ["ID", "Job start date", "Employer", "Job title", "Hours", "Hourly pay"],
            ["A100", "31/02/2016", "Tesco", "Clerk", 10, 7.5],
        ]
    }
    path = write_xlsx_rows(tmp_path / "bad.xlsx", sheets)
    with pytest.raises(CommandError) as caught:
        call_command("import_return", "--site", "alpha", "--month", "2016-03", str(path))
    assert caught.value.returncode == 1
    assert 'Error: Jobs, row 2, "Job start date": 31/02/2016 is not a date' in (
        capsys.readouterr().out
    )


def test_dry_run_applies_nothing(populated, tmp_path):
    sheets = read_sheets(
        write_xlsx_rows(
            tmp_path / "x.xlsx", {"Caseload": [["ID", "Referral date"], ["Z1", "02/03/2016"]]}
        )
    )
    path = write_xlsx_rows(tmp_path / "new.xlsx", sheets)
    before = Episode.objects.count()
    call_command("import_return", "--site", "alpha", "--month", "2016-03", str(path), "--dry-run")
    assert Episode.objects.count() == before
    call_command("import_return", "--site", "alpha", "--month", "2016-03", str(path))
    assert Episode.objects.count() == before + 1


def test_a_locked_month_refuses_imports(populated, users, tmp_path):
    from ipsworks.returns.services import lock_month, submit_month

    submit_month(actor=users["implementation_manager"], site=populated, month=date(2016, 3, 1))
    lock_month(actor=users["programme_manager"], site=populated, month=date(2016, 3, 1))
    path = write_xlsx_rows(
        tmp_path / "n.xlsx", {"Caseload": [["ID", "Referral date"], ["Z2", "02/03/2016"]]}
    )
    with pytest.raises(CommandError, match="locked"):
        call_command("import_return", "--site", "alpha", "--month", "2016-03", str(path))
    # A dry run checks the file and says the apply would be refused too (exit 1).
    with pytest.raises(CommandError, match="has no errors, but the return for March 2016 is "):
        call_command(
            "import_return", "--site", "alpha", "--month", "2016-03", str(path), "--dry-run"
        )


def test_reminders_go_to_implementation_managers_of_sites_with_missing_returns(
    users, site_a, site_b, capsys
):
    from ipsworks.returns.selectors import missing_returns
    from ipsworks.returns.services import submit_month

    as_of = date(2015, 4, 20)  # Alpha's January-March 2015 returns are due; Beta starts later
    submit_month(actor=users["implementation_manager"], site=site_a, month=date(2015, 1, 1))
    missing = missing_returns(as_of)
    assert [(m.site.slug, m.month) for m in missing] == [
        ("alpha", date(2015, 2, 1)),
        ("alpha", date(2015, 3, 1)),
    ]
    call_command("send_return_reminders", "--date", "2015-04-20")
    assert len(mail.outbox) == 1
    assert "February 2015" in mail.outbox[0].body and "March 2015" in mail.outbox[0].body
    assert "a.im" in mail.outbox[0].to[0]
    assert MonthlyReturn.objects.count() == 1


def test_commands_act_as_an_administrator_of_the_sites_programme_not_a_superuser(
    users, site_a, django_user_model
):
    from ipsworks.accounts.models import Membership
    from ipsworks.accounts.scoping import scope_for
    from ipsworks.returns.services import SYSTEM_USERNAME, system_actor

    # An account left by an earlier version, when it was a superuser.
    django_user_model.objects.create(username=SYSTEM_USERNAME, is_superuser=True, is_staff=True)
    actor = system_actor(site=site_a)
    assert not actor.is_superuser and not actor.is_staff and not actor.has_usable_password()
    roles = list(Membership.objects.filter(user=actor).values_list("role", "programme", "site"))
    assert roles == [("administrator", site_a.programme_id, None)]
    system_actor(site=site_a)  # asked again: still one membership
    assert Membership.objects.filter(user=actor).count() == 1
    others = set(
        type(site_a).objects.exclude(programme=site_a.programme).values_list("pk", flat=True)
    )
    assert not others & scope_for(system_actor()).case_site_ids
