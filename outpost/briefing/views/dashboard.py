"""The dashboard (会商研判看板) and the list behind each of its figures."""

import datetime

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.generic import TemplateView

from outpost.briefing.charts import trend_chart_svg
from outpost.briefing.figures import figure_by_key, figure_model
from outpost.briefing.glance import column_totals, thresholds, tile_groups
from outpost.briefing.maps import MAP_FIGURES, map_figure, subtree_map
from outpost.briefing.models import DailySnapshot
from outpost.briefing.reports import day_figures
from outpost.briefing.rows import RELATED, row_display
from outpost.briefing.selectors import trends, visible_figure_rows
from outpost.core.models import Unit
from outpost.core.scoping import user_scope_unit
from outpost.core.viewmixins import ScopedViewMixin

# The figures charted over time, one chart each group, with the unit of the y axis.
TREND_CHARTS = (
    (("key_persons", "contacts_overdue"), _lazy("persons")),
    (("observation_home", "observation_centralized", "alerts_open"), _lazy("persons / alerts")),
)


class BriefingUnitMixin(ScopedViewMixin, PermissionRequiredMixin):
    """A unit of the user's subtree (?unit=, default the user's own) and a day (?day=,
    default today; never after today)."""

    model = DailySnapshot
    permission_required = "briefing.view_dailysnapshot"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.unit = self._chosen_unit()
        today = timezone.localdate()
        day = parse_date(request.GET.get("day", "") or "") or today
        self.day = min(day, today)
        return super().dispatch(request, *args, **kwargs)

    def _chosen_unit(self) -> Unit:
        units = Unit.objects.visible_to(self.request.user)
        raw = self.request.GET.get("unit", "")
        if raw:
            try:
                return units.get(pk=int(raw))
            except (ValueError, Unit.DoesNotExist) as exc:
                raise Http404(_("unit")) from exc
        own = user_scope_unit(self.request.user)
        if own is None:
            own = units.filter(parent__isnull=True).first()
        if own is None:
            raise Http404(_("unit"))
        return own

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        return super().get_context_data(
            unit=self.unit,
            day=self.day,
            is_today=self.day == today,
            yesterday=today - datetime.timedelta(days=1),
            **kwargs,
        )


class DashboardView(BriefingUnitMixin, TemplateView):
    """Where the unit stands today (or on a past day), what changed, and its parts."""

    template_name = "briefing/dashboard.html"

    def get_context_data(self, **kwargs):
        figures = day_figures(unit=self.unit, day=self.day)
        labels = {figure.key: str(figure.label) for figure in figures.figures}
        charts = []
        for keys, y_title in TREND_CHARTS:
            series = trends(unit=self.unit, keys=list(keys), until=figures)
            charts.append(
                trend_chart_svg(
                    title=_("Last 30 days"),
                    series={labels[key]: points for key, points in series.items()},
                    y_title=str(y_title),
                )
            )
        columns = [figure for figure in figures.figures if figure.key in DRILL_DOWN]
        children = [
            (child.unit, [(figure, child.values.get(figure.key)) for figure in columns])
            for child in figures.children
        ]
        totals = column_totals([[value for _f, value in values] for _u, values in children])
        limits = thresholds()
        return super().get_context_data(
            figures=figures,
            tile_groups=tile_groups(figures, limits),
            charts=charts,
            drill_columns=columns,
            children=children,
            totals=list(zip(columns, totals, strict=True)) if children else [],
            map=self._map(figures),
            map_figures=MAP_FIGURES,
            **kwargs,
        )

    def _map(self, figures):
        figure = map_figure(self.request.GET.get("map", ""))
        day = self.day.isoformat()

        def url(unit):
            return f"?unit={unit.pk}&day={day}&map={figure.key}"

        return subtree_map(parent=self.unit, children=figures.children, figure=figure, url=url)


# The figures in the drill-down table (one column each), the station's main numbers.
DRILL_DOWN = {
    "households_screened",
    "persons_screened",
    "arrivals_new",
    "key_persons",
    "contacts_overdue",
    "observation_home",
    "observation_centralized",
    "alerts_open",
}


# The page where the rows of an enterprise figure are worked on (filtered as the figure
# counts them, over the user's whole area, today): its URL name, its query (a function of
# the day), the permission it needs and the link's text. Shown on the figure's page of rows.
WORK_PAGES = {
    "requests_open": (
        "supplies:request_list",
        lambda day: {"status": "pending"},
        "enterprises.view_enterpriserequest",
        _lazy("Work on them in the requests list"),
    ),
    "requests_overdue": (
        "supplies:request_list",
        lambda day: {"status": "overdue"},
        "enterprises.view_enterpriserequest",
        _lazy("Work on them in the requests list"),
    ),
    "notices_unconfirmed": (
        "enterprise_notices:list",
        lambda day: {},
        "enterprises.view_notice",
        _lazy("Open the notices, each with who has not confirmed"),
    ),
    **{
        key: (
            "supplies:ledger",
            lambda day: {"since": day.isoformat(), "until": day.isoformat()},
            "enterprises.view_ledgerline",
            _lazy("Open the day in the donations ledger"),
        )
        for key in ("supplies_in", "supplies_out")
    },
    **{
        key: (
            "enterprise_tests:unreported",
            lambda day: {"day": day.isoformat()},
            "enterprises.view_dailytestreport",
            _lazy("Open the day's reports and reminders (催报)"),
        )
        for key in ("enterprises_reporting", "enterprises_reported", "enterprises_unreported")
    },
    "employee_fevers": (
        "observation:alert_list",
        lambda day: {"kind": "fever"},
        "observation.view_alert",
        _lazy("Work on them in the alerts list"),
    ),
}


def work_page(*, key: str, day: datetime.date, user) -> tuple[str, str] | None:
    """The link (URL, text) to the page where a figure's rows are worked on, for a user
    who may open it; None for the other figures."""
    page = WORK_PAGES.get(key)
    if page is None:
        return None
    url_name, query, permission, text = page
    if not user.has_perm(permission):
        return None
    params = query(day)
    url = reverse(url_name) + (f"?{urlencode(params)}" if params else "")
    return url, str(text)


class FigureRowsView(BriefingUnitMixin, TemplateView):
    """The rows behind one figure (?key=) of the unit: what the number counts, scoped to the
    user and masked. The default figure is the key persons under management."""

    template_name = "briefing/figure_rows.html"

    def get_context_data(self, **kwargs):
        figure = figure_by_key(self.request.GET.get("key", "") or "key_persons")
        if figure is None:
            raise Http404(_("figure"))
        rows = visible_figure_rows(
            user=self.request.user,
            figure=figure,
            unit=self.unit,
            day=self.day,
            related=RELATED[figure_model(figure)],
        )
        page = Paginator(rows, 50).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            figure=figure,
            page_obj=page,
            rows=[row_display(row) for row in page.object_list],
            work_page=work_page(key=figure.key, day=self.day, user=self.request.user),
            **kwargs,
        )
