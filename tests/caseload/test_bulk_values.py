"""The bulk writer's short cuts for turning values into audit JSON and database parameters
give exactly what Django's own field and encoder code gives."""

import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from ipsworks.audit.models import AuditEvent
from ipsworks.caseload import services

VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(),
    st.decimals(allow_nan=False, allow_infinity=False, places=2),
    st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=1))])),
)


def django_json(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


@given(st.lists(VALUES, max_size=6))
def test_audit_values_are_written_as_djangos_encoder_writes_them(values):
    assert [services._json_value(v) for v in values] == [django_json(v) for v in values]


def test_the_same_instant_in_two_time_zones_keeps_each_its_own_offset():
    utc = datetime(2016, 3, 1, 12, 0, tzinfo=UTC)
    bst = utc.astimezone(timezone(timedelta(hours=1)))
    assert utc == bst and hash(utc) == hash(bst)  # why the short cut matches by identity
    assert services._json_value(utc) == "2016-03-01T12:00:00Z"
    assert services._json_value(bst) == "2016-03-01T13:00:00+01:00"
    assert services._json_value(utc) == "2016-03-01T12:00:00Z"


def test_a_row_snapshot_equals_one_value_at_a_time():
    row = {
        "id": 4,
        "at": datetime(2016, 3, 1, 12, 0, 0, 123456, tzinfo=UTC),
        "day": date(2016, 3, 31),
        "pay": Decimal("8.50"),
        "text": "x",
        "none": None,
        "flag": True,
    }
    assert services._row_snapshot(row) == {k: django_json(v) for k, v in row.items()}


@given(
    st.one_of(
        st.none(),
        st.dictionaries(
            st.text(max_size=5),
            st.one_of(st.none(), st.integers(), st.text(max_size=10), st.booleans()),
            max_size=4,
        ),
    )
)
def test_json_columns_are_prepared_as_djangos_field_prepares_them(value):
    field = AuditEvent._meta.get_field("after")
    prepared = services._prep_for(field, connection)(value)
    # (by repr: on PostgreSQL both are psycopg Jsonb wrappers, which do not compare by value)
    assert repr(prepared) == repr(field.get_db_prep_save(value, connection))
