"""Trend charts of the dashboard: server-rendered SVG (pygal), no script and no CDN."""

import datetime
import functools

import pygal
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from pygal.style import Style

STYLE = Style(
    background="transparent",
    plot_background="transparent",
    font_family="'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif",
    colors=("#1d4ed8", "#b91c1c", "#15803d", "#a16207", "#7c3aed"),
    # Sizes in the chart's own units: drawn 480 wide, a phone shows it about 300 px wide,
    # so 20 stays readable there (about 12 px) and is not shouting on a desktop.
    label_font_size=20,
    major_label_font_size=20,
    legend_font_size=20,
    title_font_size=20,
    value_font_size=18,
)


def _without_scripts(root):
    # pygal always writes an inline <script> of its tooltip config; the page's
    # Content-Security-Policy refuses inline script, and there are no tooltips to configure.
    for script in root.findall(".//{*}script"):
        script.getparent().remove(script)
    return root


def trend_chart_svg(
    *, title: str, series: dict[str, list[tuple[datetime.date, int]]], y_title: str = ""
) -> str:
    """A line chart of named series over the same days, as inline SVG markup; `y_title`
    names the unit of the values (persons, alerts)."""
    points = tuple((str(name), tuple(values)) for name, values in series.items())
    return _chart_svg(str(title), points, str(y_title), get_language())


# pygal takes ~10 ms a chart and the same figures draw the same chart: every page view of a
# closed day, and today's until a figure moves. Kept per process, keyed by what is drawn.
@functools.lru_cache(maxsize=256)
def _chart_svg(title: str, series: tuple, y_title: str, language: str | None) -> str:
    days = sorted({day for _name, values in series for day, _value in values})
    chart = pygal.Line(
        js=[],
        style=STYLE,
        width=480,
        height=360,
        title=title,
        y_title=y_title,
        x_title=_("Day (MM-DD)"),
        min_scale=2,
        max_scale=6,
        show_legend=True,
        legend_at_bottom=True,
        legend_at_bottom_columns=1,
        x_label_rotation=0,
        show_minor_x_labels=False,
        truncate_legend=-1,
        disable_xml_declaration=True,
        explicit_size=False,
        margin=8,
        margin_right=28,  # room for the last day's label
        dots_size=3,
    )
    chart.add_xml_filter(_without_scripts)
    chart.x_labels = [day.strftime("%m-%d") for day in days]
    chart.x_labels_major = chart.x_labels[:: max(1, len(days) // 4)]
    for name, values in series:
        by_day = dict(values)
        chart.add(name, [by_day.get(day) for day in days])
    return chart.render(is_unicode=True)
