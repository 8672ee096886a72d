"""The temperature chart of an observation episode (体温曲线): inline SVG made on the server,
no script and no library, so it shows on any phone and prints.

One dot per check-in in the order taken, joined by a line; the fever threshold a dashed
red line; a dot at or above it red. Times are China time."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 640, 200
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 28
LOW, HIGH = Decimal("35.5"), Decimal("40.0")
NORMAL, FEVER, GRID = "#1d4ed8", "#b91c1c", "#d1d5db"


def _y(temperature: Decimal) -> float:
    value = min(max(temperature, LOW), HIGH)
    span = float(HIGH - LOW)
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - float(value - LOW) / span)


def _x(index: int, count: int) -> float:
    inner = WIDTH - LEFT - RIGHT
    return LEFT + (inner / 2 if count == 1 else inner * index / (count - 1))


def temperature_chart_svg(check_ins, *, threshold: Decimal) -> str:
    """`check_ins`: objects with `taken_at` and `temperature`, any order. "" when none."""
    points = sorted(check_ins, key=lambda c: c.taken_at)
    if not points:
        return ""
    count = len(points)
    label = _("Temperature chart, %(n)d check-ins, fever threshold %(t)s °C") % {
        "n": count,
        "t": threshold,
    }
    parts = [
        f'<svg class="temperature-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(label)}</title>",
    ]
    for mark in (Decimal("36.0"), Decimal("37.0"), Decimal("38.0"), Decimal("39.0")):
        y = _y(mark)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{mark}</text>'
        )
    y = _y(threshold)
    parts.append(
        f'<line class="threshold" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
        f'stroke="{FEVER}" stroke-dasharray="6 4"/>'
    )
    coords = [(_x(i, count), _y(c.temperature)) for i, c in enumerate(points)]
    if count > 1:
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        parts.append(f'<polyline points="{line}" fill="none" stroke="{NORMAL}" stroke-width="2"/>')
    for (x, y), check_in in zip(coords, points, strict=True):
        colour = FEVER if check_in.temperature >= threshold else NORMAL
        moment = timezone.localtime(check_in.taken_at).strftime("%m-%d %H:%M")
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}">'
            f"<title>{moment} {check_in.temperature} °C</title></circle>"
        )
    for index in sorted({0, count - 1}):
        x = coords[index][0]
        day = timezone.localtime(points[index].taken_at).strftime("%m-%d")
        anchor = "start" if index == 0 and count > 1 else ("end" if count > 1 else "middle")
        parts.append(
            f'<text x="{x:.1f}" y="{HEIGHT - 8}" text-anchor="{anchor}" font-size="11">{day}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
