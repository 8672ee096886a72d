"""The site daily report (每日信息通报) as a page, as xlsx and as PDF for printing: one fixed layout of the figures
for both, and the workbook with its list of that day's alerts and transfers.

The builder only writes, through the shared writer; `SiteDailyReportExport` says what the
export lists and needs (registered in `ObservationConfig.ready()`); scope, reason and the
access log are `core.exports`'. Names and ID numbers are always masked here.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from openpyxl.styles import Alignment, Font, PatternFill

from outpost.core.exports.base import (
    ExportDefinition,
    ExportRequest,
    Fact,
    Masking,
    Written,
    safe_filename,
)
from outpost.core.exports.xlsx import GRID, HEADING_FILL, Sheet, XlsxBook, export_subtitle
from outpost.core.masking import mask_name
from outpost.core.printing import print_context
from outpost.core.scoping import get_visible
from outpost.observation.choices import (
    FEVER_OUTCOMES,
    MISSED_OUTCOMES,
    AlertKind,
    AlertOutcome,
    AlertStatus,
    EndReason,
)
from outpost.observation.models import Alert, Episode, IsolationSite, Room, SiteDailyReport


@dataclass(frozen=True)
class Line:
    label: str
    value: int | str
    # Sub-lines (outcomes under "raised") are indented on the page and in the sheet.
    indent: bool = False
    # The figure's rows in `figures["rows"]` (the workbook's "Lists" sheet lists them).
    key: str = ""


@dataclass(frozen=True)
class Section:
    title: str
    lines: list[Line]


def _state_labels() -> dict[str, str]:
    labels = {value: str(label) for value, label in AlertOutcome.choices}
    labels[AlertStatus.OPEN] = _("Not acknowledged")
    labels[AlertStatus.ACKNOWLEDGED] = _("Acknowledged, not resolved")
    return labels


def _alert_lines(kind: str, counts: dict, outcomes) -> list[Line]:
    states = _state_labels()
    order = [AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED, *outcomes]
    return [
        Line(
            pgettext("alert count", "Raised"), counts.get("raised", 0), key=f"alerts.{kind}.raised"
        )
    ] + [
        Line(states[state], counts.get(state, 0), indent=True, key=f"alerts.{kind}.{state}")
        for state in order
    ]


def figure_sections(figures: dict) -> list[Section]:
    """The report's fixed layout (the same rows in the same order every day), from the
    figures of a live or frozen report."""
    rooms, check_ins = figures["rooms"], figures["check_ins"]
    alerts, episodes = figures["alerts"], figures["episodes"]
    transfers = figures["transfers"]
    return [
        Section(
            _("People and rooms"),
            [
                Line(_("Checked in"), figures["arrivals"], key="arrivals"),
                Line(_("Checked out"), figures["departures"], key="departures"),
                Line(_("Room changes"), figures["room_moves"], key="room_moves"),
                Line(_("In isolation"), figures["occupancy"], key="occupancy"),
                Line(_("Rooms"), rooms["total"], key="rooms.total"),
                Line(_("Occupied"), rooms["occupied"], indent=True, key="rooms.occupied"),
                Line(_("Free"), rooms["free"], indent=True, key="rooms.free"),
                Line(_("Cleaning"), rooms["cleaning"], indent=True, key="rooms.cleaning"),
                Line(
                    _("Out of service"),
                    rooms["out_of_service"],
                    indent=True,
                    key="rooms.out_of_service",
                ),
            ],
        ),
        Section(
            _("Check-ins"),
            [
                Line(_("Expected"), check_ins["expected"], key="check_ins.expected"),
                Line(_("Done"), check_ins["done"], key="check_ins.done"),
                Line(_("Missing"), check_ins["missing"], key="check_ins.missing"),
            ],
        ),
        Section(
            _("Fever alerts"),
            _alert_lines(AlertKind.FEVER, alerts.get(AlertKind.FEVER, {}), FEVER_OUTCOMES),
        ),
        Section(
            _("Missed check-in alerts"),
            _alert_lines(
                AlertKind.MISSED_CHECK_IN,
                alerts.get(AlertKind.MISSED_CHECK_IN, {}),
                MISSED_OUTCOMES,
            ),
        ),
        Section(
            _("Transfers to a fever clinic"),
            [Line(_("Transfers"), len(transfers), key="transfers")]
            + [
                Line(f"{_time(t['at'])} {t['place']}", "", indent=True)
                for t in sorted(transfers, key=lambda t: t["at"])
            ],
        ),
        Section(
            _("Observation episodes"),
            [Line(_("Started that day"), episodes["started"], key="episodes.started")]
            + [
                Line(
                    _("Ended: %(reason)s") % {"reason": label},
                    episodes["ended"].get(reason, 0),
                    key=f"episodes.ended.{reason}",
                )
                for reason, label in EndReason.choices
            ],
        ),
    ]


def _time(iso: str) -> str:
    """An ISO time of the figures as the report shows it: local, 24 h."""
    if not iso:
        return ""
    return timezone.localtime(datetime.datetime.fromisoformat(iso)).strftime("%Y-%m-%d %H:%M")


# ---------------------------------------------------------------------------- the workbook

SECTION_FILL = PatternFill("solid", fgColor="EEF2F7")
HEADING_ROW = 3


def list_columns() -> list[tuple[str, int]]:
    """The list sheet's headings and widths."""
    return [
        (_("No."), 6),  # 序号
        (_("Alert type"), 20),  # 预警类型
        (_("Raised"), 17),  # 预警时间
        (_("Key person"), 12),  # 姓名
        (_("ID number"), 21),  # 身份证号
        (_("Temperature (°C)"), 10),  # 体温
        (_("Check-in due at"), 17),  # 应报时间
        (_("Status or outcome"), 20),  # 处置情况
        (_("Transferred to"), 20),  # 转送地点
        (_("Transferred at"), 17),  # 转送时间
    ]


