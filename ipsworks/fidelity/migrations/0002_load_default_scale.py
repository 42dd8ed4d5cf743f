"""Loads the 25-item scale shipped in data/ips25_v1.json as the first, current version."""

import json
from pathlib import Path

from django.db import migrations

SCALE_FILE = Path(__file__).resolve().parent.parent / "data" / "ips25_v1.json"


def load(apps, schema_editor):
    from ipsworks.fidelity.scale_io import parse_scale
    from ipsworks.fidelity.services import create_scale_rows

    ScaleVersion = apps.get_model("fidelity", "ScaleVersion")
    ScaleItem = apps.get_model("fidelity", "ScaleItem")
    data = parse_scale(json.loads(SCALE_FILE.read_text(encoding="utf-8")))
    if ScaleVersion.objects.filter(code=data["code"], version=data["version"]).exists():
        return
    create_scale_rows(ScaleVersion, ScaleItem, data)


def unload(apps, schema_editor):
    ScaleVersion = apps.get_model("fidelity", "ScaleVersion")
    ScaleVersion.objects.filter(code="ips-25", version="1", reviews__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("fidelity", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
