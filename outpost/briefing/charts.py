"""Trend charts of the dashboard: server-rendered SVG (pygal), no script and no CDN."""

import datetime

import pygal
from pygal.style import Style

STYLE = Style(
    background="transparent",
    plot_background="transparent",
    font_family="'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif",
    colors=("#1d4ed8", "#b91c1c", "#15803d", "#a16207", "#7c3aed"),
    label_font_size=12,
    legend_font_size=13,
    major_label_font_size=12,
)


def _without_scripts(root):
    # pygal always writes an inline <script> of its tooltip config; the page's
    # Content-Security-Policy refuses inline script, and there are no tooltips to configure.
    for script in root.findall(".//{*}script"):
        script.getparent().remove(script)
    return root


def trend_chart_svg(*, title: str, series: dict[str, list[tuple[datetime.date, int]]]) -> str:
    """A line chart of named series over the same days, as inline SVG markup."""
    days = sorted({day for points in series.values() for day, _value in points})
    chart = pygal.Line(
        js=[],
        style=STYLE,
        width=760,
        height=300,
        title=title,
        show_legend=True,
        legend_at_bottom=True,
        legend_at_bottom_columns=len(series),
        x_label_rotation=0,
        show_minor_x_labels=False,
        truncate_legend=-1,
        disable_xml_declaration=True,
        explicit_size=False,
        margin=8,
        dots_size=3,
    )
    chart.add_xml_filter(_without_scripts)
    chart.x_labels = [day.strftime("%m-%d") for day in days]
    chart.x_labels_major = chart.x_labels[:: max(1, len(days) // 6)]
    for name, points in series.items():
        by_day = dict(points)
        chart.add(name, [by_day.get(day) for day in days])
    return chart.render(is_unicode=True)