def _start(sheet: Sheet, *, title: str, subtitle: str, headings: list[str], widths, landscape):
    """Widths, print setup and merged title rows come before the first row (write-only)."""
    sheet.widths(widths)
    sheet.merge_row(1, len(headings))
    sheet.merge_row(2, len(headings))
    sheet.print_setup(landscape=landscape, header_row=HEADING_ROW)
    sheet.append([title], font=Font(bold=True, size=16), alignment=Alignment(horizontal="center"))
    sheet.append([subtitle], font=Font(size=10, color="555555"))
    sheet.append(
        headings,
        font=Font(bold=True),
        fill=HEADING_FILL,
        border=GRID,
        alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
    )


def _stamp(report: SiteDailyReport) -> str:
    if report.closed_at:
        return _("Closed at %(time)s") % {
            "time": timezone.localtime(report.closed_at).strftime("%Y-%m-%d %H:%M")
        }
    return _("Live figures as of %(time)s (the day is not closed)") % {
        "time": _time(report.figures["as_of"])
    }


def site_day_workbook(*, acting_user, report: SiteDailyReport, now) -> tuple[bytes, int]:
    """The workbook of one day's report and the number of people-rows of its list sheet."""
    book = XlsxBook()
    title = _("%(site)s daily report %(day)s") % {
        "site": report.site.name,
        "day": report.day.isoformat(),
    }
    subtitle = " · ".join(
        [
            _stamp(report),
            export_subtitle(acting_user=acting_user, today=timezone.localdate(now), unmasked=False),
        ]
    )

    figures = book.sheet(_("Figures"))
    _start(
        figures,
        title=title,
        subtitle=subtitle,
        headings=[_("Section"), _("Item"), _("Figure")],
        widths=(24, 36, 10),
        landscape=False,
    )
    for section in figure_sections(report.figures):
        for index, line in enumerate(section.lines):
            first = index == 0
            figures.append(
                [
                    figures.cell(
                        section.title if first else "",
                        border=GRID,
                        font=Font(bold=True) if first else None,
                        fill=SECTION_FILL if first else None,
                    ),
                    figures.cell(f"    {line.label}" if line.indent else line.label, border=GRID),
                    figures.cell(line.value, border=GRID),
                ]
            )

    listing = book.sheet(_("Alerts and transfers"))
    columns = list_columns()
    _start(
        listing,
        title=title,
        subtitle=subtitle,
        headings=[heading for heading, _width in columns],
        widths=[width for _heading, width in columns],
        landscape=True,
    )
    rows = _list_rows(acting_user=acting_user, figures=report.figures)
    for number, row in enumerate(rows, start=1):
        cells = []
        for column, value in enumerate([number, *row], start=1):
            # ID numbers as text: Excel would turn 18 digits into a rounded number.
            cells.append(
                listing.cell(
                    value,
                    border=GRID,
                    text=column == 5,
                    number_format="0.0" if column == 6 and value != "" else None,
                )
            )
        listing.append(cells)
    if not rows:
        listing.append(["", _("No alerts or transfers that day.")])
    _lists_sheet(book, acting_user=acting_user, report=report, title=title, subtitle=subtitle)

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), len(rows)


