"""Each validation rule gives a clear, field-level message (pure functions, no database)."""

from datetime import date

from ipsworks.caseload import rules

TODAY = date(2026, 11, 30)


def job(**kw):
    values = {
        "start_date": date(2016, 5, 2),
        "hours_per_week": "16",
        "hourly_pay": "7.50",
        "referral_date": date(2016, 3, 1),
        "profile_started": date(2016, 3, 8),
        "today": TODAY,
    }
    values.update(kw)
    return rules.check_job(**values)


def test_a_valid_job_has_no_errors():
    assert job() == {}


def test_profile_start_before_referral_is_refused():
    errors = rules.check_episode(
        referral_date=date(2016, 3, 8), profile_started=date(2016, 3, 1), today=TODAY
    )
    assert "before the referral date" in errors["profile_started"][0]


def test_job_start_before_profile_start_is_refused():
    errors = job(start_date=date(2016, 3, 5))
    assert "before the vocational profile started" in errors["start_date"][0]


def test_job_before_the_referral_is_refused():
    errors = job(start_date=date(2016, 2, 1))
    assert "before the referral date" in errors["start_date"][0]


def test_job_end_before_its_start_is_refused():
    errors = job(end_date=date(2016, 5, 1))
    assert errors["end_date"] == [
        "The job end date (1 May 2016) is before its start date (2 May 2016)."
    ]


def test_job_end_on_its_start_day_is_allowed():
    assert job(end_date=date(2016, 5, 2)) == {}


def test_future_dates_are_refused_for_every_date_field():
    future = date(2026, 12, 1)
    assert "in the future" in job(start_date=future)["start_date"][0]
    assert "in the future" in job(end_date=future)["end_date"][0]
    episode = rules.check_episode(referral_date=future, today=TODAY)
    assert "in the future" in episode["referral_date"][0]
    activity = rules.check_activity(date_=future, referral_date=date(2016, 1, 1), today=TODAY)
    assert "in the future" in activity["date"][0]


def test_today_is_not_the_future():
    assert rules.check_episode(referral_date=TODAY, today=TODAY) == {}


def test_hours_must_be_between_0_and_80():
    assert job(hours_per_week="0") == {}
    assert job(hours_per_week="80") == {}
    assert "between 0 and 80" in job(hours_per_week="80.5")["hours_per_week"][0]
    assert "between 0 and 80" in job(hours_per_week="-1")["hours_per_week"][0]
    assert "must be a number" in job(hours_per_week="lots")["hours_per_week"][0]
    assert "Enter the hours" in job(hours_per_week=None)["hours_per_week"][0]


def test_pay_must_not_be_negative():
    assert job(hourly_pay="0") == {}
    assert "cannot be negative" in job(hourly_pay="-0.01")["hourly_pay"][0]
    assert "must be an amount" in job(hourly_pay="seven")["hourly_pay"][0]


def test_activity_before_referral_or_after_discharge_is_refused():
    before = rules.check_activity(
        date_=date(2016, 1, 1), referral_date=date(2016, 3, 1), today=TODAY
    )
    assert "before the referral date" in before["date"][0]
    after = rules.check_activity(
        date_=date(2016, 9, 1),
        referral_date=date(2016, 3, 1),
        discharge_date=date(2016, 8, 1),
        today=TODAY,
    )
    assert "after the person was discharged" in after["date"][0]


def test_duplicate_ids_within_a_site_are_refused_ignoring_case():
    errors = rules.check_unique_reference(" a001 ", existing=["A001"])
    assert "already used at this site" in errors["reference"][0]
    assert rules.check_unique_reference("A002", existing=["A001"]) == {}


def test_duplicate_ids_within_one_batch_are_found():
    assert rules.duplicate_references(["A1", "a1", "B2", "", "C3"]) == {"a1"}


def test_ids_that_look_like_names_are_refused():
    assert "never a name" in rules.check_reference("John Smith")["reference"][0]
    assert "at least one number" in rules.check_reference("Smith")["reference"][0]
    assert rules.check_reference("BRK-0042") == {}


def test_discharge_needs_date_and_reason_and_closes_only_an_open_episode():
    missing = rules.check_discharge(
        referral_date=date(2016, 3, 1), discharge_date=None, discharge_reason="", today=TODAY
    )
    assert set(missing) == {"discharge_date", "discharge_reason"}
    closed = rules.check_discharge(
        referral_date=date(2016, 3, 1),
        discharge_date=date(2016, 9, 1),
        discharge_reason="moved",
        today=TODAY,
        already_discharged=date(2016, 8, 1),
    )
    assert "already closed" in closed["discharge_date"][0]
    early = rules.check_discharge(
        referral_date=date(2016, 3, 1),
        discharge_date=date(2016, 4, 1),
        discharge_reason="moved",
        today=TODAY,
        last_record=date(2016, 5, 1),
    )
    assert "after the discharge date" in early["discharge_date"][0]


def test_only_one_open_episode_per_person():
    errors = rules.check_new_episode(open_episode_referral=date(2016, 3, 1))
    assert "already has an open referral" in errors["referral_date"][0]
    assert rules.check_new_episode(open_episode_referral=None) == {}


def test_moving_a_referral_after_an_existing_job_is_refused():
    errors = rules.check_episode(
        referral_date=date(2016, 6, 1), first_job_start=date(2016, 5, 2), today=TODAY
    )
    assert "before this referral date" in errors["referral_date"][0]
