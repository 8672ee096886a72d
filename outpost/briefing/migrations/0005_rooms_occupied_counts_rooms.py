""""Isolation rooms occupied" now counts rooms with someone in them (Room rows) instead of
open stays (RoomStay rows), so that an office can see the rooms of the station's hotel that
serves it. The rows frozen before were stays' ids: they are dropped, so that a past day's
list is never read as rooms; its count stays as it was frozen."""

from django.db import migrations


def drop_stay_rows(apps, schema_editor):
    snapshot = apps.get_model("briefing", "DailySnapshot")
    for row in snapshot.objects.exclude(rows={}).only("pk", "rows").iterator(chunk_size=200):
        if "rooms_occupied" in (row.rows or {}):
            row.rows.pop("rooms_occupied")
            row.save(update_fields=["rows"])


class Migration(migrations.Migration):
    dependencies = [("briefing", "0004_default_thresholds")]

    operations = [migrations.RunPython(drop_stay_rows, migrations.RunPython.noop)]
