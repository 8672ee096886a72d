"""Load the shipped regions and seed the station's three origin categories with the
default designations of the 2020 window. Idempotent; reversing leaves the data."""

import datetime

from django.db import migrations

CATEGORIES = [
    ("wuhan", "武汉来连", 10),
    ("hubei_outside_wuhan", "湖北省内武汉以外来连", 20),
    ("elsewhere", "湖北省以外其他地区来连", 30),
]
WINDOW = (datetime.date(2020, 1, 1), datetime.date(2020, 2, 29))
# (region code or None for every other region, risk level, category code)
DESIGNATIONS = [
    ("420100", "high", "wuhan"),
    ("420000", "high", "hubei_outside_wuhan"),
    (None, "low", "elsewhere"),
]


def seed(apps, schema_editor):
    from outpost.screening.regions import regions_load

    Region = apps.get_model("screening", "Region")
    OriginCategory = apps.get_model("screening", "OriginCategory")
    RiskDesignation = apps.get_model("screening", "RiskDesignation")
    regions_load(Region)
    categories = {}
    for code, name, order in CATEGORIES:
        categories[code], _created = OriginCategory.objects.get_or_create(
            code=code, defaults={"name": name, "order": order}
        )
    for region_code, level, category_code in DESIGNATIONS:
        region = Region.objects.get(code=region_code) if region_code else None
        RiskDesignation.objects.get_or_create(
            region=region,
            category=categories[category_code],
            start_date=WINDOW[0],
            end_date=WINDOW[1],
            defaults={"level": level},
        )


class Migration(migrations.Migration):
    dependencies = [("screening", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
