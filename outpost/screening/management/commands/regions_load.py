from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from outpost.screening.models import Region
from outpost.screening.regions import regions_load


class Command(BaseCommand):
    help = _("Load the GB/T 2260 regions shipped with Outpost (idempotent).")

    def handle(self, *args, **options):
        created, updated = regions_load(Region)
        self.stdout.write(
            _("Regions: %(created)d created, %(updated)d updated, %(total)d in all.")
            % {"created": created, "updated": updated, "total": Region.objects.count()}
        )
