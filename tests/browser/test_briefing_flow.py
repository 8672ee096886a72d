"""Issue 7 end to end: the station leader opens the daily briefing, clicks a figure to the
list behind it, and downloads yesterday's daily report as xlsx and as PDF; the PDF's first
page renders with the Chinese text."""

import datetime
import io
from pathlib import Path

import pypdfium2
import pytest
from django.utils import timezone
from openpyxl import load_workbook

from outpost.briefing.services import snapshots_take
from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.core.tests.worker import run_queued_tasks
from outpost.keypersons.tests.factories import managed_key_person_in
from tests.browser.support import DATABASE_TASKS, log_in, menu_click

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# Each group label of the desktop menu: its box, and where its text starts and ends.
MENU_LABELS = """() => [...document.querySelectorAll('nav.mainnav .navgroup > summary')].map(s => {
  const box = s.getBoundingClientRect(), range = document.createRange();
  range.selectNodeContents(s);
  const text = range.getBoundingClientRect();
  return {label: s.innerText, left: box.left, right: box.right, textLeft: text.left,
          textRight: text.right, clipped: s.scrollWidth > s.clientWidth};
})"""


def _assert_menu_labels_whole(page, width: int) -> None:
    """No group label of the desktop menu loses characters: each lies in the viewport with
    its text inside its box (the label that starts a wrapped line once lost its first)."""
    for label in page.evaluate(MENU_LABELS):
        assert 0 <= label["left"] <= label["textLeft"], label
        assert label["textRight"] <= label["right"] + 1 <= width + 1, label
        assert not label["clipped"], label


def _download(page, live_server, *, day, file_format):
    page.goto(f"{live_server.url}/briefing/report/")
    page.fill("input[name=day]", day.isoformat())
    page.check(f"input[name=file_format][value={file_format}]")
    page.check('input[name="purpose"][value="report_up"]')
    page.fill("input[name=reason]", "向分局报送每日信息")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/core/exports/*/")
    run_queued_tasks()
    page.reload()
    with page.expect_download() as download_info:
        page.click("a[href*='/download/']")
    return Path(download_info.value.path()).read_bytes()


@pytest.mark.parametrize("width", [1280, 360])
def test_leader_reads_the_briefing_and_downloads_yesterdays_report(
    browser, live_server, district, screenshot, settings, width
):
    leader = staff_user(role=Role.STATION_LEADER, unit=district.station, username="leader")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    person = managed_key_person_in(district.grid_a1)
    snapshots_take(day=yesterday)
    managed_key_person_in(district.grid_b1)  # today: one more than yesterday

    context, page = log_in(browser, live_server, leader, width)
    menu_click(page, "/briefing/")
    page.wait_for_url("**/briefing/")
    figure = page.locator("a[data-figure=key_persons]")
    assert figure.locator(".figure-value").inner_text() == "2"
    assert "(+1 / –)" in figure.inner_text()  # yesterday frozen, no week-old snapshot
    assert page.locator("[data-testid=drill-down]").inner_text().count(district.office.name) == 1
    screenshot(page, f"briefing-dashboard-{width}")
    if width == 1280:
        _assert_menu_labels_whole(page, width)

    # Yesterday's figure opens the list behind it: the one key person it counted.
    page.goto(f"{live_server.url}/briefing/?day={yesterday.isoformat()}")
    page.click("a[data-figure=key_persons]")
    page.wait_for_url("**/briefing/figure/**")
    rows = page.locator("[data-testid=figure-rows] tbody tr")
    assert rows.count() == 1  # the rows the frozen figure counted, not today's two
    assert person.display_name in page.locator("[data-testid=figure-rows]").inner_text()
    screenshot(page, f"briefing-figure-rows-{width}")
    if width == 360:
        context.close()
        return

    settings.TASKS = DATABASE_TASKS
    workbook = load_workbook(
        io.BytesIO(_download(page, live_server, day=yesterday, file_format="xlsx"))
    )
    first = workbook.worksheets[0]
    cells = [str(c) for row in first.iter_rows(values_only=True) for c in row if c is not None]
    assert any("每日信息通报" in cell for cell in cells)
    assert any(district.station.name in cell for cell in cells)

    pdf = pypdfium2.PdfDocument(_download(page, live_server, day=yesterday, file_format="pdf"))
    text = pdf[0].get_textpage().get_text_range()
    assert "每日信息通报" in text and district.station.name in text
    image = pdf[0].render(scale=1.5).to_pil()
    image.save(Path(settings.MEDIA_ROOT).parent / "screenshots" / "briefing-report-pdf-page1.png")
    assert image.convert("L").getextrema()[0] < 100  # there is ink on the page
    context.close()