def _list_rows(*, acting_user, figures: dict) -> list[list]:
    """The day's alerts and transfers with the person's masked name and ID number; rows of
    people outside the user's jurisdiction are left out."""
    entries = figures.get("alert_rows", [])
    episodes = {
        episode.pk: episode
        for episode in Episode.objects.visible_to(acting_user)
        .filter(pk__in={entry["episode"] for entry in entries})
        .select_related("key_person__resident")
    }
    kinds = dict(AlertKind.choices)
    states = _state_labels()
    rows = []
    for entry in entries:
        episode = episodes.get(entry["episode"])
        if episode is None:
            continue
        person = episode.key_person
        rows.append(
            [
                str(kinds.get(entry["kind"], entry["kind"])),
                _time(entry["raised_at"]),
                mask_name(person.display_name),
                person.masked_id_number,
                float(entry["temperature"]) if entry["temperature"] else "",
                _time(entry["slot_at"]),
                states.get(entry["state"], entry["state"]),
                entry["transfer_place"],
                _time(entry["transferred_at"]),
            ]
        )
    return rows


# ---------------------------------------------------------------------------- the lists


def lists_columns() -> list[tuple[str, int]]:
    """The "Lists" sheet's headings and widths: each figure's rows under its label."""
    return [
        (_("Figure"), 28),
        (_("No."), 6),
        (_("Key person"), 12),
        (_("ID number"), 21),
        (_("Detail"), 24),
    ]


def _lists_sheet(
    book: XlsxBook, *, acting_user, report: SiteDailyReport, title: str, subtitle: str
):
    """One row per row of each figure (the people who arrived, each check-in slot done or
    missed, each alert…), so every figure can be checked against the rows it counts. A
    report frozen before the rows were kept has no such sheet."""
    rows_of = report.figures.get("rows")
    if rows_of is None:
        return
    sheet = book.sheet(_("Lists"))
    columns = lists_columns()
    _start(
        sheet,
        title=title,
        subtitle=subtitle,
        headings=[heading for heading, _width in columns],
        widths=[width for _heading, width in columns],
        landscape=True,
    )
    lines = [
        (section, line)
        for section in figure_sections(report.figures)
        for line in section.lines
        if line.key
    ]
    episode_ids, alert_ids, room_ids = set(), set(), set()
    for _section, line in lines:
        for row in rows_of.get(line.key, []):
            kind = _row_kind(line.key)
            if kind == "slot":
                episode_ids.add(row[0])
            else:
                {"room": room_ids, "alert": alert_ids, "episode": episode_ids}[kind].add(row)
    episodes = Episode.objects.visible_to(acting_user).select_related("key_person__resident")
    episodes = episodes.in_bulk(episode_ids)
    alerts = Alert.objects.visible_to(acting_user).select_related("episode__key_person__resident")
    alerts = alerts.in_bulk(alert_ids)
    rooms = Room.objects.visible_to(acting_user).in_bulk(room_ids)
    for section, line in lines:
        label = f"{section.title}: {line.label}"
        number = 0
        for row in rows_of.get(line.key, []):
            shown = _list_row(_row_kind(line.key), row, episodes, alerts, rooms)
            if shown is None:
                continue  # outside the user's jurisdiction
            number += 1
            # ID numbers as text: Excel would turn 18 digits into a rounded number.
            cells = [sheet.cell(v, text=i == 1, border=GRID) for i, v in enumerate(shown)]
            sheet.append([label, number, *cells], border=GRID)


def _row_kind(key: str) -> str:
    if key.startswith("rooms."):
        return "room"
    if key.startswith("check_ins."):
        return "slot"
    if key.startswith("alerts.") or key == "transfers":
        return "alert"
    return "episode"


