"""Starting thresholds, for an administrator to change: overdue work and open alerts turn
amber at the first one; the shares screened turn amber below 80 % and red below 50 %."""

from decimal import Decimal

from django.db import migrations

DEFAULTS = (
    # key, amber at, red at, higher is worse
    ("households_screened", "80", "50", False),
    ("persons_screened", "80", "50", False),
    ("dispatch_overdue", "1", "10", True),
    ("key_persons_incomplete_team", "1", "10", True),
    ("contacts_overdue", "1", "10", True),
    ("alerts_open", "1", "5", True),
)


def add_defaults(apps, schema_editor):
    threshold = apps.get_model("briefing", "FigureThreshold")
    for key, amber, red, worse in DEFAULTS:
        threshold.objects.get_or_create(
            key=key,
            defaults={"amber_at": Decimal(amber), "red_at": Decimal(red), "higher_is_worse": worse},
        )


class Migration(migrations.Migration):
    dependencies = [("briefing", "0003_figure_threshold")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
