"""The trend of an enterprise's daily tests (检测趋势): inline SVG made on the server, no
script and no library, like the observation temperature chart.

One column per day: the employees reported as a blue bar (a day without a report: a grey
mark at the bottom), fevers and positive results as red and purple bars in front of it,
on their own scale (a handful against hundreds) on the right."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 40, 12, 28
REPORTED, FEVER, POSITIVE, MISSING, GRID = "#93c5fd", "#b91c1c", "#6d28d9", "#9ca3af", "#e5e7eb"


def _nice_max(value: int) -> int:
    for step in (5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000):
        if value <= step:
            return step
    return value


def trend_chart_svg(trend: list[dict]) -> str:
    """`trend`: `selectors_employees.enterprise_trend`'s days, oldest first. "" when empty."""
    if not trend:
        return ""
    count = len(trend)
    top = _nice_max(max(max(day["reported"] for day in trend), 1))
    flagged_top = _nice_max(max(max(day["fevers"] + day["positives"] for day in trend), 1))
    inner_w = WIDTH - LEFT - RIGHT
    inner_h = HEIGHT - TOP - BOTTOM
    slot = inner_w / count
    bar = max(slot * 0.7, 2)
    label = _(
        "Employee tests over %(n)d days: %(reported)d tests, %(fevers)d fevers, "
        "%(positives)d positive results"
    ) % {
        "n": count,
        "reported": sum(day["reported"] for day in trend),
        "fevers": sum(day["fevers"] for day in trend),
        "positives": sum(day["positives"] for day in trend),
    }
    parts = [
        f'<svg class="trend-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(label)}</title>",
    ]
    for fraction in (0, 0.5, 1):
        y = TOP + inner_h * (1 - fraction)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">'
            f"{round(top * fraction)}</text>"
            f'<text x="{WIDTH - RIGHT + 6}" y="{y + 4:.1f}" font-size="11" fill="{FEVER}">'
            f"{round(flagged_top * fraction)}</text>"
        )
    for index, day in enumerate(trend):
        x = LEFT + slot * index + (slot - bar) / 2
        when = day["day"].strftime("%m-%d")
        if not day["sent"]:
            tip = _("%(day)s: not reported") % {"day": when}
            parts.append(
                f'<rect class="missing" x="{x:.1f}" y="{TOP + inner_h - 3:.1f}" width="{bar:.1f}" '
                f'height="3" fill="{MISSING}"><title>{escape(tip)}</title></rect>'
            )
            continue
        tip = _("%(day)s: %(reported)d tested, %(fevers)d fevers, %(positives)d positive") % {
            "day": when,
            "reported": day["reported"],
            "fevers": day["fevers"],
            "positives": day["positives"],
        }
        height = inner_h * day["reported"] / top
        parts.append(
            f'<rect class="reported" x="{x:.1f}" y="{TOP + inner_h - height:.1f}" '
            f'width="{bar:.1f}" height="{height:.1f}" fill="{REPORTED}">'
            f"<title>{escape(tip)}</title></rect>"
        )
        base = TOP + inner_h
        for value, colour, css in (
            (day["fevers"], FEVER, "fever"),
            (day["positives"], POSITIVE, "positive"),
        ):
            if not value:
                continue
            h = inner_h * value / flagged_top
            parts.append(
                f'<rect class="{css}" x="{x + bar / 4:.1f}" y="{base - h:.1f}" '
                f'width="{bar / 2:.1f}" height="{h:.1f}" fill="{colour}">'
                f"<title>{escape(tip)}</title></rect>"
            )
            base -= h
    for index in sorted({0, count - 1}):
        x = LEFT + slot * index + slot / 2
        anchor = "start" if index == 0 and count > 1 else ("end" if count > 1 else "middle")
        parts.append(
            f'<text x="{x:.1f}" y="{HEIGHT - 8}" text-anchor="{anchor}" font-size="11">'
            f"{trend[index]['day'].strftime('%m-%d')}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