def _person(episode) -> list[str]:
    person = episode.key_person
    return [mask_name(person.display_name), person.masked_id_number]


def _list_row(kind: str, row, episodes, alerts, rooms) -> list | None:
    if kind == "room":
        room = rooms.get(row)
        return None if room is None else ["", "", str(room)]
    if kind == "slot":
        episode = episodes.get(row[0])
        return None if episode is None else [*_person(episode), _time(row[1])]
    if kind == "alert":
        alert = alerts.get(row)
        if alert is None:
            return None
        return [
            *_person(alert.episode),
            f"{alert.get_kind_display()} {_time(alert.raised_at.isoformat())}",
        ]
    episode = episodes.get(row)
    return None if episode is None else [*_person(episode), ""]


# ---------------------------------------------------------------------------- the PDF

REPORT_FORMATS = ("xlsx", "pdf")


def site_day_pdf(*, acting_user, report: SiteDailyReport, now) -> tuple[bytes, int]:
    """The day's report for printing (A4, WeasyPrint, Noto Sans CJK SC, like the briefing's
    daily report): the figures, the day's alerts and transfers (masked), the deployment's
    classification on every page and the sign-off block (编制人, 审核人, 日期)."""
    # Imported here: WeasyPrint loads Pango and its fonts, which pages never need.
    from weasyprint import HTML

    rows = _list_rows(acting_user=acting_user, figures=report.figures)
    html = render_to_string(
        "observation/site_report_pdf.html",
        {
            "title": _("%(site)s daily report %(day)s")
            % {"site": report.site.name, "day": report.day.isoformat()},
            "subtitle": " · ".join(
                [
                    _stamp(report),
                    export_subtitle(
                        acting_user=acting_user, today=timezone.localdate(now), unmasked=False
                    ),
                ]
            ),
            "sections": figure_sections(report.figures),
            "columns": [heading for heading, _width in list_columns()],
            "rows": [[number, *row] for number, row in enumerate(rows, start=1)],
            **print_context(acting_user=acting_user),
        },
    )
    return HTML(string=html).write_pdf(), len(rows)


class SiteDailyReportExport(ExportDefinition):
    """The workbook of a site's day: the figures and the list of that day's alerts and
    transfers (masked names and ID numbers)."""

    name = "observation.site_daily_report"
    label = gettext_lazy("Site daily report")
    model = Alert
    fields = ("key_person", "id_number")
    masking = Masking.MASKED
    permissions = ("core.export_personal_data",)
    permission_message = gettext_lazy("Your role may not export personal data.")

    def file_format(self, params: dict) -> str:
        return "pdf" if params.get("file_format") == "pdf" else "xlsx"

    def records(self, *, user, params: dict) -> dict:
        return {"site": get_visible(IsolationSite, user, params["site_id"])}

    def clean(self, *, params: dict, records: dict) -> None:
        if datetime.date.fromisoformat(params["day"]) > timezone.localdate():
            raise ValidationError({"day": _("There is no report for a day still to come.")})

    def purpose(self, *, params: dict, records: dict, unmasked: bool) -> str:
        return _("Site daily report: %(site)s, %(day)s, masked") % {
            "site": records["site"].name,
            "day": params["day"],
        }

    def facts(self, *, params: dict, records: dict) -> list[Fact]:
        return [Fact(_("Site"), records["site"].name), Fact(_("Day"), params["day"])]

    def another_url(self, *, params: dict, records: dict) -> str:
        if not records:
            return ""
        url = reverse("observation:site_report", args=[records["site"].pk])
        return f"{url}?day={params['day']}"

    def write(self, *, request: ExportRequest, records: dict, target) -> Written:
        from outpost.observation.services.reports import site_day_report

        site, now = records["site"], timezone.now()
        day = datetime.date.fromisoformat(request.params["day"])
        with transaction.atomic():
            report = site_day_report(site=site, day=day, now=now)
        suffix = self.file_format(request.params)
        write = site_day_pdf if suffix == "pdf" else site_day_workbook
        content, rows = write(acting_user=request.acting_user, report=report, now=now)
        target.write(content)
        filename = safe_filename(_("Site daily report"), site.name, day.isoformat(), suffix=suffix)
        return Written(rows=rows, filename=filename)


EXPORTS = [SiteDailyReportExport()]
