"""The map of a unit's parts (辖区图), coloured by one figure: server-rendered SVG.

The units below the dashboard's unit are drawn from their boundaries (GeoJSON kept on the
unit, `core.boundaries`), projected here in Python (equirectangular, longitudes shrunk by
the cosine of the middle latitude: true enough for a district), so no tile server, no
internet and no script. Each area is a link to its unit's dashboard; the legend lists the
classes, and a table says the same in text.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from outpost.briefing.reports import ChildLine
from outpost.briefing.shares import format_share, share_percent
from outpost.core.models import Unit

WIDTH = 640
MAX_HEIGHT = 720
PAD = 6
# In the map's own units: about 11 px on a phone (the map 310 px wide), 24 on a desktop.
LABEL_SIZE = 22


@dataclass(frozen=True)
class MapFigure:
    """A figure the map can be coloured by: a count, or a share (`of` names its total)."""

    key: str
    label: str | Promise
    of: str = ""
    palette: tuple[str, ...] = ("#fff7ec", "#fdd49e", "#fc8d59", "#d7301f", "#7f0000")


SCREENING_PALETTE = ("#f7fcf5", "#c7e9c0", "#74c476", "#31a354", "#006d2c")
MAP_FIGURES = (
    MapFigure(
        "persons_screened", _("Screening progress"), of="persons_total", palette=SCREENING_PALETTE
    ),
    MapFigure("key_persons", _("Key persons under management")),
    MapFigure("alerts_open", _("Open fever alerts")),
    MapFigure("dispatch_overdue", _("Items overdue")),
    MapFigure("contacts_overdue", _("Contacts overdue")),
)


def map_figure(key: str) -> MapFigure:
    """The map figure of `key`; the first (screening progress) for an unknown key."""
    return next((f for f in MAP_FIGURES if f.key == key), MAP_FIGURES[0])


@dataclass(frozen=True)
class MapClass:
    """A class of the legend: values from `low` to `high` (inclusive) in one colour."""

    low: float
    high: float
    colour: str
    label: str

    def holds(self, value: float) -> bool:
        return self.low <= value <= self.high


@dataclass(frozen=True)
class Area:
    unit: Unit
    value: float | None
    text: str
    colour: str
    url: str


@dataclass(frozen=True)
class SubtreeMap:
    figure: MapFigure
    svg: SafeString
    classes: list[MapClass]
    areas: list[Area]  # every unit below, with or without a boundary, for the text table
    unmapped: list[Unit]  # units below without a boundary


def share_classes(palette: tuple[str, ...]) -> list[MapClass]:
    bounds = (0, 20, 40, 60, 80, 100)
    return [
        MapClass(low, high, colour, f"{low}–{high} %")
        for (low, high), colour in zip(itertools.pairwise(bounds), palette, strict=True)
    ]


def count_classes(values: list[float], palette: tuple[str, ...]) -> list[MapClass]:
    """Zero in the lightest colour, then up to four classes of equal width up to the most."""
    top = int(max(values, default=0))
    classes = [MapClass(0, 0, palette[0], "0")]
    if top <= 0:
        return classes
    step = math.ceil(top / 4)
    for n, low in enumerate(range(1, top + 1, step), start=1):
        high = min(low + step - 1, top)
        label = str(low) if low == high else f"{low}–{high}"
        classes.append(MapClass(low, high, palette[n], label))
    return classes


def _colour(value: float | None, classes: list[MapClass]) -> str:
    if value is None:
        return "#e5e7eb"
    # A share of 20.0 % sits in the class above 0–20 only at the boundary: the last
    # class that holds it wins, so 100 % is the darkest.
    held = [c for c in classes if c.holds(value)]
    return held[-1].colour if held else classes[-1].colour


def _rings(geometry: dict) -> list[list[list[float]]]:
    polygons = (
        [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    )
    return [ring for polygon in polygons for ring in polygon]


class Projection:
    """Longitude/latitude to the SVG's x/y: the bounding box of all areas fills WIDTH."""

    def __init__(self, geometries: list[dict]):
        positions = [p for g in geometries for ring in _rings(g) for p in ring]
        lons = [p[0] for p in positions]
        lats = [p[1] for p in positions]
        self.west, self.north = min(lons), max(lats)
        self.shrink = math.cos(math.radians((min(lats) + max(lats)) / 2))
        span_x = max((max(lons) - self.west) * self.shrink, 1e-9)
        span_y = max(self.north - min(lats), 1e-9)
        self.scale = min((WIDTH - 2 * PAD) / span_x, (MAX_HEIGHT - 2 * PAD) / span_y)
        # The drawing's own width: a tall area is not set left in an empty frame.
        self.width = math.ceil(span_x * self.scale + 2 * PAD)
        self.height = math.ceil(span_y * self.scale + 2 * PAD)

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return (
            PAD + (lon - self.west) * self.shrink * self.scale,
            PAD + (self.north - lat) * self.scale,
        )


