"""Load the shipped UK minimum-wage rates (data/minimum_wage_uk.csv)."""

import csv
from decimal import Decimal
from pathlib import Path

from django.db import migrations

CSV = Path(__file__).resolve().parent.parent / "data" / "minimum_wage_uk.csv"


def load(apps, schema_editor):
    Rate = apps.get_model("caseload", "MinimumWageRate")
    with CSV.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            Rate.objects.get_or_create(
                country="GB",
                valid_from=row["valid_from"],
                min_age=int(row["min_age"]),
                defaults={
                    "max_age": int(row["max_age"]) if row["max_age"] else None,
                    "hourly_rate": Decimal(row["hourly_rate"]),
                    "label": row["label"],
                },
            )


class Migration(migrations.Migration):
    dependencies = [("caseload", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
