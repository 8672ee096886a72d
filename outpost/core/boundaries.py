"""Unit boundaries (辖区边界): a GeoJSON FeatureCollection whose features name a unit by
its code, checked before anything is written.

The file is read bounded (at most MAX_BYTES, whatever size anyone declares) and every
geometry is checked: a Polygon or MultiPolygon, rings closed with at least four positions,
longitudes and latitudes in range, not more than MAX_POSITIONS positions in all. A feature
naming a code no unit has is named in the error; nothing is written unless every feature
passes (all or nothing, like the imports).
"""

from __future__ import annotations

import json
import math
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from outpost.core.audit import save_audited
from outpost.core.models import Unit

MAX_BYTES = 8 * 1024 * 1024
MAX_POSITIONS = 200_000
GEOMETRY_TYPES = ("Polygon", "MultiPolygon")
# Where the code of a feature's unit may be, in that order.
CODE_PROPERTIES = ("code", "unit_code", "编码")


def read_bounded(source: IO[bytes], *, limit: int = MAX_BYTES) -> bytes:
    """At most `limit` bytes of `source`; a longer file is refused, not cut."""
    data = source.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(
            _("The file is larger than %(mb)d MB.") % {"mb": limit // (1024 * 1024)},
            code="too_large",
        )
    return data


def _position_ok(position) -> bool:
    if not isinstance(position, list) or len(position) < 2:
        return False
    lon, lat = position[0], position[1]
    numbers = all(
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
        for v in (lon, lat)
    )
    return numbers and -180 <= lon <= 180 and -90 <= lat <= 90


def _ring_error(ring) -> str | None:
    if not isinstance(ring, list) or len(ring) < 4:
        return _("a ring needs at least four positions")
    for position in ring:
        if not _position_ok(position):
            return _("a position is not a longitude/latitude pair in range: %(value)s") % {
                "value": json.dumps(position)[:60]
            }
    if ring[0][:2] != ring[-1][:2]:
        return _("a ring is not closed (its last position must repeat its first)")
    return None


def _polygons(geometry) -> list:
    if geometry.get("type") == "Polygon":
        return [geometry.get("coordinates")]
    return list(geometry.get("coordinates") or [])


def geometry_errors(geometry) -> list[str]:
    """What is wrong with one geometry (empty when it is a valid Polygon/MultiPolygon)."""
    if not isinstance(geometry, dict) or geometry.get("type") not in GEOMETRY_TYPES:
        found = geometry.get("type") if isinstance(geometry, dict) else type(geometry).__name__
        return [_("the geometry must be a Polygon or MultiPolygon, not %(type)s") % {"type": found}]
    if not isinstance(geometry.get("coordinates"), list):
        return [_("the geometry has no coordinates")]
    errors = []
    for polygon in _polygons(geometry):
        if not isinstance(polygon, list) or not polygon:
            errors.append(_("a polygon has no rings"))
            continue
        errors += [error for ring in polygon if (error := _ring_error(ring))]
    return errors


def position_count(geometry: dict) -> int:
    return sum(len(ring) for polygon in _polygons(geometry) for ring in polygon)


def _feature_code(feature) -> str:
    properties = feature.get("properties") if isinstance(feature, dict) else None
    if not isinstance(properties, dict):
        return ""
    for name in CODE_PROPERTIES:
        if properties.get(name) not in (None, ""):
            return str(properties[name]).strip()
    return ""


def parse_boundaries(data: bytes) -> dict[str, dict]:
    """The geometry of each unit code of a GeoJSON FeatureCollection; a ValidationError
    listing every problem (feature number and code) otherwise."""
    if len(data) > MAX_BYTES:
        raise ValidationError(_("The file is too large."), code="too_large")
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValidationError(_("The file is not GeoJSON: %(error)s") % {"error": exc}) from exc
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise ValidationError(_("The file must be a GeoJSON FeatureCollection."))
    features = document.get("features")
    if not isinstance(features, list) or not features:
        raise ValidationError(_("The FeatureCollection has no features."))
    errors: list[str] = []
    geometries: dict[str, dict] = {}
    positions = 0
    for number, feature in enumerate(features, start=1):
        code = _feature_code(feature)
        where = _("Feature %(n)d (%(code)s)") % {"n": number, "code": code or "?"}
        if not code:
            errors.append(_("%(where)s: no unit code in its properties") % {"where": where})
            continue
        geometry = feature.get("geometry")
        problems = geometry_errors(geometry)
        errors += [f"{where}: {problem}" for problem in problems]
        if problems:
            continue
        if code in geometries:
            errors.append(_("%(where)s: the code appears twice") % {"where": where})
        positions += position_count(geometry)
        geometries[code] = {"type": geometry["type"], "coordinates": geometry["coordinates"]}
    if positions > MAX_POSITIONS:
        errors.append(
            _("The file holds %(n)d positions; at most %(max)d are drawn.")
            % {"n": positions, "max": MAX_POSITIONS}
        )
    if errors:
        raise ValidationError(errors)
    return geometries


@transaction.atomic
def unit_boundaries_import(*, data: bytes, acting_user) -> list[Unit]:
    """Set the boundary of every unit the file names by code (all or nothing). A code no
    unit has, or one of a unit the acting user cannot see, is an error naming it."""
    if not acting_user.has_perm("core.change_unit"):
        raise PermissionDenied(_("Your role may not change units."))
    geometries = parse_boundaries(data)
    units = {
        unit.code: unit
        for unit in Unit.objects.visible_to(acting_user).filter(code__in=list(geometries))
    }
    unknown = sorted(set(geometries) - set(units))
    if unknown:
        raise ValidationError(
            _("No unit of yours has the code: %(codes)s") % {"codes": ", ".join(unknown[:20])},
            code="unknown_unit",
        )
    for code, geometry in geometries.items():
        unit = units[code]
        unit.boundary = geometry
        save_audited(unit, acting_user=acting_user, update_fields=["boundary"])
    return list(units.values())
