"""Reference data: the reference station's five kinds of venue and a checklist for each
(configurable afterwards in the admin). Idempotent `seed`: the transactional tests load it
again after each flush (root conftest's REFERENCE_DATA_MIGRATIONS)."""

from django.db import migrations

COMMON = [
    ("停业告知书已张贴", "Closure notice posted"),
    ("场所已停止营业", "Premises closed to customers"),
    ("无人员聚集", "No one gathered inside"),
]
KINDS = [
    ("sports", "大型体育场馆", "Large sports venue", [("场馆出入口已封闭", "Entrances sealed")]),
    ("bath", "洗浴按摩", "Bath and massage", [("水电气已关闭", "Water, power and gas shut off")]),
    ("hotel", "宾馆酒店", "Hotel", [("住宿登记落实", "Guest registration kept")]),
    ("ktv", "KTV·网吧", "KTV and internet café", [("包房及机位已封存", "Rooms and seats sealed")]),
    ("arcade", "游艺厅", "Arcade", [("游艺设备已断电", "Machines switched off")]),
]


def seed(apps, schema_editor):
    VenueKind = apps.get_model("publicorder", "VenueKind")
    ChecklistItem = apps.get_model("publicorder", "ChecklistItem")
    for order, (code, name, name_en, extra) in enumerate(KINDS, start=1):
        kind, created = VenueKind.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "order": order}
        )
        if not created and ChecklistItem.objects.filter(kind=kind).exists():
            continue
        for position, (check, check_en) in enumerate(COMMON + extra, start=1):
            ChecklistItem.objects.create(kind=kind, name=check, name_en=check_en, order=position)


class Migration(migrations.Migration):
    dependencies = [("publicorder", "0001_venues_closures_inspections_events_patrols_incidents")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