def _path(geometry: dict, project: Projection) -> str:
    parts = []
    for ring in _rings(geometry):
        points = [project(p[0], p[1]) for p in ring[:-1]]
        parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in points) + "Z")
    return "".join(parts)


def _label_point(geometry: dict, project: Projection) -> tuple[float, float]:
    """The centroid of the largest outer ring (shoelace), in SVG coordinates."""
    polygons = (
        [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    )
    best = (0.0, 0.0, 0.0)
    for polygon in polygons:
        points = [project(p[0], p[1]) for p in polygon[0]]
        area = cx = cy = 0.0
        for (x0, y0), (x1, y1) in itertools.pairwise(points):
            cross = x0 * y1 - x1 * y0
            area += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
        if abs(area) > abs(best[0]):
            best = (area, cx / (3 * area), cy / (3 * area))
    return best[1], best[2]


def _common_start(texts: list[str]) -> str:
    """The characters all `texts` start with."""
    first = min(texts, key=len)
    for n, char in enumerate(first):
        if any(text[n] != char for text in texts):
            return first[:n]
    return first


def short_names(units: list[Unit]) -> dict[int, str]:
    """Labels for the map: what sets each name apart from its siblings' ("新生" for
    新生社区警务室 among the offices, "3" for 新生社区第3网格 among its grids). A number is
    never cut in two; a unit alone keeps its name."""
    names = [unit.name for unit in units]
    if len(names) < 2:
        return {unit.pk: unit.name for unit in units}
    prefix = _common_start(names)
    while prefix and prefix[-1].isdigit():
        prefix = prefix[:-1]
    suffix = _common_start([name[::-1] for name in names])[::-1]
    while suffix and suffix[0].isdigit():
        suffix = suffix[1:]
    labels = {}
    for unit in units:
        label = unit.name[len(prefix) : len(unit.name) - len(suffix)]
        labels[unit.pk] = label or unit.name
    return labels


def _value(figure: MapFigure, values: dict) -> tuple[float | None, str]:
    value = values.get(figure.key)
    if figure.of:
        total = values.get(figure.of)
        return share_percent(value, total), format_share(value, total)
    return value, "–" if value is None else str(value)


def _svg(areas: list[Area], parent: Unit, figure: MapFigure) -> SafeString:
    drawn = [a for a in areas if a.unit.boundary]
    project = Projection([a.unit.boundary for a in drawn])
    shapes, labels = [], []
    label_of = short_names([area.unit for area in drawn])
    for area in drawn:
        name = escape(area.unit.name)
        shapes.append(
            f'<a href="{escape(area.url)}" data-unit="{area.unit.pk}">'
            f'<path d="{_path(area.unit.boundary, project)}" fill="{area.colour}" '
            f'fill-rule="evenodd" stroke="#374151" stroke-width="1">'
            f"<title>{name}: {escape(area.text)}</title></path></a>"
        )
        x, y = _label_point(area.unit.boundary, project)
        labels.append(
            f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle" dominant-baseline="middle" '
            f'font-size="{LABEL_SIZE}" paint-order="stroke" stroke="#fff" stroke-width="3" '
            f'fill="#111827">{escape(label_of[area.unit.pk])}</text>'
        )
    title = escape(f"{parent.name} · {figure.label}")
    return mark_safe(  # every name and value above is escaped
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {project.width} '
        f'{project.height}" role="img" aria-label="{title}" '
        f"font-family=\"'Noto Sans CJK SC', sans-serif\">"
        f"<title>{title}</title>{''.join(shapes)}"
        f'<g pointer-events="none">{"".join(labels)}</g></svg>'
    )


def subtree_map(
    *, parent: Unit, children: list[ChildLine], figure: MapFigure, url: Callable[[Unit], str]
) -> SubtreeMap | None:
    """The units below `parent` coloured by `figure`; None when none has a boundary."""
    if not any(child.unit.boundary for child in children):
        return None
    measured = [(child, *_value(figure, child.values)) for child in children]
    if figure.of:
        classes = share_classes(figure.palette)
    else:
        classes = count_classes([v for _c, v, _t in measured if v is not None], figure.palette)
    areas = [
        Area(child.unit, value, text, _colour(value, classes), url(child.unit))
        for child, value, text in measured
    ]
    return SubtreeMap(
        figure=figure,
        svg=_svg(areas, parent, figure),
        classes=classes,
        areas=areas,
        unmapped=[area.unit for area in areas if not area.unit.boundary],
    )
