"""The incident comparison chart (警情同比): inline SVG made on the server, no script, like
the other charts. Per category, this period's bar beside last year's same period."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.translation import gettext as _

from outpost.publicorder.choices import IncidentCategory

WIDTH, HEIGHT = 520, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 28, 40
NOW, LAST, GRID = "#1d4ed8", "#9ca3af", "#e5e7eb"


def _nice_max(value: int) -> int:
    for step in (5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000):
        if value <= step:
            return step
    return value


def comparison_chart_svg(comparison) -> str:
    """Grouped bars of `selectors.IncidentComparison`'s totals per category."""
    totals = comparison.totals
    top = _nice_max(max([max(pair) for pair in totals.values()] + [1]))
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = inner_w / len(totals)
    bar = slot * 0.3
    now_total, last_total = comparison.total
    label = _("Incidents %(since)s to %(until)s: %(now)d; same period last year: %(last)d") % {
        "since": comparison.since.isoformat(),
        "until": comparison.until.isoformat(),
        "now": now_total,
        "last": last_total,
    }
    this_period, last_year = _("This period"), _("Same period last year")
    parts = [
        f'<svg class="comparison-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(label)}</title>",
        f'<rect x="{LEFT}" y="6" width="12" height="12" fill="{NOW}"/>'
        f'<text x="{LEFT + 16}" y="16" font-size="12">{escape(this_period)}</text>'
        f'<rect x="{LEFT + 140}" y="6" width="12" height="12" fill="{LAST}"/>'
        f'<text x="{LEFT + 156}" y="16" font-size="12">'
        f"{escape(last_year)}</text>",
    ]
    for fraction in (0, 0.5, 1):
        y = TOP + inner_h * (1 - fraction)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">'
            f"{round(top * fraction)}</text>"
        )
    for index, (category, (now, last)) in enumerate(totals.items()):
        name = IncidentCategory(category).label
        x = LEFT + slot * index + slot / 2
        for offset, value, colour, css in ((-bar, now, NOW, "now"), (0, last, LAST, "last")):
            height = inner_h * value / top
            tip = f"{name}: {value}"
            parts.append(
                f'<rect class="{css}" x="{x + offset:.1f}" y="{TOP + inner_h - height:.1f}" '
                f'width="{bar:.1f}" height="{height:.1f}" fill="{colour}">'
                f"<title>{escape(tip)}</title></rect>"
            )
        parts.append(
            f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
            f'font-size="12">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
