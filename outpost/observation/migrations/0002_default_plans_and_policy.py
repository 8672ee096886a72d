from django.db import migrations

# Default observation lengths (days) for every category: 14 days of centralized or home
# isolation, then 7 of home health monitoring.
DEFAULT_PLANS = (("centralized", 14), ("home_isolation", 14), ("home_monitoring", 7))


def seed(apps, schema_editor):
    """The default plans and the default policy (37.3 °C, check-ins at 08:00 and 18:00)."""
    ObservationPlan = apps.get_model("observation", "ObservationPlan")
    ObservationPolicy = apps.get_model("observation", "ObservationPolicy")
    for kind, days in DEFAULT_PLANS:
        ObservationPlan.objects.get_or_create(category="", kind=kind, defaults={"days": days})
    ObservationPolicy.objects.get_or_create(
        pk=1,
        defaults={
            "red_flag_symptoms": ["fever", "shortness_of_breath"],
            "check_in_times": ["08:00", "18:00"],
        },
    )


class Migration(migrations.Migration):
    dependencies = [("observation", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
