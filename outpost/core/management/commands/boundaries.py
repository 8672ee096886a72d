"""`outpost boundaries FILE`: set the boundaries (辖区边界) of units from a GeoJSON
FeatureCollection whose features carry the unit's code in their properties (``code``).

    outpost boundaries district.geojson [--user ADMIN]

Every feature is checked first (geometry type, closed rings, coordinates in range, a known
unit code); nothing is written unless all pass.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from outpost.core.boundaries import read_bounded, unit_boundaries_import
from outpost.core.management.base import ScopedCommand


class Command(ScopedCommand):
    help = _("Set the boundaries of units from a GeoJSON FeatureCollection.")

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("file", help=_("The GeoJSON file."))

    def handle(self, *args, **options):
        user = self.acting_user(options["username"])
        try:
            with Path(options["file"]).open("rb") as source:
                data = read_bounded(source)
            units = unit_boundaries_import(data=data, acting_user=user)
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        except (ValidationError, PermissionDenied) as exc:
            messages = getattr(exc, "messages", None) or [str(exc)]
            raise CommandError("\n".join(messages)) from exc
        self.stdout.write(_("Boundaries set: %(n)d units.") % {"n": len(units)})
