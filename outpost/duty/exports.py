"""The roster as printable files — xlsx through the one xlsx writer (text as text, A4
landscape) and PDF through WeasyPrint (A4 landscape, Noto Sans CJK) — and the duty record
per person (shifts worked, hours, check-ins handled and alerts acknowledged)."""

from __future__ import annotations

import io
from collections import defaultdict
from urllib.parse import quote

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from outpost.core.exports.xlsx import GRID, HEADING_FILL, HEADING_FONT, XLSX_CONTENT_TYPE, XlsxBook
from outpost.core.printing import print_context
from outpost.duty import selectors
from outpost.duty.models import Roster, Shift

XLSX = XLSX_CONTENT_TYPE


def file_name(roster: Roster, kind: str, suffix: str) -> str:
    words = {"xlsx": _("roster"), "pdf": _("roster"), "record": _("duty record")}[kind]
    return quote(f"{roster.title}-{words}-{roster.starts_on:%Y%m%d}.{suffix}")


def _local(moment) -> str:
    return f"{timezone.localtime(moment):%H:%M}"


def roster_grid(roster: Roster, shifts: list[Shift]):
    """Days down, posts across: each cell the shifts of that post beginning that day,
    "08:00–20:00 张三、李四" a line."""
    posts = sorted({shift.post for shift in shifts}, key=lambda post: (post.name, post.pk))
    cells: dict = defaultdict(lambda: defaultdict(list))
    for shift in shifts:
        day = timezone.localtime(shift.starts_at).date()
        key = f"{_local(shift.starts_at)}–{_local(shift.ends_at)}"
        cells[(day, shift.post.pk)][key].append(selectors.person_name(shift.user))
    days = sorted({day for day, _post in cells})
    rows = []
    for day in days:
        row = [f"{day:%Y-%m-%d}"]
        for post in posts:
            lines = cells.get((day, post.pk), {})
            row.append("\n".join(f"{span} {'、'.join(names)}" for span, names in lines.items()))
        rows.append(row)
    return posts, rows


def _heading(sheet, values) -> None:
    sheet.append([sheet.cell(v, font=HEADING_FONT, fill=HEADING_FILL, border=GRID) for v in values])


def roster_xlsx(roster: Roster, shifts: list[Shift]) -> bytes:
    book = XlsxBook()
    posts, rows = roster_grid(roster, shifts)
    grid = book.sheet(_("Roster"))
    grid.widths([12] + [28] * len(posts))
    grid.print_setup(landscape=True, header_row=2)
    grid.append([f"{roster.title} {roster.starts_on:%Y-%m-%d} – {roster.ends_on:%Y-%m-%d}"])
    _heading(grid, [_("Date"), *[post.name for post in posts]])
    for row in rows:
        grid.append(row, text=True, border=GRID)
    listing = book.sheet(_("Shifts"))
    listing.widths([20, 20, 18, 18, 14, 20])
    listing.print_setup(landscape=True, header_row=1)
    _heading(listing, [_("Post"), _("Staff member"), _("Starts"), _("Ends"), _("Hours"), _("Unit")])
    for shift in shifts:
        listing.append(
            [
                shift.post.name,
                selectors.person_name(shift.user),
                f"{timezone.localtime(shift.starts_at):%Y-%m-%d %H:%M}",
                f"{timezone.localtime(shift.ends_at):%Y-%m-%d %H:%M}",
                round((shift.ends_at - shift.starts_at).total_seconds() / 3600, 1),
                str(shift.unit),
            ],
            text=True,
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def roster_pdf(roster: Roster, shifts: list[Shift], *, acting_user=None) -> bytes:
    # Imported here: WeasyPrint loads Pango and its fonts, which pages never need.
    from weasyprint import HTML

    posts, rows = roster_grid(roster, shifts)
    html = render_to_string(
        "duty/roster_pdf.html",
        {
            "roster": roster,
            "posts": posts,
            "rows": [
                (row[0], [cell.split("\n") if cell else [] for cell in row[1:]]) for row in rows
            ],
            "generated": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
            **print_context(acting_user=acting_user),
        },
    )
    return HTML(string=html).write_pdf()


def duty_record_xlsx(roster: Roster, shifts: list[Shift]) -> bytes:
    """The duty record per person over the roster: a summary sheet and one line per shift
    worked (shifts not over yet are left out), with the tasks done during it."""
    now = timezone.now()
    worked = selectors.tasks_during([shift for shift in shifts if shift.ends_at <= now])
    by_person, _by_post = selectors.summarise(worked)
    book = XlsxBook()
    summary = book.sheet(_("Per person"))
    summary.widths([16, 10, 10, 14, 14])
    summary.print_setup(landscape=True, header_row=1)
    _heading(
        summary,
        [
            _("Staff member"),
            _("Shifts"),
            _("Hours"),
            _("Check-ins handled"),
            _("Alerts acknowledged"),
        ],
    )
    for name, (count, hours, check_ins, alerts) in sorted(by_person.items()):
        summary.append([name, count, round(hours, 1), check_ins, alerts])
    detail = book.sheet(_("Shifts worked"))
    detail.widths([16, 20, 18, 18, 14, 14])
    detail.print_setup(landscape=True, header_row=1)
    _heading(
        detail,
        [
            _("Staff member"),
            _("Post"),
            _("Starts"),
            _("Ends"),
            _("Check-ins handled"),
            _("Alerts acknowledged"),
        ],
    )
    for line in sorted(
        worked, key=lambda w: (selectors.person_name(w.shift.user), w.shift.starts_at)
    ):
        shift = line.shift
        detail.append(
            [
                selectors.person_name(shift.user),
                shift.post.name,
                f"{timezone.localtime(shift.starts_at):%Y-%m-%d %H:%M}",
                f"{timezone.localtime(shift.ends_at):%Y-%m-%d %H:%M}",
                line.check_ins,
                line.alerts,
            ],
            text=True,
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
